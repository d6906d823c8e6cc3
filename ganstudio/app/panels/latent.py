"""The Latent tab: G(z) for one latent, moved by sliders along raw or principal directions.

The tab is a view of a :class:`~ganstudio.app.latent_state.LatentState` (``panel.state``: the
generator explored, the latent, the directions, psi, the class and the named directions), which
the Interpolation tab views too. Its widgets each have one job: the preview
(panels/latent_preview.py), the latent's own controls (panels/latent_controls.py), the
direction sliders (panels/direction_sliders.py), finding an image in G and the nearest
training images (panels/latent_find.py) and the named directions (panels/named_directions.py).
This module lays them out, loads and saves the run's named directions, and exports the preview.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ganstudio import explore
from ganstudio.app.engine_text import engine_text
from ganstudio.app.i18n import forget, live
from ganstudio.app.latent_state import LatentState
from ganstudio.app.panels.direction_sliders import DirectionSliders
from ganstudio.app.panels.find_views import ElidedLabel
from ganstudio.app.panels.latent_controls import LatentControls
from ganstudio.app.panels.latent_find import FindSide
from ganstudio.app.panels.latent_preview import LatentPreview
from ganstudio.app.panels.named_directions import NamedDirectionsBox
from ganstudio.errors import GanstudioError
from ganstudio.generator import GeneratorSnapshot


class LatentPanel(QWidget):
    """Preview, seed/psi/EMA controls and ``N_SLIDERS`` direction sliders (``latentSlider0..``)."""

    preview_updated = Signal()  # a new preview is on screen (tests, bench)
    generator_changed = Signal(object)  # GeneratorSnapshot
    latent_changed = Signal()  # seed, offsets, psi, class or named directions moved
    directions_changed = Signal()
    refresh_requested = Signal(bool)  # EMA wanted; the explorer fetches a fresh copy of G
    message = Signal(str)  # one-line status for the main window

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("latentPanel")
        explore.use_one_thread_here()
        self.state = st = LatentState()
        self.preview = LatentPreview(st)
        self.directions_box = DirectionSliders(st)
        self.controls = LatentControls(st, self.directions_box)
        self.named_box = NamedDirectionsBox(st)
        self.find = FindSide(st, self.preview, self.named_box)
        self.info = ElidedLabel(objectName="latentInfoLabel")
        self._info_source: str | None = None  # the latent's source the info line names
        self.info.setStyleSheet("color: #666")
        # the tab's own messages, in place of the info line until the user acts in the tab (a click
        # or a key): a snapshot update never replaces them, and the full text is on hover when cut
        self.message_label = ElidedLabel(objectName="latentMessageLabel")
        self.message_label.setStyleSheet("color: #a05a00")
        self.message_label.hide()
        self.message.connect(self.show_message)
        self.export_button = QPushButton(objectName="exportPreviewButton")
        live(self.export_button, "setText", lambda: self.tr("Export preview..."))
        live(self.export_button, "setToolTip", lambda: self.tr("Save the preview as PNG with a JSON recipe beside it"))
        self.export_button.clicked.connect(lambda: self.export_preview())

        # the tab's widgets and their parts, by the names scripts, tests and benches use
        self.view = self.preview
        self.image_item, self.mesh_item = self.preview.image_item, self.preview.mesh_item
        self.point_item, self.real_item = self.preview.point_item, self.preview.real_item
        c, d = self.controls, self.directions_box
        self.seed_spin, self.psi_slider, self.class_combo = c.seed_spin, c.psi_slider, c.class_combo
        self.ema_toggle, self.refresh_button = c.ema_toggle, c.refresh_button
        self.directions_combo, self.directions_info = d.directions_combo, d.directions_info
        self.sliders, self.slider_names, self.slider_values = d.sliders, d.slider_names, d.slider_values
        self.finder, self.find_box, self.neighbours_view = (
            self.find.finder,
            self.find.find_box,
            self.find.neighbours_view,
        )
        self.projection_progress = self.find.projection_progress
        self.projection_finished = self.find.projection_finished
        self.neighbours_updated = self.find.neighbours_updated

        view_row = QHBoxLayout()
        view_row.addWidget(self.preview, 1)
        view_row.addWidget(self.find)
        bottom = QHBoxLayout()
        bottom.addWidget(self.info, 1)
        bottom.addWidget(self.message_label, 1)
        bottom.addWidget(self.export_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(4)
        lay.addLayout(view_row, 1)
        lay.addLayout(bottom)
        lay.addWidget(self.controls)
        lay.addWidget(self.directions_box)
        lay.addWidget(self.named_box)

        self.preview.rendered.connect(self._rendered)
        self.controls.refresh_requested.connect(self.refresh_requested)
        for w in (self.directions_box, self.find):
            w.message.connect(self.message)
        self.find.direction_found.connect(self.add_named_direction)
        st.events.generator.connect(self._generator_changed)
        st.events.latent.connect(self._latent_changed)
        st.events.directions.connect(self.directions_changed.emit)
        st.events.run.connect(self._run_changed)
        for w in [self, *self.findChildren(QWidget)]:
            w.installEventFilter(self)  # a click or key in the tab: its message has been seen

    # ------------------------------------------------------------------ messages
    def show_message(self, text: str) -> None:
        """Say ``text`` in the tab, in place of the info line, until the user acts in the tab."""
        if not text:
            self.clear_message()
            return
        self.message_label.setText(text)
        self.message_label.show()
        self.info.hide()

    def clear_message(self) -> None:
        self.message_label.setText("")
        self.message_label.hide()
        self.info.show()

    def shown_message(self) -> str:
        """The tab's message on show ("" if none)."""
        return self.message_label.text() if not self.message_label.isHidden() else ""

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress) and not self.message_label.isHidden():
            self.clear_message()  # before the widget acts: what it says next stays
        return False

    def _run_changed(self, _snap) -> None:
        """Another run: the last one's messages go; what its change cleared is said."""
        self.clear_message()
        if self.state.note:
            self.show_message(self.state.note)

    # ------------------------------------------------------------------ the generator
    def set_generator(self, snap: GeneratorSnapshot, ema_available: bool | None = None) -> None:
        """Show ``snap``'s G; keeps seed, sliders and psi (and directions, when the latent size matches)."""
        self.state.set_generator(snap, ema_available)

    def _generator_changed(self, snap: GeneratorSnapshot, new_model: bool) -> None:
        if snap.run is not None:
            self._load_run_directions(snap)
        if new_model:
            self.preview.new_model(snap.is_2d)
        self._update_info()
        self.generator_changed.emit(snap)
        self.preview.render_now()

    def set_real(self, points: np.ndarray | None, extent: tuple[float, float] | None = None) -> None:
        """Real data (N, 2) drawn behind the 2D manifold."""
        self.preview.set_real(points, extent)

    @property
    def snap(self) -> GeneratorSnapshot | None:
        return self.state.snap

    @property
    def z_dim(self) -> int | None:
        return self.state.z_dim

    # ------------------------------------------------------------------ the latent (the state's)
    @property
    def directions(self):
        return self.state.directions

    @property
    def directions_source(self) -> str:
        return self.state.directions_source

    def seed(self) -> int:
        return self.state.seed

    def psi(self) -> float:
        return self.state.psi

    def offsets(self) -> list[float]:
        return self.state.offsets()

    def set_offsets(self, values) -> None:
        self.state.set_offsets(values)

    def set_latent(self, z: torch.Tensor, what: str, step: int | None = None) -> None:
        self.state.set_latent(z, what, step)

    def current_latent(self) -> torch.Tensor:
        return self.state.current_latent()

    def class_override(self) -> int | None:
        return self.state.class_override()

    def latent_source(self) -> str | None:
        return self.state.latent_source()

    def recipe(self) -> dict[str, Any]:
        return self.state.recipe()

    def current_image(self) -> np.ndarray | None:
        return self.preview.current_image()

    def current_output(self) -> np.ndarray | None:
        return self.preview.current_output()

    def current_point(self) -> np.ndarray | None:
        return self.preview.current_point()

    def current_mesh(self) -> np.ndarray | None:
        return self.preview.current_mesh()

    def _latent_changed(self) -> None:
        if self.state.latent_source() != self._info_source:  # a found latent came or went
            self._update_info()
        self.latent_changed.emit()

    def _rendered(self) -> None:
        if self.state.conditional and not self.state.snap.is_2d:
            self.directions_box.show_drawn_class(self.preview.drawn_class)
            self.controls.show_drawn_class()
        if not self.state.snap.is_2d:
            self.find.preview_changed()
        self.preview_updated.emit()

    def _update_info(self) -> None:
        s = self.state.snap
        self._info_source = what = self.state.latent_source()
        if s is None:
            forget(self.info, "setText")
            self.info.setText("")
            return
        ckpt, step, ema, found = (
            s.checkpoint.name if s.checkpoint is not None else None,
            s.step,
            s.ema,
            self.state.base_step,
        )

        def text() -> str:
            src = ckpt if ckpt is not None else self.tr("live snapshot of training")
            weights = self.tr("EMA weights") if ema else self.tr("live weights")
            line = self.tr("step {step}  ·  {weights}  ·  {source}").format(step=step, weights=weights, source=src)
            if what is None:
                return line
            latent = what  # what the latent is (a seed, a projection): said where it was made
            if found is not None and found != step:
                latent = self.tr("{latent} (found at step {step})").format(latent=what, step=found)
            return self.tr("{line}  ·  latent: {latent}").format(line=line, latent=latent)

        live(self.info, "setText", text)

    # ------------------------------------------------------------------ directions
    def load_directions(self, path: str | Path) -> bool:
        """Directions saved by `ganstudio directions --out FILE.json`."""
        return self.directions_box.load_directions(path)

    def compute_directions(self) -> None:
        self.directions_box.compute_directions()

    def pca_running(self) -> bool:
        return self.directions_box.pca_running()

    def wait_background(self, timeout: float = 60.0) -> None:
        """Join the PCA thread if one runs, and stop the finder's (closing, tests)."""
        self.directions_box.wait_background(timeout)
        self.find.shutdown(timeout)

    def _load_run_directions(self, snap: GeneratorSnapshot) -> None:
        from ganstudio.example_directions import load_run_directions

        have = {e["name"] for e in self.state.named}
        for name, vec, path in load_run_directions(snap.run, snap.z_dim):
            if name not in have:
                self.state.add_named(name, vec, path)

    def add_named_direction(self, name: str, vector: torch.Tensor, save_as=None) -> Path | None:
        """A slider for a direction by example; saved with the run (RUN/directions/NAME.json,
        the `ganstudio directions` format) when ``save_as`` (latent.Directions) is given and
        the generator belongs to a run. Returns the file written, if any."""
        path = None
        snap = self.state.snap
        if save_as is not None and snap is not None and snap.run is not None:
            from ganstudio.example_directions import save_direction

            try:
                path = save_direction(snap.run, save_as)
            except GanstudioError as e:
                self.message.emit(engine_text(str(e)))
        self.state.add_named(name, vector, path)
        self.message.emit(
            self.tr("Direction '{name}' added and saved as {path}").format(name=name, path=path)
            if path
            else self.tr("Direction '{name}' added").format(name=name)
        )
        self.state.events.latent.emit()
        return path

    # ------------------------------------------------------------------ finding (panels/latent_find.py)
    def project_index(self, i: int) -> bool:
        return self.find.project_index(i)

    def project_file(self, path: str | Path) -> bool:
        return self.find.project_file(path)

    def project_image(self, target: np.ndarray, what: str) -> bool:
        return self.find.project_image(target, what)

    # ------------------------------------------------------------------ export
    def export_preview(self, path: str | Path | None = None) -> bool:
        """Write the preview (PNG) and its recipe (PNG.json)."""
        snap = self.state.snap
        if snap is None:
            self.message.emit(self.tr("Nothing to export: no generator loaded yet."))
            return False
        if path is None:
            name = f"latent_seed{self.state.seed}_step{snap.step}.png"
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export preview"), name, self.tr("PNG images (*.png)"))
            if not path:
                return False
        try:
            out, recipe = explore.export(self.state.recipe(), path, snap)
        except GanstudioError as e:
            self.message.emit(engine_text(str(e)))
            return False
        self.message.emit(self.tr("Exported {path} (recipe {recipe})").format(path=out, recipe=recipe.name))
        return True
