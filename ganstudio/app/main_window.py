"""The main window: pick data, model and loss, click Train, watch it learn.

The window is a view of a :class:`~ganstudio.app.session.Session` (docs/ARCHITECTURE.md,
"The app's state"): the config, the run shown, the checkpoint it continues from and the run state live
there; the Setup form is generated from the config's field metadata (setup_form.py), and the
buttons follow the Session's state. The worker builds the Trainer (worker.py).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ganstudio.app.curve_pacing import CurvePacing
from ganstudio.app.explorer import ExplorerTabs
from ganstudio.app.gc_policy import MainThreadGC
from ganstudio.app.i18n import add_language_menu, live, off_switch, on_switch
from ganstudio.app.open_recipe import open_recipe
from ganstudio.app.messages import MessageLine, warn
from ganstudio.app.panels import LossPanel, Points2DPanel, SamplePanel
from ganstudio.app.export_dataset import open_export_dataset
from ganstudio.app.panels.quality import AlarmBanner, QualityPanel
from ganstudio.app.recent_runs import RecentRuns
from ganstudio.app.run_controls import FORM_ATTRIBUTES, RunControls
from ganstudio.app.run_following import RunFollowing
from ganstudio.app.session import IDLE, PAUSED, Session, TrainJob
from ganstudio.app.engine_text import engine_text, translated_alarm
from ganstudio.app.status_line import RunStatus, ended_words
from ganstudio.app.window_texts import WindowTexts
from ganstudio.app.worker import RunInfo, Snapshot, TrainingWorker, best_checkpoint
from ganstudio.config import from_dict
from ganstudio.data.imageops import save_png
from ganstudio.errors import GanstudioError, first_lines
from ganstudio.io.rundir import RunDir, new_run_path

DEFAULT_DATASET = "digits"
STOP_TIMEOUT_MS = 2000


class MainWindow(QMainWindow):
    """``MainWindow(run=None)``: the whole app in one window (also for tests and embedding)."""

    training_finished = Signal(str)  # reason; for tests and scripts

    def __init__(self, run: str | Path | None = None):
        super().__init__()
        self.setWindowTitle("ganstudio")
        self.resize(1280, 800)
        self.settings = QSettings("ganstudio", "ganstudio")
        self.session = Session()  # the app's state; everything below is a view of it
        self.thread: QThread | None = None
        self.worker: TrainingWorker | None = None
        self.error_box = None  # the last warning or error shown (a QMessageBox)
        self._close_when_done = False  # closing waits for the worker to save
        self._ui_clock: float | None = None  # this thread's CPU time at the last snapshot
        self.cycle_collector = MainThreadGC(self, full_ok=lambda: self.worker is None or self.worker.paused)
        self.following = RunFollowing(self)
        self._alarm = None  # the last health alarm shown
        self.texts = WindowTexts(self)  # window_texts.py
        self._build_ui()
        self._build_menus()
        self.curves = CurvePacing(self.loss_panel, self.quality_panel)
        self.session.events.state.connect(self._state_changed)
        self.session.events.config.connect(self._config_changed)
        self.session.choose_dataset(DEFAULT_DATASET)
        self._state_changed(self.session.state, self.session.state)
        if run is not None:
            QTimer.singleShot(0, lambda: self.following.open_when_ready(Path(run)))

    # ------------------------------------------------------------------ layout
    def _build_ui(self) -> None:
        self.controls = RunControls(self.session)  # the Setup form, Train/Pause/Step/Stop, the hint
        self.setup_form = self.controls.setup_form
        for attr, name in FORM_ATTRIBUTES.items():
            setattr(self, attr, self.setup_form.widgets[name])
        for b in ("train_button", "pause_button", "step_button", "stop_button", "choices_label", "hint"):
            setattr(self, b, getattr(self.controls, b))
        self.train_button.clicked.connect(self.train)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.step_button.clicked.connect(self.step_once)
        self.stop_button.clicked.connect(self.stop)

        self.loss_panel = LossPanel()
        self.sample_panel = SamplePanel()
        self.points_panel = Points2DPanel()
        self.points_panel.arrows_check.toggled.connect(self._arrows_toggled)
        self.visual = QStackedWidget(objectName="visualStack")
        self.visual.addWidget(self.sample_panel)
        self.visual.addWidget(self.points_panel)
        self.quality_panel = QualityPanel()
        curves = QSplitter(Qt.Orientation.Vertical)  # losses above, quality metrics below
        curves.addWidget(self.loss_panel)
        curves.addWidget(self.quality_panel)
        curves.setSizes([440, 360])
        # the curves in a plain holder: the alarm banner floats over it (a QSplitter would take
        # the banner in as a pane of its own)
        curves_holder = QWidget(objectName="curvesHolder")
        holder_layout = QVBoxLayout(curves_holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(curves)
        right = QSplitter(Qt.Orientation.Horizontal)
        right.addWidget(curves_holder)
        self.explorer = ExplorerTabs(self.visual, self, self.session)  # Samples | Latent | Interpolation
        # "One class per row" in the Samples tab renders from the explorer's copy of G
        self.explorer.set_sample_panel(self.sample_panel)
        self.explorer.latent_panel.generator_changed.connect(self.sample_panel.set_generator)
        self.sample_panel.class_rows_changed.connect(self._class_rows_changed)
        right.addWidget(self.explorer)
        right.setSizes([560, 560])

        central = QWidget()
        lay = QHBoxLayout(central)
        lay.addWidget(self.controls)
        column = QVBoxLayout()
        column.addWidget(right, 1)
        lay.addLayout(column, 1)
        self.setCentralWidget(central)
        # Health alarms (ganstudio/health.py) float over the bottom of the curves: showing one
        # moves nothing (issue 28: in the layout it pushed the tabs down under the pointer).
        self.alarm_banner = AlarmBanner()
        self.alarm_banner.overlay(curves_holder)

        # The status bar: the last message (kept until the next, full text on hover), the run's
        # state in words, and the progress bar with step, rate and ETA.
        self.message_line = MessageLine(self.statusBar())
        self.status = RunStatus(self.statusBar(), cancel=self.stop)  # status_line.py
        # the status's widgets, as attributes of the window (tests and run_following use them)
        self.run_state_label = self.status.run_state_label
        self.progress = self.status.progress
        self.cancel_load_button = self.status.cancel_load_button

    def _say(self, text) -> None:
        """A status-bar message: ``text()`` translates it, again after a language switch."""
        live(self.statusBar(), "showMessage", text)

    def _build_menus(self) -> None:
        m = self.menuBar().addMenu("")
        m.setObjectName("fileMenu")
        live(m, "setTitle", lambda: self.tr("&File"))

        def action(text, slot, shortcut=None, name=None):
            a = QAction(self)
            live(a, "setText", text)
            if shortcut is not None:
                a.setShortcut(shortcut)
            if name:
                a.setObjectName(name)
            a.triggered.connect(slot)
            m.addAction(a)
            return a

        action(lambda: self.tr("&Open run..."), lambda: self.open_run(), QKeySequence.StandardKey.Open, "openRunAction")
        action(
            lambda: self.tr("Open run at its &best checkpoint..."),
            lambda: self.open_run(checkpoint="best"),
            QKeySequence("Ctrl+Shift+O"),
            "openBestRunAction",
        )
        action(lambda: self.tr("Open &latent or recipe..."), lambda: open_recipe(self), None, "openRecipeAction")
        self.recent_menu = m.addMenu("")
        self.recent_menu.setObjectName("recentMenu")
        live(self.recent_menu, "setTitle", lambda: self.tr("Recent runs"))
        self.recent = RecentRuns(self.settings, self.recent_menu, self.open_run)
        m.addSeparator()
        self.save_action = action(
            lambda: self.tr("&Save checkpoint"),
            self.save_checkpoint,
            QKeySequence.StandardKey.Save,
            "saveCheckpointAction",
        )
        action(
            lambda: self.tr("&Export sample grid..."),
            lambda: self.export_grid(),
            QKeySequence("Ctrl+E"),
            "exportGridAction",
        )
        action(lambda: self.tr("Export &dataset..."), lambda: open_export_dataset(self), None, "exportDatasetAction")
        m.addSeparator()
        action(lambda: self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit, "quitAction")
        view = self.menuBar().addMenu("")
        view.setObjectName("viewMenu")
        live(view, "setTitle", lambda: self.tr("&View"))
        add_language_menu(self, view)  # View > Language: switches live (i18n.py)
        on_switch(self._language_switched)

    # ------------------------------------------------------------------ dataset & config
    def _add_dataset(self, spec: str | None) -> None:
        """Select a user dataset (inserted above the "Open..." entries), or go back on cancel."""
        self.controls.add_dataset(spec)

    # --- views of the Session ---
    @property
    def state(self) -> str:
        """The run state: idle | loading | running | paused | following (the Session's)."""
        return self.session.state

    @property
    def run_path(self) -> Path | None:
        """The run shown (training or opened)."""
        return self.session.run_path

    @property
    def run_config(self):
        """The shown run's config, for continuing it (None: Train starts a new run)."""
        return self.session.run_config

    @property
    def resumed_from(self) -> Path | None:
        """The checkpoint the current training continued from."""
        return self.session.resumed_from

    def config_from_controls(self):
        """The config the controls describe. A control still holding the dataset's default
        gives None: ``prepare`` resolves it from the data and the device, and ``choices``
        says what it chose (Session.asked)."""
        return self.session.asked()

    def _config_changed(self, names: frozenset[str]) -> None:
        """The kind of data decides the visual (2D view or sample grid) and the quality labels."""
        is_2d = self.session.kind == "2d"
        self.visual.setCurrentWidget(self.points_panel if is_2d else self.sample_panel)
        self.quality_panel.set_kind(self.session.kind)
        if "dataset" in names and self.session.applied:  # a dataset's defaults, not a run's settings
            cfg = self.session.config
            self.controls.show_choices(self.texts.auto_choices(cfg.image_size is None and not is_2d, cfg.z_dim is None))

    # ------------------------------------------------------------------ training
    def train(self) -> None:
        """Start a new run from the controls, or continue the opened run if it is the same model."""
        if self.worker is not None:
            return
        live = self.following.live()
        self.stop_following()
        self.following.cancel_wait()
        job = self.session.plan_training(live)
        if job.note:
            self._warn(job.note)
        if not job.resume:
            self.loss_panel.clear()
            self.quality_panel.clear()
            self.sample_panel.clear()
            self.points_panel.clear()
        self.alarm_banner.hide()
        self.controls.show_choices("")
        self._start_worker(job)
        name = job.config.dataset
        self._say(lambda: self.tr("Loading {dataset}...").format(dataset=name))
        self.set_run_state(lambda: self.tr("Loading {dataset}...").format(dataset=name))

    def _arrows_toggled(self, on: bool) -> None:
        if self.worker is not None:  # the worker computes G's arrows only while they show
            self.worker.show_arrows(on)

    def _start_worker(self, job: TrainJob) -> None:
        """The worker builds the Trainer from ``job`` in its own thread (the data loads there)."""
        self.thread = QThread(self)
        self.thread.setObjectName("trainingThread")
        self.worker = TrainingWorker(job)
        self.worker.points_arrows = self.points_panel.arrows_check.isChecked()
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.started.connect(self._on_started)
        self.worker.snapshot.connect(self._on_snapshot)
        self.explorer.attach(self.worker)
        self.worker.state_changed.connect(self.session.set_state)
        self.worker.failed.connect(self._on_failed)
        self.worker.finished.connect(self._on_finished)
        self.worker.loading.connect(self._on_loading)
        self.worker.eval_progress.connect(self._on_eval_progress)
        self.worker.eval_ready.connect(self._on_eval_ready)
        self.worker.eval_failed.connect(self._on_eval_failed)
        self.worker.warning.connect(self._warn)
        # Ends the thread's event loop as soon as the worker is done, even when the UI thread
        # is busy (or blocked in closeEvent) and cannot run _on_finished yet.
        self.worker.finished.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
        self.session.start_training()
        self.status.loading_started()
        self.thread.start()

    def _on_loading(self, done: int, total: int) -> None:
        if self.worker is None or self.worker.trainer is not None:
            return  # a late signal from a load that is over
        self.status.loading(done, total)

    def _on_started(self, info: RunInfo) -> None:
        resuming = self.worker is not None and self.worker.job.resume
        # what the data decided shows in the controls; the run's state is now "running"
        self.session.started(info.run_dir, info.config, info.kind, info.resumed_from)
        if resuming:
            self.controls.show_choices(
                lambda: self.tr("Continuing {run} from step {step} with its own settings.").format(
                    run=info.run_dir.name, step=info.step
                )
            )
        else:
            self.controls.show_choices(info.choices)
        if info.kind == "2d":
            self.points_panel.set_real(info.real_points, info.extent)
        self.recent.add(info.run_dir)
        self.explorer.started(info)
        self.status.started(info.run_dir.name, info.step, info.config.steps)
        self.sample_panel.set_live(True)
        if info.skipped:
            self._say(
                lambda: self.tr(
                    "Training {dataset} -> {run}  (%n unusable file(s) skipped, e.g. {example})", "", len(info.skipped)
                ).format(dataset=info.config.dataset, run=info.run_dir, example=info.skipped[0])
            )
        else:
            self._say(
                lambda: self.tr("Training {dataset} -> {run}").format(dataset=info.config.dataset, run=info.run_dir)
            )
        self.setWindowTitle(f"ganstudio - {info.run_dir.name}")

    def _on_snapshot(self, snap: Snapshot) -> None:
        # What drawing costs this thread, for the worker to pace its snapshots (worker.Pacer).
        clock = time.thread_time()
        if self._ui_clock is not None and self.worker is not None:
            self.worker.report_ui_cpu(clock - self._ui_clock)
        self._ui_clock = clock
        self.curves.add(snap, paused=self.worker is not None and self.worker.paused)
        for step, text in snap.markers:
            self.loss_panel.add_marker(step, text)
        for alarm in snap.alarms:
            self._alarm = alarm  # in the engine's words: shown again in the next language after a switch
            self.alarm_banner.show_alarm(translated_alarm(alarm))
        if snap.samples is not None:
            self.sample_panel.add_frame(snap.samples.step, snap.samples.image, snap.samples.path)
            self.worker and self.worker.ack_image()
        if snap.points is not None:
            self.points_panel.update_state(snap.points.fake, snap.points.field, snap.points.arrows)
        stopping = self.worker is not None and self.worker.control.stopped
        parked = self.session.state == PAUSED or self.worker is None or self.worker.paused
        # parked (a Step's snapshot) or stopping: no rate, no ETA
        word = (self.tr("stopping...") if stopping else self.tr("paused")) if parked or stopping else None
        self.status.snapshot(snap.step, snap.total, snap.steps_per_s, word)

    # --- the quality feature net, trained in the background (see worker.py) ---
    def _on_eval_progress(self, worker, done: int, total: int) -> None:
        if worker is self.worker:  # (not a late report from a run that is over)
            live(self.quality_panel, "set_status", self.texts.feature_net(done, total))

    def _on_eval_ready(self, worker) -> None:
        if worker is self.worker:
            live(self.quality_panel, "set_status", self.texts.feature_net_ready())

    def _on_eval_failed(self, worker, message: str, details: str) -> None:
        """Shown, never swallowed; training goes on without evaluations."""
        if worker is not self.worker and self.worker is not None:
            return  # from an earlier run, while another trains
        text = lambda: engine_text(message)  # noqa: E731
        self.quality_panel.set_status(text(), error=True, details=details)
        self._say(text)
        self.error_box = warn(self, text, details, self.texts.no_evaluations(), name="evalErrorDialog")

    def _class_rows_changed(self, on: bool) -> None:
        """ "One class per row" turned on: a fresh copy of G while training (else the one shown)."""
        if on and self.worker is not None:
            self.explorer.refresh()

    def _language_switched(self) -> None:
        """Texts built from state rather than set once (i18n.live keeps the rest)."""
        if self._alarm is not None and self.alarm_banner.isVisible():
            self.alarm_banner.show_alarm(translated_alarm(self._alarm))

    def _flush_curves(self) -> None:
        self.curves.flush()

    def toggle_pause(self) -> None:
        if self.worker is None or self.worker.control.stopped:
            return
        if self.worker.paused:
            self._apply_changes()
            self.worker.resume()
        else:
            self.worker.pause()  # the worker reports "paused" once it is parked between steps

    def _apply_changes(self) -> None:
        """Fields that may change while paused (learning rates, loss, D:G ratio: their metadata
        says so) apply on Resume/Step."""
        self.worker.set_hparams(**{k: v for k, v in self.session.hparams().items() if v is not None})

    def step_once(self) -> None:
        if self.worker is not None and self.worker.paused:
            self._apply_changes()
            self.worker.step_once()

    def stop(self) -> None:
        if self.worker is not None:
            loading = self.worker.trainer is None
            self._say(
                (lambda: self.tr("Cancelling the dataset load..."))
                if loading
                else (lambda: self.tr("Stopping: saving a checkpoint..."))
            )
            self.worker.stop()  # (again while stopping: a no-op)
            self.status.stopping(loading)

    # the run's state in words (status_line.py), for run_following and tests
    def set_run_state(self, text) -> None:
        self.status.set_run_state(text)

    def run_state_text(self) -> str:
        return self.status.run_state_text()

    def _on_failed(self, message: str, details: str) -> None:
        self.session.set_error(message)
        paused = self.worker is not None and self.worker.paused
        informative = (lambda: self.tr("Training is paused; the last good checkpoint is kept.")) if paused else ""
        self.error_box = warn(self, lambda: engine_text(message), details, informative, name="errorDialog")
        self._say(lambda: first_lines(engine_text(message)))

    def _on_finished(self, reason: str) -> None:
        self._flush_curves()
        if self.worker is not None and self.worker.evaluation_pending():
            # cancelled with the run (nothing waits for it); the next run trains it again
            live(self.quality_panel, "set_status", self.texts.feature_net_unfinished())
        thread, self.thread, self.worker = self.thread, None, None
        if thread is not None:
            thread.quit()
            thread.wait()
        self.session.set_state(IDLE)
        self.explorer.finished(self.run_path if reason != "cancelled" else None)
        self.sample_panel.set_live(False)
        self.status.finished(reason, self.run_path)
        if reason == "cancelled":
            self._say(lambda: self.tr("Loading cancelled; nothing was written."))
        elif self.run_path is not None:
            path = self.run_path
            self._say(lambda: self.tr("Training {how}; run saved in {run}").format(how=ended_words(reason), run=path))
        self.training_finished.emit(reason)
        if self._close_when_done:
            self.close()

    def _state_changed(self, state: str, old: str) -> None:
        """Paused: the curves show every row up to the step it is parked at, and the status
        says paused (no rate, no ETA); the rate's window starts again on Resume."""
        self.status.state_changed(state, old)  # first: the words stay true whatever the redraw does
        if state == PAUSED:
            self._flush_curves()
            step = self.status.last_step
            self._say(
                lambda: self.tr(
                    "Paused at step {step}: learning rates, loss and D steps may change; Resume or Step."
                ).format(step=step)
            )

    # ------------------------------------------------------------------ runs
    def open_run(self, path: str | Path | None = None, checkpoint: str = "latest") -> bool:
        """Show a saved (or still running) run; Train then continues it from ``checkpoint``:
        "latest", or "best" (checkpoints/best.safetensors, the best by the main metric)."""
        if path is None:
            path = QFileDialog.getExistingDirectory(
                self, self.tr("Open run"), str(RunDir(new_run_path("x")).path.parent)
            )
            if not path:
                return False
        if self.worker is not None:
            self._warn(lambda: self.tr("Stop training before opening another run."))
            return False
        self.following.cancel_wait()
        rd = RunDir(path)
        try:
            cfg = from_dict(rd.read_config())
        except GanstudioError as e:
            error = str(e)
            self._warn(lambda: self.tr("Cannot open {path}: {error}").format(path=path, error=engine_text(error)))
            self.recent.refresh()
            return False
        self.stop_following()
        best = best_checkpoint(rd.path) if checkpoint == "best" else None
        if checkpoint == "best" and best is None:
            checkpoint = "latest"
            self._warn(
                lambda: self.tr(
                    "{run} has no best checkpoint yet (written at the first quality evaluation); "
                    "opening its latest instead."
                ).format(run=rd.path.name)
            )
        self.session.open_run(rd.path, cfg, checkpoint)  # shown in the form; followed from now on
        self.controls.show_choices(
            lambda: self.tr(
                "The settings {run} was trained with. Train continues it; "
                "change the dataset or model to start a new run."
            ).format(run=rd.path.name)
        )
        first = self.following.start(rd)  # everything so far (the evaluations too); then what is new
        rows = first.rows
        self.loss_panel.set_rows(rows)
        self.following.add_event_markers(first.events)
        self.alarm_banner.hide()
        self.sample_panel.load_frames(rd.samples())
        self.quality_panel.show_utility_of(rd.path)  # RUN/utility.json, when measured
        self.sample_panel.set_generator(None)  # the run's checkpoint (below) brings its own
        self.points_panel.clear()
        # The live 2D view needs the training process; an opened run shows its saved
        # grids/scatter plots (training here switches back to the 2D view).
        self.visual.setCurrentWidget(self.sample_panel)
        last = rows[-1]["step"] if rows else 0
        self.status.opened(cfg.steps, last)
        self.sample_panel.set_live(False)
        self.following.show_state(rows[-1] if rows else None)
        ckpt = best or rd.latest_checkpoint()
        best_eval = self.quality_panel.best
        self._say(self.texts.opened(rd.path, ckpt, best_eval))
        self.setWindowTitle(f"ganstudio - {rd.path.name}")
        self.recent.add(rd.path)
        self.explorer.open_run(rd.path, quiet=True, checkpoint=best)
        return True

    # ------------------------------------------------------------------ following a run (run_following.py)
    @property
    def follower(self):
        """The opened run's RunFollower, while it is followed."""
        return self.following.follower

    def stop_following(self) -> None:
        """Stop polling the opened run (training starts here, another run opens, or closing)."""
        self.following.stop()
        self.session.stop_following()

    def is_following(self) -> bool:
        return self.following.active()

    def follow_checkpoint(self, path: Path) -> None:
        """A followed run committed a new checkpoint: the explorer (latent panel) loads it."""
        self.explorer.open_run(path.parent.parent, quiet=True)

    def save_checkpoint(self) -> None:
        if self.worker is None:
            self._say(lambda: self.tr("Nothing to save: no training is running (runs are saved when they stop)."))
            return
        # The trainer belongs to the worker thread: ask for a checkpoint between steps.
        self.worker.request_checkpoint()
        self._say(lambda: self.tr("Checkpoint requested..."))

    def export_grid(self, path: str | Path | None = None) -> bool:
        img = self.sample_panel.current_image()
        if img is None:
            self._warn(lambda: self.tr("No sample grid to export yet."))
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                self.tr("Export sample grid"),
                f"samples_step{self.sample_panel.current_step()}.png",
                self.tr("PNG images (*.png)"),
            )
            if not path:
                return False
        try:
            save_png(np.ascontiguousarray(img), path)
        except OSError as e:
            err = e.strerror or str(e)
            self._warn(lambda: self.tr("Cannot write {path}: {error}").format(path=path, error=err))
            return False
        self._say(lambda: self.tr("Exported {path}").format(path=path))
        return True

    def _warn(self, text) -> None:
        """``text``: a function giving the translated message (or a message from the engine, as is)."""
        fn = text if callable(text) else (lambda: engine_text(text))
        self._say(fn)
        self.error_box = warn(self, fn)

    # ------------------------------------------------------------------ shutdown
    def closeEvent(self, event) -> None:
        """Stop the worker (it saves a checkpoint) before the window goes; never hang the UI."""
        self.stop_following()
        if self.worker is not None and self.thread is not None:
            self._say(lambda: self.tr("Saving and stopping..."))
            self.worker.stop()
            if not self.thread.wait(STOP_TIMEOUT_MS):
                # Still loading data or inside an unusually long step: keep the window (and
                # the thread) alive and close from _on_finished once the checkpoint is saved.
                self._close_when_done = True
                self._say(lambda: self.tr("Finishing the current step and saving; the window closes when done."))
                event.ignore()
                return
            self.thread = self.worker = None
        self.explorer.shutdown()
        self.cycle_collector.close()
        off_switch(self._language_switched)
        super().closeEvent(event)
