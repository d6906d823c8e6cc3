"""`ganstudio inpaint` as a user runs it: one image to PNG, a batch of arrays to .npy, and
its bad inputs (one clear line each, nothing written)."""

import json

import numpy as np
import pytest
from PIL import Image

from ganstudio.cli import main
from ganstudio.data import load_dataset
from ganstudio.data.imageops import unit_to_uint8
from ganstudio.inpainting import feather_alpha, parse_mask


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    rd = tmp_path_factory.mktemp("inpaint") / "digits"
    argv = ["train", "--dataset", "digits", "--width", "8", "--steps", "30", "--eval-every", "0", "--run-dir", str(rd)]
    assert main(argv) == 0
    return rd


def test_inpaint_an_index_to_png_keeps_known_pixels_and_writes_the_json(digits_run, tmp_path, ganstudio):
    out = tmp_path / "filled.png"
    r = ganstudio(
        "inpaint", "--run", str(digits_run), "--index", "7", "--mask", "center", "--steps", "30", "--out", str(out)
    )
    assert r.returncode == 0, r.stderr
    assert "MSE on the known pixels" in r.stderr and "filled.json" in r.stderr
    row = json.loads((tmp_path / "filled.json").read_text())
    assert row["mask"] == "center" and row["seed"] == 0 and row["steps"] == 30 and row["input"] == {"index": 7}
    assert row["step"] == 30 and row["checkpoint"].endswith(".safetensors") and row["output"] == "filled.png"
    (img,) = row["images"]
    assert len(img["z"]) == 9 and isinstance(img["class"], int) and img["known_mse"] >= 0
    assert row["class_prior"]["weight"] > 0 and 0 < row["class_prior"]["accuracy"] <= 1  # digits are labelled
    x = load_dataset("digits", 16, 1).data[7]
    with Image.open(out) as im:
        got = np.asarray(im)
    far = feather_alpha(parse_mask("center", 16))[0, 0].numpy() == 0
    assert np.array_equal(got[far], unit_to_uint8(x)[0][far])  # the known pixels, as a PNG holds them


def test_inpaint_a_batch_of_arrays_writes_them_in_order(digits_run, tmp_path, capsys):
    x = load_dataset("digits", 16, 1).data[:5]
    np.save(tmp_path / "in.npy", x)
    out = tmp_path / "out.npy"
    argv = ["inpaint", "--run", str(digits_run), "--images", str(tmp_path / "in.npy"), "--mask", "random:0.3"]
    assert main([*argv, "--steps", "20", "--seed", "4", "--out", str(out)]) == 0
    y = np.load(out)
    assert y.shape == x.shape and y.dtype == np.float32
    hole = parse_mask("random:0.3", 16, n=5, seed=4)
    far = np.broadcast_to((feather_alpha(hole)[:, 0].numpy() == 0)[:, None], x.shape)
    assert np.array_equal(y[far], x[far]) and not np.array_equal(y, x)
    row = json.loads((tmp_path / "out.json").read_text())
    assert len(row["images"]) == 5 and row["input"]["count"] == 5
    assert "inpainted 5 images" in capsys.readouterr().err
    assert main([*argv, "--steps", "20", "--seed", "4", "--no-class-prior", "--out", str(out)]) == 0
    assert json.loads((tmp_path / "out.json").read_text())["class_prior"] is None


def test_bad_inputs_are_one_line_and_write_nothing(digits_run, tmp_path, capsys):
    def refused(argv, words, out=tmp_path / "o.png"):
        assert main(["inpaint", "--run", str(digits_run), *argv, "--out", str(out)]) == 1
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and err.startswith("ganstudio: error:") and words in err, err
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(keep)

    Image.fromarray(np.full((28, 28), 255, np.uint8)).save(tmp_path / "big.png")
    Image.fromarray(np.full((16, 16), 255, np.uint8)).save(tmp_path / "white.png")
    Image.fromarray(np.zeros((16, 16), np.uint8)).save(tmp_path / "black.png")
    (tmp_path / "notes.png").write_text("not an image")
    np.save(tmp_path / "wrong.npy", np.zeros((2, 3, 16, 16), np.float32))
    keep = [p.name for p in tmp_path.iterdir()]
    refused(["--index", "1", "--mask", str(tmp_path / "big.png")], "is 28x28 pixels; the images are 16x16")
    refused(["--index", "1", "--mask", str(tmp_path / "white.png")], "hides every pixel")
    refused(["--index", "1", "--mask", str(tmp_path / "black.png")], "hides no pixel")
    refused(["--index", "1", "--mask", str(tmp_path / "notes.png")], "not an image")
    refused(["--image", str(tmp_path / "notes.png"), "--mask", "center"], "notes.png")
    refused(["--images", str(tmp_path / "wrong.npy"), "--mask", "center"], "wants (N, 1, 16, 16)", tmp_path / "o.npy")
    refused(["--images", str(tmp_path / "wrong.npy"), "--mask", "center"], "--images writes a .npy file")
    refused(["--index", "1", "--mask", "random:2"], "between 0 and 1")


def test_a_2d_run_is_refused(tmp_path, capsys):
    rd = tmp_path / "ring"
    assert main(["train", "--dataset", "ring8", "--steps", "5", "--eval-every", "0", "--run-dir", str(rd)]) == 0
    capsys.readouterr()
    assert (
        main(["inpaint", "--run", str(rd), "--index", "0", "--mask", "center", "--out", str(tmp_path / "o.png")]) == 1
    )
    assert "2D points; inpaint needs an image generator" in capsys.readouterr().err
    assert not (tmp_path / "o.png").exists() and not (tmp_path / "o.json").exists()
