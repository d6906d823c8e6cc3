"""Which PyTorch devices this machine has: the one place the MPS probe lives (Qt-free, rule 1)."""

from __future__ import annotations

import torch

__all__ = ["available_devices", "has_mps"]


def has_mps() -> bool:
    """Apple's MPS backend is built into this PyTorch and usable here."""
    return getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()


def available_devices() -> list[str]:
    """Device names present here, in the order ``auto`` prefers them after the CPU:
    ``["cpu"]``, then ``"cuda"`` and/or ``"mps"`` when available."""
    devs = ["cpu"]
    if torch.cuda.is_available():
        devs.append("cuda")
    if has_mps():
        devs.append("mps")
    return devs
