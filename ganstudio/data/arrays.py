"""Load array datasets: ``.npy``/``.npz`` files and MNIST-style IDX files (raw or gzip).

Images come back as float32 ``(N, C, S, S)`` in [-1, 1] (the generator's tanh range), 2D
sets as ``(N, 2)``. Bad input raises :class:`~ganstudio.errors.DatasetError` naming the file.
"""

from __future__ import annotations

import gzip
import os
import re
import zipfile
import zlib
from pathlib import Path

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
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DatasetError(f"{file} is not a valid .npy/.npz array file ({exc})") from exc

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
    data, labels = npz[data_key], (npz[label_key] if label_key else None)
    # A plain zip renamed to .npz yields raw bytes for members that are not .npy files.
    if not isinstance(data, np.ndarray) or not isinstance(labels, (np.ndarray, type(None))):
        raise DatasetError(f"{file} is a zip archive but not a valid .npz file")
    return data, labels


def _check_labels(labels: np.ndarray | None, n: int, file: Path) -> np.ndarray | None:
    """Labels as int64 ``(n,)``; refuse ones that cannot belong to the ``n`` samples."""
    if labels is None:
        return None
    if labels.ndim != 1 or len(labels) != n:
        raise DatasetError(f"{file}: labels have shape {labels.shape}, expected ({n},) to match the data")
    if not np.issubdtype(labels.dtype, np.integer):
        raise DatasetError(f"{file}: labels must be integers, found dtype {labels.dtype}")
    return labels.astype(np.int64)


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
) -> tuple[np.ndarray, np.ndarray | None]:
    """Load an MNIST-style IDX images file (raw or gzipped) as float32 ``(N, C, S, S)`` in [-1, 1].

    For files named like ``train-images-idx3-ubyte[.gz]`` the sibling labels file
    (``train-labels-idx1-ubyte[.gz]``) is loaded too when it exists, is a valid labels file
    and has one label per image; otherwise labels are None.
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
    return _finish_images(images, image_size, channels, file, largest, info), _sibling_labels(file, len(images))


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
            if count > MAX_IDX_ELEMENTS:
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


def _sibling_labels(images_file: Path, n: int) -> np.ndarray | None:
    """The labels file next to an IDX images file, as int64 ``(n,)``, or None."""
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
        except DatasetError:
            return None
        if labels.ndim == 1 and len(labels) == n and np.issubdtype(labels.dtype, np.integer):
            return labels.astype(np.int64)
        return None
    return None


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
