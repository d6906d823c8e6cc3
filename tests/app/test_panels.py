"""The live panels: each builds, shows, takes data, and its plot items really hold that data."""

from __future__ import annotations

import gc
import sys

import numpy as np
import pyqtgraph as pg
import pytest
from PIL import Image
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QCheckBox, QGraphicsItem, QHBoxLayout, QSlider, QWidget

from ganstudio.app.panels import LossPanel, Points2DPanel, SamplePanel
from ganstudio.app.panels.loss import COLORS, MAX_MARKERS, RAW_ALPHA, faint
from ganstudio.history import ema_smooth

KEYS = ("loss_d", "loss_g", "d_real", "d_fake")


def _batch(start: int, n: int, rng: np.random.Generator, offset: float = 0.0):
    steps = np.arange(start, start + n)
    return steps, {
        "loss_d": rng.uniform(0.3, 1.5, n) + offset,
        "loss_g": rng.uniform(0.5, 2.0, n) + offset,
        "d_real": rng.uniform(0.4, 0.9, n),
        "d_fake": rng.uniform(0.1, 0.6, n),
    }


def _shown(panel: QWidget, qtbot) -> None:
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)


# ============================================================================ LossPanel
@pytest.fixture
def loss_panel(qtbot):
    panel = LossPanel()
    panel.resize(640, 480)
    _shown(panel, qtbot)
    return panel


def test_loss_panel_names(loss_panel):
    assert loss_panel.objectName() == "lossPanel"
    assert loss_panel.findChild(pg.PlotWidget, "lossPlot") is loss_panel.plot
    assert loss_panel.findChild(pg.PlotWidget, "probPlot") is loss_panel.prob_plot
    assert isinstance(loss_panel.findChild(QSlider, "smoothingSlider"), QSlider)
    assert isinstance(loss_panel.findChild(QCheckBox, "logScaleCheck"), QCheckBox)
    assert loss_panel.plot.getPlotItem().getAxis("bottom").labelText == "step"
    # x linked: zooming one moves the other
    loss_panel.plot.setXRange(10, 20, padding=0)
    x0, x1 = loss_panel.prob_plot.getPlotItem().getViewBox().viewRange()[0]
    assert (x0, x1) == pytest.approx((10, 20))


def test_raw_loss_curves_are_drawn_opaque_in_their_faint_colour(loss_panel):
    """The raw curves look translucent (RAW_ALPHA over the plot's background) but are one
    opaque, aliased colour: cheap to draw, and the smoothed curve stays on top."""
    assert faint("#ffffff", 128, "#000000").getRgb() == (128, 128, 128, 255)
    assert faint("#4da3ff", 255, "#000000").getRgb() == pg.mkColor("#4da3ff").getRgb()
    for key in KEYS:
        raw, smooth = loss_panel.curve(key, smoothed=False), loss_panel.curve(key)
        plot = loss_panel.plot if key in ("loss_d", "loss_g") else loss_panel.prob_plot
        expected = faint(COLORS[key], RAW_ALPHA, plot.backgroundBrush().color())
        assert raw.opts["pen"].color().getRgb() == expected.getRgb()
        assert raw.opts["antialias"] is False
        assert raw.zValue() < smooth.zValue()
    # drawn: the raw colour is on screen where only the raw line runs (heavily smoothed, a
    # flat series' one spike shows in the raw line alone)
    loss_panel.smoothing_slider.setValue(90)
    steps = np.arange(200)
    y = np.full(200, 1.0)
    y[100] = 3.0
    loss_panel.append(steps, {"loss_d": y, "loss_g": y, "d_real": np.full(200, 0.5), "d_fake": np.full(200, 0.5)})
    img = loss_panel.plot.grab().toImage()
    colours = {img.pixelColor(x, yy).rgb() for x in range(img.width()) for yy in range(img.height())}
    raw_g = faint(COLORS["loss_g"], RAW_ALPHA, loss_panel.plot.backgroundBrush().color())
    assert raw_g.rgb() in colours


