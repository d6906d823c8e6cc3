"""What a synthetic labelled set is worth for training, and whether it leaks the training set.

- **CAS** (Classification Accuracy Score, Ravuri & Vinyals 2019): a small CNN trained from
  scratch on synthetic images only, its accuracy on real held-out images (data/split.py);
  beside it the same CNN, same updates, trained on as many real training images; per class
  (a collapsed class shows here first).
- **Augmentation curve**: a small real subset (1%, 10% of the training set, stratified)
  alone and with synthetic images mixed in at several ratios (synthetic per real image).
- **Leakage** (the distance-to-closest-record test of SDMetrics/synthcity): for a sample of
  synthetic images the distance to the closest training image and to the closest held-out
  image, in pixels (RMS, [-1, 1] units) and in the feature net's space, and the ratio of the
  medians: a copier scores ~0, a generator of new images a little under 1 (the training set
  is larger than the held-out one, so its nearest image is a little nearer). A near-copy is a sample
  closer (pixels) to a training image than any of ``REFERENCE`` real held-out images is
  (those set how close an unseen real image can come). ``memorized`` (metrics/neighbours.py)
  is given beside it.

Every piece is seeded: the same inputs give the same figures on the same machine.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ganstudio.errors import Cancelled

BATCH = 128
# Updates per classifier: about 3 epochs of 60,000 images, bounded so a tiny set still gets
# enough and a big one stays within ~30 s on 2 cores (bench/utility.py).
EPOCHS, MIN_UPDATES, MAX_UPDATES = 3, 300, 1400
LR = 3e-3
# No random shifts in training: +-2 px cost the real reference 1.7 points and CAS 0.2 (bench/utility.py).
SUBSETS = (0.01, 0.1)  # real subsets of the augmentation curve (shares of the training set)
RATIOS = (0.0, 1.0, 2.0, 5.0, 10.0)  # synthetic images per real image
LEAK_N = 1000  # synthetic images the leakage test looks at
REFERENCE = 1000  # held-out images whose distance to training sets the near-copy line

Report = Callable[[str], None]


class SmallCNN(nn.Module):
    """Three conv blocks and a small head."""

    def __init__(self, channels: int, n_classes: int):
        super().__init__()

        def block(cin: int, cout: int) -> list[nn.Module]:
            return [nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]

        # Narrow (16-32-64): ~2M multiply-adds an image, so 1,400 updates take seconds, not minutes.
        self.net = nn.Sequential(
            *block(channels, 16),
            nn.MaxPool2d(2),
            *block(16, 32),
            nn.MaxPool2d(2),
            *block(32, 64),
            nn.AdaptiveAvgPool2d(3),
            nn.Flatten(),
            nn.Linear(64 * 9, 128),
            nn.ReLU(inplace=True),
            nn.Dropout(0.3),
            nn.Linear(128, n_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def as_float(x: np.ndarray | torch.Tensor) -> torch.Tensor:
    """uint8 images -> [-1, 1] float32; float images pass through."""
    t = torch.as_tensor(np.ascontiguousarray(x) if isinstance(x, np.ndarray) else x)
    if t.dtype == torch.uint8:
        return t.float().div_(127.5).sub_(1.0)
    return t.float()


def updates_for(n: int) -> int:
    return int(np.clip(EPOCHS * n // BATCH, MIN_UPDATES, MAX_UPDATES))


def train_classifier(
    x: np.ndarray | torch.Tensor,
    y: np.ndarray,
    n_classes: int,
    seed: int = 0,
    updates: int | None = None,
    cancel: Callable[[], bool] | None = None,
) -> SmallCNN:
    """A SmallCNN trained from scratch on (x, y): Adam, one-cycle rate, seeded."""
    x = as_float(x).contiguous(memory_format=torch.channels_last)
    y = torch.as_tensor(np.asarray(y), dtype=torch.long)
    total = updates or updates_for(len(x))
    with torch.random.fork_rng(devices=[]):  # the caller's RNG is not shifted
        torch.manual_seed(seed)
        net = SmallCNN(x.shape[1], n_classes).to(memory_format=torch.channels_last)
        opt = torch.optim.Adam(net.parameters(), lr=LR / 25)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, LR, total_steps=total, pct_start=0.2)
        gen = torch.Generator().manual_seed(seed)
        perm = torch.empty(0, dtype=torch.long)
        net.train()
        for _ in range(total):
            if cancel is not None and cancel():
                raise Cancelled("cancelled")
            if len(perm) < BATCH:
                perm = torch.cat([perm, torch.randperm(len(x), generator=gen)])
            idx, perm = perm[:BATCH], perm[BATCH:]
            loss = F.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    return net.eval().requires_grad_(False)


@torch.no_grad()
def accuracy(net: nn.Module, x: np.ndarray | torch.Tensor, y: np.ndarray, n_classes: int) -> tuple[float, list[float]]:
    """(accuracy, per-class accuracy) of ``net`` on (x, y)."""
    pred = torch.cat([net(as_float(x[i : i + 1000])).argmax(1) for i in range(0, len(x), 1000)]).numpy()
    y = np.asarray(y)
    per = [float((pred[y == k] == k).mean()) if (y == k).any() else float("nan") for k in range(n_classes)]
    return float((pred == y).mean()), per


def stratified(y: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Indices of n items of y with each class's share kept (sorted)."""
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    out = []
    for k in classes:
        idx = np.flatnonzero(y == k)
        take = max(1, int(round(n * len(idx) / len(y))))
        out.append(rng.choice(idx, min(take, len(idx)), replace=False))
    return np.sort(np.concatenate(out))


