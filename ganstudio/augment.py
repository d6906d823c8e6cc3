"""Differentiable augmentation of what D sees (DiffAugment; Zhao et al. 2020).

On a small dataset D soon memorises the real images and its feedback to G turns into
noise. Showing D randomly translated / cut-out / recoloured versions of *both* real and
generated images (and letting G's gradient flow back through the same transform) keeps D
from memorising without teaching G to produce augmented images, because G is only ever
judged through the same random transform as the data.

A policy is a comma-separated list of ``translation``, ``cutout`` and ``color`` ("" = off).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

POLICIES = ("translation", "cutout", "color")
TRANSLATION = 0.125  # up to 1/8 of the side (2 px at 16x16), as in the paper
CUTOUT = 0.5  # side of the erased square, as a fraction of the image side


def parse_policy(policy: str | None) -> tuple[str, ...]:
    """'translation, cutout' -> ('translation', 'cutout'); ValueError names an unknown part."""
    parts = tuple(p.strip() for p in (policy or "").split(",") if p.strip())
    unknown = [p for p in parts if p not in POLICIES]
    if unknown:
        raise ValueError(f"unknown augmentation '{unknown[0]}' (choose from {', '.join(POLICIES)}, comma-separated)")
    return parts


def augment(x: torch.Tensor, policy: tuple[str, ...], generator: torch.Generator | None = None) -> torch.Tensor:
    """Apply ``policy`` to an image batch (B, C, H, W), each image with its own random draw.

    Random numbers come from ``generator`` (drawn on its device, then moved), so a run that
    checkpoints the generator resumes with the same augmentations.
    """
    for p in policy:
        x = _OPS[p](x, generator)
    return x


def _rand(shape: tuple[int, ...], x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    device = generator.device if generator is not None else x.device
    return torch.rand(shape, device=device, generator=generator, dtype=x.dtype).to(x.device)


def _translation(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    B, C, H, W = x.shape
    sy, sx = int(H * TRANSLATION + 0.5), int(W * TRANSLATION + 0.5)
    r = _rand((2, B), x, generator)
    dy = (r[0] * (2 * sy + 1)).long().clamp_(max=2 * sy) - sy  # uniform in [-sy, sy]
    dx = (r[1] * (2 * sx + 1)).long().clamp_(max=2 * sx) - sx
    # Pixels shifted in from outside repeat the border (a background, for most images).
    pad = F.pad(x, (sx, sx, sy, sy), mode="replicate")  # (B, C, H + 2sy, W + 2sx)
    rows = torch.arange(H, device=x.device)[None, :] + sy - dy[:, None]  # (B, H)
    cols = torch.arange(W, device=x.device)[None, :] + sx - dx[:, None]  # (B, W)
    idx = rows[:, :, None] * (W + 2 * sx) + cols[:, None, :]  # (B, H, W) into the flat padded image
    flat = pad.flatten(2)  # (B, C, (H + 2sy)(W + 2sx))
    return flat.gather(2, idx.flatten(1)[:, None, :].expand(B, C, H * W)).view(B, C, H, W)


def _cutout(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    B, _, H, W = x.shape
    ch, cw = int(H * CUTOUT + 0.5), int(W * CUTOUT + 0.5)
    r = _rand((2, B), x, generator)
    # The square's centre anywhere in the image (it may hang over the edge), as in the paper.
    cy = (r[0] * (H + 1 - ch % 2)).long()
    cx = (r[1] * (W + 1 - cw % 2)).long()
    ys = torch.arange(H, device=x.device)[None, :] - (cy[:, None] - ch // 2)  # (B, H)
    xs = torch.arange(W, device=x.device)[None, :] - (cx[:, None] - cw // 2)
    inside = ((ys >= 0) & (ys < ch))[:, :, None] & ((xs >= 0) & (xs < cw))[:, None, :]  # (B, H, W)
    return x * (~inside)[:, None].to(x.dtype)  # erased to 0, mid-grey in [-1, 1]


def _color(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    B = x.shape[0]
    r = _rand((3, B, 1, 1, 1), x, generator)
    x = x + (r[0] - 0.5)  # brightness
    if x.shape[1] > 1:  # saturation: grey images have none
        mean = x.mean(1, keepdim=True)
        x = (x - mean) * (r[1] * 2) + mean
    mean = x.mean((1, 2, 3), keepdim=True)
    return (x - mean) * (r[2] + 0.5) + mean  # contrast


_OPS = {"translation": _translation, "cutout": _cutout, "color": _color}
