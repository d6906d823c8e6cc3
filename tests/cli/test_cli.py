"""The CLI as a user runs it: real subprocesses, real files, exit codes and messages."""

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganstudio.cli import main

FAST = ["--steps", "40", "--batch-size", "32", "--log-every", "10", "--sample-every", "20"]


def test_train_resume_sample(tmp_path, ganstudio):
    rd = tmp_path / "run"
    r = ganstudio("train", "--dataset", "ring8", *FAST, "--run-dir", str(rd))
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "step 40/40" in r.stderr  # plain lines when not a TTY
    r = ganstudio("train", "--run-dir", str(rd), "--resume", "--steps", "80")
    assert r.returncode == 0, r.stderr
    assert "resuming" in r.stderr and "from step 40" in r.stderr
    steps = [json.loads(x)["step"] for x in (rd / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(10, 81, 10))

    r = ganstudio("sample", "--run", str(rd), "--n", "300", "--seed", "3", "--out", str(tmp_path / "s.npy"))
    assert r.returncode == 0, r.stderr
    x = np.load(tmp_path / "s.npy")
    assert x.shape == (300, 2) and x.dtype == np.float32
    ganstudio("sample", "--run", str(rd), "--n", "300", "--seed", "3", "--out", str(tmp_path / "t.npy"))
    assert np.array_equal(x, np.load(tmp_path / "t.npy"))  # same seed, same samples
    assert ganstudio("sample", "--run", str(rd), "--out", str(tmp_path / "s.png")).returncode == 0
    assert Image.open(tmp_path / "s.png").size == (512, 512)


def test_images_sample_in_data_space(tmp_path):
    rd = tmp_path / "run"
    assert (
        main(["train", "--dataset", "digits", "--image-size", "16", "--width", "8", *FAST, "--run-dir", str(rd)]) == 0
    )
    assert main(["sample", "--run", str(rd), "--n", "5", "--out", str(tmp_path / "d.npy")]) == 0
    x = np.load(tmp_path / "d.npy")
    assert x.shape == (5, 1, 16, 16) and x.min() >= -1 and x.max() <= 1
    assert main(["sample", "--run", str(rd), "--n", "16", "--out", str(tmp_path / "d.png")]) == 0
    assert Image.open(tmp_path / "d.png").size == (4 * 18 + 2, 4 * 18 + 2)


def test_conditional_and_augment_flags(tmp_path, ganstudio):
    on, off = tmp_path / "on", tmp_path / "off"
    assert main(["train", "--dataset", "digits", "--width", "8", *FAST, "--run-dir", str(on)]) == 0
    assert (
        main(
            [
                "train",
                "--dataset",
                "digits",
                "--width",
                "8",
                *FAST,
                "--no-conditional",
                "--augment",
                "translation,cutout",
                "--run-dir",
                str(off),
            ]
        )
        == 0
    )
    a, b = (json.loads((d / "config.json").read_text()) for d in (on, off))
    assert (a["conditional"], a["n_classes"], a["z_dim"], a["augment"]) == (True, 10, 9, "")  # the digits default
    assert (b["conditional"], b["n_classes"], b["augment"]) == (False, 0, "translation,cutout")
    # a folder has no labels: asking for a conditional model says so
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in range(4):
        Image.fromarray(np.full((8, 8), 40 * i, np.uint8)).save(folder / f"{i}.png")
    r = ganstudio(
        "train", "--dataset", f"folder:{folder}", "--conditional", "--steps", "2", "--run-dir", str(tmp_path / "f")
    )
    assert r.returncode == 1 and "needs labelled data" in r.stderr and "Traceback" not in r.stderr


def test_config_file_and_flags_beside_it(tmp_path):
    a = tmp_path / "a"
    assert main(["train", "--dataset", "ring8", *FAST, "--lr-g", "0.0005", "--run-dir", str(a)]) == 0
    b = tmp_path / "b"
    assert main(["train", "--config", str(a / "config.json"), "--steps", "20", "--run-dir", str(b)]) == 0
    cfg = json.loads((b / "config.json").read_text())
    assert cfg["lr_g"] == 0.0005 and cfg["steps"] == 20
    (tmp_path / "c.toml").write_text('dataset = "grid25"\nsteps = 10\nbatch_size = 16\n')
    assert main(["train", "--config", str(tmp_path / "c.toml"), "--run-dir", str(tmp_path / "c")]) == 0
    assert json.loads((tmp_path / "c" / "config.json").read_text())["dataset"] == "grid25"


def test_a_bad_setting_in_a_config_file_names_the_file(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('dataset = "ring8"\nlr_g = "fast"\n')
    assert main(["train", "--config", str(bad), "--steps", "5", "--run-dir", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: config key 'lr_g'" in err and "Traceback" not in err


def test_default_run_dir_under_env(tmp_path):
    assert main(["train", "--dataset", "moons", "--steps", "5"]) == 0
    runs = list(Path(os.environ["GANSTUDIO_RUNS_DIR"]).iterdir())
    assert len(runs) == 1 and runs[0].name.endswith("-moons") and (runs[0] / "config.json").exists()


@pytest.mark.parametrize(
    "args, msg",
    [
        (["train", "--dataset", "cifar10"], "unknown dataset 'cifar10'"),
        (["train", "--steps", "5"], "--dataset is required"),
        (["train", "--dataset", "ring8", "--model", "dcgan"], "2D point sets use 'mlp'"),
        (["train", "--dataset", "ring8", "--lr-g", "-1"], "lr-g must be a positive"),
        (["train", "--dataset", "folder:/nonexistent/x"], "/nonexistent/x"),
        (["train", "--dataset", "ring8", "--resume"], "--resume needs --run-dir"),
        (["train", "--dataset", "ring8", "--config", "/nonexistent.toml"], "cannot read config file"),
        (["sample", "--run", "/nonexistent", "--out", "x.npy"], "does not exist"),
        (["train", "--dataset", "moons", "--conditional"], "needs image data and model dcgan"),
        (["train", "--dataset", "digits", "--model", "mlp", "--conditional"], "needs image data and model dcgan"),
        (["train", "--dataset", "digits", "--augment", "flip"], "unknown augmentation 'flip'"),
    ],
)
def test_bad_input_gives_one_clear_line(args, msg, capsys):
    assert main(args) == 1
    err = capsys.readouterr().err
    assert msg in err and "Traceback" not in err


def test_usage_errors_exit_2(capsys):
    assert main(["train", "--loss", "bce"]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert main(["frobnicate"]) == 2


def test_existing_run_is_never_overwritten(tmp_path):
    rd = tmp_path / "run"
    assert main(["train", "--dataset", "ring8", "--steps", "5", "--run-dir", str(rd)]) == 0
    before = sorted(p.name for p in (rd / "checkpoints").iterdir())
    assert main(["train", "--dataset", "ring8", "--steps", "5", "--run-dir", str(rd)]) == 1
    assert sorted(p.name for p in (rd / "checkpoints").iterdir()) == before


class Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_pickle_checkpoint_refused_without_running_it(tmp_path):
    rd = tmp_path / "run"
    assert main(["train", "--dataset", "ring8", "--steps", "5", "--run-dir", str(rd)]) == 0
    evil = tmp_path / "model.pt"
    evil.write_bytes(pickle.dumps(Evil(tmp_path / "pwned")))
    env = dict(os.environ, TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD="1")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "ganstudio",
            "sample",
            "--run",
            str(rd),
            "--checkpoint",
            str(evil),
            "--out",
            str(tmp_path / "x.npy"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 1 and str(evil) in r.stderr and "pickle" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "pwned").exists()


def test_ctrl_c_saves_and_exits_quickly(tmp_path):
    rd = tmp_path / "run"
    p = subprocess.Popen(
        [sys.executable, "-m", "ganstudio", "train", "--dataset", "ring8", "--steps", "10000000", "--run-dir", str(rd)],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 60
    while not (rd / "metrics.jsonl").exists() or len((rd / "metrics.jsonl").read_text().splitlines()) < 3:
        assert time.time() < deadline and p.poll() is None
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    t0 = time.time()
    _, err = p.communicate(timeout=20)
    assert time.time() - t0 < 5
    assert p.returncode == 130 and "Traceback" not in err and "--resume" in err
    ckpts = sorted((rd / "checkpoints").iterdir())
    last_step = json.loads((rd / "metrics.jsonl").read_text().splitlines()[-1])["step"]
    assert ckpts[-1].name == f"step_{last_step:07d}.safetensors"
    assert main(["sample", "--run", str(rd), "--n", "4", "--out", str(tmp_path / "x.npy")]) == 0


def test_datasets_command(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "ring8" in out and "digits" in out and "folder:PATH" in out
