"""Image metrics on features of the locally trained net (see features.py)."""

from __future__ import annotations

import numpy as np
import torch


class Gaussian:
    """Mean and covariance of a feature set. The covariance's square root is computed once,
    on first use: the reference side of every Frechet distance needs it (and keeps it for the
    whole run), the generated side never does."""

    def __init__(self, feats: np.ndarray):
        self.mu = feats.mean(0)
        # One sample has no spread (np.cov would divide by zero and warn)
        self.cov = np.cov(feats, rowvar=False) if len(feats) > 1 else np.zeros((feats.shape[1],) * 2)
        self._sqrt: np.ndarray | None = None

    @property
    def sqrt(self) -> np.ndarray:
        if self._sqrt is None:
            w, v = np.linalg.eigh(self.cov)
            self._sqrt = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
        return self._sqrt


def frechet_distance(ref: Gaussian, feats: np.ndarray) -> float:
    """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^1/2), as FID, with
    Tr((S1 S2)^1/2) = sum sqrt(eig(S1^1/2 S2 S1^1/2)): symmetric, so eigvalsh is exact and
    stable (no complex parts from sqrtm)."""
    g = Gaussian(feats)
    m = ref.sqrt @ g.cov @ ref.sqrt
    tr_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)).sum()
    d = float(((ref.mu - g.mu) ** 2).sum() + np.trace(ref.cov) + np.trace(g.cov) - 2 * tr_sqrt)
    return max(d, 0.0)


def knn_radii(feats: np.ndarray | torch.Tensor, k: int = 3) -> torch.Tensor:
    """Each point's distance to its k-th nearest neighbour (itself excluded)."""
    x = torch.as_tensor(feats, dtype=torch.float32)
    return torch.cdist(x, x).kthvalue(k + 1, dim=1).values


def precision_recall(
    real: np.ndarray, fake: np.ndarray, k: int = 3, real_radii: torch.Tensor | None = None
) -> tuple[float, float]:
    """Improved precision and recall (Kynkaanniemi et al. 2019): the share of fake samples
    inside the real manifold (union of k-NN balls around real features), and vice versa.
    ``real_radii``: ``knn_radii(real, k)``, when the caller keeps it for a fixed real set."""
    r, f = torch.as_tensor(real, dtype=torch.float32), torch.as_tensor(fake, dtype=torch.float32)
    rr = knn_radii(r, k) if real_radii is None else real_radii
    d = torch.cdist(f, r)  # (fake, real): both directions read the one distance matrix
    precision = float((d <= rr[None, :]).any(1).float().mean())
    recall = float((d.T <= knn_radii(f, k)[None, :]).any(1).float().mean())
    return precision, recall


def class_coverage(probs: np.ndarray, real_freq: np.ndarray, threshold: float = 0.9) -> dict[str, float]:
    """How generated samples spread over the classifier's classes.

    ``confident``: share of samples whose top class probability is >= threshold.
    A class is covered when at least half its fair share of *all* samples are confidently of
    that class, the fair share being ``real_freq[k]``: what real images score (the share of
    them confidently classified as k; about the label frequency on easy data). A generator
    that draws only 3s covers one class, and noise that a few samples happen to be
    confident about covers almost none.
    """
    top = probs.max(1)
    conf = top >= threshold
    counts = np.bincount(probs.argmax(1)[conf], minlength=len(real_freq))
    share = counts / max(len(probs), 1)
    covered = int(((share >= 0.5 * real_freq) & (real_freq > 0)).sum())
    return {"class_coverage": covered, "n_classes": int((real_freq > 0).sum()), "confident": float(conf.mean())}
