"""Replay the committed fuzz corpus (tests/fuzz/corpus/TARGET/*) through the same harnesses
bench/fuzz.py fuzzes: every file loads, or is refused with a GanstudioError naming the file
(see targets.py). New findings of the fuzzer land in the corpus and are replayed here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import targets  # noqa: E402

CASES = [(name, path) for name in targets.TARGETS for path in targets.corpus_files(name)]


def test_every_target_has_a_corpus():
    assert {name for name, _ in CASES} == set(targets.TARGETS)


@pytest.mark.parametrize("name, path", CASES, ids=[f"{n}/{p.name}" for n, p in CASES])
def test_corpus_file_keeps_the_contract(name, path):
    with targets.limits(10.0, wall_factor=3):  # the fuzzer bounds CPU time at 2 s; CI gets slack (imports)
        targets.run_one(name, path.read_bytes())


def test_known_findings_are_refused_by_name(tmp_path):
    """Issue 29's findings: a damaged .npy header, and labels that do not fit, are named."""
    from ganstudio.data import load_dataset
    from ganstudio.errors import DatasetError

    bad = targets.known_bad()
    npy = tmp_path / "bad.npy"
    npy.write_bytes(bad["npy"]["bad-header-tokenerror.npy"])
    with pytest.raises(DatasetError, match="bad.npy"):
        load_dataset(f"npy:{npy}")
    images = tmp_path / "train-images-idx3-ubyte"
    images.write_bytes(targets.idx_bytes(targets.np.zeros((10, 4, 4), targets.np.uint8)))
    for name, data in bad["idx_labels"].items():
        (tmp_path / "train-labels-idx1-ubyte").write_bytes(data)
        warnings: list[str] = []
        ds = load_dataset(f"idx:{images}", warn=warnings.append)
        assert ds.labels is None, name
        assert len(warnings) == 1 and "train-labels-idx1-ubyte" in warnings[0], (name, warnings)
