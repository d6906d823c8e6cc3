"""TensorBoard event files for a run, written live from the Trainer's events or converted
afterwards from the run folder's own files. No Qt (docs/ARCHITECTURE.md, "Qt stays in app/").

Optional: this needs the ``tensorboard`` package (``pip install 'ganstudio[tensorboard]'``);
without it, :func:`open_live` says so in one line and training goes on. The writer is
``torch.utils.tensorboard.SummaryWriter``, which queues events to a thread of its own, so a
training step pays for one small protobuf per log row and, at sample steps, for reading
back the grid's PNG the Trainer has just written (no second encode).

Tags, the same live and converted (so a run looks the same either way):

    train/loss_d, train/loss_g, train/d_real, train/d_fake   metrics.jsonl (every log_every steps)
    quality/<metric>                                          evals.jsonl (numbers only)
    samples                                                   the sample grids of samples/
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ganstudio.errors import GanstudioError

MISSING = "TensorBoard event files need the tensorboard package: pip install 'ganstudio[tensorboard]'"
SCALAR_TAG = "train/{}"
QUALITY_TAG = "quality/{}"
IMAGE_TAG = "samples"
FOLDER = "tensorboard"  # RUN/tensorboard/


class TensorBoardMissing(GanstudioError):
    """The optional tensorboard package is not installed."""


def event_files(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    return sorted(folder.glob("events.out.tfevents.*")) if folder.is_dir() else []


def _numbers(values: dict[str, Any]) -> dict[str, float]:
    """The finite numeric entries of a row (no bools, no step/time)."""
    out = {}
    for k, v in values.items():
        if k in ("step", "time") or isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        if math.isfinite(v):
            out[k] = float(v)
    return out


_COLORSPACE = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}


def _png_bytes(img: np.ndarray) -> bytes:
    """An (H, W, C) or (H, W) uint8 picture as PNG."""
    from PIL import Image

    img = np.asarray(img)
    buf = io.BytesIO()
    Image.fromarray(img[:, :, 0] if img.ndim == 3 and img.shape[2] == 1 else img).save(buf, format="PNG")
    return buf.getvalue()


class TensorBoardWriter:
    """SummaryWriter for one run's events. ``purge_step``: a resumed run's first step;
    TensorBoard drops what an earlier session logged from there on (those steps were
    trained again)."""

    def __init__(self, log_dir: str | Path, purge_step: int | None = None):
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise TensorBoardMissing(MISSING) from None
        from tensorboard.compat.proto.summary_pb2 import Summary

        self._Summary = Summary
        self.log_dir = Path(log_dir)
        try:
            self.writer = SummaryWriter(str(self.log_dir), purge_step=purge_step or None, flush_secs=30)
            # One Summary per row rather than add_scalar per value (a third of the cost); a
            # grid goes in as the PNG bytes the Trainer already wrote, not encoded again.
            self._file_writer = self.writer._get_file_writer()
        except OSError as e:
            raise GanstudioError(f"cannot write TensorBoard files to {self.log_dir}: {e.strerror or e}") from None

    def _scalar_row(self, tag: str, step: int, values: dict[str, Any], walltime: float | None) -> None:
        V = self._Summary.Value
        vals = [V(tag=tag.format(k), simple_value=v) for k, v in _numbers(values).items()]
        if vals:
            self._file_writer.add_summary(self._Summary(value=vals), step, walltime)

    def scalars(self, step: int, values: dict[str, float], walltime: float | None = None) -> None:
        self._scalar_row(SCALAR_TAG, step, values, walltime)

    def evaluation(self, step: int, values: dict[str, Any], walltime: float | None = None) -> None:
        self._scalar_row(QUALITY_TAG, step, values, walltime)

    def image_png(self, step: int, png: bytes, walltime: float | None = None) -> None:
        """A PNG file's bytes as the step's sample grid (decoded only as far as its header)."""
        from PIL import Image

        with Image.open(io.BytesIO(png)) as im:
            (w, h), mode = im.size, im.mode
        if mode not in _COLORSPACE:  # e.g. palette or 16-bit: re-encode as RGB
            with Image.open(io.BytesIO(png)) as im:
                png = _png_bytes(np.asarray(im.convert("RGB")))
            mode = "RGB"
        img = self._Summary.Image(height=h, width=w, colorspace=_COLORSPACE[mode], encoded_image_string=png)
        self._file_writer.add_summary(
            self._Summary(value=[self._Summary.Value(tag=IMAGE_TAG, image=img)]), step, walltime
        )

    def image(self, step: int, img: np.ndarray, walltime: float | None = None) -> None:
        self.image_png(step, _png_bytes(img), walltime)

    def consume(self, ev) -> None:
        """Write one Trainer event (others are ignored)."""
        from ganstudio.events import Evaluated, Finished, Samples, Scalars

        if isinstance(ev, Scalars):
            self.scalars(ev.step, ev.values)
        elif isinstance(ev, Evaluated):
            self.evaluation(ev.step, ev.values)
        elif isinstance(ev, Samples):
            if ev.path is not None and ev.path.is_file():
                self.image_png(ev.step, ev.path.read_bytes())  # the PNG the Trainer just wrote
            else:
                self.image(ev.step, ev.image)
        elif isinstance(ev, Finished):
            self.writer.flush()

    def close(self) -> None:
        self.writer.close()


class LiveLogger:
    """A consumer of the Trainer's events (its TensorBoard sink): never stops training. A
    write that fails (disk full, folder removed) warns once and turns the logger off."""

    def __init__(self, writer: TensorBoardWriter, warn: Callable[[str], None], skip_image_at: int | None = None):
        self.writer, self.warn = writer, warn
        self.skip_image_at = skip_image_at  # a resumed run's first grid: the earlier session wrote it

    @property
    def log_dir(self) -> Path:
        return self.writer.log_dir

    def __call__(self, ev) -> None:
        if self.writer is None:
            return
        if self.skip_image_at is not None and getattr(ev, "image", None) is not None and ev.step == self.skip_image_at:
            self.skip_image_at = None
            return
        try:
            self.writer.consume(ev)
        except Exception as e:  # noqa: BLE001 -- logging is a bonus; training goes on without it
            self.warn(f"TensorBoard logging stopped: {e}")
            self._drop()

    def close(self) -> None:
        if self.writer is not None:
            try:
                self.writer.close()
            except Exception as e:  # noqa: BLE001
                self.warn(f"TensorBoard files may be incomplete: {e}")
            self.writer = None

    def _drop(self) -> None:
        try:
            self.writer.close()
        except Exception:  # noqa: BLE001 -- already failing; nothing more to report
            pass
        self.writer = None


def open_live(run_dir: str | Path, step: int, warn: Callable[[str], None]) -> LiveLogger | None:
    """The live logger for a run (rank 0 only), writing to RUN/tensorboard/; None with one
    line through ``warn`` when the tensorboard package is missing or the folder unwritable.

    ``step``: where the run starts (a resumed run's checkpoint step). When an earlier session
    wrote event files, TensorBoard is told to drop what they hold past ``step`` (those steps
    are trained again; their rows were dropped from metrics.jsonl too), and the grid the
    Trainer draws again at ``step`` is not written twice."""
    folder = Path(run_dir) / FOLDER
    resumed = bool(step) and bool(event_files(folder))
    try:
        writer = TensorBoardWriter(folder, purge_step=step + 1 if resumed else None)
    except GanstudioError as e:
        warn(f"{e}; training goes on without it" if isinstance(e, TensorBoardMissing) else str(e))
        return None
    return LiveLogger(writer, warn, skip_image_at=step if resumed else None)


# ----------------------------------------------------------------------------- converting a run
def convert_run(
    run: str | Path, out: str | Path | None = None, warn: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Write a run folder's metrics.jsonl, evals.jsonl and samples/*.png as TensorBoard event
    files in ``out`` (default RUN/tensorboard). Refuses a folder already holding event files
    (TensorBoard would show both). Returns counts: scalars, evaluations, images, out."""
    from PIL import Image

    from ganstudio.io.rundir import RunDir

    rd = RunDir(run)
    if not rd.path.is_dir():
        raise GanstudioError(f"run folder {rd.path} does not exist")
    if not rd.config_path.exists() and not rd.metrics_path.exists():
        raise GanstudioError(f"{rd.path} is not a ganstudio run (no config.json or metrics.jsonl)")
    out = Path(out) if out is not None else rd.path / FOLDER
    if event_files(out):
        raise GanstudioError(
            f"{out} already holds TensorBoard event files (written live with --tensorboard, or an "
            "earlier export); remove them or choose another --out"
        )
    metrics, evals, samples = rd.read_metrics(), rd.read_evals(), rd.samples()
    # Rows store seconds since the run started; anchor them so the last row lands at the
    # time metrics.jsonl was last written (TensorBoard's "relative" axis is then right).
    times = [r["time"] for r in metrics + evals if isinstance(r.get("time"), (int, float))]
    anchor = (rd.metrics_path.stat().st_mtime if rd.metrics_path.exists() else 0.0) - (max(times) if times else 0.0)
    writer = TensorBoardWriter(out)
    counts = {"scalars": 0, "evaluations": 0, "images": 0, "out": out}
    try:
        for r in metrics:
            writer.scalars(r["step"], r, walltime=anchor + float(r.get("time", 0.0)))
            counts["scalars"] += 1
        for r in evals:
            writer.evaluation(r["step"], r, walltime=anchor + float(r.get("time", 0.0)))
            counts["evaluations"] += 1
        for step, path in samples:
            try:
                with Image.open(path) as im:
                    im.verify()  # a damaged PNG spoils itself, not the export
                writer.image_png(step, path.read_bytes(), walltime=path.stat().st_mtime)
            except (OSError, ValueError, SyntaxError) as e:
                if warn is not None:
                    warn(f"skipped {path}: {e}")
                continue
            counts["images"] += 1
    finally:
        writer.close()
    return counts


def read_back(folder: str | Path) -> dict[str, Any]:
    """What TensorBoard's own reader finds in a folder: {"scalars": {tag: [(step, value)]},
    "images": {tag: [(step, png bytes)]}} (for tests and checks)."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(folder), size_guidance={"scalars": 0, "images": 0})
    acc.Reload()
    tags = acc.Tags()
    return {
        "scalars": {t: [(e.step, e.value) for e in acc.Scalars(t)] for t in tags.get("scalars", [])},
        "images": {t: [(e.step, e.encoded_image_string) for e in acc.Images(t)] for t in tags.get("images", [])},
    }


def describe(counts: dict[str, Any]) -> str:
    return (
        f"wrote {counts['out']} ({counts['scalars']} metric rows, {counts['evaluations']} evaluations, "
        f"{counts['images']} sample grids); view with: tensorboard --logdir {counts['out']}"
    )


__all__ = [
    "TensorBoardWriter",
    "LiveLogger",
    "open_live",
    "convert_run",
    "read_back",
    "event_files",
    "MISSING",
    "TensorBoardMissing",
]
