"""Hostile checkpoints and config files from strangers: each refused with a message naming the
file, no code runs (a pickle payload would create a marker file), no crash of the CLI or app.

The checkpoint format checks themselves are unit-tested in tests/core/test_checkpoint.py and a
real `ganstudio sample` subprocess with TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 in
tests/cli/test_cli.py; here every attack goes through every door: load_generator,
Trainer.load, the CLI (sample, train --resume, train --config) and the app (open + Train).
"""

import json
import shutil

import pytest
import torch
from PySide6.QtWidgets import QPushButton

import faultkit as fk
from ganstudio.app import MainWindow
from ganstudio.cli import main
from ganstudio.config import TrainConfig
from ganstudio.errors import CheckpointError
from ganstudio.generator import load_generator
from ganstudio.training import Trainer

# Attacks only on the metadata's copy of the config: Trainer.load uses the run's own config
# (the checkpoint's is for load_generator), so for it these are refused or harmless.
CONFIG_ONLY = {"config-wrong-type", "config-unknown-key", "config-huge-model"}
# Attacks on training state only (optimiser, data order): sampling never reads them, so
# load_generator may accept them; Trainer.load (resume, the app's Train) must refuse them.
TRAINING_ONLY = {"nan-optimizer-state", "data-order-out-of-range", "position-out-of-range"}


