"""The seeds' recipes: textbook GAN loops in bare PyTorch, written by hand (no ganstudio loop).

They are the baselines bench/real_data.py measures the project's defaults against, each
trained for the same wall-clock budget on the same data:

``mlp``            the classic MLP GAN: G z100-256-512-1024-C*H*W (ReLU, tanh out), D C*H*W-512-256-1
                   (LeakyReLU 0.2), BCE with logits (non-saturating G loss), Adam 2e-4 (0.5, 0.999),
                   batch 64. G and D are ganstudio.models' MLP pair (the same network, not a copy).
``tf-dcgan``       the TensorFlow DCGAN tutorial (tensorflow.org/tutorials/generative/dcgan) as a
                   PyTorch user would port it: G Linear(100 -> (S/4)^2*256, no bias), BN, LeakyReLU;
                   ConvT 256->128 k5 s1; ConvT 128->64 k5 s2; ConvT 64->C k5 s2, tanh (S = 28 as in the
                   tutorial; 32 and 64 work the same way). D Conv C->64 k5 s2, LeakyReLU, Dropout 0.3,
                   Conv 64->128 k5 s2, LeakyReLU, Dropout 0.3, Linear. LeakyReLU slope 0.3 (Keras'
                   default, which the tutorial uses). BCE with logits, Adam 1e-4 both (betas 0.9/0.999),
                   batch 256. Like the tutorial's train_step (one GradientTape per net over one
                   forward pass), G and D get their gradients from the same G(z) and D(G(z)) and
                   are updated together.
``pytorch-dcgan``  pytorch/examples' dcgan/main.py for colour folders: G z100 as 1x1 -> ConvT 4x4 ... ->
                   64x64 (ngf 64, BN, ReLU, tanh), D the mirror (ndf 64, BN, LeakyReLU 0.2), weights
                   N(0, 0.02), Adam 2e-4 (0.5, 0.999), batch 64 (the example's default), BCE (with
                   logits here instead of Sigmoid + BCELoss: the same loss, numerically safer).
                   32 px drops one up/down block; 28 px starts from 7x7 (first/last kernel 7).

PyTorch's own defaults everywhere a recipe says nothing (weight init of mlp/tf-dcgan, batch
norm momentum). Data: a float tensor (N, C, H, W) in [-1, 1], reshuffled every epoch, the
last partial batch kept (dropped only when it holds a single image, which batch norm refuses).

    G, stats = RECIPES["tf-dcgan"].train(data, budget_s=300, seed=0)
    x = sample(G, 2000, seed=1000)  # (2000, C, H, W) float32 numpy in [-1, 1]
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ganstudio.config import MLP_IMAGE_HIDDEN, TrainConfig
from ganstudio.latent import sample_z
from ganstudio.models import build_models

Z_DIM = 100


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


# ----------------------------------------------------------------------------- models
def mlp_pair(shape: tuple[int, int, int]) -> tuple[nn.Module, nn.Module]:
    """The classic MLP GAN, built by ganstudio.models as `train --model mlp` builds it."""
    cfg = TrainConfig(model="mlp", z_dim=Z_DIM, spectral_norm=False, **MLP_IMAGE_HIDDEN)
    return build_models(cfg, shape, seed=torch.initial_seed())  # the seed _loop set


TF_SLOPE = 0.3  # tf.keras.layers.LeakyReLU()'s default alpha


class TFGenerator(nn.Module):
    def __init__(self, shape: tuple[int, int, int], z_dim: int = Z_DIM):
        super().__init__()
        c, h, w = shape
        if h != w or h % 4:
            raise ValueError(f"tf-dcgan needs square images with a side divisible by 4, got {h}x{w}")
        self.z_dim, self.base = z_dim, h // 4
        self.project = nn.Sequential(
            nn.Linear(z_dim, self.base * self.base * 256, bias=False),
            nn.BatchNorm1d(self.base * self.base * 256),
            nn.LeakyReLU(TF_SLOPE),
        )
        self.net = nn.Sequential(
            nn.ConvTranspose2d(256, 128, 5, 1, 2, bias=False),
            nn.BatchNorm2d(128),
            nn.LeakyReLU(TF_SLOPE),
            nn.ConvTranspose2d(128, 64, 5, 2, 2, output_padding=1, bias=False),
            nn.BatchNorm2d(64),
            nn.LeakyReLU(TF_SLOPE),
            nn.ConvTranspose2d(64, c, 5, 2, 2, output_padding=1, bias=False),
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(self.project(z).view(-1, 256, self.base, self.base))


class TFDiscriminator(nn.Module):
    def __init__(self, shape: tuple[int, int, int]):
        super().__init__()
        c, h, _ = shape
        self.net = nn.Sequential(
            nn.Conv2d(c, 64, 5, 2, 2),
            nn.LeakyReLU(TF_SLOPE),
            nn.Dropout(0.3),
            nn.Conv2d(64, 128, 5, 2, 2),
            nn.LeakyReLU(TF_SLOPE),
            nn.Dropout(0.3),
            nn.Flatten(),
            nn.Linear(128 * (h // 4) ** 2, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def _pt_plan(size: int) -> tuple[int, int]:
    """(first/last kernel, number of stride-2 blocks after it) for pytorch-dcgan."""
    plans = {64: (4, 4), 32: (4, 3), 28: (7, 2)}
    if size not in plans:
        raise ValueError(f"pytorch-dcgan supports 28, 32 and 64 px images, got {size}")
    return plans[size]


class PTGenerator(nn.Module):
    def __init__(self, shape: tuple[int, int, int], z_dim: int = Z_DIM, ngf: int = 64):
        super().__init__()
        c, h, w = shape
        if h != w:
            raise ValueError(f"pytorch-dcgan needs square images, got {h}x{w}")
        k, n = _pt_plan(h)
        self.z_dim = z_dim
        ch = ngf * 2 ** (n - 1)  # 64 px: ngf*8, as in the example
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(z_dim, ch, k, 1, 0, bias=False),
            nn.BatchNorm2d(ch),
            nn.ReLU(True),
        ]
        for _ in range(n - 1):
            layers += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ch // 2), nn.ReLU(True)]
            ch //= 2
        layers += [nn.ConvTranspose2d(ch, c, 4, 2, 1, bias=False), nn.Tanh()]
        self.main = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.main(z.view(len(z), -1, 1, 1))


class PTDiscriminator(nn.Module):
    def __init__(self, shape: tuple[int, int, int], ndf: int = 64):
        super().__init__()
        c, h, _ = shape
        k, n = _pt_plan(h)
        layers: list[nn.Module] = [nn.Conv2d(c, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True)]
        ch = ndf
        for _ in range(n - 1):
            layers += [nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ch * 2), nn.LeakyReLU(0.2, True)]
            ch *= 2
        layers += [nn.Conv2d(ch, 1, k, 1, 0, bias=False)]  # the example's Sigmoid is in the loss
        self.main = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.main(x).view(-1, 1)


def _pt_weights_init(m: nn.Module) -> None:
    """pytorch/examples dcgan's weights_init."""
    name = m.__class__.__name__
    if name.find("Conv") != -1:
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif name.find("BatchNorm") != -1:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


