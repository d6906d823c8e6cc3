"""Command line: ``ganstudio app|train|sample|interpolate|directions|evaluate|export|project|datasets``.

``main(argv)`` returns an exit code. User errors (GanstudioError) print one clear line
and return 1; argparse usage errors return 2; Ctrl-C during training saves and returns 130.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

from ganstudio.errors import GanstudioError, first_lines

# flag -> TrainConfig field, for the flags `train` shares with the config file
_TRAIN_FLAGS = {
    "dataset": str,
    "model": str,
    "loss": str,
    "steps": int,
    "time_limit": float,
    "batch_size": int,
    "image_size": int,
    "channels": int,
    "z_dim": int,
    "lr_g": float,
    "lr_d": float,
    "seed": int,
    "device": str,
    "d_steps": int,
    "ema": float,
    "width": int,
    "log_every": int,
    "sample_every": int,
    "checkpoint_every": int,
    "keep_checkpoints": int,
    "eval_every": int,
    "eval_n": int,
    "augment": str,
    "beta1": float,
    "beta2": float,
}


def build_parser() -> argparse.ArgumentParser:
    from ganstudio import __version__
    from ganstudio.config import DEVICES, LOSSES, MODELS

    p = argparse.ArgumentParser(prog="ganstudio", description="Watch a GAN learn, live, and explore what it learned.")
    p.add_argument("--version", action="version", version=f"ganstudio {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    a = sub.add_parser("app", help="open the desktop app")
    a.add_argument("--run", metavar="DIR", help="open (and follow) this run directory")

    t = sub.add_parser(
        "train",
        help="train headless, writing a run directory",
        description="Train a GAN headless. Unset options take the dataset's defaults.",
    )
    t.add_argument(
        "--dataset",
        metavar="NAME",
        help="built-in name (see `ganstudio datasets`) or folder:PATH, npz:PATH, npy:PATH, idx:PATH",
    )
    t.add_argument("--model", choices=MODELS)
    t.add_argument("--loss", choices=LOSSES)
    t.add_argument("--steps", type=int, metavar="N", help="total generator steps (a resumed run continues up to N)")
    t.add_argument("--time-limit", type=float, metavar="SECONDS", help="stop after this long (then save)")
    t.add_argument("--batch-size", type=int, metavar="B")
    t.add_argument("--image-size", type=int, metavar="S", help="square image size, e.g. 16, 28, 32, 64")
    t.add_argument("--channels", type=int, choices=(1, 3))
    t.add_argument("--z-dim", type=int, metavar="Z")
    t.add_argument("--lr-g", type=float, metavar="X")
    t.add_argument("--lr-d", type=float, metavar="X")
    t.add_argument("--beta1", type=float, metavar="B", help="Adam beta1 (default: 0 for image data, 0.5 otherwise)")
    t.add_argument("--beta2", type=float, metavar="B", help="Adam beta2 (default: 0.9 for image data, 0.999 otherwise)")
    t.add_argument("--d-steps", type=int, metavar="K", help="discriminator steps per generator step")
    t.add_argument("--ema", type=float, metavar="DECAY", help="EMA decay of G for samples (0 = off)")
    t.add_argument("--width", type=int, metavar="W", help="DCGAN base channel count")
    t.add_argument(
        "--spectral-norm",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="spectral norm in D (default: on for digits, off otherwise)",
    )
    t.add_argument(
        "--conditional",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="class-conditional G and D on the data's labels; z[0] picks the class "
        "(default: on for digits, off otherwise)",
    )
    t.add_argument(
        "--augment",
        metavar="POLICY",
        help="augment what D sees (DiffAugment): comma-separated translation, cutout, color; '' = off",
    )
    t.add_argument("--seed", type=int, metavar="S")
    t.add_argument("--device", choices=DEVICES)
    t.add_argument("--log-every", type=int, metavar="N")
    t.add_argument("--sample-every", type=int, metavar="N")
    t.add_argument("--checkpoint-every", type=int, metavar="N")
    t.add_argument("--keep-checkpoints", type=int, metavar="K")
    t.add_argument("--eval-every", type=int, metavar="N", help="steps between quality evaluations (0 = never)")
    t.add_argument("--eval-n", type=int, metavar="N", help="generated samples per evaluation")
    t.add_argument(
        "--tensorboard",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also write TensorBoard event files to RUN/tensorboard/ (needs: pip install 'ganstudio[tensorboard]'); "
        "a resumed run keeps the setting",
    )
    t.add_argument(
        "--run-dir", metavar="DIR", help="where to write the run (default: a new folder under GANSTUDIO_RUNS_DIR)"
    )
    t.add_argument("--resume", action="store_true", help="continue DIR's latest checkpoint up to --steps")
    t.add_argument("--config", metavar="FILE", help="a run's config.json or a TOML file; flags given beside it win")

    s = sub.add_parser("sample", help="sample a trained generator to .npy or .png")
    s.add_argument("--run", metavar="DIR", required=True)
    s.add_argument(
        "--checkpoint", metavar="FILE", help="default: the run's latest ('best' for checkpoints/best.safetensors)"
    )
    s.add_argument("--n", type=int, default=64, metavar="N")
    s.add_argument("--seed", type=int, default=0, metavar="S")
    s.add_argument("--out", metavar="FILE.npy|FILE.png", required=True)
    s.add_argument("--no-ema", action="store_true", help="use the raw generator, not its EMA")
    s.add_argument(
        "--class",
        dest="cls",
        metavar="K|NAME",
        help="conditional generators: draw only this class (an index or a name)",
    )

    i = sub.add_parser(
        "interpolate",
        help="render a latent interpolation to .gif, .png (strip) or .mp4",
        description="Interpolate between the latents of seeds (each z = sample_z(1, z_dim, seed)). "
        "Image runs: one frame per latent. 2D runs: .gif/.mp4 draw the path growing "
        "frame by frame over the data; .png draws the whole path once. "
        "A JSON recipe is written beside the output (OUT.json).",
    )
    i.add_argument("--run", metavar="DIR", required=True)
    i.add_argument(
        "--checkpoint", metavar="FILE", help="default: the run's latest ('best' for checkpoints/best.safetensors)"
    )
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
    i.add_argument("--no-ema", action="store_true", help="use the raw generator, not its EMA")
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
    i.add_argument("--out", metavar="FILE.gif|.png|.mp4", required=True)

    d = sub.add_parser("directions", help="compute GANSpace-style principal latent directions to JSON")
    d.add_argument("--run", metavar="DIR", required=True)
    d.add_argument(
        "--checkpoint", metavar="FILE", help="default: the run's latest ('best' for checkpoints/best.safetensors)"
    )
    d.add_argument("--n", type=int, default=2000, metavar="N", help="samples for the PCA (default 2000)")
    d.add_argument("--k", type=int, default=8, metavar="K", help="directions to keep (default 8)")
    d.add_argument("--seed", type=int, default=0, metavar="S")
    d.add_argument("--no-ema", action="store_true", help="use the raw generator, not its EMA")
    d.add_argument("--out", metavar="FILE.json", required=True)

    e = sub.add_parser(
        "evaluate",
        help="quality metrics of a trained generator (no downloads)",
        description="2D sets: modes covered, HQ %%, KL/JS of 30x30 histograms. Images: Frechet "
        "distance of a locally trained classifier's features (FCD) beside the "
        "real-vs-real floor, class coverage, confident %%, precision/recall. The "
        "feature net is trained once per dataset and cached.",
    )
    e.add_argument("--run", metavar="DIR", required=True)
    e.add_argument(
        "--checkpoint", metavar="FILE", help="default: the run's latest ('best' for checkpoints/best.safetensors)"
    )
    e.add_argument("--n", type=int, metavar="N", help="generated samples (default: the run's eval_n)")
    e.add_argument("--seed", type=int, default=0, metavar="S", help="seeds the feature net and the evaluation noise")
    e.add_argument("--no-ema", action="store_true", help="use the raw generator, not its EMA")
    e.add_argument("--json", action="store_true", help="print one JSON object instead of text")

    x = sub.add_parser(
        "export",
        help="export a generator (ONNX, TorchScript, a folder to publish) or a run (TensorBoard)",
        description="onnx / torchscript: z (batch, Z) float32 in, samples out (dynamic batch; a "
        "conditional G takes its class from z[0]). folder: model.safetensors (G alone), "
        "config.json, a model card README.md and samples.png, loadable with "
        "ganstudio.load_generator(FOLDER). tensorboard: the run's metrics, evaluations "
        "and sample grids as TensorBoard event files (default --out RUN/tensorboard).",
    )
    x.add_argument("--run", metavar="DIR", required=True)
    x.add_argument(
        "--checkpoint", metavar="FILE", help="default: the run's latest ('best' for checkpoints/best.safetensors)"
    )
    x.add_argument("--no-ema", action="store_true", help="export the raw generator, not its EMA")
    x.add_argument("--format", required=True, choices=("onnx", "torchscript", "folder", "tensorboard"))
    x.add_argument(
        "--out", metavar="PATH", help="FILE.onnx, FILE.pt, a folder; for tensorboard a folder (default RUN/tensorboard)"
    )

    pr = sub.add_parser(
        "project",
        help="find the latent whose output is closest to an image",
        description="Project an image (a training item or an image file) into the generator: "
        "Adam on z from several starts, a pixel loss plus a loss in the quality "
        "feature net's features, and a prior that keeps z typical. Writes the "
        "latent and errors as JSON and the reconstruction as PNG beside it "
        "(OUT.png); prints the error against two baselines: a random z and the "
        "best of 10,000 random latents.",
    )
    pr.add_argument("--run", metavar="DIR", required=True)
    pr.add_argument(
        "--checkpoint", metavar="FILE", help="default: the run's latest ('best' for checkpoints/best.safetensors)"
    )
    what = pr.add_mutually_exclusive_group(required=True)
    what.add_argument("--image", metavar="FILE", help="an image file (resized and cropped as the run's data)")
    what.add_argument("--index", type=int, metavar="K", help="item K of the run's dataset")
    pr.add_argument("--steps", type=int, default=300, metavar="N", help="Adam steps (default 300)")
    pr.add_argument("--seed", type=int, default=0, metavar="S", help="seeds the starting latents")
    pr.add_argument("--no-ema", action="store_true", help="use the raw generator, not its EMA")
    pr.add_argument("--out", metavar="FILE.json", required=True)

    sub.add_parser("datasets", help="list the datasets")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version or a usage error (already printed)
        return int(e.code or 0)
    try:
        return {
            "app": cmd_app,
            "train": cmd_train,
            "sample": cmd_sample,
            "datasets": cmd_datasets,
            "interpolate": cmd_interpolate,
            "directions": cmd_directions,
            "evaluate": cmd_evaluate,
            "export": cmd_export,
            "project": cmd_project,
        }[args.command](args)
    except GanstudioError as e:
        print(f"ganstudio: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ganstudio: interrupted", file=sys.stderr)
        return 130


# ----------------------------------------------------------------------------- datasets
def cmd_datasets(args: argparse.Namespace) -> int:
    from ganstudio.data import describe

    rows = describe()
    width = max(len(n) for n, _ in rows)
    for name, desc in rows:
        print(f"{name:<{width}}  {desc}")
    return 0


# ----------------------------------------------------------------------------- train
def train_config(args: argparse.Namespace, base: dict | None = None):
    """Config from (a file or a run's config) < flags given on the command line."""
    from ganstudio.config import from_dict, load_file

    values = dict(base or {})
    if args.config:
        values.update(load_file(args.config))
    for name in _TRAIN_FLAGS:
        v = getattr(args, name)
        if v is not None:
            values[name] = v
    for flag in ("spectral_norm", "conditional", "tensorboard"):  # on/off flags, None when not given
        if getattr(args, flag) is not None:
            values[flag] = getattr(args, flag)
    return from_dict(values)


def cmd_train(args: argparse.Namespace) -> int:
    from ganstudio import distributed
    from ganstudio.allocator import tune_malloc

    tune_malloc()  # before any training thread starts

    env = distributed.env_world()  # (rank, world, local rank) under torchrun, else None
    if env is None:
        return _train(args, None)
    try:
        return _train(args, env[0])
    except GanstudioError as e:  # each rank prints its own line; say which one
        raise GanstudioError(f"[rank {env[0]}/{env[1]}] {e}") from None
    except RuntimeError as e:
        if not distributed.is_comm_error(e):
            raise  # a bug: keep its traceback
        raise GanstudioError(
            f"[rank {env[0]}/{env[1]}] lost contact with another rank ({first_lines(e, limit=200)}); "
            "it probably failed: see its messages and torchrun's summary. Continue from the last "
            "checkpoint with --resume"
        ) from None
    finally:
        distributed.teardown()


def _train(args: argparse.Namespace, rank: int | None) -> int:
    """``rank`` is None for a single process; under torchrun only rank 0 writes or prints."""
    from ganstudio import distributed
    from ganstudio.io.rundir import RunDir, new_run_path
    from ganstudio.training.trainer import Finished, Trainer

    main_rank = not rank
    if args.resume:
        if not args.run_dir:
            raise GanstudioError("--resume needs --run-dir DIR (the run to continue)")
        rd = RunDir(args.run_dir)
        ckpt = rd.latest_checkpoint()
        if ckpt is None:
            raise GanstudioError(f"nothing to resume: {rd.path} holds no checkpoint")
        cfg = train_config(args, base=rd.read_config())
    else:
        if args.dataset is None and args.config is None:
            raise GanstudioError("--dataset is required (see `ganstudio datasets`)")
        cfg = train_config(args)
        rd = RunDir(args.run_dir) if args.run_dir else RunDir(new_run_path(cfg.dataset))
        # (other ranks skip the check: rank 0 may already have started writing the run)
        if main_rank and rd.latest_checkpoint() is not None:
            raise GanstudioError(
                f"{rd.path} already holds a run; add --resume to continue it, or pick another --run-dir"
            )
    dist = distributed.setup(cfg.device) if rank is not None else None
    trainer = Trainer(cfg, run_dir=rd.path if main_rank else None, dist=dist)
    if args.resume:
        trainer.load(ckpt)
        main_rank and print(f"resuming {rd.path} from step {trainer.step_count}", file=sys.stderr)
    cfg = trainer.cfg
    if main_rank:
        from ganstudio.training.trainer import choices

        print(f"run: {rd.path}\n{_summary(trainer)}", file=sys.stderr)
        if not args.resume:
            print(choices(trainer.asked, cfg, trainer.dataset, trainer.device.type), file=sys.stderr)
    if dist is not None and main_rank:
        rd.append_jsonl(
            rd.events_path,
            [
                {
                    "step": trainer.step_count,
                    "time": round(trainer.elapsed(), 3),
                    "event": "distributed",
                    "world_size": dist.world_size,
                    "backend": dist.backend,
                    "batch_per_process": cfg.batch_size,
                    "effective_batch": cfg.batch_size * dist.world_size,
                }
            ],
        )

    if main_rank:
        _prepare_evaluation(trainer)  # before the progress clock: never part of --time-limit
    restore = _install_sigint(trainer)
    progress = Progress(trainer.step_count, cfg.steps, cfg.time_limit, quiet=not main_rank)
    tb = None  # TensorBoard event files (--tensorboard), a consumer of the same events; rank 0 only
    if main_rank and cfg.tensorboard:
        from ganstudio.io.tensorboard import open_live

        tb = open_live(rd.path, trainer.step_count, lambda msg: progress.write(f"warning: {msg}"))
        if tb is not None:
            progress.write(f"tensorboard: writing {tb.log_dir} (view with: tensorboard --logdir {tb.log_dir})")
    finished = None
    try:
        for ev in trainer.run():
            progress.update(ev)
            if tb is not None:
                tb(ev)
            if isinstance(ev, Finished):
                finished = ev
    finally:
        if tb is not None:
            tb.close()
        progress.close()
        restore()
    if dist is not None and os.environ.get("GANSTUDIO_DEBUG_RANK_DIGESTS"):
        _write_rank_digests(trainer, Path(os.environ["GANSTUDIO_DEBUG_RANK_DIGESTS"]))
    if not main_rank:
        return 130 if finished.reason == "stopped" else 0
    print(
        f"{'stopped' if finished.reason == 'stopped' else 'finished'} at step {finished.step} ({finished.reason}); "
        f"checkpoint: {rd.latest_checkpoint()}",
        file=sys.stderr,
    )
    if finished.reason == "stopped":
        print(f"continue with: ganstudio train --run-dir {rd.path} --resume", file=sys.stderr)
        return 130
    return 0


def _prepare_evaluation(trainer) -> None:
    """Train (once per dataset; then cached) the feature net quality metrics need, with a
    bar on a terminal: about a minute for a new 60,000-image set on a CPU."""
    bar = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, unit="update", desc="feature net", dynamic_ncols=True, file=sys.stderr)
            bar.update(done - bar.n)
    else:
        progress = None
    t0 = time.perf_counter()
    try:
        net = trainer.prepare_evaluation(progress)
    finally:
        if bar is not None:
            bar.close()
    if net is not None and net.seconds:
        what = (
            f"held-out accuracy {net.score:.3f}" if net.kind == "classifier" else f"reconstruction MSE {net.score:.4f}"
        )
        print(
            f"feature net ready in {time.perf_counter() - t0:.0f}s ({what}); the run's clock starts now",
            file=sys.stderr,
        )


