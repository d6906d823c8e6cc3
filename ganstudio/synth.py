"""A labelled synthetic dataset from a trained generator, and its writers.

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

``write_set`` writes one of three layouts into a folder: ``folder`` (one sub-folder of PNGs
per class, torchvision's ImageFolder layout; ``--dataset folder:OUT`` trains on it), ``npz``
(data.npz: x (N, C, H, W) uint8, y (N,) int64, class_names, z) or ``idx`` (MNIST-format
train-images/-labels files), beside ``manifest.json`` (where the weights came from, the
settings, each item's file and label) and ``latents.npy`` (row i: item i's z, float32;
G(z) redraws item i). The same arguments give the same bytes (no times, fixed zip dates).
``export_set`` draws and writes in one go: a folder's PNGs are written by a second thread while G
is still drawing. Everything is written into a hidden ``.OUT.incomplete`` folder renamed to OUT at the end;
on an error (a full disk) or a cancel it is removed, and what cannot be removed keeps its
``.incomplete`` name, so a short dataset is never left under OUT.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from ganstudio.data.imageops import png_bytes
from ganstudio.errors import Cancelled, GanstudioError

FORMATS = ("folder", "npz", "idx")
LABEL_BY = ("features", "generator")
BALANCES = ("equal", "hard")
CHUNK = 1000  # latents per G call: the fastest batch on 2 cores (256: 2.3x slower)
MAX_DRAWS = 40  # a class may take at most this many draws per kept image before the filter is refused
MANIFEST = "manifest.json"
LATENTS = "latents.npy"
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
    as it is drawn, where the items' places are known from the start (see _FolderStream)."""
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


# ----------------------------------------------------------------------------- writing
def folder_name(name: str) -> str:
    """A class name as a sub-folder name ('T-shirt/top' -> 'T-shirt-top')."""
    safe = re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "-", name).strip(" .") or "class"
    return safe


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_out(out: Path, force: bool) -> None:
    """Refuse an existing output unless ``force``, and even then anything but a set we wrote."""
    if not out.exists() and not out.is_symlink():
        if not out.parent.is_dir():
            raise GanstudioError(f"--out {out}: its folder {out.parent} does not exist")
        return
    if not force:
        raise GanstudioError(f"--out {out} exists; add --force to replace it")
    if not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).is_file()):
        raise GanstudioError(f"--out {out} exists and is not a dataset written by ganstudio synth; not replacing it")