# ----------------------------------------------------------------------------- loops
def _batches(n: int, batch: int, gen: torch.Generator):
    """Index batches of one epoch: a fresh shuffle, the last partial batch kept (unless 1 image)."""
    perm = torch.randperm(n, generator=gen)
    for i in range(0, n, batch):
        idx = perm[i : i + batch]
        if len(idx) > 1:
            yield idx


def _stats(steps: int, seen: int, n: int, seconds: float, batch: int) -> dict:
    return {
        "steps": steps,
        "images_seen": seen,
        "img_per_s": seen / max(seconds, 1e-9),
        "epochs": seen / n,
        "seconds": seconds,
        "batch_size": batch,
    }


def _loop(
    data: torch.Tensor,
    budget_s: float,
    seed: int,
    batch: int,
    device: torch.device | None,
    build: Callable[[tuple[int, int, int]], tuple[nn.Module, nn.Module]],
    optimisers: Callable[[nn.Module, nn.Module], tuple[torch.optim.Optimizer, torch.optim.Optimizer]],
    step: Callable[..., None],
) -> tuple[nn.Module, dict]:
    """Shared driver: seed, build, then epochs of shuffled batches until the wall budget is spent.
    The clock starts after the models are built and the data is on the device."""
    device = device or default_device()
    torch.manual_seed(seed)
    G, D = build(tuple(data.shape[1:]))
    G.to(device).train()
    D.to(device).train()
    opt_g, opt_d = optimisers(G, D)
    data = data.to(device)
    ones, zeros = torch.ones(batch, device=device), torch.zeros(batch, device=device)
    gen = torch.Generator().manual_seed(seed)
    n, steps, seen = len(data), 0, 0
    t0 = time.perf_counter()
    done = False
    while not done:
        for idx in _batches(n, batch, gen):
            if time.perf_counter() - t0 >= budget_s:
                done = True
                break
            real = data[idx.to(device)]
            b = len(real)
            z = torch.randn(b, G.z_dim, device=device)
            step(G, D, opt_g, opt_d, real, z, ones[:b], zeros[:b])
            steps += 1
            seen += b
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    return G.eval(), _stats(steps, seen, n, seconds, batch)


