"""What class an image with a hole is, from its known pixels alone: inpainting's class prior.

A conditional generator fits the known pixels of a Fashion-MNIST test image with the wrong
class a quarter of the time (centre mask): the pixel error cannot tell a coat from a pullover
whose middle is missing, and a fill of the wrong class draws the wrong garment. A small CNN
trained on the data's own images with random holes (its input: the image with the hole zeroed,
and the mask) gets it right 9 times in 10, so the search adds CLASS_WEIGHT x -log p(class) to
each candidate's objective (see bench/inpaint.py --class-weight).

Trained once per dataset (about 3 minutes on 2 cores for 60,000 images) and cached beside the
feature net (metrics/features.py), read back by the same safe loader as checkpoints. Pure torch;
no Qt.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from ganstudio.data import count_classes
from ganstudio.errors import CheckpointError, first_lines
from ganstudio.io.checkpoint import load_checkpoint, save_checkpoint
from ganstudio.metrics.features import FittedOneCycle, cache_dir, data_key
from ganstudio.metrics.utility import SmallCNN

VERSION = 1  # bump when the net, its holes or its training change: old cache entries are ignored
# Adam steps of batch BATCH (one-cycle rate): EPOCHS passes over the data within these bounds
# (budget_s may shrink them). On Fashion-MNIST, centre mask: 3,000 steps 0.88 right, 6,000 0.90.
EPOCHS = 14
MIN_UPDATES, MAX_UPDATES = 200, 6000
BATCH = 128
LR = 3e-3
BANK = 8192  # holes drawn once, each batch picks from them (flipped at random)
PRESETS = 0.4  # share of the bank that is the CLI's named masks (centre square, halves)
HELD_OUT = 2000  # images kept aside to report the accuracy with random holes
MAX_TRAIN = 60000  # images trained on at most (a big folder is not copied whole)


def random_holes(n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """(n, size, size) bool holes of the kinds users make: the named masks (inpainting.SHAPES),
    rectangles, a cut at a random line, a share of pixels dropped at random, brush strokes.
    None is empty or whole."""
    from ganstudio.inpainting import SHAPES, shape_mask

    yy, xx = np.mgrid[:size, :size]
    out = np.zeros((n, size, size), bool)
    for i in range(n):
        kind = 0 if rng.random() < PRESETS else int(rng.integers(1, 5))
        if kind == 0:
            out[i] = shape_mask(SHAPES[int(rng.integers(len(SHAPES)))], size)
        elif kind == 1:  # a rectangle a quarter to three quarters of each side
            h, w = (rng.uniform(0.25, 0.75, 2) * size).astype(int) + 1
            r, c = rng.integers(0, size - h + 1), rng.integers(0, size - w + 1)
            out[i, r : r + h, c : c + w] = True
        elif kind == 2:  # one side of a line at 30-70% of the width, turned to any of 4 sides
            cut = np.zeros((size, size), bool)
            cut[:, : int(rng.uniform(0.3, 0.7) * size)] = True
            out[i] = np.rot90(cut, int(rng.integers(4)))
        elif kind == 3:
            out[i] = rng.random((size, size)) < rng.uniform(0.1, 0.9)
        else:  # 1-4 strokes of a round brush on a random walk
            for _ in range(int(rng.integers(1, 5))):
                p, rad = rng.uniform(0, size, 2), rng.uniform(1, size / 7)
                for _ in range(int(rng.integers(3, 12))):
                    p = np.clip(p + rng.normal(0, size / 8, 2), 0, size - 1)
                    out[i] |= (yy - p[0]) ** 2 + (xx - p[1]) ** 2 <= rad**2
        if not out[i].any():
            out[i, size // 2, size // 2] = True
        if out[i].all():
            out[i, 0, 0] = False
    return out


def _inputs(images: torch.Tensor, hole: torch.Tensor) -> torch.Tensor:
    """The net's input: the image with its hole zeroed, and the mask of known pixels."""
    known = (~hole).to(images.dtype)[:, None]
    return torch.cat([images * known, known], 1)


@dataclass
class ClassPrior:
    """A trained net: ``probs(images, hole)`` gives p(class | the known pixels)."""

    net: SmallCNN
    n_classes: int
    accuracy: float  # on HELD_OUT images with random holes
    seconds: float  # training time (0 when read from the cache)
    cached: Path | None = None

    @torch.no_grad()
    def probs(self, images: np.ndarray, hole: np.ndarray) -> np.ndarray:
        """(N, n_classes) for images (N, C, H, W) in [-1, 1] with holes (N, H, W) or one (H, W)."""
        x = torch.as_tensor(np.asarray(images, np.float32))
        h = torch.as_tensor(np.broadcast_to(np.asarray(hole, bool), (len(x), *x.shape[2:])).copy())
        out = [torch.softmax(self.net(_inputs(x[i : i + 1000], h[i : i + 1000])), 1) for i in range(0, len(x), 1000)]
        return torch.cat(out).double().numpy()


