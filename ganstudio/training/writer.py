"""Checkpoints committed in the background, in order, while training goes on. ``tr`` is the
Trainer (training/loop.py), untyped here so that this module does not import it."""

from __future__ import annotations

import threading
from collections import deque
from pathlib import Path
from typing import Any, Callable

from ganstudio.errors import ConfigError
from ganstudio.events import CheckpointSaved
from ganstudio.io.checkpoint import cpu_copy, write_cpu_copy
from ganstudio.io.rundir import write_error
from ganstudio.training import state


def checkpoint_job(
    tr, path: str | Path | None, extra: dict[str, Any] | None
) -> tuple[Callable[[], None], CheckpointSaved]:
    """Take the state now (one CPU copy, which becomes the rollback's last good state) and
    return its write as a job for the CheckpointWriter, with the event to report once
    committed. ``path`` None: the run's next step checkpoint, pruning old ones after it."""
    tr.guard.check_weights()
    t, meta = state.to_tensors(tr)
    meta |= extra or {}
    prune = path is None
    if prune:
        if tr.run_dir is None:
            raise ConfigError("no run directory to save a checkpoint into; pass a path")
        path = tr.run_dir.checkpoint_path(tr.step_count)
    path, rd, keep = Path(path), tr.run_dir, tr.cfg.keep_checkpoints
    cpu = cpu_copy(t)
    tr.guard.last_good = (cpu, meta)

    def write() -> None:
        try:
            write_cpu_copy(path, cpu, meta)
            if prune:
                rd.prune_checkpoints(keep)  # only after the new one is committed
        except OSError as e:  # disk full or read-only: the temp file is gone, earlier checkpoints stay
            raise write_error(path, e) from None

    return write, CheckpointSaved(tr.step_count, path)


class _WriteJob:
    """One checkpoint write on a thread of its own, started after the previous one ended."""

    def __init__(self, fn: Callable[[], None], previous: _WriteJob | None):
        self.error: BaseException | None = None
        # Not a daemon: an interpreter exiting mid-write waits for the file to be committed.
        self.thread = threading.Thread(target=self._run, args=(fn, previous), name="ganstudio-checkpoint")
        self.thread.start()

    def _run(self, fn: Callable[[], None], previous: _WriteJob | None) -> None:
        if previous is not None:
            previous.thread.join()  # files are committed (and pruned) in the order they were taken
        try:
            fn()
        except BaseException as e:  # noqa: BLE001 -- raised again in the training thread by result()
            self.error = e

    def done(self) -> bool:
        return not self.thread.is_alive()

    def result(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error


class CheckpointWriter:
    """Commits checkpoint files in the background, in order: the state is copied before the
    write starts, so training goes on while a file is serialised and fsync-ed (see
    bench/throughput.py). Threads end with their write: none is left once run() returns."""

    MAX_PENDING = 2  # more than this in flight means the disk is slower than training: wait

    def __init__(self) -> None:
        self._last: _WriteJob | None = None
        self._reported: deque[tuple[_WriteJob, CheckpointSaved | None]] = deque()

    @property
    def pending(self) -> bool:
        return bool(self._reported)

    def submit(self, fn: Callable[[], None], event: CheckpointSaved | None, report: bool = True) -> _WriteJob:
        """Start writing; ``report``: committed() checks it (and returns ``event`` unless None)."""
        running = [job for job, _ in self._reported if not job.done()]
        if len(running) >= self.MAX_PENDING:
            running[-self.MAX_PENDING].thread.join()  # back-pressure; committed() reports it later
        self._last = _WriteJob(fn, self._last)
        if report:
            self._reported.append((self._last, event))
        return self._last

    def committed(self) -> list[CheckpointSaved]:
        """Events of the writes committed so far (oldest first); a failed write raises here."""
        out = []
        while self._reported and self._reported[0][0].done():
            job, event = self._reported.popleft()
            job.result()
            if event is not None:
                out.append(event)
        return out

    def wait(self) -> list[CheckpointSaved]:
        """Wait for every write; then as committed()."""
        self.wait_quietly()
        return self.committed()

    def wait_quietly(self) -> None:
        if self._last is not None:
            self._last.thread.join()
