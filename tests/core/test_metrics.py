"""Quality metrics, alarms and best checkpoints (Qt-free)."""

import json

import numpy as np
import pytest
import scipy.linalg
import torch

from ganstudio.config import TrainConfig
from ganstudio.data import load_dataset
from ganstudio.errors import NonFiniteLossError
from ganstudio.health import COLLAPSE_EVALS, D_WINS_ROWS, Alarm, HealthMonitor
from ganstudio.io.checkpoint import read_metadata
from ganstudio.io.rundir import RunDir
from ganstudio.metrics.evaluate import Evaluator
from ganstudio.metrics.images import Gaussian, class_coverage, frechet_distance, precision_recall
from ganstudio.metrics.mixture import grid_divergence, mode_coverage
from ganstudio.generator import load_generator
from ganstudio.training import NONFINITE_PAUSE, Evaluated, Trainer


@pytest.fixture(scope="module")
def ring8():
    return load_dataset("ring8")


# --- 2D ---
def test_exact_mixture_scores_full_coverage_and_low_divergence(ring8):
    rng = np.random.default_rng(1)
    fresh = ring8.means[rng.integers(0, 8, 2500)] + rng.normal(0, ring8.std, (2500, 2))  # a new draw
    m = Evaluator(ring8).score(fresh)
    assert m["modes"] == 8 and m["n_modes"] == 8
    assert m["hq"] > 97  # percent; 3 std holds 98.9% of a 2D Gaussian
    assert m["js"] < 0.02 and 0 <= m["kl"] < 0.1


def test_collapsed_generator_scores_one_mode_and_high_divergence(ring8):
    collapsed = ring8.means[3] + np.random.default_rng(0).normal(0, 0.01, (2500, 2))
    m = Evaluator(ring8).score(collapsed)
    assert m["modes"] == 1 and m["hq"] == 100.0
    assert m["js"] > 0.6 and m["kl"] > 5


def test_grid_divergence_bounds_and_non_finite_points(ring8):
    far = np.full((500, 2), 1e6)  # clipped into the border cells: counted, maximally wrong
    assert grid_divergence(ring8.data, far)["js"] == pytest.approx(1.0)
    with_nan = np.concatenate([ring8.data[:1000], np.full((10, 2), np.nan)])
    out = grid_divergence(ring8.data, with_nan)
    assert np.isfinite(out["kl"]) and 0 <= out["js"] < 0.05
    assert mode_coverage(np.full((4, 2), np.nan), ring8.means, ring8.std)["modes"] == 0


# --- image metric pieces ---
def test_frechet_distance_matches_scipy_sqrtm():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(400, 6)) @ rng.normal(size=(6, 6))
    b = rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6)) + 0.5
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    expected = ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1 @ s2).real)
    assert frechet_distance(Gaussian(a), b) == pytest.approx(expected, rel=1e-6)
    assert frechet_distance(Gaussian(a), a) == pytest.approx(0.0, abs=1e-8)


def test_precision_recall_of_identical_disjoint_and_collapsed_sets():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(300, 8))
    assert precision_recall(real, real) == (1.0, 1.0)
    p, r = precision_recall(real, real + 100)
    assert p == 0.0 and r == 0.0
    p, r = precision_recall(real, np.repeat(real[:1], 300, 0) + 1e-3 * rng.normal(size=(300, 8)))
    assert p == 1.0 and r < 0.05  # all fakes are realistic, but they cover one spot


def test_class_coverage_counts_fair_shares():
    freq = np.full(10, 0.1)
    uniform = np.eye(10)[np.arange(1000) % 10] * 0.95 + 0.005
    assert class_coverage(uniform, freq) == {"class_coverage": 10, "n_classes": 10, "confident": 1.0}
    only3 = np.eye(10)[np.full(1000, 3)]
    assert class_coverage(only3, freq)["class_coverage"] == 1
    unsure = np.full((1000, 10), 0.1)
    assert class_coverage(unsure, freq) == {"class_coverage": 0, "n_classes": 10, "confident": 0.0}
    # the fair share is what real images score: a class they are rarely sure of (2% of them,
    # Fashion-MNIST's shirts) is covered by a generator as sure of it as they are
    real = np.array([0.02] + [0.098] * 9)
    like_real = np.eye(10)[np.r_[np.zeros(15, int), np.arange(985) % 9 + 1]]
    assert class_coverage(like_real, real)["class_coverage"] == 10
    assert class_coverage(like_real, freq)["class_coverage"] == 9  # against label frequencies it would not be


# --- images end to end, with the locally trained classifier ---
@pytest.fixture(scope="module")
def digits_eval():
    ds = load_dataset("digits", 16)
    return ds, Evaluator(ds)


