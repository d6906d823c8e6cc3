"""The Latent and Interpolation tabs as a user drives them: real runs, real sliders and
buttons, real files written and read back."""

import json

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSlider, QFileDialog, QPushButton, QWidget

from ganstudio import explore
from ganstudio.cli import main

TIMEOUT = 60_000


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    rd = tmp_path_factory.mktemp("latent") / "digits"
    assert main(["train", "--dataset", "digits", "--width", "8", "--steps", "30", "--run-dir", str(rd)]) == 0
    return rd


@pytest.fixture(scope="module")
def ring_run(tmp_path_factory):
    rd = tmp_path_factory.mktemp("latent") / "ring8"
    assert main(["train", "--dataset", "ring8", "--steps", "60", "--run-dir", str(rd)]) == 0
    return rd


def click(qtbot, w, name):
    qtbot.mouseClick(w.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def save_dialog_returns(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))


def read(path):
    with Image.open(path) as im:
        return np.asarray(im).copy()


def test_latent_panel_names_and_sliders_change_the_preview(window, qtbot, digits_run):
    assert window.open_run(digits_run)
    window.explorer.setCurrentIndex(1)
    panel = window.findChild(QWidget, "latentPanel")
    assert panel is window.explorer.latent_panel and window.findChild(QWidget, "latentView") is not None
    sliders = [window.findChild(QAbstractSlider, f"latentSlider{i}") for i in range(8)]
    assert all(s is not None and s.isVisible() for s in sliders)
    assert panel.snap.checkpoint.name == "step_0000030.safetensors" and panel.snap.ema
    first = panel.current_image().copy()
    assert first.shape == (16, 16, 1)
    with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
        sliders[2].setFocus()
        qtbot.keyClick(sliders[2], Qt.Key.Key_PageUp)  # a real key press on the slider: +0.5 sd
    assert sliders[2].value() == 50 and panel.offsets()[2] == 0.5
    moved = panel.current_image().copy()
    assert not np.array_equal(first, moved)
    with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
        panel.psi_slider.setValue(40)
    assert not np.array_equal(moved, panel.current_image())
    with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
        click(qtbot, window, "resetLatentButton")
    assert all(s.value() == 0 for s in sliders) and panel.psi() == 1.0
    assert np.array_equal(first, panel.current_image())
    with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
        click(qtbot, window, "randomizeButton")
    assert panel.seed() != 0 and not np.array_equal(first, panel.current_image())


def test_ema_toggle_and_export_preview(window, qtbot, digits_run, tmp_path, monkeypatch):
    window.open_run(digits_run)
    window.explorer.setCurrentIndex(1)
    panel = window.explorer.latent_panel
    panel.seed_spin.setValue(5)
    panel.set_offsets([1.0, -2.0])
    qtbot.waitUntil(lambda: panel.offsets()[:2] == [1.0, -2.0])
    ema_image = panel.current_image().copy()
    with qtbot.waitSignal(panel.generator_changed, timeout=TIMEOUT):
        panel.ema_toggle.setChecked(False)  # the live weights of the same checkpoint
    assert panel.snap.ema is False and not np.array_equal(ema_image, panel.current_image())
    out = tmp_path / "preview.png"
    save_dialog_returns(monkeypatch, out)
    click(qtbot, window, "exportPreviewButton")
    recipe = json.loads((tmp_path / "preview.png.json").read_text())
    assert recipe["seed"] == 5 and recipe["offsets"][:2] == [1.0, -2.0] and recipe["ema"] is False
    assert recipe["step"] == 30 and recipe["directions"]["source"] == "raw" and recipe["psi"] == 1.0
    shown = panel.current_image()[..., 0]
    assert np.array_equal(read(out), shown)  # the file is what was on screen
    assert np.array_equal(explore.render_recipe(recipe), panel.current_image())  # and the recipe alone makes it


