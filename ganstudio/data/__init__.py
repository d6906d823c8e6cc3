"""Datasets: built-in (offline) and the user's own files, all held in memory as arrays.

``load_dataset(spec, ...)`` takes what the CLI's ``--dataset`` takes: a built-in name
(see ``BUILTINS``), a named real dataset found on disk (see ``named.py``) or ``folder:PATH``,
``npz:PATH``, ``npy:PATH``, ``idx:PATH``. Without an ``image_size`` user data keeps its
native size where the models support it (``native_size``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ganstudio.data import named, points2d
from ganstudio.errors import Cancelled, DatasetError

from ganstudio.data.imageops import IMAGE_SIZES, native_size  # noqa: F401  (re-exported)

IMAGE_BUILTINS = {
    "digits": "scikit-learn's 1,797 handwritten 8x8 digits, upscaled (grey)",
    "shapes": "procedural squares, circles and triangles (grey, or colour with --channels 3)",
}
BUILTINS: dict[str, str] = (
    {name: desc for name, (_, desc) in points2d.POINT_SETS.items()}
    | IMAGE_BUILTINS
    | {name: desc for name, (_, desc) in named.NAMED.items()}
)
DIGIT_NAMES = tuple(str(i) for i in range(10))
USER_PREFIXES = {
    "folder": "every image under a folder, recursively (png, jpg, bmp, gif, webp, tiff); "
    "sub-folders are the classes when every image sits in one",
    "npz": "a NumPy .npz archive of images (N,H,W[,C]) or (N,C,H,W), or 2D points (N,2); labels from key y or labels",
    "npy": "a NumPy .npy array, same shapes as npz",
    "idx": "an MNIST-format IDX file (gzipped or not), e.g. train-images-idx3-ubyte.gz; labels from the sibling file",
}


@dataclass(frozen=True)
class Dataset:
    name: str  # the spec it was loaded from, e.g. "ring8" or "folder:/data/cats"
    data: np.ndarray  # float32; (N, 2) for 2D sets, (N, C, H, W) in [-1, 1] for images
    kind: str  # "2d" or "image"
    labels: np.ndarray | None = None  # (N,) int64 class of each item, when known
    means: np.ndarray | None = None  # (K, 2) mixture means, for mode coverage
    std: float | None = None  # mixture component std
    class_names: tuple[str, ...] | None = None  # a name per class (index = label), when labelled
    native: tuple[int, int] | None = None  # (h, w) of user images before resizing, when the size was chosen
    files: tuple[str, ...] | None = None  # a folder's images: each one's path relative to the folder

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return tuple(self.data.shape[1:])

    @property
    def channels(self) -> int | None:
        return self.data.shape[1] if self.kind == "image" else None

    @property
    def n_classes(self) -> int:
        return count_classes(self.labels)

    def names(self) -> tuple[str, ...]:
        """A name for every class: the data's own, else the label numbers."""
        n = self.n_classes
        if self.class_names is not None and len(self.class_names) == n:
            return self.class_names
        return tuple(str(i) for i in range(n))


def count_classes(labels: np.ndarray | None) -> int:
    """How many classes labels 0..K-1 name; 0 when there are none or only one (unlabelled:
    nothing to condition on or to classify)."""
    if labels is None or len(labels) == 0 or labels.min() == labels.max():
        return 0
    return int(labels.max()) + 1


def default_size(spec: str) -> int | None:
    """The image size a built-in set is drawn at unless told otherwise; None: the data's own."""
    return {"digits": 16, "shapes": 32}.get(spec)


def is_2d(spec: str) -> bool:
    """True for the built-in 2D point sets (cheap: loads nothing)."""
    return spec in points2d.POINT_SETS


def describe() -> list[tuple[str, str]]:
    """(name, description) of every built-in dataset and user-data form, for listings."""
    return list(BUILTINS.items()) + [(f"{p}:PATH", d) for p, d in USER_PREFIXES.items()]


def load_dataset(
    spec: str,
    image_size: int | None = None,
    channels: int | None = None,
    seed: int = 0,
    warn: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    largest: int = 32,
) -> Dataset:
    """Load a dataset by spec. Raises DatasetError with a clear message on bad input.

    ``image_size`` None: built-in sets take their default size, user data its native size
    (see ``native_size``; ``largest`` caps sizes the models do not support directly).

    Loading a large folder takes a while; front ends pass ``progress(done, total)`` (called
    from the loading thread; total is 0 while the files are still being counted) and
    ``cancel()`` (polled between files; when it returns True, :class:`Cancelled` is raised).
    """
    warn = warn or (lambda msg: print(f"warning: {msg}", file=sys.stderr))
    if cancel is not None and cancel():
        raise Cancelled(f"loading {spec} was cancelled")
    size = image_size or default_size(spec)
    if spec in points2d.POINT_SETS:
        fn, _ = points2d.POINT_SETS[spec]
        # The pool is a property of the dataset, not of the run: seed 0 always.
        pts, means, std = fn(np.random.default_rng(0))
        return Dataset(spec, pts.astype(np.float32), "2d", means=means, std=std)
    if spec == "digits":
        from ganstudio.data.builtin_images import digits

        x, y = digits(size)
        return Dataset(spec, _to_channels(x, channels), "image", labels=y, class_names=DIGIT_NAMES)
    if spec == "shapes":
        from ganstudio.data.builtin_images import SHAPE_CLASSES, shapes

        x, y = shapes(size, channels or 1)
        return Dataset(spec, x, "image", labels=y, class_names=SHAPE_CLASSES)
    if spec in named.NAMED:
        from ganstudio.data import arrays, folders

        info: dict = {}
        x, y = arrays.load_idx(named.find(spec), image_size, channels, largest, info, warn)
        return Dataset(spec, x, "image", labels=y, class_names=named.NAMED[spec][0], native=info.get("native"))
    prefix, sep, path = spec.partition(":")
    if sep and prefix in USER_PREFIXES:
        if not path:
            raise DatasetError(f"dataset '{spec}' needs a path after '{prefix}:'")
        from ganstudio.data import arrays, folders

        if prefix == "folder":
            f = folders.read_folder(path, image_size, channels, warn, progress, cancel, largest)
            return Dataset(
                spec, f.data, "image", labels=f.labels, class_names=f.class_names, native=f.native, files=f.files
            )
        info = {}
        if prefix == "idx":
            x, y = arrays.load_idx(path, image_size, channels, largest, info, warn)
            return Dataset(
                spec, x, "image", labels=y, class_names=named.guess_names(path, y), native=info.get("native")
            )
        x, y, kind = arrays.load_array(path, image_size, channels, largest, info)
        return Dataset(spec, x, kind, labels=y, native=info.get("native"))
    valid = ", ".join(BUILTINS) + ", " + ", ".join(f"{p}:PATH" for p in USER_PREFIXES)
    raise DatasetError(f"unknown dataset '{spec}' (valid: {valid})")


def _to_channels(x: np.ndarray, channels: int | None) -> np.ndarray:
    if channels == 3 and x.shape[1] == 1:
        return np.repeat(x, 3, axis=1)
    return x
