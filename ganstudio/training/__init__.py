"""Training: the Trainer (loop.py) and what it is built from (setup.py), its checkpoint
format (state.py), its non-finite guard (guard.py), its checkpoint writer (writer.py), its
evaluations (quality.py) and the sinks that record its events (sinks.py)."""

from ganstudio.events import SCALARS, Alarm, CheckpointSaved, Evaluated, Event, Finished, Samples, Scalars
from ganstudio.training.guard import NONFINITE_PAUSE, ROLLBACK_EVERY
from ganstudio.training.loop import Trainer
from ganstudio.training.setup import (
    FIXED_NOISE_SEED,
    build_models_meta,
    choices,
    fixed_noise,
    fused_adam,
    prepare,
    resolve_for,
    versions,
)
from ganstudio.training.sinks import RunFolderLog
from ganstudio.training.writer import CheckpointWriter

__all__ = [
    "Trainer",
    "prepare",
    "resolve_for",
    "choices",
    "versions",
    "fused_adam",
    "build_models_meta",
    "fixed_noise",
    "FIXED_NOISE_SEED",
    "CheckpointWriter",
    "RunFolderLog",
    "NONFINITE_PAUSE",
    "ROLLBACK_EVERY",
    "SCALARS",
    "Scalars",
    "Samples",
    "CheckpointSaved",
    "Finished",
    "Evaluated",
    "Alarm",
    "Event",
]
