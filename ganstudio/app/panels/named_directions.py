"""The Latent tab's named directions (directions by example, ``namedDirectionsBox``): a slider
for each of the :class:`~ganstudio.app.latent_state.LatentState`'s named directions
(``namedSlider0..``), and for an unconditional G on labelled data, "toward class" directions
(``towardClassButton``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ganstudio.app.i18n import live
from ganstudio.app.latent_state import MAX_NAMED, MAX_TICKS, TICKS, LatentState


class NamedDirectionsBox(QGroupBox):
    toward_requested = Signal(int)  # class index

    MAX = MAX_NAMED

    def __init__(self, state: LatentState, parent: QWidget | None = None):
        super().__init__(parent)
        live(self, "setTitle", lambda: self.tr("Directions by example"))
        self.setObjectName("namedDirectionsBox")
        self.state = state
        self.hint = QLabel(
            objectName="namedDirectionsHint",
            wordWrap=True,
        )
        live(
            self.hint,
            "setText",
            lambda: self.tr("Mark samples + / - in the Samples tab (Mark samples), then Fit direction."),
        )
        self.hint.setStyleSheet("color: #888")
        grid = QGridLayout()
        grid.setSpacing(2)
        self.names: list[QLabel] = []
        self.sliders: list[QSlider] = []
        self.values: list[QLabel] = []
        self.remove_buttons: list[QPushButton] = []
        for i in range(self.MAX):
            name = QLabel(objectName=f"namedSliderLabel{i}")
            name.setMinimumWidth(70)
            s = QSlider(Qt.Orientation.Horizontal, objectName=f"namedSlider{i}")
            s.setRange(-MAX_TICKS, MAX_TICKS)
            s.setSingleStep(10)
            s.setPageStep(50)
            value = QLabel(objectName=f"namedSliderValue{i}")
            value.setText("+0.00")
            value.setMinimumWidth(40)
            rm = QPushButton(objectName=f"namedRemoveButton{i}")
            rm.setText("x")  # a close mark
            rm.setFixedWidth(22)
            live(rm, "setToolTip", lambda: self.tr("Remove this slider (its file stays in RUN/directions/)"))
            s.valueChanged.connect(lambda v, i=i: self._moved(i, v))
            rm.clicked.connect(lambda _=False, i=i: state.remove_named(i))
            for col, w in enumerate((name, s, value, rm)):
                grid.addWidget(w, i, col)
            self.names.append(name)
            self.sliders.append(s)
            self.values.append(value)
            self.remove_buttons.append(rm)
        grid.setColumnStretch(1, 1)
        self.class_combo = QComboBox(objectName="towardClassCombo")
        self.class_button = QPushButton(objectName="towardClassButton")
        live(self.class_button, "setText", lambda: self.tr("Add toward class"))
        live(
            self.class_button,
            "setToolTip",
            lambda: self.tr(
                "An unconditional generator on labelled data: the direction in z that makes the "
                "feature net's classifier see this class (fitted to 2,000 classified samples)"
            ),
        )
        self.class_button.clicked.connect(lambda: self.toward_requested.emit(self.class_combo.currentIndex()))
        crow = QHBoxLayout()
        crow.addWidget(self.class_combo, 1)
        crow.addWidget(self.class_button)
        self.class_row = QWidget()
        self.class_row.setLayout(crow)
        crow.setContentsMargins(0, 0, 0, 0)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(2)
        lay.addWidget(self.hint)
        lay.addLayout(grid)
        lay.addWidget(self.class_row)
        state.events.named.connect(self._sync)
        state.events.latent.connect(self._amounts)
        self._sync()

    @property
    def entries(self) -> list[dict[str, Any]]:
        """The named directions shown: name, vector (Z,), path."""
        return self.state.named

    def set_classes(self, names: list[str] | None) -> None:
        """Offer "toward class" for these class names (None: not offered)."""
        self.class_combo.clear()
        if names:
            self.class_combo.addItems(names)
        self.class_row.setVisible(bool(names))

    def _moved(self, i: int, v: int) -> None:
        if i < len(self.state.named):
            self.state.set_named_ticks(i, v)

    def _sync(self) -> None:
        named = self.state.named
        for i in range(self.MAX):
            on = i < len(named)
            for w in (self.names[i], self.sliders[i], self.values[i], self.remove_buttons[i]):
                w.setVisible(on)
            if on:
                e = named[i]
                self.names[i].setText(e["name"])
                self.names[i].setToolTip(f"{e['name']}" + (f" ({e['path']})" if e.get("path") else ""))
        self.hint.setVisible(not named)
        self._amounts()

    def _amounts(self) -> None:
        named = self.state.named
        for i, s in enumerate(self.sliders):
            t = named[i]["ticks"] if i < len(named) else 0
            if s.value() != t:
                with QSignalBlocker(s):
                    s.setValue(t)
            if i < len(named):
                self.values[i].setText(f"{t / TICKS:+.2f}")
