"""Beside the Latent tab's preview (``latentSide``): "Find an image in the generator" projects a
training item or an image file (also one dropped on the preview) into G, the reconstruction
converging live in the preview; the latent found then replaces the seed's
(``LatentState.set_latent``; recipes record it as ``z``), so sliders, Export and "Add current
latent" work from it. Below it the nearest training images of the preview (``neighboursView``).
It also fits the named directions' "toward class" directions. :class:`~.finder.Finder` does the
work in its own thread.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ganstudio.app.latent_state import LatentState
from ganstudio.app.panels.find_views import FILE, DropFilter, FindBox, NeighboursView
from ganstudio.app.panels.finder import STEPS, Finder, reference_key
from ganstudio.app.panels.latent_preview import LatentPreview
from ganstudio.app.panels.named_directions import NamedDirectionsBox
from ganstudio.errors import GanstudioError


class FindSide(QWidget):
    message = Signal(str)
    projection_progress = Signal(object)  # projection.Projection so far (tests, bench)
    projection_finished = Signal(object)  # projection.Projection: it is the current latent now
    neighbours_updated = Signal()  # neighboursView shows the preview's nearest training images
    direction_found = Signal(str, object, object)  # (name, unit vector (Z,), latent.Directions to save)

    def __init__(self, state: LatentState, preview: LatentPreview, named_box: NamedDirectionsBox):
        super().__init__(objectName="latentSide")
        self.state, self.preview, self.named_box = state, preview, named_box
        self.finder = Finder(self)
        self.find_box = FindBox()
        self.neighbours_view = NeighboursView()
        self._proj_token: int | None = None
        self._proj_what = ""
        self._proj_step: int | None = None  # the step of the G the projection under way runs in
        self._cls_generation = -1  # the run a "toward class" direction was asked for in
        self._result: tuple[str, int] | None = None  # the last projection's text and step, while it stands
        self._nn_id = 0
        self._nn_timer = QTimer(self, singleShot=True, interval=120)  # nearest images of a settled preview
        self._nn_timer.timeout.connect(self.request_neighbours)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.find_box)
        lay.addWidget(self.neighbours_view)
        lay.addStretch(1)
        self.setFixedWidth(4 * 58 + 36)

        f, box, nv = self.finder, self.find_box, self.neighbours_view
        box.button.clicked.connect(self._project_clicked)
        f.status.connect(self._finder_status)
        f.reference_ready.connect(self._reference_ready)
        f.reference_failed.connect(lambda text: nv.clear(text))
        f.needs_training.connect(
            lambda spec: nv.clear(
                f"The feature net of {spec} is not trained yet (once per dataset, then cached; evaluations during "
                "training train it too). Project, or Load, trains it.",
                load=True,
            )
        )
        nv.load_button.clicked.connect(lambda: self._want_reference(train=True))
        f.progress.connect(self._projection_progress)
        f.projected.connect(self._projected)
        f.neighbours.connect(self._neighbours_ready)
        f.direction.connect(self._class_direction_ready)
        f.failed.connect(self._finder_failed)
        nv.check.toggled.connect(self._neighbours_toggled)
        named_box.toward_requested.connect(self._toward_class)
        self._drop = DropFilter(self)
        self._drop.dropped.connect(self.project_file)
        for w in (preview, preview.viewport()):
            w.setAcceptDrops(True)
            w.installEventFilter(self._drop)
        state.events.run.connect(self._new_run)
        state.events.generator.connect(self._new_generator)
        self._set_enabled()

    # ------------------------------------------------------------------ the generator and its data
    def _new_run(self, _snap) -> None:
        """Another run: what was found in the last one goes (a projection under way too)."""
        if self.finder.projecting():
            self.finder.cancel_projection()
        self._proj_token = self._result = None
        self._nn_id = -1  # answers for the last run's previews are dropped
        self._nn_timer.stop()
        box = self.find_box
        box.button.setText("Project")
        box.bar.setValue(0)
        box.label.setText("")
        box.label.setToolTip("")
        box.set_target(None)
        self.neighbours_view.clear("")

    def _new_generator(self, snap, _new_model: bool) -> None:
        """The finder learns the generator's training images (loaded once per dataset, once this
        tab is on show; a feature net not trained yet only when asked)."""
        if reference_key(snap) != self.finder.key:
            self.neighbours_view.clear("")
            self.named_box.set_classes(None)
        self._set_enabled()
        self._want_reference(snap=snap)
        if self._result is not None:
            self._show_result()  # says so when the generator has moved on since

    def _want_reference(self, train: bool = False, snap=None) -> None:
        key = reference_key(snap if snap is not None else self.state.snap)
        if key is not None and (train or self.isVisible()):
            self.finder.want_reference(key, train=train)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self._want_reference()

    def _set_enabled(self) -> None:
        snap = self.state.snap
        ok = snap is not None and not snap.is_2d
        for w in (self.find_box, self.neighbours_view, self.named_box):
            w.setVisible(ok or snap is None)
            w.setEnabled(ok)

    def _reference_ready(self, ref) -> None:
        self.find_box.index_spin.setRange(0, len(ref.dataset.data) - 1)
        labelled = ref.dataset.n_classes >= 2 and not self.state.conditional
        self.named_box.set_classes(list(ref.dataset.names()) if labelled else None)
        if self.neighbours_view.check.isChecked():
            self.request_neighbours()

    def _finder_status(self, text: str) -> None:
        """The finder's doings under Project; an idle finder leaves results and errors shown."""
        if text or not self.find_box.label.text().startswith(("step", "Found", "Failed", "Stopped")):
            self.find_box.label.setText(text)

    def _finder_failed(self, message: str, details: str) -> None:
        self._result = None
        self.find_box.button.setText("Project")
        self.find_box.label.setText(f"Failed: {message}")
        self.find_box.label.setToolTip(details)
        self.message.emit(f"Finding failed: {message}")

    def shutdown(self, timeout: float = 60.0) -> None:
        self.finder.shutdown(timeout)

    # ------------------------------------------------------------------ nearest training images
    def preview_changed(self) -> None:
        if self.neighbours_view.check.isChecked():
            self._nn_timer.start()  # (re)started: looked up once the preview settles

    def _neighbours_toggled(self, on: bool) -> None:
        if on:
            self.request_neighbours()
        else:
            self.neighbours_view.clear("")

    def request_neighbours(self) -> None:
        """Ask the finder for the preview's nearest training images (answered in the background)."""
        x = self.preview.current_output()
        ref, key = self.finder.reference, reference_key(self.state.snap)
        if x is None or ref is None or not self.neighbours_view.check.isChecked():
            return
        if self.finder.key != key or tuple(x.shape) != tuple(ref.dataset.data.shape[1:]):
            return  # the run's own training images are not loaded yet (another run's are)
        self._nn_id = self.finder.nearest(x, key)

    def _neighbours_ready(self, result, request: int) -> None:
        ref = self.finder.reference
        if request != self._nn_id or ref is None or self.finder.key != reference_key(self.state.snap):
            return  # an older preview's answer, or another run's
        self.neighbours_view.set_result(result, ref.dataset.data, ref.index.threshold)
        self.neighbours_updated.emit()

    # ------------------------------------------------------------------ "toward class" directions
    def _toward_class(self, k: int) -> None:
        snap = self.state.snap
        if snap is not None and k >= 0:
            self._cls_generation = self.state.generation
            self.finder.toward_class(snap.G, snap.z_dim, k, self.named_box.class_combo.itemText(k))

    def _class_direction_ready(self, vec: torch.Tensor, info: dict) -> None:
        from ganstudio.example_directions import make_directions

        snap = self.state.snap
        if snap is None or vec.shape[0] != snap.z_dim or not self.state.is_current(self._cls_generation):
            return  # fitted in another run's generator
        negatives = 2000 - info["positives"]
        d = make_directions(
            vec, info["name"], info["positives"], negatives, info["method"], **{"class": info["class"]}, step=snap.step
        )
        self.direction_found.emit(info["name"], vec, d)

    # ------------------------------------------------------------------ projection
    def _project_clicked(self) -> None:
        if self.finder.projecting():
            self.finder.cancel_projection()
            self.find_box.button.setText("Project")
            self.find_box.label.setText("Stopped.")
            self.preview.schedule()  # the preview shows the latent again
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

        snap = self.state.snap
        if snap is None or snap.is_2d:
            self.message.emit("Projection needs an image generator.")
            return False
        c, h, _ = snap.sample_shape
        try:
            target = load_image(path, h, c)
        except GanstudioError as e:
            self.message.emit(str(e))
            return False
        return self.project_image(target, f"projection of {Path(path).name}")

    def project_image(self, target: np.ndarray, what: str) -> bool:
        """Project target (C, H, W) in [-1, 1]: the reconstruction converges in the preview,
        then becomes the current latent (``projection_finished``)."""
        snap = self.state.snap
        if snap is None or snap.is_2d:
            self.message.emit("Projection needs an image generator.")
            return False
        target = np.asarray(target, dtype=np.float32)
        if tuple(target.shape) != tuple(snap.sample_shape):
            self.message.emit(f"The image is {tuple(target.shape)}; this generator draws {tuple(snap.sample_shape)}")
            return False
        self._proj_what = what
        self._proj_step = snap.step
        self._result = None
        self.find_box.set_target(target)
        self.find_box.bar.setValue(0)
        self.find_box.button.setText("Stop")
        self.find_box.label.setText(f"Finding {what.replace('projection of ', '')}...")
        self._proj_token = self.finder.project(snap.G, target, snap.z_dim, steps=STEPS, key=reference_key(snap))
        return True

    def _show_result(self) -> None:
        """The last projection's result, stamped with the step of the G it was found in, and
        marked older once the generator explored has moved on."""
        text, step = self._result
        now = self.state.snap.step if self.state.snap is not None else step
        when = f"at step {step}" if now == step else f"from step {step}; the generator is now at step {now}"
        self.find_box.label.setText(f"{text} ({when})")

    def _projection_progress(self, res, token: int) -> None:
        if token != self._proj_token or self.state.snap is None:
            return
        self.preview.show_image(res.image)
        self.find_box.bar.setRange(0, res.steps)
        self.find_box.bar.setValue(res.step)
        self.find_box.label.setText(f"step {res.step}/{res.steps}  ·  pixel MSE {res.pixel_mse:.4f}")
        self.projection_progress.emit(res)

    def _projected(self, res, base: dict, token: int) -> None:
        snap = self.state.snap
        if token != self._proj_token or snap is None or res.z.shape[0] != snap.z_dim:
            return
        self._proj_token = None
        self.find_box.button.setText("Project")
        cls = ""
        if res.cls is not None:
            names = snap.class_names
            cls = f" (class {names[res.cls] if res.cls < len(names) else res.cls})"
        step = self._proj_step if self._proj_step is not None else snap.step
        self._result = (
            f"Found{cls}: pixel MSE {res.pixel_mse:.4f} · a random z {base['random_mse']:.4f} · "
            f"best of 10,000 random {base['best_mse']:.4f}",
            step,
        )
        self._show_result()
        self.find_box.label.setToolTip(
            "Mean squared pixel error ([-1, 1] units) of the reconstruction, against a "
            "random latent's (mean of 10,000) and the best of those 10,000, in the generator "
            "of the step named"
        )
        self.state.set_latent(res.z, self._proj_what, step)
        self.preview.render_now()
        self.message.emit(
            f"The latent is now the {self._proj_what}: "
            "'Add current latent' in the Interpolation tab adds it as a keyframe"
        )
        self.projection_finished.emit(res)
