"""The Latent tab's Restore mode (``restoreBox``): before and after side by side: the image
with its hole painted on it (``maskCanvas``: left button paints, right button erases,
``maskBrushSpin`` sets the brush, ``maskCombo`` picks a whole mask) and the fill
(``restoreAfter``), converging live after Fill; Save PNG. panels/latent_find.py drives it; the fill
is the engine's (ganstudio/inpainting.py), run by the finder's thread (panels/finder.py).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ganstudio.app.panels.find_views import to_pixmap
from ganstudio.data.imageops import save_png, unit_to_uint8
from ganstudio.inpainting import random_mask, shape_mask

# Before (the canvas) and after side by side fill the Latent tab's side panel; the box takes
# the nearest images' place, so the window still fits a 1280x800 screen.
CANVAS = 124  # pixels (4.4 screen pixels per pixel of a 28x28 image)
HOLE_TINT = QColor(230, 40, 60, 150)  # the hole over the image: visible on black and white alike


class MaskCanvas(QWidget):
    """The image with its hole tinted; the mouse paints the hole (left) or erases it (right)."""

    changed = Signal()  # the hole changed

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("maskCanvas")
        self.setFixedSize(CANVAS, CANVAS)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip(self.tr("Paint the missing part: left button paints, right button erases"))
        self.image: np.ndarray | None = None  # (C, H, W) in [-1, 1]
        self.hole: np.ndarray | None = None  # (H, W) bool, True where missing
        self.brush = 3  # diameter in image pixels
        self._last: tuple[float, float] | None = None

    def set_image(self, image: np.ndarray | None) -> None:
        """A new image, with the hole it had kept when the size is the same."""
        self.image = None if image is None else np.asarray(image, np.float32)
        if self.image is None:
            self.hole = None
        elif self.hole is None or self.hole.shape != self.image.shape[1:]:
            self.hole = shape_mask("center", self.image.shape[-1])
        self.update()
        self.changed.emit()

    def set_hole(self, hole: np.ndarray) -> None:
        self.hole = np.array(hole, bool)
        self.update()
        self.changed.emit()

    def image_pixel(self, pos: QPointF) -> tuple[float, float]:
        """(row, column) in image pixels under a widget position."""
        h, w = self.hole.shape
        return pos.y() * h / self.height(), pos.x() * w / self.width()

    def widget_point(self, row: float, col: float) -> QPointF:
        """The widget position at the centre of image pixel (row, col) (tests, scripts)."""
        h, w = self.hole.shape
        return QPointF((col + 0.5) * self.width() / w, (row + 0.5) * self.height() / h)

    def _dab(self, row: float, col: float, value: bool) -> None:
        h, w = self.hole.shape
        r = self.brush / 2
        yy, xx = np.mgrid[0:h, 0:w]
        self.hole[(yy + 0.5 - row) ** 2 + (xx + 0.5 - col) ** 2 <= max(r * r, 0.5)] = value

    def _stroke(self, pos: QPointF, value: bool) -> None:
        """Paint from the last position to this one (a fast stroke leaves no gaps)."""
        row, col = self.image_pixel(pos)
        r0, c0 = self._last if self._last is not None else (row, col)
        n = max(1, int(np.ceil(max(abs(row - r0), abs(col - c0)) * 2)))
        for t in np.linspace(0, 1, n + 1):
            self._dab(r0 + (row - r0) * t, c0 + (col - c0) * t, value)
        self._last = (row, col)
        self.update()
        self.changed.emit()

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.hole is None or event.button() not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return
        self._last = None
        self._stroke(event.position(), event.button() == Qt.MouseButton.LeftButton)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.hole is None or self._last is None:
            return
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._stroke(event.position(), True)
        elif event.buttons() & Qt.MouseButton.RightButton:
            self._stroke(event.position(), False)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._last = None

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#222"))
        if self.image is None:
            p.setPen(QColor("#aaa"))
            p.drawText(
                self.rect().adjusted(8, 8, -8, -8),
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                self.tr("Pick an image above (a dataset item, an image file, a sample grid cell), then paint its hole"),
            )
            return
        p.drawPixmap(self.rect(), to_pixmap(self.image, CANVAS))
        h, w = self.hole.shape
        tint = np.zeros((h, w, 4), np.uint8)
        tint[self.hole] = (HOLE_TINT.red(), HOLE_TINT.green(), HOLE_TINT.blue(), HOLE_TINT.alpha())
        qimg = QImage(tint.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
        p.drawImage(self.rect(), qimg.copy())


class RestoreBox(QGroupBox):
    """Restore mode's controls and views (see the module doc)."""

    fill_requested = Signal()
    mask_changed = Signal()

    MASKS = ("center", "left", "random", "clear")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("Restore: fill the missing part"), parent)
        self.setObjectName("restoreBox")
        self.result: np.ndarray | None = None  # (C, H, W) the last fill
        self._rng = np.random.default_rng(0)
        self.canvas = MaskCanvas()
        self.mask_combo = QComboBox(objectName="maskCombo")
        self.mask_combo.addItems([self.tr("Centre"), self.tr("Left half"), self.tr("Random 20%"), self.tr("Clear")])
        self.mask_combo.setToolTip(self.tr("Replace the hole with one of these masks"))
        self.mask_combo.activated.connect(self.pick_mask)
        self.brush_spin = QSpinBox(objectName="maskBrushSpin")
        self.brush_spin.setRange(1, 12)
        self.brush_spin.setValue(self.canvas.brush)
        self.brush_spin.setPrefix(self.tr("brush "))
        self.brush_spin.setToolTip(self.tr("The brush's diameter in image pixels"))
        self.brush_spin.valueChanged.connect(lambda v: setattr(self.canvas, "brush", int(v)))
        self.fill_button = QPushButton(self.tr("Fill"), objectName="fillButton")
        self.fill_button.setToolTip(
            self.tr(
                "Find the latent whose output matches the known pixels and blend it into the hole "
                "(as `ganstudio inpaint` does)"
            )
        )
        self.fill_button.clicked.connect(self.fill_requested)
        self.bar = QProgressBar(objectName="restoreProgress")
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.after = QLabel(objectName="restoreAfter")
        self.after.setFixedSize(CANVAS, CANVAS)
        self.after.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.after.setStyleSheet("background: #222")
        self.after.setToolTip(self.tr("The fill: the generator's pixels in the hole, the known pixels kept"))
        self.save_button = QPushButton(self.tr("Save PNG..."), objectName="restoreSaveButton")
        self.save_button.setEnabled(False)
        self.save_button.setToolTip(self.tr("Save the restored image as a PNG at the run's image size"))
        self.save_button.clicked.connect(self._save_clicked)
        self.label = QLabel(objectName="restoreLabel", wordWrap=True)
        self.label.setMinimumWidth(1)
        self.label.setStyleSheet("color: #888")
        self.canvas.changed.connect(self.mask_changed)

        tools = QHBoxLayout()
        tools.addWidget(self.mask_combo, 1)
        tools.addWidget(self.brush_spin)
        tools.addWidget(self.fill_button)
        pair = QGridLayout()
        pair.setSpacing(4)
        pair.addWidget(self.canvas, 0, 0)
        pair.addWidget(self.after, 0, 1)
        for col, text in enumerate((self.tr("Before: paint the hole"), self.tr("After"))):
            cap = QLabel(text, alignment=Qt.AlignmentFlag.AlignCenter)
            cap.setStyleSheet("color: #888; font-size: 10px")
            pair.addWidget(cap, 1, col)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(3)
        lay.addLayout(pair)
        lay.addLayout(tools)
        lay.addWidget(self.bar)
        lay.addWidget(self.save_button)
        lay.addWidget(self.label)
        self.set_running(False)

    # ------------------------------------------------------------------ the image and its mask
    def set_image(self, image: np.ndarray | None, what: str = "") -> None:
        self.canvas.set_image(image)
        self.show_result(None)
        self.label.setText(self.tr("Restoring {}: paint the hole, then Fill").format(what) if what else "")

    def pick_mask(self, index: int) -> None:
        """One of maskCombo's masks (0 centre, 1 left half, 2 random 20%, 3 clear)."""
        if self.canvas.image is None:
            return
        side = self.canvas.image.shape[-1]
        kind = self.MASKS[index]
        if kind == "clear":
            hole = np.zeros((side, side), bool)
        elif kind == "random":
            hole = random_mask(0.2, side, self._rng)  # a new draw each time it is picked
        else:
            hole = shape_mask(kind, side)
        self.canvas.set_hole(hole)

    def hole(self) -> np.ndarray | None:
        return None if self.canvas.hole is None else self.canvas.hole.copy()

    # ------------------------------------------------------------------ the fill
    def set_running(self, running: bool) -> None:
        self.fill_button.setText(self.tr("Stop") if running else self.tr("Fill"))
        for w in (self.canvas, self.mask_combo, self.brush_spin):
            w.setEnabled(not running)

    def show_result(self, filled: np.ndarray | None) -> None:
        """The fill so far (live) or the final one; None clears it."""
        self.result = None if filled is None else np.asarray(filled, np.float32)
        if self.result is None:
            self.after.clear()
        else:
            self.after.setPixmap(to_pixmap(self.result, CANVAS))

    def save_png(self, path: str) -> None:
        save_png(unit_to_uint8(self.result).transpose(1, 2, 0), path)

    def _save_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the restored image"), "restored.png", "PNG (*.png)")
        if not path:
            return
        try:
            self.save_png(path)
        except OSError as e:
            self.label.setText(self.tr("Cannot write {}: {}").format(path, e.strerror or e))
            return
        self.label.setText(self.tr("Saved {}").format(path))
