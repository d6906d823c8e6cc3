"""The class prior for inpainting (class_prior.py): its holes, its training on labelled
images, its cache (read back, a damaged entry retrained) and unlabelled data."""

import numpy as np

from ganstudio import class_prior
from ganstudio.class_prior import get_class_prior, random_holes
from ganstudio.data import load_dataset
from ganstudio.inpainting import parse_mask


def test_random_holes_are_of_every_kind_and_never_empty_or_whole():
    h = random_holes(400, 16, np.random.default_rng(0))
    share = h.reshape(400, -1).mean(1)
    assert h.shape == (400, 16, 16) and (share > 0).all() and (share < 1).all()
    assert (h == parse_mask("center", 16)[0]).all((1, 2)).any()  # the named masks are among them
    assert len(np.unique(np.round(share, 2))) > 30  # and many others
    assert (random_holes(50, 16, np.random.default_rng(0)) == h[:50]).all()  # seeded


def test_the_prior_learns_the_classes_of_images_with_holes_and_is_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("GANSTUDIO_CACHE", str(tmp_path))
    ds = load_dataset("digits", 16, 1)
    said = []
    prior = get_class_prior(ds.data, ds.labels, log=said.append)
    assert prior.n_classes == 10 and prior.cached is not None and prior.cached.is_file()
    assert "once" in said[0] and "right on" in said[1]
    assert prior.accuracy > 0.5  # chance is 0.1; digits with random holes after ~200 updates
    x, y = ds.data[:200], ds.labels[:200]
    p = prior.probs(x, parse_mask("right", 16)[0])
    assert p.shape == (200, 10) and np.allclose(p.sum(1), 1)
    assert (p.argmax(1) == y).mean() > 0.5
    again = get_class_prior(ds.data, ds.labels, log=said.append)
    assert again.seconds == 0 and len(said) == 2  # read from the cache, nothing retrained
    assert np.allclose(again.probs(x, parse_mask("right", 16)[0]), p, atol=1e-6)
    prior.cached.write_bytes(b"not safetensors")
    monkeypatch.setattr(class_prior, "MIN_UPDATES", 20)  # the retraining is what counts, not its quality
    retrained = get_class_prior(ds.data, ds.labels, log=said.append)
    assert "ignoring the cached class prior" in said[2] and retrained.seconds > 0


def test_unlabelled_data_has_no_prior_and_training_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setenv("GANSTUDIO_CACHE", str(tmp_path))
    ds = load_dataset("digits", 16, 1)
    assert get_class_prior(ds.data, None) is None
    calls = []
    monkeypatch.setattr(class_prior, "MAX_UPDATES", 60)
    monkeypatch.setattr(class_prior, "MIN_UPDATES", 50)
    get_class_prior(ds.data, ds.labels, cache=False, log=lambda m: None, progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1][1] == 60 and calls[-1][0] <= 60
