"""Latent exploration without Qt: what the app's Latent and Interpolation tabs draw, and the
JSON recipes that reproduce every export exactly.

The app and tests share these functions, so a picture on screen, the file exported from it
and a re-render from its recipe are computed by the same code. ``render_recipe(recipe)``
rebuilds the generator from the checkpoint the recipe names and returns the same pixels;
``recipes.read_recipe`` reads a recipe (or a projection's z.json) back from disk, strictly.

Shapes: ``Z`` latent size, ``k`` directions, ``N`` latents, ``S`` grid/mesh steps.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ganstudio.data.imageops import make_grid, save_png, unit_to_uint8
from ganstudio.errors import GanstudioError
from ganstudio.io.media import (
    FAKE_RGB,
    FRAME_TYPES,
    default_scale,
    save_frames,
    scatter_extent,
    scatter_png,
    upscale,
    write_recipe,
)
from ganstudio.latent import Directions, class_mix_path, grid_walk, keyframe_path, sample_z, truncate, with_class
from ganstudio.generator import GeneratorSnapshot, generate, load_generator
from ganstudio.recipes import MAX_SCALE, check_recipe

SLIDER_RANGE = 3.0  # sliders move z by -3..3 standard deviations along a direction
MESH_STEPS = 21  # the 2D manifold mesh: a 21 x 21 grid of latents
MESH_EXTENT = 3.0
PREVIEW_2D_SIZE = 512  # exported 2D previews, pixels
ANIM_2D_SIZE = 256  # frames of 2D animations (as `ganstudio interpolate` draws them)
MESH_RGB = (60, 60, 60)
POINT_RGB = (255, 140, 0)
MAX_EXPORT_SIDE = 8192  # pixels on a frame's side after scaling
# An export's pixels in memory (before encoding): the app's largest (64 frames of 1024 px RGB)
# is 201 MB, as are 1024 frames of a 2D animation; upscaling and tiling copy it twice more.
MAX_EXPORT_BYTES = 256 * 1024**2


# ----------------------------------------------------------------------------- generators
def snapshot_from_trainer(trainer, ema: bool = True) -> GeneratorSnapshot:
    """Copy the trainer's G (EMA when asked and kept). Call between steps, in the trainer's thread."""
    use_ema = bool(ema) and trainer.G_ema is not None
    ds = trainer.dataset
    meta = {
        "config": dataclasses.asdict(trainer.cfg),
        "sample_shape": list(ds.sample_shape),
        "kind": ds.kind,
        "step": trainer.step_count,
    }
    snap = GeneratorSnapshot(
        trainer.generator_copy(ema=use_ema),
        meta,
        use_ema,
        None,
        trainer.run_dir.path if trainer.run_dir is not None else None,
    )
    snap.cfg = trainer.cfg
    return snap


def snapshot_from_checkpoint(path: str | Path, ema: bool = True, run: str | Path | None = None) -> GeneratorSnapshot:
    snap = load_generator(path, ema=ema)
    if run is not None:
        snap.run = Path(run)
    return snap


def has_ema(path: str | Path) -> bool:
    """Whether a checkpoint holds EMA weights (reads the header only; a hostile or truncated
    file raises CheckpointError, never struct.error or a huge read)."""
    from ganstudio.io.checkpoint import tensor_names

    return any(k.startswith("G_ema/") for k in tensor_names(path))


def save_generator(snap: GeneratorSnapshot, path: str | Path) -> Path:
    """Write snap's weights as a generator-only checkpoint ``load_generator`` (and the CLI's
    ``--checkpoint``) can read; used when exporting from a live snapshot no checkpoint holds."""
    from ganstudio.io.checkpoint import save_checkpoint

    tensors = {f"G/{k}": v for k, v in snap.G.state_dict().items()}
    meta = {k: snap.meta[k] for k in ("config", "sample_shape", "kind") if k in snap.meta}
    return save_checkpoint(path, tensors, dict(meta, step=snap.step, generator_only=True, ema_weights=snap.ema))


def use_one_thread_here() -> None:
    """Make torch ops in the calling thread (the UI's) use one intra-op thread, leaving others as they are.

    A batch-1 render is far too small to split, and an OpenMP team of 2 competing with a training
    thread for 2 cores spins at its barriers (see bench/threads.py and bench/latent_perf.py).
    torch.set_num_threads sets the calling thread's OpenMP/MKL setting *and* a process-wide default
    that threads adopt on their first parallel op; so: set 1 here, run one parallel op to lock it in
    for this thread, then put the default back from a throwaway thread (the training thread must
    keep its 2).
    """
    import threading

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.ones(1 << 16).add_(1)  # above the parallel grain size: this thread's setting is now fixed
    if before != 1:
        t = threading.Thread(target=torch.set_num_threads, args=(before,), name="restore-torch-threads")
        t.start()
        t.join()


# ----------------------------------------------------------------------------- latents
def raw_directions(z_dim: int, k: int) -> Directions:
    """The first k latent coordinates as directions (their variance share is not measured: 0)."""
    k = max(1, min(k, z_dim))
    return Directions(torch.eye(z_dim, dtype=torch.float32)[:k].contiguous(), torch.zeros(k), space="raw")


def compose(
    z_dim: int,
    seed: int,
    offsets,
    vectors: torch.Tensor | None,
    z: torch.Tensor | None = None,
    named: list[dict[str, Any]] | None = None,
) -> torch.Tensor:
    """The seed's latent (or ``z`` (Z,), e.g. a projected image's) moved ``offsets[i]``
    standard deviations along ``vectors[i]`` and each of ``named`` (directions by example:
    dicts with "vector" and "amount") -> (Z,) float32.

    Directions are unit vectors and z ~ N(0, I), so one unit along any of them is one standard
    deviation of z in that direction. No truncation here (see :func:`latent`).
    """
    z = sample_z(1, z_dim, seed)[0] if z is None else torch.as_tensor(z, dtype=torch.float32).reshape(-1).clone()
    for d in named or []:
        if float(d.get("amount") or 0.0):
            z = z + float(d["amount"]) * torch.as_tensor(d["vector"], dtype=torch.float32).reshape(-1)
    off = torch.tensor([float(o) for o in offsets], dtype=torch.float32)
    if vectors is None or not len(off) or not bool(off.any()):
        return z
    return z + off @ vectors[: len(off)].to(torch.float32)


def latent(z_dim: int, seed: int, offsets, vectors: torch.Tensor | None, psi: float) -> torch.Tensor:
    """The latent the preview shows: truncate(compose(...), psi) -> (Z,) float32."""
    return truncate(compose(z_dim, seed, offsets, vectors), float(psi))


def to_frames(x: np.ndarray) -> np.ndarray:
    """Generator images (N, C, H, W) in [-1, 1] -> (N, H, W, C) uint8."""
    return unit_to_uint8(x).transpose(0, 2, 3, 1)


def tile(frames: np.ndarray, nrow: int | None = None) -> np.ndarray:
    """(N, H, W, C) uint8 -> one (H', W', C) picture, laid out exactly as ``save_frames(.png)``
    lays it out: one row up to 16 frames, else a square-ish grid, unless ``nrow`` is given."""
    n = len(frames)
    return make_grid(np.asarray(frames).transpose(0, 3, 1, 2), nrow=nrow or (n if n <= 16 else None))


def manifold_mesh(
    G: nn.Module,
    z: torch.Tensor,
    vectors: torch.Tensor,
    psi: float,
    steps: int = MESH_STEPS,
    extent: float = MESH_EXTENT,
) -> tuple[np.ndarray, np.ndarray]:
    """The generator's manifold through z for a 2D dataset: (mesh (S, S, 2), point (2,)).

    The mesh is G over a grid of latents in the plane through z spanned by the first two
    directions (-extent..extent along each, rows along the second), so z's own point lies on
    it; with a 2-D latent and raw directions it is the image of the whole [-3, 3]^2 box.
    Truncation scales every latent, as it does the preview.
    """
    d = vectors[:2].to(torch.float64)  # (2 or 1, Z)
    if len(d) == 1:
        d = torch.cat([d, torch.zeros_like(d)])
    z64 = z.to(torch.float64)
    coef = torch.linalg.lstsq(d.T, z64[:, None]).solution[:, 0]  # (2,) z's coordinates in the plane
    center = z64 - coef @ d
    grid = grid_walk(center, d[0], d[1], steps, extent).to(torch.float32)  # (S*S, Z)
    out = generate(G, truncate(torch.cat([grid, z[None].to(torch.float32)]), float(psi))).numpy()
    return out[:-1].reshape(steps, steps, 2).astype(np.float32), out[-1].astype(np.float32)


def manifold_png(
    mesh: np.ndarray,
    point: np.ndarray,
    real: np.ndarray | None,
    extent: tuple[float, float],
    size: int = PREVIEW_2D_SIZE,
) -> np.ndarray:
    """The 2D preview as a picture (size, size, 3): data grey, mesh dark lines, z's point orange."""
    from PIL import Image, ImageDraw

    img = Image.fromarray(scatter_png(np.zeros((0, 2), np.float32), real, size=size, extent=extent))
    draw = ImageDraw.Draw(img)
    lo, hi = extent

    def px(p: np.ndarray) -> list[tuple[float, float]]:
        p = np.asarray(p, dtype=np.float64).reshape(-1, 2)
        x = (p[:, 0] - lo) / (hi - lo) * (size - 1)
        y = size - 1 - (p[:, 1] - lo) / (hi - lo) * (size - 1)
        return list(zip(x.tolist(), y.tolist()))

    for line in list(mesh) + list(mesh.transpose(1, 0, 2)):  # rows, then columns
        if np.isfinite(line).all():
            draw.line(px(line), fill=MESH_RGB, width=1)
    (x, y), r = px(point)[0], 6
    draw.ellipse([x - r, y - r, x + r, y + r], fill=POINT_RGB, outline=(20, 20, 20))
    return np.asarray(img)


