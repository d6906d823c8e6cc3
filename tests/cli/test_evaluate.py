"""`ganstudio evaluate` and the quality rows `train` writes, as a user runs them."""

import json

import pytest

from ganstudio.io.rundir import RunDir


@pytest.fixture(scope="module")
def ring_run(tmp_path_factory, ganstudio):
    rd = tmp_path_factory.mktemp("ev") / "ring"
    r = ganstudio("train", "--dataset", "ring8", "--steps", "200", "--eval-every", "100", "--run-dir", str(rd))
    assert r.returncode == 0, r.stderr
    assert "quality: modes" in r.stderr and "(new best)" in r.stderr  # evaluations are reported
    return rd


def test_evaluate_json_for_a_2d_run(ring_run, ganstudio):
    r = ganstudio("evaluate", "--run", str(ring_run), "--n", "2500", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["step"] == 200 and out["n"] == 2500 and out["dataset"] == "ring8"
    assert 0 <= out["modes"] <= 8 and out["n_modes"] == 8
    assert 0 <= out["hq"] <= 100 and 0 <= out["js"] <= 1 and out["kl"] >= 0
    again = json.loads(ganstudio("evaluate", "--run", str(ring_run), "--n", "2500", "--json").stdout)
    assert again == out  # fixed evaluation noise: the same numbers twice
    rows = RunDir(ring_run).read_evals()
    assert [r["step"] for r in rows] == [100, 200]


def test_evaluate_best_checkpoint_and_text_output(ring_run, ganstudio):
    r = ganstudio("evaluate", "--run", str(ring_run), "--checkpoint", "best")
    assert r.returncode == 0, r.stderr
    assert "modes" in r.stdout and "JS" in r.stdout


def test_evaluate_an_image_run(tmp_path, ganstudio):
    rd = tmp_path / "digits"
    r = ganstudio(
        "train", "--dataset", "digits", "--steps", "20", "--batch-size", "16", "--eval-every", "0", "--run-dir", str(rd)
    )
    assert r.returncode == 0, r.stderr
    assert not RunDir(rd).evals_path.exists()  # --eval-every 0: never
    r = ganstudio("evaluate", "--run", str(rd), "--n", "300", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for key in ("fcd", "fcd_floor", "precision", "recall", "class_coverage", "confident", "net_accuracy"):
        assert key in out, key
    assert out["fcd_n"] == 300 and out["fcd"] > out["fcd_floor"]  # 20 steps in: far from real digits
    assert out["net_accuracy"] > 0.9


@pytest.mark.parametrize(
    "args, message",
    [
        (["--n", "1"], "--n must be at least 2"),
        (["--checkpoint", "best"], "no best checkpoint"),
    ],
)
def test_evaluate_bad_arguments_say_what_is_wrong(tmp_path, args, message, ganstudio):
    rd = tmp_path / "r"
    assert (
        ganstudio("train", "--dataset", "ring8", "--steps", "10", "--eval-every", "0", "--run-dir", str(rd)).returncode
        == 0
    )
    r = ganstudio("evaluate", "--run", str(rd), *args)
    assert r.returncode == 1 and message in r.stderr and "Traceback" not in r.stderr


def test_evaluate_a_missing_run(tmp_path, ganstudio):
    r = ganstudio("evaluate", "--run", str(tmp_path / "nope"))
    assert r.returncode == 1 and "does not exist" in r.stderr
