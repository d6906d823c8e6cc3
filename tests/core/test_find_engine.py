"""Finding things in the generator (Qt-free): projection, nearest real images, the
memorisation figure and its alarm, and directions by example."""

import numpy as np
import pytest
import torch
from torch import nn

from ganstudio.data import load_dataset
from ganstudio.errors import GanstudioError
from ganstudio.example_directions import (
    class_direction,
    fit_direction,
    load_run_directions,
    make_directions,
    read_direction,
    save_direction,
)
from ganstudio.explore import compose, recipe_latents
from ganstudio.health import COLLAPSE_EVALS, HealthMonitor
from ganstudio.latent import Directions, sample_z, with_class
from ganstudio.metrics.evaluate import Evaluator, format_metrics
from ganstudio.metrics.neighbours import build_index, index_path, load_reference
from ganstudio.models.dcgan import DCGANGenerator
from ganstudio.projection import Projector, baselines, load_image, project


def varied_generator(n_classes=10, seed=0):
    """A DCGAN generator for 16x16 digits whose random weights draw varied images: its batch
    norms are calibrated on a batch (an untrained G in eval mode draws nearly one image)."""
    torch.manual_seed(seed)
    G = DCGANGenerator(9, 1, 16, width=8, n_classes=n_classes)
    for m in G.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.momentum = None  # a plain average of what it sees
    G.net[-2].weight.data *= 30  # the last layer's N(0, 0.02) weights leave tanh near 0
    G.train()
    with torch.no_grad():
        G(torch.randn(1024, 9))
    return G.eval().requires_grad_(False)


class LookupGenerator(nn.Module):
    """Memorises its data: G(z) is the training image whose anchor latent is nearest z."""

    def __init__(self, images: np.ndarray, z_dim: int):
        super().__init__()
        self.register_buffer("images", torch.from_numpy(images))
        self.register_buffer("anchors", sample_z(len(images), z_dim, 99))
        self.unused = nn.Parameter(torch.zeros(()), requires_grad=False)  # (callers look up its device)

    def forward(self, z):
        return self.images[torch.cdist(z, self.anchors).argmin(1)]


@pytest.fixture(scope="module")
def ref():
    return load_reference("digits")


def test_neighbours_of_a_training_image_start_with_itself_at_distance_zero(ref):
    n = ref.nearest_to_item(123, k=5)
    assert len(n.features.index) == len(n.pixels.index) == 5
    assert n.features.index[0] == 123 and n.features.distance[0] == 0.0
    assert n.pixels.index[0] == 123 and n.pixels.distance[0] == 0.0
    assert np.all(np.diff(n.features.distance) >= 0) and np.all(np.diff(n.pixels.distance) >= 0)
    # the same image as a query (its features recomputed) finds itself first, at ~0
    q = ref.nearest(ref.dataset.data[[123, 7]], k=3)
    assert q[0].features.index[0] == 123 and q[0].features.distance[0] < 1e-3
    assert q[1].pixels.index[0] == 7 and q[1].pixels.distance[0] == 0.0
    # exact distances: what the index ranks is what a direct computation gives
    f = ref.index.features
    direct = torch.cdist(f[123:124].double(), f.double())[0]
    assert np.allclose(n.features.distance, np.sort(direct.numpy())[:5], atol=1e-6)
    pix = ref.dataset.data.reshape(len(f), -1)
    rms = np.sqrt(((pix - pix[123]) ** 2).mean(1))
    assert np.allclose(n.pixels.distance, np.sort(rms)[:5], atol=1e-6)


def test_the_index_is_cached_beside_the_feature_net_and_reused(ref):
    path = index_path(ref.net.cached)
    assert path.is_file() and path.parent == ref.net.cached.parent
    assert path.name == ref.net.cached.name.replace(".safetensors", ".neighbours.safetensors")
    again = build_index(ref.net, ref.dataset.data)
    assert torch.equal(again.features, ref.index.features) and again.threshold == ref.index.threshold
    path.write_bytes(b"garbage")  # a damaged entry is rebuilt, not fatal
    rebuilt = build_index(ref.net, ref.dataset.data, log=lambda msg: None)
    assert torch.allclose(rebuilt.features, ref.index.features) and path.stat().st_size > 1000


