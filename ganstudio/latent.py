"""Latent-space utilities: seeded z sampling (more arrives with the latent explorer)."""

from __future__ import annotations

import torch


def sample_z(n: int, z_dim: int, seed: int) -> torch.Tensor:
    """n standard-normal latents from a seed: the same seed always gives the same z, on any device."""
    return torch.randn(n, z_dim, generator=torch.Generator().manual_seed(seed))
