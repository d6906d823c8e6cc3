"""Tests for ganstudio.data.folders and .arrays: image folders, .npy/.npz arrays and IDX files.

Every fixture is made in tmp_path with Pillow, numpy and gzip; nothing is downloaded.
"""

from __future__ import annotations

import gzip
import io
import os
import pickle
import re
import struct
import time
import warnings
import zipfile

import numpy as np
import pytest
from PIL import Image

from ganstudio.data import folders
from ganstudio.data.arrays import load_array, load_idx
from ganstudio.data.folders import load_folder
from ganstudio.data.imageops import uint8_to_unit
from ganstudio.errors import ConfigError, DatasetError

S = 8


def save(img: Image.Image, path, **kwargs) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, **kwargs)


def noise(mode: str, size=(32, 24), seed=0) -> Image.Image:
    bands = len(Image.new(mode, (1, 1)).getbands())
    arr = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], bands), dtype=np.uint8)
    return Image.fromarray(arr[..., 0] if bands == 1 else arr)


def load(path, channels=None, size=S):
    """load_folder with warnings collected instead of printed."""
    messages: list[str] = []
    data = load_folder(path, size, channels, warn=messages.append)
    return data, messages


# --------------------------------------------------------------------------- folders


@pytest.fixture
def mixed(tmp_path):
    """Nested folder with one image per interesting mode, plus a file that is not an image."""
    save(noise("L", (30, 20)), tmp_path / "a_grey.png")  # non-square
    save(noise("RGB", (40, 40)), tmp_path / "b_rgb.jpg")
    save(noise("RGBA", (16, 16)), tmp_path / "sub" / "c_rgba.png")
    save(noise("L").convert("P"), tmp_path / "sub" / "deeper" / "d_p.gif")
    save(Image.fromarray(np.full((12, 12), 60000, np.uint16)), tmp_path / "sub" / "e_16.png")
    save(Image.new("CMYK", (10, 10), (0, 255, 255, 0)), tmp_path / "f_cmyk.tif")
    save(noise("RGB", (9, 9)), tmp_path / "G_UPPER.BMP")
    save(noise("RGB", (20, 20)).convert("RGBA"), tmp_path / "h.webp")
    (tmp_path / "notes.txt").write_text("not an image, and not warned about")
    return tmp_path


def test_mixed_folder_shape_range_and_determinism(mixed):
    data, messages = load(mixed)
    assert messages == []
    assert data.shape == (8, 3, S, S) and data.dtype == np.float32
    assert data.min() >= -1 and data.max() <= 1
    again, _ = load(mixed)
    np.testing.assert_array_equal(data, again)


def test_order_is_by_relative_path(tmp_path):
    # By path components: folder "a" sorts before the file "a.png".
    for name, value in [("b.png", 30), ("a.png", 20), ("a/z.png", 10)]:
        save(Image.new("L", (4, 4), value), tmp_path / name)
    data, _ = load(tmp_path, size=4)
    np.testing.assert_allclose(data[:, 0, 0, 0], uint8_to_unit(np.array([10, 20, 30])), atol=1e-6)


