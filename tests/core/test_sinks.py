"""The Trainer's sinks: the run folder's log and TensorBoard consume its events, attached by
the Trainer itself."""

import dataclasses
import json
import sys

import pytest

from ganstudio.config import TrainConfig
from ganstudio.training import Trainer, fixed_noise


def tiny(**kw):
    return TrainConfig(**(dict(dataset="ring8", steps=20, log_every=5, sample_every=10, batch_size=32) | kw))


def rows(path):
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_the_fixed_noise_has_one_owner():
    tr = Trainer(tiny(n_samples=16, seed=3))
    assert fixed_noise(16, tr.cfg.z_dim, 3).equal(tr.fixed_z.cpu())


def test_log_event_is_a_row_of_events_jsonl(tmp_path):
    tr = Trainer(tiny(), run_dir=tmp_path / "r")
    tr.log_event("distributed", world_size=2, backend="gloo")
    list(tr.run())
    assert rows(tmp_path / "r" / "events.jsonl") == [
        {"step": 0, "time": 0.0, "event": "distributed", "world_size": 2, "backend": "gloo"}
    ]
    Trainer(tiny()).log_event("anything", x=1)  # without a run folder: nothing to write, no error


def test_tensorboard_sink_is_the_trainers_own(tmp_path):
    pytest.importorskip("tensorboard")
    from ganstudio.io.tensorboard import event_files, read_back

    run = tmp_path / "r"
    tr = Trainer(tiny(tensorboard=True), run_dir=run)
    said = []
    tr.say = said.append
    list(tr.run())
    folder = run / "tensorboard"
    assert said == [f"tensorboard: writing {folder} (view with: tensorboard --logdir {folder})"]
    assert tr.tensorboard is None  # closed with its run()
    found = read_back(run / "tensorboard")
    assert [s for s, _ in found["scalars"]["train/loss_d"]] == [r["step"] for r in rows(run / "metrics.jsonl")]
    assert [s for s, _ in found["images"]["samples"]] == [0, 10, 20]
    assert len(event_files(run / "tensorboard")) == 1


def test_tensorboard_missing_is_said_once(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # as if tensorboard were not installed
    warned = []
    tr = Trainer(tiny(tensorboard=True), run_dir=tmp_path / "r", warn=warned.append)
    list(tr.run())
    tr.cfg = dataclasses.replace(tr.cfg, steps=30)
    list(tr.run())
    assert len(warned) == 1 and "pip install 'ganstudio[tensorboard]'" in warned[0]
    assert rows(tmp_path / "r" / "metrics.jsonl")[-1]["step"] == 30
