"""Looking inside a 2D GAN without training it: D's field and G's gradient arrows.

Everything here runs under no parameter gradients, consumes no RNG and leaves the
models' modes as they were, so probing never changes what training does next.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ganstudio.losses import Loss


def _eval(module: nn.Module):
    class _Ctx:
        def __enter__(self):
            self.was = module.training
            module.eval()

        def __exit__(self, *exc):
            module.train(self.was)

    return _Ctx()


@torch.no_grad()
def d_field(D: nn.Module, extent: tuple[float, float], resolution: int, loss: Loss, device: torch.device) -> np.ndarray:
    """D's readout over a resolution x resolution grid covering extent (lo, hi) on both axes.

    Returns (R, R) float32; row i is y = lo + (i + 0.5) * (hi - lo) / R, column j likewise x.
    For the logistic losses the values are probabilities in [0, 1].
    """
    lo, hi = extent
    c = lo + (np.arange(resolution) + 0.5) * (hi - lo) / resolution
    xx, yy = np.meshgrid(c, c)  # (R, R): x varies along columns, y along rows
    pts = torch.from_numpy(np.stack([xx.ravel(), yy.ravel()], 1).astype(np.float32)).to(device)
    with _eval(D):
        out = loss.readout(D(pts))
    return out.view(resolution, resolution).float().cpu().numpy()  # sync point: one copy per probe


@torch.no_grad()
def g_points(G: nn.Module, z: torch.Tensor) -> np.ndarray:
    """Generated points (M, 2) for z, in eval mode (as g_arrows draws them)."""
    with _eval(G):
        return G(z).float().cpu().numpy()


def g_arrows(G: nn.Module, D: nn.Module, z: torch.Tensor, loss: Loss) -> tuple[np.ndarray, np.ndarray]:
    """Generated points for z and the direction G's loss pushes each of them: -d loss_g / d x.

    Returns (points (M, 2), arrows (M, 2)); arrows are raw gradients (scale them for display).
    """
    with _eval(G), _eval(D), torch.enable_grad():
        with torch.no_grad():
            x = G(z)
        x = x.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(loss.g(D(x)) * len(x), x)  # per-sample gradient (undo the mean)
    return x.detach().float().cpu().numpy(), (-grad).float().cpu().numpy()