def test_16bit_scaled_not_clipped(tmp_path):
    arr = np.zeros((S, S), np.uint16)
    arr[:, : S // 2], arr[:, S // 2 :] = 1000, 60000
    save(Image.fromarray(arr), tmp_path / "deep.png")
    data, _ = load(tmp_path)
    assert data.shape == (1, 1, S, S)
    # Clipping at 255 would make both halves white (1.0).
    assert data[0, 0, 0, 0] == pytest.approx(4 / 127.5 - 1, abs=0.01)
    assert data[0, 0, 0, -1] == pytest.approx(233 / 127.5 - 1, abs=0.01)


def test_alpha_composited_on_black(tmp_path):
    img = Image.new("RGBA", (S, S), (255, 255, 255, 0))
    img.putpixel((0, 0), (255, 255, 255, 255))
    save(img, tmp_path / "a.png")
    save(Image.new("LA", (S, S), (255, 0)), tmp_path / "b.png")
    palette = Image.new("P", (S, S), 1)
    palette.putpalette([0, 0, 0, 255, 255, 255])
    save(palette, tmp_path / "c.png", transparency=1)  # white palette entry is transparent
    data, _ = load(tmp_path, channels=3)
    assert data[0, :, 0, 0].tolist() == [1, 1, 1]
    assert np.all(data[0, :, 4:, 4:] == -1) and np.all(data[1:] == -1)


def test_cmyk_converted(tmp_path):
    save(Image.new("CMYK", (S, S), (0, 255, 255, 0)), tmp_path / "red.tif")
    data, _ = load(tmp_path)
    np.testing.assert_allclose(data[0, :, 0, 0], [1, -1, -1])


def test_channels_auto_and_forced(tmp_path):
    grey = tmp_path / "grey"
    save(noise("L"), grey / "l.png")
    save(noise("L").convert("1"), grey / "bits.png")
    save(Image.new("LA", (8, 8), (100, 255)), grey / "la.png")
    save(Image.fromarray(np.full((8, 8), 300, np.uint16)), grey / "i16.png")
    assert load(grey)[0].shape == (4, 1, S, S)
    as_rgb = load(grey, channels=3)[0]
    assert as_rgb.shape == (4, 3, S, S)
    np.testing.assert_array_equal(as_rgb[:, 0], as_rgb[:, 2])

    save(noise("RGB"), grey / "colour.png")
    assert load(grey)[0].shape == (5, 3, S, S)
    assert load(grey, channels=1)[0].shape == (5, 1, S, S)


def test_single_image_folder(tmp_path):
    save(noise("RGB", (5, 7)), tmp_path / "only.jpeg")
    data, messages = load(tmp_path, size=16)
    assert data.shape == (1, 3, 16, 16) and messages == []


def test_bad_files_skipped_with_one_warning_each(tmp_path):
    save(noise("RGB"), tmp_path / "good.png")
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "text.png").write_text("hello, I am not a PNG")
    png, jpg = io.BytesIO(), io.BytesIO()
    noise("RGB", (64, 64)).save(png, "PNG")
    noise("RGB", (64, 64)).save(jpg, "JPEG")
    (tmp_path / "cut.png").write_bytes(png.getvalue()[: len(png.getvalue()) // 2])
    (tmp_path / "cut.jpg").write_bytes(jpg.getvalue()[: len(jpg.getvalue()) // 2])

    data, messages = load(tmp_path)
    assert data.shape == (1, 3, S, S)
    assert len(messages) == 4
    for name, reason in [
        ("cut.jpg", "truncated"),
        ("cut.png", "truncated"),
        ("empty.png", "0 bytes"),
        ("text.png", "not a recognised image"),
    ]:
        (line,) = [m for m in messages if name in m]
        assert reason in line and "\n" not in line


def test_decompression_bomb_skipped_without_global_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    save(Image.new("L", (5, 5)), tmp_path / "small.png")
    save(Image.new("L", (12, 12)), tmp_path / "warns.png")  # 144 px: Pillow only warns
    save(Image.new("L", (20, 20)), tmp_path / "errors.png")  # 400 px: over 2x, Pillow raises
    filters = list(warnings.filters)
    data, messages = load(tmp_path, size=4)
    assert warnings.filters == filters
    assert data.shape == (1, 1, 4, 4)
    assert sorted(m.split(":")[0] for m in messages) == [
        f"skipping {tmp_path / 'errors.png'}",
        f"skipping {tmp_path / 'warns.png'}",
    ]
    assert all("decompression-bomb" in m for m in messages)


def test_symlink_loop_does_not_hang(tmp_path):
    save(noise("L"), tmp_path / "a.png")
    save(noise("L"), tmp_path / "sub" / "b.png")
    os.symlink(tmp_path, tmp_path / "sub" / "loop")
    os.symlink(tmp_path / "sub", tmp_path / "sub" / "self")
    os.symlink(tmp_path / "missing.png", tmp_path / "broken.png")
    data, messages = load(tmp_path)
    assert data.shape == (2, 1, S, S)  # each real image exactly once
    assert len(messages) == 1 and "broken.png" in messages[0]


def test_fifo_skipped_without_blocking(tmp_path):
    save(noise("L"), tmp_path / "a.png")
    os.mkfifo(tmp_path / "pipe.png")
    data, messages = load(tmp_path)
    assert data.shape == (1, 1, S, S)
    assert len(messages) == 1 and "pipe.png" in messages[0] and "not a regular file" in messages[0]


def test_unreadable_file_skipped(tmp_path):
    save(noise("L"), tmp_path / "a.png")
    locked = tmp_path / "locked.png"
    save(noise("L"), locked)
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as a user (root) who can read a chmod 000 file")
        data, messages = load(tmp_path)
    finally:
        locked.chmod(0o644)
    assert data.shape == (1, 1, S, S)
    assert len(messages) == 1 and "locked.png" in messages[0] and "ermission denied" in messages[0]


def test_permission_error_reported(tmp_path, monkeypatch):
    """Same as above but works as root: make open() fail the way chmod 000 would."""
    save(noise("L"), tmp_path / "a.png")
    save(noise("L"), tmp_path / "locked.png")
    real_open = open

    def fake_open(path, *args, **kwargs):
        if str(path).endswith("locked.png"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(folders, "open", fake_open, raising=False)
    data, messages = load(tmp_path)
    assert data.shape == (1, 1, S, S)
    assert len(messages) == 1 and "locked.png" in messages[0] and "Permission denied" in messages[0]


def test_default_warn_prints_to_stderr(tmp_path, capsys):
    save(noise("L"), tmp_path / "a.png")
    (tmp_path / "empty.png").write_bytes(b"")
    load_folder(tmp_path, S, None)
    err = capsys.readouterr().err
    assert err.startswith("warning: skipping ") and "empty.png" in err and err.count("\n") == 1


def test_folder_errors(tmp_path):
    with pytest.raises(DatasetError, match="not found"):
        load_folder(tmp_path / "nope", S, None)
    (tmp_path / "file.png").write_bytes(b"x")
    with pytest.raises(DatasetError, match="not a folder"):
        load_folder(tmp_path / "file.png", S, None)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DatasetError, match=r"no image files.*\.png"):
        load_folder(empty, S, None)
    (empty / "readme.txt").write_text("hi")
    with pytest.raises(DatasetError, match=r"1 other file"):
        load_folder(empty, S, None)


def test_folder_of_only_bad_files(tmp_path):
    (tmp_path / "a.png").write_bytes(b"")
    (tmp_path / "b.jpg").write_text("nope")
    messages: list[str] = []
    with pytest.raises(DatasetError) as info:
        load_folder(tmp_path, S, None, warn=messages.append)
    assert str(tmp_path) in str(info.value) and "all 2 image file(s)" in str(info.value)
    assert ".webp" in str(info.value) and len(messages) == 2


# --------------------------------------------------------------------------- arrays


def npy(tmp_path, arr, name="data.npy"):
    path = tmp_path / name
    np.save(path, arr)
    return path


def test_npy_uint8_grey_exact(tmp_path):
    arr = np.random.default_rng(0).integers(0, 256, (4, S, S), dtype=np.uint8)
    data, labels, kind = load_array(npy(tmp_path, arr), S, None)
    assert kind == "image" and labels is None and data.dtype == np.float32
    np.testing.assert_array_equal(data, uint8_to_unit(arr)[:, None])


@pytest.mark.parametrize("layout", ["last", "first", "last_alpha"])
def test_npy_rgb_layouts(tmp_path, layout):
    arr = np.zeros((3, 6, 10, 4 if layout == "last_alpha" else 3), np.uint8)
    arr[..., 0] = 255  # red
    if layout == "first":
        arr = arr.transpose(0, 3, 1, 2).copy()
    data, _, kind = load_array(npy(tmp_path, arr), S, None)
    assert kind == "image" and data.shape == (3, 3, S, S)  # non-square 6x10 resized
    np.testing.assert_allclose(data[:, 0], 1)
    np.testing.assert_allclose(data[:, 1:], -1)


@pytest.mark.parametrize(
    "arr, expected",
    [
        (np.array([[[0.0, 0.5, 1.0]]] * 2, np.float32), [-1.0, 0.0, 1.0]),  # [0, 1]
        (np.array([[[-1.0, 0.5, 1.0]]] * 2, np.float64), [-1.0, 0.5, 1.0]),  # [-1, 1]
        (np.array([[[0, 65535, 65535]]] * 2, np.uint16), [-1.0, 1.0, 1.0]),
        (np.array([[[False, True, True]]] * 2), [-1.0, 1.0, 1.0]),
        (np.array([[[0, 255, 255]]] * 2, np.int64), [-1.0, 1.0, 1.0]),
    ],
)
def test_npy_dtypes(tmp_path, arr, expected):
    arr = np.repeat(arr, 3, axis=1)  # (2, 3, 3): 3x3 images
    data, _, _ = load_array(npy(tmp_path, arr), 3, None)
    np.testing.assert_allclose(data[:, 0, 0], [expected] * 2, atol=1e-6)


def test_points_2d(tmp_path):
    pts = np.random.default_rng(0).normal(size=(50, 2)) * 5
    data, labels, kind = load_array(npy(tmp_path, pts), S, None)
    assert kind == "2d" and labels is None and data.dtype == np.float32
    np.testing.assert_array_equal(data, pts.astype(np.float32))


def test_channel_conversion(tmp_path):
    rgb = np.zeros((2, S, S, 3), np.uint8)
    rgb[..., 1] = 255  # green
    grey, _, _ = load_array(npy(tmp_path, rgb), S, 1)
    assert grey.shape == (2, 1, S, S)
    np.testing.assert_allclose(grey, 0.587 * 2 - 1, atol=1e-5)
    mono = np.full((2, S, S), 255, np.uint8)
    three, _, _ = load_array(npy(tmp_path, mono, "mono.npy"), S, 3)
    assert three.shape == (2, 3, S, S) and np.all(three == 1)


@pytest.mark.parametrize("data_key, label_key", [("x", "y"), ("images", "labels"), ("data", None), ("arr_0", None)])
def test_npz_keys_and_labels(tmp_path, data_key, label_key):
    arr = np.zeros((5, S, S), np.uint8)
    arrays = {data_key: arr, "unrelated": np.zeros(3)}
    if label_key:
        arrays[label_key] = np.arange(5, dtype=np.int32)
    path = tmp_path / "d.npz"
    np.savez(path, **arrays)
    data, labels, kind = load_array(path, S, None)
    assert data.shape == (5, 1, S, S) and kind == "image"
    if label_key:
        assert labels.dtype == np.int64 and labels.tolist() == [0, 1, 2, 3, 4]
    else:
        assert labels is None


def test_npz_single_array_any_name_and_points_with_labels(tmp_path):
    path = tmp_path / "one.npz"
    np.savez_compressed(path, whatever=np.zeros((4, S, S, 1), np.uint8))
    assert load_array(path, S, None)[0].shape == (4, 1, S, S)
    path = tmp_path / "pts.npz"
    np.savez(path, x=np.ones((3, 2)), y=np.array([0, 1, 1]))
    data, labels, kind = load_array(path, S, None)
    assert kind == "2d" and labels.tolist() == [0, 1, 1]


def zip_with(path, name: str, content: bytes) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(name, content)


def error_for(tmp_path, writer, name="bad.npy"):
    """Write a file with ``writer(path)``, load it, and return the DatasetError message."""
    path = tmp_path / name
    writer(path)
    with pytest.raises(DatasetError) as info:
        load_array(path, S, None)
    message = str(info.value)
    assert str(path) in message  # every error names the file
    return message


@pytest.mark.parametrize(
    "writer, name, expected",
    [
        (lambda p: np.save(p, np.array([{"a": 1}], dtype=object), allow_pickle=True), "obj.npy", "pickle"),
        (lambda p: np.savez(p, x=np.array([[1], "a"], dtype=object)), "obj.npz", "pickle"),
        (lambda p: p.write_bytes(pickle.dumps({"x": 1})), "pickled.npy", "pickle"),
        (lambda p: np.save(p, np.zeros(10, np.uint8)), "flat.npy", r"shape \(10,\)"),
        (lambda p: np.save(p, np.zeros((4, 5), np.uint8)), "wide.npy", "accepted"),
        (lambda p: np.save(p, np.zeros((2, 5, 5, 5, 5), np.uint8)), "five.npy", "uint8"),
        (lambda p: np.save(p, np.zeros((2, 8, 8, 7), np.uint8)), "seven.npy", r"\(2, 8, 8, 7\)"),
        (lambda p: np.save(p, np.array([[[np.nan]]], np.float32)), "nan.npy", "NaN"),
        (lambda p: np.save(p, np.array([[[np.inf]]], np.float32)), "inf.npy", "infinite"),
        (lambda p: np.save(p, np.array([[np.nan, 0]], np.float32)), "nanpts.npy", "NaN"),
        (lambda p: np.save(p, np.array([[[0, 3.5]]], np.float32)), "range.npy", r"0\.\.3\.5"),
        (lambda p: np.save(p, np.array([[[0, 300]]], np.int32)), "ints.npy", r"0\.\.300"),
        (lambda p: np.save(p, np.zeros((0, 8, 8), np.uint8)), "empty.npy", "empty"),
        (lambda p: np.save(p, np.zeros((0, 2), np.float32)), "empty2d.npy", "empty"),
        (lambda p: np.save(p, np.array([["a", "b"]])), "str.npy", "numbers"),
        (lambda p: p.write_bytes(b"garbage, not numpy"), "junk.npy", "not a valid"),
        (lambda p: p.write_bytes(np.lib.format.magic(1, 0) + b"\x10\x00{'descr'"), "cut.npy", "not a valid"),
        (lambda p: np.savez(p, x=np.zeros((3, 4, 4)), y=np.arange(2)), "short.npz", r"shape \(2,\)"),
        (lambda p: np.savez(p, x=np.zeros((3, 4, 4)), y=np.ones(3)), "floaty.npz", "integers"),
        (lambda p: np.savez(p, a=np.zeros(3), b=np.zeros(3)), "ambiguous.npz", "expected one named"),
        (lambda p: zip_with(p, "x", b"not an array"), "plain.npz", "not a valid .npz"),
        (lambda p: p.write_bytes(b"PK\x03\x04 cut zip"), "cut.npz", "not a valid"),
    ],
)
def test_array_errors(tmp_path, writer, name, expected):
    assert re.search(expected, error_for(tmp_path, writer, name))


def test_array_missing_or_folder(tmp_path):
    with pytest.raises(DatasetError, match="not found"):
        load_array(tmp_path / "none.npy", S, None)
    with pytest.raises(DatasetError, match="not a file"):
        load_array(tmp_path, S, None)


# --------------------------------------------------------------------------- IDX

IDX_CODES = {
    np.dtype("u1"): 0x08,
    np.dtype("i1"): 0x09,
    np.dtype(">i2"): 0x0B,
    np.dtype(">i4"): 0x0C,
    np.dtype(">f4"): 0x0D,
    np.dtype(">f8"): 0x0E,
}


def idx_bytes(arr: np.ndarray) -> bytes:
    arr = arr.astype(arr.dtype.newbyteorder(">"))
    header = bytes([0, 0, IDX_CODES[arr.dtype], arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.tobytes()


def write(path, payload: bytes, gz: bool) -> None:
    path.write_bytes(gzip.compress(payload) if gz else payload)


@pytest.fixture
def mnist():
    rng = np.random.default_rng(1)
    return rng.integers(0, 256, (5, S, S), dtype=np.uint8), rng.integers(0, 10, 5, dtype=np.uint8)


@pytest.mark.parametrize("images_gz, labels_gz", [(False, False), (True, True), (True, False), (False, True)])
def test_idx_roundtrip_with_labels(tmp_path, mnist, images_gz, labels_gz):
    images, labels = mnist
    ipath = tmp_path / ("train-images-idx3-ubyte" + (".gz" if images_gz else ""))
    write(ipath, idx_bytes(images), images_gz)
    write(tmp_path / ("train-labels-idx1-ubyte" + (".gz" if labels_gz else "")), idx_bytes(labels), labels_gz)
    data, got = load_idx(ipath, S, None)
    np.testing.assert_array_equal(data, uint8_to_unit(images)[:, None])
    assert got.dtype == np.int64 and got.tolist() == labels.tolist()


def test_idx_gzip_detected_by_magic_and_no_labels(tmp_path, mnist):
    images, _ = mnist
    path = tmp_path / "t10k-images-idx3-ubyte"  # gzipped despite the name
    write(path, idx_bytes(images), True)
    data, labels = load_idx(path, 4, 3)
    assert data.shape == (5, 3, 4, 4) and labels is None


def test_idx_mismatched_labels_ignored(tmp_path, mnist):
    images, labels = mnist
    write(tmp_path / "t10k-images-idx3-ubyte", idx_bytes(images), False)
    write(tmp_path / "t10k-labels-idx1-ubyte", idx_bytes(labels[:3]), False)
    assert load_idx(tmp_path / "t10k-images-idx3-ubyte", S, None)[1] is None


def test_idx_other_dtypes_and_channels(tmp_path):
    rgb = np.zeros((2, S, S, 3), np.float32)
    rgb[..., 2] = 1.0
    write(tmp_path / "colour.idx", idx_bytes(rgb), False)
    data, _ = load_idx(tmp_path / "colour.idx", S, None)
    assert data.shape == (2, 3, S, S)
    np.testing.assert_allclose(data[:, 2], 1)
    np.testing.assert_allclose(data[:, :2], -1)
    small = np.array([[[0, 255]]], np.int16).repeat(2, axis=1)
    write(tmp_path / "i16.idx", idx_bytes(small), False)
    np.testing.assert_allclose(load_idx(tmp_path / "i16.idx", 2, None)[0][0, 0, 0], [-1, 1])


def idx_error(path, payload: bytes, gz=False) -> str:
    write(path, payload, gz)
    with pytest.raises(DatasetError) as info:
        load_idx(path, S, None)
    assert str(path) in str(info.value)
    return str(info.value)


@pytest.mark.parametrize("gz", [False, True])
def test_idx_truncated(tmp_path, mnist, gz):
    payload = idx_bytes(mnist[0])
    assert "truncated" in idx_error(tmp_path / "cut", payload[:-10], gz)
    assert "truncated" in idx_error(tmp_path / "header", payload[:10], gz)
    assert "corrupt" in idx_error(tmp_path / "long", payload + b"\0", gz)


def test_idx_truncated_gzip_stream(tmp_path, mnist):
    packed = gzip.compress(idx_bytes(mnist[0]))
    path = tmp_path / "cut.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(DatasetError, match="truncated"):
        load_idx(path, S, None)


@pytest.mark.parametrize("gz", [False, True])
def test_idx_header_bomb_refused_quickly(tmp_path, gz):
    header = bytes([0, 0, 0x08, 3]) + struct.pack(">3I", 100000, 100000, 100000)
    start = time.perf_counter()
    assert "refusing" in idx_error(tmp_path / "bomb", header + b"\0" * 100, gz)
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize(
    "payload, expected",
    [
        (b"\x89PNG not idx", "not an IDX file"),
        (b"", "not an IDX file"),
        (bytes([0, 0, 0x07, 3]) + b"\0" * 12, "not an IDX file"),  # unknown dtype code
        (idx_bytes(np.arange(5, dtype=np.uint8)), "labels file"),
        (idx_bytes(np.zeros((2, 3, 4, 5), np.uint8)), r"shape \(2, 3, 4, 5\)"),
        (idx_bytes(np.zeros((0, 4, 4), np.uint8)), "empty"),
        (idx_bytes(np.full((1, 2, 2), -5, np.int8)), r"-5\.\.-5"),
    ],
)
def test_idx_bad_content(tmp_path, payload, expected):
    assert re.search(expected, idx_error(tmp_path / "bad-images-idx3-ubyte", payload))


@pytest.mark.parametrize("size, channels", [(0, None), (8, 2), (-1, 1)])
def test_bad_settings_refused(tmp_path, size, channels):
    with pytest.raises(ConfigError):
        load_folder(tmp_path, size, channels)


def test_idx_missing(tmp_path):
    with pytest.raises(DatasetError, match="not found"):
        load_idx(tmp_path / "train-images-idx3-ubyte", S, None)
