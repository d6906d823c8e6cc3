"""Where the app's files are (icons, translation catalogues): a module of its own, so a
submodule that needs one never imports the ``ganstudio.app`` package (whose window it would
import back: tests/core/test_layers.py forbids the cycle)."""

from __future__ import annotations

from pathlib import Path


def resource_path(name: str) -> Path:
    """A file of the repository's top-level resources/ folder, installed as the package
    ``ganstudio.resources`` (pyproject's package-dir maps it, for wheels and editable installs)."""
    from importlib.resources import files

    try:
        root = Path(str(files("ganstudio.resources")))
    except ModuleNotFoundError:  # an editable install made before the mapping: read the checkout
        root = Path(__file__).resolve().parents[2] / "resources"
    return root / name