# ----------------------------------------------------------------------------- CAS
def cas(
    synth_x: np.ndarray,
    synth_y: np.ndarray,
    real_x: np.ndarray,
    real_y: np.ndarray,
    test_x: np.ndarray,
    test_y: np.ndarray,
    n_classes: int,
    seed: int = 0,
    updates: int | None = None,
    say: Report | None = None,
    cancel: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """CAS of a synthetic set and, beside it, the same CNN on as many real training images."""
    say = say or (lambda msg: None)
    n = len(synth_x)
    updates = updates or updates_for(n)
    real = stratified(real_y, n, seed) if n < len(real_x) else np.arange(len(real_x))
    out: dict[str, Any] = {"n_synthetic": n, "n_real": int(len(real)), "n_test": int(len(test_x)), "updates": updates}
    for key, (x, y) in (("synthetic", (synth_x, synth_y)), ("real", (real_x[real], real_y[real]))):
        t0 = time.perf_counter()
        net = train_classifier(x, y, n_classes, seed, updates, cancel)
        acc, per = accuracy(net, test_x, test_y, n_classes)
        out[key] = {"accuracy": acc, "per_class": per, "seconds": round(time.perf_counter() - t0, 1)}
        say(f"CNN on {len(x):,} {key} images: {acc:.3f} on real held-out images")
    out["cas"] = out["synthetic"]["accuracy"]
    out["gap"] = out["real"]["accuracy"] - out["cas"]
    return out


def augmentation(
    real_x: np.ndarray,
    real_y: np.ndarray,
    synth_x: np.ndarray,
    synth_y: np.ndarray,
    test_x: np.ndarray,
    test_y: np.ndarray,
    n_classes: int,
    subsets: tuple[float, ...] = SUBSETS,
    ratios: tuple[float, ...] = RATIOS,
    seed: int = 0,
    say: Report | None = None,
    cancel: Callable[[], bool] | None = None,
) -> list[dict[str, Any]]:
    """Accuracy on real held-out images of a real subset alone (ratio 0) and with
    ``ratio`` x as many synthetic images mixed in (the synthetic set's first classes-balanced
    pick); a ratio the synthetic set cannot fill is skipped."""
    say = say or (lambda msg: None)
    rows = []
    for share in subsets:
        n_real = max(n_classes, int(round(share * len(real_x))))
        pick = stratified(real_y, n_real, seed)
        for ratio in ratios:
            n_syn = int(round(ratio * len(pick)))
            if n_syn > len(synth_x):
                continue
            s = stratified(synth_y, n_syn, seed + 1) if n_syn else np.zeros(0, dtype=np.int64)
            x = torch.cat([as_float(real_x[pick]), as_float(synth_x[s])])
            y = np.concatenate([real_y[pick], synth_y[s]])
            net = train_classifier(x, y, n_classes, seed, None, cancel)
            acc, _ = accuracy(net, test_x, test_y, n_classes)
            rows.append(
                {"share": share, "n_real": int(len(pick)), "ratio": ratio, "n_synthetic": int(len(s)), "accuracy": acc}
            )
            say(f"{len(pick):,} real + {len(s):,} synthetic: {acc:.3f}")
    return rows


def best_ratios(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per real subset: the accuracy alone, the best ratio and its gain (<= 0: no help)."""
    out = {}
    for n_real in sorted({r["n_real"] for r in rows}):
        mine = [r for r in rows if r["n_real"] == n_real]
        alone = next((r["accuracy"] for r in mine if r["ratio"] == 0), float("nan"))
        best = max(mine, key=lambda r: r["accuracy"])
        out[str(n_real)] = {
            "alone": alone,
            "best_ratio": best["ratio"],
            "best": best["accuracy"],
            "gain": best["accuracy"] - alone,
        }
    return out


# ----------------------------------------------------------------------------- leakage
def _flat(x: np.ndarray) -> torch.Tensor:
    return as_float(x).reshape(len(x), -1).contiguous()


def nearest(queries: torch.Tensor, points: torch.Tensor) -> np.ndarray:
    """(B,) exact distance of each query row to its nearest row of points (knn's matrix
    product and exact re-ranking: a copy is at 0)."""
    from ganstudio.metrics.neighbours import knn

    sq = (points.double() ** 2).sum(1).float()
    return knn(queries.float(), points.float(), sq, 1)[0][:, 0]


def leakage(
    samples: np.ndarray,
    train_x: np.ndarray,
    held_x: np.ndarray,
    features=None,
    train_features: np.ndarray | None = None,
    memorized_threshold: float | None = None,
    n: int = LEAK_N,
    seed: int = 0,
) -> dict[str, Any]:
    """The distance-to-closest-record figures of (up to n of) ``samples`` (see the module
    docstring). ``features``: a TrainedFeatures for the feature distances (None: pixels only);
    ``train_features``: the training images' features (the neighbour index's, cached)."""
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.permutation(len(samples))[:n])
    s = samples[pick]
    d_pix = len(_flat(s[:1])[0]) if len(s) else 1
    scale = 1.0 / np.sqrt(d_pix)  # RMS pixel distance, as metrics/neighbours.py reports
    train_t, held_t, s_t = _flat(train_x), _flat(held_x), _flat(s)
    ref = np.sort(rng.permutation(len(held_x))[:REFERENCE])
    px_train = nearest(s_t, train_t) * scale
    px_held = nearest(s_t, held_t) * scale
    ref_d = nearest(held_t[ref], train_t) * scale  # how close unseen real images come to training
    line = float(ref_d.min())
    near = int((px_train < line).sum())
    out: dict[str, Any] = {
        "n": int(len(s)),
        "n_train": int(len(train_x)),
        "n_held_out": int(len(held_x)),
        "pixels": {
            "train": float(np.median(px_train)),
            "held_out": float(np.median(px_held)),
            "ratio": _ratio(px_train, px_held),
        },
        "near_copy_line": line,
        "near_copies": near,
    }
    if features is not None:
        f_s = features.embed(as_float(s))[0]
        f_held = torch.from_numpy(features.embed(held_x)[0])
        f_train = torch.from_numpy(
            train_features if train_features is not None else features.embed(as_float(train_x))[0]
        )
        f_s_t = torch.from_numpy(f_s)
        ft = nearest(f_s_t, f_train)
        fh = nearest(f_s_t, f_held)
        out["features"] = {"train": float(np.median(ft)), "held_out": float(np.median(fh)), "ratio": _ratio(ft, fh)}
        if memorized_threshold is not None:
            out["memorized"] = 100.0 * float((ft < memorized_threshold).mean())
    out["verdict"] = verdict(out)
    return out


def _ratio(a: np.ndarray, b: np.ndarray) -> float:
    """Median of a over median of b (distances to the training and the held-out images)."""
    mb = float(np.median(b)) if len(b) else float("nan")
    return float(np.median(a)) / mb if mb > 0 else float("nan")


def verdict(leak: dict[str, Any]) -> str:
    """The leakage figures in one sentence."""
    n, near = leak["n"], leak["near_copies"]
    ratio = leak["pixels"]["ratio"]
    if near == 0:
        return (
            f"no near-copies of training images among {n:,} samples "
            f"(distance to training {ratio:.2f}x that to unseen images)"
        )
    if near >= max(1, n // 100):
        return f"{near:,} near-copies among {n:,} samples: the generator memorises training images"
    return f"{near:,} near-copies among {n:,} samples: a few training images are reproduced; look at them"


def summary_lines(u: dict[str, Any]) -> list[str]:
    """utility.json in a few lines for a person (CLI, model card)."""
    lines = []
    c = u.get("cas")
    if c:
        worst = int(np.nanargmin(c["synthetic"]["per_class"]))
        names = u.get("class_names") or [str(k) for k in range(len(c["synthetic"]["per_class"]))]
        lines.append(
            f"CAS {c['cas']:.3f} (a CNN trained on {c['n_synthetic']:,} synthetic images, tested on "
            f"{c['n_test']:,} real held-out images); the same CNN on {c['n_real']:,} real images: "
            f"{c['real']['accuracy']:.3f}; worst class {names[worst]} {c['synthetic']['per_class'][worst]:.2f}"
        )
    for n_real, b in (u.get("augmentation_best") or {}).items():
        if b["gain"] > 0:
            lines.append(
                f"augmentation: {int(n_real):,} real images alone {b['alone']:.3f}, best with "
                f"{b['best_ratio']:g}x synthetic {b['best']:.3f} (+{100 * b['gain']:.1f} points)"
            )
        else:
            lines.append(
                f"augmentation: {int(n_real):,} real images alone {b['alone']:.3f}; synthetic data did not help"
            )
    leak = u.get("leakage")
    if leak:
        lines.append(f"leakage: {leak['verdict']}")
    return lines


@dataclass
class Reference:
    """What the measures compare against: the run's training images, the held-out ones, the
    evaluation's feature net and the neighbour index's training features."""

    train: Any  # ganstudio.data.Dataset (the training part)
    held: Any  # ganstudio.data.Dataset
    held_from: str  # where the held-out images come from, in words
    features: Any  # TrainedFeatures
    train_features: np.ndarray
    memorized_threshold: float


def feature_net(cfg, log: Report | None = None, progress: Callable[[int, int], None] | None = None):
    """(the evaluation's feature net, trained once per dataset on the training part of a run's
    data and cached, that training part): what labels and filters a synthetic set."""
    from ganstudio.data import load_dataset
    from ganstudio.data.split import training_part
    from ganstudio.metrics.features import get_features

    train = training_part(load_dataset(cfg.dataset, cfg.image_size, cfg.channels), cfg.holdout or 0.0)
    return get_features(train.data, train.labels, seed=0, log=log, progress=progress), train


def load_reference(cfg, log: Report | None = None, progress: Callable[[int, int], None] | None = None) -> Reference:
    """The training part of a run's data (its held-out share left out), the held-out images,
    and the evaluation's feature net (trained once per dataset, cached) with its index."""
    from ganstudio.data.split import held_out
    from ganstudio.metrics.neighbours import build_index

    net, train = feature_net(cfg, log, progress)
    held, where = held_out(cfg.dataset, cfg.image_size, cfg.channels, cfg.holdout or 0.0)
    if held.data.shape[1:] != train.data.shape[1:]:
        from ganstudio.errors import DatasetError

        raise DatasetError(f"the held-out images are {held.data.shape[1:]}, the training images {train.data.shape[1:]}")
    index = build_index(net, train.data, log=log)
    return Reference(train, held, where, net, index.features.numpy(), index.threshold)


UTILITY_FILE = "utility.json"


def measure(
    snap,
    checkpoint,
    per_class: int = 6000,
    filter_p: float | None = None,
    psi: float | None = None,
    seed: int = 0,
    label_by: str | None = None,
    balance: str | None = None,
    subsets: tuple[float, ...] = SUBSETS,
    ratios: tuple[float, ...] = RATIOS,
    leak_n: int = LEAK_N,
    updates: int | None = None,
    augment: bool = True,
    say: Report | None = None,
    cancel: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Every figure of a conditional run's synthetic data (see the module docstring), as
    RUN/utility.json holds them; ``say`` gets a line per step (CLI, the app's dialog).
    ``psi``, ``label_by`` and ``balance``: synth's defaults when None."""
    from ganstudio.errors import GanstudioError
    from ganstudio.synth import DEFAULT_BALANCE, DEFAULT_LABEL_BY, DEFAULT_PSI, generate_set

    say = say or (lambda msg: None)
    if snap.is_2d:
        raise GanstudioError("this run draws 2D points: utility measures image datasets")
    n_classes = int(getattr(snap.G, "n_classes", 0) or 0)
    if not n_classes:
        raise GanstudioError("utility needs a conditional generator (train with --conditional on labelled data)")
    t0 = time.perf_counter()
    ref = load_reference(snap.cfg, log=say)
    if ref.held.labels is None or ref.train.labels is None:
        raise GanstudioError("the held-out images have no labels: CAS needs labelled real data")
    say(f"held-out images: {len(ref.held.data):,}, {ref.held_from}")
    s = generate_set(
        snap,
        per_class=per_class,
        filter_p=filter_p,
        seed=seed,
        psi=DEFAULT_PSI if psi is None else psi,
        label_by=label_by or DEFAULT_LABEL_BY,
        features=ref.features,
        balance=balance or DEFAULT_BALANCE,
        real=ref.train,
        cancel=cancel,
    )
    say(f"synthetic set: {len(s):,} images ({s.info['filter'] or 'no filter'})")
    x_train, y_train, x_test, y_test = ref.train.data, ref.train.labels, ref.held.data, ref.held.labels
    result: dict[str, Any] = {
        "run": str(snap.run.resolve()) if snap.run else None,
        "checkpoint": str(Path(checkpoint).resolve()),
        "step": snap.step,
        "ema": snap.ema,
        "held_out": ref.held_from,
        "class_names": s.class_names,
        "synthetic": {
            k: s.info[k] for k in ("labels", "balance", "filter", "truncation", "seed", "drawn", "kept_share")
        }
        | {"per_class": per_class, "counts": np.bincount(s.y, minlength=n_classes).tolist()},
        "feature_net_accuracy": ref.features.score,
    }
    result["cas"] = cas(s.x, s.y, x_train, y_train, x_test, y_test, n_classes, seed, updates, say, cancel)
    if augment:
        rows = augmentation(x_train, y_train, s.x, s.y, x_test, y_test, n_classes, subsets, ratios, seed, say, cancel)
        result["augmentation"] = rows
        result["augmentation_best"] = best_ratios(rows)
    result["leakage"] = leakage(
        as_float(s.x).numpy(),
        x_train,
        x_test,
        ref.features,
        ref.train_features,
        ref.memorized_threshold,
        n=leak_n,
        seed=seed,
    )
    say(result["leakage"]["verdict"])
    result["seconds"] = round(time.perf_counter() - t0, 1)
    return result


def write_result(run, result: dict[str, Any]) -> Path:
    """RUN/utility.json, replaced atomically."""
    from ganstudio.errors import GanstudioError

    path = Path(run) / UTILITY_FILE
    tmp = path.with_name(f".{UTILITY_FILE}.tmp")
    try:
        tmp.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise GanstudioError(f"cannot write {path}: {e.strerror or e}") from None
    return path


def read_result(run) -> dict[str, Any] | None:
    """RUN/utility.json, or None when absent or not ours."""
    try:
        data = json.loads((Path(run) / UTILITY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
