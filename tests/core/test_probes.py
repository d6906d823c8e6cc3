import numpy as np
import torch

from ganstudio import losses
from ganstudio.config import TrainConfig
from ganstudio.metrics.mixture import mode_coverage
from ganstudio.training.probes import d_field, g_arrows
from ganstudio.training import Trainer


class Fn(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def test_field_layout_rows_are_y():
    D = Fn(lambda x: 10 * x[:, 1])  # D likes large y only
    f = d_field(D, (-1.0, 1.0), 8, losses.get("ns"), torch.device("cpu"))
    assert f.shape == (8, 8) and f.dtype == np.float32
    assert (np.diff(f[:, 0]) > 0).all() and np.allclose(f[3], f[3, 0])  # grows along rows, flat along columns


def test_arrows_point_uphill_for_the_generator():
    G = torch.nn.Identity()
    D = Fn(lambda x: x[:, 0])  # real is to the right
    z = torch.zeros(4, 2)
    pts, arrows = g_arrows(G, D, z, losses.get("ns"))
    assert np.array_equal(pts, np.zeros((4, 2), dtype=np.float32))
    assert (arrows[:, 0] > 0).all() and np.allclose(arrows[:, 1], 0)


def test_probing_does_not_change_training():
    a = Trainer(TrainConfig(dataset="ring8", steps=20, batch_size=32))
    b = Trainer(TrainConfig(dataset="ring8", steps=20, batch_size=32))
    for ev in a.run():
        g_arrows(a.sample_generator(), a.D, a.fixed_z, a.loss)
        d_field(a.D, a.extent, 16, a.loss, a.device)
    list(b.run())
    assert all(torch.equal(x, y) for x, y in zip(a.G.parameters(), b.G.parameters()))


def test_mode_coverage_definition():
    means = np.array([[0.0, 0.0], [10.0, 0.0]])
    exact = np.concatenate([np.random.default_rng(0).normal(m, 0.1, (500, 2)) for m in means])
    r = mode_coverage(exact, means, 0.1)
    assert r["modes"] == 2 and r["hq"] > 0.98
    collapsed = np.random.default_rng(1).normal(means[0], 0.1, (1000, 2))
    assert mode_coverage(collapsed, means, 0.1)["modes"] == 1
    far = np.full((10, 2), 5.0)
    assert mode_coverage(far, means, 0.1) == {"modes": 0, "n_modes": 2, "hq": 0.0}
    nan = np.full((3, 2), np.nan)
    assert mode_coverage(nan, means, 0.1)["hq"] == 0.0
