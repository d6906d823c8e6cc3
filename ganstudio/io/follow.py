"""Following a run directory while another process writes it (CLI, torchrun rank 0, an app).

:class:`RunFollower` is polled (the app does it every FOLLOW_MS, see app/run_following.py); each :meth:`poll`
returns what is new since the last one. It only stats, lists and reads files, so it works
on network and synced folders where change notifications (inotify) don't:

- metrics.jsonl / events.jsonl are tailed from a byte offset; only complete lines count
  (a row being written is picked up once its newline lands). When the file is replaced
  or shrinks (a resumed run rewrites metrics.jsonl up to its checkpoint's step), the
  follower re-reads it: rows that go back in steps mean "replace what you showed"
  (``reset``); rows that go on past the last step mean a rotated file, so they append.
- the newest sample PNG is reported once it is complete (the writer does not write PNGs
  atomically: a PNG counts once it ends with its IEND chunk).
- the newest checkpoint: checkpoints are renamed into place, so any listed
  ``step_N.safetensors`` is whole (temporary files have other names).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ganstudio.io.rundir import RunDir, parse_rows

PNG_END = b"IEND\xaeB`\x82"  # the last 8 bytes of every complete PNG


@dataclass(frozen=True)
class RunUpdate:
    rows: list[dict[str, Any]] = field(default_factory=list)  # new metric rows (all of them when reset)
    reset: bool = False  # metrics.jsonl was rewritten: show ``rows`` instead of what was shown
    events: list[dict[str, Any]] = field(default_factory=list)  # new events.jsonl rows
    sample: tuple[int, Path] | None = None  # the newest complete sample grid, when it changed
    checkpoint: tuple[int, Path] | None = None  # the newest checkpoint, when it changed
    error: str | None = None  # the folder could not be read this time (it is polled again)

    @property
    def changed(self) -> bool:
        return bool(self.rows or self.reset or self.events or self.sample or self.checkpoint)


class JsonlTail:
    """Incremental reader of an append-only JSON-lines file that may be rewritten or rotated."""

    def __init__(self, path: Path, step_key: str | None = "step"):
        self.path, self.step_key = path, step_key
        self._id: tuple[int, int] | None = None  # (device, inode) of the file read so far
        self._offset = 0  # bytes consumed: always the end of a complete line
        self._last_line = b""  # the last complete line consumed (ends at _offset)
        self.last_step: float | None = None
        self.mtime: float | None = None  # of the file, when last seen (for "updated N s ago")

    def read(self) -> tuple[list[dict[str, Any]], bool]:
        """(new rows, reset). Raises OSError when the file exists but cannot be read."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return [], False
        self.mtime = st.st_mtime
        ident = (st.st_dev, st.st_ino)
        replaced = self._id is not None and (ident != self._id or st.st_size < self._offset)
        if replaced and ident != self._id and self._continues(st.st_size):
            replaced = False  # a new copy of the same rows plus more (rsync, a sync client): go on
        self._id = ident
        if replaced:
            self._offset = 0
        elif st.st_size == self._offset:
            return [], False
        with open(self.path, "rb") as f:
            f.seek(self._offset)
            data = f.read()
        end = data.rfind(b"\n") + 1  # only complete lines; the rest is read again next time
        self._offset += end
        if end:
            self._last_line = data[data.rfind(b"\n", 0, end - 1) + 1 : end]
        elif replaced:
            self._last_line = b""
        rows = parse_rows(data[:end].decode("utf-8", errors="replace"))
        reset = False
        if replaced and self.step_key is not None:
            first = next((r.get(self.step_key) for r in rows if isinstance(r.get(self.step_key), (int, float))), None)
            reset = self.last_step is None or first is None or first <= self.last_step  # rewritten, not rotated
        elif replaced:
            reset = True
        if self.step_key is not None:
            steps = [r[self.step_key] for r in rows if isinstance(r.get(self.step_key), (int, float))]
            if steps:
                self.last_step = steps[-1]
            elif reset:
                self.last_step = None
        return rows, reset

    def _continues(self, size: int) -> bool:
        """Whether the file now at ``path`` still holds, at the same offset, the last line read."""
        n = len(self._last_line)
        if not n or size < self._offset:
            return False
        with open(self.path, "rb") as f:
            f.seek(self._offset - n)
            return f.read(n) == self._last_line


class RunFollower:
    """Poll ``path`` for new metrics, events, samples and checkpoints (see the module docstring)."""

    def __init__(self, path: str | os.PathLike):
        self.run = RunDir(path)
        self.path = self.run.path
        self.metrics = JsonlTail(self.run.metrics_path)
        self.events = JsonlTail(self.run.events_path, step_key=None)
        self.sample: tuple[int, Path] | None = None  # the newest complete sample reported
        self.checkpoint: tuple[int, Path] | None = None  # the newest checkpoint reported
        self.polls = 0
        self.last_change: float | None = None  # monotonic time a poll after the first found news

    @property
    def step(self) -> int | None:
        """The last metric row's step."""
        s = self.metrics.last_step
        return None if s is None else int(s)

    def updated_ago(self, now: float | None = None) -> float | None:
        """Seconds since the run last wrote metrics (by the file's time; never negative)."""
        times = [t for t in (self.metrics.mtime,) if t is not None]
        if not times:
            return None
        return max(0.0, (time.time() if now is None else now) - max(times))

    def poll(self) -> RunUpdate:
        try:
            rows, reset = self.metrics.read()
            events, _ = self.events.read()
            sample = self._newest_sample()
            ckpt = self._newest(self.run.checkpoints_dir)
        except OSError as e:  # a network folder gone for a moment: say so, try again next poll
            return RunUpdate(error=f"cannot read {self.path}: {e.strerror or e}")
        new_ckpt = ckpt if ckpt is not None and ckpt != self.checkpoint else None
        if ckpt is not None:
            self.checkpoint = ckpt
        new_sample = sample if sample is not None and sample != self.sample else None
        if sample is not None:
            self.sample = sample
        update = RunUpdate(rows, reset, events, new_sample, new_ckpt)
        self.polls += 1
        if update.changed and self.polls > 1:  # the first poll only reads what was already there
            self.last_change = time.monotonic()
        return update

    def seen_writing(self, within: float) -> bool:
        """Whether this follower saw the run being written in the last ``within`` seconds
        (a run that was finished before it was opened never counts)."""
        return self.last_change is not None and time.monotonic() - self.last_change < within

    # Folders are listed on every poll: a folder's mtime cannot tell reliably that an entry
    # was added (1-2 s resolution on some network and FAT file systems), and listing a
    # few hundred names once a poll is cheap.
    def _newest(self, folder: Path) -> tuple[int, Path] | None:
        files = RunDir.step_files(folder)
        return files[-1] if files else None

    def _newest_sample(self) -> tuple[int, Path] | None:
        """The newest sample PNG that is completely written (else the newest one that is)."""
        for step, path in reversed(RunDir.step_files(self.run.samples_dir)):
            if self.sample is not None and step <= self.sample[0] and self.sample[1].exists():
                return self.sample  # nothing newer is complete yet
            if _png_complete(path):
                return step, path
        return None


def _png_complete(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            if size < 8:
                return False
            f.seek(size - 8)
            return f.read(8) == PNG_END
    except OSError:
        return False
