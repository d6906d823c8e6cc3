"""A trained generator outside training: found in a run, rebuilt from a checkpoint alone,
or copied from a live Trainer; the one wrapper every sampler uses (CLI, app, API, exports)."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ganstudio.config import TrainConfig, from_stored
from ganstudio.errors import CheckpointError, ConfigError, GanstudioError, first_lines
from ganstudio.io.checkpoint import check_finite, load_checkpoint
from ganstudio.io.rundir import RunDir


@dataclass
class GeneratorSnapshot:
    """A frozen CPU copy of G and where its weights came from."""

    G: nn.Module  # eval mode, no grads; only ever read
    meta: dict[str, Any]  # checkpoint-style metadata: config, sample_shape, kind, step (and more from a file)
    ema: bool  # whether G holds the EMA weights
    checkpoint: Path | None = None  # a file holding exactly these weights, if any
    run: Path | None = None  # the run folder they belong to, if any
    taken: float = field(default_factory=time.monotonic)

    @functools.cached_property
    def cfg(self) -> TrainConfig:
        return from_stored(self.meta["config"])

    @property
    def path(self) -> Path | None:
        return self.checkpoint

    @property
    def step(self) -> int:
        return int(self.meta.get("step", 0))

    @property
    def kind(self) -> str:
        return "2d" if self.meta.get("kind") == "2d" else "image"

    @property
    def is_2d(self) -> bool:
        return self.kind == "2d"

    @property
    def z_dim(self) -> int:
        return int(self.meta["config"]["z_dim"])

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return tuple(int(s) for s in self.meta["sample_shape"])

    @property
    def dataset(self) -> str | None:
        return (self.meta.get("config") or {}).get("dataset")

    @property
    def class_names(self) -> list[str]:
        return class_names(self.meta.get("config") or {}, int(getattr(self.G, "n_classes", 0) or 0))


LoadedGenerator = GeneratorSnapshot  # the name load_generator's callers knew


def class_names(config: dict[str, Any] | TrainConfig, n: int | None = None) -> list[str]:
    """A name per class of a run: its config's ``class_names`` when they fit ``n`` (the
    config's n_classes by default), else "0", "1", ...; the one place class names are read."""
    get = config.get if isinstance(config, dict) else lambda k, d=None: getattr(config, k, d)
    n = int(get("n_classes", 0) or 0) if n is None else n
    names = get("class_names")
    if isinstance(names, (list, tuple)) and len(names) == n and all(isinstance(x, str) for x in names):
        return list(names)
    return [str(k) for k in range(n)]


EXPORTED_WEIGHTS = "model.safetensors"  # the weights of a folder written by `ganstudio export --format folder`


def find_checkpoint(run: str | Path, checkpoint: str | Path | None = None) -> Path:
    """The checkpoint a front end means: an explicit file; "best" for the run's
    checkpoints/best.safetensors; else the run's latest (or an exported folder's
    model.safetensors). A clear error when there is none."""
    run = Path(run).expanduser()
    if checkpoint is not None and str(checkpoint) == "best":
        best = RunDir(run).best_checkpoint_path
        if not best.is_file():
            raise GanstudioError(f"{run} has no best checkpoint yet (it is written at the first evaluation)")
        return best
    if checkpoint is not None:
        return Path(checkpoint)
    if not run.is_dir():
        raise GanstudioError(f"run folder {run} does not exist")
    if (run / EXPORTED_WEIGHTS).is_file() and not (run / "checkpoints").is_dir():
        return run / EXPORTED_WEIGHTS
    latest = RunDir(run).latest_checkpoint()
    if latest is None:
        raise GanstudioError(f"{run} holds no checkpoint (checkpoints/step_*.safetensors)")
    return latest


def load_generator(path: str | Path, ema: bool = True) -> LoadedGenerator:
    from ganstudio.models import build_generator

    path = Path(path)
    tensors, meta = load_checkpoint(path)
    try:
        cfg = from_stored(meta["config"])
        shape = tuple(int(s) for s in meta["sample_shape"])
        int(meta["step"])
    except (KeyError, TypeError, ValueError, ConfigError) as e:
        raise CheckpointError(f"{path}: its stored config is invalid ({e})") from None
    exported = meta.get("tensors") == "generator"  # an exported model.safetensors: G's plain state_dict
    if exported:
        tensors = {f"G/{k}": v for k, v in tensors.items()}
    prefix = "G_ema" if ema and any(k.startswith("G_ema/") for k in tensors) else "G"
    check_finite(path, tensors, (prefix + "/",))
    # Build on the meta device first (no memory) and compare with the stored weights: a
    # hostile config (say g_hidden=[2**40]) must be refused, not allocated.
    try:
        with torch.device("meta"):
            G_meta = build_generator(cfg, shape)
        load_module(G_meta, prefix, {k: v.to("meta") for k, v in tensors.items() if k.startswith(prefix + "/")})
    except (ValueError, RuntimeError, ConfigError) as e:
        raise CheckpointError(f"{path}: generator weights do not fit its config ({first_lines(e, 2)})") from None
    G = build_generator(cfg, shape)
    try:
        load_module(G, prefix, tensors)
    except (ValueError, RuntimeError) as e:
        raise CheckpointError(f"{path}: generator weights do not fit its config ({first_lines(e)})") from None
    G.eval().requires_grad_(False)
    run = path.parent.parent if path.parent.name == "checkpoints" else None
    snap = GeneratorSnapshot(G, meta, prefix == "G_ema" or (exported and bool(meta.get("ema_weights"))), path, run)
    snap.cfg = cfg  # already parsed and checked above
    return snap


@torch.no_grad()
def generate(G: nn.Module, z: torch.Tensor, batch: int = 1024, mix: torch.Tensor | None = None) -> torch.Tensor:
    """G(z) in chunks (bounded memory for large N); ``mix`` (N, n_classes): class weights for
    a conditional G (see models/dcgan.py)."""
    if not len(z):
        return z.new_zeros(0)
    if mix is None:
        return torch.cat([G(z[i : i + batch]) for i in range(0, len(z), batch)])
    return torch.cat([G(z[i : i + batch], mix[i : i + batch]) for i in range(0, len(z), batch)])


def load_module(module: nn.Module, prefix: str, tensors: dict[str, torch.Tensor]) -> None:
    """Load ``prefix/...`` tensors into a module, strictly: same names, shapes and dtypes
    (load_state_dict alone would silently cast dtypes)."""
    sd = {k[len(prefix) + 1 :]: v for k, v in tensors.items() if k.startswith(prefix + "/")}
    own = module.state_dict()
    for k, v in sd.items():
        if k in own and (own[k].shape != v.shape or own[k].dtype != v.dtype):
            raise ValueError(
                f"{prefix}/{k} is {tuple(v.shape)} {v.dtype}, the model wants {tuple(own[k].shape)} {own[k].dtype}"
            )
    module.load_state_dict(sd, strict=True)
