"""The Setup's "TensorBoard files" checkbox: a run trained from the app writes event files
TensorBoard reads back, the setting travels in config.json, and reopening the run shows it."""

import json
import sys
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QPushButton

from ganstudio.app import MainWindow

pytest.importorskip(
    "tensorboard", reason="the optional extra 'tensorboard' is not installed (pip install 'ganstudio[tensorboard]')"
)
from ganstudio.io.tensorboard import event_files, read_back  # noqa: E402

TIMEOUT = 60_000


def test_checkbox_writes_event_files(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    box = w.findChild(QCheckBox, "tensorboardCheck")
    assert box is not None and not box.isChecked() and "tensorboard" in box.toolTip()
    w.dataset_combo.setCurrentText("ring8")
    w.steps.setValue(40)
    box.setChecked(True)
    with qtbot.waitSignal(w.training_finished, timeout=TIMEOUT) as done:
        qtbot.mouseClick(w.findChild(QPushButton, "trainButton"), Qt.MouseButton.LeftButton)
    assert done.args == ["steps"]
    run = w.run_path
    assert json.loads((run / "config.json").read_text())["tensorboard"] is True
    assert event_files(run / "tensorboard")
    found = read_back(run / "tensorboard")
    rows = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    assert [s for s, _ in found["scalars"]["train/loss_d"]] == [r["step"] for r in rows] == [10, 20, 30, 40]
    assert [s for s, _ in found["images"]["samples"]] == [0, 40]

    other = MainWindow()
    qtbot.addWidget(other)
    assert other.open_run(run) and other.findChild(QCheckBox, "tensorboardCheck").isChecked()
    assert other.config_from_controls().tensorboard is True
    other.close()
    w.close()
    assert w.thread is None
    assert not [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]


def test_without_the_package_training_goes_on(qtbot, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # as if tensorboard were not installed
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.dataset_combo.setCurrentText("ring8")
    w.steps.setValue(20)
    w.findChild(QCheckBox, "tensorboardCheck").setChecked(True)
    with qtbot.waitSignal(w.training_finished, timeout=TIMEOUT) as done:
        qtbot.mouseClick(w.findChild(QPushButton, "trainButton"), Qt.MouseButton.LeftButton)
    assert done.args == ["steps"]
    assert "pip install 'ganstudio[tensorboard]'" in w.error_box.text() and "goes on" in w.error_box.text()
    assert not event_files(w.run_path / "tensorboard")
    w.close()
