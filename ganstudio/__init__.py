"""ganstudio: watch a GAN learn, and explore what it learned."""

__version__ = "0.1.0"


def load_generator(path, checkpoint=None, ema=True):
    """Load a trained generator: a run folder, a checkpoint file or an exported folder.

    Returns a :class:`ganstudio.api.Generator` (``sample``, ``latents``, ``decode``, ``z_dim``,
    ``image_shape``, ``classes``, ``step``, ``module``); see ganstudio/api.py. PyTorch is
    imported on the first call, so ``import ganstudio`` stays cheap.
    """
    from ganstudio.api import load_generator as _load

    return _load(path, checkpoint=checkpoint, ema=ema)


def __getattr__(name):  # ganstudio.Generator without importing torch at `import ganstudio`
    if name == "Generator":
        from ganstudio.api import Generator

        return Generator
    raise AttributeError(f"module 'ganstudio' has no attribute {name!r}")