def real_points(dataset: str | None) -> np.ndarray | None:
    """The real points drawn behind 2D exports: the first 2000, as `ganstudio interpolate` draws."""
    from ganstudio.data import load_dataset

    if not dataset:
        return None
    try:
        return load_dataset(dataset).data[:2000]
    except GanstudioError:  # the data may live on another machine; draw the generator alone
        return None


# ----------------------------------------------------------------------------- recipes
def directions_entry(dirs: Directions, source: str, file: str | Path | None = None) -> dict[str, Any]:
    """How a recipe records directions: inline (so it needs no other file), plus where they came from."""
    d = {"source": source, **dirs.to_dict()}
    if file is not None:
        d["file"] = str(file)
    return d


def _vectors(recipe: dict[str, Any]) -> torch.Tensor | None:
    d = recipe.get("directions")
    return None if not d else Directions.from_json(d).vectors


def keyframe_latent(kf: dict[str, Any], z_dim: int) -> torch.Tensor:
    """A keyframe's latent (Z,): its stored z if it has one (added from the Latent tab), else its seed's."""
    if kf.get("z") is not None:
        z = torch.tensor(kf["z"], dtype=torch.float32)
        if z.shape != (z_dim,):
            raise GanstudioError(f"a keyframe's z has {tuple(z.shape)} values; this generator takes {z_dim}")
        return z
    return sample_z(1, z_dim, int(kf["seed"]))[0]


