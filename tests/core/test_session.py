"""The app's Qt-free state: the Session (config, run, run state, notifications) and the
worker's control state machine (docs/ARCHITECTURE.md, "The app's state"). No display, no PySide6."""

import dataclasses
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ganstudio.app.session import (
    FOLLOWING,
    IDLE,
    LOADING,
    PAUSED,
    RUNNING,
    STOPPED,
    IllegalTransition,
    Session,
    WorkerControl,
    form_fields,
)
from ganstudio.config import TrainConfig, control


def test_session_imports_without_qt():
    code = (
        "import sys; import ganstudio.app.session as s; s.Session(); s.WorkerControl(); "
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'shiboken'))); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_devices_and_metrics_rows_have_one_qt_free_home():
    from ganstudio.devices import available_devices, device_type
    from ganstudio.history import History, columns_from_rows

    assert available_devices()[0] == "cpu" and device_type("auto") in available_devices()
    assert device_type("no-such-device") == "cpu"
    rows = [{"step": 1, "loss_d": 0.5}, {"loss_d": 1.0}, {"step": "2", "loss_d": None, "loss_g": "0.25"}]
    steps, cols = columns_from_rows(rows, ["loss_d", "loss_g"])
    assert steps.tolist() == [1, 2] and cols["loss_g"][1] == 0.25
    h = History(["loss_d", "loss_g"])
    h.extend_rows(rows)  # opening a run reads rows the same way following one does
    assert h.steps().tolist() == steps.tolist()


# ---------------------------------------------------------------------- Session
def recorder(session):
    seen = []
    session.events.state.connect(lambda new, old: seen.append(("state", old, new)))
    session.events.config.connect(lambda names: seen.append(("config", names)))
    session.events.run.connect(lambda: seen.append(("run",)))
    session.events.error.connect(lambda msg: seen.append(("error", msg)))
    return seen


def test_state_transitions_and_notifications():
    s = Session()
    seen = recorder(s)
    assert s.state == IDLE and not s.training
    s.start_training()
    assert s.state == LOADING and s.training
    s.set_state(RUNNING)
    s.set_state(RUNNING)  # the same state again: no-op, no notification
    s.set_state(PAUSED)
    s.set_state(RUNNING)
    s.set_state(IDLE)
    assert [e for e in seen if e[0] == "state"] == [
        ("state", IDLE, LOADING),
        ("state", LOADING, RUNNING),
        ("state", RUNNING, PAUSED),
        ("state", PAUSED, RUNNING),
        ("state", RUNNING, IDLE),
    ]
    s.set_error("boom")
    assert s.error == "boom" and seen[-1] == ("error", "boom")
    s.start_training()  # a new training clears the last error
    assert s.error is None and seen[-2] == ("error", None)


@pytest.mark.parametrize(
    "path",
    [(RUNNING,), (PAUSED,), (LOADING, PAUSED), (FOLLOWING, RUNNING), (LOADING, RUNNING, LOADING), (LOADING, FOLLOWING)],
)
def test_illegal_session_transitions_raise(path):
    s = Session()
    *ok, bad = path
    for state in ok:
        s.set_state(state)
    with pytest.raises(IllegalTransition):
        s.set_state(bad)
    assert s.state == (ok[-1] if ok else IDLE)  # unchanged


def test_choosing_a_dataset_fills_its_defaults_and_asks_only_what_changed():
    s = Session()
    assert s.config.dataset == "ring8" and s.config.model == "mlp"  # starts at its dataset's defaults
    s.update(dataset="digits")
    seen = recorder(s)
    s.update(dataset="ring8")
    assert s.kind == "2d" and s.config.model == "mlp" and s.config.z_dim == 2 and s.config.image_size is None
    assert seen and seen[-1][0] == "config" and "dataset" in seen[-1][1]
    # every default left to the data (a 2D set has no held-out share: the form's row is off)
    assert s.asked() == TrainConfig(dataset="ring8", holdout=None)
    s.update(steps=123, lr_g=0.01)
    asked = s.asked()
    assert asked.steps == 123 and asked.lr_g == 0.01 and asked.lr_d is None
    s.update(dataset="digits")
    assert s.kind == "image" and s.config.image_size == 16 and s.config.steps == 5000 and s.asked().steps is None
    s.update(dataset="folder:/nowhere")  # generic image data: size and z decided when it loads
    assert s.config.image_size is None and s.config.z_dim is None and s.config.model == "dcgan"
    s.update(ema=False)  # a number shown as a checkbox
    assert s.config.ema == 0.0 and s.asked().ema == 0.0
    s.update(ema=True)
    assert s.config.ema == s.defaults["ema"] and s.asked().ema is None


