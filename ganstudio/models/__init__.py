"""Model registry: a name -> a builder of (generator, discriminator) for a data shape."""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from ganstudio.config import TrainConfig
from ganstudio.errors import ConfigError
from ganstudio.models.dcgan import DCGANDiscriminator, DCGANGenerator
from ganstudio.models.mlp import MLPDiscriminator, MLPGenerator

Builder = Callable[[TrainConfig, tuple[int, ...], bool], tuple[nn.Module, nn.Module | None]]


def _mlp(cfg: TrainConfig, shape: tuple[int, ...], with_d: bool = True) -> tuple[nn.Module, nn.Module | None]:
    if cfg.n_classes:
        raise ConfigError("conditional training needs model dcgan")
    image = len(shape) == 3  # 2D point sets have shape (2,) and an unbounded output
    g = MLPGenerator(cfg.z_dim, cfg.g_hidden, shape, tanh=image)
    d = MLPDiscriminator(shape, cfg.d_hidden, cfg.spectral_norm) if with_d else None
    return g, d


def _dcgan(cfg: TrainConfig, shape: tuple[int, ...], with_d: bool = True) -> tuple[nn.Module, nn.Module | None]:
    if len(shape) != 3 or shape[1] != shape[2]:
        raise ConfigError(f"dcgan needs square images; the data has samples of shape {shape}")
    c, s, _ = shape
    g = DCGANGenerator(cfg.z_dim, c, s, cfg.width, n_classes=cfg.n_classes or 0)
    if not with_d:
        return g, None
    # Batch norm in D breaks the gradient penalty's per-sample assumption; spectral norm replaces it.
    bn = not cfg.spectral_norm and cfg.loss != "wgan-gp"
    d = DCGANDiscriminator(c, s, cfg.width, batchnorm=bn, spectral_norm=cfg.spectral_norm, n_classes=cfg.n_classes or 0)
    return g, d


REGISTRY: dict[str, Builder] = {"mlp": _mlp, "dcgan": _dcgan}


def build_models(
    cfg: TrainConfig, sample_shape: tuple[int, ...], seed: int | None = None
) -> tuple[nn.Module, nn.Module]:
    """Build (G, D) for a resolved config; weights are initialised from ``seed`` (default cfg.seed)."""
    builder = _builder(cfg)
    with torch.random.fork_rng(devices=[]):  # init must not disturb the caller's global RNG
        torch.manual_seed(cfg.seed if seed is None else seed)
        return builder(cfg, tuple(sample_shape), True)


def build_generator(cfg: TrainConfig, sample_shape: tuple[int, ...]) -> nn.Module:
    """G alone, for weights about to be loaded (no D: building it on the meta device imports
    torch._dynamo, ~3 s)."""
    builder = _builder(cfg)
    with torch.random.fork_rng(devices=[]):
        return builder(cfg, tuple(sample_shape), False)[0]


def _builder(cfg: TrainConfig) -> Builder:
    try:
        return REGISTRY[cfg.model]
    except KeyError:
        raise ConfigError(f"unknown model '{cfg.model}' (choose from {', '.join(REGISTRY)})") from None
