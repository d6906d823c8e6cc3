"""``ganstudio interpolate``: a latent interpolation rendered to .gif, .png (strip) or .mp4, with
the JSON recipe that renders it again (explore.render_recipe, as the app's exports)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ganstudio.cli._common import add_no_ema, add_run, provenance, say, source
from ganstudio.errors import GanstudioError


def add_parser(sub) -> None:
    i = sub.add_parser(
        "interpolate",
        help="render a latent interpolation to .gif, .png (strip) or .mp4",
        description="Interpolate between the latents of seeds (each z = sample_z(1, z_dim, seed)). "
        "Image runs: one frame per latent. 2D runs: .gif/.mp4 draw the path growing "
        "frame by frame over the data; .png draws the whole path once. "
        "A JSON recipe is written beside the output (OUT.json).",
    )
    add_run(i)
    i.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        metavar="SEED",
        required=True,
        help="keyframe seeds: two or more, or one with --classes (the same style in every class)",
    )
    i.add_argument(
        "--classes",
        nargs="+",
        metavar="K|NAME",
        help="conditional generators: the class of each keyframe (index or name); between two "
        "keyframes the class weights blend linearly",
    )
    i.add_argument("--frames", type=int, metavar="K", required=True, help="total frames (>= 2)")
    i.add_argument("--mode", choices=("lerp", "slerp"), default="lerp")
    i.add_argument("--psi", type=float, metavar="X", help="truncation (z -> psi * z) applied to every frame")
    i.add_argument("--loop", action="store_true", help="go back from the last seed to the first")
    i.add_argument("--fps", type=float, default=12, metavar="F", help="animation speed (default 12)")
    add_no_ema(i)
    i.add_argument(
        "--direction",
        metavar="FILE",
        help="a directions file (RUN/directions/NAME.json from the app, or `ganstudio directions`): "
        "with --amount, keyframes move along its first direction",
    )
    i.add_argument(
        "--amount",
        type=float,
        nargs="+",
        metavar="X",
        help="standard deviations to move along --direction: one value for every keyframe, or one "
        "per keyframe (one --seeds value then walks along the direction, e.g. --amount -2 2)",
    )
    size = i.add_mutually_exclusive_group()
    size.add_argument(
        "--scale",
        type=int,
        metavar="N",
        help="enlarge every frame N times, nearest-neighbour (default: the smallest N that makes frames "
        "at least 128 px; 1 for 2D sets and models of 128 px or more)",
    )
    size.add_argument(
        "--size",
        type=int,
        metavar="PX",
        help="frames at least PX pixels on a side: the smallest whole --scale that reaches it, so pixels stay square",
    )
    i.add_argument("--out", metavar="FILE.gif|.png|.mp4", required=True)


def _keyframes(args: argparse.Namespace) -> int:
    """How many keyframes the seeds, classes and amounts give; a clear error when they disagree."""
    if (args.direction is None) != (args.amount is None):
        raise GanstudioError("--direction and --amount go together")
    if (
        len(args.seeds) < 2
        and not (args.classes and len(args.classes) >= 2)
        and not (args.amount and len(args.amount) >= 2)
    ):
        raise GanstudioError(
            "--seeds needs at least two seeds (the keyframes), or one seed and two or more --classes or --amount values"
        )
    if args.classes and len(args.seeds) not in (1, len(args.classes)):
        raise GanstudioError(f"--classes gives {len(args.classes)} keyframes; give as many --seeds, or one")
    n_keys = len(args.seeds) if len(args.seeds) > 1 else max(len(args.classes or []), len(args.amount or []), 1)
    if args.amount and len(args.amount) not in (1, n_keys):
        raise GanstudioError(f"--amount gives {len(args.amount)} values for {n_keys} keyframes; give one, or one each")
    return n_keys


def run(args: argparse.Namespace) -> int:
    from ganstudio import __version__
    from ganstudio.explore import (
        export,
        export_scale,
        frame_side,
        is_conditional,
        own_classes,
        snapshot_from_checkpoint,
    )
    from ganstudio.generator import find_checkpoint
    from ganstudio.io.media import FRAME_TYPES
    from ganstudio.latent import class_index

    out = Path(args.out)
    ext = out.suffix.lower()
    if ext not in FRAME_TYPES:
        raise GanstudioError(f"--out {out}: use a .gif, .png or .mp4 file name")
    n_keys = _keyframes(args)
    if args.frames < 2:
        raise GanstudioError("--frames must be at least 2")
    if args.fps <= 0:
        raise GanstudioError("--fps must be positive")
    if args.scale is not None and args.scale < 1:
        raise GanstudioError("--scale must be a positive whole number")
    if args.size is not None and args.size < 1:
        raise GanstudioError("--size must be a positive number of pixels")
    if ext == ".mp4":
        from ganstudio.io.media import find_mp4_encoder

        if find_mp4_encoder() is None:  # fail before loading anything
            raise GanstudioError(
                "writing .mp4 needs an encoder: install imageio-ffmpeg or put ffmpeg on PATH; or use .gif"
            )
    ckpt = find_checkpoint(args.run, args.checkpoint)
    snap = snapshot_from_checkpoint(ckpt, ema=not args.no_ema, run=args.run)
    classes = None
    if args.classes:
        cfg = snap.cfg  # load_generator has checked it parses
        classes = [class_index(c, cfg.class_names, cfg.n_classes or 0) for c in args.classes]
    seeds = list(args.seeds) * n_keys if len(args.seeds) == 1 else list(args.seeds)
    direction = None
    if args.direction is not None:
        from ganstudio.example_directions import read_direction

        name, vec = read_direction(args.direction, snap.z_dim)
        direction = {
            "file": str(Path(args.direction).resolve()),
            "name": name,
            "vector": [float(v) for v in vec],
            "amounts": list(args.amount) * n_keys if len(args.amount) == 1 else list(args.amount),
        }
    # The recipe is the whole description: explore.render_recipe draws the file from it, as the
    # app's exports and a later re-render do, so all three give the same pixels.
    recipe = {
        "command": "interpolate",
        "ganstudio_version": __version__,
        **provenance(args.run, ckpt, snap.step, snap.ema),
        "z_dim": snap.z_dim,
        "seeds": seeds,
        "classes": classes,
        "mode": args.mode,
        **({"direction": direction} if direction is not None else {}),
        "frames": args.frames,
        "loop": args.loop,
        "psi": args.psi,
        "fps": args.fps,
        "kind": snap.kind,
        "out": out.name,
    }
    if classes is None and is_conditional(snap):
        # seeds keep their own class along the path (no walk through the classes between them)
        recipe["classes"] = own_classes(recipe, snap.G)
    recipe["scale"] = export_scale(snap, args.scale, args.size)
    out, recipe_file = export(recipe, out, snap)
    side = frame_side(snap) * recipe["scale"]
    say(
        f"wrote {out} ({args.frames} frames of {side} px, {args.mode}, {source(snap.step, snap.ema)}) "
        f"and {recipe_file.name}"
    )
    return 0
