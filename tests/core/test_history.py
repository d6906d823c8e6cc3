"""History (bounded loss store) and ema_smooth: Qt-free."""

import math
import subprocess
import sys

import numpy as np
import pytest

from ganstudio.history import History, ema_smooth


def _ema_reference(y, alpha):
    """TensorBoard's loop, written out plainly."""
    out, last, n = [], 0.0, 0
    for v in y:
        if not math.isfinite(v):
            out.append(math.nan)
            continue
        last = last * alpha + (1 - alpha) * v
        n += 1
        out.append(last / (1 - alpha**n))
    return np.array(out)


# ----------------------------------------------------------------------------- History
def test_append_batches_and_missing_keys_are_nan():
    h = History(["loss_d", "loss_g"], capacity=16)
    assert len(h) == 0 and h.steps().shape == (0,) and h.last_step() is None
    h.append(np.array([1, 2, 3]), {"loss_d": np.array([0.1, 0.2, 0.3]), "other": [9, 9, 9]})
    h.append(4, {"loss_d": 0.4, "loss_g": 1.4})  # a single point
    assert len(h) == 4
    assert h.steps().tolist() == [1, 2, 3, 4]
    assert h.steps().dtype == np.int64
    np.testing.assert_allclose(h.series("loss_d"), [0.1, 0.2, 0.3, 0.4])
    g = h.series("loss_g")
    assert np.isnan(g[:3]).all() and g[3] == 1.4
    assert h.last_step() == 4
    with pytest.raises(KeyError):
        h.series("nope")
    with pytest.raises(ValueError):
        h.append([5, 6], {"loss_d": [1.0]})


def test_returned_arrays_are_copies():
    h = History(["a"], capacity=8)
    h.append([0, 1], {"a": [1.0, 2.0]})
    s = h.series("a")
    s[:] = 99
    h.append([2], {"a": [3.0]})
    assert h.series("a").tolist() == [1.0, 2.0, 3.0]


def test_extend_rows_like_metrics_jsonl():
    h = History(["loss_d", "loss_g", "d_real", "d_fake"])
    rows = [
        {"step": 10, "time": 0.5, "loss_d": 1.2, "loss_g": 0.7, "d_real": 0.6, "d_fake": 0.4},
        {"step": 20, "loss_d": None, "loss_g": "bad"},  # half-written / hand-edited
        {"time": 3.0, "loss_d": 5.0},  # no step: skipped
        {"step": "30", "loss_d": 1.0, "loss_g": 0.9, "d_real": 0.5, "d_fake": 0.5},
    ]
    h.extend_rows(rows)
    assert h.steps().tolist() == [10, 20, 30]
    d = h.series("loss_d")
    assert d[0] == 1.2 and math.isnan(d[1]) and d[2] == 1.0
    assert math.isnan(h.series("loss_g")[1]) and math.isnan(h.series("d_real")[1])
    h.extend_rows([])
    assert len(h) == 3


def test_clear():
    h = History(["a"], capacity=8)
    h.append(np.arange(100), {"a": np.arange(100.0)})
    assert h.stride > 1
    h.clear()
    assert len(h) == 0 and h.stride == 1 and h.total == 0
    h.append([5], {"a": [1.0]})
    assert h.steps().tolist() == [5] and h.series("a").tolist() == [1.0]


def test_decimation_keeps_first_and_last_and_stays_evenly_spaced():
    cap = 64
    h = History(["a"], capacity=cap)
    h.append(np.arange(cap), {"a": np.arange(cap, dtype=float)})
    assert len(h) == cap and h.stride == 1  # exactly full: nothing dropped yet
    h.append([cap], {"a": [float(cap)]})
    assert h.stride == 2 and len(h) <= cap
    s = h.steps()
    assert s[0] == 0 and s[-1] == cap
    np.testing.assert_array_equal(h.series("a"), s.astype(float))  # values follow their steps
    for n in range(cap + 1, 10_000):
        h.append([n], {"a": [float(n)]})
        assert len(h) <= cap
        s = h.steps()
        assert s[0] == 0 and s[-1] == n  # whole run visible, newest point never stale
    body = np.diff(s[:-1])  # all but the provisional newest point are on an even grid
    assert (body == h.stride).all()
    np.testing.assert_array_equal(h.series("a"), s.astype(float))