def test_loss_panel_appends_and_plots_the_data(loss_panel):
    rng = np.random.default_rng(0)
    all_steps, all_vals = [], {k: [] for k in KEYS}
    data_items = len(loss_panel.plot.getPlotItem().listDataItems())
    curve_ids = {k: id(loss_panel.curve(k)) for k in KEYS}
    for i in range(100):
        steps, vals = _batch(i * 10, 10, rng)
        vals["grad_norm"] = np.ones(10)  # unknown keys are ignored
        loss_panel.append(steps, vals)
        all_steps.append(steps)
        for k in KEYS:
            all_vals[k].append(vals[k])
    steps = np.concatenate(all_steps)
    alpha = loss_panel.smoothing()
    assert alpha == pytest.approx(0.6)
    for k in KEYS:
        y = np.concatenate(all_vals[k])
        x_raw, y_raw = loss_panel.curve(k, smoothed=False).getData()
        np.testing.assert_array_equal(x_raw, steps)
        np.testing.assert_allclose(y_raw, y)
        x_s, y_s = loss_panel.curve(k).getData()
        np.testing.assert_array_equal(x_s, steps)
        np.testing.assert_allclose(y_s, ema_smooth(y, alpha))
        assert id(loss_panel.curve(k)) == curve_ids[k]  # items are reused, never recreated
    assert len(loss_panel.plot.getPlotItem().listDataItems()) == data_items
    # probabilities: D readouts get a fixed [0, 1] y range
    lo, hi = loss_panel.prob_plot.getPlotItem().getViewBox().viewRange()[1]
    assert lo <= 0.0 < 0.1 and 0.9 < hi and hi <= 1.1
    loss_panel.grab()


def test_loss_smoothing_slider_changes_the_displayed_curve(loss_panel):
    rng = np.random.default_rng(1)
    steps, vals = _batch(0, 500, rng)
    loss_panel.append(steps, vals)
    slider = loss_panel.findChild(QSlider, "smoothingSlider")
    before = loss_panel.curve("loss_d").getData()[1].copy()
    slider.setValue(95)
    after = loss_panel.curve("loss_d").getData()[1]
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, ema_smooth(vals["loss_d"], 0.95))
    assert np.std(np.diff(after)) < np.std(np.diff(vals["loss_d"]))  # smoother
    # raw data is untouched by display smoothing
    np.testing.assert_allclose(loss_panel.curve("loss_d", smoothed=False).getData()[1], vals["loss_d"])
    slider.setValue(0)
    np.testing.assert_allclose(loss_panel.curve("loss_d").getData()[1], vals["loss_d"])


def test_loss_log_scale_toggles_and_is_disabled_by_negative_losses(loss_panel):
    rng = np.random.default_rng(2)
    loss_panel.append(*_batch(0, 50, rng))
    check = loss_panel.findChild(QCheckBox, "logScaleCheck")
    axis = loss_panel.plot.getPlotItem().getAxis("left")
    assert check.isEnabled() and not check.isChecked() and not axis.logMode
    check.setChecked(True)
    assert axis.logMode
    loss_panel.grab()
    check.setChecked(False)
    assert not axis.logMode
    check.setChecked(True)

    # a WGAN-style negative loss: log mode goes off, the box is disabled and says why
    steps, vals = _batch(50, 50, rng, offset=-3.0)
    loss_panel.append(steps, vals)
    assert not check.isChecked() and not check.isEnabled() and not axis.logMode
    assert "<= 0" in check.toolTip()
    loss_panel.grab()

    loss_panel.clear()
    assert check.isEnabled()
    loss_panel.append(*_batch(0, 10, rng))
    check.setChecked(True)
    assert axis.logMode


def test_loss_raw_critic_scores_autorange(loss_panel):
    rng = np.random.default_rng(3)
    steps, vals = _batch(0, 100, rng)
    vals["d_real"] = vals["d_real"] * 10 + 5  # WGAN critic: not a probability
    loss_panel.append(steps, vals)
    vb = loss_panel.prob_plot.getPlotItem().getViewBox()
    assert vb.state["autoRange"][1]
    vb.updateAutoRange()
    assert vb.viewRange()[1][1] > 5


def test_loss_nan_values_do_not_crash(loss_panel):
    steps = np.arange(10)
    y = np.linspace(1, 2, 10)
    y[[2, 5]] = np.nan
    loss_panel.append(steps, {"loss_d": y})  # loss_g etc. missing: all NaN
    np.testing.assert_array_equal(np.isnan(loss_panel.curve("loss_d", smoothed=False).getData()[1]), np.isnan(y))
    assert np.isfinite(loss_panel.curve("loss_d").getData()[1][[0, 1, 3, 4, 6, 7, 8, 9]]).all()
    loss_panel.log_check.setChecked(True)
    loss_panel.grab()


