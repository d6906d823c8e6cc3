"""`ganstudio synth` and `ganstudio utility` as a user runs them: a real tiny run, the exported
folder trained on again, the refusals, RUN/utility.json."""

import json

import pytest


@pytest.fixture(scope="module")
def cond_run(tmp_path_factory, ganstudio):
    run = tmp_path_factory.mktemp("synth") / "run"
    r = ganstudio(
        "train", "--dataset", "digits", "--conditional", "--holdout", "0.2", "--steps", "6", "--batch-size", "16",
        "--eval-every", "0", "--run-dir", str(run),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return run


def test_synth_writes_a_folder_that_trains_again_with_its_classes(cond_run, tmp_path, ganstudio):
    out = tmp_path / "set"
    # a 6-step G draws noise the classifier would not name, so its own classes label the set
    args = ["synth", "--run", str(cond_run), "--per-class", "3", "--label-by", "generator", "--balance", "equal"]
    args += ["--seed", "2"]
    r = ganstudio(*args, "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "wrote" in r.stderr and "30 images as folder, 10 classes" in r.stderr
    m = json.loads((out / "manifest.json").read_text())
    assert m["step"] == 6 and m["seed"] == 2 and m["filter"] is None and len(m["checkpoint_sha256"]) == 64
    assert m["labels"] == "generator's classes" and m["balance"] == "equal"
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [str(k) for k in range(10)]
    same = tmp_path / "same"
    assert ganstudio(*args, "--out", str(same)).returncode == 0
    assert (same / "manifest.json").read_bytes() == (out / "manifest.json").read_bytes()
    assert (same / "7" / "000021.png").read_bytes() == (out / "7" / "000021.png").read_bytes()

    again = tmp_path / "again"
    r = ganstudio(
        "train", "--dataset", f"folder:{out}", "--conditional", "--image-size", "16", "--steps", "2",
        "--batch-size", "8", "--eval-every", "0", "--run-dir", str(again),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    cfg = json.loads((again / "config.json").read_text())
    assert cfg["n_classes"] == 10 and cfg["class_names"] == [str(k) for k in range(10)]


def test_synth_refuses_what_it_cannot_do_in_one_line(cond_run, tmp_path, ganstudio):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    r = ganstudio("synth", "--run", str(cond_run), "--n", "5", "--out", str(out))
    assert r.returncode == 1 and r.stderr.strip().endswith("exists; add --force to replace it")
    r = ganstudio("synth", "--run", str(cond_run), "--n", "5", "--out", str(out), "--force")
    assert r.returncode == 1 and "not a dataset written by ganstudio synth" in r.stderr
    assert (out / "mine.txt").read_text() == "keep me"
    r = ganstudio("synth", "--run", str(cond_run), "--n", "5", "--filter", "sharp", "--out", str(tmp_path / "x"))
    assert r.returncode == 1 and "use confident:P" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_per_class_on_an_unconditional_run_needs_label_by(tmp_path, ganstudio):
    run = tmp_path / "plain"
    r = ganstudio(
        "train", "--dataset", "digits", "--no-conditional", "--steps", "2", "--batch-size", "8", "--eval-every", "0",
        "--run-dir", str(run),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = ganstudio("synth", "--run", str(run), "--per-class", "3", "--out", str(tmp_path / "o"))
    assert r.returncode == 1 and "--per-class needs labels" in r.stderr and "--label-by features" in r.stderr
    r = ganstudio("synth", "--run", str(run), "--n", "4", "--format", "npz", "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    assert "labels: none" in r.stderr and (tmp_path / "o" / "data.npz").is_file()
    r = ganstudio("synth", "--run", str(run), "--n", "4", "--balance", "hard", "--out", str(tmp_path / "p"))
    assert r.returncode == 1 and "--balance hard needs labels" in r.stderr and not (tmp_path / "p").exists()


def test_utility_writes_its_figures_against_the_held_out_share(cond_run, ganstudio):
    r = ganstudio(
        "utility", "--run", str(cond_run), "--per-class", "20", "--label-by", "generator", "--updates", "20",
        "--subsets", "0.05", "--ratios", "0,1", "--leak-n", "50",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    u = json.loads((cond_run / "utility.json").read_text())
    assert u["step"] == 6 and "held out (0.2)" in u["held_out"]
    assert u["cas"]["n_synthetic"] == 200 and len(u["cas"]["synthetic"]["per_class"]) == 10
    # the default balance: 20 per class on average, more of the classes the classifier confuses
    assert u["synthetic"]["balance"] == "hard" and sum(u["synthetic"]["counts"]) == 200
    assert 0 <= u["cas"]["cas"] <= 1 and 0 <= u["cas"]["real"]["accuracy"] <= 1
    assert [row["ratio"] for row in u["augmentation"]] == [0, 1]
    assert u["leakage"]["n"] == 50 and u["leakage"]["verdict"] in r.stderr
    assert "CAS " in r.stderr and "wrote" in r.stderr
    # the model card of a published folder carries the figures
    out = cond_run.parent / "published"
    r = ganstudio("export", "--run", str(cond_run), "--format", "folder", "--out", str(out))
    assert r.returncode == 0, r.stderr
    card = (out / "README.md").read_text()
    assert "## Synthetic data" in card and f"| {u['cas']['cas']:.3f} |" in card and u["leakage"]["verdict"] in card
