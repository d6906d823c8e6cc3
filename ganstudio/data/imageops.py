"""Small image helpers shared by the datasets (Pillow + numpy; no torchvision)."""

from __future__ import annotations

import struct
import zlib

import numpy as np
from PIL import Image

# Square sizes the image models are built for (dcgan's plans; the MLP takes any).
IMAGE_SIZES = (16, 28, 32, 64)


def native_size(h: int, w: int, largest: int = 32) -> int:
    """The square size to train images of h x w at: their own when the models support it,
    else the smallest of 16/32/64 that keeps their shorter side, capped at ``largest`` (a
    CPU trains 64 px four times slower than 32)."""
    if h == w and h in IMAGE_SIZES:
        return h
    side = min(h, w)
    return next((s for s in (16, 32, 64) if s >= side and s <= largest), largest)


def fit_square(img: Image.Image, size: int) -> Image.Image:
    """Resize so the shorter side is ``size``, then centre-crop to ``size`` x ``size``."""
    w, h = img.size
    scale = size / min(w, h)
    nw, nh = max(size, round(w * scale)), max(size, round(h * scale))
    # reducing_gap: a large downscale first box-reduces to 3x the target, then filters; a
    # 1028 x 55510 GIF of 43 bytes took 1-4 s in LANCZOS alone, 0.08 s so (bench/fuzz.py image).
    img = img.resize((nw, nh), Image.Resampling.BICUBIC if scale > 1 else Image.Resampling.LANCZOS, reducing_gap=3.0)
    left, top = (nw - size) // 2, (nh - size) // 2
    return img.crop((left, top, left + size, top + size))


def uint8_to_unit(arr: np.ndarray) -> np.ndarray:
    """uint8 [0, 255] -> float32 [-1, 1] (the generator's tanh range)."""
    return arr.astype(np.float32) / 127.5 - 1.0


def unit_to_uint8(arr: np.ndarray) -> np.ndarray:
    """float [-1, 1] -> uint8 [0, 255], clipping what falls outside."""
    return np.clip((np.asarray(arr, dtype=np.float32) + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)


def resize_images(images: np.ndarray, size: int) -> np.ndarray:
    """Resize a float [-1, 1] batch (N, C, h, w) to (N, C, size, size), bicubic, via Pillow.

    Non-square inputs are centre-cropped after resizing the shorter side.
    """
    n, c, h, w = images.shape
    if h == size and w == size:
        return images.astype(np.float32, copy=False)
    out = np.empty((n, c, size, size), dtype=np.float32)
    for i in range(n):
        for ch in range(c):
            # Mode "F" keeps float precision through the resize.
            img = Image.fromarray(images[i, ch].astype(np.float32), mode="F")
            out[i, ch] = np.asarray(fit_square(img, size), dtype=np.float32)
    return np.clip(out, -1.0, 1.0)


def make_grid(images: np.ndarray, nrow: int | None = None, pad: int = 2, pad_value: int = 0) -> np.ndarray:
    """Tile uint8 images (N, C, H, W) into one row-major (H', W', C) uint8 grid."""
    n, c, h, w = images.shape
    nrow = nrow or int(np.ceil(np.sqrt(n)))
    ncol = int(np.ceil(n / nrow))
    grid = np.full((ncol * (h + pad) + pad, nrow * (w + pad) + pad, c), pad_value, dtype=np.uint8)
    for i in range(n):
        r, col = divmod(i, nrow)
        y, x = pad + r * (h + pad), pad + col * (w + pad)
        grid[y : y + h, x : x + w] = images[i].transpose(1, 2, 0)
    return grid


def save_png(grid: np.ndarray, path) -> None:
    """Save an (H, W, C) or (H, W) uint8 array as PNG."""
    arr = grid[..., 0] if grid.ndim == 3 and grid.shape[2] == 1 else grid
    Image.fromarray(arr).save(path, format="PNG")


def png_bytes(a: np.ndarray) -> bytes:
    """(H, W) grey or (H, W, 3) RGB uint8 as a PNG file's bytes: unfiltered rows, zlib level 1.
    A dozen lines instead of Pillow's save, which spends ~1 ms in Python on a 28x28 image:
    60,000 of them were half of synth's time (see bench/utility.py speed)."""
    h, w = a.shape[:2]
    raw = np.zeros((h, 1 + a[0].size), np.uint8)  # each row: filter type 0, then its pixels
    raw[:, 1:] = a.reshape(h, -1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    head = struct.pack(">IIBBBBB", w, h, 8, 0 if a.ndim == 2 else 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", head)
        + chunk(b"IDAT", zlib.compress(raw.tobytes(), 1))
        + chunk(b"IEND", b"")
    )