def test_loss_set_rows_and_clear(loss_panel):
    rng = np.random.default_rng(4)
    loss_panel.append(*_batch(0, 30, rng))
    loss_panel.add_marker(10, "lr 1e-4")
    rows = [
        {"step": s, "time": 0.1 * s, "loss_d": 1.0 / (s + 1), "loss_g": 2.0, "d_real": 0.7, "d_fake": 0.3}
        for s in range(100, 200, 5)
    ]
    loss_panel.set_rows(rows)
    x, y = loss_panel.curve("loss_d", smoothed=False).getData()
    np.testing.assert_array_equal(x, np.arange(100, 200, 5))
    np.testing.assert_allclose(y, [r["loss_d"] for r in rows])
    assert loss_panel.marker_count() == 0  # a different run: its markers went too

    # a saved WGAN run: negative losses disable log scale right away
    loss_panel.set_rows([{"step": 1, "loss_d": -0.5, "loss_g": 0.2}])
    assert not loss_panel.log_check.isEnabled()

    loss_panel.clear()
    assert len(loss_panel.history) == 0
    for k in KEYS:
        x, y = loss_panel.curve(k).getData()
        assert x is None or len(x) == 0
    assert loss_panel.log_check.isEnabled()
    loss_panel.grab()


def test_loss_markers_are_bounded(loss_panel):
    loss_panel.append(*_batch(0, 100, np.random.default_rng(5)))
    for i in range(MAX_MARKERS + 10):
        loss_panel.add_marker(i, f"lr {{value}} {i}")  # braces must not be formatted
    assert loss_panel.marker_count() == MAX_MARKERS
    lines = [it for it in loss_panel.plot.getPlotItem().items if isinstance(it, pg.InfiniteLine)]
    assert len(lines) == MAX_MARKERS
    assert sorted(line.value() for line in lines)[0] == 10  # the oldest went first
    assert lines[-1].label.toPlainText() == f"lr {{value}} {MAX_MARKERS + 9}"
    loss_panel.grab()


def test_loss_history_bounded_after_100k_points(loss_panel):
    rng = np.random.default_rng(6)
    for i in range(100):
        loss_panel.append(*_batch(i * 1000, 1000, rng))
    cap = loss_panel.history.capacity
    assert len(loss_panel.history) <= cap
    x, _ = loss_panel.curve("loss_g").getData()
    assert len(x) <= cap and x[0] == 0 and x[-1] == 99_999
    loss_panel.grab()


# ============================================================================ SamplePanel
def _frame(step: int, h: int = 20, w: int = 30, c: int = 3) -> np.ndarray:
    rng = np.random.default_rng(step)
    return rng.integers(0, 256, size=(h, w, c), dtype=np.uint8)


def _write(tmp_path, step: int, image: np.ndarray):
    path = tmp_path / f"step_{step:06d}.png"
    Image.fromarray(image.squeeze(-1) if image.shape[-1] == 1 else image).save(path)
    return path


@pytest.fixture
def sample_panel(qtbot):
    panel = SamplePanel()
    panel.resize(420, 460)
    _shown(panel, qtbot)
    return panel


def test_sample_panel_names(sample_panel):
    assert sample_panel.objectName() == "samplePanel"
    assert sample_panel.findChild(pg.GraphicsLayoutWidget, "sampleView") is sample_panel.view
    assert sample_panel.findChild(QSlider, "timelineSlider") is sample_panel.timeline
    assert sample_panel.label.objectName() == "timelineLabel"
    assert sample_panel.current_image() is None and sample_panel.current_step() is None
    assert sample_panel.frame_count() == 0
    assert sample_panel.image_item.axisOrder == "row-major"


def test_sample_panel_timeline_memory_scrub_and_live(sample_panel, tmp_path):
    frames = {}
    for i in range(100):
        step = i * 10
        frames[step] = _frame(step)
        sample_panel.add_frame(step, frames[step], _write(tmp_path, step, frames[step]))
        assert sample_panel.images_in_memory() <= sample_panel.max_in_memory
    assert sample_panel.frame_count() == 100
    assert sample_panel.images_in_memory() == sample_panel.max_in_memory == 64
    assert sample_panel.current_step() == 990 and sample_panel.is_live()
    np.testing.assert_array_equal(sample_panel.image_item.image, frames[990])
    assert sample_panel.label.text() == "step 990 (live)"

    # scrub to the oldest: its pixels left memory long ago, so they come back from disk
    slider = sample_panel.timeline
    slider.setValue(0)
    assert sample_panel.current_step() == 0
    np.testing.assert_array_equal(sample_panel.image_item.image, frames[0])
    np.testing.assert_array_equal(sample_panel.current_image(), frames[0])
    assert sample_panel.label.text() == "step 0 of 990"
    assert sample_panel.images_in_memory() <= 64

    # scrubbed back: new frames do not yank the view
    frames[1000] = _frame(1000)
    sample_panel.add_frame(1000, frames[1000], _write(tmp_path, 1000, frames[1000]))
    assert slider.value() == 0 and sample_panel.current_step() == 0
    np.testing.assert_array_equal(sample_panel.image_item.image, frames[0])
    assert sample_panel.label.text() == "step 0 of 1000"

    # back at the right end: live again, and it follows
    slider.setValue(slider.maximum())
    assert sample_panel.is_live() and sample_panel.current_step() == 1000
    frames[1010] = _frame(1010)
    sample_panel.add_frame(1010, frames[1010], None)
    assert sample_panel.current_step() == 1010 and slider.value() == slider.maximum()
    np.testing.assert_array_equal(sample_panel.image_item.image, frames[1010])
    assert sample_panel.label.text() == "step 1010 (live)"
    sample_panel.grab()


