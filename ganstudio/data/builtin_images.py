"""Built-in image sets, offline: scikit-learn's 8x8 digits and procedural shapes."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ganstudio.data.imageops import resize_images

SHAPES_COUNT = 6000  # images generated for `shapes`; ~1 s to draw at 32x32
SHAPE_CLASSES = ("square", "circle", "triangle")


def digits(image_size: int) -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 digits shipped with scikit-learn, upscaled; (N, 1, S, S) in [-1, 1]."""
    from sklearn.datasets import load_digits  # local import: scikit-learn is slow to import

    d = load_digits()
    x = d.images.astype(np.float32) / 16.0 * 2 - 1  # pixel values are 0..16
    return resize_images(x[:, None], image_size), d.target.astype(np.int64)


def shapes(image_size: int, channels: int, seed: int = 0, n: int = SHAPES_COUNT) -> tuple[np.ndarray, np.ndarray]:
    """Squares, circles and triangles with random position, size, rotation and colour.

    Drawn at 4x and downsampled (antialiasing); deterministic for a given seed.
    Returns (N, C, S, S) float32 in [-1, 1] and the shape class of each image.
    """
    rng = np.random.default_rng(seed)
    big = image_size * 4
    out = np.empty((n, channels, image_size, image_size), dtype=np.float32)
    labels = rng.integers(0, len(SHAPE_CLASSES), n)
    for i in range(n):
        img = Image.new("RGB", (big, big), (0, 0, 0))
        draw = ImageDraw.Draw(img)
        r = rng.uniform(0.18, 0.38) * big  # circumradius
        cx, cy = rng.uniform(r, big - r, 2)
        angle = rng.uniform(0, 2 * np.pi)
        colour = tuple(int(c) for c in rng.integers(80, 256, 3)) if channels == 3 else (255, 255, 255)
        if labels[i] == 1:
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
        else:
            k = 4 if labels[i] == 0 else 3
            a = angle + 2 * np.pi * np.arange(k) / k
            draw.polygon([(float(cx + r * np.cos(t)), float(cy + r * np.sin(t))) for t in a], fill=colour)
        img = img.resize((image_size, image_size), Image.Resampling.LANCZOS)
        arr = np.asarray(img if channels == 3 else img.convert("L"), dtype=np.float32)
        arr = arr.reshape(image_size, image_size, channels).transpose(2, 0, 1)
        out[i] = arr / 127.5 - 1
    return out, labels.astype(np.int64)
