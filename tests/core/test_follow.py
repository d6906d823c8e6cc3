"""RunFollower against real writers: a Trainer writing a run, and the awkward cases by hand."""

import io
import json
import os

import numpy as np
from PIL import Image

from ganstudio.config import TrainConfig
from ganstudio.io.checkpoint import atomic_write_bytes
from ganstudio.io.follow import JsonlTail, RunFollower
from ganstudio.io.rundir import RunDir
from ganstudio.training import CheckpointSaved, Samples, Scalars, Trainer


def test_follows_a_trainer_event_by_event(tmp_path):
    cfg = TrainConfig(dataset="ring8", steps=60, batch_size=32, log_every=10, sample_every=20, checkpoint_every=30)
    tr = Trainer(cfg, run_dir=tmp_path / "run")
    f = RunFollower(tmp_path / "run")
    assert not f.poll().changed  # nothing written yet
    seen_rows, seen_samples, seen_ckpts = [], [], []
    for ev in tr.run():
        u = f.poll()  # the writer has just finished this event
        assert not u.reset and u.error is None
        seen_rows += [r["step"] for r in u.rows]
        if u.sample:
            seen_samples.append(u.sample[0])
        if u.checkpoint:
            seen_ckpts.append(u.checkpoint[0])
        if isinstance(ev, Scalars):
            assert seen_rows[-1] == ev.step and f.step == ev.step
        elif isinstance(ev, Samples):
            assert seen_samples[-1] == ev.step and u.sample[1] == ev.path
        elif isinstance(ev, CheckpointSaved):
            assert seen_ckpts[-1] == ev.step and u.checkpoint[1] == ev.path
    assert seen_rows == [10, 20, 30, 40, 50, 60]
    assert seen_samples == [0, 20, 40, 60]
    assert seen_ckpts == [0, 30, 60]
    assert not f.poll().changed
    assert 0 <= f.updated_ago() < 60

    # A resume rewrites metrics.jsonl up to its checkpoint: the follower starts over.
    tr2 = Trainer(cfg, run_dir=tmp_path / "run")
    tr2.load(RunDir(tmp_path / "run").checkpoint_path(30))
    u = f.poll()
    assert u.reset and [r["step"] for r in u.rows] == [10, 20, 30] and f.step == 30


def _line(step: int) -> bytes:
    return (json.dumps({"step": step, "loss_d": 1.0}) + "\n").encode()


def test_only_complete_lines_rewrites_and_rotation(tmp_path):
    path = tmp_path / "metrics.jsonl"
    tail = JsonlTail(path)
    assert tail.read() == ([], False)  # no file yet
    with open(path, "ab") as w:
        w.write(_line(1) + _line(2)[:7])  # a row half written
        w.flush()
        rows, reset = tail.read()
        assert [r["step"] for r in rows] == [1] and not reset
        assert tail.read() == ([], False)
        w.write(_line(2)[7:] + _line(3))
        w.flush()
        rows, reset = tail.read()
        assert [r["step"] for r in rows] == [2, 3] and not reset

    # rewritten shorter in place (truncation)
    with open(path, "wb") as w:
        w.write(_line(1))
    rows, reset = tail.read()
    assert reset and [r["step"] for r in rows] == [1]

    # replaced atomically by a file going back in steps: a rewrite
    with open(path, "ab") as w:
        w.write(_line(2) + _line(3) + _line(4))
    assert [r["step"] for r in tail.read()[0]] == [2, 3, 4]
    atomic_write_bytes(path, _line(1) + _line(2) + _line(3) + _line(5))  # same size or larger, new file
    rows, reset = tail.read()
    assert reset and [r["step"] for r in rows] == [1, 2, 3, 5]

    # a sync client (rsync) replaces the file with a longer copy of it: only the new rows
    atomic_write_bytes(path, path.read_bytes() + _line(6) + _line(7)[:5])
    rows, reset = tail.read()
    assert not reset and [r["step"] for r in rows] == [6]
    atomic_write_bytes(path, path.read_bytes()[:-5] + _line(7) + _line(8))
    rows, reset = tail.read()
    assert not reset and [r["step"] for r in rows] == [7, 8]
    path.write_bytes(_line(1) + _line(2) + _line(3) + _line(5) + _line(6) + _line(7) + _line(8))
    atomic_write_bytes(path, _line(1) + _line(2) + _line(3) + _line(5) + _line(6))  # rewritten by a resume
    rows, reset = tail.read()
    assert reset and [r["step"] for r in rows] == [1, 2, 3, 5, 6] and tail.last_step == 6

    # rotated: the old file moves away, a new one goes on with later steps
    os.replace(path, tmp_path / "metrics.jsonl.1")
    path.write_bytes(_line(7) + _line(8))
    rows, reset = tail.read()
    assert not reset and [r["step"] for r in rows] == [7, 8] and tail.last_step == 8


def _png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((8, 8), 200, np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def test_newest_complete_sample_and_committed_checkpoint(tmp_path):
    rd = RunDir(tmp_path / "run").create()
    f = RunFollower(rd.path)
    png = _png_bytes()
    rd.sample_path(10).write_bytes(png)
    assert f.poll().sample == (10, rd.sample_path(10))
    rd.sample_path(20).write_bytes(png[: len(png) // 2])  # being written
    u = f.poll()
    assert u.sample is None and f.sample[0] == 10
    with open(rd.sample_path(20), "ab") as w:
        w.write(png[len(png) // 2 :])
    assert f.poll().sample == (20, rd.sample_path(20))

    # a checkpoint counts once it is renamed into place, never as its temporary file
    final = rd.checkpoint_path(20)
    tmp = final.with_name(f".{final.name}.tmp{os.getpid()}")
    tmp.write_bytes(b"partial")
    assert f.poll().checkpoint is None
    os.replace(tmp, final)
    assert f.poll().checkpoint == (20, final)
    assert f.poll().checkpoint is None  # reported once


def test_a_missing_folder_is_not_an_error_until_it_appears(tmp_path):
    f = RunFollower(tmp_path / "later")
    u = f.poll()
    assert not u.changed and u.error is None
    rd = RunDir(tmp_path / "later").create()
    rd.append_jsonl(rd.metrics_path, [{"step": 5, "loss_d": 0.5}])
    assert [r["step"] for r in f.poll().rows] == [5]
