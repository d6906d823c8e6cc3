"""The views of finding things in the generator, beside the Latent tab's preview: the box that
projects an image into G (``findBox``), the preview's nearest training images
(``neighboursView``), and image files dropped on the preview. The work is :class:`Finder`'s
(panels/finder.py); panels/latent_find.py drives both.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
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

from ganstudio.app.panels.finder import K, STEPS
from ganstudio.data.imageops import unit_to_uint8

THUMB = 56  # neighbour thumbnails, pixels
# projectSourceCombo's items (shown translated; compared by index) and the target view's
# placeholder; tests and scripts find them by these English texts.
DATASET = QT_TRANSLATE_NOOP("FindBox", "Dataset item")
FILE = QT_TRANSLATE_NOOP("FindBox", "Image file...")
EMPTY_TARGET = QT_TRANSLATE_NOOP("FindBox", "Pick an image, then Project")
SOURCE_DATASET, SOURCE_FILE = 0, 1


class ElidedLabel(QLabel):
    """A one-line label that never widens its layout: it asks for ``min_chars`` characters at
    least, shows what fits with an ellipsis, and gives the full text on hover when cut.
    ``text()`` is always the full text."""

    def __init__(self, text: str = "", min_chars: int = 6, objectName: str | None = None):  # noqa: N803 (Qt's name)
        super().__init__(text)
        if objectName:
            self.setObjectName(objectName)
        self._min_chars = min_chars
        self._tip = ""  # a tooltip of its own, shown when the text is not cut
        self._cut = False

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self._update_tip()

    def setToolTip(self, tip: str) -> None:  # noqa: N802 (Qt's name)
        self._tip = tip
        self._update_tip()

    def minimumSizeHint(self):  # noqa: N802 (Qt's name)
        hint = super().minimumSizeHint()
        m = self.contentsMargins()
        w = self.fontMetrics().horizontalAdvance("x" * self._min_chars) + m.left() + m.right()
        hint.setWidth(min(hint.width(), w))
        return hint

    def is_cut(self) -> bool:
        """Whether the text on show is elided."""
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._update_tip()

    def _update_tip(self) -> None:
        self._cut = bool(self.text()) and self.is_cut()
        tip = self.text() + (f"\n\n{self._tip}" if self._tip else "") if self._cut else self._tip
        if super().toolTip() != tip:
            super().setToolTip(tip)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self._cut:
            super().paintEvent(event)
            return
        painter = QPainter(self)
        r = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, r.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(r, int(self.alignment()), text)


def to_pixmap(image: np.ndarray, side: int) -> QPixmap:
    """(C, H, W) float in [-1, 1] -> a QPixmap scaled (nearest) to side x side."""
    arr = np.ascontiguousarray(unit_to_uint8(image).transpose(1, 2, 0))  # (H, W, C)
    h, w, c = arr.shape
    if c == 1:
        qimg = QImage(arr.data, w, h, w, QImage.Format.Format_Grayscale8)
    else:
        qimg = QImage(arr.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(qimg.copy()).scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )


class NeighboursView(QWidget):
    """The K nearest training images of the preview, with their distances (``neighboursView``)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("neighboursView")
        self.result = None  # NearestReal on show
        self.check = QCheckBox(self.tr("Nearest training images"), objectName="neighboursCheck")
        self.check.setChecked(True)
        self.check.setToolTip(self.tr("The training images nearest the preview: is the generator copying its data?"))
        self.space = QComboBox(objectName="neighboursSpaceCombo")
        self.space.addItems([self.tr("by features"), self.tr("by pixels")])
        self.space.setToolTip(
            self.tr(
                "Distance between the feature net's 128-d features, or root-mean-square pixel difference "
                "([-1, 1] units)"
            )
        )
        self.space.currentIndexChanged.connect(lambda _: self._show())
        self.note = QLabel(objectName="neighboursNote", wordWrap=True)
        self.note.setStyleSheet("color: #888")
        self.load_button = QPushButton(self.tr("Load training images"), objectName="neighboursLoadButton")
        self.load_button.setToolTip(
            self.tr(
                "Train the feature net of this dataset (once, then cached; about a minute for "
                "60,000 images on a CPU) and index its images"
            )
        )
        self.load_button.hide()
        self.images: list[QLabel] = []
        self.distances: list[QLabel] = []
        grid = QGridLayout()
        grid.setSpacing(2)
        for i in range(K):
            img = QLabel(objectName=f"neighbourImage{i}")
            img.setFixedSize(THUMB, THUMB)
            img.setAlignment(Qt.AlignmentFlag.AlignCenter)
            img.setStyleSheet("background: #222")
            dist = QLabel(objectName=f"neighbourDistance{i}")
            dist.setAlignment(Qt.AlignmentFlag.AlignCenter)
            dist.setStyleSheet("color: #aaa; font-size: 9px")
            r, c = divmod(i, 4)
            grid.addWidget(img, 2 * r, c)
            grid.addWidget(dist, 2 * r + 1, c)
            self.images.append(img)
            self.distances.append(dist)
        head = QHBoxLayout()
        head.addWidget(self.check)
        head.addWidget(self.space, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(head)
        lay.addLayout(grid)
        lay.addWidget(self.note)
        lay.addWidget(self.load_button)
        self._data: np.ndarray | None = None
        self.clear("")

    def set_result(self, result, data: np.ndarray, threshold: float | None = None) -> None:
        self.result, self._data, self._threshold = result, data, threshold
        self._show()

    def clear(self, note: str, load: bool = False) -> None:
        """No neighbours on show; ``note`` says why; ``load``: offer the Load button."""
        self.load_button.setVisible(load)
        self.result = None
        for img, dist in zip(self.images, self.distances):
            img.clear()
            dist.setText("")
        self.note.setText(note)

    def shown_count(self) -> int:
        """How many neighbour images are on show."""
        return sum(1 for img in self.images if img.pixmap() is not None and not img.pixmap().isNull())

    def _show(self) -> None:
        r = self.result
        if r is None or self._data is None:
            return
        self.load_button.hide()
        n = r.features if self.space.currentIndex() == 0 else r.pixels
        for i, (img, dist) in enumerate(zip(self.images, self.distances)):
            if i < len(n.index):
                img.setPixmap(to_pixmap(self._data[int(n.index[i])], THUMB))
                img.setToolTip(self.tr("training image {}").format(int(n.index[i])))
                dist.setText(f"#{int(n.index[i])}  {float(n.distance[i]):.2f}")
            else:
                img.clear()
                dist.setText("")
        if self.space.currentIndex() == 0 and self._threshold is not None and len(n.distance):
            near = float(n.distance[0]) < self._threshold
            text = (
                self.tr("Nearest {:.2f}; training images sit {:.2f} from their nearest one (median): closer than that")
                if near
                else self.tr("Nearest {:.2f}; training images sit {:.2f} from their nearest one (median).")
            )
            self.note.setText(text.format(float(n.distance[0]), self._threshold))
        else:
            self.note.setText(self.tr("RMS pixel difference, [-1, 1] units") if self.space.currentIndex() else "")


class FindBox(QGroupBox):
    """Project a training item or an image file into G (``projectButton``); the target
    beside the live reconstruction (the preview) and a progress line. ``inpaintButton``
    switches to Restore mode (panels/restore_views.py)."""

    project_requested = Signal(object, str)  # (target (C, H, W), what it is)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("Find an image in the generator"), parent)
        self.setObjectName("findBox")
        self.source = QComboBox(objectName="projectSourceCombo")
        self.source.addItems([QCoreApplication.translate("FindBox", t) for t in (DATASET, FILE)])
        self.source.setToolTip(
            self.tr(
                "Project a training image (by index) or an image file; you can also drop an image "
                "file on the preview, or right-click a sample in the Samples tab"
            )
        )
        self.index_spin = QSpinBox(objectName="projectIndexSpin")
        self.index_spin.setRange(0, 9_999_999)  # the dataset's size once its images are loaded
        self.index_spin.setToolTip(self.tr("Which training image"))
        self.button = QPushButton(self.tr("Project"), objectName="projectButton")
        self.button.setToolTip(
            self.tr(
                "Find the latent whose output is closest (Adam on z; a pixel loss plus the feature "
                "net's features). The result becomes the current latent."
            )
        )
        self.inpaint_button = QPushButton(self.tr("Restore"), objectName="inpaintButton", checkable=True)
        self.inpaint_button.setToolTip(
            self.tr(
                "Restore mode: paint the missing part of the chosen image (a dataset item, an image "
                "file, a sample grid cell) and let the generator fill it"
            )
        )
        self.target = QLabel(objectName="projectTargetView", wordWrap=True)
        self.target.setFixedSize(72, 72)
        self.target.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.target.setToolTip(self.tr("The image being found"))
        self.set_target(None)
        self.bar = QProgressBar(objectName="projectProgress")
        self.bar.setRange(0, STEPS)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.label = QLabel(objectName="projectionLabel", wordWrap=True)
        self.label.setMinimumWidth(1)  # long results wrap inside the side panel, never widen it
        self.label.setStyleSheet("color: #888")
        self.label.setMinimumHeight(46)  # three lines
        self.source.currentIndexChanged.connect(lambda i: self.index_spin.setEnabled(i == SOURCE_DATASET))
        buttons = QHBoxLayout()
        buttons.setSpacing(3)
        buttons.addWidget(self.button)
        buttons.addWidget(self.inpaint_button)
        lay = QGridLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(3)
        lay.addWidget(self.target, 0, 0, 3, 1, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.source, 0, 1)
        lay.addWidget(self.index_spin, 1, 1)
        lay.addLayout(buttons, 2, 1)
        lay.addWidget(self.bar, 3, 0, 1, 2)
        lay.addWidget(self.label, 4, 0, 1, 2)
        lay.setColumnStretch(1, 1)

    def set_target(self, image: np.ndarray | None) -> None:
        """The image being found; None: a placeholder that says so (not a black square)."""
        if image is None:
            self.target.clear()
            self.target.setStyleSheet("color: #888; border: 1px dashed #aaa; font-size: 10px")
            self.target.setText(QCoreApplication.translate("FindBox", EMPTY_TARGET))
        else:
            self.target.setStyleSheet("background: #222")
            self.target.setPixmap(to_pixmap(image, 72))

    def choose_file(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose an image"),
            "",
            self.tr("Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff);;All files (*)"),
        )
        return path or None


class DropFilter(QObject):
    """Image files dropped on a widget (the preview) -> ``dropped(path)``."""

    dropped = Signal(str)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        t = event.type()
        if t in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if _file_url(event.mimeData()) is not None:
                event.acceptProposedAction()
                return True
        elif t == QEvent.Type.Drop:
            path = _file_url(event.mimeData())
            if path is not None:
                event.acceptProposedAction()
                self.dropped.emit(path)
                return True
        return False


def _file_url(mime) -> str | None:
    if mime is None or not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile():
            return url.toLocalFile()
    return None
