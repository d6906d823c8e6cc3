"""A huge dataset folder: the loaders report progress and honour a cancel flag (Qt-free), and
the app loads in its worker thread with a progress bar and a Cancel button."""

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

import faultkit as fk
from ganstudio.app import MainWindow
from ganstudio.data import load_dataset
from ganstudio.errors import Cancelled

TIMEOUT = 60_000
N_IMAGES = 6000  # ~1 s to decode here: time enough to see progress and cancel


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory):
    return fk.tiny_image_folder(tmp_path_factory.mktemp("big") / "imgs", N_IMAGES)


def test_loader_reports_progress_and_cancels_between_files(tmp_path):
    folder = fk.tiny_image_folder(tmp_path / "imgs", 40)
    calls = []
    ds = load_dataset(f"folder:{folder}", 16, progress=lambda d, t: calls.append((d, t)))
    assert len(ds.data) == 40
    counting = [c for c in calls if c[1] == 0]
    loading = [c for c in calls if c[1] != 0]
    assert counting and all(t == 40 for _, t in loading)  # files counted first, then decoded
    assert [d for d, _ in loading] == list(range(41))  # every file, then done == total
    seen = []

    def cancel_after_ten():
        return len([c for c in seen if c[1]]) >= 10

    with pytest.raises(Cancelled, match="cancelled"):
        load_dataset(f"folder:{folder}", 16, progress=lambda d, t: seen.append((d, t)), cancel=cancel_after_ten)
    assert max(d for d, _ in seen) == 9  # stopped at once, not after reading the rest
    with pytest.raises(Cancelled):  # a cancel before anything is read (any dataset kind)
        load_dataset("digits", 16, cancel=lambda: True)


def _runs(folder):
    return list(folder.iterdir()) if folder.exists() else []


def test_app_loads_in_the_background_with_progress_and_cancel(qtbot, big_folder, tmp_path, monkeypatch):
    runs = tmp_path / "runs"
    monkeypatch.setenv("GANSTUDIO_RUNS_DIR", str(runs))
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w._add_dataset(f"folder:{big_folder}")
    cancel = w.findChild(QPushButton, "cancelLoadButton")
    assert not cancel.isVisible()
    seen = []
    with qtbot.waitSignal(w.training_finished, timeout=TIMEOUT) as done:
        qtbot.mouseClick(w.train_button, Qt.MouseButton.LeftButton)
        # A direct connection: records every report in the loading thread, as it is made.
        w.worker.loading.connect(lambda d, t: seen.append((d, t)), Qt.ConnectionType.DirectConnection)
        assert cancel.isVisible() and not w.train_button.isEnabled()
        # The UI thread is free while the worker decodes: the bar shows real progress, then Cancel.
        qtbot.waitUntil(lambda: w.progress.maximum() == N_IMAGES and w.progress.value() > 0, timeout=TIMEOUT)
        assert w.progress.format().startswith("Loading images:")
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert done.args == ["cancelled"]
    assert max(d for d, _ in seen) < N_IMAGES  # cancelled mid-load, not after it
    assert not cancel.isVisible() and w.train_button.isEnabled() and w.thread is None
    assert _runs(runs) == []  # nothing written for a cancelled load
    assert "cancelled" in w.statusBar().currentMessage().lower()

    # Closing the window while loading cancels the load; the window goes at once.
    seen.clear()
    qtbot.mouseClick(w.train_button, Qt.MouseButton.LeftButton)
    thread = w.thread
    qtbot.waitUntil(lambda: w.progress.maximum() == N_IMAGES and w.progress.value() > 0, timeout=TIMEOUT)
    t0 = time.perf_counter()
    w.close()
    assert time.perf_counter() - t0 < 2.0 and thread.isFinished() and w.thread is None
    assert _runs(runs) == []
