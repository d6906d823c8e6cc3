"""The Trainer's events: what every front end and sink consumes, in order, across threads.

Frozen records of plain values and numpy arrays; no torch, no Qt (docs/ARCHITECTURE.md,
"Threads": what crosses is immutable). ``ganstudio.training`` produces them; ``io/`` and
the front ends read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

SCALARS = ("loss_d", "loss_g", "d_real", "d_fake")  # the keys of Scalars.values, in this order


@dataclass(frozen=True)
class Scalars:
    step: int
    time: float  # wall seconds since the run started (continues across resumes)
    values: dict[str, float]  # loss_d, loss_g, d_real, d_fake averaged since the last row


@dataclass(frozen=True)
class Samples:
    step: int
    samples: np.ndarray  # G(fixed noise): (N, 2) points or (N, C, H, W) in [-1, 1], float32
    image: np.ndarray  # (H, W, C) uint8: the grid, or a scatter plot for 2D sets
    path: Path | None  # the PNG written, if there is a run directory


@dataclass(frozen=True)
class CheckpointSaved:
    step: int
    path: Path  # committed: the file is on disk


@dataclass(frozen=True)
class Finished:
    step: int
    reason: str  # "steps", "time limit" or "stopped"


@dataclass(frozen=True)
class Evaluated:
    step: int
    time: float
    values: dict[str, float]  # see ganstudio/metrics/evaluate.py
    best: bool  # a new best by the main metric: checkpoints/best.safetensors was written


@dataclass(frozen=True)
class Alarm:
    """A training health alarm (ganstudio/health.py): what was seen and what to try."""

    step: int
    kind: str  # "nonfinite", "d_wins", "collapse" or "memorize"
    title: str  # one line: what was seen
    advice: str  # what to try
    paused: bool = False  # training stopped because of it

    def as_row(self) -> dict:
        return {
            "step": self.step,
            "event": "alarm",
            "kind": self.kind,
            "title": self.title,
            "advice": self.advice,
            "paused": self.paused,
        }


Event = Scalars | Samples | CheckpointSaved | Evaluated | Alarm | Finished

__all__ = ["SCALARS", "Scalars", "Samples", "CheckpointSaved", "Finished", "Evaluated", "Alarm", "Event"]
