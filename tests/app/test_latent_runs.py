"""The Latent tab follows the run that is open (issue 28): another run's directions, named
sliders and projection result go; results say the step they came from; messages stay until the
user acts; class names on the z[0] slider; the tab fits beside the Setup column."""

import copy
import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ganstudio.app.panels.find_views import EMPTY_TARGET
from ganstudio.cli import main
from ganstudio.latent import Directions

TIMEOUT = 60_000


def train(root, name, *extra):
    rd = root / name
    argv = ["train", "--dataset", "digits", "--width", "8", "--steps", "20", "--eval-every", "0", *extra]
    assert main([*argv, "--run-dir", str(rd)]) == 0
    return rd


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    return train(root, "a"), train(root, "b", "--z-dim", "12", "--no-conditional")


def later(snap, step, **config):
    """The same run's G, as a later copy (training moved on); ``config``: fields changed in it."""
    meta = copy.deepcopy(snap.meta)
    meta["step"] = step
    meta["config"].update(config)
    return dataclasses.replace(snap, meta=meta)


def fake_projection(panel, cls=3):
    """A projection's answer arriving from the finder (what Finder.projected carries), without
    the feature net: the tab's bookkeeping is what is tested here."""
    find = panel.find
    find._proj_what, find._proj_step, find._proj_token = "projection of training image 5", panel.snap.step, 7
    z = torch.randn(panel.snap.z_dim)
    res = SimpleNamespace(z=z, cls=cls, pixel_mse=0.0753, image=None)
    find._projected(res, {"random_mse": 0.5, "best_mse": 0.2}, 7)


def test_another_run_clears_the_last_runs_directions_projection_and_named_sliders(window, qtbot, runs):
    a, b = runs
    assert window.open_run(a)
    window.explorer.setCurrentIndex(1)
    panel = window.explorer.latent_panel
    z_a = panel.snap.z_dim
    panel.add_named_direction("dark", torch.randn(z_a))
    assert panel.findChild(type(panel.named_box.names[0]), "namedSliderLabel0").text() == "dark"
    d = Directions(torch.linalg.qr(torch.randn(z_a, 8))[0].T.contiguous(), torch.full((8,), 0.1), "z", 2000, 0)
    d.meta = {"step": 6392}
    panel.state.set_directions(d, "principal")
    assert "PCA of 2000 samples (from step 6392; the generator is now at step 20)" in panel.directions_info.text()
    fake_projection(panel)
    assert panel.find_box.label.text().startswith("Found (class 3): pixel MSE 0.0753")
    assert panel.latent_source() == "projection of training image 5"

    assert window.open_run(b)  # another run, another z size, unconditional
    assert panel.snap.z_dim == 12 != z_a
    assert panel.state.named == [] and not panel.named_box.names[0].isVisible()
    assert panel.directions_source == "raw" and "PCA" not in panel.directions_info.text()
    assert panel.find_box.label.text() == "" and panel.find_box.target.text() == EMPTY_TARGET
    assert panel.latent_source() is None and "projection" not in panel.info.text()
    note = panel.shown_message()  # the tab says what it cleared
    assert "Another run" in note and "'dark'" in note and "principal directions" in note
    assert panel.current_latent().shape == (12,)


def test_the_same_run_refreshed_keeps_its_state_and_stamps_results_with_their_step(window, qtbot, runs):
    a, _ = runs
    assert window.open_run(a)
    window.explorer.setCurrentIndex(1)
    panel = window.explorer.latent_panel
    panel.add_named_direction("bright", torch.randn(panel.snap.z_dim))
    fake_projection(panel)
    step = panel.snap.step
    assert panel.find_box.label.text().endswith(f"(at step {step})")
    panel.set_generator(later(panel.snap, step + 500))  # training moved on: the same run
    assert [e["name"] for e in panel.state.named] == ["bright"]
    assert panel.latent_source() == "projection of training image 5"
    assert panel.find_box.label.text().endswith(f"(from step {step}; the generator is now at step {step + 500})")
    assert f"found at step {step}" in panel.info.text()


def test_a_message_stays_after_snapshot_updates_until_the_user_acts(window, qtbot, runs):
    a, _ = runs
    assert window.open_run(a)
    window.explorer.setCurrentIndex(1)
    panel = window.explorer.latent_panel
    panel.find.finder.reference = None  # (whatever the finder has loaded by now)
    assert not panel.project_index(3)
    text = panel.shown_message()
    assert "not loaded yet" in text and panel.message_label.isVisible() and not panel.info.isVisible()
    for k in range(3):  # snapshots arrive while training
        panel.set_generator(later(panel.snap, panel.snap.step + 100 * (k + 1)))
        QApplication.processEvents()
    assert panel.shown_message() == text
    label = panel.message_label
    if label.is_cut():  # cut at this width: the full text on hover
        assert text in label.toolTip()
    qtbot.mouseClick(panel.seed_spin, Qt.MouseButton.LeftButton)  # the user acts in the tab
    assert panel.shown_message() == "" and panel.info.isVisible()


def test_z0_slider_names_the_class_and_the_tab_fits_beside_the_setup_column(window, qtbot, runs):
    a, _ = runs
    assert window.open_run(a)
    window.explorer.setCurrentIndex(1)
    panel = window.explorer.latent_panel
    assert panel.state.conditional
    names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "Ankle boot"]
    with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
        panel.set_generator(later(panel.snap, panel.snap.step, class_names=names))
    with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
        panel.state.choose_class(9)
    assert panel.slider_values[0].text().endswith("→ Ankle boot")
    assert panel.class_combo.currentText() == "Ankle boot"
    # what once grew the window from 1280 to 1350 px: the tab asks for no more than it had unconditionally
    assert panel.minimumSizeHint().width() <= 530
    assert window.explorer.minimumSizeHint().width() <= 540


def test_neighbour_requests_of_another_runs_images_are_dropped(window, qtbot, runs):
    a, _ = runs
    assert window.open_run(a)
    panel = window.explorer.latent_panel
    finder = panel.finder
    ref = SimpleNamespace(dataset=SimpleNamespace(data=np.zeros((4, 1, 16, 16), np.float32)))
    finder.reference, finder.key = ref, ("digits", 16, 1)
    assert finder._fits(np.zeros((1, 16, 16), np.float32), ("digits", 16, 1))
    assert not finder._fits(np.zeros((1, 28, 28), np.float32), ("digits", 16, 1))  # never a raw shape error
    assert not finder._fits(np.zeros((1, 16, 16), np.float32), ("fashion-mnist", 28, 1))
    finder.reference = finder.key = None
