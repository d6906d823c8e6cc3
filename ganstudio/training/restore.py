"""Rebuilding a generator from a checkpoint alone (for sampling and exploring)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ganstudio.config import TrainConfig, from_stored
from ganstudio.errors import CheckpointError, ConfigError, GanstudioError, first_lines
from ganstudio.io.checkpoint import check_finite, load_checkpoint
from ganstudio.io.rundir import RunDir


@dataclass
class LoadedGenerator:
    G: nn.Module  # eval mode, on CPU, no grads
    cfg: TrainConfig
    meta: dict[str, Any]
    path: Path
    ema: bool  # whether G holds the EMA weights

    @property
    def step(self) -> int:
        return int(self.meta.get("step", 0))

    @property
    def is_2d(self) -> bool:
        return self.meta.get("kind") == "2d"


EXPORTED_WEIGHTS = "model.safetensors"  # the weights of a folder written by `ganstudio export --format folder`


def find_checkpoint(run: str | Path, checkpoint: str | Path | None = None) -> Path:
    """The explicit checkpoint, else the run's latest (or an exported folder's
    model.safetensors); a clear error when there is none."""
    if checkpoint is not None:
        return Path(checkpoint)
    run = Path(run)
    if not run.is_dir():
        raise GanstudioError(f"run folder {run} does not exist")
    if (run / EXPORTED_WEIGHTS).is_file() and not (run / "checkpoints").is_dir():
        return run / EXPORTED_WEIGHTS
    latest = RunDir(run).latest_checkpoint()
    if latest is None:
        raise GanstudioError(f"{run} holds no checkpoint (checkpoints/step_*.safetensors)")
    return latest


def load_generator(path: str | Path, ema: bool = True) -> LoadedGenerator:
    from ganstudio.models import build_models

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
            G_meta, _ = build_models(cfg, shape)
        load_module(G_meta, prefix, {k: v.to("meta") for k, v in tensors.items() if k.startswith(prefix + "/")})
    except (ValueError, RuntimeError, ConfigError) as e:
        raise CheckpointError(f"{path}: generator weights do not fit its config ({first_lines(e, 2)})") from None
    G, _ = build_models(cfg, shape)
    try:
        load_module(G, prefix, tensors)
    except (ValueError, RuntimeError) as e:
        raise CheckpointError(f"{path}: generator weights do not fit its config ({first_lines(e)})") from None
    G.eval().requires_grad_(False)
    return LoadedGenerator(G, cfg, meta, path, prefix == "G_ema" or (exported and bool(meta.get("ema_weights"))))


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
