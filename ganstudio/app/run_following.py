"""Following a run that another process (or window) writes: its folder is polled, not watched
(inotify misses changes on network and synced folders), and what is new goes to the window's
curves, samples, progress and explorer. Also `app --run DIR` for a run not started yet."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer

from ganstudio.app.i18n import live as live_
from ganstudio.app.panels.samples import read_png
from ganstudio.errors import GanstudioError
from ganstudio.io.follow import RunFollower, RunUpdate
from ganstudio.io.rundir import RunDir

FOLLOW_MS = 700  # polling an opened run's folder (~1.4 Hz)
LIVE_S = 60.0  # an opened run seen growing within this is taken to be still training elsewhere
FRESH_S = 15.0  # an opened run whose metrics were written this recently may still be training


class RunFollowing(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window  # the MainWindow whose panels show the run
        self.follower: RunFollower | None = None
        self._waiting_for: Path | None = None  # a run folder awaited by `app --run` (see open_when_ready)
        self._evals_size = -1  # size of the followed run's evals.jsonl when last read
        self._last_row: dict | None = None  # the followed run's last metrics row
        self._state_text = ""
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
        self.window._say(lambda: self.tr("Waiting for {run} to start (no config.json yet)...").format(run=path))
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
            name, error = f.path.name, u.error
            self._say_state(lambda: self.tr("Following {run}: {error}; retrying").format(run=name, error=error))
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
        if u.rows:
            self._last_row = u.rows[-1]
        elif u.reset:
            self._last_row = None
        # Routine: the run-state label and the progress bar, never the status bar's message
        # (which keeps the user's last message: issue 28)
        self.show_state(self._last_row, progress=bool(u.rows or u.reset))

    def is_live(self) -> bool:
        """Whether the followed run looks like it is training elsewhere: seen growing lately, or
        (before a poll could tell) written moments ago and not at its end."""
        f = self.follower
        if f is None:
            return False
        if f.seen_writing(LIVE_S):
            return True
        ago = f.updated_ago()
        cfg = self.window.run_config
        end = run_end(cfg, self._last_row) if cfg is not None else None
        at_end = end is not None and end[0] == "finished"
        return f.last_change is None and ago is not None and ago < FRESH_S and not at_end

    def show_state(self, last_row: dict | None, progress: bool = True) -> None:
        """The opened run's state in words: following it live, or how it ended (issue 28: a
        finished run never reads as live)."""
        w, f = self.window, self.follower
        self._last_row = last_row
        if f is None:
            return
        step = int(last_row["step"]) if last_row else (f.step or 0)
        cfg = w.run_config
        total = max(cfg.steps or 1, 1) if cfg is not None else max(step, 1)
        live = self.is_live()
        name = f.path.name
        if live:
            ago = f.updated_ago()
            if ago is not None:
                text = lambda: self.tr("Following {run} (live): step {step}, updated {ago} ago").format(  # noqa: E731
                    run=name, step=step, ago=duration(ago)
                )
            else:
                text = lambda: self.tr("Following {run} (live): step {step}, no metrics yet").format(  # noqa: E731
                    run=name, step=step
                )
            word = lambda: self.tr("(following)")  # noqa: E731
        else:
            end = run_end(cfg, last_row) if cfg is not None else None
            if end:
                text = lambda: self.tr("{run} \u2014 {how}, last step {step}").format(  # noqa: E731
                    run=name, how=end_words(end), step=step
                )
                # the label beside says why
                word = lambda: self.tr("(opened: {how})").format(how=end_word(end[0]))  # noqa: E731
            else:
                text = lambda: self.tr("{run} \u2014 no training steps yet").format(run=name)  # noqa: E731
                word = lambda: self.tr("(opened)")  # noqa: E731
        w.sample_panel.set_live(live)
        key = (name, live, step, end if not live else duration(ago) if ago is not None else None)
        if key != self._state_text:
            self._state_text = key
            w.set_run_state(text)
        if progress:
            w.progress.setRange(0, max(total, step))
            w.progress.setValue(step)
            live_(
                w.progress,
                "setFormat",
                lambda: self.tr("step {step} / {total}  {word}").format(step=step, total=total, word=word()),
            )

    def _say_state(self, text) -> None:
        self._state_text = None
        self.window.set_run_state(text)

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


def describe_end(cfg, last_row: dict | None) -> str | None:
    """How a run that is not being written ended, in English (``end_words`` translates ``run_end``)."""
    end = run_end(cfg, last_row)
    if end is None:
        return None
    if end[0] == "finished":
        return (
            f"finished all its {end[2]} steps"
            if end[1] == "steps"
            else f"finished at its time limit ({duration(end[2])})"
        )
    return f"stopped before its {end[2]} steps" if len(end) > 1 else "stopped"


def run_end(cfg, last_row: dict | None) -> tuple | None:
    """How a run that is not being written ended, from its config and last metrics row (the
    run folder has no "finished" row: docs/run-folder.md): reached its steps, reached its time
    limit, or stopped before either (by the user, or interrupted): ("finished", "steps", N),
    ("finished", "time limit", seconds), ("stopped", "steps", N) or ("stopped",) (``end_words``
    says it). None: no steps yet."""
    if not last_row or not isinstance(last_row.get("step"), (int, float)):
        return None
    step = int(last_row["step"])
    if cfg.steps and step >= cfg.steps:
        return ("finished", "steps", cfg.steps)
    t = last_row.get("time")
    # the time limit stops the loop between logged rows: the last row comes within a log interval of it
    if cfg.time_limit and isinstance(t, (int, float)) and t >= 0.95 * cfg.time_limit:
        return ("finished", "time limit", cfg.time_limit)
    return ("stopped", "steps", cfg.steps) if cfg.steps else ("stopped",)


def end_words(end: tuple) -> str:
    """``run_end``'s answer in the language installed."""
    n = int(end[2]) if len(end) > 2 else 0
    if end[0] == "finished" and end[1] == "steps":
        return QCoreApplication.translate("RunFollowing", "finished all its %n steps", "", n)
    if end[0] == "finished":
        return QCoreApplication.translate("RunFollowing", "finished at its time limit ({time})").format(
            time=duration(end[2])
        )
    if len(end) > 1:
        return QCoreApplication.translate("RunFollowing", "stopped before its %n steps", "", n)
    return QCoreApplication.translate("RunFollowing", "stopped")


def end_word(first: str) -> str:
    """The progress bar's one word: finished or stopped."""
    return (
        QCoreApplication.translate("RunFollowing", "finished")
        if first == "finished"
        else QCoreApplication.translate("RunFollowing", "stopped")
    )


def duration(seconds: float) -> str:
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s" if m else f"{s}s"
