"""A synthetic set (synth.py) on disk.

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
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ganstudio.data.imageops import png_bytes
from ganstudio.errors import Cancelled, GanstudioError

if TYPE_CHECKING:
    from ganstudio.synth import Progress, SynthSet

FORMATS = ("folder", "npz", "idx")
MANIFEST = "manifest.json"
LATENTS = "latents.npy"


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
    from ganstudio.synth import generate_set

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
