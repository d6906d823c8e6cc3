"""GAN objectives as pure functions of D's raw outputs (logits / critic scores).

Each loss gives ``d(real, fake) -> loss_d`` and ``g(fake) -> loss_g``; the gradient penalty
of WGAN-GP needs D itself and lives in ``gradient_penalty``. ``readout`` maps raw outputs
to what the UI plots as D(x) and D(G(z)): a probability for the logistic losses, the raw
score otherwise (LSGAN's targets are 1/0, so it reads the same way).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


@dataclass(frozen=True)
class Loss:
    name: str
    d: Callable[[Tensor, Tensor], Tensor]
    g: Callable[[Tensor], Tensor]
    readout: Callable[[Tensor], Tensor]
    gradient_penalty: bool = False


def _logistic_d(real: Tensor, fake: Tensor) -> Tensor:
    # -log D(x) - log(1 - D(G(z))) with D = sigmoid(logit), in a numerically stable form
    return F.softplus(-real).mean() + F.softplus(fake).mean()


LOSSES: dict[str, Loss] = {
    # Non-saturating (Goodfellow et al. 2014, sec. 3): G maximises log D(G(z)).
    "ns": Loss("ns", _logistic_d, lambda f: F.softplus(-f).mean(), torch.sigmoid),
    # The original min-max game: G minimises log(1 - D(G(z))) = -softplus(logit).
    "minimax": Loss("minimax", _logistic_d, lambda f: -F.softplus(f).mean(), torch.sigmoid),
    # Least squares (Mao et al. 2017), a-b-c = 0-1-1.
    "lsgan": Loss(
        "lsgan",
        lambda r, f: 0.5 * ((r - 1) ** 2).mean() + 0.5 * (f**2).mean(),
        lambda f: 0.5 * ((f - 1) ** 2).mean(),
        lambda x: x,
    ),
    # Hinge (Lim & Ye 2017; used by SAGAN/BigGAN).
    "hinge": Loss("hinge", lambda r, f: F.relu(1 - r).mean() + F.relu(1 + f).mean(), lambda f: -f.mean(), lambda x: x),
    # Wasserstein with gradient penalty (Gulrajani et al. 2017).
    "wgan-gp": Loss(
        "wgan-gp", lambda r, f: f.mean() - r.mean(), lambda f: -f.mean(), lambda x: x, gradient_penalty=True
    ),
}


def get(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss '{name}' (choose from {', '.join(LOSSES)})") from None


def gradient_penalty(
    d: Callable[[Tensor], Tensor], real: Tensor, fake: Tensor, generator: torch.Generator | None = None
) -> Tensor:
    """E[(||grad D(x_hat)||_2 - 1)^2] at random points between real and fake samples."""
    shape = (real.shape[0],) + (1,) * (real.dim() - 1)
    # Drawn where the generator lives (a CPU generator on MPS), then moved.
    device = generator.device if generator is not None else real.device
    alpha = torch.rand(shape, device=device, generator=generator, dtype=real.dtype).to(real.device)
    x_hat = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(d(x_hat).sum(), x_hat, create_graph=True)
    return ((grad.flatten(1).norm(2, dim=1) - 1) ** 2).mean()
