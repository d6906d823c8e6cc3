"""A labelled synthetic dataset from a trained generator (synth_files.py writes it).

``generate_set`` draws a class-balanced set from a conditional G (z[0] set to each class's
centre, models/dcgan.py), or from an unconditional one (unlabelled, or labelled by the
evaluation's feature net: ``label_by="features"``). With ``label_by="features"`` a conditional
G is asked for each class in turn and the feature net (trained on the run's real data) names
what came out: an image drawn as a Shirt that looks like a T-shirt is a T-shirt (CAS +3 points
on the 300-s Fashion-MNIST run, see bench/utility.py); ``label_by="generator"`` keeps the
class asked for. ``confident:P`` keeps only the samples the feature net gives their label
with probability P or more (GaFi-style filtering), drawing more until every class is full.
``psi`` scales z[1:] (the class dial is kept): below 1 plainer images, above 1 more varied.
``balance="hard"`` shares the set's size out by how often the feature net confuses each class
on real images (``class_weights``): more Shirts, fewer Trousers; ``"equal"`` the same count each.

On disk (folder, npz, idx; manifest.json, latents.npy): synth_files.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import torch

from ganstudio.errors import Cancelled, GanstudioError

LABEL_BY = ("features", "generator")
BALANCES = ("equal", "hard")
CHUNK = 1000  # latents per G call: the fastest batch on 2 cores (256: 2.3x slower)
MAX_DRAWS = 40  # a class may take at most this many draws per kept image before the filter is refused
# Defaults measured on the 300-s Fashion-MNIST run (bench/utility.py): the classifier's labels,
# no filter, z[1:] scaled up for variety.
DEFAULT_LABEL_BY = "features"
DEFAULT_FILTER: float | None = None
DEFAULT_PSI = 1.5
MAX_PSI = 3.0
# More images of the classes the classifier confuses: the worst class's CAS +7..10 points at the
# same overall CAS on the 300-s Fashion-MNIST run (see bench/utility.py cas --balance).
DEFAULT_BALANCE = "hard"
WEIGHT_IMAGES = 10_000  # real images (every k-th) the class errors are measured on
ERR_FLOOR = 0.01  # errors below this are nothing to make up for (a near-perfect classifier: equal)
MAX_WEIGHT = 5.0  # no class gets more than 5x another's share

Progress = Callable[[str, int, int], None]  # (stage "generate" / "write", done, total)


def parse_filter(text: str | None) -> float | None:
    """``confident:P`` (0 < P < 1) -> P; "none" or None -> None; else a one-line error."""
    if text is None or text.strip().lower() in ("", "none", "off"):
        return None
    kind, _, p = text.partition(":")
    try:
        value = float(p)
    except ValueError:
        value = float("nan")
    if kind.strip() != "confident" or not 0 < value < 1:
        raise GanstudioError(f"--filter {text}: use confident:P with 0 < P < 1 (e.g. confident:0.9), or none")
    return value


def needs_classifier(filter_p: float | None, label_by: str | None, balance: str = "equal") -> bool:
    """Whether a set drawn with this filter, these labels and this balance needs the evaluation's feature net."""
    return filter_p is not None or label_by == "features" or balance == "hard"


def check_labels(
    conditional: bool, label_by: str | None, per_class: int | None, filter_p: float | None, balance: str
) -> None:
    """Refuse what needs labels a set would not have (before any classifier is loaded or trained)."""
    if label_by is not None and label_by not in LABEL_BY:
        raise GanstudioError(f"--label-by {label_by}: use {' or '.join(LABEL_BY)}")
    if not conditional and label_by == "generator":
        raise GanstudioError("this generator is unconditional: it has no classes; use --label-by features")
    if not conditional and not label_by and (per_class is not None or filter_p is not None):
        what = "--per-class" if per_class is not None else "--filter"
        raise GanstudioError(
            f"{what} needs labels: this generator is unconditional; add --label-by features "
            "(the evaluation's classifier labels each image) or use --n N"
        )
    if balance not in BALANCES:
        raise GanstudioError(f"--balance {balance}: use {' or '.join(BALANCES)}")
    if balance == "hard" and not conditional and not label_by:
        raise GanstudioError("--balance hard needs labels: this generator is unconditional; add --label-by features")