def test_sample_panel_frames_without_path_leave_the_timeline(qtbot):
    panel = SamplePanel(max_in_memory=8)
    _shown(panel, qtbot)
    for step in range(20):
        panel.add_frame(step, _frame(step), None)
    assert panel.frame_count() == 8 and panel.images_in_memory() == 8
    assert panel.frame_steps() == list(range(12, 20))
    # scrubbed back, then the frame being looked at is dropped: show the oldest left
    panel.timeline.setValue(1)
    assert panel.current_step() == 13
    panel.add_frame(20, _frame(20), None)
    assert panel.current_step() == 13 and panel.timeline.value() == 0
    np.testing.assert_array_equal(panel.image_item.image, _frame(13))
    panel.add_frame(21, _frame(21), None)
    assert panel.current_step() == 14
    np.testing.assert_array_equal(panel.current_image(), _frame(14))


def test_sample_panel_grey_images_are_squeezed(sample_panel, tmp_path):
    grey = _frame(1, c=1)
    sample_panel.add_frame(1, grey, None)
    assert sample_panel.current_image().shape == (20, 30)
    np.testing.assert_array_equal(sample_panel.image_item.image, grey[:, :, 0])
    with pytest.raises(ValueError):
        sample_panel.add_frame(2, grey.astype(np.float32), None)
    assert sample_panel.frame_count() == 1


def test_sample_panel_load_frames_lazily_and_bad_files(sample_panel, tmp_path):
    good = {s: _frame(s) for s in (0, 100, 200)}
    paths = {s: _write(tmp_path, s, img) for s, img in good.items()}
    corrupt = tmp_path / "step_000300.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n this is not a png")
    missing = tmp_path / "step_000400.png"
    listing = [(s, p) for s, p in paths.items()] + [(300, corrupt), (400, missing)]
    sample_panel.load_frames(listing[::-1])  # any order in; sorted by step
    assert sample_panel.frame_count() == 5 and sample_panel.images_in_memory() == 0
    # newest is the missing one: a message, not a crash
    assert sample_panel.current_step() == 400 and sample_panel.current_image() is None
    assert "cannot read step_000400.png" in sample_panel.label.text()
    assert not sample_panel.image_item.isVisible()
    sample_panel.grab()

    sample_panel.timeline.setValue(3)  # corrupt file
    assert sample_panel.current_image() is None
    assert "cannot read step_000300.png" in sample_panel.label.text()
    sample_panel.timeline.setValue(1)
    np.testing.assert_array_equal(sample_panel.image_item.image, good[100])
    assert sample_panel.image_item.isVisible()
    assert sample_panel.label.text() == "step 100 of 400"
    assert sample_panel.images_in_memory() == 0  # scrubbing does not grow memory
    sample_panel.grab()

    sample_panel.clear()
    assert sample_panel.frame_count() == 0 and sample_panel.current_image() is None
    assert sample_panel.label.text() == "no samples yet"
    sample_panel.load_frames([])
    assert sample_panel.frame_count() == 0


def test_sample_panel_double_click_resets_zoom(sample_panel):
    sample_panel.add_frame(0, _frame(0, 64, 64), None)
    vb = sample_panel.viewbox
    full = vb.viewRange()
    vb.scaleBy((0.25, 0.25))
    assert vb.viewRange()[0][1] - vb.viewRange()[0][0] < full[0][1] - full[0][0]
    sample_panel.reset_view()
    np.testing.assert_allclose(vb.viewRange(), full, atol=1e-6)


