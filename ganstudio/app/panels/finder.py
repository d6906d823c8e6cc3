"""Finding things in the generator, in the Latent tab: project an image (a training item, an
image file dropped on the preview, a cell of the sample grid) into G, the nearest training
images of the preview, and sliders for directions by example.

The engine does the work (ganstudio/projection.py, metrics/neighbours.py,
example_directions.py); :class:`Finder` runs it in one background thread of its own, with one
torch thread and denormals flushed, so the UI stays responsive and training keeps its core:
it loads the run's training images with their feature net and nearest-neighbour index (once
per dataset; the feature net and index are cached on disk; a feature net not trained yet is
trained only when asked: Project, or the neighbours' Load button), advances a projection in chunks
of CHUNK Adam steps, reporting the reconstruction after each, and answers nearest-neighbour
queries between chunks ("last one wins": only the newest preview is looked up).
"""

from __future__ import annotations

import copy
import threading
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
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
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ganstudio.data.imageops import unit_to_uint8
from ganstudio.errors import Cancelled

K = 8  # nearest training images shown
CHUNK = 10  # Adam steps between progress reports
STEPS = 300  # Adam steps of a projection in the app (as `ganstudio project`)
THUMB = 56  # neighbour thumbnails, pixels
DATASET, FILE = "Dataset item", "Image file..."


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


def reference_key(snap) -> tuple[str, int | None, int | None] | None:
    """What identifies a generator's training images: (dataset, image size, channels)."""
    cfg = (snap.meta.get("config") or {}) if snap is not None else {}
    if snap is None or snap.is_2d or not cfg.get("dataset"):
        return None
    return cfg["dataset"], cfg.get("image_size"), cfg.get("channels")


