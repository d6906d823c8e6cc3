"""TensorBoard event files: `train --tensorboard` writes them live (and a resumed run keeps
writing), `export --format tensorboard` converts a run, and TensorBoard's own reader finds
the same steps and values as metrics.jsonl, evals.jsonl and samples/ hold. Without the
package, training goes on after one line saying what to install."""

import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganstudio.cli import main

pytest.importorskip(
    "tensorboard", reason="the optional extra 'tensorboard' is not installed (pip install 'ganstudio[tensorboard]')"
)
from ganstudio.io.tensorboard import event_files, read_back  # noqa: E402

TRAIN = [
    "train",
    "--dataset",
    "ring8",
    "--batch-size",
    "32",
    "--log-every",
    "5",
    "--sample-every",
    "10",
    "--eval-every",
    "10",
    "--eval-n",
    "500",
    "--checkpoint-every",
    "10",
]


def rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def check_against_run(run: Path, found: dict) -> None:
    """TensorBoard's reader holds exactly the run's own rows and grids."""
    metrics, evals = rows(run / "metrics.jsonl"), rows(run / "evals.jsonl")
    assert metrics and evals
    for key in ("loss_d", "loss_g", "d_real", "d_fake"):
        got = found["scalars"][f"train/{key}"]
        assert [s for s, _ in got] == [r["step"] for r in metrics], key
        assert np.allclose([v for _, v in got], [r[key] for r in metrics], rtol=1e-6, atol=1e-7), key
    for key in ("js", "kl", "hq", "modes"):
        got = found["scalars"][f"quality/{key}"]
        assert [s for s, _ in got] == [r["step"] for r in evals], key
        assert np.allclose([v for _, v in got], [r[key] for r in evals], rtol=1e-6, atol=1e-7), key
    images = found["images"]["samples"]
    grids = sorted((run / "samples").glob("step_*.png"))
    assert [s for s, _ in images] == [int(p.stem.split("_")[1]) for p in grids]
    for (_, data), path in zip(images, grids):
        assert np.array_equal(pixels(data), np.asarray(Image.open(path).convert("RGB")))


def test_live_resume_and_export_read_back_the_same(tmp_path, capsys):
    run = tmp_path / "run"
    assert main([*TRAIN, "--steps", "20", "--tensorboard", "--run-dir", str(run)]) == 0
    err = capsys.readouterr().err
    assert f"tensorboard: writing {run / 'tensorboard'}" in err
    assert json.loads((run / "config.json").read_text())["tensorboard"] is True
    assert len(event_files(run / "tensorboard")) == 1
    check_against_run(run, read_back(run / "tensorboard"))

    # a resumed run keeps the setting (no flag) and TensorBoard sees one history, no repeats:
    # as after a crash between step 20's rows and its checkpoint, it resumes from step 10 and
    # steps 11-20 are trained again (metrics.jsonl drops their rows; TensorBoard purges them)
    (run / "checkpoints" / "step_0000020.safetensors").unlink()
    assert main(["train", "--run-dir", str(run), "--resume", "--steps", "30"]) == 0
    assert "from step 10" in capsys.readouterr().err
    assert len(event_files(run / "tensorboard")) == 2
    live = read_back(run / "tensorboard")
    check_against_run(run, live)
    assert [s for s, _ in live["scalars"]["train/loss_d"]] == list(range(5, 31, 5))

    # converted afterwards: the same tags, steps and values
    out = tmp_path / "converted"
    assert main(["export", "--run", str(run), "--format", "tensorboard", "--out", str(out)]) == 0
    assert "6 metric rows, 3 evaluations, 4 sample grids" in capsys.readouterr().err
    converted = read_back(out)
    check_against_run(run, converted)
    assert converted["scalars"].keys() == live["scalars"].keys()
    # the default folder already holds the live files: refused, not doubled
    assert main(["export", "--run", str(run), "--format", "tensorboard"]) == 1
    assert "already holds TensorBoard event files" in capsys.readouterr().err
    # --no-tensorboard turns it off for the rest of a resumed run
    assert main(["train", "--run-dir", str(run), "--resume", "--steps", "32", "--no-tensorboard"]) == 0
    assert len(event_files(run / "tensorboard")) == 2


def test_export_of_a_run_trained_without_it(tmp_path, capsys):
    run = tmp_path / "plain"
    assert main([*TRAIN, "--steps", "10", "--run-dir", str(run)]) == 0
    assert not (run / "tensorboard").exists()
    assert json.loads((run / "config.json").read_text())["tensorboard"] is False
    assert main(["export", "--run", str(run), "--format", "tensorboard"]) == 0  # default: RUN/tensorboard
    assert "tensorboard --logdir" in capsys.readouterr().err
    check_against_run(run, read_back(run / "tensorboard"))
    assert main(["export", "--run", str(tmp_path / "nothing"), "--format", "tensorboard"]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["export", "--run", str(run), "--format", "tensorboard", "--no-ema", "--out", str(tmp_path / "x")]) == 1
    assert "do not apply" in capsys.readouterr().err


def test_without_the_package_training_goes_on(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # as if tensorboard were not installed
    run = tmp_path / "run"
    assert main([*TRAIN, "--steps", "10", "--eval-every", "0", "--tensorboard", "--run-dir", str(run)]) == 0
    err = capsys.readouterr().err
    lines = [x for x in err.splitlines() if "tensorboard" in x.lower()]
    assert lines == [
        "warning: TensorBoard event files need the tensorboard package: pip install "
        "'ganstudio[tensorboard]'; training goes on without it"
    ]
    assert rows(run / "metrics.jsonl")[-1]["step"] == 10 and not event_files(run / "tensorboard")
    assert main(["export", "--run", str(run), "--format", "tensorboard"]) == 1
    assert "pip install 'ganstudio[tensorboard]'" in capsys.readouterr().err
