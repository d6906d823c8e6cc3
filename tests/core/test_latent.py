"""Latent utilities: interpolation, truncation, keyframe paths, grid walks, directions (no Qt)."""

import math

import numpy as np
import pytest
import torch

from ganstudio.config import TrainConfig, resolve
from ganstudio.latent import Directions, grid_walk, keyframe_path, lerp, principal_directions, sample_z, slerp, truncate
from ganstudio.models import build_models


def test_lerp_endpoints_midpoint_and_shapes():
    a, b = torch.tensor([0.0, 2.0]), torch.tensor([4.0, -2.0])
    assert torch.equal(lerp(a, b, 0.0), a) and torch.equal(lerp(a, b, 1.0), b)
    assert torch.allclose(lerp(a, b, 0.5), torch.tensor([2.0, 0.0]))
    out = lerp(a, b, torch.linspace(0, 1, 5))  # (T,) t with (Z,) vectors -> (T, Z)
    assert out.shape == (5, 2) and torch.allclose(out[2], torch.tensor([2.0, 0.0]))


def test_slerp_endpoints_midpoint_and_norm():
    a, b = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    assert torch.allclose(slerp(a, b, 0.0), a, atol=1e-6) and torch.allclose(slerp(a, b, 1.0), b, atol=1e-6)
    mid = slerp(a, b, 0.5)
    assert torch.allclose(mid, torch.tensor([1.0, 1.0]) / math.sqrt(2), atol=1e-6)
    # equal-norm endpoints keep their norm all along the arc (lerp would shrink it)
    z = sample_z(2, 64, 7)
    z1 = z[1] * z[0].norm() / z[1].norm()
    path = slerp(z[0], z1, torch.linspace(0, 1, 11))
    assert path.shape == (11, 64)
    assert torch.allclose(path.norm(dim=1), z[0].norm().expand(11), rtol=1e-5)
    assert lerp(z[0], z1, 0.5).norm() < z[0].norm()


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_slerp_parallel_and_antiparallel_fall_back_to_lerp(sign):
    a = torch.tensor([1.0, 2.0, 3.0])
    b = sign * 2 * a
    t = torch.linspace(0, 1, 7)
    out = slerp(a, b, t)
    assert torch.isfinite(out).all()
    assert torch.allclose(out, lerp(a, b, t), atol=1e-5)
    assert torch.isfinite(slerp(a, a, 0.3)).all() and torch.allclose(slerp(a, a, 0.3), a)
    assert torch.isfinite(slerp(torch.zeros(3), a, 0.5)).all()


def test_keyframe_path_shape_and_keys():
    keys = sample_z(3, 16, 0)  # (K, Z)
    for mode in ("lerp", "slerp"):
        path = keyframe_path(keys, 9, mode=mode)  # 2 segments, frames 0, 4, 8 are the keys
        assert path.shape == (9, 16)
        for f, k in ((0, 0), (4, 1), (8, 2)):
            assert torch.allclose(path[f], keys[k])
        # uneven split still starts and ends on the keys
        p = keyframe_path(keys, 6, mode=mode)
        assert p.shape == (6, 16) and torch.equal(p[0], keys[0]) and torch.equal(p[-1], keys[-1])
    loop = keyframe_path(keys, 12, loop=True)  # 3 segments of 4 frames, back towards key 0
    assert loop.shape == (12, 16)
    for f, k in ((0, 0), (4, 1), (8, 2)):
        assert torch.allclose(loop[f], keys[k])
    assert torch.allclose(loop[10], (keys[2] + keys[0]) / 2, atol=1e-6)
    with pytest.raises(ValueError):
        keyframe_path(keys[:1], 5)
    with pytest.raises(ValueError):
        keyframe_path(keys, 1)
    with pytest.raises(ValueError):
        keyframe_path(keys, 5, mode="cubic")


def test_truncation():
    z = torch.tensor([[2.0, -4.0]])
    assert torch.equal(truncate(z, 1.0), z)
    assert torch.allclose(truncate(z, 0.5), torch.tensor([[1.0, -2.0]]))
    assert torch.allclose(truncate(z, 0.0), torch.zeros(1, 2))
    c = torch.tensor([1.0, 1.0])
    assert torch.allclose(truncate(z, 0.5, c), torch.tensor([[1.5, -1.5]]))
    assert torch.allclose(truncate(z, 0.0, c), c.expand(1, 2))