def test_principal_directions_and_directions_from_file(window, qtbot, digits_run, tmp_path):
    window.open_run(digits_run)
    window.explorer.setCurrentIndex(1)
    panel = window.explorer.latent_panel
    with qtbot.waitSignal(panel.directions_changed, timeout=TIMEOUT):
        panel.directions_combo.setCurrentText("Principal (PCA)")
        panel.directions_combo.activated.emit(1)  # what a user's pick emits
    panel.wait_background()
    assert panel.directions_source == "principal" and panel.directions.k == 8
    ratios = panel.directions.variance_ratio
    assert (ratios[:-1] >= ratios[1:]).all() and 0 < float(ratios.sum()) <= 1
    assert panel.slider_names[0].text().startswith("PC1") and "%" in panel.slider_names[0].text()
    assert "explain" in panel.directions_info.text()
    before = panel.current_image().copy()
    with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
        panel.sliders[0].setValue(250)
    assert not np.array_equal(before, panel.current_image())

    dirs = tmp_path / "dirs.json"
    assert main(["directions", "--run", str(digits_run), "--n", "300", "--k", "4", "--out", str(dirs)]) == 0
    assert panel.load_directions(dirs)
    assert panel.directions_source == "file" and sum(s.isVisible() for s in panel.sliders) == 4
    assert panel.directions_combo.currentText() == "From file..."
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert not panel.load_directions(bad) and "not a directions file" in panel.shown_message()  # the tab says it
    assert panel.directions_source == "file"  # the good ones stay


def test_interpolation_keyframes_animation_and_exports(window, qtbot, digits_run, tmp_path, monkeypatch):
    window.open_run(digits_run)
    view = window.findChild(QWidget, "interpolationView")
    panel = window.explorer.latent_panel
    view.export_size.setCurrentIndex(view.export_size.findData(1))  # exports at the model's own 16 px
    window.explorer.setCurrentIndex(2)
    qtbot.waitUntil(lambda: "two or more" in view.hint.text(), timeout=TIMEOUT)  # rendered once shown
    assert view.isVisible() and view.current_picture() is None
    for seed in (1, 2):
        view.keyframe_seed.setValue(seed)
        click(qtbot, window, "addSeedButton")
    panel.seed_spin.setValue(7)
    panel.set_offsets([0.0, 1.5])
    with qtbot.waitSignal(view.rendered, timeout=TIMEOUT):
        click(qtbot, window, "addCurrentLatentButton")
    assert view.keyframe_list.count() == 3 and "z[1] +1.50" in view.keyframe_list.item(2).text()
    view.frames_spin.setValue(12)
    qtbot.waitUntil(lambda: view.animation_frames() is not None and len(view.animation_frames()) == 12, timeout=TIMEOUT)
    assert view.current_picture().shape == (18 + 2, 12 * 18 + 2, 1)  # one row of 12 16-px frames

    click(qtbot, window, "playButton")
    start = view.current_frame()
    qtbot.waitUntil(lambda: view.current_frame() != start, timeout=TIMEOUT)
    view.speed_slider.setValue(30)
    assert view._anim_timer.interval() == 33
    click(qtbot, window, "playButton")
    assert not view.is_playing()

    save_dialog_returns(monkeypatch, tmp_path / "strip.png")
    click(qtbot, window, "exportStripButton")
    recipe = json.loads((tmp_path / "strip.png.json").read_text())
    assert recipe["command"] == "interpolate" and recipe["frames"] == 12 and "seeds" not in recipe
    assert recipe["keyframes"][2]["offsets"][:2] == [0.0, 1.5] and recipe["directions"]["source"] == "raw"
    assert np.array_equal(read(tmp_path / "strip.png"), view.current_picture()[..., 0])
    assert np.array_equal(explore.render_recipe(recipe)[..., 0], read(tmp_path / "strip.png"))

    save_dialog_returns(monkeypatch, tmp_path / "walk.gif")
    click(qtbot, window, "exportAnimationButton")
    with Image.open(tmp_path / "walk.gif") as im:
        assert im.n_frames == 12 and im.info.get("loop") == 0
        assert abs(im.info["duration"] - 33) <= 10  # 30 fps, in GIF's 10 ms units
        frames = np.stack([np.asarray(im.seek(i) or im.convert("L")) for i in range(im.n_frames)])
    assert np.array_equal(frames, view.animation_frames()[..., 0])

    # grid walk along two directions around the Latent tab's z
    view.show_combo.setCurrentText("Grid walk")
    view.grid_dir2.setCurrentIndex(3)
    view.grid_steps.setValue(5)
    qtbot.waitUntil(
        lambda: view.current_picture() is not None and view.current_picture().shape[0] == 2 + 5 * 18, timeout=TIMEOUT
    )
    save_dialog_returns(monkeypatch, tmp_path / "grid.png")
    click(qtbot, window, "exportStripButton")
    recipe = json.loads((tmp_path / "grid.png.json").read_text())
    assert recipe["grid"] == {"axes": [0, 3], "steps": 5, "extent": 2.0} and recipe["seed"] == 7
    assert np.array_equal(explore.render_recipe(recipe)[..., 0], read(tmp_path / "grid.png"))

    click(qtbot, window, "clearKeyframesButton")
    assert view.keyframes == [] and view.keyframe_list.count() == 0
    anim = window.findChild(QPushButton, "exportAnimationButton")
    qtbot.waitUntil(lambda: not anim.isEnabled() and view.animation_frames() is None, timeout=TIMEOUT)