def recipe_psi(recipe: dict[str, Any]) -> float:
    """A recipe's truncation (none recorded: 1, no truncation)."""
    return float(recipe["psi"]) if recipe.get("psi") is not None else 1.0


def recipe_latents(recipe: dict[str, Any], G: nn.Module | None = None) -> torch.Tensor:
    """Every latent a recipe renders, truncation applied -> (N, Z). A recipe with
    ``classes`` (a conditional G's keyframe classes) needs that ``G`` for their z[0]."""
    z_dim, psi = int(recipe["z_dim"]), recipe_psi(recipe)
    cmd = recipe["command"]
    if cmd == "latent":
        z = truncate(_compose_recipe(recipe, z_dim, _vectors(recipe)), psi)[None]
        if recipe.get("class") is not None:  # the app's class box set z[0] after truncation
            z = with_class(z, G, int(recipe["class"]))
        return z
    if cmd == "interpolate":
        keys = recipe_keys(recipe)  # (K, Z)
        if recipe.get("classes"):
            keys = torch.cat([with_class(keys[i : i + 1], G, int(k)) for i, k in enumerate(recipe["classes"])])
        path = keyframe_path(
            keys, int(recipe["frames"]), mode=recipe.get("mode", "lerp"), loop=bool(recipe.get("loop"))
        )
        return truncate(path, psi)
    if cmd == "grid-walk":
        g = recipe["grid"]
        vec = _vectors(recipe)
        i, j = (int(a) for a in g["axes"])
        if vec is None or max(i, j) >= len(vec):
            raise GanstudioError(f"grid walk axes {i}, {j} need that many directions in the recipe")
        z0 = _compose_recipe(recipe, z_dim, vec)
        return truncate(grid_walk(z0, vec[i], vec[j], int(g["steps"]), float(g["extent"])), psi)
    raise GanstudioError(f"unknown recipe command '{cmd}'")


