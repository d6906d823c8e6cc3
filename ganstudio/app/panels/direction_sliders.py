"""The Latent tab's sliders: ``N_SLIDERS`` offsets (``latentSlider0..``) along the directions the
:class:`~ganstudio.app.latent_state.LatentState` moves along, and the choice of those directions
(``directionsCombo``): raw z coordinates, principal directions (PCA of generated samples, in a
background thread) or a file written by `ganstudio directions`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
)

from ganstudio import explore
from ganstudio.app.engine_text import engine_text
from ganstudio.app.i18n import QT_TRANSLATE_NOOP, label, live
from ganstudio.app.latent_state import MAX_TICKS, N_SLIDERS, PCA_SAMPLES, TICKS, LatentState
from ganstudio.app.panels.find_views import ElidedLabel
from ganstudio.latent import Directions, principal_directions

# the directions box's items: their data (the text is translated)
RAW = QT_TRANSLATE_NOOP("DirectionSliders", "Raw z coordinates")
PRINCIPAL = QT_TRANSLATE_NOOP("DirectionSliders", "Principal (PCA)")
FROM_FILE = QT_TRANSLATE_NOOP("DirectionSliders", "From file...")


class DirectionSliders(QGroupBox):
    """The sliders' box, headed by the choice of directions (``directions_combo``,
    ``recompute_button``) and what they are (``directions_info``, one line, full text on hover)."""

    message = Signal(str)
    _pca_done = Signal(object, object)  # (Directions | None, error text | None), from the PCA thread

    def __init__(self, state: LatentState):
        super().__init__()
        live(self, "setTitle", lambda: self.tr("Sliders: offsets along directions, in sd of z"))
        live(
            self,
            "setToolTip",
            lambda: self.tr("Each slider offsets the latent along one direction, in standard deviations of z"),
        )
        self.state = state
        self._pca_thread: threading.Thread | None = None
        self._shown: list[int | None] = [None] * N_SLIDERS  # the ticks each value label shows
        self.directions_combo = QComboBox(objectName="directionsCombo")
        for item in (RAW, PRINCIPAL, FROM_FILE):
            self.directions_combo.addItem(self.tr(item), item)
        live(
            self.directions_combo,
            "setToolTip",
            lambda: self.tr(
                "What the sliders move along: single z coordinates, or GANSpace-style "
                "principal directions (PCA of {n} generated samples)"
            ).format(n=PCA_SAMPLES),
        )
        self.directions_combo.activated.connect(self._directions_chosen)
        self.recompute_button = QPushButton(objectName="recomputeDirectionsButton")
        live(self.recompute_button, "setText", lambda: self.tr("Recompute"))
        live(
            self.recompute_button,
            "setToolTip",
            lambda: self.tr("Recompute the principal directions for the current generator"),
        )
        self.recompute_button.clicked.connect(self.compute_directions)
        self.directions_info = ElidedLabel(objectName="directionsInfoLabel")
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
            s.setRange(-MAX_TICKS, MAX_TICKS)
            s.setSingleStep(10)
            s.setPageStep(50)
            s.setTickPosition(QSlider.TickPosition.TicksBelow)
            s.setTickInterval(TICKS)
            value = ElidedLabel("+0.00", min_chars=5, objectName=f"latentSliderValue{i}")
            value.setMinimumWidth(40)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            s.valueChanged.connect(lambda v, i=i: state.set_ticks(i, v))
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
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(2)
        head = QHBoxLayout()
        head.addWidget(label(lambda: self.tr("Directions")))
        head.addWidget(self.directions_combo)
        head.addWidget(self.recompute_button)
        head.addWidget(self.directions_info, 1)
        lay.addLayout(head)
        lay.addLayout(grid)

        self._pca_done.connect(self._on_pca_done)
        state.events.directions.connect(self._directions_changed)
        state.events.latent.connect(self._latent_changed)
        state.events.generator.connect(self._generator_changed)
        self._directions_changed()

    # ------------------------------------------------------------------ views of the state
    def _directions_changed(self) -> None:
        self._shown = [None] * N_SLIDERS  # every value label anew (slider 0's may name a class)
        labels = self.state.direction_labels()
        for i, (s, name, value) in enumerate(zip(self.sliders, self.slider_names, self.slider_values)):
            for w in (s, name, value):
                w.setVisible(i < len(labels))
            if i < len(labels):
                # LatentState's words (Qt-free), translated here
                live(name, "setText", lambda t=labels[i][0]: engine_text(t))
                live(name, "setToolTip", lambda t=labels[i][1]: engine_text(t))
        self._sync_combo()
        self._update_info()

    def _generator_changed(self, _snap, _new_model: bool) -> None:
        if self.state.directions_source != "raw":
            self._update_info()  # says when the directions are older than the generator

    def _latent_changed(self) -> None:
        for i, (s, value) in enumerate(zip(self.sliders, self.slider_values)):
            t = self.state.ticks(i)
            if self._shown[i] != t:  # only what moved: this runs with every slider move
                self._shown[i] = t
                if s.value() != t:
                    with QSignalBlocker(s):
                        s.setValue(t)
                value.setText(f"{t / TICKS:+.2f}")

    def show_drawn_class(self, k: int | None) -> None:
        """Raw coordinates of a conditional G: slider 0 also says the class it lands on."""
        if k is not None and self.state.directions_source == "raw":
            names = self.state.class_names
            name = names[k] if 0 <= k < len(names) else str(k)
            self.slider_values[0].setText(f"{self.state.ticks(0) / TICKS:+.2f} → {name}")

    def _sync_combo(self) -> None:
        source = self.state.directions_source
        with QSignalBlocker(self.directions_combo):
            self.directions_combo.setCurrentIndex(
                self.directions_combo.findData({"raw": RAW, "principal": PRINCIPAL}.get(source, FROM_FILE))
            )
        self.recompute_button.setVisible(source == "principal")

    def _update_info(self) -> None:
        st = self.state
        d = st.directions
        if st.directions_source == "raw":
            if st.conditional:
                live(
                    self.directions_info,
                    "setText",
                    lambda: self.tr("Each slider moves one coordinate of z. z[0] picks the class."),
                )
            else:
                live(self.directions_info, "setText", lambda: self.tr("Each slider moves one coordinate of z."))
            return
        total = float(d.variance_ratio[:N_SLIDERS].sum()) * 100
        file = Path(st.directions_file).name if st.directions_file else None
        step = d.meta.get("step")
        now = st.snap.step if st.snap is not None else None
        n, k, pct = d.n, st.in_use(), f"{total:.1f}"

        def text() -> str:
            where = file if file is not None else self.tr("PCA of {n} samples").format(n=n)
            if step is not None and now != step:
                where = self.tr("{where} (from step {step}; the generator is now at step {now})").format(
                    where=where, step=step, now=now
                )
            elif step is not None:
                where = self.tr("{where} at step {step}").format(where=where, step=step)
            return self.tr("{where}: the first {k} explain {pct}% of the output variance.").format(
                where=where, k=k, pct=pct
            )

        live(self.directions_info, "setText", text)

    # ------------------------------------------------------------------ choosing directions
    def _directions_chosen(self, _index: int = 0) -> None:
        text = self.directions_combo.currentData()
        if text == RAW:
            self.state.set_directions(None, "raw")
        elif text == PRINCIPAL:
            self.compute_directions()
        else:
            path, _ = QFileDialog.getOpenFileName(
                self, self.tr("Load directions"), "", self.tr("Directions (*.json);;All files (*)")
            )
            if path:
                self.load_directions(path)
            else:
                self._sync_combo()

    def load_directions(self, path: str | Path) -> bool:
        """Directions saved by `ganstudio directions --out FILE.json`."""
        try:
            d = Directions.from_json(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            error = getattr(e, "strerror", None) or str(e)
            self.message.emit(self.tr("Cannot load directions from {path}: {error}").format(path=path, error=error))
            self._sync_combo()
            return False
        z_dim = self.state.z_dim
        if z_dim is not None and d.vectors.shape[1] != z_dim:
            self.message.emit(
                self.tr("{file} holds {k}-d directions; this generator's z has {z}").format(
                    file=Path(path).name, k=d.vectors.shape[1], z=z_dim
                )
            )
            self._sync_combo()
            return False
        self.state.set_directions(d, "file", str(path))
        return True

    def compute_directions(self) -> None:
        """PCA of generated samples in a background thread; the sliders switch when done."""
        snap = self.state.snap
        if snap is None or self.pca_running():
            return
        live(
            self.directions_info,
            "setText",
            lambda: self.tr("Computing principal directions from {n} samples...").format(n=PCA_SAMPLES),
        )
        self.recompute_button.setEnabled(False)
        generation = self.state.generation

        def work() -> None:
            try:
                explore.use_one_thread_here()  # leave the other core to training and the UI
                d = principal_directions(snap.G, snap.z_dim, n=PCA_SAMPLES, k=N_SLIDERS, seed=0)
                d.meta = {"step": snap.step, "ema": snap.ema, "generation": generation}
                self._pca_done.emit(d, None)
            except Exception as e:  # noqa: BLE001 -- reported in the panel; the app stays usable
                self._pca_done.emit(None, str(e))  # said in the UI thread (_on_pca_done)

        self._pca_thread = threading.Thread(target=work, name="latent-pca", daemon=True)
        self._pca_thread.start()

    def pca_running(self) -> bool:
        return self._pca_thread is not None and self._pca_thread.is_alive()

    def wait_background(self, timeout: float = 60.0) -> None:
        if self._pca_thread is not None:
            self._pca_thread.join(timeout)

    def _on_pca_done(self, d: Directions | None, error: str | None) -> None:
        self.recompute_button.setEnabled(True)
        if d is None:
            self.message.emit(
                self.tr("Could not compute principal directions: {error}").format(error=error)
                if error
                else self.tr("Could not compute principal directions")
            )
            self._sync_combo()
            self._update_info()
            return
        if not self.state.is_current(d.meta.pop("generation", -1)) or self.state.z_dim != d.vectors.shape[1]:
            self._sync_combo()
            self._update_info()
            return  # another run's generator meanwhile: these no longer apply
        self.state.set_directions(d, "principal")