def get_class_prior(
    data: np.ndarray,
    labels: np.ndarray | None,
    seed: int = 0,
    cache: bool = True,
    budget_s: float = 400.0,  # room for all the updates on one thread (the app's finder has one)
    log: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ClassPrior | None:
    """The cached prior for this labelled data, else train one; None for unlabelled data."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    n_classes = count_classes(labels)
    if not n_classes:
        return None
    path = cache_dir() / "class_prior" / f"{data_key(data, labels, seed, version=f'prior{VERSION}')}.safetensors"
    if cache and path.is_file():
        try:
            return _load(path, data.shape[1], n_classes)
        except CheckpointError as e:  # a damaged cache entry is retrained, not fatal
            log(f"warning: ignoring the cached class prior ({e})")
    log(
        f"learning the classes of images with holes, for inpainting, on {len(data)} images "
        f"(once, a few minutes at most; cached in {path.parent})"
    )
    prior = _train(data, labels, n_classes, seed, budget_s, progress)
    log(f"class prior: {prior.accuracy:.1%} right on {HELD_OUT} held-out images with random holes")
    if cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            meta = {"kind": "class_prior", "version": VERSION, "channels": int(data.shape[1])}
            save_checkpoint(
                path,
                {f"net/{k}": v for k, v in prior.net.state_dict().items()},
                meta | {"n_classes": n_classes, "accuracy": prior.accuracy},
            )
            prior.cached = path
        except OSError as e:  # a read-only home must not stop an inpainting
            log(f"warning: could not cache the class prior in {path.parent} ({e.strerror or e})")
    return prior


def _load(path: Path, channels: int, n_classes: int) -> ClassPrior:
    tensors, meta = load_checkpoint(path)
    if meta.get("version") != VERSION or meta.get("channels") != channels or meta.get("n_classes") != n_classes:
        raise CheckpointError(f"{path}: made for another network or data")
    net = SmallCNN(channels + 1, n_classes)
    try:
        net.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("net/")}, strict=True)
    except RuntimeError as e:
        raise CheckpointError(f"{path}: does not fit the class prior's network ({first_lines(e)})") from None
    return ClassPrior(net.eval().requires_grad_(False), n_classes, float(meta["accuracy"]), 0.0, path)


def _train(data, labels, n_classes: int, seed: int, budget_s: float, progress) -> ClassPrior:
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(data))
    n_test = min(HELD_OUT, len(data) // 5)
    test, train = order[:n_test], order[n_test:][:MAX_TRAIN]
    x = torch.from_numpy(np.ascontiguousarray(data[train]))
    y = torch.from_numpy(np.asarray(labels)[train]).long()
    holes = torch.from_numpy(random_holes(BANK, data.shape[-1], rng))
    total = int(np.clip(EPOCHS * len(train) // BATCH, MIN_UPDATES, MAX_UPDATES))
    with torch.random.fork_rng(devices=[]):  # the caller's RNG is not shifted
        torch.manual_seed(seed)
        net = SmallCNN(data.shape[1] + 1, n_classes)
        opt = torch.optim.Adam(net.parameters(), lr=LR / 25)
        sched = FittedOneCycle(opt, LR, total, budget_s, least=MIN_UPDATES, pct_start=0.2)
        net.train()
        update = 0
        while update < total:
            idx = torch.randint(0, len(x), (BATCH,))
            h = holes[torch.randint(0, BANK, (BATCH,))]
            h = torch.where(torch.rand(BATCH, 1, 1) < 0.5, h, h.flip(2))  # mirrored holes as well
            loss = F.cross_entropy(net(_inputs(x[idx], h)), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            update += 1
            total = sched.step()
            if progress is not None and update % 50 == 0:
                progress(update, total)
    net.eval().requires_grad_(False)
    prior = ClassPrior(net, n_classes, 0.0, 0.0)
    if n_test:
        p = prior.probs(data[test], random_holes(n_test, data.shape[-1], np.random.default_rng(seed + 1)))
        prior.accuracy = float((p.argmax(1) == np.asarray(labels)[test]).mean())
    prior.seconds = time.perf_counter() - t0
    return prior
