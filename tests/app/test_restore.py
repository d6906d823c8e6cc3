"""Restore mode in the Latent tab: a training image, its hole painted with real mouse events
(left paints, right erases, the brush size from maskBrushSpin), a mask picked from maskCombo,
Fill converging live beside the image with its hole, and Save PNG."""

import os
from pathlib import Path
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QSpinBox, QWidget

from ganstudio.app import MainWindow
from ganstudio.cli import main
from ganstudio.inpainting import feather_alpha

TIMEOUT = 120_000


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    rd = tmp_path_factory.mktemp("restore") / "digits"
    argv = ["train", "--dataset", "digits", "--width", "8", "--steps", "40", "--eval-every", "0", "--run-dir", str(rd)]
    assert main(argv) == 0
    return rd


@pytest.fixture
def window(qtbot, digits_run):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    assert w.open_run(digits_run)
    yield w
    w.explorer.shutdown()
    assert not w.explorer.latent_panel.finder.running()


def test_paint_a_hole_with_the_mouse_fill_it_and_save_it(window, qtbot, tmp_path):
    window.explorer.setCurrentIndex(1)
    panel = window.explorer.latent_panel
    side = panel.find
    load = window.findChild(QPushButton, "neighboursLoadButton")
    qtbot.waitUntil(lambda: panel.finder.reference is not None or load.isVisible(), timeout=TIMEOUT)
    if panel.finder.reference is None:
        qtbot.mouseClick(load, Qt.MouseButton.LeftButton)  # the digits' feature net, once per session
        qtbot.waitUntil(lambda: panel.finder.reference is not None, timeout=TIMEOUT)
    panel.find_box.index_spin.setValue(5)
    box = window.findChild(QWidget, "restoreBox")
    assert not box.isVisible()
    qtbot.mouseClick(window.findChild(QPushButton, "inpaintButton"), Qt.MouseButton.LeftButton)
    assert box.isVisible() and not panel.neighbours_view.isVisible()
    x = panel.finder.reference.dataset.data[5]
    canvas = window.findChild(QWidget, "maskCanvas")
    assert np.array_equal(canvas.image, x) and canvas.hole.sum() == 8 * 8  # the centre square to start with

    combo = window.findChild(QComboBox, "maskCombo")
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_End)  # the last item: Clear
    assert combo.currentIndex() == 3 and not canvas.hole.any()
    brush = window.findChild(QSpinBox, "maskBrushSpin")
    brush.setValue(3)
    # a stroke across rows 6..8, columns 3..12: press, drag, release
    QTest.mousePress(
        canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, canvas.widget_point(7, 3).toPoint()
    )
    for col in (6, 9, 12):
        QTest.mouseMove(canvas, canvas.widget_point(7, col).toPoint())
    QTest.mouseRelease(
        canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, canvas.widget_point(7, 12).toPoint()
    )
    hole = canvas.hole.copy()
    assert hole[6:9, 3:13].all() and not hole[:5].any() and not hole[10:].any()
    # right-click erases (a brush of 1: one pixel)
    brush.setValue(1)
    QTest.mouseClick(
        canvas, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, canvas.widget_point(7, 8).toPoint()
    )
    assert not canvas.hole[7, 8] and canvas.hole[7, 7] and canvas.hole.sum() == hole.sum() - 1
    hole = canvas.hole.copy()

    seen = []
    side.inpaint_progress.connect(seen.append)
    with qtbot.waitSignal(side.inpaint_finished, timeout=TIMEOUT) as done:
        qtbot.mouseClick(window.findChild(QPushButton, "fillButton"), Qt.MouseButton.LeftButton)
        assert window.findChild(QPushButton, "fillButton").text() == "Stop" and not canvas.isEnabled()
    res = done.args[0]
    assert len(seen) >= 5 and seen[-1].finished  # it converged live, chunk by chunk
    filled = res.filled[0]
    far = feather_alpha(hole)[0, 0].numpy() == 0
    assert np.array_equal(filled[:, far], x[:, far])  # known pixels back unchanged
    assert not np.array_equal(filled[:, hole], x[:, hole])
    # the digits are labelled: the class came from the fit and the class prior, trained once and cached
    assert list((Path(os.environ["GANSTUDIO_CACHE"]) / "class_prior").glob("*.safetensors"))
    after = window.findChild(QLabel, "restoreAfter")
    assert after.pixmap() is not None and not after.pixmap().isNull()
    assert "Filled" in box.label.text() and "known pixels" in box.label.text()
    save = window.findChild(QPushButton, "restoreSaveButton")
    assert save.isEnabled() and window.findChild(QPushButton, "fillButton").text() == "Fill"
    box.save_png(str(tmp_path / "restored.png"))
    with Image.open(tmp_path / "restored.png") as im:
        assert im.size == (16, 16) and im.mode == "L"
    # a clear mask is refused with a line, not a fill
    qtbot.keyClick(combo, Qt.Key.Key_Home)  # Centre
    assert canvas.hole.sum() == 8 * 8
    qtbot.keyClick(combo, Qt.Key.Key_End)  # Clear
    qtbot.mouseClick(window.findChild(QPushButton, "fillButton"), Qt.MouseButton.LeftButton)
    assert "hides no pixel" in box.label.text() and not panel.finder.inpainting()
    # leaving Restore mode brings the neighbours back
    qtbot.mouseClick(window.findChild(QPushButton, "inpaintButton"), Qt.MouseButton.LeftButton)
    assert not box.isVisible() and panel.neighbours_view.isVisible()
