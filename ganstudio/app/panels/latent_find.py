"""Beside the Latent tab's preview (``latentSide``): "Find an image in the generator" projects a
training item or an image file (also one dropped on the preview) into G, the reconstruction
converging live in the preview; the latent found then replaces the seed's
(``LatentState.set_latent``; recipes record it as ``z``), so sliders, Export and "Add current
latent" work from it. Below it the nearest training images of the preview (``neighboursView``).
Its Restore mode (``inpaintButton``) shows the chosen image in ``restoreBox`` instead
(panels/restore_views.py): the user paints or picks the missing part and Fill inpaints it
(inpainting.py), converging live beside the image with its hole. It also fits the named
directions' "toward class" directions. :class:`~.finder.Finder` does the work in its own thread.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ganstudio.app.latent_state import LatentState
from ganstudio.app.panels.find_views import SOURCE_FILE, DropFilter, FindBox, NeighboursView
from ganstudio.app.panels.finder import STEPS, Finder, reference_key
from ganstudio.app.panels.latent_preview import LatentPreview
from ganstudio.app.panels.named_directions import NamedDirectionsBox
from ganstudio.app.panels.restore_views import RestoreBox
from ganstudio.errors import GanstudioError
from ganstudio.inpainting import STEPS as FILL_STEPS


class FindSide(QWidget):
    message = Signal(str)
    projection_progress = Signal(object)  # projection.Projection so far (tests, bench)
    projection_finished = Signal(object)  # projection.Projection: it is the current latent now
    neighbours_updated = Signal()  # neighboursView shows the preview's nearest training images
    direction_found = Signal(str, object, object)  # (name, unit vector (Z,), latent.Directions to save)
    inpaint_progress = Signal(object)  # inpainting.Inpainting so far (one image)
    inpaint_finished = Signal(object)  # inpainting.Inpainting: restoreAfter shows its fill

    def __init__(self, state: LatentState, preview: LatentPreview, named_box: NamedDirectionsBox):
        super().__init__(objectName="latentSide")
        self.state, self.preview, self.named_box = state, preview, named_box
        self.finder = Finder(self)
        self.find_box = FindBox()
        self.restore_box = RestoreBox()
        self.restore_box.hide()
        self.neighbours_view = NeighboursView()
        self._proj_token: int | None = None
        self._fill_token: int | None = None
        self._fill_step: int | None = None  # the step of the G the fill under way runs in
        self._sticky = False  # the find box's line shows a result, progress or error: the finder's idle "" keeps it
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
        lay.addWidget(self.restore_box)
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
                self.tr(
                    "The feature net of {} is not trained yet (once per dataset, then cached; evaluations during "
                    "training train it too). Project, or Load, trains it."
                ).format(spec),
                load=True,
            )
        )
        nv.load_button.clicked.connect(lambda: self._want_reference(train=True))
        f.progress.connect(self._projection_progress)
        f.projected.connect(self._projected)
        f.neighbours.connect(self._neighbours_ready)
        f.direction.connect(self._class_direction_ready)
        f.failed.connect(self._finder_failed)
        f.inpaint_progress.connect(self._inpaint_progress)
        f.inpainted.connect(self._inpainted)
        box.inpaint_button.toggled.connect(self._restore_mode)
        box.index_spin.valueChanged.connect(self._index_changed)
        self.restore_box.fill_requested.connect(self._fill_clicked)
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
        if self.finder.projecting() or self.finder.inpainting():
            self.finder.cancel_projection()
        self._proj_token = self._fill_token = self._result = None
        self._nn_id = -1  # answers for the last run's previews are dropped
        self._nn_timer.stop()
        box = self.find_box
        box.button.setText(self.tr("Project"))
        box.bar.setValue(0)
        self._set_label("", sticky=False)
        box.label.setToolTip("")
        box.set_target(None)
        self.restore_box.set_running(False)
        self.restore_box.set_image(None)
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
        restoring = self.restoring()
        for w in (self.find_box, self.neighbours_view, self.named_box, self.restore_box):
            shown = ok or snap is None
            if w is self.neighbours_view:
                shown = shown and not restoring  # Restore mode takes its place
            elif w is self.restore_box:
                shown = shown and restoring
            w.setVisible(shown)
            w.setEnabled(ok)
        # The projection's bar and 3-line result are idle in Restore mode (the restore box has its
        # own): hidden, they leave the column room for the restore box at 800 px high.
        self.find_box.bar.setVisible(not restoring)
        self.find_box.label.setVisible(not restoring)

    def _set_label(self, text: str, sticky: bool = True) -> None:
        self.find_box.label.setText(text)
        self._sticky = sticky and bool(text)

    def _reference_ready(self, ref) -> None:
        self.find_box.index_spin.setRange(0, len(ref.dataset.data) - 1)
        labelled = ref.dataset.n_classes >= 2 and not self.state.conditional
        self.named_box.set_classes(list(ref.dataset.names()) if labelled else None)
        if self.neighbours_view.check.isChecked():
            self.request_neighbours()
        if (
            self.restoring()
            and self.restore_box.canvas.image is None
            and self.find_box.source.currentIndex() != SOURCE_FILE
        ):
            self.project_index(self.find_box.index_spin.value())  # Restore waited for the images

    def _finder_status(self, text: str) -> None:
        """The finder's doings under Project (and under Restore's image while it fills: the class
        prior's first training takes minutes); an idle finder leaves results and errors shown."""
        if text and self._fill_token is not None:
            self.restore_box.label.setText(text)
        if text or not self._sticky:
            self._set_label(text, sticky=False)

    def _finder_failed(self, message: str, details: str) -> None:
        self._result = None
        self.find_box.button.setText(self.tr("Project"))
        if self._fill_token is not None:
            self._fill_token = None
            self.restore_box.set_running(False)
            self.restore_box.label.setText(self.tr("Failed: {}").format(message))
        self._set_label(self.tr("Failed: {}").format(message))
        self.find_box.label.setToolTip(details)
        self.message.emit(self.tr("Finding failed: {}").format(message))

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
            self.find_box.button.setText(self.tr("Project"))
            self._set_label(self.tr("Stopped."))
            self.preview.schedule()  # the preview shows the latent again
            return
        if self.restoring():
            self.find_box.inpaint_button.setChecked(False)  # Project leaves Restore mode
        if self.find_box.source.currentIndex() == SOURCE_FILE:
            path = self.find_box.choose_file()
            if path:
                self.project_file(path)
            return
        self.project_index(self.find_box.index_spin.value())

    def project_index(self, i: int) -> bool:
        """Project training image i (loaded with the run's dataset)."""
        ref = self.finder.reference
        if ref is None:
            self.message.emit(self.tr("The training images are not loaded yet (see the line under Project)."))
            return False
        if not 0 <= i < len(ref.dataset.data):
            self.message.emit(self.tr("No training image {}: there are {}").format(i, len(ref.dataset.data)))
            return False
        return self.project_image(ref.dataset.data[i], self.tr("projection of training image {}").format(i))

    def project_file(self, path: str | Path) -> bool:
        """Project an image file, resized and cropped as the run's data (also: dropped on the preview)."""
        from ganstudio.projection import load_image

        snap = self.state.snap
        if snap is None or snap.is_2d:
            self.message.emit(self.tr("Projection needs an image generator."))
            return False
        c, h, _ = snap.sample_shape
        try:
            target = load_image(path, h, c)
        except GanstudioError as e:
            self.message.emit(str(e))
            return False
        return self.project_image(target, self.tr("projection of {}").format(Path(path).name))

    def project_image(self, target: np.ndarray, what: str) -> bool:
        """Project target (C, H, W) in [-1, 1]: the reconstruction converges in the preview,
        then becomes the current latent (``projection_finished``); ``what`` names it as the
        latent's source ("projection of training image 12"). In Restore mode the image goes to
        the restore box instead (its hole to be painted)."""
        snap = self.state.snap
        if snap is None or snap.is_2d:
            self.message.emit(self.tr("Projection needs an image generator."))
            return False
        target = np.asarray(target, dtype=np.float32)
        if tuple(target.shape) != tuple(snap.sample_shape):
            self.message.emit(
                self.tr("The image is {}; this generator draws {}").format(
                    tuple(target.shape), tuple(snap.sample_shape)
                )
            )
            return False
        short = self._short(what)  # "training image 12"
        if self.restoring():
            return self.restore_image(target, short)
        self._stop_fill()
        self._proj_what = what
        self._proj_step = snap.step
        self._result = None
        self.find_box.set_target(target)
        self.find_box.bar.setValue(0)
        self.find_box.button.setText(self.tr("Stop"))
        self._set_label(self.tr("Finding {}...").format(short))
        self._proj_token = self.finder.project(snap.G, target, snap.z_dim, steps=STEPS, key=reference_key(snap))
        return True

    def _short(self, what: str) -> str:
        """What was projected ("training image 12") from the latent's source ("projection of
        training image 12"): the translated template's text before and after {} taken off, as a
        language may put the name first ("训练图像 12 的投影")."""
        before, _, after = self.tr("projection of {}").partition("{}")
        if what.startswith(before) and what.endswith(after) and len(what) > len(before) + len(after):
            return what[len(before) : len(what) - len(after)]
        return what

    def _show_result(self) -> None:
        """The last projection's result, stamped with the step of the G it was found in, and
        marked older once the generator explored has moved on."""
        text, step = self._result
        now = self.state.snap.step if self.state.snap is not None else step
        if now == step:
            self._set_label(self.tr("{} (at step {})").format(text, step))
        else:
            self._set_label(self.tr("{} (from step {}; the generator is now at step {})").format(text, step, now))

    def _projection_progress(self, res, token: int) -> None:
        if token != self._proj_token or self.state.snap is None:
            return
        self.preview.show_image(res.image)
        self.find_box.bar.setRange(0, res.steps)
        self.find_box.bar.setValue(res.step)
        self._set_label(self.tr("step {}/{}  ·  pixel MSE {:.4f}").format(res.step, res.steps, res.pixel_mse))
        self.projection_progress.emit(res)

    def _projected(self, res, base: dict, token: int) -> None:
        snap = self.state.snap
        if token != self._proj_token or snap is None or res.z.shape[0] != snap.z_dim:
            return
        self._proj_token = None
        self.find_box.button.setText(self.tr("Project"))
        step = self._proj_step if self._proj_step is not None else snap.step
        mse = (res.pixel_mse, base["random_mse"], base["best_mse"])
        if res.cls is not None:
            names = snap.class_names
            text = self.tr(
                "Found (class {}): pixel MSE {:.4f} · a random z {:.4f} · best of 10,000 random {:.4f}"
            ).format(names[res.cls] if res.cls < len(names) else res.cls, *mse)
        else:
            text = self.tr("Found: pixel MSE {:.4f} · a random z {:.4f} · best of 10,000 random {:.4f}").format(*mse)
        self._result = (text, step)
        self._show_result()
        self.find_box.label.setToolTip(
            self.tr(
                "Mean squared pixel error ([-1, 1] units) of the reconstruction, against a "
                "random latent's (mean of 10,000) and the best of those 10,000, in the generator "
                "of the step named"
            )
        )
        what = self._proj_what
        self.state.set_latent(res.z, what, step)
        self.preview.render_now()
        self.message.emit(
            self.tr(
                "The latent is now the {}: 'Add current latent' in the Interpolation tab adds it as a keyframe"
            ).format(what)
        )
        self.projection_finished.emit(res)

    # ------------------------------------------------------------------ Restore mode
    def restoring(self) -> bool:
        return self.find_box.inpaint_button.isChecked()

    def _restore_mode(self, on: bool) -> None:
        """Restore mode on: the chosen image goes to the restore box; off: a fill under way stops."""
        if not on:
            self._stop_fill()
        elif self.finder.projecting():
            self._project_clicked()  # one search at a time: the projection stops
        self._set_enabled()
        if on and self.restore_box.canvas.image is None:
            self._restore_source()

    def _restore_source(self) -> None:
        """The source box's image into the restore box (a file: chosen now)."""
        if self.find_box.source.currentIndex() == SOURCE_FILE:
            path = self.find_box.choose_file()
            if path:
                self.project_file(path)
        elif self.finder.reference is not None:
            self.project_index(self.find_box.index_spin.value())
        else:
            self.restore_box.label.setText(
                self.tr("The training images are not loaded yet; drop an image file on the preview meanwhile.")
            )

    def _index_changed(self, i: int) -> None:
        if self.restoring() and self._fill_token is None and self.finder.reference is not None:
            self.project_index(i)

    def restore_image(self, image: np.ndarray, what: str) -> bool:
        """Show image (C, H, W) in the restore box, its hole kept (or the centre's)."""
        self._stop_fill()
        self.find_box.set_target(image)
        self.restore_box.set_image(image, what)
        return True

    def _stop_fill(self) -> None:
        if self._fill_token is not None:
            self.finder.cancel_projection()
            self._fill_token = None
            self.restore_box.set_running(False)
            self.restore_box.label.setText(self.tr("Stopped."))

    def _fill_clicked(self) -> None:
        if self._fill_token is not None:
            self._stop_fill()
            return
        snap, box = self.state.snap, self.restore_box
        image, hole = box.canvas.image, box.hole()
        if snap is None or snap.is_2d or image is None:
            box.label.setText(self.tr("Pick an image first (a dataset item, an image file, a sample grid cell)."))
            return
        if tuple(image.shape) != tuple(snap.sample_shape):
            box.label.setText(self.tr("This image does not fit the generator: pick another."))
            return
        # check_hole's rule, said in the app's language (the engine's message is English)
        if hole is None or not hole.any():
            box.label.setText(self.tr("The mask hides no pixel: paint the part to fill first."))
            return
        if hole.all():
            box.label.setText(self.tr("The mask hides every pixel: leave some known pixels to match."))
            return
        if self.finder.projecting():
            self._project_clicked()  # one search at a time: the projection stops
        self._fill_step = snap.step
        box.set_running(True)
        box.show_result(None)
        box.save_button.setEnabled(False)
        box.bar.setRange(0, FILL_STEPS)
        box.bar.setValue(0)
        box.label.setText(self.tr("Filling..."))
        self._fill_token = self.finder.inpaint(snap.G, image, hole, snap.z_dim, steps=FILL_STEPS)

    def _inpaint_progress(self, res, token: int) -> None:
        if token != self._fill_token:
            return
        box = self.restore_box
        box.show_result(res.filled[0])
        box.bar.setRange(0, res.steps)
        box.bar.setValue(res.step)
        box.label.setText(
            self.tr("step {}/{}  ·  MSE on the known pixels {:.4f}").format(res.step, res.steps, res.known_mse[0])
        )
        self.inpaint_progress.emit(res)

    def _inpainted(self, res, token: int) -> None:
        snap = self.state.snap
        if token != self._fill_token or snap is None:
            return
        self._fill_token = None
        box = self.restore_box
        box.set_running(False)
        box.show_result(res.filled[0])
        box.save_button.setEnabled(True)
        step = self._fill_step if self._fill_step is not None else snap.step
        cls, mse = res.cls[0], float(res.known_mse[0])
        if cls is not None:
            name = snap.class_names[cls] if cls < len(snap.class_names) else cls
            text = self.tr("Filled as class {} in step {}: MSE on the known pixels {:.4f}").format(name, step, mse)
        else:
            text = self.tr("Filled in step {}: MSE on the known pixels {:.4f}").format(step, mse)
        box.label.setText(text)
        self.inpaint_finished.emit(res)
