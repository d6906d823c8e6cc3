"""Following a run that another process (or window) writes: its folder is polled, not watched
(inotify misses changes on network and synced folders), and what is new goes to the window's
curves, samples, progress and explorer. Also `app --run DIR` for a run not started yet."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from ganstudio.app.panels.samples import read_png
from ganstudio.errors import GanstudioError
from ganstudio.io.follow import RunFollower, RunUpdate
from ganstudio.io.rundir import RunDir

FOLLOW_MS = 700  # polling an opened run's folder (~1.4 Hz)
LIVE_S = 60.0  # an opened run seen growing within this is taken to be still training elsewhere


class RunFollowing(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window  # the MainWindow whose panels show the run
        self.follower: RunFollower | None = None
        self._waiting_for: Path | None = None  # a run folder awaited by `app --run` (see open_when_ready)
        self._evals_size = -1  # size of the followed run's evals.jsonl when last read
        self._timer = QTimer(self, interval=FOLLOW_MS)
        self._timer.timeout.connect(self.poll)

    def open_when_ready(self, path: Path) -> None:
        """`app --run DIR` right after submitting a job: the folder may exist before its
        config.json does. Wait for it (polling, as following does) instead of refusing."""
        if self._waiting_for not in (None, path):
            return  # the user opened something else meanwhile
        if not path.is_dir() or (path / "config.json").exists():
            self._waiting_for = None
            self.window.open_run(path)
            return
        self._waiting_for = path
        self.window.statusBar().showMessage(f"Waiting for {path} to start (no config.json yet)...")
        QTimer.singleShot(FOLLOW_MS, lambda: self.open_when_ready(path) if self._waiting_for == path else None)

    def cancel_wait(self) -> None:
        self._waiting_for = None

    def start(self, rd: RunDir) -> RunUpdate:
        """Follow ``rd`` from now on; returns everything so far (later polls bring only what is new)."""
        self._reload_evals(rd, force=True)
        self.follower = RunFollower(rd.path)
        first = self.follower.poll()
        self._timer.start()  # the run may still be training elsewhere
        return first

    def stop(self) -> None:
        self._timer.stop()
        self.follower = None

    def active(self) -> bool:
        return self.follower is not None and self._timer.isActive()

    def live(self) -> bool:
        """Whether the run followed was seen growing lately (another process trains it)."""
        return self.follower is not None and self.follower.seen_writing(LIVE_S)

    def poll(self) -> None:
        f, w = self.follower, self.window
        if f is None:
            return
        u = f.poll()
        if u.error:
            w.statusBar().showMessage(f"Following {f.path.name}: {u.error}; retrying")
            return
        if u.reset:  # a resume rewrote metrics.jsonl
            w.loss_panel.set_rows(u.rows)
        elif u.rows:
            w.loss_panel.append_rows(u.rows)  # read as opening a run reads them
        self.add_event_markers(u.events)
        self._reload_evals(RunDir(f.path))
        if u.sample is not None:
            step, path = u.sample
            try:
                w.sample_panel.add_frame(step, read_png(path), path)
            except (OSError, ValueError):
                pass  # pruned or unreadable meanwhile; the next grid comes soon
        if u.checkpoint is not None:
            w.follow_checkpoint(u.checkpoint[1])
        step = f.step if f.step is not None else 0
        if u.rows or u.reset:
            total = max(w.run_config.steps or 1, 1) if w.run_config else max(step, 1)
            w.progress.setRange(0, max(total, step))
            w.progress.setValue(step)
            w.progress.setFormat(f"step {step} / {total}  (following)")
        ago = f.updated_ago()
        w.statusBar().showMessage(
            f"Following {f.path.name} \u2014 step {step}, "
            + (f"updated {duration(ago)} ago" if ago is not None else "no metrics yet")
        )

    def _reload_evals(self, rd: RunDir, force: bool = False) -> None:
        """Quality rows of an opened/followed run (evals.jsonl is small: re-read when it changes)."""
        try:
            size = rd.evals_path.stat().st_size
        except OSError:
            size = -1
        if force or size != self._evals_size:
            self._evals_size = size
            try:
                self.window.quality_panel.set_rows(rd.read_evals())
            except GanstudioError:
                pass  # unreadable right now (a network folder); the next poll retries

    def add_event_markers(self, events: list[dict]) -> None:
        for e in events:
            if e.get("event") == "set" and isinstance(e.get("changes"), dict) and isinstance(e.get("step"), int):
                self.window.loss_panel.add_marker(e["step"], ", ".join(f"{k}={v}" for k, v in e["changes"].items()))


def duration(seconds: float) -> str:
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s" if m else f"{s}s"
