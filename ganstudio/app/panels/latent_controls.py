"""The Latent tab's controls of the latent itself: seed, Randomize and Reset, the class box of a
conditional generator (``classCombo``), truncation psi, and which weights to explore (EMA or
live, Refresh); views of the :class:`~ganstudio.app.latent_state.LatentState`.
"""

from __future__ import annotations

import random

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ganstudio.app.i18n import label, live
from ganstudio.app.latent_state import MAX_PSI_TICKS, PSI_TICKS, LatentState
from ganstudio.app.panels.direction_sliders import DirectionSliders


class LatentControls(QWidget):
    """Two rows: seed and weights; then the class beside psi. (The directions' choice is in
    ``directions``' own box.)"""

    refresh_requested = Signal(bool)  # EMA wanted; the explorer fetches a fresh copy of G

    def __init__(self, state: LatentState, directions: DirectionSliders):
        super().__init__()
        self.state = state
        self.ema_toggle = QCheckBox(objectName="latentEmaToggle")
        live(self.ema_toggle, "setText", lambda: self.tr("EMA weights"))
        live(
            self.ema_toggle,
            "setToolTip",
            lambda: self.tr("Explore the averaged (EMA) generator, or the live training weights"),
        )
        self.ema_toggle.setChecked(True)
        self.refresh_button = QPushButton(objectName="refreshGeneratorButton")
        live(self.refresh_button, "setText", lambda: self.tr("Refresh"))
        live(
            self.refresh_button,
            "setToolTip",
            lambda: self.tr("Take a fresh copy of the generator now (it refreshes every few seconds while training)"),
        )
        self.ema_toggle.toggled.connect(lambda on: self.refresh_requested.emit(on))
        self.refresh_button.clicked.connect(lambda: self.refresh_requested.emit(self.ema_toggle.isChecked()))

        self.seed_spin = QSpinBox(objectName="latentSeedSpin")
        self.seed_spin.setRange(0, 2**31 - 1)
        live(
            self.seed_spin,
            "setToolTip",
            lambda: self.tr("z = a standard normal sample from this seed (as `ganstudio interpolate --seeds`)"),
        )
        self.seed_spin.valueChanged.connect(state.set_seed)
        self.randomize_button = QPushButton(objectName="randomizeButton")
        live(self.randomize_button, "setText", lambda: self.tr("Randomize"))
        self.randomize_button.clicked.connect(self.randomize)
        self.reset_button = QPushButton(objectName="resetLatentButton")
        live(self.reset_button, "setText", lambda: self.tr("Reset"))
        live(self.reset_button, "setToolTip", lambda: self.tr("Sliders back to 0 and psi back to 1"))
        self.reset_button.clicked.connect(state.reset)
        self.psi_slider = QSlider(Qt.Orientation.Horizontal, objectName="psiSlider")
        self.psi_slider.setRange(0, MAX_PSI_TICKS)
        self.psi_slider.setValue(PSI_TICKS)
        live(
            self.psi_slider,
            "setToolTip",
            lambda: self.tr("Truncation: z -> psi * z. Lower psi trades variety for typical-looking samples."),
        )
        self.psi_slider.valueChanged.connect(state.set_psi_ticks)
        self.psi_label = QLabel(objectName="psiLabel")
        self.psi_label.setText("psi 1.00")  # a symbol and a number
        self._psi_shown = PSI_TICKS
        self.psi_label.setMinimumWidth(58)
        self.class_label = QLabel(objectName="classLabel")
        live(self.class_label, "setText", lambda: self.tr("Class"))
        self.class_combo = QComboBox(objectName="classCombo")
        live(
            self.class_combo,
            "setToolTip",
            lambda: self.tr(
                "A conditional generator draws its class from z[0]: pick one here "
                "(it shows the class the preview draws)"
            ),
        )
        self.class_combo.setMinimumContentsLength(8)
        self.class_combo.currentIndexChanged.connect(self._class_picked)  # user picks and scripts alike

        # two short rows, so the tab fits beside the Setup column at 1280 px (issue 28)
        top = QHBoxLayout()
        top.addWidget(label(lambda: self.tr("Seed")))
        top.addWidget(self.seed_spin)
        top.addWidget(self.randomize_button)
        top.addWidget(self.reset_button)
        top.addStretch(1)
        top.addWidget(self.ema_toggle)
        top.addWidget(self.refresh_button)
        mid = QHBoxLayout()
        mid.addWidget(self.class_label)
        mid.addWidget(self.class_combo)
        mid.addSpacing(8)
        mid.addWidget(label(lambda: self.tr("Truncation")))
        mid.addWidget(self.psi_slider, 1)
        mid.addWidget(self.psi_label)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addLayout(top)
        lay.addLayout(mid)

        state.events.generator.connect(self._generator_changed)
        state.events.latent.connect(self._latent_changed)
        self._update_classes()

    def randomize(self) -> None:
        self.seed_spin.setValue(random.randrange(2**31 - 1))

    # ------------------------------------------------------------------ views of the state
    def _generator_changed(self, snap, _new_model: bool) -> None:
        with QSignalBlocker(self.ema_toggle):
            self.ema_toggle.setEnabled(self.state.ema_available)
            self.ema_toggle.setChecked(snap.ema)
        self._update_classes()

    def _latent_changed(self) -> None:
        st = self.state
        if self.seed_spin.value() != st.seed:
            with QSignalBlocker(self.seed_spin):
                self.seed_spin.setValue(st.seed)
        if self._psi_shown != st.psi_ticks():
            self._psi_shown = st.psi_ticks()
            with QSignalBlocker(self.psi_slider):
                self.psi_slider.setValue(st.psi_ticks())
            self.psi_label.setText(f"psi {st.psi:.2f}")

    def _update_classes(self) -> None:
        """The class box shows for a conditional image generator, listing its class names."""
        names = self.state.class_names
        if [self.class_combo.itemText(i) for i in range(self.class_combo.count())] != names:
            with QSignalBlocker(self.class_combo):
                self.class_combo.clear()
                self.class_combo.addItems(names)
        for w in (self.class_label, self.class_combo):
            w.setVisible(bool(names))
        self.class_combo.setEnabled(bool(names))
        self.show_drawn_class()

    def show_drawn_class(self) -> None:
        """The box shows the class the preview draws (no signal: it is not a user's pick)."""
        k = self.state.shown_class()
        with QSignalBlocker(self.class_combo):
            self.class_combo.setCurrentIndex(-1 if k is None else k)

    def _class_picked(self, index: int) -> None:
        if index >= 0:
            self.state.choose_class(index)
