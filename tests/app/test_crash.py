"""Unexpected errors in the app are caught, shown and kept (issue 29): a slot or a thread that
raises gives one non-modal message and a crash log, and the app goes on training."""

import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox, QPushButton

from ganstudio.app import crash
from ganstudio.errors import GanstudioError

# pytest-qt's own hook would turn the errors this test raises on purpose into failures.
pytestmark = pytest.mark.qt_no_exception_capture


@pytest.fixture
def reporter(window, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    r = crash.install(window)
    yield r
    if r.box is not None:
        r.box.close()
    r.uninstall()


def message(window):
    boxes = [b for b in window.findChildren(QMessageBox, "crashMessage") if b.isVisible()]
    return boxes[0] if boxes else None


def test_a_slot_error_is_shown_logged_and_the_app_keeps_training(window, reporter, qtbot, capfd, tmp_path):
    def broken_slot():
        raise RuntimeError("the slot broke\nsecond line")

    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: message(window) is not None, timeout=5000)
    box = message(window)
    assert not box.isModal()
    assert "RuntimeError: the slot broke" in box.text() and "second line" not in box.text()
    [log] = reporter.logs
    assert log.parent == tmp_path / "cache" / "ganstudio" and log.name.startswith("crash-")
    assert str(log) in box.informativeText()
    text = log.read_text()
    assert "broken_slot" in text and "RuntimeError: the slot broke" in text  # the traceback
    assert "torch:" in text and "PySide6:" in text and "run: none" in text  # versions and the run
    assert "broken_slot" in box.detailedText()
    assert "unexpected error: RuntimeError: the slot broke" in capfd.readouterr().err

    # the app is still usable: it trains, and the run it trains goes into the next log
    window.dataset_combo.setCurrentText("ring8")
    with qtbot.waitSignal(window.training_finished, timeout=60_000):
        window.steps.setValue(20)
        qtbot.mouseClick(window.findChild(QPushButton, "trainButton"), qtbot_left())
    box.close()
    qtbot.waitUntil(lambda: window.session.run_path is not None, timeout=5000)  # the run's start has been shown
    QTimer.singleShot(0, lambda: 1 / 0)
    qtbot.waitUntil(lambda: message(window) is not None, timeout=5000)
    assert len(reporter.logs) == 2
    assert f"run: {window.session.run_path}" in reporter.logs[1].read_text()


def test_thread_errors_and_repeats_give_one_message_and_one_log_each(window, reporter, qtbot):
    t = threading.Thread(target=lambda: [][1], name="a-background-job")
    t.start()
    t.join()
    qtbot.waitUntil(lambda: message(window) is not None, timeout=5000)
    assert "IndexError" in message(window).text()
    assert "thread: a-background-job" in reporter.logs[0].read_text()

    def again():
        raise ValueError("every redraw")

    for _ in range(30):  # a slot failing on every redraw: no storm of windows
        QTimer.singleShot(0, again)
    qtbot.waitUntil(lambda: sum(reporter.count.values()) == 31, timeout=5000)
    qtbot.wait(50)
    assert len([b for b in window.findChildren(QMessageBox, "crashMessage") if b.isVisible()]) == 1
    assert len(reporter.logs) == 2  # one per distinct error
    info = message(window).informativeText()
    assert "Errors since this message appeared: 30." in info and str(reporter.logs[1]) in info  # the newest log named


def test_a_refusal_that_escapes_is_its_one_line_and_no_log(window, reporter, qtbot):
    def refuse():
        raise GanstudioError("model.safetensors: not a checkpoint")

    QTimer.singleShot(0, refuse)
    qtbot.waitUntil(lambda: message(window) is not None, timeout=5000)
    assert message(window).text() == "model.safetensors: not a checkpoint"
    assert reporter.logs == [] and not (crash.crash_dir()).exists()


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