def recipe_keys(recipe: dict[str, Any]) -> torch.Tensor:
    """An interpolation recipe's keyframe latents (K, Z), before classes and truncation."""
    z_dim = int(recipe["z_dim"])
    kfs = recipe.get("keyframes") or [{"seed": s} for s in recipe["seeds"]]
    keys = torch.stack([keyframe_latent(k, z_dim) for k in kfs])  # (K, Z)
    if recipe.get("direction"):  # `interpolate --direction FILE --amount X ...`
        d = recipe["direction"]
        keys = keys + torch.tensor(d["amounts"], dtype=torch.float32)[:, None] * torch.tensor(d["vector"])
    return keys


def own_classes(recipe: dict[str, Any], G: nn.Module) -> list[int]:
    """The class each keyframe of an interpolation recipe draws on its own (its latent's z[0]
    after truncation): recorded as the recipe's ``classes``, the path between keyframes of a
    conditional G then blends only their classes (``class_mix_path``) instead of sweeping z[0]
    through the classes in between, and each keyframe looks as its seed does alone."""
    psi = recipe_psi(recipe)
    return [int(k) for k in G.labels(truncate(recipe_keys(recipe), psi))]


def is_conditional(snap: GeneratorSnapshot | None) -> bool:
    """Whether a snapshot's G draws images whose class comes from z[0] (models/dcgan.py)."""
    return snap is not None and not snap.is_2d and int(getattr(snap.G, "n_classes", 0) or 0) >= 2


def frame_side(snap: GeneratorSnapshot) -> int:
    """The side in pixels of one frame as drawn before any export scaling."""
    return ANIM_2D_SIZE if snap.is_2d else int(max(snap.sample_shape[-2:]))


