"""The app as a user drives it: real buttons, real training, real run folders."""

import json
import time

import numpy as np
import pyqtgraph as pg
import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFrame, QLabel, QMessageBox, QProgressBar, QPushButton

from ganstudio.app import MainWindow
from ganstudio.io.rundir import RunDir

TIMEOUT = 60_000


def curve_points(w, name="lossPlot"):
    plot = w.findChild(pg.PlotWidget, name)
    return max((len(item.getData()[0]) for item in plot.listDataItems() if item.getData()[0] is not None), default=0)


def choose(w, qtbot, dataset, steps):
    w.dataset_combo.setCurrentText(dataset)
    w.steps.setValue(steps)


def click(qtbot, w, name):
    qtbot.mouseClick(w.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def test_window_has_its_parts(qtbot):
    w = MainWindow()
    assert w.windowTitle().startswith("ganstudio")
    combo = w.findChild(QComboBox, "datasetCombo")
    items = [combo.itemText(i) for i in range(combo.count())]
    assert {"ring8", "grid25", "digits", "shapes"} <= set(items) and combo.currentText() == "digits"
    for name in ("modelCombo", "lossCombo"):
        assert w.findChild(QComboBox, name) is not None
    for name in ("trainButton", "pauseButton", "stopButton", "stepButton"):
        assert w.findChild(QPushButton, name) is not None
    assert w.findChild(QProgressBar, "progressBar") is not None
    assert isinstance(w.findChild(pg.PlotWidget, "lossPlot"), pg.PlotWidget)
    assert w.findChild(object, "sampleView") is not None and w.findChild(object, "toyView") is not None
    assert "cpu" in [w.device_combo.itemText(i) for i in range(w.device_combo.count())]
    w.close()


def test_dataset_defaults_follow_the_choice(window):
    window.dataset_combo.setCurrentText("ring8")
    assert (
        window.z_dim.value() == 2 and window.model_combo.currentText() == "mlp" and not window.model_combo.isEnabled()
    )
    assert window.visual.currentWidget() is window.points_panel
    assert window.image_size.currentIndex() == -1 and window.config_from_controls().image_size is None
    window.dataset_combo.setCurrentText("digits")
    assert window.model_combo.currentText() == "dcgan" and window.image_size.currentText() == "16"
    assert window.visual.currentWidget() is window.sample_panel


def test_train_ring8_live_then_reopen(window, qtbot):
    choose(window, qtbot, "ring8", 600)
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT) as done:
        click(qtbot, window, "trainButton")
        qtbot.waitUntil(lambda: curve_points(window) > 3, timeout=TIMEOUT)
        qtbot.waitUntil(lambda: window.points_panel.fake_positions() is not None, timeout=TIMEOUT)
    assert done.args == ["steps"]
    run = window.run_path
    assert (run / "config.json").exists() and (run / "checkpoints" / "step_0000600.safetensors").exists()
    rows = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    assert rows[-1]["step"] == 600
    assert window.progress.value() == 600

    other = MainWindow()
    qtbot.addWidget(other)
    assert other.open_run(run)
    assert curve_points(other) > 0 and other.dataset_combo.currentText() == "ring8"
    assert other.sample_panel.frame_count() >= 2
    assert str(run) in [a.text() for a in other.recent_menu.actions()]


def test_g_arrows_are_computed_only_while_shown_and_come_at_once_when_paused(window, qtbot):
    choose(window, qtbot, "ring8", 10**6)
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: window.points_panel.fake_positions() is not None, timeout=TIMEOUT)
    assert not window.worker.points_arrows  # off by default: no backward pass through D per state
    # the window reports what drawing costs it; the worker judges it against its own CPU time
    qtbot.waitUntil(lambda: window.worker.pacer._ui_cpu > 0, timeout=TIMEOUT)
    assert window.worker.pacer.clock is time.thread_time
    assert not window.points_panel.arrow_item.isVisible()
    click(qtbot, window, "pauseButton")
    qtbot.waitUntil(lambda: window.state == "paused", timeout=TIMEOUT)
    trainer = window.worker.trainer
    step = trainer.step_count
    window.points_panel.arrows_check.setChecked(True)  # while paused: a fresh state with arrows
    qtbot.waitUntil(lambda: window.points_panel.arrow_item.isVisible(), timeout=TIMEOUT)
    assert trainer.step_count == step and window.worker.points_arrows
    xs, ys = window.points_panel.arrow_item.getData()
    assert len(xs) == 2 * len(window.points_panel.fake_positions()) and np.isfinite(xs).all()
    window.points_panel.arrows_check.setChecked(False)
    assert not window.worker.points_arrows and not window.points_panel.arrow_item.isVisible()
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT):
        click(qtbot, window, "stopButton")


