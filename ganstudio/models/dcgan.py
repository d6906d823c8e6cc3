"""DCGAN (Radford et al. 2016) sized for 16, 28, 32 and 64 pixel images.

Optionally class-conditional (``n_classes`` > 0): G draws its class from the first latent
coordinate (see ``DCGANGenerator.labels``) and D is a projection discriminator (Miyato &
Koyama 2018). G stays a function of z alone, so sampling, evaluation and latent
exploration treat conditional and unconditional generators the same way.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ganstudio.data.imageops import IMAGE_SIZES as SIZES
from ganstudio.errors import ConfigError
from ganstudio.models.layers import maybe_sn


def _plan(size: int) -> tuple[int, int]:
    """(base spatial size, number of x2 resolution steps) for an image size."""
    if size not in SIZES:
        raise ConfigError(f"dcgan supports image sizes {', '.join(map(str, SIZES))}; got {size}")
    base = 7 if size == 28 else 4
    return base, int(math.log2(size // base))


class DCGANGenerator(nn.Module):
    def __init__(self, z_dim: int, channels: int, size: int, width: int = 64, n_classes: int = 0):
        super().__init__()
        self.z_dim, self.n_classes = z_dim, n_classes
        base, n_up = _plan(size)
        ch = width * 2 ** (n_up - 1)
        self.base, self.ch = base, ch
        n_in = z_dim
        if n_classes:
            if z_dim < 2:
                raise ConfigError("a conditional generator needs z_dim >= 2 (z[0] picks the class)")
            # Bin edges on z[0] that cut N(0, 1) into the classes' shares (uniform until
            # set_class_frequencies; a buffer, so checkpoints carry the data's shares).
            # Worked out on the CPU: a cumsum on the meta device (load_generator's size check)
            # imports torch._dynamo, ~2.5 s of every command's start.
            uniform = torch.full((n_classes,), 1.0 / n_classes, device="cpu")
            self.register_buffer("class_edges", _edges(uniform).to(torch.get_default_device()))
            n_in = z_dim - 1 + n_classes  # z[1:] and the class as one-hot
        # z (B, n_in) -> (B, ch, base, base)
        self.project = nn.Sequential(
            nn.Linear(n_in, ch * base * base, bias=False), nn.BatchNorm1d(ch * base * base), nn.ReLU(inplace=True)
        )
        layers: list[nn.Module] = []
        for _ in range(n_up - 1):  # each doubles the resolution and halves the channels
            layers += [
                nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(ch // 2),
                nn.ReLU(inplace=True),
            ]
            ch //= 2
        layers += [nn.ConvTranspose2d(ch, channels, 4, 2, 1), nn.Tanh()]  # (B, C, size, size)
        self.net = nn.Sequential(*layers)
        init_weights(self)

    def set_class_frequencies(self, freq: torch.Tensor) -> None:
        """Draw classes as often as the data has them (``freq``: (n_classes,) shares)."""
        self.class_edges.copy_(_edges(freq.to(self.class_edges)))

    def labels(self, z: torch.Tensor) -> torch.Tensor:
        """The class each latent draws: z[0]'s bin. z[0] ~ N(0, 1), so classes come with the
        data's frequencies, and sweeping z[0] walks through the classes in order."""
        return torch.bucketize(z[:, 0].contiguous(), self.class_edges)

    def class_centres(self) -> torch.Tensor:
        """(n_classes,) the z[0] value in the middle (by probability) of each class's bin:
        setting z[0] to ``class_centres()[k]`` draws class k."""
        p = torch.special.ndtr(self.class_edges.double())
        lo = torch.cat([p.new_zeros(1), p])
        hi = torch.cat([p, p.new_ones(1)])
        return torch.special.ndtri((lo + hi) / 2).to(torch.float32)

    def forward(self, z: torch.Tensor, mix: torch.Tensor | None = None) -> torch.Tensor:
        """z (B, z_dim) -> images. A conditional G may be given ``mix`` (B, n_classes),
        class weights that replace z[0]'s one-hot class (interpolating between classes)."""
        if self.n_classes:
            onehot = nn.functional.one_hot(self.labels(z), self.n_classes).to(z.dtype) if mix is None else mix.to(z)
            z = torch.cat([z[:, 1:], onehot], 1)
        return self.net(self.project(z).view(z.shape[0], self.ch, self.base, self.base))


def _edges(freq: torch.Tensor) -> torch.Tensor:
    """The N(0, 1) quantiles at the cumulative class shares: n_classes - 1 edges."""
    cum = (torch.cumsum(freq.double(), 0) / freq.double().sum())[:-1].clamp(1e-6, 1 - 1e-6)
    return torch.special.ndtri(cum).to(torch.float32)


class DCGANDiscriminator(nn.Module):
    def __init__(
        self,
        channels: int,
        size: int,
        width: int = 64,
        batchnorm: bool = True,
        spectral_norm: bool = False,
        n_classes: int = 0,
    ):
        super().__init__()
        self.n_classes = n_classes
        base, n_down = _plan(size)
        self.has_batchnorm = batchnorm
        layers: list[nn.Module] = [
            maybe_sn(nn.Conv2d(channels, width, 4, 2, 1), spectral_norm),
            nn.LeakyReLU(0.2, inplace=True),
        ]
        ch = width
        for _ in range(n_down - 1):  # (B, ch, s, s) -> (B, 2ch, s/2, s/2)
            layers.append(maybe_sn(nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=not batchnorm), spectral_norm))
            if batchnorm:
                layers.append(nn.BatchNorm2d(ch * 2))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            ch *= 2
        layers.append(maybe_sn(nn.Conv2d(ch, 1, base, 1, 0), spectral_norm))  # (B, 1, 1, 1)
        self.net = nn.Sequential(*layers)
        if n_classes:  # projection: D(x, y) = head(h) + <embed(y), sum-pooled h>
            self.embed = maybe_sn(nn.Embedding(n_classes, ch), spectral_norm)
        init_weights(self)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if not self.n_classes:
            return self.net(x).flatten()
        if y is None:
            raise ValueError("a conditional discriminator needs the class of each image")
        h = self.net[:-1](x)  # (B, ch, base, base)
        return self.net[-1](h).flatten() + (self.embed(y) * h.sum((2, 3))).sum(1)


def init_weights(module: nn.Module) -> None:
    """DCGAN init: conv/linear weights N(0, 0.02), batch-norm scales N(1, 0.02)."""
    if any(p.is_meta for p in module.parameters()):
        return  # shapes only (load_generator's size check): normal_ on meta imports torch._dynamo, ~3 s
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.Embedding)):
            w = m.parametrizations.weight.original if hasattr(m, "parametrizations") else m.weight
            nn.init.normal_(w, 0.0, 0.02)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