def test_digits_real_vs_real_is_near_the_floor_and_noise_is_far(digits_eval):
    ds, ev = digits_eval
    shuffled = ds.data[np.random.default_rng(5).permutation(len(ds.data))]  # digits are stored by writer
    real = ev.score(shuffled)  # a random real sample of the floor's size: near the floor
    assert real["net_accuracy"] > 0.9  # the classifier learned the digits
    assert real["class_coverage"] == 10 and real["confident"] > 90
    assert real["fcd"] <= 2 * real["fcd_floor"]
    assert real["precision"] > 0.8 and real["recall"] > 0.8
    noise = ev.score(np.random.default_rng(0).uniform(-1, 1, (1000, *ds.sample_shape)).astype(np.float32))
    assert noise["fcd"] > 20 * noise["fcd_floor"]
    assert noise["precision"] < 0.05 and noise["class_coverage"] <= 2
    threes = ev.score(np.repeat(ds.data[ds.labels == 3][:1], 1000, 0))
    assert threes["class_coverage"] == 1 and threes["recall"] < 0.05


def test_feature_net_is_cached_and_a_damaged_cache_is_retrained(digits_eval, capsys):
    from ganstudio.metrics.features import data_key, get_features

    ds, ev = digits_eval
    ev.score(ds.data[:10])
    first = ev._net
    assert first.cached is not None and first.cached.exists()
    again = get_features(ds.data, ds.labels)
    assert again.seconds == 0.0 and again.score == first.score  # read, not retrained
    first.cached.write_bytes(b"\x80\x04 not a checkpoint")
    assert data_key(ds.data[:300], ds.labels[:300], 0) != data_key(ds.data, ds.labels, 0)  # other data, another entry
    redone = get_features(ds.data, ds.labels, log=print)
    assert "ignoring the cached feature net" in capsys.readouterr().out
    assert redone.seconds > 0 and redone.score > 0.9