# ============================================================================ Points2DPanel
@pytest.fixture
def points_panel(qtbot):
    panel = Points2DPanel()
    panel.resize(500, 500)
    _shown(panel, qtbot)
    return panel


def _points_state(m: int = 256, r: int = 32, seed: int = 0):
    rng = np.random.default_rng(seed)
    fake = rng.normal(0, 1, (m, 2))
    field = rng.uniform(0, 1, (r, r)).astype(np.float32)
    arrows = rng.normal(0, 0.1, (m, 2))
    return fake, field, arrows


def test_points_panel_shows_real_fake_field_and_arrows(points_panel):
    assert points_panel.objectName() == "toyPanel"
    assert points_panel.findChild(pg.PlotWidget, "toyView") is points_panel.view
    field_check = points_panel.findChild(QCheckBox, "fieldCheck")
    arrows_check = points_panel.findChild(QCheckBox, "arrowsCheck")
    assert field_check.isChecked() and not arrows_check.isChecked()

    real = np.random.default_rng(1).uniform(-2, 2, (1500, 2))
    points_panel.set_real(real, (-3.0, 3.0))
    x, y = points_panel.real_item.getData()
    np.testing.assert_allclose(np.c_[x, y], real)
    (x0, x1), (y0, y1) = points_panel.view.getPlotItem().getViewBox().viewRange()
    assert x0 <= -3 and x1 >= 3 and y0 <= -3 and y1 >= 3  # aspect lock may add room on one axis

    fake, field, arrows = _points_state()
    points_panel.update_state(fake, field, arrows)
    assert not points_panel.is_animating()  # first state: nothing to glide from
    x, y = points_panel.fake_item.getData()
    np.testing.assert_allclose(np.c_[x, y], fake)
    np.testing.assert_array_equal(points_panel.field_item.image, field)
    rect = points_panel.field_item.mapRectToParent(points_panel.field_item.boundingRect())
    assert (rect.left(), rect.top(), rect.width(), rect.height()) == pytest.approx((-3, -3, 6, 6))
    assert points_panel.field_item.isVisible() and not points_panel.arrow_item.isVisible()
    points_panel.grab()

    arrows_check.setChecked(True)
    assert points_panel.arrow_item.isVisible()
    ax, ay = points_panel.arrow_item.getData()
    assert len(ax) == 2 * len(fake)
    np.testing.assert_allclose(np.c_[ax[0::2], ay[0::2]], fake)
    # one factor for all: directions and relative strengths kept, the 95th percentile at 6% of the view
    drawn = np.c_[ax[1::2], ay[1::2]] - fake
    scale = points_panel.arrow_scale(arrows)
    np.testing.assert_allclose(drawn, arrows * scale)
    assert np.percentile(np.hypot(*drawn.T), 95) == pytest.approx(0.06 * 6.0)
    assert points_panel.arrow_scale(np.zeros((3, 2))) == 1.0
    field_check.setChecked(False)
    assert not points_panel.field_item.isVisible()
    points_panel.grab()

    # field=None keeps the last field; arrows=None hides the arrows
    points_panel.update_state(fake + 0.1)
    np.testing.assert_array_equal(points_panel.field_item.image, field)
    assert not points_panel.arrow_item.isVisible()
    with pytest.raises(ValueError):
        points_panel.update_state(fake, None, arrows[:10])

    points_panel.clear()
    assert points_panel.fake_positions() is None
    assert len(points_panel.real_item.getData()[0]) == 0 and len(points_panel.fake_item.getData()[0]) == 0


def _pixels(widget: QWidget) -> np.ndarray:
    img = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGBA8888)
    rows = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return rows[:, : 4 * img.width()].reshape(img.height(), img.width(), 4).copy()


def test_points_panel_caches_what_stays_put_and_draws_the_same(points_panel, qtbot):
    """The legend, colour bar, axes, field and real points are blitted from pixmaps between
    states; the generated points, which move every frame, are not. The picture stays the same
    but for a few edge pixels, also after a new field."""
    points_panel.set_real(np.random.default_rng(1).uniform(-2, 2, (500, 2)), (-3.0, 3.0))
    fake, field, _ = _points_state()
    points_panel.update_state(fake, field)
    cached = QGraphicsItem.CacheMode.DeviceCoordinateCache
    legend, bar = points_panel.view.getPlotItem().legend, points_panel.colorbar
    for item in (legend, *legend.childItems(), bar, *bar.childItems(), points_panel.field_item, points_panel.real_item):
        assert item.cacheMode() == cached, item
    assert points_panel.fake_item.cacheMode() != cached and points_panel.arrow_item.cacheMode() != cached
    points_panel.grab()  # the caches fill
    points_panel.update_state(fake[::-1], 1.0 - field)  # a new field: its cached pixmap must follow
    qtbot.waitUntil(lambda: not points_panel.is_animating(), timeout=2000)
    with_cache = _pixels(points_panel).astype(int)
    for item in points_panel.view.scene().items():
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    diff = np.abs(_pixels(points_panel).astype(int) - with_cache).max(axis=-1)
    # A pixmap sits on whole device pixels, so an antialiased edge can land half a pixel over:
    # a few scattered pixels differ, nothing stale (the old field would differ everywhere).
    assert (diff > 48).mean() < 0.01 and diff.mean() < 1.0


