"""Load array datasets: ``.npy``/``.npz`` files and MNIST-style IDX files (raw or gzip).

Images come back as float32 ``(N, C, S, S)`` in [-1, 1] (the generator's tanh range), 2D
sets as ``(N, 2)``. Bad input raises :class:`~ganstudio.errors.DatasetError` naming the file.
"""

from __future__ import annotations

import ast
import gzip
import os
import re
import sys
import tokenize
import zipfile
import zlib
from pathlib import Path
from typing import Callable

import numpy as np

from ganstudio.data.imageops import native_size, resize_images, uint8_to_unit
from ganstudio.errors import ConfigError, DatasetError

# ITU-R 601-2 luma, the weights Pillow uses for convert("L"), so arrays and folders agree.
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)

# An IDX header may claim any size; refuse more elements than this before reading a byte.
MAX_IDX_ELEMENTS = 2**31

_IDX_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_ARRAY_KEYS = ("x", "images", "data", "arr_0")
_LABEL_KEYS = ("y", "labels")
_ACCEPTED_SHAPES = "(N, 2) points, (N, H, W), (N, H, W, C) or (N, C, H, W) with C in 1, 3, 4"


# --------------------------------------------------------------------------- arrays


def load_array(
    path: str | os.PathLike,
    image_size: int | None,
    channels: int | None,
    largest: int = 32,
    info: dict | None = None,
) -> tuple[np.ndarray, np.ndarray | None, str]:
    """Load a ``.npy`` or ``.npz`` dataset.

    Returns ``(data, labels, kind)``: images as float32 ``(N, C, S, S)`` in [-1, 1] with kind
    "image", or an ``(N, 2)`` float32 point set, unchanged, with kind "2d". Labels (int64
    ``(N,)``) come from an npz key ``y`` or ``labels``; None otherwise.
    """
    _check_settings(image_size, channels)
    file = _check_file(path)
    try:
        with open(file, "rb") as f:
            magic = f.read(6)
        # np.load calls anything that is neither .npy nor .npz "pickled data"; be precise.
        if magic.startswith(b"\x80"):
            raise DatasetError(f"{file} contains Python objects (pickle); refusing to load")
        if magic != b"\x93NUMPY" and not magic.startswith(b"PK"):
            raise DatasetError(f"{file} is not a valid .npy/.npz array file")
        if magic == b"\x93NUMPY":
            with open(file, "rb") as f:
                _check_npy_header(f, file)
        else:
            _check_zip(file)
        loaded = np.load(file, allow_pickle=False)
        if isinstance(loaded, np.lib.npyio.NpzFile):
            with loaded:
                data, labels = _read_npz(loaded, file)
        else:
            data, labels = loaded, None
    except DatasetError:
        raise
    except PermissionError as exc:
        raise DatasetError(f"cannot read {file}: permission denied") from exc
    except ValueError as exc:
        # numpy refuses object arrays and pickles under allow_pickle=False with a ValueError
        # that mentions allow_pickle; anything else is a malformed file.
        if "pickle" in str(exc):
            raise DatasetError(f"{file} contains Python objects (pickle); refusing to load") from exc
        raise DatasetError(f"{file} is not a valid .npy/.npz array file ({exc})") from exc
    except MemoryError as exc:
        raise DatasetError(f"{file} is too large to load into memory") from exc
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:  # zlib: a damaged deflated npz member
        raise DatasetError(f"{file} is not a valid .npy/.npz array file ({exc})") from exc
    except NotImplementedError as exc:  # zipfile: a member's zip version or compression it cannot read
        raise DatasetError(f"{file} is a zip archive numpy cannot read ({exc})") from exc
    except (SyntaxError, tokenize.TokenError, RecursionError) as exc:
        # numpy's .npy header parser (a Python literal read with tokenize/ast, for the file and
        # for every npz member) lets these through for a damaged header.
        raise DatasetError(f"{file} is not a valid .npy/.npz array file (damaged header: {exc})") from exc

    if data.ndim == 2 and data.shape[1] == 2 and _is_numeric(data.dtype):
        if len(data) == 0:
            raise DatasetError(f"{file} is empty: found shape {data.shape} dtype {data.dtype}")
        points = data.astype(np.float32)
        if not np.isfinite(points).all():
            raise DatasetError(f"{file} contains NaN or infinite values")
        return points, _check_labels(labels, len(points), file), "2d"
    images = _images_from_array(data, file)
    return (
        _finish_images(images, image_size, channels, file, largest, info),
        _check_labels(labels, len(images), file),
        "image",
    )


