"""``ganstudio export``: a generator as ONNX, TorchScript or a folder to publish; a run's logs as
TensorBoard event files."""

from __future__ import annotations

import argparse

from ganstudio.cli._common import add_no_ema, add_run, load, say, source
from ganstudio.errors import GanstudioError


def add_parser(sub) -> None:
    x = sub.add_parser(
        "export",
        help="export a generator (ONNX, TorchScript, a folder to publish) or a run (TensorBoard)",
        description="onnx / torchscript: z (batch, Z) float32 in, samples out (dynamic batch; a "
        "conditional G takes its class from z[0]). folder: model.safetensors (G alone), "
        "config.json, a model card README.md and samples.png, loadable with "
        "ganstudio.load_generator(FOLDER). tensorboard: the run's metrics, evaluations "
        "and sample grids as TensorBoard event files (default --out RUN/tensorboard).",
    )
    add_run(x)
    add_no_ema(x, "export the raw generator, not its EMA")
    x.add_argument("--format", required=True, choices=("onnx", "torchscript", "folder", "tensorboard"))
    x.add_argument(
        "--out", metavar="PATH", help="FILE.onnx, FILE.pt, a folder; for tensorboard a folder (default RUN/tensorboard)"
    )


def run(args: argparse.Namespace) -> int:
    if args.format == "tensorboard":
        return _tensorboard(args)
    from ganstudio.io import model_export

    if not args.out:
        raise GanstudioError(f"--format {args.format} needs --out PATH")
    if args.format == "onnx" and not model_export.onnx_available():
        raise GanstudioError(model_export.ONNX_EXTRA)  # before loading anything
    _, lg = load(args)
    src = source(lg.step, lg.ema)
    if args.format == "folder":
        info = model_export.export_folder(lg, args.run, args.out)
        say(
            f"wrote {info['path']}/ ({', '.join(info['files'])}; {info['bytes'] / 1e3:.0f} kB, {src}); "
            f"load it with ganstudio.load_generator({str(info['path'])!r})"
        )
        return 0
    export = model_export.export_onnx if args.format == "onnx" else model_export.export_torchscript
    info = export(lg, args.out)
    check = (
        f"max abs difference from PyTorch on {info['checked_n']} latents: {info['max_abs_diff']:.3g}"
        if info["max_abs_diff"] is not None
        else info.get("note", "")
    )
    say(f"wrote {info['path']} ({info['bytes'] / 1e3:.0f} kB, {src}); {check}")
    return 0


def _tensorboard(args: argparse.Namespace) -> int:
    from ganstudio.io.tensorboard import convert_run, describe

    if args.checkpoint is not None or args.no_ema:
        raise GanstudioError(
            "--checkpoint and --no-ema do not apply to --format tensorboard (it converts the run's logs)"
        )
    counts = convert_run(args.run, args.out, warn=lambda msg: say(f"warning: {msg}"))
    say(describe(counts))
    return 0
