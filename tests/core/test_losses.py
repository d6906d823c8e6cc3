import math

import pytest
import torch

from ganstudio import losses


def both(name, d_real, d_fake):
    """(loss_d, loss_g) of a loss for raw D outputs."""
    loss = losses.get(name)
    return loss.d(d_real, d_fake), loss.g(d_fake)


def test_ns_and_minimax_share_d_loss_but_not_g():
    r, f = torch.tensor([2.0, 0.0]), torch.tensor([-1.0, 0.5])
    ns_d, ns_g = both("ns", r, f)
    mm_d, mm_g = both("minimax", r, f)
    sig = torch.sigmoid
    expect_d = -(torch.log(sig(r)).mean() + torch.log(1 - sig(f)).mean())
    assert torch.allclose(ns_d, expect_d) and torch.allclose(mm_d, expect_d)
    assert torch.allclose(ns_g, -torch.log(sig(f)).mean())
    assert torch.allclose(mm_g, torch.log(1 - sig(f)).mean())


def test_logistic_losses_are_stable_for_huge_logits():
    r, f = torch.tensor([1e4]), torch.tensor([-1e4])
    for name in ("ns", "minimax"):
        d, g = both(name, r, f)
        assert torch.isfinite(d) and torch.isfinite(g)


def test_lsgan_hinge_wgan_values():
    r, f = torch.tensor([1.0, 3.0]), torch.tensor([0.0, -2.0])
    d, g = both("lsgan", r, f)
    assert math.isclose(d.item(), 0.5 * (0 + 4) / 2 + 0.5 * (0 + 4) / 2)
    assert math.isclose(g.item(), 0.5 * (1 + 9) / 2)
    d, g = both("hinge", r, f)
    assert math.isclose(d.item(), 0.0 + (1 + 0) / 2) and math.isclose(g.item(), 1.0)
    d, g = both("wgan-gp", r, f)
    assert math.isclose(d.item(), -1.0 - 2.0) and math.isclose(g.item(), 1.0)


def test_gradient_penalty_of_a_linear_critic():
    w = torch.tensor([3.0, 4.0])  # ||grad|| = 5 everywhere -> penalty (5 - 1)^2 = 16
    gp = losses.gradient_penalty(lambda x: x @ w, torch.randn(8, 2), torch.randn(8, 2))
    assert math.isclose(gp.item(), 16.0, rel_tol=1e-5)


def test_unknown_loss():
    with pytest.raises(ValueError, match="ns, minimax, lsgan, hinge, wgan-gp"):
        losses.get("bce")
