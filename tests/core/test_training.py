import json

import numpy as np
import pytest
import torch

from ganstudio.config import TrainConfig
from ganstudio.errors import NonFiniteLossError
from ganstudio.io.checkpoint import load_checkpoint
from ganstudio.devices import pick_device
from ganstudio.training import CheckpointSaved, Finished, Samples, Scalars, Trainer
from ganstudio.training.state import to_tensors


def tiny(dataset="ring8", **kw):
    base = dict(dataset=dataset, steps=30, log_every=5, sample_every=10, checkpoint_every=10, batch_size=32)
    if dataset != "ring8":
        base |= dict(image_size=16, width=8, z_dim=8)
    return TrainConfig(**(base | kw))


@pytest.mark.parametrize("loss", ["ns", "minimax", "lsgan", "hinge", "wgan-gp"])
def test_each_loss_trains_and_changes_weights(loss):
    tr = Trainer(tiny(loss=loss, ema=0.9))
    before = [p.clone() for p in tr.G.parameters()]
    events = list(tr.run())
    assert isinstance(events[-1], Finished) and events[-1].step == 30 and events[-1].reason == "steps"
    scalars = [e for e in events if isinstance(e, Scalars)]
    assert [e.step for e in scalars] == [5, 10, 15, 20, 25, 30]
    assert all(np.isfinite(list(e.values.values())).all() for e in scalars)
    assert any(not torch.equal(a, b) for a, b in zip(before, tr.G.parameters()))
    # the EMA copy trails the live weights
    assert any(not torch.equal(a, b) for a, b in zip(tr.G_ema.parameters(), tr.G.parameters()))


@pytest.mark.parametrize("model", ["dcgan", "mlp"])
def test_images_train_with_samples(model):
    tr = Trainer(tiny("digits", model=model, d_steps=2))
    samples = [e for e in tr.run() if isinstance(e, Samples)]
    assert [s.step for s in samples] == [0, 10, 20, 30]
    assert samples[-1].samples.shape == (64, 1, 16, 16) and samples[-1].image.dtype == np.uint8
    assert samples[0].image.ndim == 3
    assert not np.array_equal(samples[0].samples, samples[-1].samples)  # it learned something


def test_fixed_noise_makes_frames_comparable():
    tr = Trainer(tiny())
    a = tr.samples().samples
    b = tr.samples().samples
    assert np.array_equal(a, b)