def _read_npz(npz: np.lib.npyio.NpzFile, file: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """Pick the image array and the optional labels array out of an npz archive."""
    keys = npz.files
    data_key = next((k for k in _ARRAY_KEYS if k in keys), None)
    if data_key is None:
        if len(keys) != 1:
            raise DatasetError(
                f"{file} has arrays {sorted(keys)}; expected one named {', '.join(_ARRAY_KEYS)} (or a single array)"
            )
        data_key = keys[0]
    label_key = next((k for k in _LABEL_KEYS if k in keys and k != data_key), None)
    for key in (data_key, label_key):
        member = f"{key}.npy"
        if key is not None and member in npz.zip.namelist():
            with npz.zip.open(member) as f:
                _check_npy_header(f, file, f" (array {key!r})")
    data, labels = npz[data_key], (npz[label_key] if label_key else None)
    # A plain zip renamed to .npz yields raw bytes for members that are not .npy files.
    if not isinstance(data, np.ndarray) or not isinstance(labels, (np.ndarray, type(None))):
        raise DatasetError(f"{file} is a zip archive but not a valid .npz file")
    return data, labels


def _check_zip(file: Path) -> None:
    """Refuse an npz (zip) whose members zipfile cannot read: encrypted ones (zipfile raises
    RuntimeError), other compressions or newer zip versions (NotImplementedError)."""
    with zipfile.ZipFile(file) as z:
        for info in z.infolist():
            if info.flag_bits & 0x1:
                raise DatasetError(f"{file}: its member {info.filename!r} is encrypted; npz files are not")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise DatasetError(
                    f"{file}: its member {info.filename!r} uses zip compression {info.compress_type}; "
                    "npz files are stored or deflated"
                )
            if info.extract_version > zipfile.MAX_EXTRACT_VERSION:
                raise DatasetError(
                    f"{file}: its member {info.filename!r} needs zip version {info.extract_version / 10}"
                )


# numpy's own limit on a .npy header (np.load's max_header_size).
MAX_NPY_HEADER = 10_000


def _check_npy_header(f, file: Path, what: str = "") -> None:
    """Parse and check a ``.npy`` header (of the file, or of an npz member) before numpy does.

    numpy reads the header, a Python dict literal, with ast/tokenize and lets a damaged one
    through as SyntaxError, tokenize.TokenError, TypeError or OverflowError; this parser
    refuses it with the file named. Accepted: a dict of exactly ``descr`` (a plain dtype
    string), ``fortran_order`` (bool) and ``shape`` (a tuple of non-negative ints).
    """

    def bad(reason: str) -> DatasetError:
        return DatasetError(f"{file}{what} is not a valid .npy/.npz array file ({reason})")

    head = f.read(8)
    if len(head) < 8 or head[:6] != b"\x93NUMPY":
        raise bad("bad magic number")
    major = head[6]
    if major not in (1, 2, 3):
        raise bad(f"unknown .npy format version {major}.{head[7]}")
    size_bytes = f.read(2 if major == 1 else 4)
    if len(size_bytes) < (2 if major == 1 else 4):
        raise bad("truncated header")
    n = int.from_bytes(size_bytes, "little")
    if n > MAX_NPY_HEADER:
        raise bad(f"header of {n} bytes, over {MAX_NPY_HEADER}")
    raw = f.read(n)
    if len(raw) < n:
        raise bad("truncated header")
    try:
        text = raw.decode("utf-8" if major == 3 else "latin1")
        header = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError, UnicodeDecodeError) as exc:
        raise bad(f"damaged header: {type(exc).__name__}") from None
    if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
        raise bad("damaged header: expected the keys descr, fortran_order and shape")
    shape, descr = header["shape"], header["descr"]
    if not isinstance(header["fortran_order"], bool):
        raise bad("damaged header: fortran_order is not True or False")
    if not isinstance(shape, tuple) or not all(type(d) is int and 0 <= d < 2**62 for d in shape) or len(shape) > 32:
        raise bad(f"damaged header: shape {str(shape)[:80]}")
    if not isinstance(descr, str):
        # A structured dtype (a list of fields) is never an image or point array.
        raise bad(f"holds a structured array ({str(descr)[:80]}); expected plain numbers")
    try:
        np.dtype(descr)
    except (TypeError, ValueError, SyntaxError) as exc:
        raise bad(f"damaged header: dtype {descr[:40]!r} ({exc})") from None