class Finder(QObject):
    """The background thread (see the module doc). Signals arrive in the UI thread."""

    status = Signal(str)  # what it is doing, "" when idle
    reference_ready = Signal(object)  # metrics.neighbours.RealReference
    reference_failed = Signal(str)
    needs_training = Signal(str)  # (dataset): its feature net is not cached; load with train=True
    progress = Signal(object, int)  # (projection.Projection so far, token)
    projected = Signal(object, object, int)  # (Projection, baselines dict, token)
    neighbours = Signal(object, int)  # (metrics.neighbours.NearestReal, request id)
    direction = Signal(object, object)  # (unit vector (Z,) tensor, info dict): a "toward class" direction
    failed = Signal(str, str)  # (message, details)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._cv = threading.Condition()
        self._thread: threading.Thread | None = None
        self._quit = False
        self.reference = None  # RealReference of ``self.key``, once loaded (read in the UI thread too)
        self.key = None
        self._want_key = None
        self._want_train = False  # whether to train a feature net that is not cached
        self._untrained = False  # self.key was looked at and its feature net is not cached
        self._datasets: dict = {}  # key -> Dataset (the last one: loading is seconds for big sets)
        self._proj: dict[str, Any] | None = None  # the projection to run or advance
        self._token = 0
        self._nn: tuple[np.ndarray, int] | None = None  # (image (C, H, W), request id)
        self._nn_id = 0
        self._cls: tuple | None = None  # (G, z_dim, class, name)

    # ------------------------------------------------------------------ requests (UI thread)
    def want_reference(self, key, train: bool = False) -> None:
        """Load the training images, feature net and index of ``key`` (reference_key);
        ``train``: also when its feature net must be trained first (a minute for 60,000 images)."""
        with self._cv:
            if key == self._want_key and (not train or self._want_train):
                return
            self._want_train = train or (key == self._want_key and self._want_train)
            self._want_key = key
            self._cv.notify_all()
        self._ensure_thread()

    def project(self, G, target: np.ndarray, z_dim: int, steps: int = STEPS, seed: int = 0) -> int:
        """Start projecting target (C, H, W) into a copy of G; cancels one under way. Returns its token.
        The training images load first (their feature net gives the feature loss)."""
        if self._want_key is not None:
            self.want_reference(self._want_key, train=True)
        with self._cv:
            self._token += 1
            self._proj = {
                "G": copy.deepcopy(G).eval(),
                "target": np.asarray(target, np.float32),
                "z_dim": z_dim,
                "steps": steps,
                "seed": seed,
                "token": self._token,
                "projector": None,
            }
            self._cv.notify_all()
        self._ensure_thread()
        return self._token

    def cancel_projection(self) -> None:
        with self._cv:
            self._token += 1
            self._proj = None

    def projecting(self) -> bool:
        return self._proj is not None

    def nearest(self, image: np.ndarray) -> int:
        """Look up the K nearest training images of image (C, H, W); the newest request wins."""
        with self._cv:
            self._nn_id += 1
            self._nn = (np.asarray(image, np.float32), self._nn_id)
            self._cv.notify_all()
        self._ensure_thread()
        return self._nn_id

    def toward_class(self, G, z_dim: int, k: int, name: str) -> None:
        with self._cv:
            self._cls = (copy.deepcopy(G).eval(), z_dim, k, name)
            self._cv.notify_all()
        self._ensure_thread()

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def shutdown(self, timeout: float = 30.0) -> None:
        with self._cv:
            self._quit = True
            self._proj = None
            self._cv.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None
        self._quit = False

    def _ensure_thread(self) -> None:
        if not self.running():
            self._quit = False
            self._thread = threading.Thread(target=self._loop, name="latent-finder", daemon=True)
            self._thread.start()

    # ------------------------------------------------------------------ the thread
    def _loop(self) -> None:
        from ganstudio import explore

        torch.set_flush_denormal(True)  # this thread only (see projection.py)
        explore.use_one_thread_here()  # leave the other core to training and the UI
        while True:
            with self._cv:
                while not self._quit and not self._has_work():
                    self._cv.wait()
                if self._quit:
                    return
                key = self._want_key
            if key != self.key or (self._want_train and self._untrained):
                try:
                    self._load(key)
                except Cancelled:
                    return
                except Exception as e:  # noqa: BLE001 -- reported; the app stays usable
                    self.failed.emit(str(e), traceback.format_exc())
                continue
            with self._cv:
                proj, nn, cls = self._proj, self._nn, self._cls
                self._nn = self._cls = None
            try:
                if cls is not None:
                    self._toward_class(*cls)
                if nn is not None and self.reference is not None:
                    self.neighbours.emit(self.reference.nearest(nn[0][None], K)[0], nn[1])
                if proj is not None:
                    self._advance(proj)
            except Exception as e:  # noqa: BLE001 -- reported in the panel; the app stays usable
                if proj is not None:
                    with self._cv:
                        if self._proj is proj:
                            self._proj = None
                self.failed.emit(str(e), traceback.format_exc())
                self.status.emit("")

    def _has_work(self) -> bool:
        if self._want_key != self.key or (self._want_train and self._untrained):
            return True
        return self._proj is not None or self._cls is not None or (self._nn is not None and self.reference is not None)

    def _load(self, key) -> None:
        from ganstudio.data import load_dataset
        from ganstudio.metrics.features import is_cached
        from ganstudio.metrics.neighbours import load_reference

        self.reference, self.key, self._untrained = None, key, False
        if key is None:
            return
        spec, size, channels = key
        self.status.emit(f"Loading {spec}'s training images...")

        def cancel() -> bool:
            return self._quit or self._want_key != key

        def progress(done: int, total: int) -> None:
            if cancel():
                raise Cancelled("finder stopped")
            if total:
                self.status.emit(f"Training the feature net of {spec} (once, then cached): {done} / {total} updates...")

        def index_progress(done: int, total: int) -> None:
            if cancel():
                raise Cancelled("finder stopped")
            self.status.emit(f"Indexing {spec}'s training images (once, then cached): {done:,} / {total:,}...")

        try:
            ds = self._datasets.get(key)
            if ds is None:
                ds = load_dataset(spec, size, channels, warn=lambda msg: None, cancel=cancel)
                self._datasets = {key: ds}
            if not self._want_train and not is_cached(ds.data, ds.labels):
                self._untrained = True
                self.needs_training.emit(spec)
                self.status.emit("")
                return
            ref = load_reference(
                spec, size, channels, log=lambda msg: None, progress=progress, dataset=ds, index_progress=index_progress
            )
        except Cancelled:
            self.key = None  # not loaded: asked again, it loads again
            self.status.emit("")
            if self._quit:
                raise
            return
        except Exception as e:  # noqa: BLE001 -- the data may live elsewhere: pixels alone then
            self.reference_failed.emit(
                f"Cannot load {spec} ({e}): projection uses the pixel loss alone, "
                "and there are no nearest training images."
            )
            self.status.emit("")
            return
        if self.key == key:
            self.reference = ref
            self.reference_ready.emit(ref)
        self.status.emit("")

    def _advance(self, proj: dict[str, Any]) -> None:
        from ganstudio.projection import Projector, baselines

        p = proj["projector"]
        if p is None:
            if self._want_key is not None and self.reference is None and self.key != self._want_key:
                return  # the reference loads first (the feature loss needs it)
            net = self.reference.net if self.reference is not None else None
            self.status.emit("Projecting: picking the starting latents...")
            p = proj["projector"] = Projector(
                proj["G"], proj["target"], proj["z_dim"], net, steps=proj["steps"], seed=proj["seed"]
            )
        res = p.advance(CHUNK)
        if proj["token"] != self._token:
            return  # cancelled meanwhile
        self.progress.emit(res, proj["token"])
        if p.done:
            self.status.emit("Projecting: comparing with 10,000 random latents...")
            base = baselines(proj["G"], proj["target"], proj["z_dim"])
            with self._cv:
                if self._proj is proj:
                    self._proj = None
            if proj["token"] == self._token:
                self.projected.emit(res, base, proj["token"])
            self.status.emit("")

    def _toward_class(self, G, z_dim: int, k: int, name: str) -> None:
        from ganstudio.example_directions import class_direction

        if self.reference is None:
            raise RuntimeError("the training images are not loaded yet")
        self.status.emit(f"Fitting 'toward {name}' from 2,000 classified samples...")
        vec, method, n_pos = class_direction(G, z_dim, self.reference.net, k)
        self.direction.emit(vec, {"name": f"toward {name}", "class": k, "method": method, "positives": n_pos})
        self.status.emit("")


