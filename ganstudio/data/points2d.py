"""2D point sets: Gaussian mixtures (the mode-collapse benchmarks) and friends."""

from __future__ import annotations

import numpy as np

POINTS = 50_000  # pool size; plenty for a 2D density, and small (400 KB)


def ring8(rng: np.random.Generator, n: int = POINTS):
    """8 Gaussians, means at radius 2 on angles 2*pi*k/8, std 0.02."""
    angles = 2 * np.pi * np.arange(8) / 8
    means = 2.0 * np.stack([np.cos(angles), np.sin(angles)], 1)
    return _mixture(rng, means, 0.02, n), means, 0.02


def grid25(rng: np.random.Generator, n: int = POINTS):
    """25 Gaussians, means on {-4,-2,0,2,4}^2, std 0.05."""
    g = np.arange(-4, 5, 2, dtype=np.float64)
    means = np.stack(np.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2)
    return _mixture(rng, means, 0.05, n), means, 0.05


def spiral(rng: np.random.Generator, n: int = POINTS):
    """A two-armed spiral with a little noise: one connected, curved manifold."""
    t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
    arm = rng.integers(0, 2, n) * np.pi
    r = t / (3 * np.pi) * 3.0
    pts = np.stack([r * np.cos(t + arm), r * np.sin(t + arm)], 1)
    return pts + rng.normal(0, 0.05, pts.shape), None, None


def moons(rng: np.random.Generator, n: int = POINTS):
    """Two interleaved half circles (scikit-learn's make_moons), centred and scaled."""
    t = rng.uniform(0, np.pi, n)
    upper = rng.integers(0, 2, n).astype(bool)
    x = np.where(upper, np.cos(t), 1 - np.cos(t)) - 0.5
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t)) - 0.25
    pts = 1.5 * np.stack([x, y], 1)
    return pts + rng.normal(0, 0.05, pts.shape), None, None


def rings(rng: np.random.Generator, n: int = POINTS):
    """Two concentric circles (radius 1 and 2): a hole the generator must learn to leave empty."""
    t = rng.uniform(0, 2 * np.pi, n)
    r = np.where(rng.integers(0, 2, n) == 0, 1.0, 2.0)
    pts = np.stack([r * np.cos(t), r * np.sin(t)], 1)
    return pts + rng.normal(0, 0.04, pts.shape), None, None


def _mixture(rng: np.random.Generator, means: np.ndarray, std: float, n: int) -> np.ndarray:
    k = rng.integers(0, len(means), n)
    return means[k] + rng.normal(0, std, (n, 2))


POINT_SETS = {
    "ring8": (ring8, "8 Gaussians on a circle of radius 2 (std 0.02)"),
    "grid25": (grid25, "25 Gaussians on a 5x5 grid, spacing 2 (std 0.05)"),
    "spiral": (spiral, "a noisy two-armed spiral"),
    "moons": (moons, "two interleaved half moons"),
    "rings": (rings, "two concentric circles"),
}