def test_train_digits_grid_changes(window, qtbot):
    choose(window, qtbot, "digits", 10**6)
    window.steps.setValue(10**6)
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: window.sample_panel.frame_count() >= 1, timeout=TIMEOUT)
    first = window.sample_panel.current_image().copy()
    qtbot.waitUntil(lambda: window.sample_panel.frame_count() >= 2, timeout=TIMEOUT)
    assert not np.array_equal(first, window.sample_panel.current_image())
    assert curve_points(window) > 0
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT):
        click(qtbot, window, "stopButton")
    assert window.run_path and any((window.run_path / "checkpoints").iterdir())
    out = window.run_path / "export.png"
    assert window.export_grid(out) and out.stat().st_size > 0


def test_pause_step_change_lr_resume_stop(window, qtbot):
    choose(window, qtbot, "ring8", 10**6)
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: curve_points(window) > 2, timeout=TIMEOUT)
    click(qtbot, window, "pauseButton")
    qtbot.waitUntil(lambda: window.state == "paused" and window.pause_button.text() == "Resume", timeout=TIMEOUT)
    trainer = window.worker.trainer
    step = trainer.step_count
    assert window.lr_g.isEnabled() and window.step_button.isEnabled()
    qtbot.wait(50)  # a paused trainer does not move (the assertion below is the point)
    assert trainer.step_count == step
    window.lr_g.setValue(0.0005)
    click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: trainer.step_count == step + 1, timeout=TIMEOUT)
    assert trainer.cfg.lr_g == 0.0005 and trainer.opt_g.param_groups[0]["lr"] == 0.0005
    click(qtbot, window, "pauseButton")  # Resume
    qtbot.waitUntil(lambda: trainer.step_count > step + 20, timeout=TIMEOUT)
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT) as done:
        click(qtbot, window, "stopButton")
    assert done.args == ["stopped"]
    events = [json.loads(x) for x in (window.run_path / "events.jsonl").read_text().splitlines()]
    assert events[0]["changes"] == {"lr_g": 0.0005}
    assert json.loads((window.run_path / "config.json").read_text())["lr_g"] == 0.0005
    last = sorted((window.run_path / "checkpoints").iterdir())[-1]
    assert last.name == f"step_{trainer.step_count:07d}.safetensors"


def train_then_pause(window, qtbot):
    """Start ring8, let it log a few rows, pause; returns the (parked) trainer."""
    choose(window, qtbot, "ring8", 10**6)
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: curve_points(window) > 2, timeout=TIMEOUT)
    click(qtbot, window, "pauseButton")
    qtbot.waitUntil(lambda: window.state == "paused", timeout=TIMEOUT)
    return window.worker.trainer


def nan_loss(trainer):
    """NaN D losses from now on (a diverged run); returns the honest loss to put back."""
    honest = trainer.loss
    trainer.loss = type(honest)(honest.name, lambda r, f: honest.d(r, f) * float("nan"), honest.g, honest.readout)
    return honest


def test_nan_is_skipped_with_a_banner_then_pauses_with_a_dialog_and_recovers(window, qtbot):
    trainer = train_then_pause(window, qtbot)
    banner = window.findChild(QFrame, "alarmBanner")
    assert not banner.isVisible()
    # One bad interval (NaN weights, as an overflow would leave): undone and skipped.
    with torch.no_grad():  # safe: the worker is parked between steps
        for p in trainer.D.parameters():
            p.fill_(float("nan"))
    click(qtbot, window, "pauseButton")  # Resume into the NaN
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=TIMEOUT)
    assert banner.last.kind == "nonfinite" and "undone and skipped" in banner.last.title
    assert window.state == "running"
    step = trainer.step_count
    qtbot.waitUntil(lambda: trainer.step_count > step + 20, timeout=TIMEOUT)
    assert getattr(window, "error_box", None) is None or not window.error_box.isVisible()
    # NaN that keeps coming back: after a few skips training pauses with a message.
    honest = nan_loss(trainer)
    with qtbot.waitSignal(window.worker.failed, timeout=TIMEOUT) as failed:
        pass
    assert "NaN" in failed.args[0] and "in a row" in failed.args[0]
    qtbot.waitUntil(lambda: window.state == "paused", timeout=TIMEOUT)
    assert isinstance(window.error_box, QMessageBox) and window.error_box.isVisible()
    assert all(torch.isfinite(p).all() for p in trainer.D.parameters())  # rolled back
    trainer.loss = honest  # (the user would lower the learning rate here)
    step = trainer.step_count
    click(qtbot, window, "pauseButton")  # and it trains on
    qtbot.waitUntil(lambda: trainer.step_count > step + 10, timeout=TIMEOUT)
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT):
        click(qtbot, window, "stopButton")


