"""Inpainting (Qt-free): masks, the feathered blend, the masked projection that shares
Projector's rows, and its bad inputs."""

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from ganstudio.errors import GanstudioError
from ganstudio.inpainting import Inpainter, blend, feather_alpha, harmonic, inpaint, parse_mask, shape_mask
from ganstudio.latent import sample_z
from ganstudio.models.dcgan import DCGANGenerator
from ganstudio.projection import best_rows


def varied_generator(n_classes=0, seed=0):
    """A 16x16 DCGAN G whose random weights draw varied images (batch norms calibrated on a
    batch; the last layer scaled so tanh is not stuck near 0)."""
    torch.manual_seed(seed)
    G = DCGANGenerator(9, 1, 16, width=8, n_classes=n_classes)
    for m in G.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.momentum = None
    G.net[-2].weight.data *= 30
    G.train()
    with torch.no_grad():
        G(torch.randn(1024, 9))
    return G.eval().requires_grad_(False)


def test_named_masks_cover_the_documented_regions():
    c = shape_mask("center", 28)
    assert c.sum() == 14 * 14 and c[7:21, 7:21].all()
    assert shape_mask("left", 28)[:, :14].all() and not shape_mask("left", 28)[:, 14:].any()
    assert shape_mask("right", 28)[:, 14:].all() and shape_mask("top", 28)[:14].all()
    assert shape_mask("bottom", 28)[14:].all() and shape_mask("bottom", 28).sum() == 28 * 14
    r = parse_mask("random:0.2", 28, n=3, seed=5)
    assert r.shape == (3, 28, 28) and (r.reshape(3, -1).sum(1) == round(0.2 * 784)).all()
    assert not (r[0] == r[1]).all()  # each image its own drop
    assert (parse_mask("random:0.2", 28, n=3, seed=5) == r).all()  # seeded


def test_mask_png_is_white_where_missing_and_bad_masks_are_refused(tmp_path):
    m = np.zeros((16, 16), np.uint8)
    m[4:8, 2:10] = 255
    Image.fromarray(m).save(tmp_path / "m.png")
    hole = parse_mask(str(tmp_path / "m.png"), 16, n=2)
    assert hole.shape == (2, 16, 16) and hole[0].sum() == 32 and hole[1, 5, 3]
    with pytest.raises(GanstudioError, match="is 16x16 pixels; the images are 28x28"):
        parse_mask(str(tmp_path / "m.png"), 28)
    Image.fromarray(np.zeros((16, 16), np.uint8)).save(tmp_path / "black.png")
    with pytest.raises(GanstudioError, match="hides no pixel"):
        parse_mask(str(tmp_path / "black.png"), 16)
    Image.fromarray(np.full((16, 16), 255, np.uint8)).save(tmp_path / "white.png")
    with pytest.raises(GanstudioError, match="hides every pixel"):
        parse_mask(str(tmp_path / "white.png"), 16)
    (tmp_path / "notes.png").write_text("not an image")
    with pytest.raises(GanstudioError, match="not an image"):
        parse_mask(str(tmp_path / "notes.png"), 16)
    for bad in ("random:0", "random:1.5", "random:x", "middle"):
        with pytest.raises(GanstudioError, match="--mask"):
            parse_mask(bad, 16)


def test_alpha_blend_leaves_known_pixels_bit_identical_outside_a_two_pixel_band():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (2, 3, 16, 16)).astype(np.float32)
    g = rng.uniform(-1, 1, (2, 3, 16, 16)).astype(np.float32)
    hole = parse_mask("center", 16, n=2)
    out = blend(x, g, hole, "alpha")
    a = feather_alpha(hole)[:, 0].numpy()
    assert (out[np.broadcast_to(hole[:, None], x.shape)] == g[np.broadcast_to(hole[:, None], x.shape)]).all()
    far = np.broadcast_to((a == 0)[:, None], x.shape)
    assert np.array_equal(out[far], x[far])  # bit for bit
    band = (a > 0) & ~hole
    assert band[0].sum() == 12 * 12 - 8 * 8  # the centre 8x8 hole grown by 2 pixels
    assert sorted(np.unique(a[0][band[0]]).round(3)) == [0.333, 0.667]
    # scattered missing pixels leave no seam: their known neighbours are not blended
    scattered = parse_mask("random:0.2", 16, n=2, seed=1)
    out = blend(x, g, scattered, "alpha")
    assert np.array_equal(
        out[np.broadcast_to(~scattered[:, None], x.shape)], x[np.broadcast_to(~scattered[:, None], x.shape)]
    )
    with pytest.raises(GanstudioError, match="--blend"):
        blend(x, g, hole, "median")


def test_harmonic_fill_solves_laplace_in_the_hole_with_the_known_pixels_as_its_boundary():
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (3, 2, 16, 16)).astype(np.float32)
    for spec in ("center", "left", "random:0.5"):
        hole = parse_mask(spec, 16, n=3, seed=2)
        u = harmonic(x, hole).numpy().astype(np.float64)
        m = np.broadcast_to(hole[:, None], x.shape)
        assert np.array_equal(u[~m], x[~m])  # the known pixels are the boundary, untouched
        # each hole pixel is the mean of its neighbours inside the image (no flux through the edges)
        pad = np.pad(u, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="edge")
        mean4 = (pad[..., :-2, 1:-1] + pad[..., 2:, 1:-1] + pad[..., 1:-1, :-2] + pad[..., 1:-1, 2:]) / 4
        assert np.abs(u - mean4)[m].max() < 1e-5
    # a linear ramp is harmonic: a hole in it is filled with the ramp itself
    ramp = np.broadcast_to(np.linspace(-1, 1, 16, dtype=np.float32), (1, 1, 16, 16)).copy()
    hole = parse_mask("center", 16)
    assert np.abs(harmonic(ramp, hole).numpy() - ramp).max() < 1e-5