def export_scale(snap: GeneratorSnapshot, scale: int | None = None, size: int | None = None) -> int:
    """The integer nearest-neighbour factor of an export: ``scale`` as given, else the smallest one
    that makes frames at least ``size`` pixels, else the default (frames of at least
    ``media.MIN_EXPORT_SIDE`` px; 1 for 2D sets, drawn at ANIM_2D_SIZE already)."""
    if scale is not None and size is not None:
        raise GanstudioError("give --scale or --size, not both")
    side = frame_side(snap)
    if scale is not None:
        if not 1 <= int(scale) <= MAX_SCALE:
            raise GanstudioError(f"the scale must be a positive whole number, at most {MAX_SCALE}; got {scale}")
        return int(scale)
    if size is not None:
        if not 1 <= int(size) <= min(MAX_EXPORT_SIDE, side * MAX_SCALE):
            raise GanstudioError(
                f"the size must be a positive number of pixels, at most {min(MAX_EXPORT_SIDE, side * MAX_SCALE)} "
                f"({side} px frames, at most {MAX_SCALE}x); got {size}"
            )
        return default_scale(side, int(size))
    return default_scale(side)


def _compose_recipe(recipe: dict[str, Any], z_dim: int, vec: torch.Tensor | None) -> torch.Tensor:
    """The Latent tab's z before truncation, from a recipe: its ``z`` (a projected image's
    latent) or its seed's, moved by the slider offsets and the named directions."""
    z = recipe.get("z")
    if z is not None and len(z) != z_dim:
        raise GanstudioError(f"the recipe's z has {len(z)} values; this generator takes {z_dim}")
    return compose(
        z_dim, int(recipe.get("seed") or 0), recipe.get("offsets") or [], vec, z=z, named=recipe.get("named_directions")
    )


def recipe_mix(recipe: dict[str, Any], G: nn.Module) -> torch.Tensor | None:
    """(N, n_classes) class weights of an interpolation between classes, else None."""
    if recipe.get("command") != "interpolate" or not recipe.get("classes"):
        return None
    return class_mix_path(
        [int(k) for k in recipe["classes"]], int(G.n_classes), int(recipe["frames"]), loop=bool(recipe.get("loop"))
    )


def render_recipe(
    recipe: dict[str, Any],
    snap: GeneratorSnapshot | None = None,
    real: np.ndarray | None = None,
    animate: bool | None = None,
) -> np.ndarray:
    """What an export writes, from its recipe alone: one picture (H, W, C) uint8, or the frames
    (N, H, W, C) uint8 of an animation. Loads the recipe's checkpoint unless ``snap`` is given;
    ``real`` are the 2D data points (default: :func:`real_points` of the recipe's dataset).
    ``animate`` defaults from the recipe's output name (.gif/.mp4)."""
    if snap is None:
        if not recipe.get("checkpoint"):
            raise GanstudioError("the recipe names no checkpoint")
        snap = snapshot_from_checkpoint(recipe["checkpoint"], ema=bool(recipe.get("ema", True)))
    if animate is None:
        animate = Path(str(recipe.get("out", ""))).suffix.lower() in (".gif", ".mp4")
    check_generator(recipe, snap, animate=animate)
    scale = int(recipe.get("scale") or 1)  # exports: nearest-neighbour, each frame (see export_scale)
    cmd = recipe["command"]
    psi = recipe_psi(recipe)
    if snap.is_2d:
        if real is None:  # the run's own data (a recipe naming another dataset must not make us load it)
            real = real_points(snap.dataset)
        if cmd == "latent":
            m = recipe.get("mesh") or {}
            vec = _mesh_directions(recipe, snap.z_dim)
            z = recipe_latents(dict(recipe, psi=1.0))[0]  # the mesh applies psi itself
            mesh, point = manifold_mesh(
                snap.G,
                z,
                vec[list(m.get("axes") or [0, 1])],
                psi,
                int(m.get("steps") or MESH_STEPS),
                float(m.get("extent") or MESH_EXTENT),
            )
            ext = _extent(mesh.reshape(-1, 2), real)
            picture = upscale(manifold_png(mesh, point, real, ext, int(recipe.get("size") or PREVIEW_2D_SIZE)), scale)
            return picture[None] if animate else picture  # an animation of one frame
        x = generate(snap.G, recipe_latents(recipe)).numpy().astype(np.float32)  # (N, 2)
        ext = _extent(x, real)  # as `ganstudio interpolate`
        if animate:
            return upscale(scatter_frames(x, real, ANIM_2D_SIZE, ext), scale)
        return upscale(scatter_png(x, real, extent=ext), scale)
    z = recipe_latents(recipe, snap.G)
    frames = to_frames(generate(snap.G, z, mix=recipe_mix(recipe, snap.G)).numpy().astype(np.float32))  # (N, H, W, C)
    frames = upscale(frames, scale)
    if animate:
        return frames
    if cmd == "latent":
        return frames[0]
    nrow = int(recipe["grid"]["steps"]) if cmd == "grid-walk" else None
    return tile(frames, nrow)


