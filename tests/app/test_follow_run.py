"""Following a run that another process is writing: `python -m ganstudio train` in a subprocess."""

import os
import signal
import subprocess
import sys

import pyqtgraph as pg
import pytest

from ganstudio.app import MainWindow
from ganstudio.cli import main

TIMEOUT = 90_000


def curve_points(w) -> int:
    plot = w.findChild(pg.PlotWidget, "lossPlot")
    return max((len(item.getData()[0]) for item in plot.listDataItems() if item.getData()[0] is not None), default=0)


@pytest.fixture
def writer(tmp_path):
    """A headless training run writing tmp_path/run until the test is done with it."""
    rd = tmp_path / "run"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ganstudio",
            "train",
            "--dataset",
            "digits",
            "--width",
            "8",
            "--batch-size",
            "16",
            "--steps",
            "1000000",
            "--log-every",
            "5",
            "--sample-every",
            "20",
            "--checkpoint-every",
            "40",
            "--run-dir",
            str(rd),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    yield rd, proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # the CLI saves and exits on Ctrl-C
        try:
            proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def test_window_follows_a_cli_run_live(qtbot, writer):
    rd, proc = writer
    qtbot.waitUntil(lambda: (rd / "metrics.jsonl").exists() or proc.poll() is not None, timeout=TIMEOUT)
    assert proc.poll() is None, proc.stderr.read()
    w = MainWindow(run=rd)  # what `ganstudio app --run DIR` does
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(w.is_following, timeout=TIMEOUT)
    assert w.run_path == rd

    # The curve grows while the other process trains, and the status says we follow it.
    n0 = curve_points(w)
    qtbot.waitUntil(lambda: curve_points(w) >= n0 + 3, timeout=TIMEOUT)
    # (in the run-state label: the status bar's message keeps the user's last message, issue 28)
    assert "Following run (live)" in w.run_state_text() and "updated" in w.run_state_text()
    assert "(following)" in w.progress.format() and w.sample_panel.run_live
    assert w.progress.value() >= 15

    # New sample grids and checkpoints arrive too; the latent panel loads each new checkpoint.
    first_frame = w.sample_panel.frame_steps()[-1]
    qtbot.waitUntil(lambda: w.sample_panel.frame_steps()[-1] > first_frame, timeout=TIMEOUT)
    assert w.sample_panel.current_step() == w.sample_panel.frame_steps()[-1]  # showing the newest
    latent = w.explorer.latent_panel
    first_ckpt = latent.snap.step
    qtbot.waitUntil(lambda: latent.snap.step > first_ckpt, timeout=TIMEOUT)
    assert latent.snap.checkpoint.parent == rd / "checkpoints"

    # Starting training in this window stops following; a still-written run is not resumed here.
    w.steps.setValue(10)
    with qtbot.waitSignal(w.training_finished, timeout=TIMEOUT):
        w.train()
        assert not w.is_following()
    assert w.run_path != rd  # a new run of its own, not a second writer in the followed folder
    points = curve_points(w)
    w.close()
    assert w.thread is None and proc.poll() is None  # the other process was never disturbed
    assert points > 0


def test_opening_another_run_stops_following(qtbot, writer, tmp_path):
    rd, proc = writer
    qtbot.waitUntil(lambda: (rd / "config.json").exists() or proc.poll() is not None, timeout=TIMEOUT)
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_run(rd) and w.is_following()
    follower = w.follower
    other = tmp_path / "other"
    assert (
        main(["train", "--dataset", "ring8", "--steps", "10", "--run-dir", str(other)]) == 0
    )  # in-process: no start-up
    assert w.open_run(other) and w.follower is not follower and w.follower.path == other
    w.stop_following()
    assert not w.is_following()
    w.close()


def test_app_run_waits_for_a_run_that_has_not_started(qtbot, tmp_path):
    """`ganstudio app --run DIR` right after submitting a job: the folder is there, its
    config.json not yet. The window waits (no error) and opens the run once it starts."""
    from ganstudio.config import TrainConfig
    from ganstudio.training import Trainer

    rd = tmp_path / "submitted"
    rd.mkdir()
    w = MainWindow(run=rd)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: "Waiting for" in w.statusBar().currentMessage(), timeout=5000)
    qtbot.wait(1500)  # a few polls
    assert w.run_path is None and getattr(w, "error_box", None) is None
    list(Trainer(TrainConfig(dataset="ring8", steps=20, log_every=5, eval_every=0), run_dir=rd).run())
    qtbot.waitUntil(lambda: w.run_path == rd, timeout=TIMEOUT)
    assert w.dataset_combo.currentText() == "ring8"
    w.close()