# More classes than this is not a labelling a GAN can condition on (one embedding row each).
MAX_CLASSES = 10_000


def _check_labels(labels: np.ndarray | None, n: int, file: Path) -> np.ndarray | None:
    """Labels as int64 ``(n,)``; refuse ones that cannot belong to the ``n`` samples.

    Labels are class numbers 0..K-1: negative ones are refused, and so are labels far outside
    the range the rest use (more empty classes than used ones, e.g. one 200 among 0..9), which
    would otherwise make a model with hundreds of classes that never occur.
    """
    if labels is None:
        return None
    if labels.ndim != 1 or len(labels) != n:
        raise DatasetError(f"{file}: labels have shape {labels.shape}, expected ({n},) to match the data")
    if not (np.issubdtype(labels.dtype, np.integer) or labels.dtype == np.bool_):
        raise DatasetError(f"{file}: labels must be integers, found dtype {labels.dtype}")
    labels = labels.astype(np.int64)
    if n == 0:
        return labels
    lo, hi = int(labels.min()), int(labels.max())
    if lo < 0:
        raise DatasetError(f"{file}: labels must be class numbers 0, 1, 2, ...; found {lo}")
    used = len(np.unique(labels))
    empty = hi + 1 - used
    if hi + 1 > MAX_CLASSES or empty > max(used, 8):
        outliers = np.unique(labels)[-3:]
        raise DatasetError(
            f"{file}: labels go up to {hi} but only {used} distinct values occur ({empty} classes would "
            f"be empty; largest: {', '.join(str(int(v)) for v in outliers)}); labels must number the "
            "classes 0..K-1"
        )
    return labels


def _is_numeric(dtype: np.dtype) -> bool:
    return dtype == np.bool_ or np.issubdtype(dtype, np.integer) or np.issubdtype(dtype, np.floating)


def _images_from_array(data: np.ndarray, file: Path) -> np.ndarray:
    """View an image array as channels-first ``(N, C, H, W)`` without alpha, unscaled."""
    found = f"found shape {data.shape} dtype {data.dtype}; accepted: {_ACCEPTED_SHAPES}"
    if not _is_numeric(data.dtype):
        raise DatasetError(f"{file} does not hold numbers: {found}")
    if data.ndim == 3:
        images = data[:, None]
    elif data.ndim == 4 and data.shape[3] in (1, 3, 4):
        images = data.transpose(0, 3, 1, 2)  # channels-last wins when both ends could be C
    elif data.ndim == 4 and data.shape[1] in (1, 3, 4):
        images = data
    else:
        raise DatasetError(f"{file} has an unsupported shape: {found}")
    if 0 in data.shape:
        raise DatasetError(f"{file} is empty: {found}")
    return images[:, :3]  # drop alpha


