"""The main window: pick data, model and loss, click Train, watch it learn.

The window is a view of a :class:`~ganstudio.app.session.Session` (docs/ARCHITECTURE.md,
"The app's state"): the config, the run shown, the checkpoint it continues from and the run state live
there; the Setup form is generated from the config's field metadata (setup_form.py), and the
buttons follow the Session's state. The worker builds the Trainer (worker.py).
"""

from __future__ import annotations

import gc
import math
import threading
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QSettings, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ganstudio.app.explorer import ExplorerTabs
from ganstudio.app.panels import LossPanel, Points2DPanel, SamplePanel
from ganstudio.app.panels.quality import AlarmBanner, QualityPanel
from ganstudio.app.panels.samples import read_png
from ganstudio.app.session import FOLLOWING, IDLE, LOADING, PAUSED, RUNNING, Session, TrainJob
from ganstudio.app.setup_form import AUTO, SetupForm  # noqa: F401  (AUTO: re-exported)
from ganstudio.app.worker import RunInfo, Snapshot, TrainingWorker
from ganstudio.config import dataset_choices, from_dict
from ganstudio.data.imageops import save_png
from ganstudio.devices import available_devices as _devices_here
from ganstudio.errors import GanstudioError, first_lines
from ganstudio.io.follow import RunFollower
from ganstudio.io.rundir import RunDir, new_run_path

DEFAULT_DATASET = "digits"
OPEN_FOLDER = "Open image folder..."
OPEN_FILE = "Open array/IDX file..."
MAX_RECENT = 10
STOP_TIMEOUT_MS = 2000
# The curves (losses, quality) redraw with every third snapshot that brings rows: their
# redraw is the costliest (new data, new ranges, new axes, in plots whose x axes are
# linked), and a curve gains little from each new second of rows, while the 2D view and the
# samples change visibly with every snapshot. Counted in snapshots, not on a wall-clock
# timer, so that the cadence follows training's (see worker.Pacer); a pause or the end of
# training draws what is pending at once. New evaluations are drawn on the same cadence,
# halfway between two loss redraws: the two panels' redraws and paints together were the UI
# thread's longest stretch (the 10 ms timer of bench/app_perf.py late by 100+ ms), and on
# ring8, which evaluates every 1.5 s, drawing each one as it came cost the UI thread as much as
# the loss curves.
FLUSH_EVERY = 3
QUALITY_AT = FLUSH_EVERY // 2 + 1  # the snapshot, counted from a loss redraw, that draws evaluations
# The UI thread collects Python's cyclic garbage this often (MainThreadGC). Once a second:
# every wake-up of the UI thread takes the GIL from training (docs/ARCHITECTURE.md, Threads).
GC_MS = 1000
FOLLOW_MS = 700  # polling an opened run's folder (~1.4 Hz)
LIVE_S = 60.0  # an opened run seen growing within this is taken to be still training elsewhere


# The Setup form's widgets, as attributes of the window (tests and users' scripts use them)
FORM_ATTRIBUTES = {
    "dataset_combo": "dataset",
    "model_combo": "model",
    "loss_combo": "loss",
    "image_size": "image_size",
    "batch_size": "batch_size",
    "z_dim": "z_dim",
    "lr_g": "lr_g",
    "lr_d": "lr_d",
    "d_steps": "d_steps",
    "ema": "ema",
    "seed": "seed",
    "steps": "steps",
    "device_combo": "device",
    "tensorboard_check": "tensorboard",
}
HINTS = {
    IDLE: "Pick a dataset and click Train. Curves, samples and the 2D view update live.",
    FOLLOWING: "Pick a dataset and click Train. Curves, samples and the 2D view update live.",
    LOADING: "Training. Pause to change learning rates, the loss or D steps.",
    RUNNING: "Training. Pause to change learning rates, the loss or D steps.",
    PAUSED: "Paused. Change learning rates, loss or D steps; they apply on Resume or Step.",
}


def dataset_names() -> list[str]:
    """The dataset list: built-ins, then the named real datasets whose files are here."""
    return dataset_choices()


