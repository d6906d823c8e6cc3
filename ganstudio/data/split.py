"""Real images a run never trains on, so what its samples are worth is measured honestly.

MNIST-format data (``fashion-mnist``, ``mnist``, ``idx:.../train-images-idx3-ubyte[.gz]``)
has its own: the ``t10k-`` files beside the training files. Other image data keeps a share
(the run's ``holdout``) out of training from the start: an item is held out when a hash of
its key (a folder's image: its path relative to the folder; else its index) falls below the
share. The choice depends on the key alone, so every load of the same data holds out the
same files whatever the order of reading, and a run's config.json (``holdout``) records it:
``ganstudio utility`` reads exactly the images training left out.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np

from ganstudio.data import Dataset, load_dataset, named
from ganstudio.errors import DatasetError

SALT = b"ganstudio-holdout-v1"  # change it and every run's held-out files change: never
_TRAIN_FILE = re.compile(r"^train-images-idx3-ubyte(\.gz)?$")


def test_file(spec: str) -> Path | None:
    """The MNIST-format test images beside a dataset's training images, when it has them."""
    if spec in named.NAMED:
        try:
            train = Path(named.find(spec))
        except DatasetError:
            return None
    elif spec.startswith("idx:"):
        train = Path(spec[4:]).expanduser()
    else:
        return None
    m = _TRAIN_FILE.match(train.name)
    if m is None:
        return None
    for suffix in (m.group(1) or "", ".gz", ""):
        test = train.with_name("t10k-images-idx3-ubyte" + suffix)
        if test.is_file():
            return test
    return None


def keys(ds: Dataset) -> list[str]:
    """What decides whether an item is held out: a folder image's relative path, else its index."""
    return list(ds.files) if ds.files is not None else [str(i) for i in range(len(ds.data))]


def held_out_mask(ds: Dataset, share: float) -> np.ndarray:
    """(N,) bool: the items a share ``share`` holds out of ``ds`` (its full, unsplit load)."""
    if share <= 0:
        return np.zeros(len(ds.data), dtype=bool)
    cut = int(share * 2**64)
    return np.array(
        [int.from_bytes(hashlib.blake2b(SALT + k.encode(), digest_size=8).digest(), "big") < cut for k in keys(ds)],
        dtype=bool,
    )


def _subset(ds: Dataset, keep: np.ndarray, name: str) -> Dataset:
    labels = ds.labels[keep] if ds.labels is not None else None
    files = tuple(f for f, k in zip(ds.files, keep) if k) if ds.files is not None else None
    return replace(ds, name=name, data=ds.data[keep], labels=labels, files=files)


def training_part(ds: Dataset, share: float) -> Dataset:
    """``ds`` less what ``share`` holds out (unchanged when the data has test files of its own
    or share is 0). A share that would leave a class without training images is refused."""
    if share <= 0 or ds.kind != "image" or test_file(ds.name) is not None:
        return ds
    out = held_out_mask(ds, share)
    if out.all():
        raise DatasetError(f"holdout {share} keeps every image of {ds.name} out of training")
    part = _subset(ds, ~out, ds.name)
    if ds.labels is not None and ds.n_classes and part.n_classes != ds.n_classes:
        raise DatasetError(f"holdout {share} leaves a class of {ds.name} without training images; use a smaller share")
    return part


def held_out(
    spec: str,
    image_size: int | None,
    channels: int | None,
    share: float,
    warn: Callable[[str], None] | None = None,
) -> tuple[Dataset, str]:
    """(the real images a run of ``spec`` never trained on, where they come from in words).
    A DatasetError saying what to do when there are none."""
    test = test_file(spec)
    if test is not None:
        from ganstudio.data import arrays

        x, y = arrays.load_idx(test, image_size, channels, warn=warn)
        names = named.NAMED[spec][0] if spec in named.NAMED else named.guess_names(str(test), y)
        return Dataset(f"idx:{test}", x, "image", labels=y, class_names=names), f"the test files ({test.name})"
    if share <= 0:
        raise DatasetError(
            f"{spec} has no held-out images: train with --holdout 0.1 (the app: Held-out share) "
            "to keep a share out of training from the start"
        )
    full = load_dataset(spec, image_size, channels, warn=warn)
    mask = held_out_mask(full, share)
    if not mask.any():
        raise DatasetError(f"holdout {share} holds out none of the {len(full.data)} images of {spec}")
    return _subset(full, mask, f"{spec} (held out)"), f"the {int(mask.sum()):,} images the run held out ({share:g})"