def test_a_million_appends_stay_bounded():
    cap = 4096
    h = History(["loss_d", "loss_g"], capacity=cap)
    nbytes = h._values.nbytes + h._steps.nbytes
    total = 1_000_000
    for start in range(0, total, 1000):  # the panel gets batches, ~10 per second
        steps = np.arange(start, start + 1000)
        h.append(steps, {"loss_d": np.sin(steps * 1e-3), "loss_g": np.cos(steps * 1e-3)})
        assert len(h) <= cap
    for i in range(total, total + 5000):  # and single rows
        h.append(i, {"loss_d": 0.0})
        assert len(h) <= cap
    s = h.steps()
    assert h.total == total + 5000
    assert s[0] == 0 and s[-1] == total + 4999
    assert len(h) > cap // 2  # decimation halves, it does not throw everything away
    assert np.all(np.diff(s) > 0)
    assert h._values.nbytes + h._steps.nbytes == nbytes  # never reallocated


def test_one_batch_bigger_than_capacity():
    h = History(["a"], capacity=10)
    h.append(np.arange(1001), {"a": np.arange(1001.0)})
    s = h.steps()
    assert len(h) <= 10 and s[0] == 0 and s[-1] == 1000


def test_bad_construction():
    with pytest.raises(ValueError):
        History(["a", "a"])
    with pytest.raises(ValueError):
        History(["a"], capacity=2)


def test_history_does_not_import_qt():
    code = (
        "import sys, ganstudio.history; "
        "bad = [m for m in sys.modules if m.startswith(('PySide', 'PyQt', 'pyqtgraph'))]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ----------------------------------------------------------------------------- ema_smooth
@pytest.mark.parametrize("alpha", [0.0, 0.3, 0.6, 0.9, 0.99, 0.9999])
def test_ema_matches_tensorboard(alpha):
    rng = np.random.default_rng(1)
    y = rng.normal(2.0, 1.0, size=3000)
    np.testing.assert_allclose(ema_smooth(y, alpha), _ema_reference(y, alpha), rtol=1e-9, atol=1e-9)


def test_ema_is_debiased_and_exact_on_constants():
    y = np.full(50, 3.0)
    np.testing.assert_allclose(ema_smooth(y, 0.9), y)  # no ramp up from zero
    assert ema_smooth(np.array([7.0]), 0.99)[0] == pytest.approx(7.0)
    # hand-computed: s1 = 0.5*1 -> 1; s2 = 0.5*0.5 + 0.5*3 = 1.75, /(1 - 0.25) = 7/3
    np.testing.assert_allclose(ema_smooth(np.array([1.0, 3.0]), 0.5), [1.0, 7 / 3])


def test_ema_alpha_zero_is_identity():
    y = np.array([1.0, -2.0, 5.5])
    np.testing.assert_array_equal(ema_smooth(y, 0.0), y)


def test_ema_skips_nans_without_propagating():
    y = np.array([np.nan, 1.0, np.nan, 3.0, np.inf, 3.0, np.nan])
    out = ema_smooth(y, 0.5)
    assert np.isnan(out[[0, 2, 4, 6]]).all()
    # same as smoothing the finite points alone
    np.testing.assert_allclose(out[[1, 3, 5]], ema_smooth(np.array([1.0, 3.0, 3.0]), 0.5))
    assert np.isnan(ema_smooth(np.full(4, np.nan), 0.6)).all()
    assert ema_smooth(np.array([]), 0.6).shape == (0,)


def test_ema_large_values_do_not_overflow():
    y = np.full(10_000, 1e300)
    y[::2] = -1e300
    out = ema_smooth(y, 0.99)
    assert np.isfinite(out).all() and np.abs(out).max() <= 1e300
    np.testing.assert_allclose(out, _ema_reference(y / 1e300, 0.99) * 1e300, rtol=1e-9, atol=1e290)
    np.testing.assert_allclose(ema_smooth(np.full(100, 1e300), 0.9), 1e300)


def test_ema_rejects_bad_alpha():
    for a in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError):
            ema_smooth(np.ones(3), a)
