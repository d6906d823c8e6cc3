"""Compatibility: import from ganstudio.training"""

from ganstudio.training import (  # noqa: F401
    FIXED_NOISE_SEED,
    NONFINITE_PAUSE,
    ROLLBACK_EVERY,
    SCALARS,
    Alarm,
    CheckpointSaved,
    CheckpointWriter,
    Evaluated,
    Event,
    Finished,
    Samples,
    Scalars,
    Trainer,
    build_models_meta,
    choices,
    fixed_noise,
    fused_adam,
    prepare,
    versions,
)
