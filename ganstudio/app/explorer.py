"""The tabs beside the loss curves: Samples | Latent | Interpolation, and where the explorer's
generator comes from.

While training, the worker hands over a frozen copy of G (``TrainingWorker.request_generator``)
every ``REFRESH_MS`` while a Latent/Interpolation tab is shown, and on Refresh or the EMA
toggle; rendering then never touches the training weights (docs/ARCHITECTURE.md, "Exploration
never waits for training"). When training stops, and for a run opened from disk, G comes from
the run's latest checkpoint instead, so exports can name the exact file that reproduces them.
The Samples tab's "One class per row" renders from the same copy (it is refreshed while that
view is shown, too).

The run explored is the :class:`~ganstudio.app.session.Session`'s (``session.run_path``); the
tabs keep no copy of it (docs/ARCHITECTURE.md, "The app's state").
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QSplitter, QTabWidget, QWidget

from ganstudio import explore
from ganstudio.app.engine_text import engine_text
from ganstudio.app.i18n import live
from ganstudio.app.panels.interpolation import InterpolationView
from ganstudio.app.panels.latent import LatentPanel
from ganstudio.app.session import Session
from ganstudio.errors import GanstudioError
from ganstudio.io.rundir import RunDir

REFRESH_MS = 3000  # a fresh copy of G every 3 s while exploring during training
EXPLORE_WIDTH = 760  # the tabs widen to this when an explorer tab is chosen (the sliders need room)
MIN_LOSS_WIDTH = 280


class ExplorerTabs(QTabWidget):
    def __init__(self, samples: QWidget, window, session: Session | None = None):
        super().__init__()
        self.session = session if session is not None else Session()
        self.setObjectName("visualTabs")
        self.window_ = window
        self.latent_panel = LatentPanel()
        self.interpolation_view = InterpolationView(self.latent_panel.state)
        for i, (page, title) in enumerate(
            (
                (samples, lambda: self.tr("Samples")),
                (self.latent_panel, lambda: self.tr("Latent")),
                (self.interpolation_view, lambda: self.tr("Interpolation")),
            )
        ):
            self.addTab(page, "")
            live(self, "setTabText", title, i)
        live(self, "setTabToolTip", lambda: self.tr("Move through the generator's latent space with sliders"), 1)
        live(
            self,
            "setTabToolTip",
            lambda: self.tr("Interpolate between latents; grid walks; export GIF/PNG with recipes"),
            2,
        )
        self.worker = None  # the training worker, while one runs: copies of G come from it
        self._ema_available: bool | None = None  # whether the training run keeps an EMA of G
        self.sample_panel = None  # SamplePanel: its class rows render from our G as well
        self._timer = QTimer(self, interval=REFRESH_MS)
        self._timer.timeout.connect(self._tick)
        self.latent_panel.refresh_requested.connect(self.refresh)
        # the Latent tab says its messages in its own line, where they stay until the user acts
        self.interpolation_view.message.connect(self._message)
        self.currentChanged.connect(self._tab_changed)

    def exploring(self) -> bool:
        return self.currentWidget() in (self.latent_panel, self.interpolation_view)

    def set_sample_panel(self, panel) -> None:
        self.sample_panel = panel
        # directions by example and cells of the grid go to the Latent tab
        panel.direction_fitted.connect(self._direction_fitted)
        panel.explore_cell.connect(self._explore_cell)
        panel.project_cell.connect(self._project_cell)

    def _direction_fitted(self, name: str, vector, directions) -> None:
        self.latent_panel.add_named_direction(name, vector, directions)

    def _explore_cell(self, z, what: str) -> None:
        if self.latent_panel.snap is None or self.latent_panel.snap.z_dim != z.shape[0]:
            return
        self.setCurrentWidget(self.latent_panel)
        self.latent_panel.set_latent(z, what)

    def _project_cell(self, image, what: str) -> None:
        self.setCurrentWidget(self.latent_panel)
        self.latent_panel.project_image(image, what)

    def wants_generator(self) -> bool:
        """Whether a view on show renders from G: the Latent/Interpolation tabs, or the
        Samples tab with one class per row."""
        if self.exploring():
            return True
        p = self.sample_panel
        return p is not None and self.currentIndex() == 0 and p.isVisible() and p.class_rows()

    # ------------------------------------------------------------------ sources of G
    def attach(self, worker) -> None:
        """A training worker started: its copies of G feed the explorer from now on."""
        self.worker = worker
        worker.generator.connect(self._on_generator)
        self._timer.start()

    def started(self, info) -> None:
        """The trainer exists (RunInfo; the Session holds its run): learn its 2D data, ask for a first G."""
        self._ema_available = bool(info.config.ema)
        if info.kind == "2d":
            self.latent_panel.set_real(info.real_points, info.extent)
        else:
            self.latent_panel.set_real(None)
        self.refresh()

    def finished(self, run_path: Path | None) -> None:
        """Training ended: explore the checkpoint it saved (the same weights, now on disk)."""
        self.worker = None
        self._timer.stop()
        if run_path is not None:
            self.open_run(run_path, quiet=True)

    def open_run(self, path: str | Path, quiet: bool = False, checkpoint: Path | None = None) -> bool:
        """Load a run's latest checkpoint, or ``checkpoint`` (EMA per the toggle), into the explorer."""
        ckpt = checkpoint if checkpoint is not None and checkpoint.exists() else RunDir(path).latest_checkpoint()
        if ckpt is None:
            if not quiet:
                name = Path(path).name
                self._message(lambda: self.tr("{run} holds no checkpoint yet: nothing to explore").format(run=name))
            return False
        try:
            ema_available = explore.has_ema(ckpt)
            want = self.latent_panel.ema_toggle.isChecked() or not self.latent_panel.ema_toggle.isEnabled()
            snap = explore.snapshot_from_checkpoint(ckpt, ema=want and ema_available, run=path)
        except (GanstudioError, OSError, ValueError) as e:
            error = str(e)
            self._message(
                lambda: self.tr("Cannot explore {checkpoint}: {error}").format(
                    checkpoint=ckpt.name, error=engine_text(error)
                )
            )
            return False
        if snap.is_2d and (
            self.latent_panel.snap is None
            or not self.latent_panel.snap.is_2d
            or self.latent_panel.snap.dataset != snap.dataset
        ):
            self.latent_panel.set_real(explore.real_points(snap.dataset))
        self.latent_panel.set_generator(snap, ema_available=ema_available)
        return True

    def refresh(self, ema: bool | None = None) -> None:
        """A fresh G: from the training worker, else from the run's latest checkpoint."""
        if ema is None:
            ema = self.latent_panel.ema_toggle.isChecked() or self.latent_panel.snap is None
        if self.worker is not None:
            self.worker.request_generator(ema)  # answered between steps (also while paused)
        elif self.session.run_path is not None:
            with_toggle = self.latent_panel.ema_toggle
            with_toggle.blockSignals(True)
            with_toggle.setChecked(ema)
            with_toggle.blockSignals(False)
            self.open_run(self.session.run_path)

    def _on_generator(self, snap: explore.GeneratorSnapshot) -> None:
        if self.worker is None:
            return  # a late copy from a worker that has finished: the checkpoint is loaded instead
        self.latent_panel.set_generator(
            snap, ema_available=snap.ema if self._ema_available is None else self._ema_available
        )

    def _tick(self) -> None:
        if self.worker is not None and self.wants_generator():
            self.refresh()

    # ------------------------------------------------------------------ UI
    def _tab_changed(self, _index: int) -> None:
        if not self.exploring():
            if self.worker is not None and self.wants_generator():
                self.refresh()  # back on the class rows: a fresh G
            return
        split = self.parent()
        if isinstance(split, QSplitter) and split.count() == 2:
            sizes = split.sizes()
            want = min(EXPLORE_WIDTH, sum(sizes) - MIN_LOSS_WIDTH)  # the curves stay readable
            if 0 < sizes[1] < want:
                split.setSizes([sum(sizes) - want, want])
        if self.worker is not None:
            self.refresh()

    def _message(self, text) -> None:
        """``text``: a function giving it translated, or a message already translated (a tab's)."""
        self.window_.statusBar().showMessage(text() if callable(text) else text, 10_000)

    def shutdown(self) -> None:
        """Stop timers and wait for a principal-directions computation (window closing)."""
        self._timer.stop()
        self.interpolation_view.play_button.setChecked(False)
        self.latent_panel.wait_background()
