"""The public Python API (ganstudio.load_generator -> Generator): the same samples as
`ganstudio sample` for the same seeds, classes by index and by name, 2D runs, cheap import,
and every hostile checkpoint refused with the loaders' own errors."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import ganstudio
from ganstudio.cli import main
from ganstudio.errors import CheckpointError, GanstudioError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "robustness"))
import faultkit as fk  # noqa: E402

# Attacks on training state only: sampling never reads it (see tests/robustness/test_hostile_files.py)
TRAINING_ONLY = {"nan-optimizer-state", "data-order-out-of-range", "position-out-of-range"}


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory, train_run):
    return train_run(tmp_path_factory.mktemp("api") / "digits", dataset="digits", width=8)  # conditional by default


def test_sample_matches_the_cli(digits_run, tmp_path):
    g = ganstudio.load_generator(digits_run)
    assert isinstance(g, ganstudio.Generator)
    assert g.z_dim == 9 and g.image_shape == (1, 16, 16) and g.kind == "image"
    assert g.classes == tuple(str(k) for k in range(10)) and g.step == 4 and g.ema
    assert isinstance(g.module, torch.nn.Module) and not g.module.training
    assert g.config["dataset"] == "digits" and "step_0000004" in repr(g)

    assert main(["sample", "--run", str(digits_run), "--n", "6", "--seed", "3", "--out", str(tmp_path / "a.npy")]) == 0
    x = g.sample(6, seed=3)
    assert x.shape == (6, 1, 16, 16) and x.dtype == np.float32 and -1 <= x.min() and x.max() <= 1
    assert np.array_equal(x, np.load(tmp_path / "a.npy"))
    assert np.array_equal(g.decode(g.latents(6, seed=3)), x)  # the same z the app shows for a seed
    assert np.allclose(
        g.decode(g.latents(6, seed=3)[2]), x[2:3], atol=1e-6
    )  # one latent (Z,); batch 1 rounds differently
    assert np.array_equal(g.latents(6, seed=3), ganstudio.load_generator(digits_run).latents(6, seed=3))
    assert not np.array_equal(g.sample(6, seed=4), x)

    raw = ganstudio.load_generator(digits_run, ema=False)
    assert not raw.ema and not np.array_equal(raw.sample(6, seed=3), x)
    assert (
        main(
            [
                "sample",
                "--run",
                str(digits_run),
                "--n",
                "6",
                "--seed",
                "3",
                "--no-ema",
                "--out",
                str(tmp_path / "raw.npy"),
            ]
        )
        == 0
    )
    assert np.array_equal(raw.sample(6, seed=3), np.load(tmp_path / "raw.npy"))

    ckpt = digits_run / "checkpoints" / "step_0000004.safetensors"
    assert np.array_equal(ganstudio.load_generator(ckpt).sample(6, seed=3), x)  # a checkpoint file
    assert np.array_equal(ganstudio.load_generator(digits_run, checkpoint=ckpt).sample(6, seed=3), x)
    with pytest.raises(ValueError, match=r"\(N, 9\)"):
        g.decode(np.zeros((2, 5)))
    assert g.decode(np.zeros((0, 9))).shape == (0, 1, 16, 16)


def test_class_by_index_and_by_name(digits_run, tmp_path):
    g = ganstudio.load_generator(digits_run)
    assert (
        main(
            [
                "sample",
                "--run",
                str(digits_run),
                "--n",
                "5",
                "--seed",
                "1",
                "--class",
                "7",
                "--out",
                str(tmp_path / "seven.npy"),
            ]
        )
        == 0
    )
    seven = g.sample(5, seed=1, cls=7)
    assert np.array_equal(seven, np.load(tmp_path / "seven.npy"))
    assert np.array_equal(g.sample(5, seed=1, cls="7"), seven)
    z = g.latents(5, seed=1, cls=7)
    assert (g.module.labels(torch.from_numpy(z)) == 7).all()  # z[0] draws class 7
    assert np.array_equal(z[:, 1:], g.latents(5, seed=1)[:, 1:])  # the style coordinates stay the seed's
    with pytest.raises(GanstudioError, match="unknown class"):
        g.sample(2, cls="cat")


def test_class_names_of_a_class_folder_dataset(tmp_path, train_run):
    root = tmp_path / "pets"
    for k, name in enumerate(("cats", "dogs")):
        for i in range(6):
            (root / name).mkdir(parents=True, exist_ok=True)
            Image.new("L", (16, 16), 90 * k + i).save(root / name / f"{i}.png")
    run = train_run(tmp_path / "run", dataset=f"folder:{root}", width=8, steps=2)
    g = ganstudio.load_generator(run)
    assert g.classes == ("cats", "dogs")
    assert np.array_equal(g.sample(3, seed=0, cls="Dogs"), g.sample(3, seed=0, cls=1))
    assert not np.array_equal(g.sample(3, seed=0, cls="cats"), g.sample(3, seed=0, cls="dogs"))


def test_2d_runs_sample_points(tmp_path, tmp_path_factory, train_run):
    run = train_run(tmp_path / "ring", dataset="ring8")
    g = ganstudio.load_generator(run)
    assert g.image_shape == (2,) and g.kind == "2d" and g.classes == ()
    assert main(["sample", "--run", str(run), "--n", "50", "--seed", "2", "--out", str(tmp_path / "p.npy")]) == 0
    assert np.array_equal(g.sample(50, seed=2), np.load(tmp_path / "p.npy"))
    assert g.sample(50, seed=2).shape == (50, 2)
    with pytest.raises(GanstudioError, match="not conditional"):
        g.sample(2, cls=0)


def test_bad_paths_give_clear_errors(digits_run, tmp_path):
    with pytest.raises(GanstudioError, match="does not exist"):
        ganstudio.load_generator(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(GanstudioError, match="holds no checkpoint"):
        ganstudio.load_generator(tmp_path / "empty")
    with pytest.raises(GanstudioError, match="no best checkpoint"):
        ganstudio.load_generator(digits_run, checkpoint="best")
    (tmp_path / "notes.txt").write_text("hello, not a checkpoint\n")
    with pytest.raises(CheckpointError, match="notes.txt"):
        ganstudio.load_generator(tmp_path / "notes.txt")


def test_hostile_checkpoints_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")  # would let torch.load unpickle; never called
    good = fk.make_run(tmp_path / "good", steps=3)
    marker = tmp_path / "pwned"
    files = fk.hostile_checkpoints(tmp_path / "files", good, marker)
    assert len(files) >= 20
    for name, path in files.items():
        if name in TRAINING_ONLY:
            ganstudio.load_generator(path).sample(2)  # sampling never reads training state
            continue
        with pytest.raises(CheckpointError) as e:
            ganstudio.load_generator(path)
        assert str(path) in str(e.value), name
        with pytest.raises(CheckpointError):
            ganstudio.load_generator(tmp_path / "good", checkpoint=path)
    assert not marker.exists()  # no pickle ever ran


def test_import_ganstudio_stays_cheap():
    code = (
        "import sys, ganstudio; assert 'torch' not in sys.modules, 'torch imported'; "
        "assert callable(ganstudio.load_generator)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