def test_run_dir_contents(tmp_path):
    rd = tmp_path / "run"
    tr = Trainer(tiny(keep_checkpoints=2), run_dir=rd)
    events = list(tr.run())
    cfg = json.loads((rd / "config.json").read_text())
    assert cfg["dataset"] == "ring8" and cfg["model"] == "mlp" and cfg["z_dim"] == 2  # resolved
    rows = [json.loads(line) for line in (rd / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [5, 10, 15, 20, 25, 30]
    assert all({"step", "time", "loss_d", "loss_g", "d_real", "d_fake"} <= set(r) for r in rows)
    assert all(a["time"] <= b["time"] for a, b in zip(rows, rows[1:]))
    assert sorted(p.name for p in (rd / "samples").iterdir()) == [f"step_{s:07d}.png" for s in (0, 10, 20, 30)]
    # keep-last-2, and the last one is the end of the run
    assert sorted(p.name for p in (rd / "checkpoints").iterdir()) == [
        "step_0000020.safetensors",
        "step_0000030.safetensors",
    ]
    assert [e.step for e in events if isinstance(e, CheckpointSaved)] == [0, 10, 20, 30]


def _weights(tr):
    t, _ = to_tensors(tr)
    return {k: v for k, v in t.items()}


@pytest.mark.parametrize("dataset", ["ring8", "digits"])
def test_resume_is_bitwise_identical(tmp_path, dataset):
    straight = Trainer(tiny(dataset, steps=60, ema=0.9), run_dir=tmp_path / "a")
    list(straight.run())

    first = Trainer(tiny(dataset, steps=30, ema=0.9), run_dir=tmp_path / "b")
    list(first.run())
    second = Trainer(tiny(dataset, steps=60, ema=0.9), run_dir=tmp_path / "b")
    second.load(tmp_path / "b" / "checkpoints" / "step_0000030.safetensors")
    assert second.step_count == 30
    list(second.run())

    a, b = _weights(straight), _weights(second)
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k
    rows = [json.loads(x)["step"] for x in (tmp_path / "b" / "metrics.jsonl").read_text().splitlines()]
    assert rows == sorted(set(rows))


def test_resume_drops_metric_rows_past_the_checkpoint(tmp_path):
    tr = Trainer(tiny(steps=30, checkpoint_every=20), run_dir=tmp_path / "r")
    list(tr.run())
    with open(tmp_path / "r" / "metrics.jsonl", "a") as f:
        f.write('{"step": 999, "loss')  # a torn line from a killed writer is harmless too
    tr2 = Trainer(tiny(steps=40), run_dir=tmp_path / "r")
    tr2.load(tmp_path / "r" / "checkpoints" / "step_0000020.safetensors")
    list(tr2.run())
    steps = [json.loads(x)["step"] for x in (tmp_path / "r" / "metrics.jsonl").read_text().splitlines()]
    assert steps == [5, 10, 15, 20, 25, 30, 35, 40]


def test_stop_request_and_time_limit():
    tr = Trainer(tiny(steps=10**6))
    for ev in tr.run():
        if isinstance(ev, Scalars) and ev.step >= 10:
            tr.request_stop()
        last = ev
    assert last.reason == "stopped" and 10 <= last.step <= 11
    tr = Trainer(tiny(steps=10**9, time_limit=0.3))
    assert list(tr.run())[-1].reason == "time limit"


def _poison(module):
    with torch.no_grad():
        for p in module.parameters():
            p.fill_(float("nan"))


def _nan_loss(trainer):
    """NaN D losses from now on (as a diverged run gives); returns the honest loss."""
    honest = trainer.loss
    trainer.loss = type(honest)(honest.name, lambda r, f: honest.d(r, f) * float("nan"), honest.g, honest.readout)
    return honest


def test_non_finite_loss_rolls_back_and_can_continue(tmp_path):
    # A single bad interval is skipped (tests/core/test_metrics.py); NaN that keeps coming
    # pauses: back to the last checkpoint, with a clear error.
    tr = Trainer(tiny(steps=40, checkpoint_every=10), run_dir=tmp_path / "r")
    events = tr.run()
    for ev in events:
        if isinstance(ev, CheckpointSaved) and ev.step == 20:
            break
    # The event comes once the file is committed (written in the background), a step or two
    # after the state was taken: the good weights are the file's.
    tensors, _ = load_checkpoint(ev.path)
    good = {k: tensors[f"G/{k}"] for k in tr.G.state_dict()}
    honest = _nan_loss(tr)
    with pytest.raises(NonFiniteLossError, match="NaN.*3 time"):
        for ev in events:
            pass
    # Rows 25 and 30 were skipped (updates undone), so the checkpoint at 30 holds step 20's
    # weights; row 35 made three in a row: rolled back to that checkpoint.
    assert tr.step_count == 30
    assert all(torch.equal(v, tr.G.state_dict()[k]) for k, v in good.items())
    assert all(torch.isfinite(p).all() for p in tr.D.parameters())
    tr.loss = honest
    assert list(tr.run())[-1].step == 40  # and it trains on


def test_nan_weights_are_never_checkpointed(tmp_path):
    tr = Trainer(tiny(steps=40, checkpoint_every=10, log_every=7), run_dir=tmp_path / "r")
    events = tr.run()
    for ev in events:
        if isinstance(ev, Scalars) and ev.step == 14:
            break
    _poison(tr.G)  # next comes the checkpoint at step 20, before any log row sees a loss
    with pytest.raises(NonFiniteLossError, match="weights"):
        for ev in events:
            pass
    assert tr.step_count == 10
    assert sorted(p.name for p in (tmp_path / "r" / "checkpoints").iterdir())[-1] == "step_0000010.safetensors"


def test_set_hparams_applies_and_is_logged(tmp_path):
    tr = Trainer(tiny(), run_dir=tmp_path / "r")
    assert tr.set_hparams(lr_g=1e-4, loss="hinge", d_steps=2) == {"lr_g": 1e-4, "loss": "hinge", "d_steps": 2}
    assert tr.opt_g.param_groups[0]["lr"] == 1e-4 and tr.loss.name == "hinge"
    list(tr.run())
    assert json.loads((tmp_path / "r" / "config.json").read_text())["loss"] == "hinge"
    ev = json.loads((tmp_path / "r" / "events.jsonl").read_text().splitlines()[0])
    assert ev["event"] == "set" and ev["changes"]["lr_g"] == 1e-4


def test_tiny_folder_smaller_than_a_batch(tmp_path):
    from PIL import Image

    (tmp_path / "imgs").mkdir()
    Image.new("RGB", (20, 30), (200, 10, 10)).save(tmp_path / "imgs" / "one.png")
    tr = Trainer(tiny(f"folder:{tmp_path / 'imgs'}", steps=3, batch_size=8))
    assert list(tr.run())[-1].step == 3 and tr.dataset.data.shape == (1, 3, 16, 16)


def test_device_auto_is_cpu_here():
    assert pick_device("auto").type in ("cpu", "cuda", "mps")
    assert pick_device("cpu").type == "cpu"


def test_stop_requested_before_run_is_honoured():
    tr = Trainer(tiny(steps=10**6))
    tr.request_stop()
    assert list(tr.run())[-1].reason == "stopped" and tr.step_count == 0
    assert list(Trainer(tiny(steps=5)).run())[-1].step == 5  # and a stop is consumed by its run


def test_repeated_rollbacks_restore_the_saved_optimizer_state(tmp_path):
    from ganstudio.io.checkpoint import load_checkpoint
    from ganstudio.io.rundir import RunDir

    tr = Trainer(tiny(steps=200, checkpoint_every=10), run_dir=tmp_path / "r")
    events = tr.run()
    for ev in events:
        if isinstance(ev, CheckpointSaved) and ev.step == 10:
            break
    for _ in range(2):  # each time: blow up until training pauses, then train on
        honest = _nan_loss(tr)
        with pytest.raises(NonFiniteLossError):
            for ev in events:
                pass
        step, path = RunDir(tmp_path / "r").checkpoints()[-1]
        assert tr.step_count == step
        saved, _ = load_checkpoint(path)
        now, _ = to_tensors(tr)
        assert all(torch.equal(now[k], v) for k, v in saved.items() if k.startswith("opt_"))
        tr.loss = honest
        events = tr.run()
        for ev in events:
            if isinstance(ev, Scalars):
                break
