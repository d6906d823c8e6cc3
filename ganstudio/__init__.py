"""ganstudio: watch a GAN learn, and explore what it learned."""

__version__ = "0.1.0"