def test_close_during_training_saves_quickly(qtbot):
    import time

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    choose(w, qtbot, "ring8", 10**6)
    click(qtbot, w, "trainButton")
    qtbot.waitUntil(lambda: curve_points(w) > 2, timeout=TIMEOUT)
    run, thread = w.run_path, w.thread
    t0 = time.perf_counter()
    w.close()
    assert time.perf_counter() - t0 < 2.0
    assert thread.isFinished() and w.thread is None
    rows = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    last = sorted((run / "checkpoints").iterdir())[-1]
    assert int(last.stem.split("_")[1]) >= rows[-1]["step"]


def test_bad_dataset_shows_error_and_app_stays_usable(window, qtbot, tmp_path):
    (tmp_path / "empty").mkdir()
    window._add_dataset(f"folder:{tmp_path / 'empty'}")
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT) as done:
        click(qtbot, window, "trainButton")
    assert done.args == ["error"]
    text = window.error_box.text().lower()
    assert window.error_box.isVisible() and ("no usable image" in text or "no image" in text)
    assert window.train_button.isEnabled()


def test_open_run_that_is_not_a_run(window, tmp_path):
    assert not window.open_run(tmp_path)
    assert "config.json" in window.error_box.text()


def test_step_after_a_nan_pause_trains_one_step(window, qtbot):
    trainer = train_then_pause(window, qtbot)
    honest = nan_loss(trainer)  # NaN every step: skipped a few times, then a pause
    with qtbot.waitSignal(window.worker.failed, timeout=TIMEOUT):
        click(qtbot, window, "pauseButton")
    qtbot.waitUntil(lambda: window.state == "paused" and window.step_button.isEnabled(), timeout=TIMEOUT)
    trainer.loss = honest
    step = trainer.step_count
    click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: trainer.step_count == step + 1, timeout=TIMEOUT)
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT):
        click(qtbot, window, "stopButton")


def test_close_during_a_slow_step_waits_without_freezing(qtbot, monkeypatch):
    import time

    from ganstudio.training import Trainer

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    choose(w, qtbot, "ring8", 10**6)
    click(qtbot, w, "trainButton")
    qtbot.waitUntil(lambda: curve_points(w) > 2, timeout=TIMEOUT)
    real_step = Trainer.step
    monkeypatch.setattr(Trainer, "step", lambda self: (time.sleep(2.5), real_step(self)))
    qtbot.wait(100)  # let the worker enter a slow step
    t0 = time.perf_counter()
    w.close()
    assert time.perf_counter() - t0 < 3.0 and w.isVisible()  # the UI came back; the window stays
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=TIMEOUT)  # and closes once saved
    assert w.thread is None


def test_quality_is_evaluated_live_and_the_best_checkpoint_can_be_continued(window, qtbot):
    choose(window, qtbot, "ring8", 10**6)
    click(qtbot, window, "trainButton")
    panel = window.quality_panel
    qtbot.waitUntil(lambda: len(panel.history) >= 2, timeout=3 * TIMEOUT)  # eval_every 500 for 2D sets
    assert "modes" in window.findChild(QLabel, "metricSummary").text()
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT):
        click(qtbot, window, "stopButton")
    run = window.run_path
    assert (run / "checkpoints" / "best.safetensors").exists()
    best_step = [r["step"] for r in RunDir(run).read_evals() if r["best"]][-1]

    assert window.open_run(run, checkpoint="best")
    assert len(panel.history) == len(RunDir(run).read_evals()) and panel.best[0] == best_step
    assert "best quality at step" in window.statusBar().currentMessage()
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: window.resumed_from is not None, timeout=TIMEOUT)  # set as the worker loads it
    assert window.resumed_from == run / "checkpoints" / "best.safetensors"  # not the latest
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT):
        click(qtbot, window, "stopButton")


def test_quality_panel_is_labelled_for_the_chosen_dataset_before_any_evaluation(window):
    axis = window.quality_panel.plot.getAxis("left")
    window.dataset_combo.setCurrentText("digits")
    assert axis.labelText == "FCD"
    window.dataset_combo.setCurrentText("ring8")
    assert axis.labelText == "JS divergence"
    window.quality_panel.clear()  # a new run of the same data keeps its labels
    assert axis.labelText == "JS divergence"