def test_memorising_generator_scores_high_and_a_fresh_one_low():
    ds = load_dataset("digits")
    ev = Evaluator(ds)
    copier = LookupGenerator(ds.data[:300], 9)
    m = ev.evaluate(copier, 9, 500)
    assert m["memorized"] == 100.0
    fresh = ev.evaluate(DCGANGenerator(9, 1, 16, width=8, n_classes=10).eval(), 9, 500)
    assert fresh["memorized"] < 5
    assert "memorized 100.0%" in format_metrics(m)


def test_memorisation_alarm_fires_when_the_figure_climbs():
    h = HealthMonitor("hinge")
    assert h.on_eval(100, {"memorized": 10.0}) is None
    alarms = [h.on_eval(200 + 100 * i, {"memorized": 70.0}) for i in range(COLLAPSE_EVALS + 2)]
    fired = [a for a in alarms if a is not None]
    assert len(fired) == 1 and fired[0].kind == "memorize" and "70%" in fired[0].title and "10%" in fired[0].title
    assert h.on_eval(900, {"memorized": 12.0}) is None  # back down: the episode ends
    steady = HealthMonitor("hinge")  # a steady figure, however high, is not a climb
    assert all(steady.on_eval(s, {"memorized": 65.0}) is None for s in range(0, 1000, 100))
    learning = HealthMonitor("hinge")  # new images from the data's distribution score ~50: no alarm
    assert all(
        learning.on_eval(s, {"memorized": v}) is None
        for s, v in ((100, 2.0), (200, 30.0), (300, 52.0), (400, 55.0), (500, 55.0))
    )


def test_projection_of_a_generated_image_recovers_its_output():
    G = varied_generator()
    z = with_class(sample_z(1, 9, 5), G, 4)
    target = G(z)[0].numpy()
    res = project(G, target, 9, None, steps=150, seed=0)
    base = baselines(G, target, 9, n=2000)
    assert res.cls == 4 and res.z.shape == (9,)
    assert res.pixel_mse < 0.01 * base["random_mse"]
    assert np.allclose(G(res.z[None])[0].numpy(), res.image, atol=1e-6)


def test_projection_of_a_real_image_beats_the_best_of_10000_random_latents(ref):
    G = varied_generator()
    target = ref.dataset.data[100]
    seen = []
    res = project(G, target, 9, ref.net, steps=150, seed=0, callback=seen.append, every=50)
    base = baselines(G, target, 9)
    assert res.pixel_mse < base["best_mse"] < base["random_mse"]
    assert [r.step for r in seen] == [50, 100, 150] and seen[-1].finished
    assert res.history[-1] <= res.history[0]  # converges: the best so far only improves
    again = project(G, target, 9, ref.net, steps=150, seed=0)
    assert torch.equal(again.z, res.z) and again.pixel_mse == res.pixel_mse  # deterministic
    other = project(G, target, 9, ref.net, steps=150, seed=1)
    assert not torch.equal(other.z, res.z)


def test_projection_of_an_unconditional_generator_and_bad_targets(ref):
    G = varied_generator(n_classes=0)
    p = Projector(G, ref.dataset.data[3], 9, ref.net, steps=40, seed=0)
    first = p.advance(0)
    res = p.advance(40)
    assert res.cls is None and p.done and res.pixel_mse <= first.pixel_mse
    with pytest.raises(GanstudioError, match="draws"):
        Projector(G, np.zeros((1, 28, 28), np.float32), 9)
    with pytest.raises(GanstudioError, match="one image"):
        Projector(G, np.zeros((2, 1, 16, 16), np.float32), 9)


