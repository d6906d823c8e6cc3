"""Quality of 2D point sets: mode coverage (VEEGAN / PacGAN) and gridded KL/JS (GAN Lab).

A sample is high quality (HQ) if it lies within ``k`` standard deviations of its nearest
mixture mean; a mode is covered if it is the nearest mean of at least one HQ sample.
"""

from __future__ import annotations

import numpy as np

GRID_BINS = 30  # GAN Lab's histogram resolution


def mode_coverage(samples: np.ndarray, means: np.ndarray, std: float, k: float = 3.0) -> dict[str, float]:
    """Returns {'modes': covered count, 'n_modes': K, 'hq': fraction of HQ samples in [0, 1]}."""
    samples = np.asarray(samples, dtype=np.float64)
    finite = np.isfinite(samples).all(1)
    d2 = ((samples[:, None, :] - means[None, :, :]) ** 2).sum(-1)  # (N, K)
    nearest = np.where(finite, d2.argmin(1), -1)
    dist = np.sqrt(np.where(finite, d2.min(1), np.inf))
    hq = dist <= k * std
    return {
        "modes": int(len(np.unique(nearest[hq]))),
        "n_modes": int(len(means)),
        "hq": float(hq.mean()) if len(samples) else 0.0,
    }


def grid_divergence(
    real: np.ndarray,
    fake: np.ndarray,
    bins: int = GRID_BINS,
    extent: tuple[float, float] | None = None,
    eps: float = 1e-10,
) -> dict[str, float]:
    """KL(real || fake) and Jensen-Shannon divergence between bins x bins histograms.

    The grid spans the real data's square ``extent`` (lo, hi), 10% padded by default;
    generated points outside it land in the border cells, so a generator that throws
    points far away is still penalised. ``js`` uses log base 2, so it lies in [0, 1];
    ``kl`` is in nats, with ``eps`` added to empty cells (as GAN Lab does) so it stays finite.
    """
    real = np.asarray(real, dtype=np.float64)
    fake = np.asarray(fake, dtype=np.float64)
    fake = fake[np.isfinite(fake).all(1)]
    if extent is None:
        lo, hi = float(real.min()), float(real.max())
        pad = 0.1 * (hi - lo or 1.0)
        extent = (lo - pad, hi + pad)
    lo, hi = extent
    edges = np.linspace(lo, hi, bins + 1)

    def hist(p: np.ndarray) -> np.ndarray:
        p = np.clip(p, lo, hi)  # out-of-range points count in the border cells
        h, _, _ = np.histogram2d(p[:, 0], p[:, 1], bins=(edges, edges))
        return h.ravel() / max(len(p), 1)

    p, q = hist(real), hist(fake)
    kl = float(np.sum(p * (np.log(p + eps) - np.log(q + eps))))
    m = 0.5 * (p + q)

    def kl2(a: np.ndarray) -> float:
        nz = a > 0
        return float(np.sum(a[nz] * np.log2(a[nz] / m[nz])))

    js = 0.5 * kl2(p) + 0.5 * kl2(q) if len(fake) else 1.0
    return {"kl": kl, "js": float(min(max(js, 0.0), 1.0))}
