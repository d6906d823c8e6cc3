"""Nearest real images, in the feature net's space and in pixels, and the memorisation figure.

"Is my GAN copying its training data?" For any image (a preview, a sample) the k nearest
training images by Euclidean distance between the feature net's 128-d features (see
features.py) and, beside them, by root-mean-square pixel difference in [-1, 1] units.

The memorisation figure (``memorized``, percent) of a batch of samples is the share whose
nearest real image is closer than real images are to each other: the threshold is the
median, over ``REFERENCE`` real images, of each one's distance to its nearest *other* real
image. A generator that copies training images scores ~100; a fresh one ~0. A generator
drawing new images from the data's own distribution scores about 50: its samples sit as close
to the training set as training images sit to each other (real images held out of the index
score 51% on Fashion-MNIST, 54% on digits; bench/neighbours.py). Young GANs sit further away.

Speed: the features of every training image are computed once per dataset and cached
beside the feature net's cache entry (``KEY.neighbours.safetensors``, read by the same safe
loader as checkpoints). A query is one float32 matrix product against them with
precomputed squared norms (||q||^2 + ||x||^2 - 2 q.x); the few best candidates are then
re-ranked by their exact distances, so an image's own copy in the data is at distance 0.
Pixels are searched exactly too, but through images average-pooled POOL x POOL first
(4x fewer numbers to read per query): POOL^2 times the squared distance of two pooled
images never exceeds that of the images themselves (Jensen), so candidates taken in order of
that lower bound and re-ranked exactly are the true nearest once the k-th exact distance is
below the next candidate's bound (else more candidates are taken).
bench/neighbours.py measures it (60,000 Fashion-MNIST images).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from ganstudio.errors import CheckpointError
from ganstudio.io.checkpoint import load_checkpoint, save_checkpoint
from ganstudio.metrics.features import FEATURES

INDEX_VERSION = 1  # bump when what the index file holds changes: old files are rebuilt
REFERENCE = 2000  # real images whose nearest-real-neighbour distance sets the threshold
REFERENCE_SEED = 0x4E4E
CHUNK = 256  # queries per matrix product (bounded memory: 256 x 60,000 floats = 61 MB)
SLACK = 8  # extra candidates re-ranked by exact distance
POOL = 2  # pixel search: images average-pooled POOL x POOL for the lower bound (4 x 4 bounds too loosely)
PIXEL_CANDIDATES = 256  # first batch of pixel candidates re-ranked exactly (x4 until certain)


@dataclass
class Neighbours:
    """The k nearest training images of one query, nearest first."""

    index: np.ndarray  # (k,) int64 dataset indices
    distance: np.ndarray  # (k,) float64


@dataclass
class NearestReal:
    features: Neighbours  # by the feature net's features (Euclidean)
    pixels: Neighbours  # by root-mean-square pixel difference, [-1, 1] units


def knn(
    queries: torch.Tensor, points: torch.Tensor, sq_norms: torch.Tensor, k: int, exclude: torch.Tensor | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest rows of ``points`` (N, D) to each of ``queries`` (B, D) (float32).

    Candidates come from one matrix product per chunk (``sq_norms`` = ||points||^2, (N,));
    the best k + SLACK are re-ranked by distances computed directly in float64, which
    removes the product's cancellation error (a copy of a point is at distance exactly 0).
    ``exclude`` (B,): a dataset index per query to leave out (a real image's own row).
    Returns (distances (B, k) float64, indices (B, k) int64).
    """
    n = points.shape[0]
    k = min(k, n - (exclude is not None))
    if k < 1 or not len(queries):
        return np.zeros((len(queries), 0)), np.zeros((len(queries), 0), dtype=np.int64)
    m = min(n, k + SLACK + (exclude is not None))
    dists, idxs = [], []
    for i in range(0, len(queries), CHUNK):
        q = queries[i : i + CHUNK].to(points.dtype)
        score = torch.addmm(sq_norms[None], q, points.T, alpha=-2.0)  # ||x||^2 - 2 q.x  (B, N)
        if exclude is not None:
            score[torch.arange(len(q)), exclude[i : i + CHUNK]] = float("inf")
        cand = torch.topk(score, m, dim=1, largest=False).indices  # (B, m)
        exact = ((points[cand].double() - q[:, None].double()) ** 2).sum(-1)  # (B, m)
        if exclude is not None:
            exact[cand == exclude[i : i + CHUNK, None]] = float("inf")
        d, j = torch.sort(exact, dim=1)
        dists.append(d[:, :k].sqrt())
        idxs.append(torch.gather(cand, 1, j[:, :k]))
    return torch.cat(dists).numpy(), torch.cat(idxs).numpy()


