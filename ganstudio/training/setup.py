"""What a run is built from: the resolved config, the models, the optimisers, the RNG streams,
the data order and the fixed noise of its sample grids."""

from __future__ import annotations

import dataclasses
import platform
from typing import Callable

import torch
from torch import nn

import ganstudio
from ganstudio import distributed
from ganstudio.config import TrainConfig, defaults_for, resolve
from ganstudio.data import Dataset, load_dataset
from ganstudio.devices import pick_device
from ganstudio.distributed import DistInfo
from ganstudio.errors import ConfigError

FIXED_NOISE_SEED = 0x5EED  # offset so the sample noise never equals the training noise


# ----------------------------------------------------------------------------- config
def prepare(
    cfg: TrainConfig,
    warn: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> tuple[TrainConfig, Dataset]:
    """Load the dataset a config names and resolve every default against it and the device
    (``choices(cfg)`` says in one line what was chosen and why).

    ``progress(done, total)`` and ``cancel()`` are passed to ``load_dataset`` (see there)."""
    device = pick_device(cfg.device).type
    channels = cfg.channels or defaults_for(cfg.dataset, "image").get("channels")
    ds = load_dataset(
        cfg.dataset,
        cfg.image_size,
        channels,
        seed=cfg.seed,
        warn=warn,
        progress=progress,
        cancel=cancel,
        largest=32 if device == "cpu" else 64,
    )
    if cfg.holdout:  # the held-out share never reaches training (data/split.py)
        from ganstudio.data.split import training_part

        ds = training_part(ds, cfg.holdout)
    return resolve_for(cfg, ds, device), ds


def resolve_for(cfg: TrainConfig, ds: Dataset, device: str) -> TrainConfig:
    """``cfg`` with every default filled in from the data ``ds`` and the device type."""
    size = ds.data.shape[-1] if ds.kind == "image" else None
    return resolve(
        dataclasses.replace(cfg, image_size=size),
        ds.kind,
        ds.channels,
        ds.n_classes,
        device,
        ds.names() if ds.n_classes else None,
    )


def choices(asked: TrainConfig, cfg: TrainConfig, ds: Dataset, device: str) -> str:
    """One line: what ``prepare`` chose from the data and the device for what ``asked`` left
    open, and why (fields the user set are not mentioned; every one can be overridden)."""
    kind, native, n_labels = ds.kind, ds.native, ds.n_classes
    if kind == "2d":
        return f"defaults for 2D points: {cfg.model} G/D, z {cfg.z_dim}, EMA {cfg.ema or 'off'}"
    parts = []
    if asked.image_size is None and cfg.image_size is not None:
        s = cfg.image_size
        why = (
            " (its default)"
            if native is None
            else " (the data's own size)"
            if tuple(native) == (s, s)
            else f" (from {native[1]}x{native[0]}: the nearest size "
            f"the models train{' on a CPU' if device == 'cpu' else ''})"
        )
        parts.append(f"{s}x{s}{why}")
    if asked.conditional is None:
        parts.append(
            f"conditional on its {n_labels} labelled classes (z[0] picks the class)"
            if cfg.conditional
            else "unconditional (no labels)"
            if n_labels < 2
            else "unconditional"
        )
    if asked.z_dim is None:
        parts.append(f"z {cfg.z_dim}")
    hw = []
    if cfg.model == "dcgan" and asked.width is None:
        hw.append(f"width {cfg.width}")
    if asked.batch_size is None:
        hw.append(f"batch {cfg.batch_size}")
    if hw:
        where = "the CPU" if device == "cpu" else device.upper()
        parts.append(f"{' and '.join(hw)} for {where}" + (f" at {cfg.image_size} px" if "width" in hw[0] else ""))
    if asked.loss is None:
        sn = cfg.spectral_norm and asked.spectral_norm is None
        parts.append(f"{cfg.loss} loss" + (" with spectral norm in D" if sn else ""))
    adam = []
    if asked.lr_g is None and asked.lr_d is None:
        adam.append(f"lr {cfg.lr_g:g}" + ("" if cfg.lr_d == cfg.lr_g else f"/{cfg.lr_d:g}"))
    if asked.beta1 is None and asked.beta2 is None:
        adam.append(f"betas ({cfg.beta1:g}, {cfg.beta2:g})")
    if adam:
        parts.append("Adam " + ", ".join(adam))
    if asked.ema is None and cfg.ema:
        parts.append(f"EMA {cfg.ema:g}")
    if not parts:
        return "every setting was given; nothing chosen from the data"
    return "chosen from the data: " + ", ".join(parts) + " (every choice can be overridden)"


def versions() -> dict[str, str]:
    return {"ganstudio": ganstudio.__version__, "torch": torch.__version__, "python": platform.python_version()}


# ----------------------------------------------------------------------------- models and optimisers
def build(cfg: TrainConfig, dataset: Dataset, device: torch.device) -> tuple[nn.Module, nn.Module]:
    """(G, D) on ``device``; a model too large for its memory is a ConfigError."""
    from ganstudio.models import build_models

    try:
        g, d = build_models(cfg, dataset.sample_shape)
        return g.to(device), d.to(device)
    except (MemoryError, RuntimeError) as e:  # e.g. a config asking for g_hidden=[2**40]
        if not isinstance(e, MemoryError) and "alloc" not in str(e).lower() and "out of memory" not in str(e).lower():
            raise
        n = sum(p.numel() for m in build_models_meta(cfg, dataset.sample_shape) for p in m.parameters())
        raise ConfigError(
            f"the model is too large for {device}'s memory ({n:,} parameters); lower width, z_dim or the hidden sizes"
        ) from None


def build_models_meta(cfg: TrainConfig, shape: tuple[int, ...]) -> tuple[nn.Module, nn.Module]:
    """The models on the meta device: shapes only, no memory (for size checks)."""
    from ganstudio.models import build_models

    with torch.device("meta"):
        return build_models(cfg, shape)


def fused_adam(device: torch.device) -> bool | None:
    """Adam's fused kernel (one pass over a model's tensors per step, not a Python loop) where
    PyTorch has it (see bench/throughput.py). None: PyTorch's own choice (MPS)."""
    return True if device.type in ("cpu", "cuda") else None


def optimisers(G: nn.Module, D: nn.Module, cfg: TrainConfig, device: torch.device) -> tuple[torch.optim.Adam, ...]:
    fused = fused_adam(device)
    betas = (cfg.beta1, cfg.beta2)
    return (
        torch.optim.Adam(G.parameters(), lr=cfg.lr_g, betas=betas, fused=fused),
        torch.optim.Adam(D.parameters(), lr=cfg.lr_d, betas=betas, fused=fused),
    )


# ----------------------------------------------------------------------------- noise
def fixed_noise(n: int, z_dim: int, seed: int) -> torch.Tensor:
    """(n, z_dim) on the CPU: the latents of every sample grid of a run with this seed (so
    frames compare across time); the one place they are drawn."""
    return torch.randn(n, z_dim, generator=torch.Generator().manual_seed(seed + FIXED_NOISE_SEED))


def noise_generators(seed: int, device: torch.device) -> tuple[torch.Generator, torch.Generator]:
    """The latent and the D-side (penalty, augmentation) noise streams: generators of their
    own, not the global RNG, so a checkpoint holds them and a resume is bitwise identical."""
    gen_z = torch.Generator(device=device if device.type == "cuda" else "cpu").manual_seed(seed * 1000 + 2)
    gen_gp = torch.Generator(device=gen_z.device).manual_seed(seed * 1000 + 3)
    return gen_z, gen_gp


def reseed_rank(gen_z: torch.Generator, gen_gp: torch.Generator, seed: int, dist: DistInfo, step: int) -> None:
    """Each rank its own noise (the same z on every rank would repeat the same fakes N times);
    rank 0 keeps the single-process stream, the one checkpoints store."""
    if dist.rank:
        rank_seed = distributed.rank_seed(seed, dist.rank, step)
        gen_z.manual_seed(rank_seed)
        gen_gp.manual_seed(rank_seed + 1)


# ----------------------------------------------------------------------------- data order
class DataOrder:
    """Which items the next batches hold: a fresh permutation per epoch from a generator of
    its own; under torchrun every rank draws the same one and keeps its shard (padded, every
    world-th index, as torch's DistributedSampler)."""

    def __init__(self, n: int, seed: int, device: torch.device, dist: DistInfo | None):
        self.n, self.device, self.dist = n, device, dist
        self.gen = torch.Generator().manual_seed(seed * 1000 + 1)
        self.set_perm(torch.randperm(n, generator=self.gen))
        self.epoch, self.pos = 0, 0

    @property
    def world_size(self) -> int:
        return self.dist.world_size if self.dist is not None else 1

    def set_perm(self, perm: torch.Tensor) -> None:
        # The CPU copy goes into checkpoints; the device copy is sliced every step, so batching
        # needs no host->device transfer (and no sync) except once per epoch.
        self.perm = perm
        if self.dist is not None:
            perm = distributed.shard(perm, self.dist.rank, self.dist.world_size)
        self._perm_dev = perm.to(self.device)
        self.n_shard = len(perm)

    def take(self, n: int) -> torch.Tensor:
        """The indices of the next ``n`` items, on the device."""
        parts, need = [], n
        while need:
            if self.pos >= self.n_shard:  # a new epoch: a fresh permutation
                self.set_perm(torch.randperm(self.n, generator=self.gen))
                self.epoch, self.pos = self.epoch + 1, 0
            take = min(need, self.n_shard - self.pos)
            parts.append(self._perm_dev[self.pos : self.pos + take])
            self.pos += take
            need -= take
        return parts[0] if len(parts) == 1 else torch.cat(parts)

    def check(self, perm: torch.Tensor) -> None:
        """ValueError unless ``perm`` (a checkpoint's) is an order of this data."""
        if perm.dtype != torch.int64 or perm.shape != (self.n,):
            raise ValueError(f"its data order is for {perm.numel()} items, this dataset has {self.n}")
        # A hostile or corrupt order would index out of range at the first step, not here.
        if not torch.equal(perm.sort().values, torch.arange(self.n)):
            raise ValueError("its data order is not a permutation of the dataset")

    def restore(self, perm: torch.Tensor, epoch: int, pos: int, world_size: int) -> None:
        """Continue from a checkpoint's (checked) order; a resume in another world size
        continues at the same fraction of the epoch."""
        self.set_perm(perm.clone())
        self.epoch = epoch
        self.pos = distributed.shard_pos(pos, world_size, self.world_size, self.n_shard)