def available_devices() -> list[str]:
    """The Device list: "auto", then the devices present (ganstudio.devices has the probes)."""
    return ["auto", *_devices_here()]


class MainThreadGC:
    """Python's cycle collector runs in whichever thread happens to allocate. Run from the
    training worker, it once destroyed a window's dead Qt objects there, and Qt's destructor
    waited for the GIL that thread held: the app froze (a test hung). While a window is open
    the collector runs here, in the UI thread, on a timer (pyqtgraph's GarbageCollector
    pattern), by CPython's own generation thresholds; the last window to close gives it back.
    A full collection scans every object (~0.1 s with torch loaded), so it waits until
    ``full_ok()`` says nothing is training; the young generations take ~1 ms.

    The start-up's imports (``app.warm_up``: torch._dynamo, sympy, ...) leave ~400,000
    objects that live as long as the process. Scanned in the middle generation, where they
    waited for a second collection, one such collection took 234 ms of the GIL while ring8
    trained: training stalled and the UI was late by as much. Once that thread is done
    (``freeze_after``) they move to the permanent generation (``gc.freeze``, O(1)), which
    collections never scan; until then nothing is collected."""

    _windows = 0

    def __init__(self, parent: QObject, full_ok=lambda: True):
        if MainThreadGC._windows == 0:
            gc.disable()
        MainThreadGC._windows += 1
        self._full_ok = full_ok
        self._freeze_after: threading.Thread | None = None
        self._timer = QTimer(parent, interval=GC_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()
        self._open = True
        parent.destroyed.connect(self.close)  # a window deleted without closing gives it back too

    def freeze_after(self, thread: threading.Thread) -> None:
        """Freeze what is alive once ``thread`` (the start-up's imports) has finished."""
        self._freeze_after = thread

    def collect(self) -> None:
        if self._freeze_after is not None:
            if self._freeze_after.is_alive():
                return  # scanning what is about to be frozen would be wasted (~0.1 s a time)
            self._freeze_after = None
            gc.freeze()
            return
        (n0, n1, n2), (t0, t1, t2) = gc.get_count(), gc.get_threshold()
        if n0 > t0 or n1 > t1:
            gc.collect(2 if n1 > t1 and n2 > t2 and self._full_ok() else 1 if n1 > t1 else 0)

    def close(self) -> None:
        if self._open:
            self._open = False
            self._timer.stop()
            MainThreadGC._windows -= 1
            if MainThreadGC._windows == 0:
                gc.enable()


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
        self.error_box: QMessageBox | None = None  # the last warning or error shown
        self._close_when_done = False  # closing waits for the worker to save
        self._waiting_for: Path | None = None  # a run folder awaited by `app --run` (see _open_when_ready)
        self._evals_size = -1  # size of the followed run's evals.jsonl when last read
        self._pending_rows: list[tuple[np.ndarray, dict[str, np.ndarray]]] = []
        self._pending_evals: list[dict] = []  # quality rows, drawn apart from the loss rows (FLUSH_EVERY)
        self._unflushed = 0  # snapshots with rows or evaluations since the loss curves were redrawn
        self._ui_clock: float | None = None  # this thread's CPU time at the last snapshot
        self.cycle_collector = MainThreadGC(self, full_ok=lambda: self.worker is None or self.worker.paused)
        # Following a run another process (or window) writes: poll its folder, don't watch it
        # (inotify misses changes on network and synced folders).
        self.follower: RunFollower | None = None
        self._follow_timer = QTimer(self, interval=FOLLOW_MS)
        self._follow_timer.timeout.connect(self._poll_run)
        self._build_ui()
        self._build_menus()
        self.session.events.state.connect(self._state_changed)
        self.session.events.config.connect(self._config_changed)
        self.session.choose_dataset(DEFAULT_DATASET)
        self._state_changed(self.session.state, self.session.state)
        if run is not None:
            QTimer.singleShot(0, lambda: self._open_when_ready(Path(run)))

    # ------------------------------------------------------------------ layout
    def _build_ui(self) -> None:
        self.setup_form = SetupForm(self.session)  # generated from TrainConfig's field metadata
        for attr, name in FORM_ATTRIBUTES.items():
            setattr(self, attr, self.setup_form.widgets[name])
        self.dataset_combo.addItems([OPEN_FOLDER, OPEN_FILE])
        self.setup_form.skip_values["dataset"] = {OPEN_FOLDER, OPEN_FILE}
        self.dataset_combo.activated.connect(lambda _: self._dataset_chosen())

        self.train_button = QPushButton("Train", objectName="trainButton")
        self.pause_button = QPushButton("Pause", objectName="pauseButton")
        self.step_button = QPushButton("Step", objectName="stepButton")
        self.stop_button = QPushButton("Stop", objectName="stopButton")
        self.train_button.setToolTip("Start a new run (or continue the opened run)")
        self.step_button.setToolTip("Train one step while paused")
        self.train_button.clicked.connect(self.train)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.step_button.clicked.connect(self.step_once)
        self.stop_button.clicked.connect(self.stop)
        buttons = QHBoxLayout()
        for b in (self.train_button, self.pause_button, self.step_button, self.stop_button):
            buttons.addWidget(b)

        side = QVBoxLayout()
        side.addWidget(self.setup_form)
        # What the data decided (after it loads): one line from trainer.choices
        self.choices_label = QLabel(wordWrap=True, objectName="choicesLabel")
        self.choices_label.setStyleSheet("color: #5a8fd0")
        self.choices_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        side.addWidget(self.choices_label)
        side.addLayout(buttons)
        self.hint = QLabel(wordWrap=True, objectName="hintLabel")
        self.hint.setStyleSheet("color: #666")
        side.addWidget(self.hint)
        side.addStretch(1)
        side_widget = QWidget()
        side_widget.setLayout(side)
        scroll = QScrollArea()
        scroll.setWidget(side_widget)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(300)
        scroll.setMaximumWidth(380)

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
        right = QSplitter(Qt.Orientation.Horizontal)
        right.addWidget(curves)
        self.explorer = ExplorerTabs(self.visual, self, self.session)  # Samples | Latent | Interpolation
        # "One class per row" in the Samples tab renders from the explorer's copy of G
        self.explorer.set_sample_panel(self.sample_panel)
        self.explorer.latent_panel.generator_changed.connect(self.sample_panel.set_generator)
        self.sample_panel.class_rows_changed.connect(self._class_rows_changed)
        right.addWidget(self.explorer)
        right.setSizes([560, 560])

        central = QWidget()
        lay = QHBoxLayout(central)
        lay.addWidget(scroll)
        self.alarm_banner = AlarmBanner()  # health alarms (ganstudio/health.py), over the plots
        column = QVBoxLayout()
        column.addWidget(self.alarm_banner)
        column.addWidget(right, 1)
        lay.addLayout(column, 1)
        self.setCentralWidget(central)

        self.progress = QProgressBar(objectName="progressBar")
        self.progress.setTextVisible(True)
        self.progress.setMinimumWidth(420)
        self.progress.setFormat("ready")
        self.statusBar().addPermanentWidget(self.progress)
        self.cancel_load_button = QPushButton("Cancel", objectName="cancelLoadButton")
        self.cancel_load_button.setToolTip("Stop loading the dataset")
        self.cancel_load_button.clicked.connect(self.stop)
        self.cancel_load_button.hide()  # shown only while a dataset loads
        self.statusBar().addPermanentWidget(self.cancel_load_button)

    def _build_menus(self) -> None:
        m = self.menuBar().addMenu("&File")

        def action(text, slot, shortcut=None, name=None):
            a = QAction(text, self)
            if shortcut is not None:
                a.setShortcut(shortcut)
            if name:
                a.setObjectName(name)
            a.triggered.connect(slot)
            m.addAction(a)
            return a

        action("&Open run...", lambda: self.open_run(), QKeySequence.StandardKey.Open, "openRunAction")
        action(
            "Open run at its &best checkpoint...",
            lambda: self.open_run(checkpoint="best"),
            QKeySequence("Ctrl+Shift+O"),
            "openBestRunAction",
        )
        self.recent_menu = m.addMenu("Recent runs")
        self.recent_menu.setObjectName("recentMenu")
        m.addSeparator()
        self.save_action = action(
            "&Save checkpoint", self.save_checkpoint, QKeySequence.StandardKey.Save, "saveCheckpointAction"
        )
        action("&Export sample grid...", lambda: self.export_grid(), QKeySequence("Ctrl+E"), "exportGridAction")
        m.addSeparator()
        action("&Quit", self.close, QKeySequence.StandardKey.Quit, "quitAction")
        self._refresh_recent()

    # ------------------------------------------------------------------ dataset & config
    def _dataset_chosen(self) -> None:
        text = self.dataset_combo.currentText()
        if text == OPEN_FOLDER:
            path = QFileDialog.getExistingDirectory(self, "Open image folder")
            self._add_dataset(f"folder:{path}" if path else None)
        elif text == OPEN_FILE:
            path, _ = QFileDialog.getOpenFileName(
                self,
                "Open array or IDX file",
                "",
                "Arrays and IDX (*.npz *.npy *ubyte *ubyte.gz *.idx *.gz);;All files (*)",
            )
            if path:
                kind = "npz" if path.endswith(".npz") else "npy" if path.endswith(".npy") else "idx"
                self._add_dataset(f"{kind}:{path}")
            else:
                self._add_dataset(None)

    def _add_dataset(self, spec: str | None) -> None:
        """Select a user dataset (inserted above the "Open..." entries), or go back on cancel."""
        if spec is None:
            self.dataset_combo.setCurrentText(self.session.config.dataset)
            return
        if self.dataset_combo.findText(spec) < 0:
            self.dataset_combo.insertItem(self.dataset_combo.findText(OPEN_FOLDER), spec)
        self.dataset_combo.setCurrentText(spec)

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
    def open_checkpoint(self) -> str:
        """Which checkpoint of an opened run Train continues: latest | best."""
        return self.session.open_checkpoint

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
        toy = self.session.kind == "2d"
        self.visual.setCurrentWidget(self.points_panel if toy else self.sample_panel)
        self.quality_panel.set_kind(self.session.kind)
        if "dataset" in names and self.session.applied:  # a dataset's defaults, not a run's settings
            cfg = self.session.config
            auto = [
                what
                for what, on in (("image size", cfg.image_size is None and not toy), ("z size", cfg.z_dim is None))
                if on
            ]
            self._show_choices(
                f"{' and '.join(auto).capitalize()}: auto, chosen from the data when it loads." if auto else ""
            )

    def _show_choices(self, text: str) -> None:
        self.choices_label.setText(text)
        self.choices_label.setToolTip(text)
        self.choices_label.setVisible(bool(text))

    # ------------------------------------------------------------------ training
    def train(self) -> None:
        """Start a new run from the controls, or continue the opened run if it is the same model."""
        if self.worker is not None:
            return
        live = self.follower is not None and self.follower.seen_writing(LIVE_S)
        self.stop_following()
        self._waiting_for = None
        job = self.session.plan_training(live)
        if job.note:
            self._warn(job.note)
        if not job.resume:
            self.loss_panel.clear()
            self.quality_panel.clear()
            self.sample_panel.clear()
            self.points_panel.clear()
        self.alarm_banner.hide()
        self._show_choices("")
        self._start_worker(job)
        self.statusBar().showMessage(f"Loading {job.config.dataset}...")

    def _arrows_toggled(self, on: bool) -> None:
        if self.worker is not None:  # the worker computes G's arrows only while they show
            self.worker.show_arrows(on)

    def _start_worker(self, job: TrainJob) -> None:
        """The worker builds the Trainer from ``job`` in its own thread (the data loads there)."""
        self.thread = QThread(self)
        self.thread.setObjectName("trainingThread")
        self.worker = TrainingWorker(job)
        self.worker.toy_arrows = self.points_panel.arrows_check.isChecked()
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
        self.progress.setRange(0, 0)  # busy until the loader knows how many files there are
        self.progress.setFormat("Loading the dataset...")
        self.cancel_load_button.show()
        self.thread.start()

    def _on_loading(self, done: int, total: int) -> None:
        if self.worker is None or self.worker.trainer is not None:
            return  # a late signal from a load that is over
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.setFormat(f"Loading images: {done} / {total}")
        else:
            self.progress.setRange(0, 0)
            self.progress.setFormat(f"Looking for images: {done} found")

    def _on_started(self, info: RunInfo) -> None:
        self.cancel_load_button.hide()
        resuming = self.worker is not None and self.worker.job.resume
        # what the data decided shows in the controls; the run's state is now "running"
        self.session.started(info.run_dir, info.config, info.kind, info.resumed_from)
        if resuming:
            self._show_choices(f"Continuing {info.run_dir.name} from step {info.step} with its own settings.")
        else:
            self._show_choices(info.choices)
        self.progress.setRange(0, info.config.steps)
        self.progress.setValue(info.step)
        self.progress.setFormat(f"step {info.step} / {info.config.steps}")
        if info.kind == "2d":
            self.points_panel.set_real(info.real_points, info.extent)
        self._add_recent(info.run_dir)
        self.explorer.started(info)
        self.statusBar().showMessage(
            f"Training {info.config.dataset} -> {info.run_dir}"
            + (f"  ({len(info.skipped)} unusable file(s) skipped, e.g. {info.skipped[0]})" if info.skipped else "")
        )
        self.setWindowTitle(f"ganstudio - {info.run_dir.name}")

    def _on_snapshot(self, snap: Snapshot) -> None:
        # What drawing costs this thread, for the worker to pace its snapshots (worker.Pacer).
        clock = time.thread_time()
        if self._ui_clock is not None and self.worker is not None:
            self.worker.report_ui_cpu(clock - self._ui_clock)
        self._ui_clock = clock
        if len(snap.steps):
            self._pending_rows.append((snap.steps, snap.values))
        self._pending_evals += [{"step": e.step, **e.values, "best": e.best} for e in snap.evals]
        if len(snap.steps) or snap.evals:
            self._unflushed += 1
        if self.worker is not None and self.worker.paused:
            self._flush_curves()  # the row of a Step, say: no more snapshots are coming to count on
        elif self._unflushed >= FLUSH_EVERY:
            self._flush_losses()
        elif self._unflushed == QUALITY_AT:
            self._flush_quality()
        for step, text in snap.markers:
            self.loss_panel.add_marker(step, text)
        for alarm in snap.alarms:
            self.alarm_banner.show_alarm(alarm)
        if snap.samples is not None:
            self.sample_panel.add_frame(snap.samples.step, snap.samples.image, snap.samples.path)
            self.worker and self.worker.ack_image()
        if snap.toy is not None:
            self.points_panel.update_state(snap.toy.fake, snap.toy.field, snap.toy.arrows)
        rate = snap.steps_per_s
        eta = (snap.total - snap.step) / rate if rate > 0 else math.inf
        eta_text = _duration(eta) if math.isfinite(eta) else "--"
        self.progress.setMaximum(snap.total)
        self.progress.setFormat(f"step {snap.step} / {snap.total}   {rate:.0f} steps/s   ETA {eta_text}")
        # Last: a new value repaints the bar at once, with the format above (set after, the
        # format cost a second paint of the status bar per snapshot).
        self.progress.setValue(min(snap.step, snap.total))

    # --- the quality feature net, trained in the background (see worker.py) ---
    def _on_eval_progress(self, worker, done: int, total: int) -> None:
        if worker is not self.worker:
            return  # a late report from a run that is over
        if total:
            self.quality_panel.set_status(
                f"Training the quality feature net: {done} / {total} updates. "
                "Training goes on; evaluations start once it is ready."
            )
        else:
            self.quality_panel.set_status(
                "Training the quality feature net (once per dataset, then cached). "
                "Training goes on; evaluations start once it is ready."
            )

    def _on_eval_ready(self, worker) -> None:
        if worker is self.worker:
            self.quality_panel.set_status("Quality feature net ready: evaluations run from the next evaluation step.")

    def _on_eval_failed(self, worker, message: str, details: str) -> None:
        """Shown, never swallowed; training goes on without evaluations."""
        if worker is not self.worker and self.worker is not None:
            return  # from an earlier run, while another trains
        self.quality_panel.set_status(message, error=True, details=details)
        self.statusBar().showMessage(message)
        box = QMessageBox(QMessageBox.Icon.Warning, "ganstudio", message, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("evalErrorDialog")
        if details:
            box.setDetailedText(details)
        box.setInformativeText("Training goes on; this run has no quality evaluations.")
        box.setModal(False)
        box.show()
        self.error_box = box

    def _class_rows_changed(self, on: bool) -> None:
        """ "One class per row" turned on: a fresh copy of G while training (else the one shown)."""
        if on and self.worker is not None:
            self.explorer.refresh()

    def _flush_curves(self) -> None:
        self._flush_losses()
        self._flush_quality()

    def _flush_losses(self) -> None:
        self._unflushed = 0
        rows, self._pending_rows = self._pending_rows, []
        if rows:
            self.loss_panel.append(
                np.concatenate([r[0] for r in rows]), {k: np.concatenate([r[1][k] for r in rows]) for k in rows[0][1]}
            )

    def _flush_quality(self) -> None:
        evals, self._pending_evals = self._pending_evals, []
        if evals:
            self.quality_panel.append_rows(evals)

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
            self.statusBar().showMessage(
                "Cancelling the dataset load..." if loading else "Stopping: saving a checkpoint..."
            )
            self.worker.stop()  # (again while stopping: a no-op)

    def _on_failed(self, message: str, details: str) -> None:
        self.session.set_error(message)
        box = QMessageBox(QMessageBox.Icon.Warning, "ganstudio", message, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("errorDialog")
        if details:
            box.setDetailedText(details)
        box.setInformativeText(
            "Training is paused; the last good checkpoint is kept." if self.worker and self.worker.paused else ""
        )
        box.setModal(False)  # never block the event loop (or a test) on a dialog
        box.show()
        self.error_box = box
        self.statusBar().showMessage(first_lines(message))

    def _on_finished(self, reason: str) -> None:
        self._flush_curves()
        if self.worker is not None and self.worker.evaluation_pending():
            # cancelled with the run (nothing waits for it); the next run trains it again
            self.quality_panel.set_status(
                "The quality feature net was not finished when training stopped; "
                "it trains again with the next run on this data."
            )
        thread, self.thread, self.worker = self.thread, None, None
        if thread is not None:
            thread.quit()
            thread.wait()
        self.session.set_state(IDLE)
        self.explorer.finished(self.run_path if reason != "cancelled" else None)
        self.cancel_load_button.hide()
        if reason == "cancelled":
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress.setFormat("ready")
            self.statusBar().showMessage("Loading cancelled; nothing was written.")
        elif self.run_path is not None:
            self.statusBar().showMessage(f"Training {reason}; run saved in {self.run_path}")
        self.training_finished.emit(reason)
        if self._close_when_done:
            self.close()

    def _state_changed(self, state: str, old: str) -> None:
        """The buttons and the hint follow the Session's run state (the form follows it itself)."""
        if state == PAUSED:
            self._flush_curves()  # show every row up to the step it is parked at
        training = self.session.training
        self.train_button.setEnabled(not training)
        self.pause_button.setEnabled(training)
        self.pause_button.setText("Resume" if state == PAUSED else "Pause")
        self.step_button.setEnabled(state == PAUSED)
        self.stop_button.setEnabled(training)
        self.hint.setText(HINTS[state])

    # ------------------------------------------------------------------ runs
    def _open_when_ready(self, path: Path) -> None:
        """`app --run DIR` right after submitting a job: the folder may exist before its
        config.json does. Wait for it (polling, as following does) instead of refusing."""
        if self._waiting_for not in (None, path):
            return  # the user opened something else meanwhile
        if not path.is_dir() or (path / "config.json").exists():
            self._waiting_for = None
            self.open_run(path)
            return
        self._waiting_for = path
        self.statusBar().showMessage(f"Waiting for {path} to start (no config.json yet)...")
        QTimer.singleShot(FOLLOW_MS, lambda: self._open_when_ready(path) if self._waiting_for == path else None)

    def open_run(self, path: str | Path | None = None, checkpoint: str = "latest") -> bool:
        """Show a saved (or still running) run; Train then continues it from ``checkpoint``:
        "latest", or "best" (checkpoints/best.safetensors, the best by the main metric)."""
        if path is None:
            path = QFileDialog.getExistingDirectory(self, "Open run", str(RunDir(new_run_path("x")).path.parent))
            if not path:
                return False
        if self.worker is not None:
            self._warn("Stop training before opening another run.")
            return False
        self._waiting_for = None
        rd = RunDir(path)
        try:
            cfg = from_dict(rd.read_config())
        except GanstudioError as e:
            self._warn(f"Cannot open {path}: {e}")
            self._refresh_recent()
            return False
        self.stop_following()
        if checkpoint == "best" and not rd.best_checkpoint_path.exists():
            checkpoint = "latest"
            self._warn(
                f"{rd.path.name} has no best checkpoint yet (written at the first quality evaluation); "
                "opening its latest instead."
            )
        self.session.open_run(rd.path, cfg, checkpoint)  # shown in the form; followed from now on
        self._reload_evals(rd, force=True)
        self.alarm_banner.hide()
        self.follower = RunFollower(rd.path)
        first = self.follower.poll()  # everything so far; later polls bring only what is new
        rows = first.rows
        self.loss_panel.set_rows(rows)
        self.sample_panel.load_frames(rd.samples())
        self.sample_panel.set_generator(None)  # the run's checkpoint (below) brings its own
        self.points_panel.clear()
        # The live 2D view needs the training process; an opened run shows its saved
        # grids/scatter plots (training here switches back to the 2D view).
        self.visual.setCurrentWidget(self.sample_panel)
        last = rows[-1]["step"] if rows else 0
        self.progress.setRange(0, max(cfg.steps or 1, 1))
        self.progress.setValue(min(last, self.progress.maximum()))
        self.progress.setFormat(f"step {last} / {cfg.steps}  (opened)")
        ckpt = rd.best_checkpoint_path if self.open_checkpoint == "best" else rd.latest_checkpoint()
        best = self.quality_panel.best
        self.statusBar().showMessage(
            f"Opened {rd.path}"
            + (f"; Train continues from {ckpt.name}" if ckpt else "; no checkpoint")
            + (f"; best quality at step {best[0]}" if best else "")
        )
        self.setWindowTitle(f"ganstudio - {rd.path.name}")
        self._add_recent(rd.path)
        self.explorer.open_run(
            rd.path, quiet=True, checkpoint=rd.best_checkpoint_path if self.open_checkpoint == "best" else None
        )
        self._add_event_markers(first.events)
        self._follow_timer.start()  # the run may still be training elsewhere: follow it
        return True

    # ------------------------------------------------------------------ following a run
    def stop_following(self) -> None:
        """Stop polling the opened run (training starts here, another run opens, or closing)."""
        self._follow_timer.stop()
        self.follower = None
        self.session.stop_following()

    def is_following(self) -> bool:
        return self.follower is not None and self._follow_timer.isActive()

    def _poll_run(self) -> None:
        f = self.follower
        if f is None:
            return
        u = f.poll()
        if u.error:
            self.statusBar().showMessage(f"Following {f.path.name}: {u.error}; retrying")
            return
        if u.reset:  # a resume rewrote metrics.jsonl
            self.loss_panel.set_rows(u.rows)
        elif u.rows:
            self.loss_panel.append_rows(u.rows)  # read as opening a run reads them
        self._add_event_markers(u.events)
        self._reload_evals(RunDir(f.path))
        if u.sample is not None:
            step, path = u.sample
            try:
                self.sample_panel.add_frame(step, read_png(path), path)
            except (OSError, ValueError):
                pass  # pruned or unreadable meanwhile; the next grid comes soon
        if u.checkpoint is not None:
            self.follow_checkpoint(u.checkpoint[1])
        step = f.step if f.step is not None else 0
        if u.rows or u.reset:
            total = max(self.run_config.steps or 1, 1) if self.run_config else max(step, 1)
            self.progress.setRange(0, max(total, step))
            self.progress.setValue(step)
            self.progress.setFormat(f"step {step} / {total}  (following)")
        ago = f.updated_ago()
        self.statusBar().showMessage(
            f"Following {f.path.name} \u2014 step {step}, "
            + (f"updated {_duration(ago)} ago" if ago is not None else "no metrics yet")
        )

    def follow_checkpoint(self, path: Path) -> None:
        """A followed run committed a new checkpoint: the explorer (latent panel) loads it."""
        self.explorer.open_run(path.parent.parent, quiet=True)

    def _reload_evals(self, rd: RunDir, force: bool = False) -> None:
        """Quality rows of an opened/followed run (evals.jsonl is small: re-read when it changes)."""
        try:
            size = rd.evals_path.stat().st_size
        except OSError:
            size = -1
        if force or size != self._evals_size:
            self._evals_size = size
            try:
                self.quality_panel.set_rows(rd.read_evals())
            except GanstudioError:
                pass  # unreadable right now (a network folder); the next poll retries

    def _add_event_markers(self, events: list[dict]) -> None:
        for e in events:
            if e.get("event") == "set" and isinstance(e.get("changes"), dict) and isinstance(e.get("step"), int):
                self.loss_panel.add_marker(e["step"], ", ".join(f"{k}={v}" for k, v in e["changes"].items()))

    def save_checkpoint(self) -> None:
        if self.worker is None:
            self.statusBar().showMessage("Nothing to save: no training is running (runs are saved when they stop).")
            return
        # The trainer belongs to the worker thread: ask for a checkpoint between steps.
        self.worker.request_checkpoint()
        self.statusBar().showMessage("Checkpoint requested...")

    def export_grid(self, path: str | Path | None = None) -> bool:
        img = self.sample_panel.current_image()
        if img is None:
            self._warn("No sample grid to export yet.")
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export sample grid", f"samples_step{self.sample_panel.current_step()}.png", "PNG (*.png)"
            )
            if not path:
                return False
        try:
            save_png(np.ascontiguousarray(img), path)
        except OSError as e:
            self._warn(f"Cannot write {path}: {e.strerror or e}")
            return False
        self.statusBar().showMessage(f"Exported {path}")
        return True

    def _recent(self) -> list[str]:
        try:
            value = self.settings.value("recentRuns", [])
        except Exception:  # noqa: BLE001 - a corrupt settings file must never stop the app
            value = []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)):  # e.g. an int or bytes from a damaged file
            return []
        return [v for v in value if isinstance(v, str)]

    def _add_recent(self, path: Path) -> None:
        items = [str(path)] + [p for p in self._recent() if p != str(path)]
        self.settings.setValue("recentRuns", items[:MAX_RECENT])
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        existing = [p for p in self._recent() if (Path(p) / "config.json").exists()]  # drop runs deleted since
        for p in existing:
            a = self.recent_menu.addAction(p)
            a.triggered.connect(lambda _=False, p=p: self.open_run(p))
        self.recent_menu.setEnabled(bool(existing))

    def _warn(self, text: str) -> None:
        self.statusBar().showMessage(text)
        box = QMessageBox(QMessageBox.Icon.Warning, "ganstudio", text, QMessageBox.StandardButton.Ok, self)
        box.setModal(False)
        box.show()
        self.error_box = box

    # ------------------------------------------------------------------ shutdown
    def closeEvent(self, event) -> None:
        """Stop the worker (it saves a checkpoint) before the window goes; never hang the UI."""
        self.stop_following()
        if self.worker is not None and self.thread is not None:
            self.statusBar().showMessage("Saving and stopping...")
            self.worker.stop()
            if not self.thread.wait(STOP_TIMEOUT_MS):
                # Still loading data or inside an unusually long step: keep the window (and
                # the thread) alive and close from _on_finished once the checkpoint is saved.
                self._close_when_done = True
                self.statusBar().showMessage("Finishing the current step and saving; the window closes when done.")
                event.ignore()
                return
            self.thread = self.worker = None
        self.explorer.shutdown()
        self.cycle_collector.close()
        super().closeEvent(event)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s" if m else f"{s}s"