def class_weights(features, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each class's share of a "hard"-balanced set: in proportion to max(1, err_k / median err),
    err_k the share of real images of class k (every k-th of ``images``) that the classifier
    names as another class, capped at MAX_WEIGHT; equal when it confuses (next to) nothing."""
    step = max(1, len(images) // WEIGHT_IMAGES)
    x, y = images[::step], np.asarray(labels)[::step]
    _, p = features.embed(x)
    pred = p.argmax(1)
    err = np.array([float((pred[y == k] != k).mean()) if (y == k).any() else 0.0 for k in range(p.shape[1])])
    w = np.clip(err / max(float(np.median(err)), ERR_FLOOR), 1.0, MAX_WEIGHT)
    return w / w.sum()


def split_counts(total: int, shares: np.ndarray) -> np.ndarray:
    """``total`` shared out by ``shares`` (summing to 1) in whole numbers: largest remainders first."""
    exact = total * np.asarray(shares, np.float64)
    counts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: total - int(counts.sum())]] += 1
    return counts


@dataclass
class SynthSet:
    x: np.ndarray  # (N, C, H, W) uint8
    y: np.ndarray | None  # (N,) int64, None when unlabelled
    z: np.ndarray  # (N, Z) float32: G(z) draws item i
    class_names: list[str]
    info: dict[str, Any] = field(default_factory=dict)  # settings and what the filter kept

    def __len__(self) -> int:
        return len(self.x)


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """[-1, 1] -> uint8, rounded as the sample PNGs are."""
    return ((x.clamp(-1, 1) + 1) * 127.5 + 0.5).to(torch.uint8).numpy()


def _rng(seed: int, stream: int) -> torch.Generator:
    # One stream per class: with the generator's labels, a class's images do not change when
    # another class's count does.
    return torch.Generator().manual_seed((int(seed) * 1_000_003 + stream * 7919) % 2**63)


class _Drawer:
    """Chunks of (z, images) from G, one torch thread pool, channels-last convolutions."""

    def __init__(self, snap, psi: float):
        self.G = snap.G.to(memory_format=torch.channels_last)  # ~1.4x on a CPU; the same numbers
        self.z_dim, self.psi = snap.z_dim, psi
        self.n_classes = int(getattr(snap.G, "n_classes", 0) or 0)

    @torch.inference_mode()
    def draw(self, n: int, gen: torch.Generator, k: int | None) -> tuple[torch.Tensor, torch.Tensor]:
        z = torch.randn(n, self.z_dim, generator=gen)
        if self.psi != 1.0:
            z = z * self.psi
        if k is not None:
            z[:, 0] = self.G.class_centres()[k]
        return z, self.G(z)


def generate_set(
    snap,
    n: int | None = None,
    per_class: int | None = None,
    filter_p: float | None = None,
    seed: int = 0,
    psi: float = DEFAULT_PSI,
    label_by: str | None = None,
    features=None,
    balance: str = "equal",
    real=None,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    sink=None,
) -> SynthSet:
    """A labelled set from ``snap`` (a GeneratorSnapshot). ``n``: in all, or ``per_class`` (with
    ``balance="hard"``: per class on average, see class_weights); ``features``: the evaluation's
    TrainedFeatures (needed by the filter, ``label_by="features"`` and ``balance="hard"``);
    ``real``: the real training images that measure "hard" (``.data``, ``.labels``); ``sink``:
    told the plan (``plan(names, counts)``) and each chunk kept (``kept(label, start, images)``)
    as it is drawn, where the items' places are known from the start (see synth_files)."""
    if snap.is_2d:
        raise GanstudioError("this run draws 2D points: a dataset needs an image generator")
    if (n is None) == (per_class is None):
        raise GanstudioError("give either --n N or --per-class N")
    if (n or per_class or 0) < 1:
        raise GanstudioError("--n / --per-class must be at least 1")
    if not 0 < psi <= MAX_PSI:
        raise GanstudioError(f"--truncation {psi}: use a value in (0, {MAX_PSI:g}]")
    drawer = _Drawer(snap, psi)
    conditional = drawer.n_classes > 0
    check_labels(conditional, label_by, per_class, filter_p, balance)
    if needs_classifier(filter_p, label_by, balance) and (features is None or not features.net.n_classes):
        raise GanstudioError(
            "the filter, --label-by features and --balance hard need the evaluation's classifier, "
            "and this data has no labels"
        )
    if balance == "hard" and (real is None or real.labels is None):
        raise GanstudioError("--balance hard needs the run's labelled real images to measure the classifier on")
    progress = progress or (lambda stage, done, total: None)
    cancel = cancel or (lambda: False)
    names = snap.class_names if conditional else (features_names(snap, features) if label_by else [])
    n_cls = len(names)
    shares = None
    if balance == "hard":
        shares = class_weights(features, real.data, real.labels)
        want = split_counts(per_class * n_cls if per_class is not None else n, shares).tolist()
    elif per_class is not None:
        want = [per_class] * n_cls
    elif n_cls:  # balanced: the remainder goes to the first classes
        want = [n // n_cls + (k < n % n_cls) for k in range(n_cls)]
    else:
        want = [n]
    total = sum(want)
    done = 0
    xs, ys, zs, drawn = [], [], [], []
    want = np.asarray(want, np.int64)
    relabelled = 0
    if sink is not None and (conditional or not n_cls):  # class-major places known before drawing
        sink.plan(list(names), want.tolist())
    else:
        sink = None

    def check_cancel() -> None:
        if cancel():
            raise Cancelled("the export was cancelled")

    if conditional:
        # Round robin over G's classes, each from its own stream; with ``relabel`` an image
        # drawn as class k goes to the class the feature net names, if that class still needs it.
        relabel = label_by == "features"
        judged = relabel or filter_p is not None
        kept: list[list[tuple]] = [[] for _ in range(n_cls)]  # per label: (z, x, asked) chunks
        counts, tries = np.zeros(n_cls, np.int64), np.zeros(n_cls, np.int64)
        gens = [_rng(seed, k) for k in range(n_cls)]
        while (counts < want).any():
            for k in np.flatnonzero(counts < want):
                check_cancel()
                z, x = drawer.draw(CHUNK if judged else min(CHUNK, int(want[k] - counts[k])), gens[k], int(k))
                tries[k] += len(z)
                lab, ok = np.full(len(z), k), np.ones(len(z), bool)
                if judged:
                    _, p = features.embed(x)
                    lab = p.argmax(1) if relabel else lab
                    if filter_p is not None:
                        ok = p[np.arange(len(p)), lab] >= filter_p
                for j in np.unique(lab[ok]):  # in class order: the same arguments, the same set
                    idx = np.flatnonzero(ok & (lab == j))[: int(want[j] - counts[j])]
                    if len(idx):
                        t = torch.from_numpy(idx)
                        kept[j].append((z[t], to_uint8(x[t]), np.full(len(idx), k)))
                        if sink is not None:
                            sink.kept(int(j), int(counts[j]), kept[j][-1][1])
                        counts[j] += len(idx)
                done = int(counts.sum())
                progress("generate", done, total)
            # after a whole round: a class drawn as another may be filled by another's draws
            for k in np.flatnonzero((counts < want) & (tries >= MAX_DRAWS * want)):
                how = f" with confidence >= {filter_p:g}" if filter_p is not None else ""
                if relabel:
                    raise GanstudioError(
                        f"after {tries[k]:,} images drawn as class {names[k]!r} the classifier has labelled only "
                        f"{counts[k]} of the {want[k]} needed {names[k]!r}{how}: the generator does not draw that "
                        "class well yet; train longer or use --label-by generator (the class it was asked for)"
                        + (", or lower P" if filter_p is not None else "")
                    )
                raise GanstudioError(
                    f"the filter confident:{filter_p:g} keeps {counts[k]} of {tries[k]} images of class "
                    f"{names[k]!r}: lower P (e.g. confident:0.5) or use --filter none"
                )
        for j in range(n_cls):
            zs += [c[0] for c in kept[j]]
            xs += [c[1] for c in kept[j]]
            ys.append(np.full(int(want[j]), j, dtype=np.int64))
        asked = np.concatenate([c[2] for j in range(n_cls) for c in kept[j]])
        relabelled = int((asked != np.concatenate(ys)).sum())
        drawn.append(int(tries.sum()))
    else:
        gen, tries = _rng(seed, 0), 0
        by_class = per_class is not None or shares is not None
        counts = np.zeros(max(n_cls, 1), dtype=np.int64)
        while done < total:
            check_cancel()
            z, x = drawer.draw(CHUNK, gen, None)
            tries += CHUNK
            if n_cls:
                _, p = features.embed(x)
                lab = p.argmax(1)
                ok = np.ones(len(lab), bool) if filter_p is None else p.max(1) >= filter_p
                if by_class:  # each class up to its count, in draw order
                    for i in np.flatnonzero(ok):
                        ok[i] = counts[lab[i]] < want[lab[i]]
                        counts[lab[i]] += ok[i]
                else:
                    ok &= np.cumsum(ok) <= total - done
                idx = np.flatnonzero(ok)
                ys.append(lab[idx].astype(np.int64))
            else:
                idx = np.arange(min(CHUNK, total - done))
            zs.append(z[torch.from_numpy(idx)])
            xs.append(to_uint8(x[torch.from_numpy(idx)]))
            if sink is not None:  # unlabelled: in draw order
                sink.kept(None, done, xs[-1])
            done += len(idx)
            progress("generate", done, total)
            if done < total and tries >= MAX_DRAWS * total:
                short = [names[k] for k in range(n_cls) if by_class and counts[k] < want[k]]
                raise GanstudioError(
                    f"after {tries} draws only {done} of {total} images were kept"
                    + (f" (too few of {', '.join(short)})" if short else "")
                    + ": lower the filter's P or ask for fewer"
                )
        drawn.append(tries)
    x = np.concatenate(xs)
    y = np.concatenate(ys) if ys else None
    z = torch.cat(zs).numpy().astype(np.float32)
    if y is not None and not conditional:  # class-major order, as a conditional set is
        order = np.argsort(y, kind="stable")
        x, y, z = x[order], y[order], z[order]
    info = {
        "seed": int(seed),
        "truncation": float(psi),
        "filter": None if filter_p is None else f"confident:{filter_p:g}",
        "labels": "feature net" if label_by == "features" else ("generator's classes" if conditional else "none"),
        "balance": balance if n_cls else None,
        "drawn": int(sum(drawn)),
        "kept_share": round(len(x) / max(1, sum(drawn)), 4),
    }
    if shares is not None:
        info["class_shares"] = [round(float(w), 4) for w in shares]
    if conditional and label_by == "features":
        info["relabelled"] = relabelled  # images the classifier named another class than G was asked for
    return SynthSet(x, y, z, list(names), info)


def features_names(snap, features) -> list[str]:
    """Class names for images the feature net labels: the run's data's, else numbers."""
    from ganstudio.generator import class_names

    return class_names(snap.meta.get("config") or {}, int(features.net.n_classes))