def test_the_inference_encoder_gives_the_trained_nets_features(digits_eval):
    """embed() runs a folded, channels-last copy of the encoder; it must agree with the net
    that was trained (whose batch norms hold real statistics), for colour nets too."""
    from ganstudio.metrics.features import FeatureNet, inference_encoder

    ds, ev = digits_eval
    ev.score(ds.data[:10])
    net = ev._net
    x = torch.as_tensor(ds.data[:300])
    with torch.no_grad():
        want = net.net.features(x).double().numpy()
        logits = net.net.head(torch.as_tensor(want, dtype=torch.float32))
    feats, probs = net.embed(ds.data[:300], batch=128)  # several batches
    np.testing.assert_allclose(feats, want, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(probs, torch.softmax(logits, 1).numpy(), atol=1e-4)
    colour = FeatureNet(3).eval()
    for bn in (m for m in colour.modules() if isinstance(m, torch.nn.BatchNorm2d)):
        bn.running_mean.uniform_(-1, 1), bn.running_var.uniform_(0.5, 2), bn.weight.data.uniform_(0.5, 2)
    rgb = torch.rand(20, 3, 32, 32) * 2 - 1
    with torch.no_grad():  # built first: folding must not change the original's weights either
        fast = inference_encoder(colour.encoder)(rgb)
        torch.testing.assert_close(fast, colour.features(rgb), rtol=1e-4, atol=1e-4)


# --- the trainer: evaluations, best checkpoint, alarms ---
def test_training_writes_evaluations_and_keeps_the_best_checkpoint(tmp_path):
    run = tmp_path / "run"
    cfg = TrainConfig(dataset="ring8", steps=120, eval_every=30, checkpoint_every=20, keep_checkpoints=1)
    evals = [ev for ev in Trainer(cfg, run_dir=run).run() if isinstance(ev, Evaluated)]
    assert [e.step for e in evals] == [30, 60, 90, 120]
    rows = RunDir(run).read_evals()
    assert [r["step"] for r in rows] == [30, 60, 90, 120] and all("js" in r and "modes" in r for r in rows)
    best = RunDir(run).best_checkpoint_path
    assert best.exists() and len(RunDir(run).checkpoints()) == 1  # pruning never takes best
    meta = read_metadata(best)
    best_rows = [r for r in rows if r["best"]]
    assert meta["best"] == {"metric": "js", "value": best_rows[-1]["js"]} and meta["step"] == best_rows[-1]["step"]
    assert min(r["js"] for r in rows) == best_rows[-1]["js"]
    assert load_generator(best).step == best_rows[-1]["step"]
    # A resumed run knows its best: it does not overwrite it with something worse.
    tr = Trainer(cfg, run_dir=run)
    assert tr.best_value == pytest.approx(meta["best"]["value"])


def _nan_loss_for(trainer, steps):
    """Make the D loss NaN for the given step numbers (as a bad batch or a spike would)."""
    real_d = trainer.loss.d

    def d(r, f):
        out = real_d(r, f)
        return out * float("nan") if trainer.step_count + 1 in steps else out

    trainer.loss = type(trainer.loss)(trainer.loss.name, d, trainer.loss.g, trainer.loss.readout)


def test_a_nan_interval_is_skipped_and_training_goes_on(tmp_path):
    tr = Trainer(TrainConfig(dataset="ring8", steps=80, log_every=10, eval_every=0), run_dir=tmp_path / "r")
    _nan_loss_for(tr, {25})
    events = list(tr.run())
    alarms = [e for e in events if isinstance(e, Alarm)]
    assert len(alarms) == 1 and alarms[0].kind == "nonfinite" and not alarms[0].paused and alarms[0].step == 30
    assert tr.step_count == 80
    assert all(torch.isfinite(p).all() for p in tr.G.parameters())
    steps = [r["step"] for r in RunDir(tmp_path / "r").read_metrics()]
    assert steps == [10, 20, 40, 50, 60, 70, 80]  # the bad interval left no row
    logged = [json.loads(line) for line in (tmp_path / "r" / "events.jsonl").read_text().splitlines()]
    assert any(r.get("event") == "alarm" and r["kind"] == "nonfinite" for r in logged)


def test_repeated_nan_pauses_with_a_clear_error_and_rolls_back(tmp_path):
    tr = Trainer(
        TrainConfig(dataset="ring8", steps=200, log_every=10, checkpoint_every=20, eval_every=0), run_dir=tmp_path / "r"
    )
    _nan_loss_for(tr, set(range(45, 200)))
    seen = []
    with pytest.raises(NonFiniteLossError, match=f"{NONFINITE_PAUSE} time"):
        for ev in tr.run():
            seen.append(ev)
    skips = [e for e in seen if isinstance(e, Alarm)]
    assert len(skips) == NONFINITE_PAUSE - 1
    # Back at the last checkpoint (step 60: written after the second skip restored good weights).
    assert tr.step_count == RunDir(tmp_path / "r").checkpoints()[-1][0] == 60
    assert all(torch.isfinite(p).all() for p in tr.G.parameters())


def test_forced_collapse_raises_an_alarm(tmp_path, ring8):
    tr = Trainer(TrainConfig(dataset="ring8", steps=60, eval_every=20, log_every=10), run_dir=tmp_path / "r")
    # What a healthy generator scored earlier (the real data itself), then collapse G: every
    # z now maps to one point.
    tr.health.on_eval(0, tr.evaluator.score(ring8.data[:2500]))
    for g in (tr.G, tr.G_ema):
        last = [m for m in g.modules() if isinstance(m, torch.nn.Linear)][-1]
        with torch.no_grad():
            last.weight.zero_()
            last.bias.copy_(torch.tensor([2.0, 0.0]))
    tr.opt_g.param_groups[0]["lr"] = 0.0  # keep it collapsed
    alarms = [e for e in tr.run() if isinstance(e, Alarm) and e.kind == "collapse"]
    assert len(alarms) == 1 and alarms[0].step == 20 * COLLAPSE_EVALS
    assert "modes fell from 8 to 1" in alarms[0].title and "best checkpoint" in alarms[0].advice


def test_d_wins_alarm_fires_once_per_episode():
    mon = HealthMonitor("ns")
    win = {"d_real": 0.99, "d_fake": 0.01}
    fired = [mon.on_scalars(i, win) for i in range(3 * D_WINS_ROWS)]
    assert [a.kind for a in fired if a] == ["d_wins"]
    assert mon.on_scalars(999, {"d_real": 0.6, "d_fake": 0.4}) is None
    again = [mon.on_scalars(1000 + i, win) for i in range(D_WINS_ROWS)]
    assert sum(a is not None for a in again) == 1
    # losses linear in D's score give G its full gradient however sure D is: no alarm
    for loss in ("wgan-gp", "hinge"):
        assert all(HealthMonitor(loss).on_scalars(i, {"d_real": 50, "d_fake": -50}) is None for i in range(100))


def test_d_wins_advice_names_only_fixes_not_in_use():
    win = {"d_real": 0.99, "d_fake": 0.01}

    def advice(**kw) -> str:
        mon = HealthMonitor("ns", **kw)
        return next(a for a in (mon.on_scalars(i, win) for i in range(D_WINS_ROWS)) if a).advice

    assert "spectral norm" in advice(spectral_norm=False)
    assert "spectral norm" not in advice(spectral_norm=True)
    assert "D steps" not in advice(d_steps=1) and "D steps" in advice(d_steps=3)
    assert advice(spectral_norm=True) == "Lower D's learning rate or try the hinge or wgan-gp loss."