def _summary(trainer) -> str:
    c, ds, dist = trainer.cfg, trainer.dataset, trainer.dist
    shape = "x".join(map(str, ds.sample_shape))
    batch = str(c.batch_size)
    if dist is not None:
        batch = (
            f"{c.batch_size} per process x {dist.world_size} processes = "
            f"{c.batch_size * dist.world_size} ({dist.backend})"
        )
    return (
        f"data: {c.dataset} ({len(ds.data)} x {shape})  model: {c.model}  loss: {c.loss}  z: {c.z_dim}  "
        f"batch: {batch}  lr G/D: {c.lr_g:g}/{c.lr_d:g}  ema: {c.ema or 'off'}  device: {trainer.device}"
    )


def _write_rank_digests(trainer, folder: Path) -> None:
    """Debug/test aid (GANSTUDIO_DEBUG_RANK_DIGESTS=DIR): every rank writes hashes of its own
    live weights, so a test can check that DDP kept the ranks identical."""
    from ganstudio.distributed import module_digest

    mods = {"G": trainer.G, "D": trainer.D} | ({"G_ema": trainer.G_ema} if trainer.G_ema is not None else {})
    row = {"rank": trainer.dist.rank, "step": trainer.step_count} | {k: module_digest(m) for k, m in mods.items()}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"rank{trainer.dist.rank}.json").write_text(json.dumps(row) + "\n", encoding="utf-8")


