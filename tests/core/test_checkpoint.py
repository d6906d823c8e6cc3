import errno
import json
import os
import pickle
import struct

import pytest
import torch
from safetensors.torch import save_file

from ganstudio.config import TrainConfig
from ganstudio.errors import CheckpointError
from ganstudio.io.checkpoint import load_checkpoint, read_metadata, save_checkpoint
from ganstudio.generator import load_generator
from ganstudio.training import Trainer


@pytest.fixture
def trained(tmp_path):
    tr = Trainer(TrainConfig(dataset="ring8", steps=20, batch_size=32), run_dir=tmp_path / "run")
    list(tr.run())
    return tr, tmp_path / "run" / "checkpoints" / "step_0000020.safetensors"


class Evil:
    """Unpickling this would create a marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_round_trip(trained):
    tr, path = trained
    tensors, meta = load_checkpoint(path)
    assert meta["step"] == 20 and meta["config"]["dataset"] == "ring8" and meta["versions"]["torch"]
    assert read_metadata(path) == meta
    lg = load_generator(path)
    assert lg.ema and lg.step == 20
    z = torch.randn(5, 2)
    assert torch.equal(lg.G(z), tr.G_ema.eval()(z))


def test_atomic_write_leaves_no_temp_files(tmp_path):
    save_checkpoint(tmp_path / "a.safetensors", {"x": torch.ones(3)}, {"step": 1})
    assert [p.name for p in tmp_path.iterdir()] == ["a.safetensors"]


def test_a_failed_write_is_an_oserror_and_keeps_the_old_file(tmp_path, monkeypatch):
    with pytest.raises(OSError):  # a missing folder: safetensors' own error, as an OSError
        save_checkpoint(tmp_path / "missing" / "b.safetensors", {"x": torch.ones(3)}, {"step": 1})
    path = tmp_path / "a.safetensors"
    save_checkpoint(path, {"x": torch.ones(3)}, {"step": 1})

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)  # a full disk shows when the data is flushed
    with pytest.raises(OSError, match="space"):  # what the trainer turns into a message naming the file
        save_checkpoint(path, {"x": torch.zeros(3)}, {"step": 2})
    monkeypatch.undo()
    tensors, meta = load_checkpoint(path)
    assert meta["step"] == 1 and torch.equal(tensors["x"], torch.ones(3))
    assert [p.name for p in tmp_path.iterdir()] == ["a.safetensors"]  # no temp file left behind


@pytest.mark.parametrize("env", [False, True])
def test_pickles_are_refused_and_never_run(tmp_path, monkeypatch, env):
    if env:
        monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    marker = tmp_path / "pwned"
    raw = tmp_path / "evil.safetensors"
    raw.write_bytes(pickle.dumps(Evil(str(marker))))
    zipped = tmp_path / "evil.pt"
    torch.save({"x": Evil(str(marker))}, zipped)
    for f in (raw, zipped):
        with pytest.raises(CheckpointError, match="pickle|zip") as e:
            load_generator(f)
        assert str(f) in str(e.value)
    assert not marker.exists()


def _header_file(path, header: dict, payload: bytes = b""):
    h = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(h)) + h + payload)
    return path


def test_malformed_files(tmp_path, trained):
    _, good = trained
    data = good.read_bytes()
    cases = {
        "empty": b"",
        "truncated": data[: len(data) // 2],
        "bomb": struct.pack("<Q", 2**62) + b"{}",
        "text": b"hello, this is not a checkpoint at all",
    }
    for name, blob in cases.items():
        p = tmp_path / f"{name}.safetensors"
        p.write_bytes(blob)
        with pytest.raises(CheckpointError) as e:
            load_generator(p)
        assert str(p) in str(e.value), name
    overlap = _header_file(
        tmp_path / "overlap.safetensors",
        {
            "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
            "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]},
        },
        b"\0" * 12,
    )
    with pytest.raises(CheckpointError, match="malformed"):
        load_checkpoint(overlap)
    with pytest.raises(CheckpointError):
        load_checkpoint(tmp_path)  # a folder
    with pytest.raises(CheckpointError, match="cannot read"):
        load_checkpoint(tmp_path / "missing.safetensors")


def test_plain_safetensors_without_our_metadata(tmp_path):
    p = tmp_path / "other.safetensors"
    save_file({"w": torch.ones(2)}, p)
    with pytest.raises(CheckpointError, match="not a ganstudio checkpoint"):
        load_generator(p)


def _tampered(trained, tmp_path, edit):
    _, good = trained
    tensors, meta = load_checkpoint(good)
    edit(tensors, meta)
    p = tmp_path / "tampered.safetensors"
    save_checkpoint(p, tensors, {k: v for k, v in meta.items() if k != "format"})
    return p


def test_wrong_shapes_and_dtypes_are_refused(trained, tmp_path):
    keys = [k for k in load_checkpoint(trained[1])[0] if k.endswith("net.0.weight") and k.startswith(("G", "D"))]

    def shape(t, m):
        for k in keys:
            t[k] = torch.zeros(3, 3)

    def dtype(t, m):
        for k in keys:
            t[k] = t[k].double()

    for edit in (shape, dtype):
        p = _tampered(trained, tmp_path, edit)
        with pytest.raises(CheckpointError, match="fit"):
            load_generator(p)
        tr = Trainer(TrainConfig(dataset="ring8", steps=20, batch_size=32))
        with pytest.raises(CheckpointError, match="fit"):
            tr.load(p)


def test_nan_weights_are_refused(trained, tmp_path):
    def nan(t, m):
        k = next(k for k in t if k.startswith("G_ema/"))
        t[k] = torch.full_like(t[k], float("nan"))

    with pytest.raises(CheckpointError, match="NaN"):
        load_generator(_tampered(trained, tmp_path, nan))


def test_bad_stored_config_is_refused(trained, tmp_path):
    def bad(t, m):
        m["config"]["lr_g"] = "fast"

    with pytest.raises(CheckpointError, match="config"):
        load_generator(_tampered(trained, tmp_path, bad))


def test_newer_format_is_refused(tmp_path):
    p = tmp_path / "future.safetensors"
    save_file({"w": torch.ones(1)}, p, metadata={"ganstudio": json.dumps({"format": 99})})
    with pytest.raises(CheckpointError, match="newer"):
        read_metadata(p)


def test_a_new_session_clears_temp_files_of_a_killed_one(tmp_path):
    """kill -9 mid-write leaves our .NAME.tmpPID and safetensors' own .tmpXXXXXX behind."""
    from ganstudio.io.rundir import RunDir

    rd = RunDir(tmp_path / "run").create()
    left = [rd.checkpoints_dir / ".step_0000010.safetensors.tmp123", rd.checkpoints_dir / ".tmpGbG8uF"]
    left.append(rd.path / ".config.json.tmp77")
    for p in left:
        p.write_bytes(b"partial")
    keep = rd.checkpoints_dir / "step_0000005.safetensors"
    keep.write_bytes(b"x")
    RunDir(rd.path).create()
    assert not any(p.exists() for p in left) and keep.exists()