class NeighboursView(QWidget):
    """The K nearest training images of the preview, with their distances (``neighboursView``)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("neighboursView")
        self.result = None  # NearestReal on show
        self.check = QCheckBox("Nearest training images", objectName="neighboursCheck")
        self.check.setChecked(True)
        self.check.setToolTip("The training images nearest the preview: is the generator copying its data?")
        self.space = QComboBox(objectName="neighboursSpaceCombo")
        self.space.addItems(["by features", "by pixels"])
        self.space.setToolTip(
            "Distance between the feature net's 128-d features, or root-mean-square pixel difference ([-1, 1] units)"
        )
        self.space.currentIndexChanged.connect(lambda _: self._show())
        self.note = QLabel(objectName="neighboursNote", wordWrap=True)
        self.note.setStyleSheet("color: #888")
        self.load_button = QPushButton("Load training images", objectName="neighboursLoadButton")
        self.load_button.setToolTip(
            "Train the feature net of this dataset (once, then cached; about a minute for "
            "60,000 images on a CPU) and index its images"
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
                img.setToolTip(f"training image {int(n.index[i])}")
                dist.setText(f"#{int(n.index[i])}  {float(n.distance[i]):.2f}")
            else:
                img.clear()
                dist.setText("")
        if self.space.currentIndex() == 0 and self._threshold is not None and len(n.distance):
            near = float(n.distance[0]) < self._threshold
            self.note.setText(
                f"Nearest {float(n.distance[0]):.2f}; training images sit {self._threshold:.2f} from "
                f"their nearest one (median)" + (": closer than that" if near else ".")
            )
        else:
            self.note.setText("RMS pixel difference, [-1, 1] units" if self.space.currentIndex() else "")


class FindBox(QGroupBox):
    """Project a training item or an image file into G (``projectButton``); the target
    beside the live reconstruction (the preview) and a progress line."""

    project_requested = Signal(object, str)  # (target (C, H, W), what it is)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Find an image in the generator", parent)
        self.setObjectName("findBox")
        self.source = QComboBox(objectName="projectSourceCombo")
        self.source.addItems([DATASET, FILE])
        self.source.setToolTip(
            "Project a training image (by index) or an image file; you can also drop an image "
            "file on the preview, or right-click a sample in the Samples tab"
        )
        self.index_spin = QSpinBox(objectName="projectIndexSpin")
        self.index_spin.setRange(0, 9_999_999)  # the dataset's size once its images are loaded
        self.index_spin.setToolTip("Which training image")
        self.button = QPushButton("Project", objectName="projectButton")
        self.button.setToolTip(
            "Find the latent whose output is closest (Adam on z; a pixel loss plus the feature "
            "net's features). The result becomes the current latent."
        )
        self.target = QLabel(objectName="projectTargetView")
        self.target.setFixedSize(72, 72)
        self.target.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.target.setStyleSheet("background: #222")
        self.target.setToolTip("The image being found")
        self.bar = QProgressBar(objectName="projectProgress")
        self.bar.setRange(0, STEPS)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.label = QLabel(objectName="projectionLabel", wordWrap=True)
        self.label.setStyleSheet("color: #888")
        self.label.setMinimumHeight(46)  # three lines
        self.source.currentIndexChanged.connect(
            lambda _: self.index_spin.setEnabled(self.source.currentText() == DATASET)
        )
        lay = QGridLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(3)
        lay.addWidget(self.target, 0, 0, 3, 1, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.source, 0, 1, 1, 2)
        lay.addWidget(self.index_spin, 1, 1)
        lay.addWidget(self.button, 1, 2)
        lay.addWidget(self.bar, 2, 1, 1, 2)
        lay.addWidget(self.label, 3, 0, 1, 3)
        lay.setColumnStretch(1, 1)

    def set_target(self, image: np.ndarray | None) -> None:
        if image is None:
            self.target.clear()
        else:
            self.target.setPixmap(to_pixmap(image, 72))

    def choose_file(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Project an image", "", "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff);;All files (*)"
        )
        return path or None


class NamedDirectionsBox(QGroupBox):
    """Sliders for directions by example (``namedSlider0..``), each named; and, for an
    unconditional G on labelled data, "toward class" directions (``towardClassButton``)."""

    changed = Signal()
    removed = Signal(str)  # name
    toward_requested = Signal(int)  # class index

    MAX = 6

    def __init__(self, ticks: int, span: float, parent: QWidget | None = None):
        super().__init__("Directions by example", parent)
        self.setObjectName("namedDirectionsBox")
        self.ticks = ticks
        self.entries: list[dict[str, Any]] = []  # name, vector (Z,), path
        self.hint = QLabel(
            "Mark samples + / - in the Samples tab (Mark samples), then Fit direction.",
            objectName="namedDirectionsHint",
            wordWrap=True,
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
            s.setRange(int(-span * ticks), int(span * ticks))
            s.setSingleStep(10)
            s.setPageStep(50)
            value = QLabel("+0.00", objectName=f"namedSliderValue{i}")
            value.setMinimumWidth(40)
            rm = QPushButton("x", objectName=f"namedRemoveButton{i}")
            rm.setFixedWidth(22)
            rm.setToolTip("Remove this slider (its file stays in RUN/directions/)")
            s.valueChanged.connect(lambda v, i=i: self._moved(i, v))
            rm.clicked.connect(lambda _=False, i=i: self.remove(i))
            for col, w in enumerate((name, s, value, rm)):
                grid.addWidget(w, i, col)
            self.names.append(name)
            self.sliders.append(s)
            self.values.append(value)
            self.remove_buttons.append(rm)
        grid.setColumnStretch(1, 1)
        self.class_combo = QComboBox(objectName="towardClassCombo")
        self.class_button = QPushButton("Add toward class", objectName="towardClassButton")
        self.class_button.setToolTip(
            "An unconditional generator on labelled data: the direction in z that makes the "
            "feature net's classifier see this class (fitted to 2,000 classified samples)"
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
        self._sync()

    def set_classes(self, names: list[str] | None) -> None:
        """Offer "toward class" for these class names (None: not offered)."""
        self.class_combo.clear()
        if names:
            self.class_combo.addItems(names)
        self.class_row.setVisible(bool(names))

    def add(self, name: str, vector: torch.Tensor, path: Path | None = None) -> int:
        """A slider for ``vector`` (Z,) named ``name`` (replacing one of that name); its row."""
        vector = torch.as_tensor(vector, dtype=torch.float32).reshape(-1)
        vector = vector / vector.norm().clamp_min(1e-12)
        for i, e in enumerate(self.entries):
            if e["name"] == name:
                e.update(vector=vector, path=path)
                self._sync()
                self.changed.emit()
                return i
        if len(self.entries) >= self.MAX:
            self.remove(0)
        self.entries.append({"name": name, "vector": vector, "path": path})
        self._sync()
        return len(self.entries) - 1

    def remove(self, i: int) -> None:
        if 0 <= i < len(self.entries):
            moved = self.sliders[i].value() != 0
            name = self.entries.pop(i)["name"]
            amounts = [s.value() for s in self.sliders]
            del amounts[i]
            for s, v in zip(self.sliders, amounts + [0]):
                s.blockSignals(True)
                s.setValue(v)
                s.blockSignals(False)
            self._sync()
            self.removed.emit(name)
            if moved:
                self.changed.emit()

    def clear(self) -> None:
        self.entries.clear()
        for s in self.sliders:
            s.blockSignals(True)
            s.setValue(0)
            s.blockSignals(False)
        self._sync()

    def reset(self) -> None:
        for s in self.sliders:
            s.blockSignals(True)
            s.setValue(0)
            s.blockSignals(False)
        self._sync()

    def amounts(self) -> list[float]:
        return [self.sliders[i].value() / self.ticks for i in range(len(self.entries))]

    def recipe_entries(self) -> list[dict[str, Any]]:
        """What a recipe records (explore.compose's ``named``): name, vector, amount."""
        return [
            {
                "name": e["name"],
                "vector": [float(v) for v in e["vector"]],
                "amount": a,
                **({"file": str(e["path"])} if e.get("path") else {}),
            }
            for e, a in zip(self.entries, self.amounts())
        ]

    def _moved(self, i: int, v: int) -> None:
        self.values[i].setText(f"{v / self.ticks:+.2f}")
        self.changed.emit()

    def _sync(self) -> None:
        for i in range(self.MAX):
            on = i < len(self.entries)
            for w in (self.names[i], self.sliders[i], self.values[i], self.remove_buttons[i]):
                w.setVisible(on)
            if on:
                e = self.entries[i]
                self.names[i].setText(e["name"])
                self.names[i].setToolTip(f"{e['name']}" + (f" ({e['path']})" if e.get("path") else ""))
                self.values[i].setText(f"{self.sliders[i].value() / self.ticks:+.2f}")
        self.hint.setVisible(not self.entries)


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
