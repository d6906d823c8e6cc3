"""File > Open latent or recipe (issue 29's recipe path in the app): an export's recipe and a
projection's z.json come back into the explorer exactly; a bad or unfitting file is one
message naming it and changes nothing."""

import json

import pytest
import torch
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from ganstudio.app.open_recipe import open_recipe
from ganstudio.io.media import write_recipe


@pytest.fixture
def opened(window, qtbot, train_run, tmp_path_factory):
    run = train_run(tmp_path_factory.mktemp("recipe") / "run", dataset="digits", width=4, steps=4, conditional=True)
    assert window.open_run(run)
    state = window.explorer.latent_panel.state
    qtbot.waitUntil(lambda: state.snap is not None, timeout=30_000)
    return window, state


def messages(window):
    return window.message_line.full_text()


def test_a_latent_recipe_comes_back_exactly(opened, tmp_path, monkeypatch):
    window, state = opened
    state.set_seed(7)
    state.set_ticks(0, 40)
    state.set_psi_ticks(70)
    if state.conditional:
        state.choose_class(3)
    want = state.current_latent().clone()
    path = write_recipe(tmp_path / "latent.png", state.recipe())
    state.set_seed(8)
    state.set_psi_ticks(100)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    window.findChild(QAction, "openRecipeAction").trigger()
    assert window.explorer.currentIndex() == 1
    assert torch.allclose(state.current_latent(), want, atol=1e-6)
    assert state.psi == pytest.approx(0.7) and "latent.png.json" in messages(window)


def test_an_interpolation_recipe_fills_the_keyframes(opened, tmp_path):
    window, state = opened
    view = window.explorer.interpolation_view
    for seed in (1, 2, 3):
        view.add_seed(seed)
    view.frames_spin.setValue(9)
    view.loop_check.setChecked(True)
    recipe = view.strip_recipe()
    path = write_recipe(tmp_path / "strip.gif", recipe)
    view.clear_keyframes()
    view.frames_spin.setValue(4)
    view.loop_check.setChecked(False)
    assert open_recipe(window, path)
    assert window.explorer.currentIndex() == 2
    assert len(view.keyframes) == 3 and view.frames_spin.value() == 9 and view.loop_check.isChecked()
    again = view.strip_recipe()
    from ganstudio import explore

    assert torch.allclose(explore.recipe_latents(again, state.snap.G), explore.recipe_latents(recipe, state.snap.G))


def test_a_projection_z_json_becomes_the_latent(opened, tmp_path):
    window, state = opened
    z = [0.1 * i for i in range(state.z_dim)]
    path = tmp_path / "z.json"
    path.write_text(json.dumps({"z": z, "class": None, "z_dim": state.z_dim, "checkpoint": "x", "pixel_mse": 0.1}))
    assert open_recipe(window, path)
    assert torch.allclose(state.current_latent(), torch.tensor(z))


def test_bad_or_unfitting_files_change_nothing(opened, tmp_path):
    window, state = opened
    state.set_seed(5)
    want = state.current_latent().clone()
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert not open_recipe(window, bad)
    assert "bad.json" in messages(window)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"command": "latent", "z_dim": state.z_dim + 5, "seed": 1, "checkpoint": "x"}))
    assert not open_recipe(window, other)
    assert "other.json" in messages(window)
    assert torch.equal(state.current_latent(), want)
