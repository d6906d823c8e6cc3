"""Directions by example, in the Samples tab: while *Mark samples* is on, cells of the
fixed-noise grid are marked as having a property (+, left click) or not (-, right click), and
*Fit direction* fits a latent direction to the marks (example_directions.py), which the Latent
tab shows as a named slider. Each cell is known by its latent (``SamplePanel.fixed_latents``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGraphicsRectItem, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from ganstudio.app.engine_text import engine_text
from ganstudio.app.i18n import live
from ganstudio.explore import is_conditional


class SampleMarks(QWidget):
    """The row under the grid while marking (``markRow``), the marks, and their frames over the
    cells; ``button`` (``markButton``) turns marking on and sits in the panel's bar."""

    changed = Signal()
    direction_fitted = Signal(str, object, object)  # (name, unit vector (Z,), latent.Directions to save)

    def __init__(self, panel):
        super().__init__(objectName="markRow")
        self.panel = panel  # the SamplePanel: its grid, its cells' latents and rectangles
        self.marks: dict[int, bool] = {}  # cell -> has the property
        self.items: dict[int, Any] = {}
        self.button = QPushButton(objectName="markButton")
        live(self.button, "setText", lambda: self.tr("Mark samples"))
        self.button.setCheckable(True)
        live(
            self.button,
            "setToolTip",
            lambda: self.tr(
                "Mark samples that have a property (left click, green +) or not (right click, "
                "red -); click again to unmark. Then name it and Fit direction: a slider in "
                "the Latent tab."
            ),
        )
        self.button.toggled.connect(self._toggled)
        self.direction_name = QLineEdit(objectName="directionNameEdit")
        live(self.direction_name, "setPlaceholderText", lambda: self.tr("property, e.g. thick strokes"))
        self.fit_button = QPushButton(objectName="fitDirectionButton")
        live(self.fit_button, "setText", lambda: self.tr("Fit direction"))
        live(
            self.fit_button,
            "setToolTip",
            lambda: self.tr(
                "Fit a direction in z from the + samples' latents to the - ones' (logistic "
                "regression; the difference of means with fewer than 4 marks a side)"
            ),
        )
        self.fit_button.clicked.connect(lambda: self.fit_direction())
        self.clear_button = QPushButton(objectName="clearMarksButton")
        live(self.clear_button, "setText", lambda: self.tr("Clear marks"))
        self.clear_button.clicked.connect(self.clear)
        self.label = QLabel(objectName="marksLabel")
        self._message = (
            None  # a function giving the text translated: shown instead of the counts until the user acts again
        )
        self.direction_name.textEdited.connect(lambda _: self._say(None))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 0, 4, 0)
        lay.addWidget(self.label)
        lay.addWidget(self.direction_name, 1)
        lay.addWidget(self.fit_button)
        lay.addWidget(self.clear_button)
        self.hide()

    def marking(self) -> bool:
        return self.button.isChecked()

    def mark(self, i: int, positive: bool) -> None:
        """Mark cell i + (positive) or - ; the same mark again removes it."""
        self._message = None
        if self.marks.get(i) == positive:
            del self.marks[i]
        else:
            self.marks[i] = positive
        self.redraw()

    def clear(self) -> None:
        self.marks.clear()
        self._say(None)

    def _say(self, text) -> None:
        """A message that stays (grid updates redraw the counts, not it) until the next mark, edit or fit."""
        self._message = text
        live(self.label, "setToolTip", text or (lambda: ""))
        self.redraw()

    def fit_direction(self, name: str | None = None) -> bool:
        """Fit a direction to the marks and hand it to the Latent tab (``direction_fitted``)."""
        from ganstudio.errors import GanstudioError
        from ganstudio.example_directions import fit_direction, make_directions

        p = self.panel
        name = (name if name is not None else self.direction_name.text()).strip()
        if not name:
            self._say(lambda: self.tr("Name the property first."))
            return False
        if p.grid_config() is None:
            self._say(lambda: self.tr("No generator for this grid yet."))
            return False
        cells = sorted(self.marks)
        z = p.fixed_latents()[cells]
        positive = np.array([self.marks[i] for i in cells], dtype=bool)
        try:
            vec, method = fit_direction(z, positive, ignore=[0] if is_conditional(p.snap) else [])
        except GanstudioError as e:
            error = str(e)
            self._say(lambda: engine_text(error))
            return False
        d = make_directions(
            vec,
            name,
            int(positive.sum()),
            int((~positive).sum()),
            method,
            step=p.snap.step,
            cells={"+": [i for i in cells if self.marks[i]], "-": [i for i in cells if not self.marks[i]]},
        )
        self.direction_fitted.emit(name, vec, d)
        self._say(lambda: self.tr("'{name}' fitted ({method}); see the Latent tab").format(name=name, method=method))
        return True

    def _toggled(self, on: bool) -> None:
        self.setVisible(on)
        self.redraw()

    def redraw(self) -> None:
        """Green (+) and red (-) frames over the marked cells (only while marking, on the grid)."""
        p = self.panel
        for item in self.items.values():
            p.viewbox.removeItem(item)
        self.items.clear()
        lay = p.cell_layout() if self.marking() else None
        if lay is not None:
            for i, pos in self.marks.items():
                if i >= lay[0]:
                    continue
                x, y, w, h = p.cell_rect(i)
                item = QGraphicsRectItem(x - 0.5, y - 0.5, w + 1, h + 1)
                pen = pg.mkPen("#3ddc5a" if pos else "#ff4d4d", width=2)
                pen.setCosmetic(True)
                item.setPen(pen)
                item.setZValue(10)
                p.viewbox.addItem(item)
                self.items[i] = item
        n_pos = sum(self.marks.values())
        n_neg = len(self.marks) - n_pos
        self.fit_button.setEnabled(bool(n_pos and n_neg))
        if self._message is not None:
            live(self.label, "setText", self._message)
        elif self.marking() and lay is None and p.current_image() is not None:
            live(self.label, "setText", lambda: self.tr("Marks work on the fixed-noise grid of the current generator."))
        else:
            live(self.label, "setText", lambda: f"+{n_pos}  -{n_neg}")
        self.changed.emit()
