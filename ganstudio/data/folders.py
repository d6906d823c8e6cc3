"""Load image folders as datasets (a sub-folder per class, or one flat folder of images).

Images come back as float32 ``(N, C, S, S)`` in [-1, 1]. Bad input raises
:class:`~ganstudio.errors.DatasetError` naming the folder; single unusable files are
skipped with one warning each.
"""

from __future__ import annotations

import os
import stat
import sys
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ganstudio.data.imageops import fit_square, native_size, uint8_to_unit
from ganstudio.data.arrays import _check_settings
from ganstudio.errors import Cancelled, DatasetError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")

# Modes whose pixels carry no colour; a folder made only of these loads as 1 channel.
GREY_MODES = frozenset({"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"})
_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})
_16BIT_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N"})


def default_warn(message: str) -> None:
    """Print a skipped-file notice to stderr."""
    print(f"warning: {message}", file=sys.stderr)


# --------------------------------------------------------------------------- folders


@dataclass(frozen=True)
class FolderData:
    data: np.ndarray  # float32 (N, C, S, S) in [-1, 1]
    labels: np.ndarray | None  # (N,) int64: the sub-folder of each image, when they are classes
    class_names: tuple[str, ...] | None  # the sub-folder names, sorted (index = label)
    native: tuple[int, int] | None = None  # (h, w): the images' most common size, when it was asked for
    files: tuple[str, ...] | None = None  # each image's path relative to the folder ('/'-separated)


