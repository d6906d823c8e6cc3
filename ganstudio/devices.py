"""Which PyTorch devices this machine has: the one place the MPS probe lives (no Qt)."""

from __future__ import annotations

import torch

from ganstudio.errors import ConfigError

__all__ = ["available_devices", "device_type", "has_mps", "pick_device"]


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


def device_type(name: str = "auto") -> str:
    """The device type ``name`` means here: "auto" picks cuda, then mps, then cpu; a device
    this machine lacks gives "cpu" (training itself refuses it with a message)."""
    have = available_devices()
    if name == "auto":
        return "cuda" if "cuda" in have else "mps" if "mps" in have else "cpu"
    return name if name in have else "cpu"


def pick_device(name: str = "auto") -> torch.device:
    """'auto' picks cuda, then mps, then cpu; an unavailable explicit choice is an error."""
    mps = has_mps()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "mps" if mps else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda: no CUDA GPU is available to PyTorch on this machine")
    if name == "mps" and not mps:
        raise ConfigError("--device mps: Apple's MPS backend is not available on this machine")
    return torch.device(name)
