import pytest
import torch

from ganstudio.config import TrainConfig, resolve
from ganstudio.errors import ConfigError
from ganstudio.models import build_models


def _cfg(kind, **kw):
    return resolve(TrainConfig(dataset="x", **kw), kind, 1)


def test_classic_mlp_for_images():
    cfg = _cfg("image", model="mlp", z_dim=100, image_size=28)
    g, d = build_models(cfg, (1, 28, 28))
    widths = [m.out_features for m in g.net if isinstance(m, torch.nn.Linear)]
    assert widths == [256, 512, 1024, 784]
    assert [m.out_features for m in d.net if isinstance(m, torch.nn.Linear)] == [512, 256, 1]
    assert any(isinstance(m, torch.nn.LeakyReLU) and m.negative_slope == 0.2 for m in d.net)
    x = g(torch.randn(5, 100))
    assert x.shape == (5, 1, 28, 28) and x.abs().max() <= 1
    assert d(x).shape == (5,)


def test_mlp_for_2d_is_unbounded():
    g, d = build_models(_cfg("2d"), (2,))
    assert not any(isinstance(m, torch.nn.Tanh) for m in g.modules())
    assert g(torch.randn(7, 2)).shape == (7, 2) and d(torch.randn(7, 2)).shape == (7,)


@pytest.mark.parametrize("size", [16, 28, 32, 64])
@pytest.mark.parametrize("channels", [1, 3])
def test_dcgan_shapes(size, channels):
    cfg = _cfg("image", model="dcgan", image_size=size, width=8, z_dim=16)
    g, d = build_models(cfg, (channels, size, size))
    x = g(torch.randn(3, 16))
    assert x.shape == (3, channels, size, size)
    assert d(x).shape == (3,)


def test_dcgan_rejects_other_sizes():
    with pytest.raises(ConfigError, match="16, 28, 32, 64"):
        build_models(_cfg("image", model="dcgan", image_size=24), (1, 24, 24))


def test_spectral_norm_and_wgan_drop_batchnorm():
    sn = _cfg("image", model="dcgan", image_size=16, width=8, spectral_norm=True)
    _, d = build_models(sn, (1, 16, 16))
    assert not d.has_batchnorm and any(hasattr(m, "parametrizations") for m in d.modules())
    _, d = build_models(_cfg("image", model="dcgan", image_size=16, width=8, loss="wgan-gp"), (1, 16, 16))
    assert not d.has_batchnorm
    _, d = build_models(_cfg("2d", spectral_norm=True), (2,))
    assert any(hasattr(m, "parametrizations") for m in d.modules())


def test_init_is_seeded_and_leaves_global_rng_alone():
    cfg = _cfg("2d")
    torch.manual_seed(123)
    before = torch.get_rng_state()
    g1, _ = build_models(cfg, (2,))
    assert torch.equal(before, torch.get_rng_state())
    g2, _ = build_models(cfg, (2,))
    assert all(torch.equal(a, b) for a, b in zip(g1.parameters(), g2.parameters()))