def test_poisson_blend_keeps_every_known_pixel_and_carries_g_detail_shifted_to_meet_them():
    rng = np.random.default_rng(2)
    g = rng.uniform(-0.5, 0.5, (2, 3, 16, 16)).astype(np.float32)
    hole = parse_mask("center", 16, n=2)
    x = np.where(hole[:, None], rng.uniform(-1, 1, g.shape), g + 0.3).astype(np.float32)  # G off by a constant
    out = blend(x, g, hole)
    m = np.broadcast_to(hole[:, None], x.shape)
    assert np.array_equal(out[~m], x[~m])  # no known pixel changes, not even beside the hole
    assert np.abs(out[m] - (g + 0.3)[m]).max() < 1e-5  # the seam is gone: G's detail, lifted by 0.3
    assert out.min() >= -1 and out.max() <= 1


def test_best_rows_keeps_the_lowest_of_each_target_in_row_order():
    loss = torch.tensor([3.0, 1.0, 2.0, 0.5, 9.0, 0.1])
    target = torch.tensor([0, 0, 0, 1, 1, 1])
    assert best_rows(loss, target, 1).tolist() == [1, 5]
    assert best_rows(loss, target, 2).tolist() == [1, 2, 3, 5]


def test_inpainting_a_generated_image_recovers_its_hole_better_than_the_mean_and_is_deterministic():
    G = varied_generator()
    with torch.no_grad():
        x = G(sample_z(6, 9, 11)).numpy()
    hole = parse_mask("center", 16, n=len(x))
    p = Inpainter(G, x, hole, 9, steps=30, seed=3)
    first = p.advance(0)
    res = p.advance(30)
    assert res.finished and res.filled.shape == x.shape and res.z.shape == (6, 9)
    assert np.median(res.known_mse) <= np.median(first.known_mse)  # the search improves on its starts
    h = np.broadcast_to(hole[:, None], x.shape)
    err = ((res.filled - x) ** 2)[h].mean()
    mean_fill = ((x.mean(0, keepdims=True) - x) ** 2)[h].mean()
    assert err < 0.5 * mean_fill
    calls = []
    again = inpaint(G, x, hole, 9, steps=30, seed=3, batch=4, progress=lambda *a: calls.append(a))
    np.testing.assert_allclose(again.filled, res.filled, atol=1e-4)  # other batches: the same fills
    done = [d for d, _ in calls]
    assert done == sorted(done) and calls[-1] == (6 * 30, 6 * 30) and len(calls) == 2 * 3  # every 10 steps
    assert again.z.shape == (6, 9)


def own_class_images():
    """A conditional 16x16 G with 4 classes and one image it draws of each class, in order."""
    G = varied_generator(n_classes=4, seed=1)
    z = sample_z(4, 9, 21)
    z[:, 0] = G.class_centres()[torch.arange(4)]
    with torch.no_grad():
        return G, G(z).numpy()


def test_a_conditional_generator_finds_the_class_of_its_own_image():
    G, x = own_class_images()
    res = inpaint(G, x, parse_mask("left", 16, n=4), 9, steps=40, seed=0)
    assert sum(int(c == k) for c, k in zip(res.cls, range(4))) >= 3
    assert all(c in range(4) for c in res.cls)


def test_a_class_prior_ranks_the_classes_but_a_much_better_fit_still_wins():
    G, x = own_class_images()
    hole = parse_mask("left", 16, n=4)
    sure = np.full((4, 4), 1e-6)
    sure[:, 2] = 1.0  # a prior certain of class 2 for every image
    res = inpaint(G, x, hole, 9, steps=20, seed=0, class_prior=sure)
    assert res.cls == [2, 2, 2, 2]
    weak = inpaint(G, x, hole, 9, steps=20, seed=0, class_prior=sure, class_weight=1e-4)
    assert sum(int(c == k) for c, k in zip(weak.cls, range(4))) >= 3  # a faint prior leaves the fit in charge
    flat = inpaint(G, x, hole, 9, steps=20, seed=0, class_prior=np.full((4, 4), 0.25))
    plain = inpaint(G, x, hole, 9, steps=20, seed=0)
    assert flat.cls == plain.cls and np.allclose(flat.filled, plain.filled)  # no opinion, no change
    with pytest.raises(GanstudioError, match=r"the class prior is \(4, 3\); expected \(4, 4\)"):
        Inpainter(G, x, hole, 9, class_prior=np.full((4, 3), 1 / 3))


def test_bad_inputs_are_one_clear_message():
    G = varied_generator()
    x = np.zeros((2, 1, 16, 16), np.float32)
    with pytest.raises(GanstudioError, match="the mask is 28x28; the images are 16x16"):
        Inpainter(G, x, shape_mask("center", 28), 9)
    with pytest.raises(GanstudioError, match="hides every pixel"):
        Inpainter(G, x, np.ones((16, 16), bool), 9)
    with pytest.raises(GanstudioError, match="hides no pixel"):
        Inpainter(G, x, np.zeros((16, 16), bool), 9)
    with pytest.raises(GanstudioError, match="draws"):
        Inpainter(G, np.zeros((1, 3, 16, 16), np.float32), shape_mask("center", 16), 9)