def test_points_panel_tweens_to_the_target(points_panel, qtbot):
    points_panel.set_real(np.zeros((10, 2)), (-4, 4))
    a, field, arrows = _points_state(seed=1)
    b = a + 1.0
    points_panel.update_state(a, field, arrows)
    points_panel.arrows_check.setChecked(True)
    points_panel.update_state(b, field, arrows)
    assert points_panel.is_animating()
    np.testing.assert_allclose(points_panel.fake_positions(), a)  # no jump at the start
    # somewhere in between, all points moved by the same fraction
    qtbot.waitUntil(lambda: not np.allclose(points_panel.fake_positions(), a), timeout=2000)
    mid = points_panel.fake_positions()
    if points_panel.is_animating():
        frac = (mid - a) / (b - a)
        assert np.allclose(frac, frac[0, 0]) and 0 < frac[0, 0] <= 1
    qtbot.waitUntil(lambda: not points_panel.is_animating(), timeout=2000)
    np.testing.assert_allclose(points_panel.fake_positions(), b)
    x, y = points_panel.fake_item.getData()
    np.testing.assert_allclose(np.c_[x, y], b)
    ax, ay = points_panel.arrow_item.getData()  # arrows ride along with their points
    np.testing.assert_allclose(np.c_[ax[0::2], ay[0::2]], b)
    # Frames move the points in place (not setData): the picture must be setData's.
    assert points_panel.fake_item.dataBounds(0) == pytest.approx((b[:, 0].min(), b[:, 0].max()))
    moved = points_panel.view.grab().toImage()
    points_panel.fake_item.setData(x=b[:, 0], y=b[:, 1])
    assert points_panel.view.grab().toImage() == moved


def test_points_panel_draws_a_new_field_with_the_glides_first_frame(points_panel, qtbot):
    points_panel.set_real(np.zeros((10, 2)), (-4, 4))
    a, field, _ = _points_state(seed=4)
    points_panel.update_state(a, field)
    new_field = 1.0 - field
    points_panel.update_state(a + 1.0, new_field)
    assert points_panel.is_animating()
    # not yet: drawn now, it would cost a paint of its own under points that have not moved
    np.testing.assert_array_equal(points_panel.field_item.image, field)
    qtbot.waitUntil(lambda: not np.allclose(points_panel.fake_positions(), a), timeout=2000)
    np.testing.assert_array_equal(points_panel.field_item.image, new_field)
    qtbot.waitUntil(lambda: not points_panel.is_animating(), timeout=2000)
    np.testing.assert_array_equal(points_panel.field_item.image, new_field)
    rect = points_panel.field_item.mapRectToParent(points_panel.field_item.boundingRect())
    assert (rect.left(), rect.top(), rect.width(), rect.height()) == pytest.approx((-4, -4, 8, 8))
    # a state without a field keeps the newest one, also when it comes mid-glide
    points_panel.update_state(a, 0.5 * field)
    points_panel.update_state(a - 1.0)
    qtbot.waitUntil(lambda: not points_panel.is_animating(), timeout=2000)
    np.testing.assert_array_equal(points_panel.field_item.image, 0.5 * field)
    points_panel.clear()
    points_panel.set_real(np.zeros((10, 2)), (-4, 4))
    points_panel.update_state(a)  # after clear(), no field left over to draw
    assert points_panel.field_item.image is None