def test_seed_keyframes_export_the_cli_recipe(window, qtbot, digits_run, tmp_path):
    window.open_run(digits_run)
    window.explorer.setCurrentIndex(2)
    view = window.explorer.interpolation_view
    view.mode_combo.setCurrentText("lerp")
    for s in (4, 9, 2):
        view.add_seed(s)
    qtbot.waitUntil(lambda: view.animation_frames() is not None, timeout=TIMEOUT)
    assert view.export_picture(tmp_path / "app.png")
    r = json.loads((tmp_path / "app.png.json").read_text())
    assert r["seeds"] == [4, 9, 2] and r["mode"] == "lerp" and r["frames"] == 16
    assert (
        main(
            [
                "interpolate",
                "--run",
                r["run"],
                "--checkpoint",
                r["checkpoint"],
                "--seeds",
                *map(str, r["seeds"]),
                "--frames",
                str(r["frames"]),
                "--mode",
                r["mode"],
                "--psi",
                str(r["psi"]),
                "--out",
                str(tmp_path / "cli.png"),
            ]
        )
        == 0
    )
    assert (tmp_path / "cli.png").read_bytes() == (tmp_path / "app.png").read_bytes()


def test_2d_manifold_mesh_and_moving_point(window, qtbot, ring_run, tmp_path):
    window.open_run(ring_run)
    window.explorer.setCurrentIndex(1)
    panel = window.explorer.latent_panel
    assert panel.snap.is_2d and panel.current_image() is None
    assert sum(s.isVisible() for s in panel.sliders) == 2  # a 2-d latent has two directions
    mesh = panel.current_mesh()
    assert mesh.shape == (explore.MESH_STEPS, explore.MESH_STEPS, 2)
    x, _ = panel.mesh_item.getData()
    assert np.isfinite(x).sum() == 2 * explore.MESH_STEPS**2  # rows and columns drawn
    assert len(panel.real_item.getData()[0]) > 100
    p0 = panel.current_point().copy()
    with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
        panel.sliders[0].setValue(200)
    p1 = panel.current_point()
    assert not np.allclose(p0, p1)
    np.testing.assert_allclose(panel.point_item.getData()[0], [p1[0]])
    assert panel.export_preview(tmp_path / "m.png")
    r = json.loads((tmp_path / "m.png.json").read_text())
    assert r["kind"] == "2d" and r["offsets"] == [2.0, 0.0]
    assert np.array_equal(explore.render_recipe(r), read(tmp_path / "m.png"))
    window.explorer.setCurrentIndex(2)
    view = window.explorer.interpolation_view
    view.add_seed(1)
    view.add_seed(2)
    qtbot.waitUntil(lambda: view.animation_frames() is not None, timeout=TIMEOUT)
    assert view.current_picture().shape == (512, 512, 3) and view.animation_frames().shape == (16, 256, 256, 3)


def test_live_while_training_then_from_the_final_checkpoint(window, qtbot):
    window.dataset_combo.setCurrentText("digits")
    window.steps.setValue(10**6)
    click(qtbot, window, "trainButton")
    panel = window.explorer.latent_panel
    window.explorer.setCurrentIndex(1)  # asks the worker for a copy of G
    qtbot.waitUntil(lambda: panel.snap is not None and panel.snap.step > 0, timeout=TIMEOUT)
    assert panel.snap.checkpoint is None and "live snapshot" in panel.info.text()
    step = panel.snap.step
    before = panel.current_image().copy()
    with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
        panel.sliders[0].setValue(-300)
    assert not np.array_equal(before, panel.current_image())
    with qtbot.waitSignal(panel.generator_changed, timeout=TIMEOUT):
        click(qtbot, window, "refreshGeneratorButton")
    assert panel.snap.step >= step and panel.sliders[0].value() == -300  # a refresh keeps the latent
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT):
        click(qtbot, window, "stopButton")
    assert panel.snap.checkpoint is not None and panel.snap.checkpoint.parent.parent == window.run_path
    assert panel.sliders[0].value() == -300 and panel.current_image() is not None