def _to_unit(images: np.ndarray, file: Path) -> np.ndarray:
    """Scale raw pixel values to float32 [-1, 1] according to their dtype and range."""
    dtype = images.dtype
    if dtype == np.bool_:
        return images.astype(np.float32) * 2 - 1
    if dtype == np.uint8:
        return uint8_to_unit(images)
    if dtype == np.uint16:
        return images.astype(np.float32) / 32767.5 - 1
    lo, hi = images.min(), images.max()
    if np.issubdtype(dtype, np.integer):
        # Wider integer types are fine when they hold 8-bit values (e.g. int64 from lists).
        if lo < 0 or hi > 255:
            raise DatasetError(
                f"{file}: {dtype} values range {lo}..{hi}; integer images must be within "
                "0..255 (or stored as uint16 for 0..65535)"
            )
        return images.astype(np.float32) / 127.5 - 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise DatasetError(f"{file} contains NaN or infinite values")
    if lo >= 0 and hi <= 1:
        return images.astype(np.float32) * 2 - 1
    if lo >= -1 and hi <= 1:
        return images.astype(np.float32)
    raise DatasetError(f"{file}: float values range {lo:g}..{hi:g}; float images must be within [0, 1] or [-1, 1]")


def _finish_images(
    images: np.ndarray,
    image_size: int | None,
    channels: int | None,
    file: Path,
    largest: int = 32,
    info: dict | None = None,
) -> np.ndarray:
    """Raw ``(N, C, H, W)`` pixels -> float32 ``(N, channels, S, S)`` in [-1, 1]; S None: the
    native size (see ``imageops.native_size``), and ``info["native"]`` = (h, w) is filled in."""
    if info is not None:
        info["native"] = tuple(images.shape[2:])
    if image_size is None:
        image_size = native_size(images.shape[2], images.shape[3], largest)
    unit = _to_unit(images, file)
    c = unit.shape[1]
    if channels == 1 and c == 3:
        # Luma is linear with weights summing to 1, so it can be applied in [-1, 1] directly.
        unit = np.einsum("nchw,c->nhw", unit, _LUMA)[:, None]
    elif channels == 3 and c == 1:
        unit = np.repeat(unit, 3, axis=1)
    return resize_images(np.ascontiguousarray(unit), image_size)


# --------------------------------------------------------------------------- IDX


