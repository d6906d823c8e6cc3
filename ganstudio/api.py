"""The public Python API: use a trained generator from your own code.

    import ganstudio
    g = ganstudio.load_generator("runs/fashion")   # a run folder, a checkpoint or an exported folder
    x = g.sample(16, seed=0)                        # (16, C, H, W) float32 in [-1, 1], numpy
    x = g.sample(16, seed=0, cls="Sneaker")         # conditional generators: a class by index or name
    z = g.latents(16, seed=0); x = g.decode(z)      # the same z the app and the CLI use for a seed

What this module promises stays stable across versions: ``load_generator`` and the
``Generator`` attributes and methods below. Everything else in the package is internal.
Seeds give the same outputs as ``ganstudio sample --seed S`` (and the same latents as the
app's Latent tab and ``ganstudio interpolate``). Loading never unpickles (the same checks
as every ganstudio command: a bad path or file raises a :class:`ganstudio.errors.GanstudioError`,
a refused checkpoint its subclass :class:`ganstudio.errors.CheckpointError`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from ganstudio.errors import GanstudioError

__all__ = ["Generator", "load_generator"]


class Generator:
    """A trained generator, on the CPU in eval mode (move ``module`` to another device if
    you like: ``decode`` follows it).

    Attributes:
        z_dim: the latent size Z.
        image_shape: one sample's shape: (C, H, W) for images; (2,) for 2D point sets,
            whose samples are (N, 2) points in data space.
        classes: the class names of a conditional generator, in index order ("0".."9" for
            digits); () when it is unconditional.
        step: the training step the weights are from.
        ema: whether these are the EMA weights (the default whenever the run kept an EMA).
        kind: "image" or "2d".
        config: the run's resolved training config (a dict, as in its config.json).
        path: the file the weights were read from.
        module: the plain ``torch.nn.Module``: (B, Z) float32 latents -> (B, *image_shape).
            A conditional module draws its class from z[0] (see ``latents``).
    """

    def __init__(self, loaded):
        from ganstudio.generator import class_names

        self._lg = loaded  # ganstudio.generator.LoadedGenerator (internal)
        self.module: nn.Module = loaded.G
        self.z_dim: int = int(loaded.cfg.z_dim)
        self.image_shape: tuple[int, ...] = tuple(int(s) for s in loaded.meta["sample_shape"])
        self.classes: tuple[str, ...] = tuple(class_names(loaded.cfg))
        self.step: int = loaded.step
        self.ema: bool = bool(loaded.ema)
        self.kind: str = "2d" if loaded.is_2d else "image"
        self.path: Path = Path(loaded.path)

    @property
    def config(self) -> dict[str, Any]:
        import dataclasses

        return dataclasses.asdict(self._lg.cfg)

    def __repr__(self) -> str:
        what = f"{len(self.classes)} classes" if self.classes else "unconditional"
        return (
            f"<ganstudio.Generator {self.kind} {'x'.join(map(str, self.image_shape))}, z {self.z_dim}, {what}, "
            f"step {self.step}{', EMA' if self.ema else ''} from {self.path}>"
        )

    def class_index(self, cls: int | str) -> int:
        """A class by index (7 or "7") or by name ("Sneaker", any case) -> its index."""
        from ganstudio.latent import class_index

        return class_index(cls, list(self.classes), len(self.classes))

    def latents(self, n: int, seed: int = 0, cls: int | str | None = None) -> np.ndarray:
        """(n, Z) float32 latents of a seed: the same z the app shows and ``ganstudio sample``
        uses for that seed. With ``cls`` (conditional generators) z[0] is set to that class's
        value, as ``ganstudio sample --class`` does."""
        from ganstudio.latent import sample_z, with_class

        if int(n) < 0:
            raise ValueError(f"n must be 0 or more, got {n}")
        z = sample_z(int(n), self.z_dim, int(seed))
        if cls is not None:
            z = with_class(z, self.module, self.class_index(cls))
        return z.numpy()

    def decode(self, z: np.ndarray | torch.Tensor | Sequence[float]) -> np.ndarray:
        """Latents (N, Z) (or one latent (Z,)) -> samples (N, *image_shape) float32 numpy:
        images in [-1, 1], or (N, 2) points for 2D sets."""
        from ganstudio.generator import generate

        t = torch.as_tensor(np.asarray(z, dtype=np.float32) if not torch.is_tensor(z) else z, dtype=torch.float32)
        if t.ndim == 1:
            t = t[None]
        if t.ndim != 2 or t.shape[1] != self.z_dim:
            raise ValueError(f"z must be (N, {self.z_dim}) or ({self.z_dim},), got shape {tuple(t.shape)}")
        try:
            device = next(self.module.parameters()).device
        except StopIteration:
            device = torch.device("cpu")
        if not len(t):
            return np.zeros((0, *self.image_shape), dtype=np.float32)
        return generate(self.module, t.to(device)).cpu().numpy().astype(np.float32)

    def sample(self, n: int, seed: int = 0, cls: int | str | None = None) -> np.ndarray:
        """n samples of a seed, (n, *image_shape) float32: images (n, C, H, W) in [-1, 1],
        or (n, 2) points for 2D sets. The same as ``ganstudio sample --n n --seed seed
        [--class cls]`` writes to .npy."""
        return self.decode(self.latents(n, seed, cls))


def load_generator(path: str | Path, checkpoint: str | Path | None = None, ema: bool = True) -> Generator:
    """Load a trained generator.

    ``path``: a run folder (its latest checkpoint; ``checkpoint="best"`` for its best one,
    or a checkpoint file's path), a checkpoint file, or a folder written by
    ``ganstudio export --format folder``. ``ema``: the EMA weights when the run kept them
    (the default; ``False`` for the raw generator). Raises GanstudioError (CheckpointError
    for a file that cannot be trusted or does not fit its config) with a message naming
    the file; nothing is ever unpickled.
    """
    from ganstudio.generator import find_checkpoint
    from ganstudio.generator import load_generator as _load

    p = Path(path).expanduser()
    if p.is_dir() or checkpoint is not None:
        ckpt = find_checkpoint(p, checkpoint)
    elif p.exists():
        ckpt = p
    else:
        raise GanstudioError(f"{p} does not exist (give a run folder, a checkpoint or an exported folder)")
    return Generator(_load(ckpt, ema=ema))