@pytest.fixture(scope="module")
def attacks(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    good = fk.make_run(root / "good-run", steps=3)
    marker = root / "pwned"
    return root, good, marker, fk.hostile_checkpoints(root / "files", good, marker)


@pytest.fixture(autouse=True)
def _force_unsafe_torch_load(monkeypatch):
    # Would make torch.load unpickle anything; ganstudio never calls it, so nothing changes.
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")


def test_every_attack_refused_by_the_loaders(attacks):
    root, good, marker, files = attacks
    assert len(files) >= 20
    reference = load_generator(good)
    for name, path in files.items():
        if name in TRAINING_ONLY:
            assert torch.equal(
                load_generator(path).G.state_dict()["net.0.weight"], reference.G.state_dict()["net.0.weight"]
            )
        else:
            with pytest.raises(CheckpointError) as e:
                load_generator(path)
            assert str(path) in str(e.value), name
        tr = Trainer(TrainConfig(dataset="ring8", batch_size=16, log_every=1, device="cpu"))
        if name in CONFIG_ONLY:
            tr.load(path)  # same weights as the good file: nothing from the bad config is used
            assert torch.equal(tr.G_ema.state_dict()["net.0.weight"], reference.G.state_dict()["net.0.weight"])
        else:
            with pytest.raises(CheckpointError) as e:
                tr.load(path)
            assert str(path) in str(e.value), name
    assert not marker.exists()


def test_cli_refuses_each_with_one_line(attacks, capsys, tmp_path):
    root, good, marker, files = attacks
    for name, path in files.items():
        if name in TRAINING_ONLY:
            continue  # sampling does not read what they attack; the --resume loop below does
        assert (
            main(["sample", "--run", str(good.parents[1]), "--checkpoint", str(path), "--out", str(tmp_path / "x.npy")])
            == 1
        ), name
        err = capsys.readouterr().err
        assert err.startswith("ganstudio: error: ") and str(path) in err and err.count("\n") == 1, (name, err)
    assert not (tmp_path / "x.npy").exists() and not marker.exists()
    # --resume of a run whose latest checkpoint is hostile
    for name in ("pickle", "truncated-half", *sorted(TRAINING_ONLY)):
        run = tmp_path / f"run-{name}"
        shutil.copytree(good.parents[1], run)
        shutil.copy(files[name], run / "checkpoints" / "step_9999999.safetensors")
        assert main(["train", "--run-dir", str(run), "--resume", "--steps", "10000000"]) == 1, name
        err = capsys.readouterr().err
        assert "step_9999999.safetensors" in err and "Traceback" not in err, err
        assert (run / "checkpoints" / "step_9999999.safetensors").exists()  # the evidence is not touched
    assert not marker.exists()


def test_cli_refuses_hostile_config_files(tmp_path, capsys):
    for name, path in fk.hostile_configs(tmp_path / "cfg").items():
        assert main(["train", "--config", str(path), "--run-dir", str(tmp_path / name)]) == 1, name
        err = capsys.readouterr().err
        assert err.startswith("ganstudio: error: ") and err.count("\n") == 1 and "Traceback" not in err, (name, err)
        assert not (tmp_path / name / "checkpoints").exists() or not any((tmp_path / name / "checkpoints").iterdir())


def test_app_opens_hostile_runs_without_crashing(attacks, qtbot, tmp_path):
    root, good, marker, files = attacks
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    # Hostile config.json: Open refuses with a message.
    for name, cfg in fk.hostile_configs(tmp_path / "cfg").items():
        run = tmp_path / f"cfg-run-{name}"
        shutil.copytree(good.parents[1], run)
        shutil.copy(cfg, run / "config.json")
        assert not w.open_run(run), name
        assert str(run) in w.error_box.text() and w.train_button.isEnabled()
    # Hostile latest checkpoint: Open works (it reads config and curves), Train refuses it.
    for name in sorted(files):
        run = tmp_path / f"ckpt-run-{name}"
        shutil.copytree(good.parents[1], run)
        shutil.copy(files[name], run / "checkpoints" / "step_9999999.safetensors")
        fk.settle(run)
        assert w.open_run(run), name
        with qtbot.waitSignal(w.training_finished, timeout=60_000) as done:
            qtbot.mouseClick(w.findChild(QPushButton, "trainButton"), qtbot_left())
        if name in CONFIG_ONLY:  # the run's own config.json decides the model: trains and stops
            assert done.args == ["steps"], name
            continue
        assert done.args == ["error"], name
        assert "step_9999999.safetensors" in w.error_box.text(), (name, w.error_box.text())
        assert w.train_button.isEnabled() and w.thread is None
    assert not marker.exists()
    w.close()


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_hostile_metrics_and_samples_do_not_break_open(tmp_path, qtbot):
    run = tmp_path / "run"
    fk.make_run(run, steps=4)
    with open(run / "metrics.jsonl", "ab") as f:
        f.write(b"[" * 50000 + b"]" * 50000 + b"\n")  # nesting bomb
        f.write(b'{"step": "five", "loss_d": 1}\n{"loss_g": 2}\n\xff\xfe garbage\n[1, 2]\n{"step": 5, "loss_d": 0.5}\n')
    (run / "samples" / "step_0000003.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_run(run)
    assert w.progress.value() == 4 or w.progress.format().startswith("step 5")
    assert "opened" in w.progress.format()
    w.close()


def test_explorer_header_reader_refuses_hostile_files(attacks):
    """The Latent tab reads a checkpoint's header itself (has_ema): a header-size bomb or a
    truncated file must give a CheckpointError, not struct.error or a 2**62-byte read."""
    from ganstudio import explore

    root, good, marker, files = attacks
    assert explore.has_ema(good)
    for name in ("empty", "text", "truncated-header", "header-size-bomb", "pickle", "torch-save-zip"):
        with pytest.raises(CheckpointError) as e:
            explore.has_ema(files[name])
        assert str(files[name]) in str(e.value), name


def test_a_model_too_large_for_memory_is_a_clear_error(tmp_path, capsys):
    cfg = tmp_path / "huge.json"
    cfg.write_text(json.dumps({"dataset": "ring8", "g_hidden": [2**40], "steps": 3}))
    assert main(["train", "--config", str(cfg), "--run-dir", str(tmp_path / "run")]) == 1
    err = capsys.readouterr().err
    assert "the model is too large" in err and "parameters" in err and "Traceback" not in err
    assert not any((tmp_path / "run" / "checkpoints").iterdir())


def test_damaged_metrics_lines_are_dropped_on_resume(tmp_path):
    """Resuming rewrites metrics.jsonl up to the checkpoint: damaged or foreign lines (bad UTF-8,
    a nesting bomb, a string step) must not stop it (they raised before) and are dropped."""
    from ganstudio.io.rundir import RunDir

    run = tmp_path / "run"
    fk.make_run(run, steps=4)
    with open(run / "metrics.jsonl", "ab") as f:
        f.write(b"[" * 50000 + b"]" * 50000 + b'\n{"step": "five"}\n\xff\xfe\n{"step": 3.5}\n')
    rd = RunDir(run)
    assert [r["step"] for r in rd.read_metrics()] == [1, 2, 3, 4]
    tr = Trainer(TrainConfig(dataset="ring8", steps=4, batch_size=16, log_every=1, device="cpu"), run_dir=run)
    tr.load(fk.committed(run)[-1][1])
    assert fk.check_metrics_lines(fk.complete_lines(run)) == [] and fk.check_steps(run, 4) == []
