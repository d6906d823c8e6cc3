"""Turning samples into pictures and files (PNG grids, 2D scatter plots, .npy)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ganstudio.data.imageops import make_grid, save_png, unit_to_uint8

REAL_RGB = (150, 150, 150)
FAKE_RGB = (30, 120, 255)


def image_grid(images: np.ndarray, nrow: int | None = None) -> np.ndarray:
    """Float images (N, C, H, W) in [-1, 1] -> an (H', W', C) uint8 grid."""
    return make_grid(unit_to_uint8(images), nrow=nrow)


def scatter_extent(points: np.ndarray, margin: float = 0.15) -> tuple[float, float]:
    """A square, centred (lo, hi) range that holds most points (robust to outliers)."""
    lo, hi = np.percentile(points, [0.5, 99.5]) if len(points) else (-1.0, 1.0)
    half = max(abs(lo), abs(hi), 1e-3) * (1 + margin)
    return -half, half


def scatter_png(
    fake: np.ndarray, real: np.ndarray | None = None, size: int = 512, extent: tuple[float, float] | None = None
) -> np.ndarray:
    """Render 2D points as an (size, size, 3) uint8 picture: real grey, generated blue."""
    lo, hi = extent or scatter_extent(real if real is not None else fake)
    img = Image.new("RGB", (size, size), (255, 255, 255))
    draw = ImageDraw.Draw(img)

    def to_px(p: np.ndarray) -> np.ndarray:
        xy = (p - lo) / (hi - lo) * (size - 1)
        xy[:, 1] = size - 1 - xy[:, 1]  # y grows upwards in data space
        return xy

    for pts, rgb, r in ((real, REAL_RGB, 1.5), (fake, FAKE_RGB, 2.0)):
        if pts is None:
            continue
        for x, y in to_px(np.asarray(pts, dtype=np.float64)[np.isfinite(pts).all(1)]):
            draw.ellipse([x - r, y - r, x + r, y + r], fill=rgb)
    return np.asarray(img)


def save_samples(samples: np.ndarray, out: str | Path, real: np.ndarray | None = None) -> Path:
    """Save samples by extension: .npy (float32, data space) or .png (grid or scatter)."""
    out = Path(out)
    if out.suffix.lower() == ".npy":
        np.save(out, samples.astype(np.float32))
    elif out.suffix.lower() == ".png":
        save_png(scatter_png(samples, real) if samples.ndim == 2 else image_grid(samples), out)
    else:
        raise ValueError(f"unsupported output type '{out.suffix}' (use .npy or .png)")
    return out


# ----------------------------------------------------------------------------- export size
MIN_EXPORT_SIDE = 128  # exported frames are at least this many pixels on a side by default


def default_scale(side: int, target: int = MIN_EXPORT_SIDE) -> int:
    """The integer factor that makes a ``side``-pixel frame at least ``target`` pixels:
    ceil(target / side), 1 for frames already that large (16 px digits -> 8, 28 -> 5, 128 -> 1)."""
    side = max(1, int(side))
    return max(1, -(-int(target) // side))


def upscale(images: np.ndarray, scale: int, axes: tuple[int, int] = (-3, -2)) -> np.ndarray:
    """Nearest-neighbour upscaling by an integer factor along ``axes`` (rows, columns): every
    pixel becomes a ``scale`` x ``scale`` block, so sharp pixels stay sharp and levels exact."""
    scale = int(scale)
    if scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")
    if scale == 1:
        return images
    return np.repeat(np.repeat(images, scale, axis=axes[0]), scale, axis=axes[1])


# ----------------------------------------------------------------------------- animations
FRAME_TYPES = (".gif", ".png", ".mp4")


def _frames_array(frames) -> np.ndarray:
    """A list/array of (H, W, C) or (H, W) uint8 frames -> (N, H, W, C) uint8, C in {1, 3}."""
    arr = np.stack([np.asarray(f) for f in frames]) if not isinstance(frames, np.ndarray) else frames
    if arr.ndim == 3:
        arr = arr[..., None]
    if arr.ndim != 4 or len(arr) == 0 or arr.shape[-1] not in (1, 3, 4):
        raise ValueError(f"frames must be a non-empty stack of (H, W, C) images, got shape {arr.shape}")
    if arr.dtype != np.uint8:
        raise ValueError(f"frames must be uint8, got {arr.dtype}")
    return arr[..., :3] if arr.shape[-1] == 4 else arr


def _gif_frame(f: np.ndarray) -> Image.Image:
    if f.shape[-1] == 1:
        return Image.fromarray(f[..., 0], mode="L").convert("P")  # grey palette, exact
    # Per-frame adaptive palette, no dithering: deterministic and close to the original.
    return Image.fromarray(f, mode="RGB").quantize(
        colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )


def find_mp4_encoder() -> str | None:
    """Path of an ffmpeg binary (imageio-ffmpeg's bundled one first), or None."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception:  # not installed, or installed without its binary
        import shutil

        return shutil.which("ffmpeg")


def save_frames(frames, out: str | Path, fps: float = 12, nrow: int | None = None) -> Path:
    """Save frames (list/array of (H, W, C) uint8, C 1 or 3) by extension.

    .gif: an animation looping forever at ``fps`` (Pillow; grey frames keep exact levels,
    RGB ones get a per-frame 256-colour palette). .png: all frames tiled as a strip (up to
    16 in one row) or a square-ish grid (``nrow`` per row). .mp4: H.264 through ffmpeg, only
    when imageio-ffmpeg or an ``ffmpeg`` binary is installed, otherwise a GanstudioError.
    """
    from ganstudio.errors import GanstudioError

    out = Path(out)
    ext = out.suffix.lower()
    if ext not in FRAME_TYPES:
        raise ValueError(f"unsupported output type '{out.suffix}' (use {', '.join(FRAME_TYPES)})")
    arr = _frames_array(frames)  # (N, H, W, C)
    if ext == ".png":
        n = len(arr)
        grid = make_grid(arr.transpose(0, 3, 1, 2), nrow=nrow or (n if n <= 16 else None))
        save_png(grid[..., 0] if grid.shape[-1] == 1 else grid, out)
    elif ext == ".gif":
        imgs = [_gif_frame(f) for f in arr]
        imgs[0].save(
            out,
            save_all=True,
            append_images=imgs[1:],
            loop=0,
            duration=max(20, round(1000 / fps)),
            optimize=False,
            disposal=1,
        )
    else:
        exe = find_mp4_encoder()
        if exe is None:
            raise GanstudioError(
                "writing .mp4 needs an encoder: install imageio-ffmpeg (pip install imageio-ffmpeg) "
                "or put ffmpeg on PATH; or use .gif"
            )
        _write_mp4(exe, arr, out, fps)
    return out


def _write_mp4(exe: str, arr: np.ndarray, out: Path, fps: float) -> None:
    import subprocess

    from ganstudio.errors import GanstudioError

    if arr.shape[-1] == 1:
        arr = np.repeat(arr, 3, axis=-1)
    n, h, w, _ = arr.shape
    cmd = [
        exe,
        "-y",
        "-loglevel",
        "error",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{w}x{h}",
        "-r",
        str(fps),
        "-i",
        "-",
        "-vf",
        "pad=ceil(iw/2)*2:ceil(ih/2)*2",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-threads",
        "1",
        "-fflags",
        "+bitexact",
        "-flags",
        "+bitexact",
        "-map_metadata",
        "-1",
        str(out),
    ]
    r = subprocess.run(cmd, input=np.ascontiguousarray(arr).tobytes(), capture_output=True)
    if r.returncode != 0:
        msg = r.stderr.decode(errors="replace").strip().splitlines()
        raise GanstudioError(f"ffmpeg could not write {out}: {msg[-1] if msg else f'exit {r.returncode}'}")


def recipe_path(out: str | Path) -> Path:
    """Where the recipe of ``out`` goes: the same name plus .json (walk.gif -> walk.gif.json)."""
    out = Path(out)
    return out.with_name(out.name + ".json")


def write_recipe(out: str | Path, recipe: dict) -> Path:
    """Write ``recipe`` as JSON beside ``out`` (``<out>.json``), atomically; returns its path."""
    import json
    import os

    path = recipe_path(out)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(recipe, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
