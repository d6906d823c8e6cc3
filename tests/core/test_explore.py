"""Latent exploration without Qt: latents from seed + offsets + psi, the 2D manifold mesh, and
exports whose JSON recipe reproduces them exactly (also through `ganstudio interpolate`)."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from ganstudio import explore
from ganstudio.cli import main
from ganstudio.config import TrainConfig
from ganstudio.errors import GanstudioError
from ganstudio.io.rundir import RunDir
from ganstudio.latent import sample_z
from ganstudio.training import Trainer


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    rd = tmp_path_factory.mktemp("explore") / "digits"
    assert main(["train", "--dataset", "digits", "--width", "8", "--steps", "10", "--run-dir", str(rd)]) == 0
    return rd


@pytest.fixture(scope="module")
def ring_run(tmp_path_factory):
    rd = tmp_path_factory.mktemp("explore") / "ring8"
    assert main(["train", "--dataset", "ring8", "--steps", "40", "--run-dir", str(rd)]) == 0
    return rd


def snap_of(run, ema=True):
    return explore.snapshot_from_checkpoint(RunDir(run).latest_checkpoint(), ema=ema)


def read_png(path):
    with Image.open(path) as im:
        return np.asarray(im).copy()


def test_latent_from_seed_offsets_and_psi():
    raw = explore.raw_directions(16, 8).vectors
    base = sample_z(1, 16, 5)[0]
    assert torch.equal(explore.compose(16, 5, [0.0] * 8, raw), base)
    z = explore.compose(16, 5, [0.5, 0, 0, -2.0], raw)
    assert torch.allclose(z - base, torch.tensor([0.5, 0, 0, -2.0] + [0.0] * 12))
    assert torch.allclose(explore.latent(16, 5, [0.5, 0, 0, -2.0], raw, 0.7), 0.7 * z)
    assert explore.raw_directions(2, 8).k == 2  # no more directions than latent coordinates


def test_snapshots_from_checkpoint_and_trainer_agree(digits_run, tmp_path):
    snap = snap_of(digits_run)
    assert snap.kind == "image" and snap.sample_shape == (1, 16, 16) and snap.step == 10 and snap.ema
    assert snap.run == digits_run and snap.checkpoint.name == "step_0000010.safetensors"
    assert explore.has_ema(snap.checkpoint)
    tr = Trainer(TrainConfig(dataset="digits", width=8, steps=10), run_dir=tmp_path / "t")
    tr.load(snap.checkpoint)
    live = explore.snapshot_from_trainer(tr, ema=True)
    z = sample_z(4, snap.z_dim, 1)
    assert torch.equal(explore.generate(live.G, z), explore.generate(snap.G, z))
    assert live.checkpoint is None and live.step == 10 and live.meta["kind"] == "image"
    assert explore.snapshot_from_trainer(tr, ema=False).ema is False


def test_manifold_mesh_is_g_over_the_latent_grid(ring_run):
    snap = snap_of(ring_run)
    raw = explore.raw_directions(2, 8).vectors
    z = torch.tensor([0.3, -1.2])
    mesh, point = explore.manifold_mesh(snap.G, z, raw, psi=0.5, steps=5, extent=2.0)
    assert mesh.shape == (5, 5, 2) and point.shape == (2,)
    a = torch.linspace(-2.0, 2.0, 5)
    # row i moves along the second direction, column j along the first
    want = explore.generate(snap.G, 0.5 * torch.tensor([[float(a[1]), float(a[3])]])).numpy()[0]
    np.testing.assert_allclose(mesh[3, 1], want, atol=1e-5)
    np.testing.assert_allclose(point, explore.generate(snap.G, 0.5 * z[None]).numpy()[0], atol=1e-6)


def test_exports_reproduce_from_their_recipes(digits_run, tmp_path):
    snap = snap_of(digits_run)
    dirs = explore.directions_entry(explore.raw_directions(snap.z_dim, 8), "raw")
    preview = explore.base_recipe(snap, "latent", 0.8) | {"seed": 3, "offsets": [1.25, 0, -0.5], "directions": dirs}
    strip = explore.base_recipe(snap, "interpolate", 0.9) | {
        "keyframes": [
            {"seed": 1},
            {"seed": 2, "offsets": [1.0], "z": explore.compose(snap.z_dim, 2, [1.0], None).tolist()},
            {"seed": 4},
        ],
        "mode": "slerp",
        "frames": 9,
        "loop": True,
    }
    grid = explore.base_recipe(snap, "grid-walk", 1.0) | {
        "seed": 3,
        "offsets": [],
        "directions": dirs,
        "grid": {"axes": [0, 2], "steps": 4, "extent": 2.0},
    }
    for name, recipe in (("p.png", preview), ("s.png", strip), ("g.png", grid), ("a.gif", strip)):
        out, rpath = explore.export(recipe, tmp_path / name, snap)
        saved = json.loads(rpath.read_text())
        assert rpath.name == name + ".json" and saved["out"] == name and saved["step"] == 10
        again = explore.render_recipe(saved)  # loads G from the recipe's checkpoint alone
        if name.endswith(".png"):
            assert np.array_equal(read_png(out), again.squeeze())
        else:
            with Image.open(out) as im:
                frames = [np.asarray(im.seek(i) or im.convert("L")) for i in range(im.n_frames)]
            assert np.array_equal(np.stack(frames), again[..., 0]) and len(frames) == 9
        explore.export(saved, tmp_path / ("again_" + name), snap_of(digits_run))
        assert (tmp_path / ("again_" + name)).read_bytes() == out.read_bytes()
    assert read_png(tmp_path / "g.png").shape == (2 + 4 * 18, 2 + 4 * 18)  # a 4 x 4 grid of 16 px images


def test_seed_strip_matches_the_cli(digits_run, tmp_path):
    snap = snap_of(digits_run)
    recipe = explore.base_recipe(snap, "interpolate", 0.7) | {
        "seeds": [3, 1, 4],
        "keyframes": [{"seed": 3}, {"seed": 1}, {"seed": 4}],
        "mode": "lerp",
        "frames": 7,
        "loop": False,
    }
    # as the CLI and the app: each seed keeps its own class, frames enlarged to at least 128 px
    recipe |= {"classes": explore.own_classes(recipe, snap.G), "scale": explore.export_scale(snap)}
    assert recipe["scale"] == 8 and len(recipe["classes"]) == 3
    for ext in (".png", ".gif"):
        out, _ = explore.export(recipe, tmp_path / f"app{ext}", snap, fps=12)
        cli = tmp_path / f"cli{ext}"
        assert (
            main(
                [
                    "interpolate",
                    "--run",
                    str(digits_run),
                    "--seeds",
                    "3",
                    "1",
                    "4",
                    "--frames",
                    "7",
                    "--mode",
                    "lerp",
                    "--psi",
                    "0.7",
                    "--out",
                    str(cli),
                ]
            )
            == 0
        )
        assert cli.read_bytes() == out.read_bytes()


def test_2d_exports_reproduce_and_match_the_cli(ring_run, tmp_path):
    snap = snap_of(ring_run)
    preview = explore.base_recipe(snap, "latent", 1.0) | {
        "seed": 2,
        "offsets": [0.5, -1.0],
        "directions": explore.directions_entry(explore.raw_directions(2, 8), "raw"),
        "mesh": {"axes": [0, 1], "steps": 11, "extent": 3.0},
        "size": 256,
    }
    out, rpath = explore.export(preview, tmp_path / "p.png", snap)
    pic = read_png(out)
    assert pic.shape == (256, 256, 3) and np.array_equal(pic, explore.render_recipe(json.loads(rpath.read_text())))
    assert (np.abs(pic.astype(int) - explore.POINT_RGB).sum(-1) == 0).sum() > 20  # z's point is drawn
    strip = explore.base_recipe(snap, "interpolate", 1.0) | {
        "seeds": [1, 2],
        "mode": "slerp",
        "frames": 8,
        "loop": False,
    }
    out, _ = explore.export(strip, tmp_path / "s.gif", snap, fps=12)
    assert (
        main(
            [
                "interpolate",
                "--run",
                str(ring_run),
                "--seeds",
                "1",
                "2",
                "--frames",
                "8",
                "--mode",
                "slerp",
                "--out",
                str(tmp_path / "cli.gif"),
            ]
        )
        == 0
    )
    assert (tmp_path / "cli.gif").read_bytes() == out.read_bytes()


def test_live_snapshot_export_saves_its_weights(tmp_path):
    tr = Trainer(TrainConfig(dataset="digits", width=8, steps=3), run_dir=tmp_path / "run")
    for _ in tr.run():
        pass
    tr.step()  # weights no checkpoint holds
    snap = explore.snapshot_from_trainer(tr, ema=False)
    recipe = explore.base_recipe(snap, "latent", 1.0) | {"seed": 9, "offsets": []}
    out, rpath = explore.export(recipe, tmp_path / "live.png", snap)
    saved = json.loads(rpath.read_text())
    assert saved["checkpoint"].endswith("live.png.generator.safetensors") and saved["ema"] is False
    assert np.array_equal(read_png(out), explore.render_recipe(saved).squeeze())


def test_bad_requests_are_clear_errors(digits_run, tmp_path):
    snap = snap_of(digits_run)
    with pytest.raises(GanstudioError, match="use .png, .gif or .mp4"):
        explore.export(explore.base_recipe(snap, "latent", 1.0) | {"seed": 1}, tmp_path / "x.jpg", snap)
    z_dim = snap.G.z_dim
    with pytest.raises(GanstudioError, match=f"{z_dim}-d latent|takes {z_dim}"):
        explore.render_recipe(explore.base_recipe(snap, "latent", 1.0) | {"seed": 1, "z_dim": 3}, snap)
    with pytest.raises(GanstudioError, match="cannot write"):
        explore.export(explore.base_recipe(snap, "latent", 1.0) | {"seed": 1}, tmp_path / "no" / "x.png", snap)


def test_export_sizes_are_whole_nearest_neighbour_factors(digits_run):
    from ganstudio.io.media import default_scale, upscale

    assert [default_scale(s) for s in (16, 28, 32, 64, 100, 128, 256)] == [8, 5, 4, 2, 2, 1, 1]
    img = np.arange(6, dtype=np.uint8).reshape(2, 3, 1)
    big = upscale(img, 3)
    assert big.shape == (6, 9, 1) and np.array_equal(big[::3, ::3], img) and np.array_equal(big[2, 8], img[0, 2])
    assert upscale(np.zeros((4, 2, 3, 1), np.uint8), 2).shape == (4, 4, 6, 1)  # a stack of frames
    snap = snap_of(digits_run)  # 16 px
    assert explore.export_scale(snap) == 8 and explore.export_scale(snap, scale=3) == 3
    assert explore.export_scale(snap, size=100) == 7  # the smallest whole factor reaching 100 px
    with pytest.raises(GanstudioError, match="not both"):
        explore.export_scale(snap, scale=2, size=64)
    with pytest.raises(GanstudioError, match="positive"):
        explore.export_scale(snap, scale=0)
