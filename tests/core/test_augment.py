import pytest
import torch

from ganstudio.augment import augment, parse_policy
from ganstudio.config import TrainConfig, from_dict
from ganstudio.errors import ConfigError
from ganstudio.training import Trainer


def batch(n=8, c=1, s=16):
    return torch.randn(n, c, s, s, generator=torch.Generator().manual_seed(0))


def test_policy_parsing_names_the_unknown_part():
    assert parse_policy(" translation , cutout ") == ("translation", "cutout")
    assert parse_policy("") == () and parse_policy(None) == ()
    with pytest.raises(ValueError, match="unknown augmentation 'flip'"):
        parse_policy("translation,flip")
    with pytest.raises(ConfigError, match="flip"):
        from_dict({"augment": "flip"})


def test_translation_shifts_each_image_by_at_most_an_eighth():
    x = batch()
    y = augment(x, ("translation",), torch.Generator().manual_seed(1))
    assert y.shape == x.shape
    shifts = set()
    for a, b in zip(x[:, 0], y[:, 0]):
        # the interior of the output is the input moved by some (dy, dx) with |d| <= 2
        found = [
            (dy, dx)
            for dy in range(-2, 3)
            for dx in range(-2, 3)
            if torch.equal(b[2:-2, 2:-2], torch.roll(a, (dy, dx), (0, 1))[2:-2, 2:-2])
        ]
        assert found, "not a translation"
        shifts.add(found[0])
    assert len(shifts) > 1  # each image draws its own shift


def test_cutout_erases_one_square_per_image_to_zero():
    x = batch(16) + 5.0  # no pixel is 0 before
    y = augment(x, ("cutout",), torch.Generator().manual_seed(2))
    erased = y == 0
    assert torch.equal(y[~erased], x[~erased])
    counts = erased.flatten(1).sum(1)
    assert (counts <= 64).all() and (counts > 0).all()  # an 8x8 square at most, clipped at the edges


def test_color_is_per_image_and_keeps_grey_images_grey():
    x = batch(4, c=1)
    y = augment(x, ("color",), torch.Generator().manual_seed(3))
    assert y.shape == x.shape and not torch.allclose(x, y)
    rgb = batch(4, c=3)
    assert augment(rgb, ("color",), torch.Generator().manual_seed(3)).shape == rgb.shape


def test_gradients_flow_and_draws_repeat_for_a_repeated_generator():
    x = batch().requires_grad_(True)
    policy = parse_policy("translation,cutout,color")
    y1 = augment(x, policy, torch.Generator().manual_seed(4))
    y1.square().sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    y2 = augment(x.detach(), policy, torch.Generator().manual_seed(4))
    assert torch.equal(y1.detach(), y2)


def test_trainer_with_augmentation_resumes_exactly(tmp_path):
    def cfg(steps):
        return TrainConfig(
            dataset="digits",
            steps=steps,
            image_size=16,
            width=8,
            z_dim=8,
            batch_size=16,
            log_every=5,
            checkpoint_every=10,
            sample_every=10,
            augment="translation,cutout",
        )

    straight = Trainer(cfg(20), run_dir=tmp_path / "a")
    list(straight.run())
    first = Trainer(cfg(10), run_dir=tmp_path / "b")
    list(first.run())
    second = Trainer(cfg(20), run_dir=tmp_path / "b")
    second.load(tmp_path / "b" / "checkpoints" / "step_0000010.safetensors")
    list(second.run())
    for a, b in zip(straight.G.parameters(), second.G.parameters()):
        assert torch.equal(a, b)
    # and the augmentation changed what D learned from
    plain = Trainer(TrainConfig(**(vars(cfg(20)) | {"augment": ""})))
    list(plain.run())
    assert any(not torch.equal(a, b) for a, b in zip(plain.D.parameters(), straight.D.parameters()))


def test_2d_sets_refuse_augmentation():
    with pytest.raises(ConfigError, match="augmentation is for images"):
        Trainer(TrainConfig(dataset="ring8", augment="translation"))
