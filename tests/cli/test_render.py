"""`ganstudio render`: a recipe (interpolate's, the app's) or a projection's z.json drawn again
gives the same bytes; a recipe that cannot be drawn is one line, exit 1, nothing written."""

import json
import shutil

import numpy as np
import pytest
from PIL import Image

from ganstudio.cli import main


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A conditional DCGAN (3 classes, from an npz with labels) and a 2D MLP, a few steps each."""
    root = tmp_path_factory.mktemp("render")
    rng = np.random.default_rng(0)
    x = np.zeros((48, 16, 16), np.uint8)
    y = np.arange(48) % 3
    for i, k in enumerate(y):  # a bar whose place is the class
        x[i, 2 + 4 * k : 6 + 4 * k, 3:13] = 200 + rng.integers(0, 50)
    np.savez(root / "bars.npz", x=x, y=y)
    common = ["--steps", "4", "--batch-size", "16", "--eval-every", "0"]
    image = root / "image"
    assert main(["train", "--dataset", f"npz:{root / 'bars.npz'}", "--model", "dcgan", "--width", "4"]
                + common + ["--run-dir", str(image)]) == 0  # fmt: skip
    points = root / "points"
    assert main(["train", "--dataset", "ring8", *common, "--run-dir", str(points)]) == 0
    (root / "bars.npz").rename(root / "elsewhere.npz")  # project then uses the pixel loss alone (no feature net)
    return {"image": image, "2d": points}


def _render(*args) -> int:
    return main(["render", *map(str, args)])


@pytest.mark.parametrize("ext", [".gif", ".png"])
def test_interpolate_then_render_gives_the_same_bytes(runs, tmp_path, ext, capsys):
    a, b = tmp_path / f"a{ext}", tmp_path / f"b{ext}"
    args = ["--seeds", "1", "2", "3", "--frames", "7", "--psi", "0.8", "--mode", "slerp", "--scale", "3"]
    assert main(["interpolate", "--run", str(runs["image"]), *args, "--out", str(a)]) == 0
    assert _render(f"{a}.json", "--out", b) == 0
    assert a.read_bytes() == b.read_bytes()
    again = json.loads((tmp_path / f"b{ext}.json").read_text())
    first = json.loads((tmp_path / f"a{ext}.json").read_text())
    assert again["rendered_from"] == str(tmp_path / f"a{ext}.json")
    assert {k: v for k, v in again.items() if k not in ("out", "rendered_from")} == {
        k: v for k, v in first.items() if k != "out"
    }
    err = capsys.readouterr().err
    assert f"wrote {b}" in err and "Traceback" not in err and "warning" not in err


def test_a_2d_animation_renders_again_and_a_moved_run_takes_checkpoint(runs, tmp_path, capsys):
    a, b, c = tmp_path / "a.gif", tmp_path / "b.gif", tmp_path / "c.gif"
    assert main(["interpolate", "--run", str(runs["2d"]), "--seeds", "4", "9", "--frames", "6", "--out", str(a)]) == 0
    assert _render(f"{a}.json", "--out", b) == 0
    assert a.read_bytes() == b.read_bytes()
    moved = tmp_path / "moved"
    shutil.copytree(runs["2d"], moved)
    recipe = json.loads((tmp_path / "a.gif.json").read_text())
    recipe["checkpoint"] = str(tmp_path / "gone" / "step_0000004.safetensors")
    (tmp_path / "old.json").write_text(json.dumps(recipe))
    capsys.readouterr()
    assert _render(tmp_path / "old.json", "--out", c) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "old.json" in err and "does not exist (moved?): give --checkpoint" in err
    assert not c.exists()
    assert _render(tmp_path / "old.json", "--out", c, "--checkpoint", moved) == 0  # a run folder: its latest
    assert c.read_bytes() == a.read_bytes()
    assert json.loads((tmp_path / "c.gif.json").read_text())["run"] == str(moved.resolve())


def test_app_recipes_latent_and_grid_walk_render_again(runs, tmp_path):
    """Recipes as the app's Latent and Interpolation tabs build them, exported, then rendered."""
    from ganstudio.explore import base_recipe, directions_entry, export, raw_directions, snapshot_from_checkpoint
    from ganstudio.generator import find_checkpoint

    snap = snapshot_from_checkpoint(find_checkpoint(runs["image"]), run=runs["image"])
    raw = directions_entry(raw_directions(snap.z_dim, 3), "raw")
    named = [{"name": "up", "vector": [0.0, 1.0] + [0.0] * (snap.z_dim - 2), "amount": 1.5}]
    recipes = {
        "latent.png": dict(base_recipe(snap, "latent", 0.7), seed=4, offsets=[0.0, 1.0, -0.5], directions=raw,
                           named_directions=named, scale=2, **{"class": 2}),
        "grid.png": dict(base_recipe(snap, "grid-walk", 1.0), seed=3, offsets=[0.0, 0.5], directions=raw,
                         grid={"axes": [1, 2], "steps": 3, "extent": 2.0}, scale=1),
    }  # fmt: skip
    for name, recipe in recipes.items():
        out, written = export(recipe, tmp_path / name, snap)
        assert _render(written, "--out", tmp_path / f"again-{name}") == 0
        assert (tmp_path / f"again-{name}").read_bytes() == out.read_bytes(), name
    with Image.open(tmp_path / "grid.png") as im:
        assert im.size == (2 + 3 * 18, 2 + 3 * 18)  # 3 x 3 frames of 16 px, pad 2