def _extent(points: np.ndarray, real: np.ndarray | None) -> tuple[float, float]:
    """scatter_extent over the finite points (a generator that diverges gives inf or NaN ones,
    which would make the whole extent NaN)."""
    pts = np.concatenate([points, real]) if real is not None else points
    pts = pts[np.isfinite(pts).all(1)]
    return scatter_extent(pts)


def scatter_frames(x: np.ndarray, real: np.ndarray | None, size: int, extent: tuple[float, float]) -> np.ndarray:
    """The frames of a 2D path growing point by point (N, size, size, 3) uint8: frame i is
    ``scatter_png(x[: i + 1], real, size, extent)``, pixel for pixel, drawn as one new point
    on the previous frame (the same ellipses in the same order) instead of all i + 1 again."""
    from PIL import Image, ImageDraw

    lo, hi = extent
    base = scatter_png(np.zeros((0, 2), np.float32), real, size=size, extent=extent)
    img = Image.fromarray(base)
    draw = ImageDraw.Draw(img)
    out = np.empty((len(x), size, size, 3), np.uint8)
    r = 2.0  # scatter_png's radius of generated points
    for i, p in enumerate(np.asarray(x, dtype=np.float64)):
        if np.isfinite(p).all():
            px, py = (p - lo) / (hi - lo) * (size - 1)
            py = size - 1 - py
            draw.ellipse([px - r, py - r, px + r, py + r], fill=FAKE_RGB)
        out[i] = np.asarray(img)
    return out


def _mesh_directions(recipe: dict[str, Any], z_dim: int) -> torch.Tensor:
    """The directions a 2D latent's mesh runs along: the recipe's, else the first raw coordinates."""
    vec = _vectors(recipe)
    return vec if vec is not None and len(vec) else raw_directions(z_dim, 2).vectors


