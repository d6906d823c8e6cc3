"""`ganstudio project`, `interpolate --direction/--amount` and `evaluate`'s memorisation figure,
as a user runs them."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from ganstudio.cli import main
from ganstudio.example_directions import make_directions, save_direction


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    rd = tmp_path_factory.mktemp("project") / "digits"
    assert (
        main(
            ["train", "--dataset", "digits", "--width", "8", "--steps", "30", "--eval-every", "0", "--run-dir", str(rd)]
        )
        == 0
    )
    return rd


def test_project_an_index_writes_the_latent_errors_and_png_and_is_deterministic(digits_run, tmp_path, ganstudio):
    out = tmp_path / "z.json"
    r = ganstudio("project", "--run", str(digits_run), "--index", "12", "--steps", "60", "--out", str(out))
    assert r.returncode == 0, r.stderr
    row = json.loads(out.read_text())
    for key in ("z", "class", "loss", "pixel_mse", "baseline_random_mse", "baseline_best_of_10000_mse"):
        assert key in row
    assert len(row["z"]) == 9 and isinstance(row["class"], int) and row["class_name"] == str(row["class"])
    assert row["target"] == {"index": 12} and row["steps"] == 60 and row["image"] == "z.png"
    assert 0 <= row["pixel_mse"] <= row["baseline_random_mse"]
    assert "pixel MSE" in r.stderr and "best of 10,000 random" in r.stderr
    with Image.open(tmp_path / "z.png") as im:
        assert im.size == (16, 16) and im.mode == "L"
    # the same arguments give the same z: a second command, as a user runs it (in-process the
    # suite's earlier tests may have changed torch's thread count, and so the sums' rounding)
    again = tmp_path / "again.json"
    r = ganstudio("project", "--run", str(digits_run), "--index", "12", "--steps", "60", "--out", str(again))
    assert r.returncode == 0, r.stderr
    row2 = json.loads(again.read_text())
    assert row2["z"] == row["z"] and row2["pixel_mse"] == row["pixel_mse"]


def test_project_an_image_file_in_process(digits_run, tmp_path, capsys):
    img = np.zeros((32, 32), np.uint8)
    img[8:24, 14:18] = 255  # a "1"
    Image.fromarray(img).save(tmp_path / "digit1.png")
    out = tmp_path / "one.json"
    assert (
        main(
            [
                "project",
                "--run",
                str(digits_run),
                "--image",
                str(tmp_path / "digit1.png"),
                "--steps",
                "20",
                "--seed",
                "3",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    row = json.loads(out.read_text())
    assert row["target"]["image"].endswith("digit1.png") and row["seed"] == 3 and isinstance(row["class"], int)
    assert (tmp_path / "one.png").exists() and "projected digit1.png" in capsys.readouterr().err
    assert row["pixel_mse"] <= row["baseline_random_mse"]


def test_project_refuses_bad_requests_clearly(digits_run, tmp_path, capsys):
    assert main(["project", "--run", str(digits_run), "--index", "99999", "--out", str(tmp_path / "a.json")]) == 1
    assert "has items 0..1796" in capsys.readouterr().err
    assert main(["project", "--run", str(digits_run), "--index", "1", "--out", str(tmp_path / "a.png")]) == 1
    assert ".json" in capsys.readouterr().err
    (tmp_path / "bad.png").write_text("nope")
    assert (
        main(
            [
                "project",
                "--run",
                str(digits_run),
                "--image",
                str(tmp_path / "bad.png"),
                "--out",
                str(tmp_path / "a.json"),
            ]
        )
        == 1
    )
    assert "bad.png" in capsys.readouterr().err
    assert main(["project", "--run", str(digits_run), "--out", str(tmp_path / "a.json")]) == 2  # --image or --index


def test_interpolate_along_a_saved_direction(digits_run, tmp_path, capsys):
    vec = torch.zeros(9)
    vec[4] = 1.0
    path = save_direction(digits_run, make_directions(vec, "wide", 3, 3, "means"))
    out = tmp_path / "walk.png"

    def interpolate(*args: str) -> int:
        return main(["interpolate", "--run", str(digits_run), "--direction", str(path), *args])

    assert interpolate("--seeds", "7", "--amount", "-3", "3", "--frames", "5", "--out", str(out)) == 0
    recipe = json.loads((tmp_path / "walk.png.json").read_text())
    assert recipe["seeds"] == [7, 7] and recipe["direction"]["amounts"] == [-3.0, 3.0]
    assert recipe["direction"]["name"] == "wide" and recipe["direction"]["vector"][4] == 1.0
    from ganstudio import explore

    picture = explore.render_recipe(recipe)  # the recipe reproduces the strip
    with Image.open(out) as im:
        assert np.array_equal(np.asarray(im), picture[..., 0])
    # one amount moves every keyframe; plain seeds walks stay as they were
    assert interpolate("--seeds", "1", "2", "--amount", "2", "--frames", "3", "--out", str(tmp_path / "b.png")) == 0
    assert json.loads((tmp_path / "b.png.json").read_text())["direction"]["amounts"] == [2.0, 2.0]
    assert interpolate("--seeds", "1", "--frames", "3", "--out", str(tmp_path / "c.png")) == 1
    assert "go together" in capsys.readouterr().err
    assert (
        interpolate("--seeds", "1", "2", "3", "--amount", "1", "2", "--frames", "3", "--out", str(tmp_path / "c.png"))
        == 1
    )
    assert "one each" in capsys.readouterr().err


def test_evaluate_json_reports_memorized(digits_run, ganstudio):
    r = ganstudio("evaluate", "--run", str(digits_run), "--n", "300", "--json")
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    assert 0 <= m["memorized"] <= 100