def test_project_then_render_z_json_gives_the_projection(runs, tmp_path, capsys):
    img = np.zeros((16, 16), np.uint8)
    img[6:10, 3:13] = 255
    Image.fromarray(img).save(tmp_path / "bar.png")
    z = tmp_path / "z.json"
    args = ["--image", str(tmp_path / "bar.png"), "--steps", "10"]
    assert main(["project", "--run", str(runs["image"]), *args, "--out", str(z)]) == 0
    row = json.loads(z.read_text())
    assert isinstance(row["class"], int)
    assert _render(z, "--out", tmp_path / "again.png", "--scale", "1") == 0
    assert (tmp_path / "again.png").read_bytes() == (tmp_path / "z.png").read_bytes()
    recipe = json.loads((tmp_path / "again.png.json").read_text())
    assert recipe["command"] == "latent" and recipe["z"] == row["z"] and recipe["class"] == row["class"]
    assert recipe["z_from"] == "projection of bar.png (z.json)"
    assert _render(z, "--out", tmp_path / "big.png") == 0  # the default export size: at least 128 px
    with Image.open(tmp_path / "big.png") as im:
        assert im.size == (128, 128)
    assert "Traceback" not in capsys.readouterr().err


BAD = {
    "not-json.json": (b"{command: latent}", "is not a recipe (invalid JSON"),
    "list.json": (b"[1, 2]", "is not a recipe (a JSON list"),
    "bomb.json": (b"[" * 50_000, "nested too deeply"),
    "frames.json": ({"frames": 10**9}, "frames is 1000000000; it must be 2 to 1024"),
    "bool.json": ({"loop": 1}, "loop must be true or false"),
    "seed.json": ({"seeds": [1, 2**70]}, "seeds[1] is 1180591620717411303424; a seed must fit in 64 bits"),
    "class.json": ({"classes": [0, 7]}, "it names class 7; this generator has classes 0..2"),
    "zdim.json": ({"z_dim": 3}, "it is for a 3-d latent; this generator takes"),
    "huge.json": ({"frames": 1024, "scale": 64}, "would take 1,024 MB; at most 8192 px and 256 MB"),
    "command.json": ({"command": "morph"}, "unknown recipe command 'morph'"),
}


@pytest.fixture(scope="module")
def good_recipe(runs, tmp_path_factory):
    good = tmp_path_factory.mktemp("good") / "good.png"
    assert (
        main(["interpolate", "--run", str(runs["image"]), "--seeds", "1", "2", "--frames", "3", "--out", str(good)])
        == 0
    )
    return json.loads((good.parent / "good.png.json").read_text())


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_recipe_is_one_line_and_nothing_is_written(good_recipe, tmp_path, name, capsys):
    content, message = BAD[name]
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(json.dumps({**good_recipe, **content}))
    capsys.readouterr()
    assert _render(path, "--out", tmp_path / "out.gif") == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ganstudio: error: {path}") and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "out.gif").exists() and not (tmp_path / "out.gif.json").exists()


def test_render_refuses_clearly_as_a_real_process(runs, tmp_path, ganstudio):
    good = tmp_path / "a.png"
    assert (
        main(["interpolate", "--run", str(runs["2d"]), "--seeds", "1", "2", "--frames", "3", "--out", str(good)]) == 0
    )
    r = ganstudio("render", str(tmp_path / "a.png.json"), "--out", str(good))
    assert r.returncode == 1 and r.stderr == f"ganstudio: error: --out {good}: {good} exists; choose another name\n"
    good.unlink()  # the output's recipe would be the recipe being read
    r = ganstudio("render", str(tmp_path / "a.png.json"), "--out", str(good))
    assert r.returncode == 1 and f"{good}.json is the recipe being read" in r.stderr
    r = ganstudio("render", str(tmp_path / "missing.json"), "--out", str(tmp_path / "b.png"))
    assert r.returncode == 1 and r.stderr.startswith("ganstudio: error: cannot read") and "Traceback" not in r.stderr
    r = ganstudio("render", str(tmp_path / "a.png.json"), "--out", str(tmp_path / "b.txt"))
    assert r.returncode == 1 and "use a .png, .gif or .mp4" in r.stderr
    assert not (tmp_path / "b.png").exists() and not (tmp_path / "b.txt").exists()
