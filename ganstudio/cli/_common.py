"""What the commands share: the arguments that pick a trained generator, loading it, and the
checks and writes whose messages every command words the same way."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ganstudio.errors import GanstudioError

CHECKPOINT_HELP = "default: the run's latest ('best' for checkpoints/best.safetensors)"
NO_EMA_HELP = "use the raw generator, not its EMA"


def add_run(p: argparse.ArgumentParser) -> None:
    """--run and --checkpoint: which run, and which of its checkpoints (find_checkpoint resolves 'best')."""
    p.add_argument("--run", metavar="DIR", required=True)
    p.add_argument("--checkpoint", metavar="FILE", help=CHECKPOINT_HELP)


def add_no_ema(p: argparse.ArgumentParser, help: str = NO_EMA_HELP) -> None:
    p.add_argument("--no-ema", action="store_true", help=help)


def load(args: argparse.Namespace):
    """(the checkpoint file, the generator loaded from it) for --run, --checkpoint and --no-ema."""
    from ganstudio.generator import find_checkpoint, load_generator

    ckpt = find_checkpoint(args.run, args.checkpoint)
    return ckpt, load_generator(ckpt, ema=not args.no_ema)


def provenance(run: str | Path, ckpt: Path, step: int, ema: bool) -> dict[str, Any]:
    """Where an output's weights came from, as every command's JSON records it."""
    return {"run": str(Path(run).resolve()), "checkpoint": str(ckpt.resolve()), "step": step, "ema": ema}


def source(step: int, ema: bool) -> str:
    return f"step {step}{', EMA' if ema else ''}"


def out_file(value: str, suffixes: tuple[str, ...], use: str) -> Path:
    """--out as a Path, refused unless it ends in one of ``suffixes`` ("--out X: use {use}")."""
    out = Path(value)
    if out.suffix.lower() not in suffixes:
        raise GanstudioError(f"--out {out}: use {use}")
    return out


def at_least(flag: str, value: int, least: int) -> None:
    if value < least:
        raise GanstudioError(f"{flag} must be at least {least}")


def write_text(out: Path, text: str) -> None:
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as e:
        raise GanstudioError(f"cannot write {out}: {e.strerror or e}") from None


def say(msg: str) -> None:
    """What a command tells its user goes to stderr; stdout carries only data (evaluate's)."""
    print(msg, file=sys.stderr)