def check_generator(
    recipe: dict[str, Any], snap: GeneratorSnapshot, name: str | Path | None = None, animate: bool | None = None
) -> None:
    """Whether ``snap`` can draw ``recipe`` (one that ``recipes.check_recipe`` accepted): its latent
    size, its classes, and an output that fits in memory. A GanstudioError otherwise, starting
    with ``name`` when given (the recipe's file)."""
    where = f"{name}: " if name is not None else "the recipe: "
    if recipe["z_dim"] != snap.z_dim:
        raise GanstudioError(f"{where}it is for a {recipe['z_dim']}-d latent; this generator takes {snap.z_dim}")
    cmd = recipe["command"]
    classes = ([recipe["class"]] if recipe.get("class") is not None and cmd == "latent" else []) + (
        list(recipe.get("classes") or []) if cmd == "interpolate" else []
    )
    if classes:
        n = int(getattr(snap.G, "n_classes", 0) or 0) if is_conditional(snap) else 0
        if not n:
            raise GanstudioError(f"{where}it names classes; this generator is not conditional")
        if max(classes) >= n:
            raise GanstudioError(f"{where}it names class {max(classes)}; this generator has classes 0..{n - 1}")
    if snap.is_2d and cmd == "latent":
        axes = (recipe.get("mesh") or {}).get("axes") or [0, 1]
        k = len(_mesh_directions(recipe, snap.z_dim))
        if max(axes) >= k:
            raise GanstudioError(f"{where}its mesh runs along directions {axes[0]} and {axes[1]}; it holds {k}")
    if animate is None:
        animate = Path(str(recipe.get("out", ""))).suffix.lower() in (".gif", ".mp4")
    if cmd == "latent":
        frames = 1
    elif snap.is_2d and not animate:  # the whole path drawn once
        frames = 1
    else:
        frames = int(recipe["frames"]) if cmd == "interpolate" else int(recipe["grid"]["steps"]) ** 2
    if snap.is_2d:
        side, channels = ANIM_2D_SIZE if animate and cmd != "latent" else PREVIEW_2D_SIZE, 3
        if cmd == "latent":
            side = int(recipe.get("size") or PREVIEW_2D_SIZE)
    else:
        side, channels = frame_side(snap), int(snap.sample_shape[0])
    side *= int(recipe.get("scale") or 1)
    size = frames * side * side * channels
    if side > MAX_EXPORT_SIDE or size > MAX_EXPORT_BYTES:
        raise GanstudioError(
            f"{where}{frames} frame{'s' if frames > 1 else ''} of {side} px would take {size / 1024**2:,.0f} MB; "
            f"at most {MAX_EXPORT_SIDE} px and {MAX_EXPORT_BYTES // 1024**2} MB (a smaller --scale)"
        )


def base_recipe(snap: GeneratorSnapshot, command: str, psi: float, out: str | Path | None = None) -> dict[str, Any]:
    """The fields every recipe has (the same names `ganstudio interpolate` writes)."""
    from ganstudio import __version__

    return {
        "command": command,
        "ganstudio_version": __version__,
        "run": str(snap.run.resolve()) if snap.run is not None else None,
        "checkpoint": str(snap.checkpoint.resolve()) if snap.checkpoint is not None else None,
        "step": snap.step,
        "ema": snap.ema,
        "z_dim": snap.z_dim,
        "kind": snap.kind,
        "dataset": snap.dataset,
        "psi": float(psi),
        **({"out": Path(out).name} if out is not None else {}),
    }


def export(
    recipe: dict[str, Any],
    out: str | Path,
    snap: GeneratorSnapshot,
    real: np.ndarray | None = None,
    fps: float | None = None,
) -> tuple[Path, Path]:
    """Render ``recipe`` with ``snap`` and write it to ``out`` (.png picture, .gif/.mp4 animation)
    with the recipe beside it (OUT.json). When no checkpoint holds snap's weights (a live
    snapshot), they are saved beside the export (OUT.generator.safetensors) and the recipe
    points there, so it still reproduces the file exactly. Returns (out, recipe path)."""
    out = Path(out)
    ext = out.suffix.lower()
    if ext not in FRAME_TYPES:
        raise GanstudioError(f"cannot export to '{out.name}': use .png, .gif or .mp4")
    animate = ext in (".gif", ".mp4")
    recipe = dict(recipe, out=out.name)
    if fps is not None:
        recipe["fps"] = float(fps)
    # What is written is what recipes.read_recipe reads back: checked as the JSON it becomes.
    check_recipe(json.loads(json.dumps(recipe)), f"cannot export {out.name}")
    try:
        if snap.checkpoint is None:
            weights = save_generator(snap, out.with_name(out.name + ".generator.safetensors"))
            recipe["checkpoint"] = str(weights.resolve())
            recipe["weights"] = "live snapshot, saved beside the export"
        picture = render_recipe(recipe, snap, real=real, animate=animate)
        if animate:
            save_frames(picture, out, fps=float(recipe.get("fps") or 12))
        else:
            save_png(picture, out)
        return out, write_recipe(out, recipe)
    except OSError as e:
        raise GanstudioError(f"cannot write {out}: {e.strerror or e}") from None
