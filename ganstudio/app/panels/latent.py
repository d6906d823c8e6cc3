"""The Latent tab: G(z) for one latent, moved by sliders along raw or principal directions.

It renders from a :class:`~ganstudio.explore.GeneratorSnapshot` (a frozen copy of G the main
window hands over every few seconds while training, or one loaded from a checkpoint), never from
the training weights, so a drag never waits for a training step (docs/ARCHITECTURE.md,
"Exploration never waits for training"). Slider moves are coalesced: each asks for a render on
the next event-loop pass and only the newest state is drawn ("Last one wins"). A batch-1 render
of a small G takes ~1 ms, so it runs in the UI thread with one torch thread (see
``explore.use_one_thread_here``); bench/latent_perf.py measures it.

A conditional generator draws its class from z[0] (models/dcgan.py); the class box
(``classCombo``) picks it. With raw coordinates slider 0 is z[0] itself, so choosing a class
moves slider 0 to the class's centre (the slider is an offset from the seed's own z[0], and
truncation scales the sum) and moving slider 0 shows the class it lands on. Along principal
or loaded directions no slider is z[0], and where slider 0 cannot reach the class (beyond
its range, or psi 0) the chosen class is set on the latent itself instead: z[0] is replaced
by the class's centre after truncation (recorded as ``class`` in exported recipes).

Beside the preview (panels/finder.py): "Find an image in the generator" projects a training
item or an image file (also one dropped on the preview) into G, the reconstruction converging
live in the preview; the latent found then replaces the seed's (``set_latent``; recipes record
it as ``z``), so sliders, Export and "Add current latent" work from it. Below it the nearest
training images of the preview (``neighboursView``). Under the sliders, "Directions by example"
(named sliders, saved with the run in RUN/directions/) move the latent too (recipes:
``named_directions``).
"""

from __future__ import annotations

import random
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
import torch
from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ganstudio import explore
from ganstudio.app.panels.finder import (
    FILE,
    STEPS,
    DropFilter,
    Finder,
    FindBox,
    NamedDirectionsBox,
    NeighboursView,
    reference_key,
)
from ganstudio.app.panels.samples import class_names, is_conditional
from ganstudio.errors import GanstudioError
from ganstudio.latent import Directions, principal_directions, truncate, with_class

N_SLIDERS = 8
TICKS = 100  # slider units per standard deviation
PCA_SAMPLES = 2000
RAW, PRINCIPAL, FROM_FILE = "Raw z coordinates", "Principal (PCA)", "From file..."
POINT_COLOR = "#ff9a2e"
MESH_PEN = (90, 160, 255, 170)


