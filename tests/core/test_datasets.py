import numpy as np
import pytest

from ganstudio.data import BUILTINS, describe, load_dataset
from ganstudio.errors import DatasetError


def test_ring8_matches_spec():
    ds = load_dataset("ring8")
    assert ds.kind == "2d" and ds.data.shape[1] == 2 and ds.data.dtype == np.float32
    angles = 2 * np.pi * np.arange(8) / 8
    np.testing.assert_allclose(ds.means, 2 * np.stack([np.cos(angles), np.sin(angles)], 1), atol=1e-12)
    assert ds.std == 0.02
    # every point lies near a mean, every mean gets points
    d = np.sqrt(((ds.data[:, None] - ds.means[None]) ** 2).sum(-1))
    assert (d.min(1) < 6 * ds.std).all()
    assert len(np.unique(d.argmin(1))) == 8
    assert abs(np.std(ds.data - ds.means[d.argmin(1)]) - 0.02) < 0.002


def test_grid25_matches_spec():
    ds = load_dataset("grid25")
    assert sorted(map(tuple, ds.means.tolist())) == [(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)]
    assert ds.std == 0.05


@pytest.mark.parametrize("name", ["spiral", "moons", "rings"])
def test_other_2d_sets(name):
    ds = load_dataset(name)
    assert ds.kind == "2d" and ds.data.shape == (50_000, 2) and np.isfinite(ds.data).all()
    assert np.array_equal(ds.data, load_dataset(name).data)  # deterministic


@pytest.mark.parametrize("size", [16, 32])
def test_digits(size):
    ds = load_dataset("digits", image_size=size)
    assert ds.data.shape == (1797, 1, size, size) and ds.data.dtype == np.float32
    assert ds.data.min() >= -1 and ds.data.max() <= 1 and ds.data.max() > 0.9
    assert sorted(np.unique(ds.labels)) == list(range(10))


def test_digits_rgb():
    assert load_dataset("digits", image_size=16, channels=3).data.shape == (1797, 3, 16, 16)


def test_shapes_deterministic_grey_and_colour():
    a = load_dataset("shapes", image_size=16, channels=1)
    b = load_dataset("shapes", image_size=16, channels=1)
    assert a.data.shape[1:] == (1, 16, 16) and np.array_equal(a.data, b.data)
    assert set(np.unique(a.labels)) == {0, 1, 2}
    assert -1 <= a.data.min() and a.data.max() <= 1 and a.data.max() > 0.5
    c = load_dataset("shapes", image_size=16, channels=3)
    assert c.data.shape[1] == 3
    assert np.abs(c.data[:, 0] - c.data[:, 1]).max() > 0.1  # really coloured


def test_unknown_dataset_lists_valid_names():
    with pytest.raises(DatasetError) as e:
        load_dataset("cifar10")
    for name in list(BUILTINS) + ["folder:PATH", "idx:PATH"]:
        assert name in str(e.value)


def test_prefix_without_path():
    with pytest.raises(DatasetError, match="needs a path"):
        load_dataset("folder:")


def test_describe_lists_everything():
    names = [n for n, _ in describe()]
    assert {"ring8", "grid25", "digits", "shapes", "folder:PATH", "npz:PATH", "npy:PATH", "idx:PATH"} <= set(names)