def load_idx(
    path: str | os.PathLike,
    image_size: int | None,
    channels: int | None,
    largest: int = 32,
    info: dict | None = None,
    warn: Callable[[str], None] | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Load an MNIST-style IDX images file (raw or gzipped) as float32 ``(N, C, S, S)`` in [-1, 1].

    For files named like ``train-images-idx3-ubyte[.gz]`` the sibling labels file
    (``train-labels-idx1-ubyte[.gz]``) is loaded too when it exists. A labels file that does
    not fit (not IDX, not a 1-D integer array, another count than the images, labels that are
    not class numbers 0..K-1) is named in a ``warn`` (default: a line on stderr) and the data
    loads without labels.
    """
    _check_settings(image_size, channels)
    file = _check_file(path)
    data = _read_idx(file)
    if data.ndim == 1:
        raise DatasetError(f"{file} holds a 1-D array of {len(data)} values (a labels file?); expected images")
    if not (data.ndim == 3 or (data.ndim == 4 and data.shape[3] in (1, 3, 4))):
        raise DatasetError(f"{file} has shape {data.shape}; expected (N, H, W) or (N, H, W, C) with C in 1, 3, 4")
    if 0 in data.shape:
        raise DatasetError(f"{file} is empty (shape {data.shape})")
    images = _images_from_array(data.astype(data.dtype.newbyteorder("="), copy=False), file)
    labels = _sibling_labels(file, len(images), warn or _warn_stderr)
    return _finish_images(images, image_size, channels, file, largest, info), labels


def _read_idx(file: Path) -> np.ndarray:
    """Parse an IDX file, raw or gzipped, validating the header before reading the payload."""
    try:
        with open(file, "rb") as raw:
            gzipped = raw.read(2) == b"\x1f\x8b"  # sniff the gzip magic, not the extension
        opener = gzip.open if gzipped else open
        with opener(file, "rb") as f:
            head = f.read(4)
            if len(head) < 4 or head[:2] != b"\0\0" or head[2] not in _IDX_DTYPES or head[3] == 0:
                raise DatasetError(f"{file} is not an IDX file (bad magic number {head.hex() or 'none'})")
            dtype, ndim = _IDX_DTYPES[head[2]], head[3]
            dims_raw = f.read(4 * ndim)
            if len(dims_raw) < 4 * ndim:
                raise DatasetError(f"{file} is truncated (incomplete IDX header)")
            shape = tuple(int(d) for d in np.frombuffer(dims_raw, dtype=">u4"))
            count = 1
            for d in shape:
                count *= d
            # A zero dimension makes the count 0, but numpy still refuses the other dimensions'
            # product when it is over its limit: bound that too.
            nonzero = 1
            for d in shape:
                nonzero *= d or 1
            if count > MAX_IDX_ELEMENTS or nonzero > MAX_IDX_ELEMENTS:
                raise DatasetError(f"{file} claims shape {shape}, over {MAX_IDX_ELEMENTS} values; refusing to load")
            nbytes = count * dtype.itemsize
            if not gzipped and file.stat().st_size - 4 - 4 * ndim != nbytes:
                # Raw files can be checked against their size before anything is allocated.
                raise DatasetError(
                    f"{file} has {file.stat().st_size - 4 - 4 * ndim} bytes of data but its "
                    f"header shape {shape} needs {nbytes} (truncated or corrupt)"
                )
            payload = f.read(nbytes + 1)  # one extra byte detects trailing garbage
    except DatasetError:
        raise
    except PermissionError as exc:
        raise DatasetError(f"cannot read {file}: permission denied") from exc
    except EOFError as exc:
        raise DatasetError(f"{file} is truncated (the gzip stream ends early)") from exc
    except (OSError, zlib.error) as exc:
        raise DatasetError(f"cannot read {file}: {exc}") from exc
    if len(payload) != nbytes:
        raise DatasetError(
            f"{file} has {'more' if len(payload) > nbytes else 'less'} data than its header "
            f"shape {shape} needs ({nbytes} bytes; truncated or corrupt)"
        )
    return np.frombuffer(payload, dtype=dtype, count=count).reshape(shape)


def _sibling_labels(images_file: Path, n: int, warn: Callable[[str], None]) -> np.ndarray | None:
    """The labels file next to an IDX images file, as int64 ``(n,)``, or None (with a warning
    naming the file when one exists but does not fit)."""
    name = images_file.name
    if "images" not in name:
        return None
    stem = name[:-3] if name.endswith(".gz") else name
    stem = re.sub(r"idx[34]", "idx1", stem.replace("images", "labels"))
    # Prefer the same compression as the images, but accept either.
    names = [stem + ".gz", stem] if name.endswith(".gz") else [stem, stem + ".gz"]
    for candidate in (images_file.with_name(c) for c in names):
        if not candidate.is_file():
            continue
        try:
            labels = _read_idx(candidate)
            if labels.ndim != 1:
                raise DatasetError(f"{candidate} holds shape {labels.shape}; a labels file holds one value per image")
            return _check_labels(labels, n, candidate)
        except DatasetError as e:
            warn(f"ignoring the labels file ({e}); training without labels")
            return None
    return None


def _warn_stderr(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


# --------------------------------------------------------------------------- shared


def _check_settings(image_size: int | None, channels: int | None) -> None:
    if image_size is not None and (not isinstance(image_size, (int, np.integer)) or image_size < 1):
        raise ConfigError(f"image size must be a positive integer, got {image_size!r}")
    if channels not in (None, 1, 3):
        raise ConfigError(f"channels must be 1, 3 or automatic, got {channels!r}")


def _check_file(path: str | os.PathLike) -> Path:
    """``path`` as a Path, or a DatasetError if it is missing or not a file."""
    file = Path(path)
    if not file.exists():
        raise DatasetError(f"dataset file not found: {file}")
    if not file.is_file():
        raise DatasetError(f"{file} is not a file")
    return file
