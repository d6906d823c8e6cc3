"""Class-conditional DCGAN: z[0] picks the class, D projects the class onto its features."""

import json

import numpy as np
import pytest
import torch

from ganstudio.config import LEGACY, TrainConfig, from_stored, resolve
from ganstudio.data import Dataset
from ganstudio.errors import ConfigError
from ganstudio.metrics.evaluate import Evaluator
from ganstudio.models import build_models
from ganstudio.generator import load_generator
from ganstudio.training import Trainer


def cond_cfg(**kw):
    return resolve(
        TrainConfig(dataset="x", model="dcgan", image_size=16, width=8, z_dim=5, conditional=True, **kw),
        "image",
        1,
        n_labels=4,
    )


def test_z0_picks_classes_with_the_data_frequencies():
    g, _ = build_models(cond_cfg(), (1, 16, 16))
    freq = torch.tensor([0.1, 0.2, 0.3, 0.4])
    g.set_class_frequencies(freq)
    z = torch.randn(40000, 5, generator=torch.Generator().manual_seed(0))
    counts = torch.bincount(g.labels(z), minlength=4).float() / len(z)
    assert torch.allclose(counts, freq, atol=0.01)
    # sweeping z[0] walks through the classes in order; the other coordinates do not matter
    sweep = torch.zeros(9, 5)
    sweep[:, 0] = torch.linspace(-3, 3, 9)
    assert g.labels(sweep).tolist() == sorted(g.labels(sweep).tolist()) and g.labels(sweep)[[0, -1]].tolist() == [0, 3]
    z2 = z[:5].clone()
    z2[:, 1:] = torch.randn(5, 4)
    assert torch.equal(g.labels(z[:5]), g.labels(z2))


def test_generator_output_changes_with_the_class_only_through_z0():
    g, d = build_models(cond_cfg(), (1, 16, 16))
    g.eval()
    z = torch.randn(2, 5)
    z[1] = z[0]
    z[1, 0] = -z[0, 0] * 10  # another class, same style coordinates
    x = g(z)
    assert x.shape == (2, 1, 16, 16) and not torch.allclose(x[0], x[1])
    y = g.labels(z)
    assert d(x, y).shape == (2,)
    # D's score depends on the class it is told
    assert not torch.allclose(d(x[:1], y[:1]), d(x[:1], (y[:1] + 1) % 4))
    with pytest.raises(ValueError, match="needs the class"):
        d(x)


def test_resolve_rules():
    assert resolve(TrainConfig(dataset="digits"), "image", 1, n_labels=10).n_classes == 10  # the digits default
    # no labels: a conditional *default* quietly does not apply; an explicit request is an error
    assert resolve(TrainConfig(dataset="digits"), "image", 1).conditional is False
    with pytest.raises(ConfigError, match="needs labelled data"):
        resolve(TrainConfig(dataset="folder:x", conditional=True), "image", 1)
    with pytest.raises(ConfigError, match="model dcgan"):
        resolve(TrainConfig(dataset="digits", model="mlp", conditional=True), "image", 1, n_labels=10)
    with pytest.raises(ConfigError, match="for 3 classes"):
        resolve(TrainConfig(dataset="digits", conditional=True, n_classes=3), "image", 1, n_labels=10)
    assert resolve(TrainConfig(dataset="shapes"), "image", 1, n_labels=3).n_classes == 0  # opt-in elsewhere


def _labelled(n=256, classes=4, seed=0):
    """Four well-separated image classes: a bright quadrant each."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    x = np.full((n, 1, 16, 16), -1.0, np.float32)
    for i, c in enumerate(y):
        r, col = divmod(int(c), 2)
        x[i, 0, r * 8 : r * 8 + 8, col * 8 : col * 8 + 8] = 1.0
    x += rng.normal(0, 0.05, x.shape).astype(np.float32)
    return Dataset("quadrants", np.clip(x, -1, 1), "image", labels=y.astype(np.int64))


def test_conditional_training_learns_each_class(tmp_path):
    ds = _labelled()
    cfg = TrainConfig(
        dataset="quadrants",
        conditional=True,
        width=16,
        z_dim=4,
        steps=300,
        batch_size=32,
        lr_g=1e-3,
        lr_d=1e-3,
        eval_every=0,
        sample_every=300,
        checkpoint_every=300,
        log_every=50,
    )
    tr = Trainer(cfg, dataset=ds, run_dir=tmp_path / "run")
    list(tr.run())
    G = tr.sample_generator().eval()
    z = torch.randn(400, 4, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        x = G(z)
    y = G.labels(z)
    # each image's brightest quadrant is the class z[0] asked for
    quad = torch.stack([x[:, 0, r * 8 : r * 8 + 8, c * 8 : c * 8 + 8].mean((1, 2)) for r in (0, 1) for c in (0, 1)], 1)
    assert (quad.argmax(1) == y).float().mean() > 0.9
    # the checkpoint rebuilds the same generator on its own (classes and their shares included)
    lg = load_generator(tmp_path / "run" / "checkpoints" / "step_0000300.safetensors")
    assert lg.cfg.n_classes == 4 and torch.equal(lg.G.class_edges, G.class_edges)
    with torch.no_grad():
        assert torch.allclose(lg.G(z), x)
    # the evaluator samples it like any generator
    m = Evaluator(ds, cache=False).evaluate(G, 4, 200)
    assert m["fcd"] >= 0


def test_runs_saved_before_the_conditional_field_still_open(tmp_path):
    """A run from before `conditional` existed (digits then trained unconditionally) must
    rebuild the unconditional model it was, not today's conditional default."""
    cfg = TrainConfig(
        dataset="digits",
        conditional=False,
        width=8,
        z_dim=8,
        steps=10,
        batch_size=16,
        eval_every=0,
        checkpoint_every=10,
        sample_every=10,
        log_every=5,
    )
    tr = Trainer(cfg, run_dir=tmp_path / "old")
    list(tr.run())
    rd = tmp_path / "old"
    stored = json.loads((rd / "config.json").read_text())
    for key in LEGACY:  # as an older version wrote it
        stored.pop(key)
    (rd / "config.json").write_text(json.dumps(stored))
    assert from_stored(stored).conditional is False
    lg = load_generator(
        rd / "checkpoints" / "step_0000010.safetensors"
    )  # its meta config has the keys; fine either way
    assert lg.cfg.n_classes == 0
    again = Trainer(from_stored(stored), run_dir=rd)
    again.load(rd / "checkpoints" / "step_0000010.safetensors")
    assert again.cfg.n_classes == 0 and again.step_count == 10
