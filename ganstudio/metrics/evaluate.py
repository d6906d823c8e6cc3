"""One evaluator for every front end: training (every ``eval_every`` steps), the CLI's
``evaluate`` command and benchmarks.

Percentages are in percent (``hq``, ``confident``); ``precision``/``recall`` are fractions.

2D sets: ``modes``/``n_modes``/``hq`` (when the set is a Gaussian mixture) and ``kl``/``js``
between 30x30 histograms. Images: ``fcd`` (Frechet distance of the local feature net) with
``fcd_floor`` (the same distance between two halves of the real data at the same sample
size), ``precision``/``recall``, and for labelled data ``class_coverage``/``n_classes``/
``confident``; ``memorized`` (percent of samples whose nearest training image, in the feature
net's space, is closer than training images are to each other: see metrics/neighbours.py);
plus the feature net's held-out ``net_accuracy`` (or ``net_mse``).

The *main* metric decides the best checkpoint: ``js`` for 2D sets, ``fcd`` for images;
lower is better for both.
"""

from __future__ import annotations

import math
import string
from typing import Callable

import numpy as np
import torch
from torch import nn

from ganstudio.data import Dataset
from ganstudio.metrics.features import TrainedFeatures, get_features
from ganstudio.metrics.images import Gaussian, class_coverage, frechet_distance, knn_radii, precision_recall
from ganstudio.metrics.mixture import grid_divergence, mode_coverage

# Real images embedded for the reference statistics: 10,000 a side estimate a 128-d Gaussian
# well, and embedding all 60,000 of a big set would add ~15 s to every start on a CPU.
MAX_REAL = 20000
CONFIDENT = 0.9  # a sample is confidently of a class at this top probability
EVAL_SEED = 0xE7A1  # the latent noise of evaluations: fixed, so evaluations compare over time


_BLAS = None  # threadpoolctl's controller, found once (scanning the loaded libraries takes ms)


def one_blas_thread():
    """A context in which numpy's BLAS uses one thread. numpy's OpenBLAS keeps a thread pool
    of its own beside PyTorch's, and its threads spin on the cores for a while after each
    call, where training's OpenMP threads want to run next; the evaluation's small matrices
    gain nothing from them. (threadpoolctl comes with scikit-learn; without it, no change.)"""
    global _BLAS
    import contextlib

    try:
        if _BLAS is None:
            from threadpoolctl import ThreadpoolController

            _BLAS = ThreadpoolController()
        return _BLAS.limit(limits=1, user_api="blas")
    except Exception:  # noqa: BLE001 -- a speed hint only
        return contextlib.nullcontext()


def main_metric(kind: str) -> str:
    return "js" if kind == "2d" else "fcd"


