"""DCGAN (Radford et al. 2016) sized for 16, 28, 32 and 64 pixel images."""

from __future__ import annotations

import math

import torch
from torch import nn

from ganstudio.errors import ConfigError
from ganstudio.models.layers import maybe_sn

SIZES = (16, 28, 32, 64)


def _plan(size: int) -> tuple[int, int]:
    """(base spatial size, number of x2 resolution steps) for an image size."""
    if size not in SIZES:
        raise ConfigError(f"dcgan supports image sizes {', '.join(map(str, SIZES))}; got {size}")
    base = 7 if size == 28 else 4
    return base, int(math.log2(size // base))


class DCGANGenerator(nn.Module):
    def __init__(self, z_dim: int, channels: int, size: int, width: int = 64):
        super().__init__()
        self.z_dim = z_dim
        base, n_up = _plan(size)
        ch = width * 2 ** (n_up - 1)
        self.base, self.ch = base, ch
        # z (B, z_dim) -> (B, ch, base, base)
        self.project = nn.Sequential(nn.Linear(z_dim, ch * base * base, bias=False),
                                     nn.BatchNorm1d(ch * base * base), nn.ReLU(inplace=True))
        layers: list[nn.Module] = []
        for _ in range(n_up - 1):  # each doubles the resolution and halves the channels
            layers += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ch // 2), nn.ReLU(inplace=True)]
            ch //= 2
        layers += [nn.ConvTranspose2d(ch, channels, 4, 2, 1), nn.Tanh()]  # (B, C, size, size)
        self.net = nn.Sequential(*layers)
        init_weights(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(self.project(z).view(z.shape[0], self.ch, self.base, self.base))


class DCGANDiscriminator(nn.Module):
    def __init__(self, channels: int, size: int, width: int = 64, batchnorm: bool = True, spectral_norm: bool = False):
        super().__init__()
        base, n_down = _plan(size)
        self.has_batchnorm = batchnorm
        layers: list[nn.Module] = [maybe_sn(nn.Conv2d(channels, width, 4, 2, 1), spectral_norm), nn.LeakyReLU(0.2, inplace=True)]
        ch = width
        for _ in range(n_down - 1):  # (B, ch, s, s) -> (B, 2ch, s/2, s/2)
            layers.append(maybe_sn(nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=not batchnorm), spectral_norm))
            if batchnorm:
                layers.append(nn.BatchNorm2d(ch * 2))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            ch *= 2
        layers.append(maybe_sn(nn.Conv2d(ch, 1, base, 1, 0), spectral_norm))  # (B, 1, 1, 1)
        self.net = nn.Sequential(*layers)
        init_weights(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).flatten()


def init_weights(module: nn.Module) -> None:
    """DCGAN init: conv/linear weights N(0, 0.02), batch-norm scales N(1, 0.02)."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            w = m.parametrizations.weight.original if hasattr(m, "parametrizations") else m.weight
            nn.init.normal_(w, 0.0, 0.02)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