class LatentPanel(QWidget):
    """Preview, seed/psi/EMA controls and ``N_SLIDERS`` direction sliders (``latentSlider0..``)."""

    preview_updated = Signal()  # a new preview is on screen (tests, bench)
    generator_changed = Signal(object)  # GeneratorSnapshot
    latent_changed = Signal()  # seed, offsets, psi or directions moved
    directions_changed = Signal()
    refresh_requested = Signal(bool)  # EMA wanted; the main window fetches a fresh copy of G
    message = Signal(str)  # one-line status for the main window
    _pca_done = Signal(object, object)  # (Directions | None, error text | None), from the PCA thread
    projection_progress = Signal(object)  # projection.Projection so far (tests, bench)
    projection_finished = Signal(object)  # projection.Projection: it is the current latent now
    neighbours_updated = Signal()  # neighboursView shows the preview's nearest training images

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("latentPanel")
        explore.use_one_thread_here()
        self.snap: explore.GeneratorSnapshot | None = None
        self.directions: Directions | None = None
        self.directions_source = "raw"
        self.directions_file: str | None = None
        self._real: np.ndarray | None = None
        self._ema_available = False
        self._image: np.ndarray | None = None  # the preview as shown: (H, W, C) uint8
        self._point: np.ndarray | None = None  # 2D: z's point
        self._mesh: np.ndarray | None = None  # 2D: (S, S, 2)
        self._pca_thread: threading.Thread | None = None
        self._class_override: int | None = None  # a class set on the latent itself (see the module doc)
        self._chosen_class: int | None = None  # the class last picked in classCombo, while it holds
        self._fit_2d = False  # frame the 2D view on the next render
        self._base_z: torch.Tensor | None = None  # a latent found by projection, replacing the seed's
        self._base_what: str | None = None  # what it is the projection of
        self._x: np.ndarray | None = None  # the preview as G drew it: (C, H, W) float in [-1, 1]
        self._proj_token: int | None = None
        self._proj_what = ""
        self._nn_id = 0
        self.finder = Finder(self)
        self._nn_timer = QTimer(self, singleShot=True, interval=120)  # nearest images of a settled preview
        self._nn_timer.timeout.connect(self.request_neighbours)
        self._render_timer = QTimer(self, singleShot=True, interval=0)  # coalesces slider moves
        self._render_timer.timeout.connect(self.render_now)
        self._pca_done.connect(self._on_pca_done)
        self._build()
        self._connect_finder()
        self._set_directions(None, "raw")
        self._update_classes()
        self._show_empty("No generator yet: train, or File > Open run.")

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.view = pg.PlotWidget()
        self.view.setObjectName("latentView")
        self.view.setMinimumSize(240, 240)
        self.view.setMenuEnabled(False)
        self.view.setAspectLocked(True)
        self.view.hideButtons()
        self.plot = self.view.getPlotItem()
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.image_item.setLevels((0, 255))
        self.view.addItem(self.image_item)
        self.real_item = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(205, 205, 205, 150))
        self.mesh_item = pg.PlotDataItem(pen=pg.mkPen(MESH_PEN, width=1), connect="finite")
        self.point_item = pg.ScatterPlotItem(
            size=14, pen=pg.mkPen(20, 20, 20, width=1.2), brush=pg.mkBrush(POINT_COLOR)
        )
        for z, item in enumerate((self.real_item, self.mesh_item, self.point_item)):
            item.setZValue(10 + z)
            self.view.addItem(item)
        self.empty_label = pg.TextItem("", color=(140, 140, 140), anchor=(0.5, 0.5))
        self.view.addItem(self.empty_label)

        self.info = QLabel(objectName="latentInfoLabel", wordWrap=True)
        self.info.setStyleSheet("color: #666")

        # --- generator
        self.ema_toggle = QCheckBox("EMA weights", objectName="latentEmaToggle")
        self.ema_toggle.setToolTip("Explore the averaged (EMA) generator, or the live training weights")
        self.ema_toggle.setChecked(True)
        self.refresh_button = QPushButton("Refresh", objectName="refreshGeneratorButton")
        self.refresh_button.setToolTip(
            "Take a fresh copy of the generator now (it refreshes every few seconds while training)"
        )
        self.ema_toggle.toggled.connect(lambda on: self.refresh_requested.emit(on))
        self.refresh_button.clicked.connect(lambda: self.refresh_requested.emit(self.ema_toggle.isChecked()))

        # --- latent
        self.seed_spin = QSpinBox(objectName="latentSeedSpin")
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("z = a standard normal sample from this seed (as `ganstudio interpolate --seeds`)")
        self.randomize_button = QPushButton("Randomize", objectName="randomizeButton")
        self.reset_button = QPushButton("Reset", objectName="resetLatentButton")
        self.reset_button.setToolTip("Sliders back to 0 and psi back to 1")
        self.psi_slider = QSlider(Qt.Orientation.Horizontal, objectName="psiSlider")
        self.psi_slider.setRange(0, 150)
        self.psi_slider.setValue(100)
        self.psi_slider.setToolTip("Truncation: z -> psi * z. Lower psi trades variety for typical-looking samples.")
        self.psi_label = QLabel("psi 1.00", objectName="psiLabel")
        self.psi_label.setMinimumWidth(58)
        self.seed_spin.valueChanged.connect(lambda _: self._seed_changed())
        # --- class (conditional generators)
        self.class_label = QLabel("Class", objectName="classLabel")
        self.class_combo = QComboBox(objectName="classCombo")
        self.class_combo.setToolTip(
            "A conditional generator draws its class from z[0]: pick one here (it shows the class the preview draws)"
        )
        self.class_combo.setMinimumContentsLength(8)
        self.class_combo.currentIndexChanged.connect(self._class_picked)  # user picks and scripts alike
        self.randomize_button.clicked.connect(self.randomize)
        self.reset_button.clicked.connect(self.reset)
        self.psi_slider.valueChanged.connect(self._psi_moved)

        # --- directions
        self.directions_combo = QComboBox(objectName="directionsCombo")
        self.directions_combo.addItems([RAW, PRINCIPAL, FROM_FILE])
        self.directions_combo.setToolTip(
            "What the sliders move along: single z coordinates, or GANSpace-style "
            f"principal directions (PCA of {PCA_SAMPLES} generated samples)"
        )
        self.directions_combo.activated.connect(self._directions_chosen)
        self.recompute_button = QPushButton("Recompute", objectName="recomputeDirectionsButton")
        self.recompute_button.setToolTip("Recompute the principal directions for the current generator")
        self.recompute_button.clicked.connect(self.compute_directions)
        self.directions_info = QLabel(objectName="directionsInfoLabel", wordWrap=True)
        self.directions_info.setStyleSheet("color: #666")

        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        self.sliders: list[QSlider] = []
        self.slider_names: list[QLabel] = []
        self.slider_values: list[QLabel] = []
        for i in range(N_SLIDERS):
            name = QLabel(objectName=f"latentSliderLabel{i}")
            name.setMinimumWidth(72)
            s = QSlider(Qt.Orientation.Horizontal, objectName=f"latentSlider{i}")
            s.setRange(int(-explore.SLIDER_RANGE * TICKS), int(explore.SLIDER_RANGE * TICKS))
            s.setSingleStep(10)
            s.setPageStep(50)
            s.setTickPosition(QSlider.TickPosition.TicksBelow)
            s.setTickInterval(TICKS)
            value = QLabel("+0.00", objectName=f"latentSliderValue{i}")
            value.setMinimumWidth(40)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            s.valueChanged.connect(lambda v, i=i: self._slider_moved(i, v))
            row, col = i % (N_SLIDERS // 2), 4 * (i // (N_SLIDERS // 2))  # two columns of sliders
            grid.addWidget(name, row, col)
            grid.addWidget(s, row, col + 1)
            grid.addWidget(value, row, col + 2)
            self.sliders.append(s)
            self.slider_names.append(name)
            self.slider_values.append(value)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(5, 1)
        grid.setColumnMinimumWidth(3, 10)  # a gap between the two columns

        self.export_button = QPushButton("Export preview...", objectName="exportPreviewButton")
        self.export_button.setToolTip("Save the preview as PNG with a JSON recipe beside it")
        self.export_button.clicked.connect(lambda: self.export_preview())

        # preview on top (it gets the room), controls in a compact block below
        top = QHBoxLayout()
        top.addWidget(QLabel("Seed"))
        top.addWidget(self.seed_spin)
        top.addWidget(self.randomize_button)
        top.addWidget(self.reset_button)
        top.addSpacing(12)
        top.addWidget(self.class_label)
        top.addWidget(self.class_combo)
        top.addSpacing(12)
        top.addWidget(self.ema_toggle)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        mid = QHBoxLayout()
        mid.addWidget(QLabel("Truncation"))
        mid.addWidget(self.psi_slider, 1)
        mid.addWidget(self.psi_label)
        mid.addSpacing(12)
        mid.addWidget(QLabel("Directions"))
        mid.addWidget(self.directions_combo, 1)
        mid.addWidget(self.recompute_button)
        box = QGroupBox("Sliders: offsets along each direction, in standard deviations of z")
        box_lay = QVBoxLayout(box)
        box_lay.setContentsMargins(6, 4, 6, 4)
        box_lay.setSpacing(2)
        box_lay.addWidget(self.directions_info)
        box_lay.addLayout(grid)
        bottom = QHBoxLayout()
        bottom.addWidget(self.info, 1)
        bottom.addWidget(self.export_button)

        # beside the preview: find an image, and the preview's nearest training images
        self.find_box = FindBox()
        self.neighbours_view = NeighboursView()
        self.named_box = NamedDirectionsBox(TICKS, explore.SLIDER_RANGE)
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.find_box)
        side.addWidget(self.neighbours_view)
        side.addStretch(1)
        side_widget = QWidget(objectName="latentSide")
        side_widget.setLayout(side)
        side_widget.setFixedWidth(4 * 58 + 36)
        view_row = QHBoxLayout()
        view_row.addWidget(self.view, 1)
        view_row.addWidget(side_widget)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(4)
        lay.addLayout(view_row, 1)
        lay.addLayout(bottom)
        lay.addLayout(top)
        lay.addLayout(mid)
        lay.addWidget(box)
        lay.addWidget(self.named_box)

    # ------------------------------------------------------------------ API
    def set_generator(self, snap: explore.GeneratorSnapshot, ema_available: bool | None = None) -> None:
        """Show ``snap``'s G; keeps seed, sliders and psi (and directions, when the latent size matches)."""
        new_model = self.snap is None or self.snap.z_dim != snap.z_dim or self.snap.kind != snap.kind
        self.snap = snap
        if ema_available is not None:
            self._ema_available = ema_available
        with QSignalBlocker(self.ema_toggle):
            self.ema_toggle.setEnabled(self._ema_available)
            self.ema_toggle.setChecked(snap.ema)
        if new_model:
            self._class_override = self._chosen_class = None  # another model: its own classes
            self._base_z = self._base_what = None  # a latent of another model
            self.named_box.clear()
        self._new_generator(snap)
        if new_model or (self.directions is not None and self.directions.vectors.shape[1] != snap.z_dim):
            self._set_directions(None, "raw")
            with QSignalBlocker(self.directions_combo):
                self.directions_combo.setCurrentText(RAW)
        if new_model:
            self._set_mode_2d(snap.is_2d)
            self._fit_2d = snap.is_2d
        self._update_classes()
        self._update_info()
        self.generator_changed.emit(snap)
        self.render_now()

    def set_real(self, points: np.ndarray | None, extent: tuple[float, float] | None = None) -> None:
        """Real data (N, 2) drawn behind the 2D manifold."""
        self._real = None if points is None else np.asarray(points, dtype=np.float32).reshape(-1, 2)
        self._fit_2d = True
        if self._real is None:
            self.real_item.clear()
        else:
            self.real_item.setData(x=self._real[:, 0], y=self._real[:, 1])
            if extent is None:
                extent = explore.scatter_extent(self._real)
            lo, hi = extent
            self.view.setRange(xRange=(lo, hi), yRange=(lo, hi), padding=0.0)

    def clear(self) -> None:
        self.snap = None
        self._update_classes()
        self._real = None
        self.real_item.clear()
        self._show_empty("No generator yet: train, or File > Open run.")
        self._update_info()

    @property
    def z_dim(self) -> int | None:
        return None if self.snap is None else self.snap.z_dim

    def seed(self) -> int:
        return self.seed_spin.value()

    def psi(self) -> float:
        return self.psi_slider.value() / 100.0

    def offsets(self) -> list[float]:
        """Offset along each direction in use, in standard deviations."""
        k = 0 if self.directions is None else self.directions.k
        return [self.sliders[i].value() / TICKS for i in range(min(k, N_SLIDERS))]

    def vectors(self) -> torch.Tensor | None:
        return None if self.directions is None else self.directions.vectors[:N_SLIDERS]

    def base_latent(self) -> torch.Tensor:
        """The latent before truncation (Z,) (its z[0] set for the class set on it, if any):
        the seed's (or a projection's) moved by the sliders and the named directions."""
        return self._with_override(
            explore.compose(
                self.snap.z_dim,
                self.seed(),
                self.offsets(),
                self.vectors(),
                z=self._base_z,
                named=self.named_box.recipe_entries(),
            )
        )

    def current_latent(self) -> torch.Tensor:
        """The latent on screen, truncation applied (Z,). A class set on the latent replaces
        z[0] after truncation, so psi does not move it to another class."""
        return self._with_override(truncate(self.base_latent(), self.psi()))

    def _with_override(self, z: torch.Tensor) -> torch.Tensor:
        if self._class_override is None or not self._conditional():
            return z
        return with_class(z[None], self.snap.G, self._class_override)[0]

    # ------------------------------------------------------------------ classes
    def class_override(self) -> int | None:
        """The class set on the latent itself (not through slider 0), or None."""
        return self._class_override if self._conditional() else None

    def current_class(self) -> int | None:
        """The class the preview draws (conditional generators), else None."""
        if not self._conditional() or self.snap.is_2d:
            return None
        return int(self.snap.G.labels(self.current_latent()[None])[0])

    def choose_class(self, k: int) -> None:
        """Make the preview draw class k: with raw coordinates by moving slider 0 (z[0]) to
        the class's centre, else (or where slider 0 cannot reach it) by setting z[0] on the
        latent itself. Re-renders."""
        if not self._conditional() or self.snap.is_2d:
            return
        G = self.snap.G
        k = int(k)
        if not 0 <= k < int(G.n_classes):
            raise ValueError(f"class {k} out of range 0..{int(G.n_classes) - 1}")
        self._chosen_class = k
        self._class_override = k
        if self.directions_source == "raw" and self.psi() > 0:
            # z[0] on screen = psi * (seed's z[0] + slider 0): solve for the slider
            centre = float(G.class_centres()[k])
            z0 = float(explore.compose(self.snap.z_dim, self.seed(), [], None)[0])
            ticks = round((centre / self.psi() - z0) * TICKS)
            s = self.sliders[0]
            if s.minimum() <= ticks <= s.maximum():
                with QSignalBlocker(s):
                    s.setValue(ticks)
                self._update_value_labels()
                self._class_override = None
                if self.current_class() != k:  # (slider rounding at a bin's edge: cannot happen at the centre)
                    self._class_override = k
        self._sync_class_combo()
        self._latent_moved()

    def _class_picked(self, index: int) -> None:
        if index >= 0:
            self.choose_class(index)

    def _z0_taken_over(self) -> None:
        """Slider 0 was moved in raw mode: z[0] is the user's again (no class set on the latent)."""
        if self.directions_source == "raw":
            self._class_override = None
            self._chosen_class = None

    def _update_classes(self) -> None:
        """Show the class box for a conditional image generator, listing its class names."""
        on = is_conditional(self.snap)
        names = class_names(self.snap) if on else []
        if [self.class_combo.itemText(i) for i in range(self.class_combo.count())] != names:
            with QSignalBlocker(self.class_combo):
                self.class_combo.clear()
                self.class_combo.addItems(names)
            self._class_override = self._chosen_class = None  # another model: its own classes
        for w in (self.class_label, self.class_combo):
            w.setVisible(on)
        self.class_combo.setEnabled(on)
        self._sync_class_combo()

    def _sync_class_combo(self) -> None:
        """The box shows the class the preview draws (no signal: it is not a user's pick)."""
        k = self.current_class() if self.snap is not None else None
        if self._chosen_class is not None and k != self._chosen_class and self._class_override is None:
            self._chosen_class = None  # psi or the seed moved z[0] to another class since
        with QSignalBlocker(self.class_combo):
            self.class_combo.setCurrentIndex(-1 if k is None else k)

    def current_image(self) -> np.ndarray | None:
        """Image datasets: the preview (H, W, C) uint8 as rendered; None otherwise."""
        return self._image

    def current_point(self) -> np.ndarray | None:
        """2D datasets: G(z) (2,) of the current latent."""
        return self._point

    def current_mesh(self) -> np.ndarray | None:
        return self._mesh

    def directions_entry(self) -> dict[str, Any] | None:
        if self.directions is None:
            return None
        d = Directions(
            self.directions.vectors[:N_SLIDERS],
            self.directions.variance_ratio[:N_SLIDERS],
            self.directions.space,
            self.directions.n,
            self.directions.seed,
            self.directions.meta,
        )
        return explore.directions_entry(d, self.directions_source, self.directions_file)

    def recipe(self) -> dict[str, Any]:
        """The preview's recipe (the fields `explore.render_recipe` needs)."""
        r = explore.base_recipe(self.snap, "latent", self.psi())
        r.update(seed=self.seed(), offsets=self.offsets(), directions=self.directions_entry(), **self.latent_fields())
        if self.class_override() is not None:  # z[0] set for this class after truncation
            r["class"] = self.class_override()
        if self.snap.is_2d:
            r["mesh"] = {"axes": [0, 1], "steps": explore.MESH_STEPS, "extent": explore.MESH_EXTENT}
            r["size"] = explore.PREVIEW_2D_SIZE
        return r

    def latent_fields(self) -> dict[str, Any]:
        """What recipes need beyond seed and offsets: a projected ``z`` and the named directions."""
        out: dict[str, Any] = {}
        if self._base_z is not None:
            out["z"] = [float(v) for v in self._base_z]
            out["z_from"] = self._base_what
        named = [e for e in self.named_box.recipe_entries() if e["amount"]]
        if named:
            out["named_directions"] = named
        return out

    def latent_source(self) -> str | None:
        """What the latent is (e.g. "projection of training image 12"); None: the seed's."""
        return self._base_what if self._base_z is not None else None

    def set_latent(self, z: torch.Tensor, what: str) -> None:
        """Make ``z`` (Z,) the current latent (a projection's result): sliders and named
        directions back to 0, psi 1, no class set on it. A new seed goes back to seeds."""
        self._base_z = torch.as_tensor(z, dtype=torch.float32).reshape(-1).clone()
        self._base_what = what
        self._class_override = self._chosen_class = None
        for s in self.sliders:
            with QSignalBlocker(s):
                s.setValue(0)
        with QSignalBlocker(self.psi_slider):
            self.psi_slider.setValue(100)
        self.psi_label.setText("psi 1.00")
        self.named_box.reset()
        self._update_value_labels()
        self._update_info()
        self._latent_moved()

    def current_output(self) -> np.ndarray | None:
        """Image datasets: the preview as G drew it, (C, H, W) float in [-1, 1]."""
        return self._x

    def _seed_changed(self) -> None:
        if self._base_z is not None:
            self._base_z = self._base_what = None  # a new seed: back to seeds
            self._update_info()
        self._latent_moved()

    def randomize(self) -> None:
        self.seed_spin.setValue(random.randrange(2**31 - 1))

    def reset(self) -> None:
        self._class_override = self._chosen_class = None  # the seed's own latent, its own class
        self.named_box.reset()
        for s in self.sliders:
            with QSignalBlocker(s):
                s.setValue(0)
        with QSignalBlocker(self.psi_slider):
            self.psi_slider.setValue(100)
        self._update_value_labels()
        self._latent_moved()

    def set_offsets(self, values) -> None:
        values = list(values)
        if values and self.directions_source == "raw":
            self._z0_taken_over()
        for s, v in zip(self.sliders, values):
            with QSignalBlocker(s):
                s.setValue(round(float(v) * TICKS))
        self._update_value_labels()
        self._latent_moved()

    def export_preview(self, path: str | Path | None = None) -> bool:
        """Write the preview (PNG) and its recipe (PNG.json)."""
        if self.snap is None:
            self.message.emit("Nothing to export: no generator loaded yet.")
            return False
        if path is None:
            name = f"latent_seed{self.seed()}_step{self.snap.step}.png"
            path, _ = QFileDialog.getSaveFileName(self, "Export preview", name, "PNG (*.png)")
            if not path:
                return False
        try:
            out, recipe = explore.export(self.recipe(), path, self.snap)
        except GanstudioError as e:
            self.message.emit(str(e))
            return False
        self.message.emit(f"Exported {out} (recipe {recipe.name})")
        return True

    # ------------------------------------------------------------------ directions
    def _directions_chosen(self, _index: int = 0) -> None:
        text = self.directions_combo.currentText()
        if text == RAW:
            self._set_directions(None, "raw")
        elif text == PRINCIPAL:
            self.compute_directions()
        else:
            path, _ = QFileDialog.getOpenFileName(self, "Load directions", "", "Directions (*.json);;All files (*)")
            if path:
                self.load_directions(path)
            else:
                self._sync_combo()

    def load_directions(self, path: str | Path) -> bool:
        """Directions saved by `ganstudio directions --out FILE.json`."""
        try:
            d = Directions.from_json(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            self.message.emit(f"Cannot load directions from {path}: {getattr(e, 'strerror', None) or e}")
            self._sync_combo()
            return False
        if self.snap is not None and d.vectors.shape[1] != self.snap.z_dim:
            self.message.emit(
                f"{Path(path).name} holds {d.vectors.shape[1]}-d directions; this generator's z has {self.snap.z_dim}"
            )
            self._sync_combo()
            return False
        self._set_directions(d, "file", str(path))
        return True

    def compute_directions(self) -> None:
        """PCA of generated samples in a background thread; the sliders switch when done."""
        if self.snap is None or self.pca_running():
            return
        snap = self.snap
        self.directions_info.setText(f"Computing principal directions from {PCA_SAMPLES} samples...")
        self.recompute_button.setEnabled(False)

        def work() -> None:
            try:
                explore.use_one_thread_here()  # leave the other core to training and the UI
                d = principal_directions(snap.G, snap.z_dim, n=PCA_SAMPLES, k=N_SLIDERS, seed=0)
                d.meta = {"step": snap.step, "ema": snap.ema}
                self._pca_done.emit(d, None)
            except Exception as e:  # noqa: BLE001 -- reported in the panel; the app stays usable
                self._pca_done.emit(None, f"Could not compute principal directions: {e}")

        self._pca_thread = threading.Thread(target=work, name="latent-pca", daemon=True)
        self._pca_thread.start()

    def pca_running(self) -> bool:
        return self._pca_thread is not None and self._pca_thread.is_alive()

    def wait_background(self, timeout: float = 60.0) -> None:
        """Join the PCA thread if one runs, and stop the finder's (closing, tests)."""
        if self._pca_thread is not None:
            self._pca_thread.join(timeout)
        self.finder.shutdown(timeout)

    def _on_pca_done(self, d: Directions | None, error: str | None) -> None:
        self.recompute_button.setEnabled(True)
        if d is None:
            self.message.emit(error or "Could not compute principal directions")
            self._sync_combo()
            self._update_directions_info()
            return
        if self.snap is None or d.vectors.shape[1] != self.snap.z_dim:
            return  # the generator changed shape meanwhile; these no longer apply
        self._set_directions(d, "principal")

    def _set_directions(self, d: Directions | None, source: str, file: str | None = None) -> None:
        if d is None:
            z_dim = self.snap.z_dim if self.snap is not None else N_SLIDERS
            d = explore.raw_directions(z_dim, N_SLIDERS)
            source = "raw"
        self.directions, self.directions_source, self.directions_file = d, source, file
        k = min(d.k, N_SLIDERS)
        for i, (s, name, value) in enumerate(zip(self.sliders, self.slider_names, self.slider_values)):
            on = i < k
            for w in (s, name, value):
                w.setVisible(on)
            with QSignalBlocker(s):
                s.setValue(0)
            if not on:
                continue
            if source == "raw":
                if i == 0 and self._conditional():
                    name.setText("z[0] class")
                    name.setToolTip("a conditional generator: z[0] picks the class (sweep it to walk through them)")
                else:
                    name.setText(f"z[{i}]")
                    name.setToolTip(f"latent coordinate {i}")
            else:
                r = float(d.variance_ratio[i]) * 100
                name.setText(f"PC{i + 1}  {r:.1f}%")
                name.setToolTip(f"principal direction {i + 1}: explains {r:.1f}% of the output variance")
        self._sync_combo()
        self._update_value_labels()
        self._update_directions_info()
        self.directions_changed.emit()
        if self._chosen_class is not None and self._conditional() and self._chosen_class < int(self.snap.G.n_classes):
            self.choose_class(self._chosen_class)  # the chosen class holds along the new directions
            return
        self._latent_moved()

    def _sync_combo(self) -> None:
        with QSignalBlocker(self.directions_combo):
            self.directions_combo.setCurrentText(
                {"raw": RAW, "principal": PRINCIPAL}.get(self.directions_source, FROM_FILE)
            )
        self.recompute_button.setVisible(self.directions_source == "principal")

    def _update_directions_info(self) -> None:
        d = self.directions
        if d is None or self.directions_source == "raw":
            self.directions_info.setText(
                "Each slider moves one coordinate of z." + (" z[0] picks the class." if self._conditional() else "")
            )
            return
        total = float(d.variance_ratio[:N_SLIDERS].sum()) * 100
        where = Path(self.directions_file).name if self.directions_file else f"PCA of {d.n} samples"
        step = d.meta.get("step")
        self.directions_info.setText(
            f"{where}{f' at step {step}' if step is not None else ''}: "
            f"the first {min(d.k, N_SLIDERS)} explain {total:.1f}% of the output variance."
        )

    # ------------------------------------------------------------------ rendering
    def _conditional(self) -> bool:
        """Whether the generator on show draws its class from z[0] (see models/dcgan.py)."""
        return self.snap is not None and bool(getattr(self.snap.G, "n_classes", 0))

    def _slider_moved(self, i: int, v: int) -> None:
        self.slider_values[i].setText(f"{v / TICKS:+.2f}")
        if i == 0:
            self._z0_taken_over()
        self._latent_moved()

    def _psi_moved(self, v: int) -> None:
        self.psi_label.setText(f"psi {v / 100:.2f}")
        self._latent_moved()

    def _update_value_labels(self) -> None:
        for s, value in zip(self.sliders, self.slider_values):
            value.setText(f"{s.value() / TICKS:+.2f}")

    def _latent_moved(self) -> None:
        self.latent_changed.emit()
        if self.snap is not None and not self._render_timer.isActive():
            self._render_timer.start()  # one render per event-loop pass, of the newest values

    def render_now(self) -> None:
        self._render_timer.stop()
        snap = self.snap
        if snap is None:
            return
        try:
            if snap.is_2d:
                mesh, point = explore.manifold_mesh(snap.G, self.base_latent(), self.vectors(), self.psi())
                self._mesh, self._point = mesh, point
                s = mesh.shape[0]
                # rows then columns, each polyline ended by a NaN (connect="finite")
                lines = np.concatenate([mesh, mesh.transpose(1, 0, 2)])  # (2S, S, 2)
                lines = np.concatenate([lines, np.full((2 * s, 1, 2), np.nan, np.float32)], axis=1).reshape(-1, 2)
                self.mesh_item.setData(lines[:, 0], lines[:, 1], connect="finite")
                self.point_item.setData(x=[float(point[0])], y=[float(point[1])])
                if self._fit_2d:  # once per generator/data: frame data and mesh, then hold still
                    self._fit_2d = False
                    pts = (
                        mesh.reshape(-1, 2) if self._real is None else np.concatenate([mesh.reshape(-1, 2), self._real])
                    )
                    lo, hi = explore.scatter_extent(pts[np.isfinite(pts).all(1)])
                    self.view.setRange(xRange=(lo, hi), yRange=(lo, hi), padding=0.0)
            else:
                z = self.current_latent()[None]
                x = explore.generate(snap.G, z).numpy()  # (1, C, H, W)
                if self._conditional():
                    if self.directions_source == "raw":
                        self.slider_values[0].setText(
                            f"{self.sliders[0].value() / TICKS:+.2f} → {int(snap.G.labels(z)[0])}"
                        )
                    self._sync_class_combo()
                img = explore.to_frames(x.astype(np.float32))[0]  # (H, W, C)
                self._image, self._x = img, x[0].astype(np.float32)
                if self.neighbours_view.check.isChecked():
                    self._nn_timer.start()  # (re)started: looked up once the preview settles
                self.image_item.setImage(img[..., 0] if img.shape[2] == 1 else img, autoLevels=False, levels=(0, 255))
        except Exception as e:  # noqa: BLE001 -- a broken snapshot must not take the app down
            self._show_empty(f"Cannot render: {e}")
            return
        self.empty_label.setVisible(False)
        self.preview_updated.emit()

    def _set_mode_2d(self, is_2d: bool) -> None:
        self.image_item.setVisible(not is_2d)
        for item in (self.real_item, self.mesh_item, self.point_item):
            item.setVisible(is_2d)
        for side in ("left", "bottom"):
            self.plot.showAxis(side, is_2d)
        self.plot.showGrid(x=is_2d, y=is_2d, alpha=0.12)
        vb = self.plot.getViewBox()
        vb.invertY(not is_2d)  # images: row 0 at the top
        self._image = None if is_2d else self._image
        if is_2d:
            self._image = None
            if self._real is None:
                vb.enableAutoRange()
        else:
            self._mesh = self._point = None
            vb.setDefaultPadding(0.01)
            vb.enableAutoRange()  # the image always fits the view, whatever its size

    def _show_empty(self, text: str) -> None:
        self._image = self._point = self._mesh = None
        self.image_item.clear()
        self.mesh_item.setData([], [])
        self.point_item.clear()
        self.empty_label.setText(text)
        self.empty_label.setVisible(True)

    def _update_info(self) -> None:
        s = self.snap
        if s is None:
            self.info.setText("")
            return
        src = s.checkpoint.name if s.checkpoint is not None else "live snapshot of training"
        what = f"  ·  latent: {self._base_what}" if self._base_z is not None else ""
        self.info.setText(f"step {s.step}  ·  {'EMA' if s.ema else 'live'} weights  ·  {src}{what}")

    # ------------------------------------------------------------------ finding (panels/finder.py)
    def _connect_finder(self) -> None:
        f, box = self.finder, self.find_box
        box.button.clicked.connect(self._project_clicked)
        f.status.connect(self._finder_status)
        f.reference_ready.connect(self._reference_ready)
        f.reference_failed.connect(lambda text: self.neighbours_view.clear(text))
        f.needs_training.connect(
            lambda spec: self.neighbours_view.clear(
                f"The feature net of {spec} is not trained yet (once per dataset, then cached; evaluations during "
                "training train it too). Project, or Load, trains it.",
                load=True,
            )
        )
        self.neighbours_view.load_button.clicked.connect(lambda: self._want_reference(train=True))
        f.progress.connect(self._projection_progress)
        f.projected.connect(self._projected)
        f.neighbours.connect(self._neighbours_ready)
        f.direction.connect(self._class_direction_ready)
        f.failed.connect(self._finder_failed)
        self.neighbours_view.check.toggled.connect(self._neighbours_toggled)
        self.named_box.changed.connect(self._latent_moved)
        self.named_box.toward_requested.connect(self._toward_class)
        self._drop = DropFilter(self)
        self._drop.dropped.connect(self.project_file)
        for w in (self.view, self.view.viewport()):
            w.setAcceptDrops(True)
            w.installEventFilter(self._drop)
        self._set_find_enabled()

    def _new_generator(self, snap: explore.GeneratorSnapshot) -> None:
        """A generator arrived: the finder learns its training images (loaded once per dataset,
        once this tab is on show; a feature net not trained yet only when asked)."""
        key = reference_key(snap)
        if key != self.finder.key:
            self.neighbours_view.clear("")
            self.named_box.set_classes(None)
        if snap.run is not None:
            self._load_run_directions(snap)
        self._set_find_enabled()
        self._want_reference(snap=snap)

    def _want_reference(self, train: bool = False, snap: explore.GeneratorSnapshot | None = None) -> None:
        snap = snap if snap is not None else self.snap
        key = reference_key(snap)
        if key is not None and (train or self.isVisible()):
            self.finder.want_reference(key, train=train)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self._want_reference()

    def _set_find_enabled(self) -> None:
        ok = self.snap is not None and not self.snap.is_2d
        for w in (self.find_box, self.neighbours_view, self.named_box):
            w.setVisible(ok or self.snap is None)
            w.setEnabled(ok)

    def _load_run_directions(self, snap: explore.GeneratorSnapshot) -> None:
        from ganstudio.example_directions import load_run_directions

        have = {e["name"] for e in self.named_box.entries}
        for name, vec, path in load_run_directions(snap.run, snap.z_dim):
            if name not in have:
                self.named_box.add(name, vec, path)

    def add_named_direction(self, name: str, vector: torch.Tensor, save_as=None) -> Path | None:
        """A slider for a direction by example; saved with the run (RUN/directions/NAME.json,
        the `ganstudio directions` format) when ``save_as`` (latent.Directions) is given and
        the generator belongs to a run. Returns the file written, if any."""
        path = None
        if save_as is not None and self.snap is not None and self.snap.run is not None:
            from ganstudio.example_directions import save_direction

            try:
                path = save_direction(self.snap.run, save_as)
            except GanstudioError as e:
                self.message.emit(str(e))
        self.named_box.add(name, vector, path)
        self.message.emit(f"Direction '{name}' added" + (f" and saved as {path}" if path else ""))
        self._latent_moved()
        return path

    def _toward_class(self, k: int) -> None:
        if self.snap is None or k < 0:
            return
        self.finder.toward_class(self.snap.G, self.snap.z_dim, k, self.named_box.class_combo.itemText(k))

    def _class_direction_ready(self, vec: torch.Tensor, info: dict) -> None:
        from ganstudio.example_directions import make_directions

        if self.snap is None or vec.shape[0] != self.snap.z_dim:
            return
        step = {"step": self.snap.step}
        d = make_directions(
            vec,
            info["name"],
            info["positives"],
            2000 - info["positives"],
            info["method"],
            **{"class": info["class"]},
            **step,
        )
        self.add_named_direction(info["name"], vec, d)

    def _reference_ready(self, ref) -> None:
        self.find_box.index_spin.setRange(0, len(ref.dataset.data) - 1)
        labelled = ref.dataset.n_classes >= 2 and not self._conditional()
        self.named_box.set_classes(list(ref.dataset.names()) if labelled else None)
        if self.neighbours_view.check.isChecked():
            self.request_neighbours()

    def _neighbours_toggled(self, on: bool) -> None:
        if on:
            self.request_neighbours()
        else:
            self.neighbours_view.clear("")

    def request_neighbours(self) -> None:
        """Ask the finder for the preview's nearest training images (answered in the background)."""
        if self._x is None or self.finder.reference is None or not self.neighbours_view.check.isChecked():
            return
        self._nn_id = self.finder.nearest(self._x)

    def _neighbours_ready(self, result, request: int) -> None:
        ref = self.finder.reference
        if request != self._nn_id or ref is None:
            return  # an older preview's answer
        self.neighbours_view.set_result(result, ref.dataset.data, ref.index.threshold)
        self.neighbours_updated.emit()

    def _finder_status(self, text: str) -> None:
        """The finder's doings under Project; an idle finder leaves results and errors shown."""
        if text or not self.find_box.label.text().startswith(("step", "Found", "Failed", "Stopped")):
            self.find_box.label.setText(text)

    def _finder_failed(self, message: str, details: str) -> None:
        self.find_box.button.setText("Project")
        self.find_box.label.setText(f"Failed: {message}")
        self.find_box.label.setToolTip(details)
        self.message.emit(f"Finding failed: {message}")

    # --- projection
    def _project_clicked(self) -> None:
        if self.finder.projecting():
            self.finder.cancel_projection()
            self.find_box.button.setText("Project")
            self.find_box.label.setText("Stopped.")
            self._latent_moved()  # the preview shows the latent again
            return
        if self.find_box.source.currentText() == FILE:
            path = self.find_box.choose_file()
            if path:
                self.project_file(path)
            return
        self.project_index(self.find_box.index_spin.value())

    def project_index(self, i: int) -> bool:
        """Project training image i (loaded with the run's dataset)."""
        ref = self.finder.reference
        if ref is None:
            self.message.emit("The training images are not loaded yet (see the line under Project).")
            return False
        if not 0 <= i < len(ref.dataset.data):
            self.message.emit(f"No training image {i}: there are {len(ref.dataset.data)}")
            return False
        return self.project_image(ref.dataset.data[i], f"projection of training image {i}")

    def project_file(self, path: str | Path) -> bool:
        """Project an image file, resized and cropped as the run's data (also: dropped on the preview)."""
        from ganstudio.projection import load_image

        if self.snap is None or self.snap.is_2d:
            self.message.emit("Projection needs an image generator.")
            return False
        c, h, _ = self.snap.sample_shape
        try:
            target = load_image(path, h, c)
        except GanstudioError as e:
            self.message.emit(str(e))
            return False
        return self.project_image(target, f"projection of {Path(path).name}")

    def project_image(self, target: np.ndarray, what: str) -> bool:
        """Project target (C, H, W) in [-1, 1]: the reconstruction converges in the preview,
        then becomes the current latent (``projection_finished``)."""
        if self.snap is None or self.snap.is_2d:
            self.message.emit("Projection needs an image generator.")
            return False
        target = np.asarray(target, dtype=np.float32)
        if tuple(target.shape) != tuple(self.snap.sample_shape):
            self.message.emit(
                f"The image is {tuple(target.shape)}; this generator draws {tuple(self.snap.sample_shape)}"
            )
            return False
        self._proj_what = what
        self.find_box.set_target(target)
        self.find_box.bar.setValue(0)
        self.find_box.button.setText("Stop")
        self.find_box.label.setText(f"Finding {what.replace('projection of ', '')}...")
        self._proj_token = self.finder.project(self.snap.G, target, self.snap.z_dim, steps=STEPS)
        return True

    def _projection_progress(self, res, token: int) -> None:
        if token != self._proj_token or self.snap is None:
            return
        img = explore.to_frames(res.image[None])[0]
        self.image_item.setImage(img[..., 0] if img.shape[2] == 1 else img, autoLevels=False, levels=(0, 255))
        self.empty_label.setVisible(False)
        self.find_box.bar.setRange(0, res.steps)
        self.find_box.bar.setValue(res.step)
        self.find_box.label.setText(f"step {res.step}/{res.steps}  ·  pixel MSE {res.pixel_mse:.4f}")
        self.projection_progress.emit(res)

    def _projected(self, res, base: dict, token: int) -> None:
        if token != self._proj_token or self.snap is None or res.z.shape[0] != self.snap.z_dim:
            return
        self._proj_token = None
        self.find_box.button.setText("Project")
        cls = ""
        if res.cls is not None:
            names = class_names(self.snap)
            cls = f" (class {names[res.cls] if res.cls < len(names) else res.cls})"
        self.find_box.label.setText(
            f"Found{cls}: pixel MSE {res.pixel_mse:.4f} · a random z {base['random_mse']:.4f} · "
            f"best of 10,000 random {base['best_mse']:.4f}"
        )
        self.find_box.label.setToolTip(
            "Mean squared pixel error ([-1, 1] units) of the reconstruction, against a "
            "random latent's (mean of 10,000) and the best of those 10,000"
        )
        self.set_latent(res.z, self._proj_what)
        self.render_now()
        self.message.emit(
            f"The latent is now the {self._proj_what}: "
            "'Add current latent' in the Interpolation tab adds it as a keyframe"
        )
        self.projection_finished.emit(res)
