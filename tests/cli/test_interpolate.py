"""`ganstudio interpolate` and `ganstudio directions`: reproducible files, recipes, clear errors."""

import json

import numpy as np
import pytest
from PIL import Image

from ganstudio.cli import main
from ganstudio.io.media import find_mp4_encoder


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    rd = tmp_path_factory.mktemp("interp") / "run"
    assert (
        main(
            [
                "train",
                "--dataset",
                "digits",
                "--image-size",
                "16",
                "--width",
                "8",
                "--steps",
                "10",
                "--run-dir",
                str(rd),
            ]
        )
        == 0
    )
    return rd


@pytest.mark.parametrize("ext", [".gif", ".png"])
def test_interpolate_is_reproducible(run_dir, tmp_path, ext, capsys):
    args = [
        "interpolate",
        "--run",
        str(run_dir),
        "--seeds",
        "1",
        "2",
        "3",
        "--frames",
        "9",
        "--mode",
        "slerp",
        "--psi",
        "0.8",
    ]
    a, b = tmp_path / f"a{ext}", tmp_path / f"b{ext}"
    assert main([*args, "--out", str(a)]) == 0
    assert main([*args, "--out", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    with Image.open(a) as im:
        if ext == ".gif":
            assert im.size == (128, 128) and im.info.get("loop") == 0  # 16 px frames, 8x by default
            # 9 frames' worth of time (Pillow merges identical consecutive frames, adding durations)
            total = 0
            for i in range(im.n_frames):
                im.seek(i)
                total += im.info["duration"]
            assert 1 < im.n_frames <= 9 and abs(total - 9 * 1000 / 12) <= 10 * im.n_frames  # GIF keeps 1/100 s
        else:
            assert im.size == (2 + 9 * 130, 2 + 130)  # a one-row strip of 9 128x128 frames, pad 2
    recipe = json.loads((tmp_path / f"a{ext}.json").read_text())
    assert recipe["seeds"] == [1, 2, 3] and recipe["mode"] == "slerp" and recipe["frames"] == 9
    assert recipe["psi"] == 0.8 and recipe["ema"] is True and recipe["step"] == 10
    assert recipe["run"] == str(run_dir.resolve()) and recipe["checkpoint"].endswith("step_0000010.safetensors")
    assert "ganstudio_version" in recipe and recipe["scale"] == 8
    assert "Traceback" not in capsys.readouterr().err


def test_interpolate_gif_frames_are_large_enough_and_the_recipe_replays_them(run_dir, tmp_path, capsys):
    from ganstudio.explore import render_recipe

    args = ["interpolate", "--run", str(run_dir), "--seeds", "3", "8", "--frames", "6"]
    a, b = tmp_path / "x.gif", tmp_path / "y.gif"
    assert main([*args, "--out", str(a)]) == 0 and main([*args, "--out", str(b)]) == 0
    assert "128 px" in capsys.readouterr().err
    assert a.read_bytes() == b.read_bytes()  # same arguments, same bytes
    recipe = json.loads((tmp_path / "x.gif.json").read_text())
    assert recipe["scale"] == 8
    with Image.open(a) as im:
        assert im.size == (128, 128)
        frames = [np.asarray(im.seek(i) or im.convert("L")) for i in range(im.n_frames)]
    # nearest-neighbour: each model pixel is an 8x8 block
    assert np.array_equal(frames[0], np.kron(frames[0][::8, ::8], np.ones((8, 8), np.uint8)))
    again = render_recipe(recipe)  # the recipe alone draws the same (scaled) frames
    assert again.shape == (6, 128, 128, 1) and np.array_equal(again[0, ..., 0], frames[0])
    # a seed walk of a conditional model keeps each seed's own class (recorded, replayed)
    assert len(recipe["classes"]) == 2

    assert main([*args, "--scale", "2", "--out", str(tmp_path / "s.gif")]) == 0
    assert json.loads((tmp_path / "s.gif.json").read_text())["scale"] == 2
    with Image.open(tmp_path / "s.gif") as im:
        assert im.size == (32, 32)
    assert main([*args, "--size", "100", "--out", str(tmp_path / "p.gif")]) == 0  # 16 px * 7 = 112 >= 100
    with Image.open(tmp_path / "p.gif") as im:
        assert im.size == (112, 112)
    assert main([*args, "--scale", "0", "--out", str(tmp_path / "z.gif")]) == 1
    assert "--scale must be a positive" in capsys.readouterr().err
    assert main([*args, "--scale", "2", "--size", "64", "--out", str(tmp_path / "z.gif")]) == 2  # not both
    assert "not allowed with argument" in capsys.readouterr().err
    assert not (tmp_path / "z.gif").exists()


def test_interpolate_options_change_output(run_dir, tmp_path):
    base = ["interpolate", "--run", str(run_dir), "--frames", "5"]
    assert main([*base, "--seeds", "1", "2", "--out", str(tmp_path / "a.png")]) == 0
    assert main([*base, "--seeds", "1", "4", "--out", str(tmp_path / "b.png")]) == 0
    assert main([*base, "--seeds", "1", "2", "--no-ema", "--out", str(tmp_path / "c.png")]) == 0
    a, b, c = (np.asarray(Image.open(tmp_path / f"{n}.png")) for n in "abc")
    assert np.array_equal(a[:, :20], b[:, :20]) and not np.array_equal(a, b)  # same first key, different second
    assert json.loads((tmp_path / "c.png.json").read_text())["ema"] is False


def test_directions(run_dir, tmp_path):
    out = tmp_path / "dirs.json"
    assert main(["directions", "--run", str(run_dir), "--n", "300", "--k", "4", "--seed", "2", "--out", str(out)]) == 0
    d = json.loads(out.read_text())
    assert d["k"] == 4 and len(d["vectors"]) == 4 and len(d["vectors"][0]) == d["z_dim"]
    r = d["variance_ratio"]
    assert r == sorted(r, reverse=True) and sum(r) <= 1 + 1e-6
    assert np.allclose(np.linalg.norm(np.array(d["vectors"]), axis=1), 1, atol=1e-5)
    assert d["meta"]["step"] == 10 and d["seed"] == 2 and d["n"] == 300
    again = tmp_path / "again.json"
    assert (
        main(["directions", "--run", str(run_dir), "--n", "300", "--k", "4", "--seed", "2", "--out", str(again)]) == 0
    )
    assert json.loads(again.read_text())["vectors"] == d["vectors"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--seeds", "1", "--frames", "5", "--out", "x.gif"], "at least two seeds"),
        (["--seeds", "1", "2", "--frames", "1", "--out", "x.gif"], "--frames must be at least 2"),
        (["--seeds", "1", "2", "--frames", "5", "--out", "x.webm"], "use a .gif, .png or .mp4"),
    ],
)
def test_interpolate_bad_args(run_dir, tmp_path, capsys, argv, message):
    argv = [a if a != "x.gif" and a != "x.webm" else str(tmp_path / a) for a in argv]
    assert main(["interpolate", "--run", str(run_dir), *argv]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())


def test_missing_run_and_bad_directions_args(tmp_path, capsys):
    assert (
        main(
            [
                "interpolate",
                "--run",
                str(tmp_path / "nope"),
                "--seeds",
                "1",
                "2",
                "--frames",
                "3",
                "--out",
                str(tmp_path / "x.gif"),
            ]
        )
        == 1
    )
    assert "does not exist" in capsys.readouterr().err
    assert main(["directions", "--run", str(tmp_path), "--out", str(tmp_path / "d.txt")]) == 1
    assert "use a .json" in capsys.readouterr().err
    assert main(["directions", "--run", str(tmp_path), "--out", str(tmp_path / "d.json")]) == 1
    err = capsys.readouterr().err
    assert "holds no checkpoint" in err and "Traceback" not in err


@pytest.mark.skipif(find_mp4_encoder() is not None, reason="an mp4 encoder is installed here")
def test_mp4_without_encoder_is_a_clear_error(run_dir, tmp_path, capsys):
    assert (
        main(
            [
                "interpolate",
                "--run",
                str(run_dir),
                "--seeds",
                "1",
                "2",
                "--frames",
                "3",
                "--out",
                str(tmp_path / "x.mp4"),
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "imageio-ffmpeg" in err and "ffmpeg" in err and "Traceback" not in err
