"""The status bar's run state and progress: the run's state in words, the progress bar with
step, rate and ETA (or why there is none: paused, stopping, how the run ended), and the Cancel
button shown while a dataset loads. The main window owns one :class:`RunStatus` and tells it
what happens to the run; the messages on the left stay the window's (messages.MessageLine).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QStatusBar, QWidget

from ganstudio.app.curve_pacing import RateWindow
from ganstudio.app.i18n import QT_TRANSLATE_NOOP, forget, live
from ganstudio.app.messages import ElidedLabel
from ganstudio.app.run_following import duration
from ganstudio.app.session import PAUSED, RUNNING

# How a training run in this window ended (the worker's reason), in the status bar's words
ENDED = {
    "steps": QT_TRANSLATE_NOOP("RunStatus", "finished all its steps"),
    "time limit": QT_TRANSLATE_NOOP("RunStatus", "finished at its time limit"),
    "stopped": QT_TRANSLATE_NOOP("RunStatus", "stopped"),
    "error": QT_TRANSLATE_NOOP("RunStatus", "ended by an error"),
}
STATE_WIDTH, PROGRESS_WIDTH = 280, 300


def ended_words(reason: str) -> str:
    """How a run ended (the worker's reason), in the language installed."""
    return QCoreApplication.translate("RunStatus", ENDED[reason]) if reason in ENDED else reason


def step_text(step: int, total: int, word: str) -> str:
    return QCoreApplication.translate("RunStatus", "step {step} / {total}   {word}").format(
        step=step, total=total, word=word
    )


class RunStatus(QWidget):
    """``RunStatus(status_bar, cancel)``: the run state label and the progress bar in one
    fixed-width box (side by side as permanent widgets, the status bar let the message line's
    stretch overlap them), and the Cancel button (``cancel`` stops a dataset load)."""

    def __init__(self, status_bar: QStatusBar, cancel: Callable[[], None]):
        super().__init__(objectName="runStateBox")
        self.rate = RateWindow()  # steps/s over the last seconds of training, for the ETA
        self.last_step = 0  # the training run's step at its last snapshot
        self.run_name = ""
        self._rate_shown = None  # (step, total, rate, ETA) of the last rate line
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.run_state_label = ElidedLabel(objectName="runStateLabel")
        self.run_state_label.setFixedWidth(STATE_WIDTH)
        box.addWidget(self.run_state_label)
        self.progress = QProgressBar(objectName="progressBar")
        self.progress.setTextVisible(True)
        self.progress.setFixedWidth(PROGRESS_WIDTH)
        live(self.progress, "setFormat", lambda: self.tr("ready"))
        box.addWidget(self.progress)
        self.setFixedWidth(STATE_WIDTH + PROGRESS_WIDTH + box.spacing())
        status_bar.addPermanentWidget(self)
        self.cancel_load_button = QPushButton(objectName="cancelLoadButton")
        live(self.cancel_load_button, "setText", lambda: self.tr("Cancel"))
        live(self.cancel_load_button, "setToolTip", lambda: self.tr("Stop loading the dataset"))
        self.cancel_load_button.clicked.connect(cancel)
        self.cancel_load_button.hide()  # shown only while a dataset loads
        status_bar.addPermanentWidget(self.cancel_load_button)

    def set_run_state(self, text) -> None:
        """The run's state in words, beside the progress bar (full text on hover); ``text``: a
        function giving it translated (again after a language switch), or a string."""
        live(self.run_state_label, "set_text", text if callable(text) else lambda: text)

    def run_state_text(self) -> str:
        return self.run_state_label.full_text()

    def _words(self, word) -> None:
        """``word``: a function giving the word translated."""
        step, total = self.last_step, self.progress.maximum()
        live(self.progress, "setFormat", lambda: step_text(step, total, word()))

    # ------------------------------------------------------------------ a training run's course
    def loading_started(self) -> None:
        self.progress.setRange(0, 0)  # busy until the loader knows how many files there are
        live(self.progress, "setFormat", lambda: self.tr("Loading the dataset..."))
        self.cancel_load_button.show()

    def loading(self, done: int, total: int) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            live(
                self.progress,
                "setFormat",
                lambda: self.tr("Loading images: {done} / {total}").format(done=done, total=total),
            )
        else:
            self.progress.setRange(0, 0)
            live(self.progress, "setFormat", lambda: self.tr("Looking for images: {done} found").format(done=done))

    def started(self, run_name: str, step: int, steps: int) -> None:
        self.cancel_load_button.hide()
        self.progress.setRange(0, steps)
        self.progress.setValue(step)
        live(self.progress, "setFormat", lambda: self.tr("step {step} / {total}").format(step=step, total=steps))
        self.run_name, self.last_step = run_name, step
        self.rate.reset()
        self.set_run_state(lambda: self.tr("Training {run}").format(run=run_name))

    def snapshot(self, step: int, total: int, steps_per_s: float, parked: str | None) -> None:
        """A training snapshot at ``step``; ``parked``: why there is no rate (a Step's snapshot
        while paused, or stopping), in words, else None."""
        self.last_step = step
        self.progress.setMaximum(total)
        if parked is not None:
            live(self.progress, "setFormat", lambda: step_text(step, total, parked))
        else:
            smooth = self.rate.add(step)
            rate = smooth if smooth is not None else steps_per_s
            eta = (total - step) / rate if rate > 0 else math.inf
            eta_text = duration(eta) if math.isfinite(eta) else "--"
            # per snapshot: no closure kept (changeEvent redraws the last one after a switch)
            forget(self.progress, "setFormat")
            self._rate_shown = (step, total, rate, eta_text)
            self.progress.setFormat(
                self.tr("step {step} / {total}   {rate} steps/s   ETA {eta}").format(
                    step=step, total=total, rate=f"{rate:.0f}", eta=eta_text
                )
            )
        # Last: a new value repaints the bar at once, with the format above (set after, the
        # format cost a second paint of the status bar per snapshot).
        self.progress.setValue(min(step, total))

    def changeEvent(self, event) -> None:
        """A language switch redraws the last rate line (a later text set through i18n.live, e.g.
        "paused", is set again after this and wins)."""
        super().changeEvent(event)
        if event.type() == event.Type.LanguageChange and self._rate_shown is not None:
            step, total, rate, eta = self._rate_shown
            self.progress.setFormat(
                self.tr("step {step} / {total}   {rate} steps/s   ETA {eta}").format(
                    step=step, total=total, rate=f"{rate:.0f}", eta=eta
                )
            )

    def stopping(self, loading: bool) -> None:
        self.rate.reset()
        if not loading:
            self._words(lambda: self.tr("stopping..."))
            name = self.run_name
            self.set_run_state(lambda: self.tr("Stopping {run}: saving a checkpoint...").format(run=name))

    def finished(self, reason: str, run_path: Path | None) -> None:
        self.cancel_load_button.hide()
        self.rate.reset()
        if reason == "cancelled":
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            live(self.progress, "setFormat", lambda: self.tr("ready"))
            self.set_run_state("")
        elif run_path is not None:
            self._words(lambda: ended_words(reason))
            name, step = run_path.name, self.last_step
            self.set_run_state(
                lambda: self.tr("{run} \u2014 {how}, last step {step}").format(
                    run=name, how=ended_words(reason), step=step
                )
            )

    def state_changed(self, state: str, old: str) -> None:
        """Paused: the status says so (no rate, no ETA); the rate's window starts again on Resume."""
        if state == PAUSED:
            self.rate.reset()
            self._words(lambda: self.tr("paused"))
            name, step = self.run_name, self.last_step
            self.set_run_state(lambda: self.tr("Paused {run} at step {step}").format(run=name, step=step))
        elif state == RUNNING and old == PAUSED:
            self.rate.reset()
            name = self.run_name
            self.set_run_state(lambda: self.tr("Training {run}").format(run=name))

    def opened(self, steps: int, last: int) -> None:
        """An opened run: its steps so far (run_following shows its state in words)."""
        self.progress.setRange(0, max(steps or 1, 1))
        self.progress.setValue(min(last, self.progress.maximum()))
