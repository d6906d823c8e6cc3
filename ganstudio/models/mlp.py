"""Fully connected G and D: the classic MLP GAN for images, and a small pair for 2D sets."""

from __future__ import annotations

import math

import torch
from torch import nn

from ganstudio.models.layers import maybe_sn


class MLPGenerator(nn.Module):
    """z (B, z_dim) -> hidden ReLU layers -> (B, *out_shape); tanh when the data is in [-1, 1]."""

    def __init__(self, z_dim: int, hidden: list[int], out_shape: tuple[int, ...], tanh: bool):
        super().__init__()
        self.z_dim, self.out_shape = z_dim, tuple(out_shape)
        layers: list[nn.Module] = []
        prev = z_dim
        for h in hidden:
            layers += [nn.Linear(prev, h), nn.ReLU(inplace=True)]
            prev = h
        layers.append(nn.Linear(prev, math.prod(out_shape)))
        if tanh:
            layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).view(z.shape[0], *self.out_shape)


class MLPDiscriminator(nn.Module):
    """x (B, *in_shape) -> hidden LeakyReLU(0.2) layers -> one logit per sample, (B,)."""

    has_batchnorm = False

    def __init__(self, in_shape: tuple[int, ...], hidden: list[int], spectral_norm: bool = False):
        super().__init__()
        layers: list[nn.Module] = []
        prev = math.prod(in_shape)
        for h in hidden:
            layers += [maybe_sn(nn.Linear(prev, h), spectral_norm), nn.LeakyReLU(0.2, inplace=True)]
            prev = h
        layers.append(maybe_sn(nn.Linear(prev, 1), spectral_norm))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.flatten(1)).squeeze(1)