def _bce(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits.view(-1), target)  # D gives (B,) or (B, 1)


def _alternating_step(G, D, opt_g, opt_d, real, z, ones, zeros) -> None:
    """D on a real batch and a fake batch (separate forwards, as in pytorch/examples), then G
    on the same fakes with the non-saturating loss."""
    fake = G(z)
    opt_d.zero_grad()
    loss_d = _bce(D(real), ones) + _bce(D(fake.detach()), zeros)
    loss_d.backward()
    opt_d.step()
    opt_g.zero_grad()
    loss_g = _bce(D(fake), ones)
    loss_g.backward()
    opt_g.step()


def _tf_step(G, D, opt_g, opt_d, real, z, ones, zeros) -> None:
    """The TF tutorial's train_step: one forward pass, both gradients from it, both applied."""
    fake = G(z)
    real_out, fake_out = D(real), D(fake)
    gen_loss = _bce(fake_out, ones)
    disc_loss = _bce(real_out, ones) + _bce(fake_out, zeros)
    g_params, d_params = list(G.parameters()), list(D.parameters())
    g_grads = torch.autograd.grad(gen_loss, g_params, retain_graph=True)
    d_grads = torch.autograd.grad(disc_loss, d_params)
    for p, g in zip(g_params, g_grads):
        p.grad = g
    for p, g in zip(d_params, d_grads):
        p.grad = g
    opt_g.step()
    opt_d.step()


def _adam_2e4(G: nn.Module, D: nn.Module) -> tuple[torch.optim.Optimizer, torch.optim.Optimizer]:
    return (
        torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999)),
        torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999)),
    )


def train_mlp(
    data: torch.Tensor, budget_s: float, seed: int, device: torch.device | None = None
) -> tuple[nn.Module, dict]:
    return _loop(data, budget_s, seed, 64, device, mlp_pair, _adam_2e4, _alternating_step)


def train_tf_dcgan(
    data: torch.Tensor, budget_s: float, seed: int, device: torch.device | None = None
) -> tuple[nn.Module, dict]:
    def opts(G, D):
        return torch.optim.Adam(G.parameters(), lr=1e-4), torch.optim.Adam(D.parameters(), lr=1e-4)

    return _loop(data, budget_s, seed, 256, device, lambda s: (TFGenerator(s), TFDiscriminator(s)), opts, _tf_step)


def train_pytorch_dcgan(
    data: torch.Tensor, budget_s: float, seed: int, device: torch.device | None = None
) -> tuple[nn.Module, dict]:
    def build(shape):
        G, D = PTGenerator(shape), PTDiscriminator(shape)
        return G.apply(_pt_weights_init), D.apply(_pt_weights_init)

    return _loop(data, budget_s, seed, 64, device, build, _adam_2e4, _alternating_step)


@torch.no_grad()
def sample(G: nn.Module, n: int, seed: int, chunk: int = 500) -> np.ndarray:
    """n images (n, C, H, W) float32 in [-1, 1] from seeded standard-normal noise, G in eval mode."""
    z = sample_z(n, G.z_dim, seed)
    dev = next(G.parameters()).device
    was = G.training
    G.eval()
    try:
        return torch.cat([G(z[i : i + chunk].to(dev)).float().cpu() for i in range(0, n, chunk)]).numpy()
    finally:
        G.train(was)


@dataclass(frozen=True)
class Recipe:
    name: str
    train: Callable[..., tuple[nn.Module, dict]]
    what: str


RECIPES: dict[str, Recipe] = {
    "mlp": Recipe("mlp", train_mlp, "MLP GAN 256-512-1024 / 512-256, BCE, Adam 2e-4 (0.5, 0.999), batch 64"),
    "tf-dcgan": Recipe("tf-dcgan", train_tf_dcgan, "TensorFlow tutorial DCGAN, BCE, Adam 1e-4, batch 256"),
    "pytorch-dcgan": Recipe(
        "pytorch-dcgan", train_pytorch_dcgan, "pytorch/examples DCGAN ngf=ndf=64, BCE, Adam 2e-4 (0.5, 0.999), batch 64"
    ),
}
