"""The Samples tab's mark row: its messages stay through grid updates until the user acts."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from ganstudio.app.main_window import MainWindow
from ganstudio.cli import main


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    rd = tmp_path_factory.mktemp("marks") / "digits"
    argv = ["train", "--dataset", "digits", "--width", "8", "--steps", "20", "--eval-every", "0"]
    assert main([*argv, "--sample-every", "20", "--run-dir", str(rd)]) == 0
    return rd


def test_fit_without_a_name_says_so_until_the_user_acts(qtbot, digits_run):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    assert w.open_run(digits_run)
    samples = w.sample_panel
    w.explorer.setCurrentIndex(0)
    qtbot.waitUntil(lambda: samples.grid_config() is not None and samples.cell_layout() is not None, timeout=60_000)
    qtbot.mouseClick(w.findChild(QPushButton, "markButton"), Qt.MouseButton.LeftButton)
    row, label = samples.mark_row, w.findChild(QLabel, "marksLabel")
    row.mark(0, True)
    row.mark(1, False)
    qtbot.mouseClick(w.findChild(QPushButton, "fitDirectionButton"), Qt.MouseButton.LeftButton)
    assert label.text() == "Name the property first."
    for _ in range(3):  # what every new grid does
        row.redraw()
    assert label.text() == "Name the property first." and label.toolTip() == "Name the property first."
    row.mark(2, True)  # the user acts: the counts come back
    assert label.text() == "+2  -1"
    w.explorer.shutdown()