def test_a_run_config_is_asked_as_is_and_continued_when_the_models_match(tmp_path):
    s = Session()
    cfg = TrainConfig(dataset="ring8", model="mlp", z_dim=2, loss="ns", lr_g=1e-3, lr_d=1e-3, ema=0.99, steps=600)
    seen = recorder(s)
    s.open_run(tmp_path, cfg, "best")
    assert s.state == FOLLOWING and s.run_path == tmp_path and s.run_config == cfg and ("run",) in seen
    assert s.applied == {} and s.asked().steps == 600  # a run's own settings are asked as they are
    s.update(steps=900, lr_g=5e-4, seed=7)
    job = s.plan_training()
    assert job.resume and job.run_dir == tmp_path and job.checkpoint == "best"
    assert job.config.steps == 900 and job.config.lr_g == 5e-4  # "override" fields come from the form
    assert job.config.seed == 0  # "keep": the run's own
    assert not s.plan_training(live=True).resume  # another process writes it: a new run, with a note
    assert "still being written" in s.plan_training(live=True).note
    s.update(z_dim=3)  # "match": another model is a new run
    assert not s.plan_training().resume


def test_hot_fields_and_resume_rules_come_from_the_metadata():
    s = Session()
    s.update(dataset="ring8")
    assert set(s.hparams()) == {"lr_g", "lr_d", "loss", "d_steps"}  # the form's paused-changeable fields
    hot = {f.name for f in dataclasses.fields(TrainConfig) if control(f) and control(f).live == "paused"}
    assert hot == {"lr_g", "lr_d", "loss", "d_steps", "gp_weight"}  # = Trainer.set_hparams' list
    names = [control(f).name for f in form_fields()]
    assert names[:4] == ["datasetCombo", "holdoutSpin", "modelCombo", "lossCombo"] and names[-1] == "tensorboardCheck"


def test_started_shows_the_resolved_config():
    s = Session()
    s.update(dataset="digits")
    s.start_training()
    cfg = TrainConfig(dataset="digits", model="dcgan", image_size=16, z_dim=9, steps=5000, ema=0.999)
    s.started(Path("/tmp/run"), cfg, "image", resumed_from=Path("/tmp/run/checkpoints/x.safetensors"))
    assert s.state == RUNNING and s.run_config == cfg and s.resumed_from.name == "x.safetensors"
    assert s.applied == {} and s.config.z_dim == 9


# ---------------------------------------------------------------------- the worker's control
def test_worker_control_pause_step_resume_stop():
    c = WorkerControl()
    assert c.state == RUNNING and c.between_steps().go
    c.set_hparams(lr_g=1.0)
    c.set_hparams(lr_g=2.0, loss="ns")  # last one wins
    cmd = c.between_steps()
    assert cmd.go and cmd.hparams == {"lr_g": 2.0, "loss": "ns"}
    assert c.between_steps().hparams == {}  # taken once
    c.pause()
    c.pause()  # again: still paused
    assert c.paused and not c.between_steps().go
    c.step()
    c.step()
    assert c.between_steps().go and c.between_steps().go and not c.between_steps().go  # two granted steps
    c.resume()
    assert c.between_steps().go
    c.stop()
    cmd = c.between_steps()
    assert c.stopped and cmd.go and cmd.stop


@pytest.mark.parametrize(
    "before, command",
    [((), "step"), (("stop",), "pause"), (("stop",), "resume"), (("pause", "stop"), "step")],
)
def test_worker_control_illegal_commands_raise(before, command):
    c = WorkerControl()
    for b in before:
        getattr(c, b)()
    state = c.state
    with pytest.raises(IllegalTransition):
        getattr(c, command)()
    assert c.state == state
    c.stop()  # stop is always allowed
    assert c.state == STOPPED


def test_worker_control_serves_checkpoints_and_generators_while_paused():
    """The worker parked in wait(): a checkpoint or a copy of G is served without going on;
    new hyper-parameters wait for Resume/Step; Stop wakes it."""
    c = WorkerControl()
    c.pause()
    got = []
    parked = threading.Event()

    def worker():
        while True:
            parked.set()
            cmd = c.wait(timeout=5)
            got.append(cmd)
            if cmd.go:
                return

    t = threading.Thread(target=worker)
    t.start()
    parked.wait(5)
    c.set_hparams(d_steps=3)
    c.request_checkpoint()
    deadline = threading.Event()
    for _ in range(100):
        if got:
            break
        deadline.wait(0.02)
    assert got and not got[0].go and got[0].checkpoint and got[0].hparams == {}
    c.request_generator(ema=False)
    for _ in range(100):
        if len(got) >= 2:
            break
        deadline.wait(0.02)
    assert not got[1].go and got[1].generator is False
    c.stop()
    t.join(5)
    assert not t.is_alive()
    assert got[-1].go and got[-1].stop and got[-1].hparams == {"d_steps": 3}
