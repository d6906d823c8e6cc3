"""Turning samples into pictures and files (PNG grids, 2D scatter plots, .npy)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ganstudio.data.imageops import make_grid, save_png, unit_to_uint8

REAL_RGB = (150, 150, 150)
FAKE_RGB = (30, 120, 255)


def image_grid(images: np.ndarray, nrow: int | None = None) -> np.ndarray:
    """Float images (N, C, H, W) in [-1, 1] -> an (H', W', C) uint8 grid."""
    return make_grid(unit_to_uint8(images), nrow=nrow)


def scatter_extent(points: np.ndarray, margin: float = 0.15) -> tuple[float, float]:
    """A square, centred (lo, hi) range that holds most points (robust to outliers)."""
    lo, hi = np.percentile(points, [0.5, 99.5]) if len(points) else (-1.0, 1.0)
    half = max(abs(lo), abs(hi), 1e-3) * (1 + margin)
    return -half, half


def scatter_png(fake: np.ndarray, real: np.ndarray | None = None, size: int = 512,
                extent: tuple[float, float] | None = None) -> np.ndarray:
    """Render 2D points as an (size, size, 3) uint8 picture: real grey, generated blue."""
    lo, hi = extent or scatter_extent(real if real is not None else fake)
    img = Image.new("RGB", (size, size), (255, 255, 255))
    draw = ImageDraw.Draw(img)

    def to_px(p: np.ndarray) -> np.ndarray:
        xy = (p - lo) / (hi - lo) * (size - 1)
        xy[:, 1] = size - 1 - xy[:, 1]  # y grows upwards in data space
        return xy

    for pts, rgb, r in ((real, REAL_RGB, 1.5), (fake, FAKE_RGB, 2.0)):
        if pts is None:
            continue
        for x, y in to_px(np.asarray(pts, dtype=np.float64)[np.isfinite(pts).all(1)]):
            draw.ellipse([x - r, y - r, x + r, y + r], fill=rgb)
    return np.asarray(img)


def save_samples(samples: np.ndarray, out: str | Path, real: np.ndarray | None = None) -> Path:
    """Save samples by extension: .npy (float32, data space) or .png (grid or scatter)."""
    out = Path(out)
    if out.suffix.lower() == ".npy":
        np.save(out, samples.astype(np.float32))
    elif out.suffix.lower() == ".png":
        save_png(scatter_png(samples, real) if samples.ndim == 2 else image_grid(samples), out)
    else:
        raise ValueError(f"unsupported output type '{out.suffix}' (use .npy or .png)")
    return out