def test_points_panel_new_state_mid_tween_starts_from_where_points_are(points_panel, qtbot):
    points_panel.set_real(np.zeros((10, 2)), (-4, 4))
    a, _, _ = _points_state(seed=2)
    b, c = a + 2.0, a - 2.0
    points_panel.update_state(a)
    points_panel.update_state(b)
    qtbot.waitUntil(lambda: not np.allclose(points_panel.fake_positions(), a), timeout=2000)
    if not points_panel.is_animating():
        pytest.skip("machine too slow to catch the tween mid-way")
    here = points_panel.fake_positions()
    points_panel.update_state(c)
    np.testing.assert_allclose(points_panel.fake_positions(), here)  # no snap to b or back to a
    qtbot.waitUntil(lambda: not points_panel.is_animating(), timeout=2000)
    np.testing.assert_allclose(points_panel.fake_positions(), c)


def test_points_panel_jumps_when_sample_count_changes(points_panel):
    points_panel.set_real(np.zeros((10, 2)), (-4, 4))
    a, _, _ = _points_state(m=100)
    points_panel.update_state(a)
    b, _, _ = _points_state(m=50, seed=3)
    points_panel.update_state(b)
    assert not points_panel.is_animating()
    np.testing.assert_allclose(points_panel.fake_positions(), b)
    x, y = points_panel.fake_item.getData()
    np.testing.assert_allclose(np.c_[x, y], b)


# ============================================================================ regression
def _latent_panel_2d():
    from ganstudio import explore
    from ganstudio.app.panels.latent import LatentPanel
    from ganstudio.config import TrainConfig
    from ganstudio.training import Trainer

    tr = Trainer(TrainConfig(dataset="ring8"))
    panel = LatentPanel()
    panel.set_real(tr.real_preview, tr.extent)
    panel.set_generator(explore.snapshot_from_trainer(tr), ema_available=True)
    return panel


def _singleton_refcounts() -> np.ndarray:
    return np.array([sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)])


def test_redraw_does_not_drop_none_references(qtbot, tmp_path):
    """PySide6 6.12.0 + Python 3.11 drops references to None (and True/False) in calls
    pyqtgraph makes on every redraw, until a count reaches zero and the process dies
    ("Fatal Python error: none_dealloc" / "bool_dealloc"). Measured there: ~235 references to
    None lost per loss-panel redraw, so a live plot dies within seconds. A leak in reverse is
    invisible until it kills the process, so count: ~3000 redraws of all three panels must not
    lower sys.getrefcount(None/True/False). Checked every redraw too, so a regression fails
    this test with a message instead of aborting the whole run. (On 3.12+ these objects are
    immortal and the test passes trivially.)
    """
    window = QWidget()
    layout = QHBoxLayout(window)
    # a small loss capacity keeps repaints cheap and decimates over and over
    loss, samples, toy = LossPanel(capacity=512), SamplePanel(max_in_memory=16), Points2DPanel()
    latent = _latent_panel_2d()  # its mesh, point and data items redraw on every slider move
    from ganstudio.app.panels.quality import QualityPanel

    quality = QualityPanel()
    for panel in (loss, samples, toy, latent, quality):
        layout.addWidget(panel)
    window.resize(1024, 420)  # realistic, and small enough to repaint fast
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    rng = np.random.default_rng(0)
    toy.set_real(rng.normal(0, 1, (1000, 2)), (-4, 4))
    toy.arrows_check.setChecked(True)
    fake, field, arrows = _points_state(m=256, r=32)
    images = [_frame(s, 64, 64) for s in range(8)]
    path = _write(tmp_path, 0, images[0])

    def redraw(i: int) -> None:
        # loss repaints cost ~4x the others (axis text), so it gets 1 in 5 of the ~3000 redraws
        kind = i % 5
        if kind == 0:
            loss.append(*_batch(i, 5, rng, offset=-1.0 if i > 1700 else 0.0))  # then WGAN-like
            if i % 250 == 0:
                loss.add_marker(i, f"change {i}")
            if i % 25 == 0:  # an evaluation row: distance, floor, coverage, best marker
                quality.append_rows(
                    [
                        {
                            "step": i,
                            "fcd": 50 / (1 + i),
                            "fcd_floor": 1.0,
                            "class_coverage": i % 11,
                            "n_classes": 10,
                            "confident": 90.0,
                            "precision": 0.5,
                            "recall": 0.5,
                            "best": i % 50 == 0,
                        }
                    ]
                )
        elif kind in (1, 3):
            samples.add_frame(i, images[i % 8], path if i % 3 else None)
            if i % 150 == 1:
                samples.timeline.setValue(0)  # scrub back: a disk read, then live again
                samples.timeline.setValue(samples.timeline.maximum())
        elif kind == 2:
            toy.update_state(fake + 0.01 * i, field if i % 2 else None, arrows)
        else:
            latent.sliders[i % 2].setValue((i * 37) % 601 - 300)
            latent.preview.render_now()
        if i % 50 == 0:
            window.grab()
        QApplication.processEvents()

    names = ("None", "True", "False")
    gc.collect()  # earlier tests' garbage (whole windows) must not be freed mid-loop and read as a leak
    start = _singleton_refcounts()
    # early stop: far above normal jitter, far below the ~27000 references None starts with
    early = 1000
    for i in range(3000):
        redraw(i)
        lost = start - _singleton_refcounts()
        if (lost > early).any():
            pytest.fail(
                f"redraw {i}: lost {dict(zip(names, lost.tolist()))} references; "
                "this PySide6 drops references on pyqtgraph's calls (pin <6.12 on 3.11)"
            )
        if i == 199:  # after a warm-up (caches, lazy imports), take the precise baseline
            gc.collect()
            before = _singleton_refcounts()
    gc.collect()
    fell = before - _singleton_refcounts()
    assert (fell <= 100).all(), f"references fell by {dict(zip(names, fell.tolist()))} over 2800 redraws"