def test_image_files_load_like_the_dataset(tmp_path):
    from PIL import Image

    rgb = np.zeros((40, 60, 3), np.uint8)
    rgb[:, 30:] = 255  # right half white
    Image.fromarray(rgb).save(tmp_path / "half.png")
    x = load_image(tmp_path / "half.png", 16, 1)
    assert x.shape == (1, 16, 16) and x.dtype == np.float32
    assert x[0, :, 0].max() < -0.9 and x[0, :, -1].min() > 0.9  # centre-cropped, grey, [-1, 1]
    assert load_image(tmp_path / "half.png", 16, 3).shape == (3, 16, 16)
    (tmp_path / "bad.png").write_text("not an image")
    with pytest.raises(GanstudioError, match="bad.png"):
        load_image(tmp_path / "bad.png", 16, 1)


def test_direction_fitted_to_marks_that_split_on_z3_points_along_z3():
    z = sample_z(60, 8, 1)
    marks = z[:, 3] > 0
    vec, method = fit_direction(z, marks)
    assert method == "logistic" and float(vec[3]) > 0.9 and abs(float(vec.norm()) - 1) < 1e-5
    few = torch.cat([z[marks][:2], z[~marks][:3]])  # few marks: the difference of means
    vec2, method2 = fit_direction(few, torch.tensor([True, True, False, False, False]))
    assert method2 == "means" and float(vec2[3]) > 0.5
    vec3, _ = fit_direction(z, marks, ignore=[3])  # a conditional G's class dial is left out
    assert float(vec3[3]) == 0.0
    with pytest.raises(GanstudioError, match="at least one"):
        fit_direction(z, torch.ones(60, dtype=torch.bool))


def test_directions_are_saved_with_the_run_and_move_latents(tmp_path):
    vec = torch.nn.functional.normalize(torch.arange(9.0), dim=0)
    d = make_directions(vec, "thick strokes!", 5, 7, "logistic", step=30)
    path = save_direction(tmp_path, d)
    assert path == tmp_path / "directions" / "thick_strokes.json"
    back = Directions.from_json(path.read_text())
    assert back.space == "example" and back.meta["name"] == "thick strokes!" and back.k == 1
    assert load_run_directions(tmp_path, 9)[0][0] == "thick strokes!" and load_run_directions(tmp_path, 5) == []
    name, v = read_direction(path, 9)
    assert name == "thick strokes!" and torch.allclose(v, vec)
    with pytest.raises(GanstudioError, match="9-d"):
        read_direction(path, 4)
    # a latent recipe with a projected z and a named direction
    z = torch.randn(9)
    moved = compose(9, 0, [], None, z=z, named=[{"name": "t", "vector": vec.tolist(), "amount": 2.0}])
    assert torch.allclose(moved, z + 2 * vec)
    r = {
        "command": "latent",
        "z_dim": 9,
        "seed": 0,
        "psi": 0.5,
        "z": z.tolist(),
        "named_directions": [{"name": "t", "vector": vec.tolist(), "amount": 2.0}],
    }
    assert torch.allclose(recipe_latents(r)[0], 0.5 * (z + 2 * vec))


def test_toward_class_direction_from_the_classifier(ref):
    G = varied_generator(n_classes=0)
    vec, method, n_pos = class_direction(G, 9, ref.net, 3, n=600)
    assert vec.shape == (9,) and abs(float(vec.norm()) - 1) < 1e-5 and n_pos > 0
    # moving along it makes the classifier see class 3 more often
    z = sample_z(300, 9, 7)
    share = [float((ref.net.embed(G(z + a * vec).numpy())[1].argmax(1) == 3).mean()) for a in (-2.0, 0.0, 2.0)]
    assert share[0] <= share[1] <= share[2] and share[2] > share[0]
    with pytest.raises(GanstudioError, match="classifier"):
        class_direction(G, 9, None, 3)