def _install_sigint(trainer):
    """First Ctrl-C: stop after this step, save, exit. Second: abort at once."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum, frame):
        if trainer.stop_requested:
            raise KeyboardInterrupt
        print("\nstopping after this step and saving a checkpoint (Ctrl-C again to abort)...", file=sys.stderr)
        trainer.request_stop()

    # SIGTERM (kill, systemd, a batch scheduler) stops the same clean way, so the steps since
    # the last periodic checkpoint are not lost.
    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    return lambda: [signal.signal(sig, h) for sig, h in old.items()]


class Progress:
    """A tqdm bar on a terminal; plain periodic lines (every ~10 s) otherwise."""

    def __init__(self, start: int, total: int, time_limit: float | None, quiet: bool = False):
        self.start, self.total, self.last, self.time_limit = start, total, start, time_limit
        self.quiet = quiet  # torchrun ranks other than 0 stay silent
        self.t0 = self.t_print = time.perf_counter()
        self.bar = None
        if sys.stderr.isatty() and not quiet:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=start, unit="step", dynamic_ncols=True, file=sys.stderr)

    def update(self, ev) -> None:
        from ganstudio.health import Alarm
        from ganstudio.training.trainer import Evaluated, Scalars

        if self.quiet:
            return
        if isinstance(ev, (Evaluated, Alarm)):
            self.write(_eval_line(ev) if isinstance(ev, Evaluated) else f"warning: {ev.title} {ev.advice}".strip())
            return
        if not isinstance(ev, Scalars):
            return
        values = ev.values
        if self.bar is not None:
            self.bar.update(ev.step - self.last)
            self.bar.set_postfix(loss_d=f"{values['loss_d']:.3f}", loss_g=f"{values['loss_g']:.3f}", refresh=False)
        elif time.perf_counter() - self.t_print >= 10 or ev.step >= self.total:
            self.t_print = now = time.perf_counter()
            rate = (ev.step - self.start) / max(now - self.t0, 1e-9)
            eta = (self.total - ev.step) / rate if rate else float("inf")
            if self.time_limit:
                eta = min(eta, self.time_limit - (now - self.t0))
            print(
                f"step {ev.step}/{self.total}  {rate:.1f} steps/s  eta {eta:.0f}s  "
                f"loss_d {values['loss_d']:.4f}  loss_g {values['loss_g']:.4f}  "
                f"D(x) {values['d_real']:.3f}  D(G(z)) {values['d_fake']:.3f}",
                file=sys.stderr,
                flush=True,
            )
        self.last = ev.step

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def write(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)


def _eval_line(ev) -> str:
    from ganstudio.metrics.evaluate import format_metrics

    return f"step {ev.step}  quality: {format_metrics(ev.values)}{'  (new best)' if ev.best else ''}"


# ----------------------------------------------------------------------------- sample
def cmd_sample(args: argparse.Namespace) -> int:
    import numpy as np

    from ganstudio.io.media import save_samples
    from ganstudio.latent import sample_z
    from ganstudio.generator import find_checkpoint, generate, load_generator

    out = Path(args.out)
    if out.suffix.lower() not in (".npy", ".png"):
        raise GanstudioError(f"--out {out}: use a .npy or .png file name")
    if args.n < 1:
        raise GanstudioError("--n must be at least 1")
    from ganstudio.latent import class_index, with_class

    lg = load_generator(find_checkpoint(args.run, args.checkpoint), ema=not args.no_ema)
    z = sample_z(args.n, lg.cfg.z_dim, args.seed)
    what = ""
    if args.cls is not None:
        k = class_index(args.cls, lg.cfg.class_names, lg.cfg.n_classes or 0)
        z = with_class(z, lg.G, k)
        what = f", class {k} ({_class_name(lg.cfg, k)})"
    x = generate(lg.G, z).numpy().astype(np.float32)
    real = None
    if lg.is_2d and out.suffix.lower() == ".png":
        from ganstudio.explore import real_points

        real = real_points(lg.cfg.dataset)
    try:
        save_samples(x, out, real)
    except OSError as e:
        raise GanstudioError(f"cannot write {out}: {e.strerror or e}") from None
    print(f"wrote {out} ({args.n} samples from step {lg.step}{', EMA' if lg.ema else ''}{what})", file=sys.stderr)
    return 0


def _class_name(cfg, k: int) -> str:
    names = cfg.class_names or []
    return names[k] if k < len(names) else str(k)


# ----------------------------------------------------------------------------- interpolate
def cmd_interpolate(args: argparse.Namespace) -> int:
    from ganstudio import __version__
    from ganstudio.config import from_stored
    from ganstudio.explore import export, snapshot_from_checkpoint
    from ganstudio.io.media import FRAME_TYPES
    from ganstudio.latent import class_index
    from ganstudio.generator import find_checkpoint

    out = Path(args.out)
    ext = out.suffix.lower()
    if ext not in FRAME_TYPES:
        raise GanstudioError(f"--out {out}: use a .gif, .png or .mp4 file name")
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
    if args.frames < 2:
        raise GanstudioError("--frames must be at least 2")
    if args.fps <= 0:
        raise GanstudioError("--fps must be positive")
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
        cfg = from_stored(snap.meta["config"])  # load_generator has checked it parses
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
    # The recipe is the whole description: explore.render_recipe draws the file from it, the
    # same code the app's exports and a later re-render use, so all three give the same pixels.
    recipe = {
        "command": "interpolate",
        "ganstudio_version": __version__,
        "run": str(Path(args.run).resolve()),
        "checkpoint": str(ckpt.resolve()),
        "step": snap.step,
        "ema": snap.ema,
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
    out, recipe_file = export(recipe, out, snap)
    print(
        f"wrote {out} ({args.frames} frames, {args.mode}, step {snap.step}{', EMA' if snap.ema else ''}) "
        f"and {recipe_file.name}",
        file=sys.stderr,
    )
    return 0


# ----------------------------------------------------------------------------- directions
def cmd_directions(args: argparse.Namespace) -> int:
    from ganstudio import __version__
    from ganstudio.latent import principal_directions
    from ganstudio.generator import find_checkpoint, load_generator

    out = Path(args.out)
    if out.suffix.lower() != ".json":
        raise GanstudioError(f"--out {out}: use a .json file name")
    if args.n < 2:
        raise GanstudioError("--n must be at least 2")
    if args.k < 1:
        raise GanstudioError("--k must be at least 1")
    ckpt = find_checkpoint(args.run, args.checkpoint)
    lg = load_generator(ckpt, ema=not args.no_ema)
    dirs = principal_directions(lg.G, lg.cfg.z_dim, n=args.n, k=args.k, seed=args.seed)
    dirs.meta = {
        "ganstudio_version": __version__,
        "run": str(Path(args.run).resolve()),
        "checkpoint": str(ckpt.resolve()),
        "step": lg.step,
        "ema": lg.ema,
    }
    try:
        out.write_text(dirs.to_json() + "\n", encoding="utf-8")
    except OSError as e:
        raise GanstudioError(f"cannot write {out}: {e.strerror or e}") from None
    ratios = ", ".join(f"{r:.3f}" for r in dirs.variance_ratio.tolist())
    print(
        f"wrote {out} ({dirs.k} directions from {args.n} samples at step {lg.step}; variance {ratios})", file=sys.stderr
    )
    return 0


# ----------------------------------------------------------------------------- evaluate
def cmd_evaluate(args: argparse.Namespace) -> int:
    from ganstudio.config import defaults_for
    from ganstudio.data import load_dataset
    from ganstudio.metrics.evaluate import Evaluator, format_metrics
    from ganstudio.generator import find_checkpoint, load_generator

    if args.n is not None and args.n < 2:
        raise GanstudioError("--n must be at least 2")
    ckpt = find_checkpoint(args.run, args.checkpoint)
    lg = load_generator(ckpt, ema=not args.no_ema)
    cfg = lg.cfg
    ds = load_dataset(cfg.dataset, cfg.image_size, cfg.channels, seed=cfg.seed)
    if tuple(ds.sample_shape) != tuple(lg.meta.get("sample_shape", ds.sample_shape)):
        raise GanstudioError(
            f"the dataset {cfg.dataset} now gives {ds.sample_shape} items; the checkpoint was "
            f"trained on {tuple(lg.meta['sample_shape'])}"
        )
    n = args.n or cfg.eval_n or defaults_for(cfg.dataset, ds.kind)["eval_n"]
    log = (lambda msg: None) if args.json else (lambda msg: print(msg, file=sys.stderr))
    ev = Evaluator(ds, "cpu", seed=args.seed, log=log)
    metrics = ev.evaluate(lg.G, cfg.z_dim, n)
    if args.json:
        print(
            json.dumps(
                {
                    "run": str(Path(args.run).resolve()),
                    "checkpoint": str(ckpt.resolve()),
                    "step": lg.step,
                    "ema": lg.ema,
                    "dataset": cfg.dataset,
                    "n": n,
                    "seed": args.seed,
                    **metrics,
                }
            )
        )
    else:
        print(f"{cfg.dataset} at step {lg.step}{' (EMA)' if lg.ema else ''}, {n} samples:")
        for k, v in metrics.items():
            print(f"  {k:15s} {v:.4f}" if isinstance(v, float) else f"  {k:15s} {v}")
        print("  " + format_metrics(metrics))
    return 0


# ----------------------------------------------------------------------------- export
def cmd_export(args: argparse.Namespace) -> int:
    if args.format == "tensorboard":
        from ganstudio.io.tensorboard import convert_run, describe

        if args.checkpoint is not None or args.no_ema:
            raise GanstudioError(
                "--checkpoint and --no-ema do not apply to --format tensorboard (it converts the run's logs)"
            )
        counts = convert_run(args.run, args.out, warn=lambda msg: print(f"warning: {msg}", file=sys.stderr))
        print(describe(counts), file=sys.stderr)
        return 0
    from ganstudio.io import model_export
    from ganstudio.generator import find_checkpoint, load_generator

    if not args.out:
        raise GanstudioError(f"--format {args.format} needs --out PATH")
    if args.format == "onnx" and not model_export.onnx_available():
        raise GanstudioError(model_export.ONNX_EXTRA)  # before loading anything
    lg = load_generator(find_checkpoint(args.run, args.checkpoint), ema=not args.no_ema)
    src = f"step {lg.step}{', EMA' if lg.ema else ''}"
    if args.format == "folder":
        info = model_export.export_folder(lg, args.run, args.out)
        print(
            f"wrote {info['path']}/ ({', '.join(info['files'])}; {info['bytes'] / 1e3:.0f} kB, {src}); "
            f"load it with ganstudio.load_generator({str(info['path'])!r})",
            file=sys.stderr,
        )
        return 0
    export = model_export.export_onnx if args.format == "onnx" else model_export.export_torchscript
    info = export(lg, args.out)
    check = (
        f"max abs difference from PyTorch on {info['checked_n']} latents: {info['max_abs_diff']:.3g}"
        if info["max_abs_diff"] is not None
        else info.get("note", "")
    )
    print(f"wrote {info['path']} ({info['bytes'] / 1e3:.0f} kB, {src}); {check}", file=sys.stderr)
    return 0


# ----------------------------------------------------------------------------- project
def cmd_project(args: argparse.Namespace) -> int:
    from ganstudio import __version__
    from ganstudio.data import load_dataset
    from ganstudio.data.imageops import save_png, unit_to_uint8
    from ganstudio.metrics.features import get_features
    from ganstudio.projection import BASELINE_N, baselines, load_image, project
    from ganstudio.generator import find_checkpoint, load_generator

    out = Path(args.out)
    if out.suffix.lower() != ".json":
        raise GanstudioError(f"--out {out}: use a .json file name (the reconstruction goes beside it as .png)")
    if args.steps < 0:
        raise GanstudioError("--steps must be at least 0")
    ckpt = find_checkpoint(args.run, args.checkpoint)
    lg = load_generator(ckpt, ema=not args.no_ema)
    if lg.is_2d:
        raise GanstudioError(f"{args.run} trains on 2D points; project needs an image generator")
    cfg, shape = lg.cfg, tuple(int(s) for s in lg.meta["sample_shape"])  # (C, H, W)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr)

    try:
        ds = load_dataset(cfg.dataset, cfg.image_size, cfg.channels, seed=cfg.seed)
    except GanstudioError as e:
        if args.index is not None:
            raise
        ds = None  # the run's data may live on another machine: a pixel loss alone
        log(f"warning: cannot load the run's dataset ({e}); projecting with the pixel loss alone")
    if args.index is not None:
        if not 0 <= args.index < len(ds.data):
            raise GanstudioError(f"--index {args.index}: {cfg.dataset} has items 0..{len(ds.data) - 1}")
        target, what = ds.data[args.index], {"index": args.index}
    else:
        target, what = load_image(args.image, shape[1], shape[0]), {"image": str(Path(args.image).resolve())}
    if tuple(target.shape) != shape:
        raise GanstudioError(
            f"the dataset {cfg.dataset} now gives {tuple(target.shape)} items; the checkpoint was trained on {shape}"
        )
    net = get_features(ds.data, ds.labels, seed=0, log=log) if ds is not None else None

    def progress(res) -> None:
        if res.step % 100 == 0 or res.finished:
            log(f"step {res.step}/{res.steps}  pixel MSE {res.pixel_mse:.5f}")

    res = project(lg.G, target, cfg.z_dim, net, steps=args.steps, seed=args.seed, callback=progress, every=25)
    base = baselines(lg.G, target, cfg.z_dim)
    png = out.with_suffix(".png")
    row = {
        "z": [float(v) for v in res.z],
        "class": res.cls,
        "class_name": _class_name(cfg, res.cls) if res.cls is not None else None,
        "loss": res.loss,
        "pixel_mse": res.pixel_mse,
        "baseline_random_mse": base["random_mse"],
        f"baseline_best_of_{BASELINE_N}_mse": base["best_mse"],
        "target": what,
        "steps": args.steps,
        "seed": args.seed,
        "feature_loss": net is not None,
        "image": png.name,
        "run": str(Path(args.run).resolve()),
        "checkpoint": str(ckpt.resolve()),
        "step": lg.step,
        "ema": lg.ema,
        "z_dim": cfg.z_dim,
        "ganstudio_version": __version__,
    }
    try:
        save_png(unit_to_uint8(res.image).transpose(1, 2, 0), png)
        out.write_text(json.dumps(row, indent=2) + "\n", encoding="utf-8")
    except OSError as e:
        raise GanstudioError(f"cannot write {out}: {e.strerror or e}") from None
    cls = f", class {res.cls} ({row['class_name']})" if res.cls is not None else ""
    source = f"item {args.index}" if args.index is not None else Path(args.image).name
    print(
        f"projected {source} into step {lg.step}{cls}: pixel MSE {res.pixel_mse:.5f}; a random z "
        f"{base['random_mse']:.5f} (mean of {BASELINE_N:,}), the best of {BASELINE_N:,} random "
        f"{base['best_mse']:.5f}. Wrote {out} and {png.name}",
        file=sys.stderr,
    )
    return 0


# ----------------------------------------------------------------------------- app
def cmd_app(args: argparse.Namespace) -> int:
    from ganstudio.app.display import check_display

    check_display()  # before Qt loads: a missing display or X library is one line, not Qt's abort
    try:
        from ganstudio.app import run_app
    except ImportError as e:
        raise GanstudioError(
            f"the app needs PySide6 and pyqtgraph ({e}); install with: pip install ganstudio"
        ) from None
    return run_app(run=args.run)
