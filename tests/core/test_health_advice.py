"""Issue 28, item 3: an alarm's advice names only remedies the run does not already use."""

from ganstudio.health import HealthMonitor


def _collapse(mon: HealthMonitor):
    """Feed evaluations whose coverage falls until the collapse alarm fires; return it."""
    alarm = None
    for step, modes in ((100, 8), (200, 2), (300, 2), (400, 2)):
        alarm = mon.on_eval(step, {"modes": modes, "n_modes": 8}) or alarm
    assert alarm is not None and alarm.kind == "collapse"
    return alarm


def test_collapse_advice_with_ema_and_spectral_norm_names_neither():
    advice = _collapse(HealthMonitor("hinge", spectral_norm=True, ema=0.999)).advice
    assert "EMA" not in advice and "spectral norm" not in advice
    assert "lower learning rate" in advice and "wgan-gp" in advice


def test_collapse_advice_with_wgan_gp_does_not_suggest_it():
    advice = _collapse(HealthMonitor("wgan-gp", spectral_norm=False, ema=0.0)).advice
    assert "wgan-gp" not in advice
    assert "lower learning rate" in advice and "an EMA of G" in advice and "spectral norm" in advice


def test_collapse_advice_when_everything_is_in_use_still_offers_a_lower_rate():
    advice = _collapse(HealthMonitor("wgan-gp", spectral_norm=True, ema=0.99)).advice
    assert "lower learning rate" in advice
    assert not any(x in advice for x in ("EMA", "spectral norm", "wgan-gp"))
    assert advice.endswith("or resume from the best.")


def test_collapse_advice_follows_a_loss_changed_while_paused():
    mon = HealthMonitor("hinge", spectral_norm=True, ema=0.999)
    mon.set_loss("wgan-gp")
    assert "wgan-gp" not in _collapse(mon).advice


def test_d_wins_advice_never_suggests_spectral_norm_when_on():
    mon = HealthMonitor("ns", spectral_norm=True, ema=0.999)
    alarm = None
    for i in range(40):
        alarm = mon.on_scalars(i, {"d_real": 0.99, "d_fake": 0.01}) or alarm
    assert alarm is not None and "spectral norm" not in alarm.advice