def load_folder(
    path: str | os.PathLike,
    image_size: int | None,
    channels: int | None,
    warn: Callable[[str], None] = default_warn,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> np.ndarray:
    """The images of ``read_folder`` alone."""
    return read_folder(path, image_size, channels, warn, progress, cancel).data


def read_folder(
    path: str | os.PathLike,
    image_size: int | None,
    channels: int | None,
    warn: Callable[[str], None] = default_warn,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    largest: int = 32,
) -> FolderData:
    """Load every image under ``path`` (recursively) as float32 ``(N, C, S, S)`` in [-1, 1].

    ``progress(done, total)`` is called as files are counted (total 0) and decoded;
    ``cancel()`` is polled between folders and files and raises :class:`Cancelled` when True.

    Files are sorted by relative path so the order is the same on every run. Each image is
    resized on its shorter side and centre-cropped to ``image_size`` (None: the images'
    most common size, see ``ganstudio.data.native_size``). ``channels`` is 1, 3, or None for
    automatic (1 when every usable image is greyscale, else 3). Files that cannot be used
    are skipped, each reported once through ``warn``.

    Labels follow torchvision's ImageFolder convention: when every image sits inside a
    first-level sub-folder and there are at least two of them, each sub-folder is a class
    named after it.
    """
    _check_settings(image_size, channels)
    root = Path(path)
    if not root.exists():
        raise DatasetError(f"image folder not found: {root}")
    if not root.is_dir():
        raise DatasetError(f"{root} is not a folder")
    try:
        with os.scandir(root):
            pass
    except OSError as exc:
        raise DatasetError(f"cannot read folder {root}: {exc.strerror or exc}") from exc

    progress = progress or (lambda done, total: None)
    cancel = cancel or (lambda: False)
    files, n_other = _find_images(root, warn, progress, cancel)
    if not files:
        raise DatasetError(
            f"no image files in {root} ({n_other} other file(s) ignored); "
            f"supported extensions: {', '.join(IMAGE_EXTENSIONS)}"
        )

    native = None
    if image_size is None:
        native = _common_size(files)
        image_size = largest if native is None else native_size(*native, largest)
    class_names, file_labels = _folder_classes(root, files)
    # Fill a uint8 buffer with 3 channels (1 if grey is forced); grey images only fill
    # channel 0 until we know whether the whole set is grey.
    kept: list[int] = []
    buf = np.empty((len(files), 1 if channels == 1 else 3, image_size, image_size), np.uint8)
    grey = np.zeros(len(files), dtype=bool)
    n = 0
    for i, file in enumerate(files):
        if cancel():
            raise Cancelled(f"loading {root} was cancelled")
        progress(i, len(files))
        try:
            img, is_grey = _read_image(file)
            if channels == 1 and not is_grey:
                img, is_grey = img.convert("L"), True
            arr = np.asarray(fit_square(img, image_size))
        except _SkipFile as exc:
            warn(f"skipping {file}: {exc}")
            continue
        if is_grey:
            buf[n, 0] = arr
        else:
            buf[n] = arr.transpose(2, 0, 1)
        grey[n] = is_grey
        kept.append(i)
        n += 1

    if n == 0:
        raise DatasetError(
            f"no usable image in {root}: all {len(files)} image file(s) found were skipped "
            f"(see the warnings above); supported extensions: {', '.join(IMAGE_EXTENSIONS)}"
        )
    progress(len(files), len(files))
    buf, grey = buf[:n], grey[:n]
    rel = tuple(files[i].relative_to(root).as_posix() for i in kept)
    labels = None
    if file_labels is not None:
        labels = file_labels[kept]
        missing = [name for k, name in enumerate(class_names) if not (labels == k).any()]
        if missing:  # a class whose every file was skipped: renumber the rest densely
            keep = [k for k in range(len(class_names)) if class_names[k] not in missing]
            labels = np.searchsorted(np.array(keep), labels)
            class_names = tuple(class_names[k] for k in keep)
            warn(f"no usable image in class folder(s) {', '.join(missing)}; training on the other classes")
        if len(class_names) < 2:
            labels = class_names = None
    if channels == 1 or (channels is None and grey.all()):
        return FolderData(uint8_to_unit(buf[:, :1]), labels, class_names, native, rel)
    buf[grey, 1:] = buf[grey, :1]  # grey -> RGB by repetition, as Pillow's convert("RGB")
    return FolderData(uint8_to_unit(buf), labels, class_names, native, rel)


def _folder_classes(root: Path, files: list[Path]) -> tuple[tuple[str, ...] | None, np.ndarray | None]:
    """(class names, a label per file) when the first-level sub-folders are classes."""
    parts = [f.relative_to(root).parts for f in files]
    if any(len(p) < 2 for p in parts):  # images beside the sub-folders: not a class layout
        return None, None
    names = tuple(sorted({p[0] for p in parts}))
    if len(names) < 2:
        return None, None
    index = {name: k for k, name in enumerate(names)}
    return names, np.array([index[p[0]] for p in parts], dtype=np.int64)


def _common_size(files: list[Path]) -> tuple[int, int] | None:
    """A folder's most common image size (h, w), read from up to 256 headers spread over it
    (unreadable files are ignored here and reported when decoded)."""
    sizes: Counter[tuple[int, int]] = Counter()
    step = max(1, len(files) // 256)
    for file in files[::step]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with Image.open(file) as img:  # reads the header only
                    sizes[img.size] += 1
        except Exception:  # noqa: BLE001 - a bad file is skipped with a warning when decoded
            continue
    if not sizes:
        return None
    (w, h), _ = sizes.most_common(1)[0]
    return h, w


class _SkipFile(Exception):
    """An image file that cannot be used; the message is the reason."""


def _find_images(
    root: Path,
    warn: Callable[[str], None],
    progress: Callable[[int, int], None] = lambda d, t: None,
    cancel: Callable[[], bool] = lambda: False,
) -> tuple[list[Path], int]:
    """Image files under ``root`` sorted by relative path, and how many other files were seen."""
    found: list[tuple[tuple[str, ...], Path]] = []
    n_other = 0
    seen_dirs: set[tuple[int, int]] = set()

    def on_error(exc: OSError) -> None:
        warn(f"skipping folder {exc.filename}: {exc.strerror or exc}")

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=True):
        # Following symlinks can revisit a folder (a link to a parent loops forever);
        # identify folders by device and inode and walk each one once.
        try:
            st = os.stat(dirpath)
        except OSError as exc:
            on_error(exc)
            dirnames[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            dirnames[:] = []
            continue
        seen_dirs.add(key)
        if cancel():  # a huge or slow (network) tree: counting alone can take long
            raise Cancelled(f"loading {root} was cancelled")
        progress(len(found), 0)
        for name in filenames:
            file = Path(dirpath, name)
            if file.suffix.lower() in IMAGE_EXTENSIONS:
                found.append((file.relative_to(root).parts, file))
            else:
                n_other += 1
    found.sort(key=lambda item: item[0])
    return [file for _, file in found], n_other


def _read_image(file: Path) -> tuple[Image.Image, bool]:
    """Fully decode ``file`` into an 8-bit "L" or "RGB" image of its centre square; also say if
    it was greyscale.

    Raises :class:`_SkipFile` with a user-facing reason for anything that cannot be used.
    """
    try:
        st = os.stat(file)
        # Opening a FIFO or device named *.png would block or never end.
        if not stat.S_ISREG(st.st_mode):
            raise _SkipFile("not a regular file")
        if st.st_size == 0:
            raise _SkipFile("empty file (0 bytes)")
        fp = open(file, "rb")
    except OSError as exc:  # permission denied, broken symlink, symlink loop, ...
        raise _SkipFile(f"cannot read file ({exc.strerror or exc})") from exc
    with fp:
        try:
            with warnings.catch_warnings():
                # Pillow only warns between 1x and 2x its pixel limit; refuse those too.
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(fp) as img:
                    img.load()  # decode now so a truncated file fails here, not later
                    is_grey = img.mode in GREY_MODES
                    img = ImageOps.exif_transpose(img)  # camera photos are often stored rotated
                    # Every user takes the centre square (imageops.fit_square): crop before
                    # converting, so a 130-byte GIF of 1028 x 55375 pixels converts 1 MP, not 57
                    # (0.7 s of CPU down to 0.05; found by bench/fuzz.py image).
                    return _to_8bit(_centre_square(img)), is_grey
        except _SkipFile:
            raise
        except UnidentifiedImageError as exc:
            raise _SkipFile("not a recognised image file") from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _SkipFile(f"too large, over Pillow's decompression-bomb limit ({exc})") from exc
        except OSError as exc:
            # Pillow reports truncated and corrupt data as OSError ("image file is truncated").
            raise _SkipFile(f"truncated or corrupt image ({exc})") from exc
        except Exception as exc:  # noqa: BLE001 - Pillow's plugins raise many types on bad data
            raise _SkipFile(f"corrupt image ({type(exc).__name__}: {exc})") from exc


def _centre_square(img: Image.Image) -> Image.Image:
    w, h = img.size
    if w == h:
        return img
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    return img.crop((left, top, left + side, top + side))


def _to_8bit(img: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit "L" (greyscale modes) or "RGB" (everything else)."""
    mode = img.mode
    if mode in _ALPHA_MODES or (mode in ("L", "RGB", "P") and "transparency" in img.info):
        # Composite on black, i.e. multiply by alpha: transparent pixels become "nothing"
        # (-1 in tanh range), which is what premultiplied data and zero padding look like,
        # instead of exposing whatever colour happens to sit under alpha 0.
        rgba = np.asarray(img.convert("RGBA"), dtype=np.float32)
        rgb = np.rint(rgba[..., :3] * (rgba[..., 3:] / 255.0)).astype(np.uint8)
        return Image.fromarray(rgb[..., 0] if mode in ("L", "LA", "La") else rgb)
    if mode in _16BIT_MODES:
        # 16-bit grey: scale 0..65535 down to 0..255 (Pillow's convert would clip at 255).
        arr = np.asarray(img).astype(np.float64)
        return Image.fromarray(np.rint(np.clip(arr, 0, 65535) / 257.0).astype(np.uint8))
    if mode == "F":
        # Float images have no standard range: treat [0, 1] data as such, else 0..255.
        arr = np.nan_to_num(np.asarray(img, dtype=np.float64))
        scale = 255.0 if arr.size and arr.min() >= 0 and arr.max() <= 1 else 1.0
        return Image.fromarray(np.rint(np.clip(arr * scale, 0, 255)).astype(np.uint8))
    if mode in ("L", "RGB"):
        return img
    if mode == "1":
        return img.convert("L")
    try:
        return img.convert("RGB")  # CMYK, YCbCr, LAB, P, RGBX, ...
    except ValueError as exc:
        raise _SkipFile(f"unsupported image mode {mode!r}") from exc
