"""The run directory: the one on-disk format every front end writes and reads.

DIR/config.json            the full resolved TrainConfig
DIR/metrics.jsonl          one JSON object per logged step: step, time, loss_d, loss_g, d_real, d_fake
DIR/evals.jsonl            one per evaluation: step, time, the quality metrics, best
DIR/events.jsonl           hyper-parameter changes, alarms and other notable moments
DIR/samples/step_NNNNNNN.png    sample grids from fixed noise (a scatter plot for 2D sets)
DIR/checkpoints/step_NNNNNNN.safetensors   the last K checkpoints
DIR/checkpoints/best.safetensors           the best by the main quality metric (never pruned)
DIR/tensorboard/           TensorBoard event files, when asked for (io/tensorboard.py)

The training process writes (rank 0 only): the Trainer's run-folder sink
(training/sinks.py) and its checkpoint writer (training/writer.py), through RunDir.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any, Iterable

from ganstudio.errors import GanstudioError
from ganstudio.io.checkpoint import atomic_write_bytes

_STEP_FILE = re.compile(r"^step_(\d+)\.(safetensors|png)$")


def default_runs_dir() -> Path:
    """GANSTUDIO_RUNS_DIR, else the per-user data folder of this OS."""
    env = os.environ.get("GANSTUDIO_RUNS_DIR")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "ganstudio" / "runs"


def new_run_path(dataset: str) -> Path:
    """A fresh, unique, timestamped folder name under the runs folder."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(dataset.split(":", 1)[-1]).name or dataset).strip("-")[:40] or "run"
    root = default_runs_dir()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path, n = root / f"{stamp}-{slug}", 1
    while path.exists():
        n += 1
        path = root / f"{stamp}-{slug}-{n}"
    return path


class RunDir:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.config_path = self.path / "config.json"
        self.metrics_path = self.path / "metrics.jsonl"
        self.events_path = self.path / "events.jsonl"
        self.evals_path = self.path / "evals.jsonl"  # quality metrics, every eval_every steps
        self.samples_dir = self.path / "samples"
        self.checkpoints_dir = self.path / "checkpoints"

    # --- writing (rank 0 only) ---
    def create(self) -> "RunDir":
        """Make the folders and prove they are writable before any training starts."""
        try:
            self.samples_dir.mkdir(parents=True, exist_ok=True)
            self.checkpoints_dir.mkdir(parents=True, exist_ok=True)
            probe = self.path / f".write-test-{os.getpid()}"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as e:
            raise GanstudioError(
                f"cannot write the run folder {self.path}: {e.strerror or e}; "
                "pick another with --run-dir or GANSTUDIO_RUNS_DIR"
            ) from None
        # Temp files of a process killed mid-write: ours (.NAME.tmpPID) and safetensors' own (.tmpXXXXXX).
        for folder in (self.checkpoints_dir, self.path):
            for stale in [*folder.glob(".*.tmp*"), *folder.glob(".tmp*")]:
                if stale.is_file():
                    stale.unlink(missing_ok=True)
        return self

    def write_json(self, path: Path, obj: Any) -> None:
        try:
            atomic_write_bytes(path, (json.dumps(obj, indent=2) + "\n").encode())
        except OSError as e:
            raise write_error(path, e) from None

    def append_jsonl(self, path: Path, rows: Iterable[dict[str, Any]]) -> None:
        text = "".join(json.dumps(r, allow_nan=True) + "\n" for r in rows)
        if text:
            try:
                with open(path, "a", encoding="utf-8") as f:
                    f.write(text)
            except OSError as e:  # disk full: a torn last line is dropped on resume (truncate_metrics)
                raise write_error(path, e) from None

    def truncate_metrics(self, after_step: int) -> None:
        """Drop metric and evaluation rows past ``after_step`` (and any torn last line)
        before resuming, so a resumed run's steps stay unique and ordered."""
        for path in (self.metrics_path, self.evals_path):
            if not path.exists():
                continue
            rows = [r for r in self._read_rows(path) if r.get("step", 0) <= after_step]
            try:
                atomic_write_bytes(path, "".join(json.dumps(r) + "\n" for r in rows).encode())
            except OSError as e:
                raise write_error(path, e) from None

    def sample_path(self, step: int) -> Path:
        return self.samples_dir / f"step_{step:07d}.png"

    def checkpoint_path(self, step: int) -> Path:
        return self.checkpoints_dir / f"step_{step:07d}.safetensors"

    @property
    def best_checkpoint_path(self) -> Path:
        """The checkpoint with the best main quality metric so far (never pruned)."""
        return self.checkpoints_dir / "best.safetensors"

    def prune_checkpoints(self, keep: int) -> None:
        """Delete all but the newest ``keep`` step checkpoints (called after a new one is committed)."""
        for _, p in self.step_files(self.checkpoints_dir)[:-keep]:
            p.unlink(missing_ok=True)

    # --- reading (any process) ---
    @staticmethod
    def step_files(folder: Path) -> list[tuple[int, Path]]:
        out = []
        if folder.is_dir():
            for p in folder.iterdir():
                m = _STEP_FILE.match(p.name)
                if m:
                    out.append((int(m.group(1)), p))
        return sorted(out)

    def checkpoints(self) -> list[tuple[int, Path]]:
        return self.step_files(self.checkpoints_dir)

    def latest_checkpoint(self) -> Path | None:
        ckpts = self.checkpoints()
        return ckpts[-1][1] if ckpts else None

    def samples(self) -> list[tuple[int, Path]]:
        return self.step_files(self.samples_dir)

    def read_config(self) -> dict[str, Any]:
        from ganstudio.config import LEGACY, load_file

        if not self.config_path.exists():
            raise GanstudioError(f"{self.path} is not a ganstudio run (no config.json)")
        return {**LEGACY, **load_file(self.config_path)}  # keys an older run predates keep their old meaning

    def read_metrics(self) -> list[dict[str, Any]]:
        """Every complete row; a torn last line (a killed writer) is ignored."""
        return self._read_rows(self.metrics_path)

    def read_evals(self) -> list[dict[str, Any]]:
        """Every complete evaluation row (see ganstudio/metrics/evaluate.py)."""
        return self._read_rows(self.evals_path)

    @staticmethod
    def _read_rows(path: Path) -> list[dict[str, Any]]:
        try:
            # errors="replace": a damaged byte spoils its own line, not the whole history
            text = path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        except OSError as e:
            raise GanstudioError(f"cannot read {path}: {e.strerror or e}") from None
        return parse_rows(text)


def parse_rows(text: str) -> list[dict[str, Any]]:
    """The rows of a metrics/evals/events.jsonl text that are ours: every reader (RunDir, the
    app's RunFollower, TensorBoard export) takes rows through here. A row needs an integer step
    that fits an int64 (readers sort and compare by it, the plots and TensorBoard store it as
    one) and, when it has one, a numeric time."""
    return [r for r in parse_jsonl(text) if _is_step(r.get("step")) and _is_number(r.get("time", 0.0))]


def _is_step(v: Any) -> bool:
    return type(v) is int and 0 <= v < 2**63


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def write_error(path: Path, e: OSError) -> GanstudioError:
    """A failed write in a run folder (disk full, read-only, removed) as a message for the user."""
    return GanstudioError(
        f"cannot write {path}: {e.strerror or e} (checkpoints already written are kept; "
        "free some space or choose another runs folder, then resume)"
    )


def parse_jsonl(text: str) -> list[dict[str, Any]]:
    rows = []
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):  # a torn or hostile (deeply nested) line
            continue
        if isinstance(row, dict):
            rows.append(row)
    return rows
