"""The Latent tab's background finder: projects an image (a training item, an image file
dropped on the preview, a cell of the sample grid) into G, looks up the preview's nearest
training images, and fits "toward class" directions.

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
from typing import Any

import numpy as np
import torch
from PySide6.QtCore import QObject, Signal

from ganstudio.errors import Cancelled

K = 8  # nearest training images shown
CHUNK = 10  # Adam steps between progress reports
STEPS = 300  # Adam steps of a projection in the app (as `ganstudio project`)


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
    inpaint_progress = Signal(object, int)  # (inpainting.Inpainting so far, token)
    inpainted = Signal(object, int)  # (inpainting.Inpainting, token)
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

    def project(self, G, target: np.ndarray, z_dim: int, steps: int = STEPS, seed: int = 0, key=None) -> int:
        """Start projecting target (C, H, W) into a copy of G; cancels one under way. Returns its token.
        The training images load first (their feature net gives the feature loss); ``key``: whose
        (reference_key; default the ones asked for last). Another dataset asked for meanwhile drops it."""
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
                "key": key if key is not None else self._want_key,
            }
            self._cv.notify_all()
        self._ensure_thread()
        return self._token

    def inpaint(self, G, image: np.ndarray, hole: np.ndarray, z_dim: int, steps: int, seed: int = 0) -> int:
        """Start filling image (C, H, W)'s hole (H, W) from a copy of G (inpainting.Inpainter);
        it takes the projection's place (one search at a time). Returns its token."""
        with self._cv:
            self._token += 1
            self._proj = {
                "kind": "inpaint",
                "G": copy.deepcopy(G).eval(),
                "target": np.asarray(image, np.float32),
                "hole": np.array(hole, bool),
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
        """Stop the projection or fill under way."""
        with self._cv:
            self._token += 1
            self._proj = None

    def projecting(self) -> bool:
        proj = self._proj
        return proj is not None and proj.get("kind") != "inpaint"

    def inpainting(self) -> bool:
        proj = self._proj
        return proj is not None and proj.get("kind") == "inpaint"

    def nearest(self, image: np.ndarray, key=None) -> int:
        """Look up the K nearest training images of image (C, H, W); the newest request wins.
        ``key`` (reference_key): the training images it is for; dropped if others are loaded by then."""
        with self._cv:
            self._nn_id += 1
            self._nn = (np.asarray(image, np.float32), self._nn_id, key)
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
                if nn is not None and self._fits(nn[0], nn[2]):
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

    def _fits(self, image: np.ndarray, key) -> bool:
        """Whether image belongs with the training images loaded (another run's is dropped, not an error)."""
        ref = self.reference
        if ref is None or (key is not None and key != self.key):
            return False
        return tuple(image.shape) == tuple(ref.dataset.data.shape[1:])

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
        self.status.emit(self.tr("Loading {}'s training images...").format(spec))

        def cancel() -> bool:
            return self._quit or self._want_key != key

        def progress(done: int, total: int) -> None:
            if cancel():
                raise Cancelled("finder stopped")
            if total:
                self.status.emit(
                    self.tr("Training the feature net of {} (once, then cached): {} / {} updates...").format(
                        spec, done, total
                    )
                )

        def index_progress(done: int, total: int) -> None:
            if cancel():
                raise Cancelled("finder stopped")
            self.status.emit(
                self.tr("Indexing {}'s training images (once, then cached): {:,} / {:,}...").format(spec, done, total)
            )

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
                self.tr(
                    "Cannot load {} ({}): projection uses the pixel loss alone, "
                    "and there are no nearest training images."
                ).format(spec, e)
            )
            self.status.emit("")
            return
        if self.key == key:
            self.reference = ref
            self.reference_ready.emit(ref)
        self.status.emit("")

    def _advance(self, proj: dict[str, Any]) -> None:
        from ganstudio.projection import Projector, baselines

        if proj.get("kind") == "inpaint":
            self._advance_inpaint(proj)
            return
        p = proj["projector"]
        if p is None:
            if proj["key"] != self._want_key:  # asked for another run's data: no longer wanted
                with self._cv:
                    if self._proj is proj:
                        self._proj = None
                return
            if self._want_key is not None and self.key != self._want_key:
                return  # the reference loads first (the feature loss needs it)
            ref = self.reference
            net = ref.net if ref is not None and tuple(ref.dataset.data.shape[1:]) == proj["target"].shape else None
            self.status.emit(self.tr("Projecting: picking the starting latents..."))
            p = proj["projector"] = Projector(
                proj["G"], proj["target"], proj["z_dim"], net, steps=proj["steps"], seed=proj["seed"]
            )
        res = p.advance(CHUNK)
        if proj["token"] != self._token:
            return  # cancelled meanwhile
        self.progress.emit(res, proj["token"])
        if p.done:
            self.status.emit(self.tr("Projecting: comparing with 10,000 random latents..."))
            base = baselines(proj["G"], proj["target"], proj["z_dim"])
            with self._cv:
                if self._proj is proj:
                    self._proj = None
            if proj["token"] == self._token:
                self.projected.emit(res, base, proj["token"])
            self.status.emit("")

    def _advance_inpaint(self, proj: dict[str, Any]) -> None:
        """A chunk of a fill (no training images needed: the known pixels are the target)."""
        from ganstudio.inpainting import Inpainter

        p = proj["projector"]
        if p is None:
            try:
                prior = self._class_prior(proj)
            except Cancelled:
                self.status.emit("")
                return
            self.status.emit(self.tr("Restoring: picking the starting latents..."))
            p = proj["projector"] = Inpainter(
                proj["G"],
                proj["target"],
                proj["hole"],
                proj["z_dim"],
                steps=proj["steps"],
                seed=proj["seed"],
                class_prior=prior,
            )
        res = p.advance(CHUNK)
        if proj["token"] != self._token:
            return  # cancelled meanwhile
        self.inpaint_progress.emit(res, proj["token"])
        if p.done:
            with self._cv:
                if self._proj is proj:
                    self._proj = None
            if proj["token"] == self._token:
                self.inpainted.emit(res, proj["token"])
            self.status.emit("")

    def _class_prior(self, proj: dict[str, Any]) -> np.ndarray | None:
        """p(class | known pixels) (1, n_classes) for a conditional G whose labelled training
        images are loaded (class_prior.py: trained here once per dataset, then cached, as
        `ganstudio inpaint` does); None otherwise: the fit alone picks the class."""
        from ganstudio.class_prior import get_class_prior

        ds = self._datasets.get(self.key)
        image = proj["target"]
        if not getattr(proj["G"], "n_classes", 0) or ds is None or ds.labels is None:
            return None
        if tuple(ds.data.shape[1:]) != image.shape:
            return None

        def progress(done: int, total: int) -> None:
            if self._quit or proj["token"] != self._token:
                raise Cancelled("fill cancelled")
            self.status.emit(
                self.tr("Learning the classes of images with holes (once): {} / {} updates...").format(done, total)
            )

        prior = get_class_prior(ds.data, ds.labels, log=lambda msg: None, progress=progress)
        return None if prior is None else prior.probs(image[None], proj["hole"][None])

    def _toward_class(self, G, z_dim: int, k: int, name: str) -> None:
        from ganstudio.example_directions import class_direction

        if self.reference is None:
            raise RuntimeError(self.tr("the training images are not loaded yet"))
        self.status.emit(self.tr("Fitting 'toward {}' from 2,000 classified samples...").format(name))
        vec, method, n_pos = class_direction(G, z_dim, self.reference.net, k)
        self.direction.emit(vec, {"name": f"toward {name}", "class": k, "method": method, "positives": n_pos})
        self.status.emit("")
