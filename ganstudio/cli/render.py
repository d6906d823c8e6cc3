"""``ganstudio render``: draw a recipe again (an export's OUT.json, from ``interpolate`` or the
app) or a projection's z.json, with the checkpoint it names, through ``explore.export`` (so
the output gets its own recipe, as every export does)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ganstudio.cli._common import say, source
from ganstudio.errors import GanstudioError


def add_parser(sub) -> None:
    r = sub.add_parser(
        "render",
        help="render a recipe (OUT.json of an export) or a projection's z.json again",
        description="Re-render what a recipe describes: the JSON written beside every `ganstudio "
        "interpolate` output and every app export (a latent, an interpolation, a grid walk), or "
        "the z.json of `ganstudio project` (its latent and class). The generator is the "
        "checkpoint the recipe names (its EMA if the recipe used it), or --checkpoint when the "
        "run has moved. The output's own recipe is written beside it (OUT.json).",
    )
    r.add_argument("recipe", metavar="RECIPE.json", help="a recipe (OUT.json) or a projection result (z.json)")
    r.add_argument("--out", metavar="FILE.png|.gif|.mp4", required=True)
    r.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="the checkpoint to draw with (default: the one the recipe names); a run or exported "
        "folder means its latest checkpoint",
    )
    size = r.add_mutually_exclusive_group()
    size.add_argument(
        "--scale",
        type=int,
        metavar="N",
        help="enlarge every frame N times, nearest-neighbour (default: the recipe's; a z.json's: "
        "the smallest N that makes frames at least 128 px)",
    )
    size.add_argument(
        "--size",
        type=int,
        metavar="PX",
        help="frames at least PX pixels on a side: the smallest whole --scale that reaches it",
    )


def run(args: argparse.Namespace) -> int:
    from ganstudio.explore import check_generator, export, export_scale, snapshot_from_checkpoint
    from ganstudio.io.media import FRAME_TYPES, recipe_path
    from ganstudio.recipes import read_recipe

    src = Path(args.recipe)
    out = Path(args.out)
    if out.suffix.lower() not in FRAME_TYPES:
        raise GanstudioError(f"--out {out}: use a .png, .gif or .mp4 file name")
    recipe = read_recipe(src)
    for path in (out, recipe_path(out)):
        if path.exists():
            same = path.resolve() == src.resolve()
            raise GanstudioError(
                f"--out {out}: {path} {'is the recipe being read' if same else 'exists'}; choose another name"
            )
    if out.suffix.lower() == ".mp4":
        from ganstudio.io.media import find_mp4_encoder

        if find_mp4_encoder() is None:  # fail before loading anything
            raise GanstudioError(
                "writing .mp4 needs an encoder: install imageio-ffmpeg or put ffmpeg on PATH; or use .gif"
            )
    ckpt = _checkpoint(src, recipe, args.checkpoint)
    ema = recipe.get("ema") is not False
    snap = snapshot_from_checkpoint(ckpt, ema=ema)
    if recipe.get("step") is not None and recipe["step"] != snap.step:
        say(f"warning: {src.name} was drawn at step {recipe['step']}; {ckpt.name} is step {snap.step}")
    if ema and not snap.ema and recipe.get("ema") is not None:
        say(f"warning: {src.name} was drawn with the EMA generator; {ckpt.name} holds none (using its raw G)")
    animate = out.suffix.lower() in (".gif", ".mp4")
    if args.scale is not None or args.size is not None or recipe.get("scale") is None:
        recipe = dict(recipe, scale=export_scale(snap, args.scale, args.size))
    check_generator(recipe, snap, src, animate=animate)  # before anything is written
    recipe = dict(recipe, checkpoint=str(ckpt.resolve()), step=snap.step, ema=snap.ema, rendered_from=str(src))
    if args.checkpoint is not None:
        recipe["run"] = str(ckpt.resolve().parent.parent) if ckpt.parent.name == "checkpoints" else None
    out, written = export(recipe, out, snap)
    say(f"wrote {out} and {written.name} ({recipe['command']} from {src.name}, {source(snap.step, snap.ema)})")
    return 0


def _checkpoint(src: Path, recipe: dict, flag: str | None) -> Path:
    """The checkpoint to draw with: --checkpoint (a folder: its latest), else the recipe's own."""
    from ganstudio.generator import find_checkpoint

    if flag is not None:
        path = Path(flag).expanduser()
        if path.is_dir():
            return find_checkpoint(path)
        if not path.is_file():
            raise GanstudioError(f"--checkpoint {path} does not exist")
        return path
    named = recipe.get("checkpoint")
    if not named:
        raise GanstudioError(f"{src} names no checkpoint: give --checkpoint FILE")
    path = Path(named).expanduser()
    if not path.is_absolute() and not path.is_file() and (src.parent / path).is_file():
        path = src.parent / path  # a hand-written recipe's path, relative to the recipe
    if not path.is_file():
        raise GanstudioError(
            f"{src} names the checkpoint {path}, which does not exist (moved?): give --checkpoint FILE"
        )
    return path
