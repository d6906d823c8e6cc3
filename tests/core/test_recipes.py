"""recipes.read_recipe / check_recipe: what ganstudio writes reads back; what it cannot draw is
refused by name before anything is computed or written. (The corpus of good and bad recipes is
replayed by tests/fuzz/test_corpus.py; `ganstudio render` is tested in tests/cli/test_render.py.)"""

import json

import numpy as np
import pytest

from ganstudio import explore
from ganstudio.errors import GanstudioError
from ganstudio.io.media import scatter_png
from ganstudio.recipes import MAX_BYTES, check_recipe, read_recipe

GOOD = {"command": "interpolate", "z_dim": 4, "seeds": [1, 2], "frames": 5, "psi": 0.8, "scale": 2, "kind": "image"}


def test_a_recipe_reads_back_as_written(tmp_path):
    from ganstudio.io.media import write_recipe

    path = write_recipe(tmp_path / "walk.gif", dict(GOOD, note={"kept": [1, 2]}))
    assert read_recipe(path) == dict(GOOD, note={"kept": [1, 2]})  # fields it does not know are kept


def test_a_projection_result_reads_as_a_latent_recipe(tmp_path):
    row = {"z": [0.5, -1.0, 2.0], "class": 1, "class_name": "b", "pixel_mse": 0.1, "target": {"index": 12},
           "image": "z.png", "run": "/r", "checkpoint": "/r/checkpoints/step_0000010.safetensors", "step": 10,
           "ema": True, "z_dim": 3}  # fmt: skip
    (tmp_path / "z.json").write_text(json.dumps(row))
    r = read_recipe(tmp_path / "z.json")
    assert r["command"] == "latent" and r["z"] == row["z"] and r["class"] == 1 and r["psi"] == 1.0
    assert r["checkpoint"] == row["checkpoint"] and r["step"] == 10 and r["ema"] is True and r["z_dim"] == 3
    assert r["z_from"] == "projection of item 12 (z.json)" and "pixel_mse" not in r
    (tmp_path / "z.json").write_text(json.dumps(dict(row, z_dim=4)))
    with pytest.raises(GanstudioError, match=r"z.json: z must hold 4 numbers \(its z_dim\), found 3 values"):
        read_recipe(tmp_path / "z.json")


def test_files_that_are_not_recipes_are_refused_by_name(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:  # sparse: no 16 MB written
        f.truncate(MAX_BYTES + 1)
    with pytest.raises(GanstudioError, match=r"big.json is 16,777,217 bytes: too large for a recipe"):
        read_recipe(big)
    with pytest.raises(GanstudioError, match="cannot read .*missing.json"):
        read_recipe(tmp_path / "missing.json")
    (tmp_path / "digits.json").write_text('{"command": "latent", "z_dim": 1' + "0" * 5000 + "}")
    with pytest.raises(GanstudioError, match="digits.json is not a recipe"):
        read_recipe(tmp_path / "digits.json")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"frames": 2.0}, "frames must be a whole number, found 2.0"),
        ({"frames": 1025}, "frames is 1025; it must be 2 to 1024"),
        ({"psi": 1e308 * 10}, "psi holds NaN or an infinite value"),
        ({"mode": "cubic"}, "mode must be lerp or slerp"),
        ({"seeds": [1, True]}, r"seeds\[1\] must be a whole number, found true"),
        (
            {"direction": {"vector": [1, 0, 0, 0], "amounts": [1.0]}},
            r"direction.amounts must hold one number per keyframe \(2\)",
        ),
        ({"keyframes": [{"seed": 1}, {"z": [0, 0, 0]}]}, r"keyframes\[1\].z must hold 4 numbers"),
        ({"fps": 0}, "fps is 0; it must be from 0.1 to 1000"),
        ({"ema": "yes"}, 'ema must be true or false, found "yes"'),
    ],
)
def test_fields_are_checked_strictly(change, message):
    with pytest.raises(GanstudioError, match=f"^r.json: {message}"):
        check_recipe(dict(GOOD, **change), "r.json")


def test_export_checks_its_recipe_before_writing(tmp_path):
    """What export writes is what read_recipe reads: a recipe it would refuse is not exported."""
    from ganstudio.config import TrainConfig
    from ganstudio.training import Trainer

    tr = Trainer(TrainConfig(dataset="ring8", g_hidden=[4], d_hidden=[4], z_dim=4, batch_size=8, device="cpu"))
    snap = explore.snapshot_from_trainer(tr)
    recipe = dict(explore.base_recipe(snap, "interpolate", 1.0), seeds=[1, 2], frames=5000)
    with pytest.raises(GanstudioError, match="cannot export a.gif: frames is 5000"):
        explore.export(recipe, tmp_path / "a.gif", snap)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(GanstudioError, match="at most 64; got 65"):
        explore.export_scale(snap, scale=65)


def test_2d_frames_drawn_point_by_point_match_each_frame_drawn_whole():
    rng = np.random.default_rng(0)
    x, real = rng.normal(size=(12, 2)).astype(np.float32), rng.normal(size=(300, 2)).astype(np.float32)
    x[5] = np.nan  # a diverged point is left out, as scatter_png leaves it out
    ext = (-3.0, 3.0)
    frames = explore.scatter_frames(x, real, 64, ext)
    assert frames.shape == (12, 64, 64, 3)
    for i in range(12):
        assert np.array_equal(frames[i], scatter_png(x[: i + 1], real, size=64, extent=ext)), i
