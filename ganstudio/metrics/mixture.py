"""Mode coverage for 2D Gaussian mixtures (the VEEGAN / PacGAN protocol).

A sample is high quality (HQ) if it lies within ``k`` standard deviations of its nearest
mixture mean; a mode is covered if it is the nearest mean of at least one HQ sample.
"""

from __future__ import annotations

import numpy as np


def mode_coverage(samples: np.ndarray, means: np.ndarray, std: float, k: float = 3.0) -> dict[str, float]:
    """Returns {'modes': covered count, 'n_modes': K, 'hq': fraction of HQ samples in [0, 1]}."""
    samples = np.asarray(samples, dtype=np.float64)
    finite = np.isfinite(samples).all(1)
    d2 = ((samples[:, None, :] - means[None, :, :]) ** 2).sum(-1)  # (N, K)
    nearest = np.where(finite, d2.argmin(1), -1)
    dist = np.sqrt(np.where(finite, d2.min(1), np.inf))
    hq = dist <= k * std
    return {"modes": int(len(np.unique(nearest[hq]))), "n_modes": int(len(means)), "hq": float(hq.mean()) if len(samples) else 0.0}
