"""Named real datasets (``--dataset fashion-mnist``, ``--dataset mnist``), found on disk.

Nothing is downloaded: the IDX files are looked for in ``$GANSTUDIO_DATA``, the Debian
package's folder, and torchvision-style ``MNIST/raw`` / ``FashionMNIST/raw`` folders under
the working directory and ``~/.cache``. When they are not found the error says where we
looked and how to get them.
"""

from __future__ import annotations

import os
from pathlib import Path

from ganstudio.errors import DatasetError

FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
MNIST_CLASSES = tuple(str(i) for i in range(10))

# name -> (class names, description)
NAMED: dict[str, tuple[tuple[str, ...], str]] = {
    "fashion-mnist": (FASHION_CLASSES, "Zalando's 60,000 28x28 clothing images in 10 classes (IDX files on disk)"),
    "mnist": (MNIST_CLASSES, "LeCun's 60,000 28x28 handwritten digits (IDX files on disk)"),
}
# Sub-folders each name is found under (a torchvision-style root holds <folder>/raw).
_FOLDERS = {"fashion-mnist": ("fashion-mnist", "FashionMNIST", "fashion_mnist"), "mnist": ("mnist", "MNIST")}
_IMAGES = "train-images-idx3-ubyte"
_HOW = {
    "fashion-mnist": "on Debian/Ubuntu: apt-get install dataset-fashion-mnist; or put the four IDX files from "
    "github.com/zalandoresearch/fashion-mnist in $GANSTUDIO_DATA/fashion-mnist",
    "mnist": "put the IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz) in $GANSTUDIO_DATA/mnist, "
    "or point --dataset idx:PATH at them",
}


def _roots() -> list[Path]:
    roots: list[Path] = []
    if os.environ.get("GANSTUDIO_DATA"):
        roots.append(Path(os.environ["GANSTUDIO_DATA"]).expanduser())
    return roots + [
        Path("/usr/share/datasets"),
        Path.cwd(),
        Path.cwd() / "data",
        Path.home() / ".cache",
        Path.home() / ".cache" / "ganstudio",
    ]


def candidates(name: str) -> list[Path]:
    """The folders looked in for ``name``, in order."""
    return [root / sub / raw for root in _roots() for sub in _FOLDERS[name] for raw in ("", "raw")]


def find(name: str) -> str:
    """The training images file of a named dataset; DatasetError saying where we looked."""
    looked = candidates(name)
    for folder in looked:
        for file in (folder / (_IMAGES + ".gz"), folder / _IMAGES):
            if file.is_file():
                return str(file)
    where = f"{', '.join(map(str, _roots()))}, each under {'/, '.join(_FOLDERS[name])}/ or their raw/"
    if not os.environ.get("GANSTUDIO_DATA"):
        where += "; $GANSTUDIO_DATA is not set"
    raise DatasetError(f"{name}: {_IMAGES}[.gz] not found (looked in {where}). To get it: {_HOW[name]}")


def available() -> list[str]:
    """The named datasets whose files are on this machine (for the app's list)."""
    out = []
    for name in NAMED:
        try:
            find(name)
            out.append(name)
        except DatasetError:
            pass
    return out


def guess_names(path: str, labels) -> tuple[str, ...] | None:
    """Class names for an ``idx:`` file inside a named dataset's folder (e.g. the Debian
    package's fashion-mnist/), so its samples read "Sneaker", not "7"."""
    if labels is None:
        return None
    parts = {p.lower() for p in Path(path).expanduser().parts}
    for name, folders in _FOLDERS.items():
        if parts & {f.lower() for f in folders} and int(labels.max()) < len(NAMED[name][0]):
            return NAMED[name][0]
    return None