def test_grid_walk():
    z0 = torch.zeros(4)
    d1, d2 = torch.eye(4)[0], torch.eye(4)[1]
    g = grid_walk(z0, d1, d2, steps=3, extent=2.0)
    assert g.shape == (9, 4)
    assert torch.allclose(g[4], z0)  # centre
    assert torch.allclose(g[0], torch.tensor([-2.0, -2.0, 0, 0]))
    assert torch.allclose(g[2], torch.tensor([2.0, -2.0, 0, 0]))  # columns move along d1
    assert torch.allclose(g[6], torch.tensor([-2.0, 2.0, 0, 0]))  # rows move along d2


@pytest.fixture(scope="module")
def tiny_G():
    cfg = resolve(TrainConfig(dataset="x", model="mlp", z_dim=4, g_hidden=[16], d_hidden=[16]), "image", 1)
    G, _ = build_models(cfg, (1, 8, 8))
    return G.eval()


def test_principal_directions(tiny_G):
    d1 = principal_directions(tiny_G, 4, n=300, k=3, seed=5)
    d2 = principal_directions(tiny_G, 4, n=300, k=3, seed=5)
    assert torch.equal(d1.vectors, d2.vectors) and torch.equal(d1.variance_ratio, d2.variance_ratio)
    assert d1.vectors.shape == (3, 4) and d1.vectors.dtype == torch.float32
    assert torch.allclose(d1.vectors.norm(dim=1), torch.ones(3), atol=1e-5)
    r = d1.variance_ratio
    assert r.shape == (3,) and (r[:-1] >= r[1:]).all() and (r >= 0).all() and float(r.sum()) <= 1 + 1e-6
    assert (d1.space, d1.n, d1.seed) == ("output", 300, 5)
    other = principal_directions(tiny_G, 4, n=300, k=3, seed=6)
    assert not torch.equal(other.vectors, d1.vectors)
    # k is capped by the latent size
    assert principal_directions(tiny_G, 4, n=100, k=10).k == 4
    # moving along the top direction changes the output more than along the last one
    full = principal_directions(tiny_G, 4, n=500, k=4, seed=0)
    z = sample_z(64, 4, 1)
    with torch.no_grad():
        base = tiny_G(z)
        moves = [(tiny_G(z + 0.5 * v) - base).pow(2).mean().item() for v in full.vectors]
    assert moves[0] > moves[-1]


def test_directions_json_roundtrip(tiny_G):
    d = principal_directions(tiny_G, 4, n=200, k=2, seed=1)
    d.meta = {"step": 3}
    back = Directions.from_json(d.to_json())
    assert torch.equal(back.vectors, d.vectors) and torch.equal(back.variance_ratio, d.variance_ratio)
    assert (back.space, back.n, back.seed, back.meta) == ("output", 200, 1, {"step": 3})
    with pytest.raises(ValueError):
        Directions.from_json('{"vectors": [[1, 2]], "variance_ratio": [0.1, 0.2]}')


def test_save_frames_and_recipe(tmp_path):
    from PIL import Image

    from ganstudio.io.media import save_frames, write_recipe

    rng = np.random.default_rng(0)
    grey = [rng.integers(0, 256, (8, 8, 1), dtype=np.uint8) for _ in range(4)]
    rgb = rng.integers(0, 256, (3, 8, 8, 3), dtype=np.uint8)
    save_frames(grey, tmp_path / "g.gif", fps=10)
    with Image.open(tmp_path / "g.gif") as im:
        assert im.n_frames == 4 and im.info.get("loop") == 0
        im.seek(2)
        assert np.array_equal(np.asarray(im.convert("L")), grey[2][..., 0])  # grey levels exact
    save_frames(rgb, tmp_path / "c.gif")
    with Image.open(tmp_path / "c.gif") as im:
        assert im.n_frames == 3
    save_frames(rgb, tmp_path / "c.png")
    assert np.asarray(Image.open(tmp_path / "c.png")).shape == (12, 2 + 3 * 10, 3)  # one strip
    with pytest.raises(ValueError):
        save_frames(grey, tmp_path / "g.webm")
    p = write_recipe(tmp_path / "c.gif", {"seeds": [1, 2]})
    assert p.name == "c.gif.json" and '"seeds"' in p.read_text()
