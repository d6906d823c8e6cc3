"""``ganstudio train``: train headless, writing a run folder. Its config flags are generated from
TrainConfig's field metadata (``cli(...)`` in config.py), so a new field is one declaration there."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, get_args, get_type_hints

from ganstudio.errors import GanstudioError, first_lines


def add_parser(sub, config: type | None = None) -> None:
    t = sub.add_parser(
        "train",
        help="train headless, writing a run directory",
        description="Train a GAN headless. Unset options take the dataset's defaults.",
    )
    add_config_flags(t, config)
    t.add_argument(
        "--run-dir", metavar="DIR", help="where to write the run (default: a new folder under GANSTUDIO_RUNS_DIR)"
    )
    t.add_argument("--resume", action="store_true", help="continue DIR's latest checkpoint up to --steps")
    t.add_argument("--config", metavar="FILE", help="a run's config.json or a TOML file; flags given beside it win")


def flag_fields(config: type | None = None) -> list[dataclasses.Field]:
    """The config fields that have a flag (every flag defaults to None: not given, the file or the data decides)."""
    from ganstudio.config import TrainConfig, cli_flag

    return [f for f in dataclasses.fields(config or TrainConfig) if cli_flag(f) is not None]


def add_config_flags(p: argparse.ArgumentParser, config: type | None = None) -> None:
    from ganstudio.config import TrainConfig, cli_flag

    config = config or TrainConfig
    hints = get_type_hints(config)
    for f in flag_fields(config):
        spec = cli_flag(f)
        flag = spec.name or "--" + f.name.replace("_", "-")
        kind = spec.type or _scalar(f"{config.__name__}.{f.name}", hints[f.name])
        if kind is bool:
            p.add_argument(flag, dest=f.name, action=argparse.BooleanOptionalAction, default=None, help=_help(spec, f))
        else:
            p.add_argument(
                flag, dest=f.name, type=kind, metavar=spec.metavar, choices=spec.choices, help=_help(spec, f)
            )


def _scalar(name: str, hint: Any) -> type:
    """int, float, str or bool from ``T`` or ``T | None``."""
    kinds = [t for t in (get_args(hint) or (hint,)) if t is not type(None)]
    if len(kinds) != 1 or kinds[0] not in (bool, int, float, str):
        raise TypeError(f"{name}: give its flag a type (cli(..., type=...)); {hint} has none")
    return kinds[0]


def _help(spec, f: dataclasses.Field) -> str:
    """The flag's help and the truth about its default: a None field is resolve()'s to fill from the data."""
    default = spec.default
    if default is None:
        if f.default is dataclasses.MISSING:
            default = ""
        elif f.default is None:
            default = "chosen from the data"
        elif isinstance(f.default, bool):
            default = "on" if f.default else "off"
        else:
            default = str(f.default)
    text = f"{spec.help}; default: {default}" if default else spec.help
    return text.replace("%", "%%")  # argparse formats help with %


def train_config(args: argparse.Namespace, base: dict | None = None):
    """Config from (a file or a run's config) < flags given on the command line."""
    from ganstudio.config import from_dict, load_file

    from ganstudio.errors import ConfigError

    values = dict(base or {})
    if args.config:
        values.update(load_file(args.config))
    given = set()
    for f in flag_fields():
        v = getattr(args, f.name)
        if v is not None:
            values[f.name] = v
            given.add(f.name)
    try:
        return from_dict(values)
    except ConfigError as e:
        key = re.search(r"'(\w+)'", str(e))
        if args.config and not (key and key.group(1) in given):  # the file's setting: name the file
            raise ConfigError(f"{args.config}: {e}") from None
        raise


def run(args: argparse.Namespace) -> int:
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
    from ganstudio.cli._progress import Progress, install_sigint, prepare_evaluation
    from ganstudio.io.rundir import RunDir, new_run_path
    from ganstudio.training import Finished, Trainer, choices

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
        print(f"run: {rd.path}\n{_summary(trainer)}", file=sys.stderr)
        if not args.resume:
            print(choices(trainer.asked, cfg, trainer.dataset, trainer.device.type), file=sys.stderr)
        prepare_evaluation(trainer)  # before the progress clock: never part of --time-limit
    restore = install_sigint(trainer)
    progress = Progress(trainer.step_count, cfg.steps, cfg.time_limit, quiet=not main_rank)
    trainer.warn = lambda msg: progress.write(f"warning: {msg}")
    trainer.say = progress.write
    if dist is not None:  # a no-op on ranks other than 0 (they have no run folder)
        trainer.log_event(
            "distributed",
            world_size=dist.world_size,
            backend=dist.backend,
            batch_per_process=cfg.batch_size,
            effective_batch=cfg.batch_size * dist.world_size,
        )
    finished = None
    try:
        for ev in trainer.run():
            progress.update(ev)
            if isinstance(ev, Finished):
                finished = ev
    finally:
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