class NeighbourIndex:
    """The training set's features (and pixels) ready for nearest-neighbour queries."""

    def __init__(self, features: torch.Tensor, pixels: np.ndarray | None, threshold: float):
        self.features = features.to(torch.float32).contiguous()  # (N, F)
        self.sq = (self.features.double() ** 2).sum(1).float()  # (N,)
        self.threshold = float(threshold)  # median real-to-real nearest-neighbour distance
        self._pixels = pixels  # (N, C, H, W) float32 in [-1, 1]: the dataset's own array
        self._pix: torch.Tensor | None = None  # (N, C*H*W), made on the first pixel query

    def __len__(self) -> int:
        return len(self.features)

    def by_features(
        self, feats: np.ndarray | torch.Tensor, k: int = 8, exclude: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(distances (B, k), indices (B, k)) of features (B, F)."""
        q = torch.as_tensor(feats, dtype=torch.float32)
        ex = None if exclude is None else torch.as_tensor(exclude, dtype=torch.long)
        return knn(q.reshape(len(q), -1), self.features, self.sq, k, ex)

    def by_pixels(self, images: np.ndarray | torch.Tensor, k: int = 8) -> tuple[np.ndarray, np.ndarray]:
        """(RMS pixel distances (B, k), indices (B, k)) of images (B, C, H, W) in [-1, 1]; exact."""
        if self._pixels is None:
            raise ValueError("this index was built without the images")
        if self._pix is None:
            self._prepare_pixels()
        x = torch.as_tensor(np.asarray(images, dtype=np.float32))
        if tuple(x.shape[1:]) != tuple(self._pixels.shape[1:]):
            raise ValueError(f"images of shape {tuple(x.shape[1:])}; the training images are {self._pixels.shape[1:]}")
        k = min(k, len(self))
        low = self._pool(x).reshape(len(x), -1)
        flat = x.reshape(len(x), -1)
        dists, idxs = [], []
        for b in range(len(x)):
            # lower bounds of every squared distance, from the pooled images
            lb = torch.addmm(self._low_sq, low[b : b + 1], self._low.T, alpha=-2.0)[0]
            lb = (lb + (low[b] ** 2).sum()).clamp_min(0) * self._factor
            m = min(len(self), max(PIXEL_CANDIDATES, 4 * k))
            while True:
                bound, cand = torch.topk(lb, min(len(self), m + 1), largest=False)  # sorted
                cand, nxt = cand[:m], (float(bound[m]) if m < len(self) else float("inf"))
                exact = ((self._pix[cand] - flat[b]) ** 2).sum(1)  # direct differences: a copy is at 0
                d, j = torch.sort(exact)
                if m >= len(self) or float(d[k - 1]) <= nxt * (1 - 1e-4) - 1e-6:
                    break  # nothing beyond the candidates can be nearer
                m = min(len(self), 4 * m)
            dists.append(d[:k].sqrt())
            idxs.append(cand[j[:k]])
        return torch.stack(dists).double().numpy() / np.sqrt(flat.shape[1]), torch.stack(idxs).numpy()

    def _prepare_pixels(self) -> None:
        """A view of the dataset's array (no copy) and its pooled copy with squared norms."""
        self._pix = torch.from_numpy(np.ascontiguousarray(self._pixels, dtype=np.float32)).reshape(len(self), -1)
        _, _, h, w = self._pixels.shape
        self._f = next(f for f in (POOL, 2, 1) if h % f == 0 and w % f == 0)
        self._factor = float(self._f * self._f)
        self._low = self._pooled_all(h, w)  # (N, C*H*W / f^2)
        self._low_sq = (self._low.double() ** 2).sum(1).float()

    def _pooled_all(self, h: int, w: int) -> torch.Tensor:
        c = self._pixels.shape[1]
        n_low = c * (h // self._f) * (w // self._f)
        return torch.cat(
            [
                self._pool(torch.from_numpy(np.ascontiguousarray(self._pixels[i : i + 8192], np.float32))).reshape(
                    -1, n_low
                )
                for i in range(0, len(self), 8192)
            ]
        ).contiguous()

    def _pool(self, x: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.avg_pool2d(x, self._f) if self._f > 1 else x

    def nearest_distance(self, feats: np.ndarray | torch.Tensor) -> np.ndarray:
        """(B,) each feature row's distance to its nearest training image."""
        return self.by_features(feats, 1)[0][:, 0]

    def memorized(self, feats: np.ndarray | torch.Tensor) -> float:
        """Percent of samples (their features (B, F)) whose nearest real image is closer than
        the median real image's nearest real neighbour."""
        if not len(feats):
            return float("nan")
        return 100.0 * float((self.nearest_distance(feats) < self.threshold).mean())


def index_path(feature_cache: Path) -> Path:
    """Where an index lives: beside the feature net's cache entry, keyed the same way."""
    return feature_cache.with_name(feature_cache.name.split(".")[0] + ".neighbours.safetensors")


def build_index(
    net,
    data: np.ndarray,
    cache: bool = True,
    log: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> NeighbourIndex:
    """The index of ``data`` (N, C, H, W) for the feature net ``net`` (TrainedFeatures):
    read from beside the net's cache entry, else computed (all N images through the net,
    seconds for 60,000 on a CPU) and written there."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    path = index_path(net.cached) if net.cached is not None else None
    if cache and path is not None and path.is_file():
        try:
            tensors, meta = load_checkpoint(path)
            feats = tensors["features"]
            if (
                meta.get("version") != INDEX_VERSION
                or tuple(feats.shape) != (len(data), FEATURES)
                or feats.dtype != torch.float32
                or not isinstance(meta.get("threshold"), (int, float))
            ):
                raise CheckpointError(f"{path}: made for another network or data")
            return NeighbourIndex(feats, data, float(meta["threshold"]))
        except (CheckpointError, KeyError) as e:  # a damaged entry is rebuilt, not fatal
            log(f"warning: rebuilding the nearest-neighbour index ({e})")
    feats = (
        np.concatenate(
            [net.embed(data[i : i + 4096])[0] for i in _report(range(0, len(data), 4096), len(data), progress)]
        )
        if len(data)
        else np.zeros((0, FEATURES))
    )
    feats_t = torch.from_numpy(feats.astype(np.float32))
    threshold = real_threshold(feats_t)
    index = NeighbourIndex(feats_t, data, threshold)
    if cache and path is not None:
        try:
            save_checkpoint(
                path,
                {"features": feats_t},
                {"version": INDEX_VERSION, "threshold": threshold, "n": len(data), "reference": REFERENCE},
            )
        except OSError as e:  # a read-only cache must not stop an evaluation
            log(f"warning: could not cache the nearest-neighbour index in {path.parent} ({e.strerror or e})")
    return index


def _report(steps: range, total: int, progress: Callable[[int, int], None] | None):
    for i in steps:
        if progress is not None:
            progress(i, total)
        yield i


def real_threshold(feats: torch.Tensor, n: int = REFERENCE, seed: int = REFERENCE_SEED) -> float:
    """The median, over n real images (a fixed random subset), of the distance from each
    to its nearest other real image; inf when there is only one image."""
    if len(feats) < 2:
        return float("inf")
    pick = np.sort(np.random.default_rng(seed).permutation(len(feats))[:n])
    sq = (feats.double() ** 2).sum(1).float()
    d, _ = knn(feats[pick], feats, sq, 1, exclude=torch.from_numpy(pick))
    return float(np.median(d[:, 0]))


# ----------------------------------------------------------------------------- the training set
@dataclass
class RealReference:
    """A run's training images with their feature net and index: what projection, nearest
    neighbours and class directions need. ``load_reference`` builds one."""

    dataset: object  # ganstudio.data.Dataset
    net: object  # metrics.features.TrainedFeatures
    index: NeighbourIndex

    def features(self, images: np.ndarray | torch.Tensor) -> np.ndarray:
        return self.net.embed(np.asarray(images, dtype=np.float32))[0]

    def nearest(self, images: np.ndarray, k: int = 8) -> list[NearestReal]:
        """The k nearest training images of each of images (B, C, H, W), by features and by pixels."""
        images = np.asarray(images, dtype=np.float32)
        fd, fi = self.index.by_features(self.features(images), k)
        pd, pi = self.index.by_pixels(images, k)
        return [NearestReal(Neighbours(fi[b], fd[b]), Neighbours(pi[b], pd[b])) for b in range(len(images))]

    def nearest_to_item(self, i: int, k: int = 8) -> NearestReal:
        """The neighbours of training image i (its cached features: itself comes first, at 0)."""
        fd, fi = self.index.by_features(self.index.features[i : i + 1], k)
        pd, pi = self.index.by_pixels(self.dataset.data[i : i + 1], k)
        return NearestReal(Neighbours(fi[0], fd[0]), Neighbours(pi[0], pd[0]))


def load_reference(
    spec: str,
    image_size: int | None = None,
    channels: int | None = None,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    dataset=None,
    cache: bool = True,
    index_progress: Callable[[int, int], None] | None = None,
) -> RealReference:
    """Load a run's dataset (``spec`` as in its config), its feature net (trained once per
    dataset and cached, as for evaluations; ``seed`` 0 is the one training uses) and the
    nearest-neighbour index. ``dataset``: one already loaded. ``progress(done, total)``
    reports the feature net's training, ``index_progress`` the index's images (either may
    raise to cancel)."""
    from ganstudio.data import load_dataset
    from ganstudio.errors import GanstudioError
    from ganstudio.metrics.features import get_features

    ds = dataset if dataset is not None else load_dataset(spec, image_size, channels)
    if ds.kind != "image":
        raise GanstudioError(f"{spec} is a 2D point set: nearest images and projection need image data")
    net = get_features(ds.data, ds.labels, seed=seed, cache=cache, log=log, progress=progress)
    return RealReference(ds, net, build_index(net, ds.data, cache=cache, log=log, progress=index_progress))
