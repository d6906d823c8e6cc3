"""Classes from the command line: train says what it chose from the data, `sample --class`
draws one class, `interpolate --classes` walks between classes and its recipe replays."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from ganstudio.explore import render_recipe
from ganstudio.latent import sample_z, with_class
from ganstudio.generator import find_checkpoint, generate, load_generator


@pytest.fixture(scope="module")
def pets_run(tmp_path_factory, ganstudio):
    """A conditional run on a class-folder dataset (sub-folders cats/dogs/owls)."""
    root = tmp_path_factory.mktemp("pets")
    for k, name in enumerate(("cats", "dogs", "owls")):
        (root / name).mkdir()
        for i in range(8):
            Image.new("L", (16, 16), 60 * k + i).save(root / name / f"{i}.png")
    rd = root.parent / (root.name + "-run")
    r = ganstudio(
        "train",
        "--dataset",
        f"folder:{root}",
        "--steps",
        "20",
        "--width",
        "8",
        "--batch-size",
        "8",
        "--eval-every",
        "0",
        "--run-dir",
        str(rd),
    )
    assert r.returncode == 0, r.stderr
    return rd, r.stderr


def test_train_says_what_it_chose_from_the_data(pets_run):
    _, err = pets_run
    line = next(x for x in err.splitlines() if x.startswith("chosen from the data"))
    assert "16x16 (the data's own size)" in line and "conditional on its 3 labelled classes" in line


def test_sample_class_by_name_and_index(pets_run, tmp_path, ganstudio):
    rd, _ = pets_run
    lg = load_generator(find_checkpoint(rd))
    assert lg.cfg.class_names == ["cats", "dogs", "owls"]
    for cls, k in (("dogs", 1), ("2", 2), ("CATS", 0)):
        out = tmp_path / f"{cls}.npy"
        r = ganstudio("sample", "--run", str(rd), "--n", "12", "--seed", "4", "--class", cls, "--out", str(out))
        assert r.returncode == 0, r.stderr
        assert f"class {k} ({lg.cfg.class_names[k]})" in r.stderr
        z = with_class(sample_z(12, lg.cfg.z_dim, 4), lg.G, k)
        assert lg.G.labels(z).tolist() == [k] * 12
        assert np.allclose(np.load(out), generate(lg.G, z).numpy(), atol=1e-6)
    r = ganstudio("sample", "--run", str(rd), "--class", "horses", "--out", str(tmp_path / "x.npy"))
    assert r.returncode == 1 and "unknown class 'horses'" in r.stderr and "1=dogs" in r.stderr
    assert "Traceback" not in r.stderr


def test_interpolate_between_classes_records_and_replays(pets_run, tmp_path, ganstudio):
    rd, _ = pets_run
    out = tmp_path / "walk.png"
    r = ganstudio(
        "interpolate", "--run", str(rd), "--seeds", "5", "--classes", "cats", "owls", "--frames", "5", "--out", str(out)
    )
    assert r.returncode == 0, r.stderr
    recipe = json.loads((tmp_path / "walk.png.json").read_text())
    assert recipe["classes"] == [0, 2] and recipe["seeds"] == [5, 5]
    lg = load_generator(find_checkpoint(rd))
    # the recipe alone re-renders the same pixels (the strip is grey: one channel)
    img, again = np.asarray(Image.open(out)), render_recipe(recipe)
    assert again.size == img.size and np.array_equal(again.reshape(img.shape), img)
    # a keyframe's one-hot class weights draw the same image as its z[0]
    z = with_class(sample_z(1, lg.cfg.z_dim, 5), lg.G, 2)
    assert torch.allclose(generate(lg.G, z), generate(lg.G, z, mix=torch.tensor([[0.0, 0.0, 1.0]])))
    r = ganstudio(
        "interpolate",
        "--run",
        str(rd),
        "--seeds",
        "1",
        "2",
        "3",
        "--classes",
        "0",
        "1",
        "--frames",
        "4",
        "--out",
        str(tmp_path / "bad.png"),
    )
    assert r.returncode == 1 and "--classes gives 2 keyframes" in r.stderr