# ============================================================================ quality
def test_quality_panel_marks_each_evaluation_only_while_they_are_few(qtbot):
    from ganstudio.app.panels.quality import MARKED_UP_TO, QualityPanel

    panel = QualityPanel()
    qtbot.addWidget(panel)

    def row(i: int) -> dict:
        return {"step": 500 * (i + 1), "modes": 8, "n_modes": 8, "hq": 90.0, "kl": 0.1, "js": 0.1, "best": False}

    curves = (panel.main_curve, panel.cov_curve)
    panel.set_rows([row(i) for i in range(MARKED_UP_TO)])
    assert [c.opts["symbol"] for c in curves] == ["o", "o"]
    assert panel.main_curve.scatter.isVisible()
    assert len(panel.main_curve.scatter.getData()[0]) == MARKED_UP_TO  # a dot per evaluation
    panel.append_rows([row(MARKED_UP_TO)])
    assert [c.opts["symbol"] for c in curves] == [None, None]
    assert len(panel.main_curve.getData()[0]) == MARKED_UP_TO + 1  # the line keeps every one
    assert not panel.main_curve.scatter.isVisible() and not panel.cov_curve.scatter.isVisible()
    panel.set_rows([row(0), row(1)])  # a new run: dots again
    assert [c.opts["symbol"] for c in curves] == ["o", "o"]
    assert len(panel.cov_curve.scatter.getData()[0]) == 2 and panel.cov_curve.scatter.isVisible()


def test_quality_panel_plots_rows_marks_the_best_and_survives_odd_rows(qtbot):
    from ganstudio.app.panels.quality import QualityPanel

    panel = QualityPanel()
    qtbot.addWidget(panel)
    assert panel.findChild(pg.PlotWidget, "metricPlot") is panel.plot
    assert panel.findChild(pg.PlotWidget, "coveragePlot") is panel.cov_plot
    rows = [
        {"step": 500, "modes": 6, "n_modes": 8, "hq": 80.0, "kl": 1.0, "js": 0.3, "best": True},
        {"step": 1000, "modes": 8, "n_modes": 8, "hq": 95.0, "kl": 0.1, "js": 0.05, "best": True},
        {"step": 1500, "modes": 8, "n_modes": 8, "hq": 96.0, "kl": 0.2, "js": 0.07, "best": False},
    ]
    panel.set_rows(rows)
    assert panel.best == (1000, 0.05)
    x, y = panel.main_curve.getData()
    assert list(x) == [500, 1000, 1500] and list(y) == [0.3, 0.05, 0.07]
    _, cov = panel.cov_curve.getData()
    assert list(cov) == [75.0, 100.0, 100.0]
    assert "modes 8/8" in panel.summary.text() and "best at step 1000" in panel.summary.text()
    panel.append_rows([{"step": 2000, "js": "garbage", "modes": None}, {"no": "step"}])  # a damaged file
    assert len(panel.history) == 4 and "not understood" in panel.summary.text()
    panel.set_rows(
        [
            {
                "step": 100,
                "fcd": 40.0,
                "fcd_floor": 10.0,
                "fcd_n": 500,
                "precision": 0.5,
                "recall": 0.4,
                "class_coverage": 9,
                "n_classes": 10,
                "confident": 91.0,
                "best": True,
            }
        ]
    )
    assert panel.floor_curve.isVisible() and "FCD 40.00" in panel.summary.text()
    _, cov = panel.cov_curve.getData()
    assert list(cov) == [90.0]