class Evaluator:
    def __init__(
        self,
        dataset: Dataset,
        device: str | torch.device = "cpu",
        seed: int = 0,
        log: Callable[[str], None] | None = None,
        cache: bool = True,
    ):
        self.dataset, self.device, self.seed, self.log, self.cache = dataset, torch.device(device), seed, log, cache
        self.kind = dataset.kind
        self.main = main_metric(self.kind)
        self._net: TrainedFeatures | None = None
        self.ready = self.kind == "2d"  # images need the feature net first (prepare())
        self.real_confident: float | None = None  # percent of real images classified confidently

    @property
    def feature_net(self) -> TrainedFeatures | None:
        """The feature net of image metrics once prepared (None for 2D sets or before)."""
        return self._net

    # --- images: reference statistics, built on first use ---
    def prepare(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Train (or read from the cache) the feature net and the real data's statistics.
        Front ends call this before training's clock starts, or in a background thread
        (``ready`` turns True at the end), so it never eats a run's time budget."""
        self._prepare_images(progress)

    def _prepare_images(self, progress: Callable[[int, int], None] | None = None) -> None:
        if self.ready:
            return
        ds = self.dataset
        net = get_features(
            ds.data, ds.labels, seed=self.seed, device=self.device, cache=self.cache, log=self.log, progress=progress
        )
        # Two fixed halves of (at most MAX_REAL of) the real data: the reference, and a real
        # "generator" that gives the floor a perfect generator would reach at this sample size.
        order = np.random.default_rng(self.seed).permutation(len(ds.data))[:MAX_REAL]
        feats, probs = net.embed(ds.data[np.sort(order)])
        order = np.random.default_rng(self.seed + 1).permutation(len(feats))
        half = max(1, len(order) // 2)
        self._ref_feats, self._floor_feats = feats[order[:half]], feats[order[half:]]
        if len(self._floor_feats) == 0:  # a one-image dataset: no second half to compare with
            self._floor_feats = self._ref_feats
        self._ref = Gaussian(self._ref_feats)
        self._floor_cache: dict[int, float] = {}
        self._radii_cache: dict[int, torch.Tensor] = {}
        if probs is not None:
            # Coverage is judged against what real images score: each class's share of
            # confidently classified real images. On digits that is the label frequency;
            # on Fashion-MNIST, whose shirts and pullovers look alike, real images are
            # confidently "Shirt" far less often than 10% of the time, and a generator should
            # not have to beat real data to cover a class.
            conf = probs.max(1) >= CONFIDENT
            self._real_freq = np.bincount(probs.argmax(1)[conf], minlength=net.net.n_classes) / len(probs)
            self.real_confident = 100.0 * float(conf.mean())
        else:
            self._real_freq, self.real_confident = None, None
        # Every training image's features, for the memorisation figure (computed once per
        # dataset and cached beside the feature net).
        from ganstudio.metrics.neighbours import build_index

        self._index = build_index(net, ds.data, cache=self.cache, log=self.log)
        self._net, self.ready = net, True  # last: another thread may be polling ready

    def _floor(self, m: int) -> float:
        if m not in self._floor_cache:
            self._floor_cache[m] = frechet_distance(self._ref, self._floor_feats[:m])
        return self._floor_cache[m]

    def _ref_radii(self, m: int) -> torch.Tensor:
        """k-NN radii of the first m reference features: fixed for the run, so kept."""
        if m not in self._radii_cache:
            self._radii_cache[m] = knn_radii(self._ref_feats[:m])
        return self._radii_cache[m]

    def max_fcd_samples(self) -> int:
        self._prepare_images()
        return len(self._floor_feats)

    # --- evaluation ---
    @torch.no_grad()
    def generate(self, G: nn.Module, z_dim: int, n: int) -> np.ndarray:
        """n samples from fixed evaluation noise, G in eval mode, in chunks."""
        z = torch.randn(n, z_dim, generator=torch.Generator().manual_seed(EVAL_SEED + self.seed))
        dev = next(G.parameters()).device
        was = G.training
        G.eval()
        try:
            out = torch.cat([G(z[i : i + 512].to(dev)).float().cpu() for i in range(0, n, 512)])
        finally:
            G.train(was)
        return out.numpy()

    def evaluate(self, G: nn.Module, z_dim: int, n: int) -> dict[str, float]:
        with one_blas_thread():
            return self.score(self.generate(G, z_dim, n))

    def score(self, fake: np.ndarray) -> dict[str, float]:
        """Metrics of generated samples (N, 2) or (N, C, H, W) against the dataset."""
        ds = self.dataset
        if self.kind == "2d":
            out: dict[str, float] = {}
            if ds.means is not None and ds.std is not None:
                mc = mode_coverage(fake, ds.means, ds.std)
                out |= mc | {"hq": 100.0 * mc["hq"]}
            return out | grid_divergence(ds.data, fake)
        self._prepare_images()
        fake = np.nan_to_num(fake, nan=0.0, posinf=1.0, neginf=-1.0)
        feats, probs = self._net.embed(fake)
        m = min(len(feats), len(self._floor_feats))  # the floor is measured at the same size
        out = {"fcd": frechet_distance(self._ref, feats[:m]), "fcd_floor": self._floor(m), "fcd_n": m}
        p, r = precision_recall(self._ref_feats[:m], feats[:m], real_radii=self._ref_radii(m))
        out |= {"precision": p, "recall": r, "memorized": self._index.memorized(feats)}
        if probs is not None and self._real_freq is not None:
            cc = class_coverage(probs, self._real_freq, CONFIDENT)
            out |= cc | {"confident": 100.0 * cc["confident"]}
        out["net_accuracy" if self._net.kind == "classifier" else "net_mse"] = self._net.score
        return out


# The parts of the metrics line, as (template, the keys it needs); the app says the same
# templates in its language (tools/i18n.py lists them for translation).
METRIC_PARTS = (
    ("modes {modes}/{n_modes}  HQ {hq}%", ("modes",)),
    ("JS {js}  KL {kl}", ("js",)),
    ("FCD {fcd} (real-vs-real floor {fcd_floor})", ("fcd",)),
    ("classes {class_coverage}/{n_classes}  confident {confident}%", ("class_coverage",)),
    ("precision {precision}  recall {recall}", ("precision",)),
    ("memorized {memorized}%", ("memorized",)),
)
# how each number is written (the rest as they are)
_FORMATS = {"hq": ".1f", "js": ".4f", "kl": ".3f", "fcd": ".2f", "fcd_floor": ".2f", "confident": ".1f"}
_FORMATS |= {"precision": ".2f", "recall": ".2f", "memorized": ".1f"}


def metric_parts(m: dict) -> list[tuple[str, dict[str, str]]]:
    """The metrics a person looks at first: (template, its values written out) for each part
    ``m`` has. KeyError/TypeError/ValueError for a row that lacks what a part needs."""
    out = []
    for template, keys in METRIC_PARTS:
        if all(k in m for k in keys):
            names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
            out.append((template, {k: format(m[k], _FORMATS.get(k, "")) for k in names}))
    return out


def format_metrics(m: dict) -> str:
    """One line of the metrics a person looks at first."""
    return "  ".join(t.format(**v) for t, v in metric_parts(m))


def is_better(kind: str, new: dict[str, float], best: float | None) -> bool:
    v = new.get(main_metric(kind))
    return v is not None and math.isfinite(v) and (best is None or v < best)