def write_set(
    s: SynthSet,
    out: str | Path,
    fmt: str,
    manifest: dict[str, Any],
    force: bool = False,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Path:
    """Write ``s`` as ``fmt`` into the folder ``out`` (atomically: see the module docstring)."""
    progress = progress or (lambda stage, done, total: None)
    cancel = cancel or (lambda: False)
    return _writing(out, fmt, force, lambda tmp: _complete(s, tmp, fmt, manifest, progress, cancel))


def export_set(
    snap,
    out: str | Path,
    fmt: str,
    manifest: dict[str, Any],
    force: bool = False,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    **draw,
) -> tuple[SynthSet, Path]:
    """``generate_set(snap, **draw)`` written as write_set writes it, the same bytes; a folder's
    PNGs are written while the set is drawn (_FolderStream)."""
    progress = progress or (lambda stage, done, total: None)
    cancel = cancel or (lambda: False)
    drawn: list[SynthSet] = []

    def work(tmp: Path) -> None:
        stream = _FolderStream(tmp) if fmt == "folder" else None
        try:
            s = generate_set(snap, progress=progress, cancel=cancel, sink=stream, **draw)
            items = None
            if stream is not None and stream.active:
                stream.finish(progress)
                items = _folder_items(s, stream.dirs)
        except BaseException:
            if stream is not None:
                stream.stop()
            raise
        drawn.append(s)
        _complete(s, tmp, fmt, manifest, progress, cancel, items)

    path = _writing(out, fmt, force, work)
    return drawn[0], path


def _writing(out: str | Path, fmt: str, force: bool, fill: Callable[[Path], None]) -> Path:
    """``fill`` a hidden ``.OUT.incomplete`` folder, then rename it OUT; on any error it goes."""
    if fmt not in FORMATS:
        raise GanstudioError(f"--format {fmt}: use {', '.join(FORMATS)}")
    out = Path(out).expanduser()
    check_out(out, force)
    tmp = out.with_name(f".{out.name}.incomplete")
    shutil.rmtree(tmp, ignore_errors=True)  # a crashed export's leftovers (ours, by name)
    try:
        tmp.mkdir()
        fill(tmp)
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        left = f"; the partial output is left in {tmp}" if tmp.exists() else "; nothing was left behind"
        raise GanstudioError(f"cannot write {out}: {e.strerror or e}{left}") from None
    except BaseException:  # a cancel, Ctrl-C, a refusal: no half a dataset
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _complete(
    s: SynthSet, tmp: Path, fmt: str, manifest: dict[str, Any], progress: Progress, cancel, items=None
) -> None:
    """The set's files (unless ``items`` says they are written), latents.npy and manifest.json in ``tmp``."""
    if fmt == "idx" and s.y is not None and s.y.max(initial=0) > 255:
        raise GanstudioError("IDX labels are bytes: more than 256 classes need --format npz")
    if items is None:
        items = {"folder": _write_folder, "npz": _write_npz, "idx": _write_idx}[fmt](s, tmp, progress, cancel)
    _save_npy(tmp / LATENTS, s.z)
    doc = {
        **manifest,
        "format": fmt,
        "count": len(s),
        "class_names": s.class_names,
        "per_class": {n: int((s.y == k).sum()) for k, n in enumerate(s.class_names)} if s.y is not None else None,
        **s.info,
        "latents": f"{LATENTS}: row i is item i's z (float32)",
        "items": items,
    }
    (tmp / MANIFEST).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def write_file(path: Path, data: bytes) -> None:
    """A new file holding ``data``: os.open/write/close, ~100 us less per file than Path.write_bytes."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _class_dirs(class_names: list[str]) -> list[str]:
    names = [folder_name(n) for n in class_names]
    if len(set(n.lower() for n in names)) != len(names):  # two names alike once made safe
        names = [f"{k}-{n}" for k, n in enumerate(names)]
    return names


def _png_name(dirs: list[str], label: int | None, i: int) -> str:
    return (f"{dirs[label]}/" if label is not None else "") + f"{i:06d}.png"


def _write_pngs(tmp: Path, dirs: list[str], labels, first: int, x: np.ndarray) -> None:
    """Items first, first+1, ... (images x, uint8 (N, C, H, W)) as PNGs; ``labels``: one per item or None."""
    grey = x.shape[1] == 1
    for r in range(len(x)):
        arr = x[r, 0] if grey else x[r].transpose(1, 2, 0)
        label = None if labels is None else int(labels if np.ndim(labels) == 0 else labels[r])
        write_file(tmp / _png_name(dirs, label, first + r), png_bytes(arr))


def _folder_items(s: SynthSet, dirs: list[str]) -> list[list]:
    labels = s.y.tolist() if s.y is not None else [None] * len(s)
    return [[_png_name(dirs, k, i), k] for i, k in enumerate(labels)]


def _write_folder(s: SynthSet, tmp: Path, progress: Progress, cancel) -> list[list]:
    dirs = _class_dirs(s.class_names) if s.y is not None else []
    for d in dirs:
        (tmp / d).mkdir()
    err: list[BaseException] = []

    # Writing files releases the GIL: a second thread writes half the images.
    def write(lo: int, hi: int) -> None:
        try:
            if not err:
                _write_pngs(tmp, dirs, s.y[lo:hi] if s.y is not None else None, lo, s.x[lo:hi])
        except BaseException as e:  # noqa: BLE001 - handed to the caller
            err.append(e)

    n = len(s)
    half = n // 2
    helper = threading.Thread(target=lambda: write(half, n), name="ganstudio-synth-writer")
    helper.start()
    try:
        for lo in range(0, half, 1000):
            if cancel():
                err.append(Cancelled("the export was cancelled"))
                break
            write(lo, min(lo + 1000, half))
            progress("write", 2 * min(lo + 1000, half), n)
            if err:
                break
    finally:
        helper.join()
    if err:
        raise err[0]
    progress("write", n, n)
    return _folder_items(s, dirs)


class _FolderStream:
    """A folder set's PNGs written by a helper thread while the set is still being drawn: G keeps
    the cores busy and the disk's share of the time hides behind it (60,000 files: ~11 s of a
    ~28 s export, see bench/utility.py speed). generate_set tells it each kept chunk."""

    def __init__(self, tmp: Path):
        import queue

        self.tmp, self.queue = tmp, queue.SimpleQueue()
        self.err: list[BaseException] = []
        self.written, self.total, self.active = 0, 0, False
        self.thread: threading.Thread | None = None

    def plan(self, names: list[str], counts: list[int]) -> None:
        self.dirs = _class_dirs(names) if names else []
        for d in self.dirs:
            (self.tmp / d).mkdir()
        self.offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(int).tolist()
        self.total, self.active = int(sum(counts)), True
        self.thread = threading.Thread(target=self._run, name="ganstudio-synth-stream", daemon=True)
        self.thread.start()

    def kept(self, label: int | None, start: int, x: np.ndarray) -> None:
        if self.err:  # a full disk: stop drawing
            raise self.err[0]
        self.queue.put((label, (self.offsets[label] if label is not None else 0) + start, x))

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            if not self.err:
                try:
                    _write_pngs(self.tmp, self.dirs, item[0], item[1], item[2])
                    self.written += len(item[2])
                except BaseException as e:  # noqa: BLE001 - handed to the drawing thread
                    self.err.append(e)

    def finish(self, progress: Progress) -> None:
        """Wait for the last files (progress "write" meanwhile); raise what the writer met."""
        if self.thread is None:
            return
        self.queue.put(None)
        while self.thread.is_alive():
            progress("write", self.written, self.total)
            self.thread.join(0.2)
        if self.err:
            raise self.err[0]
        progress("write", self.total, self.total)

    def stop(self) -> None:
        if self.thread is not None:
            self.err.append(Cancelled("stopped"))
            self.queue.put(None)
            self.thread.join()


def _npy_bytes(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.ascontiguousarray(a), allow_pickle=False)
    return buf.getvalue()


def _save_npy(path: Path, a: np.ndarray) -> None:
    path.write_bytes(_npy_bytes(a))


def _write_npz(s: SynthSet, tmp: Path, progress: Progress, cancel) -> list[list]:
    arrays = {"x": s.x, "z": s.z}
    if s.y is not None:
        arrays["y"] = s.y
        arrays["class_names"] = np.array(s.class_names, dtype=str)
    # A fixed date in each member: np.savez stamps the current time, and the same arguments
    # must give the same bytes.
    with zipfile.ZipFile(tmp / "data.npz", "w", zipfile.ZIP_STORED) as zf:
        for i, (key, a) in enumerate(arrays.items()):
            if cancel():
                raise Cancelled("the export was cancelled")
            zf.writestr(zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0)), _npy_bytes(a))
            progress("write", i + 1, len(arrays))
    labels = s.y.tolist() if s.y is not None else [None] * len(s)
    return [["data.npz", k] for k in labels]


def _write_idx(s: SynthSet, tmp: Path, progress: Progress, cancel) -> list[list]:
    n, c, h, w = s.x.shape
    images = s.x[:, 0] if c == 1 else s.x.transpose(0, 2, 3, 1)  # IDX stores (N, H, W[, C])
    dims = images.shape
    head = bytes([0, 0, 0x08, len(dims)]) + np.array(dims, dtype=">u4").tobytes()
    with open(tmp / "train-images-idx3-ubyte", "wb") as f:
        f.write(head)
        for lo in range(0, n, 4096):
            if cancel():
                raise Cancelled("the export was cancelled")
            f.write(np.ascontiguousarray(images[lo : lo + 4096]).tobytes())
            progress("write", min(lo + 4096, n), n)
    if s.y is not None:
        with open(tmp / "train-labels-idx1-ubyte", "wb") as f:
            f.write(bytes([0, 0, 0x08, 1]) + np.array([n], dtype=">u4").tobytes() + s.y.astype(np.uint8).tobytes())
    return [
        ["train-images-idx3-ubyte", int(k) if k is not None else None] for k in (s.y if s.y is not None else [None] * n)
    ]


def provenance(snap, checkpoint: Path) -> dict[str, Any]:
    """Where a set's weights came from, for its manifest: run, checkpoint and its sha256, step."""
    import ganstudio

    return {
        "ganstudio_version": ganstudio.__version__,
        "run": str(snap.run.resolve()) if snap.run else None,
        "checkpoint": str(Path(checkpoint).resolve()),
        "checkpoint_sha256": sha256(Path(checkpoint)),
        "step": snap.step,
        "ema": snap.ema,
        "dataset": snap.dataset,
    }
