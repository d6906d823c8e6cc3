"""The Interpolation tab follows the run that is open (keyframes of another model), shows
something before keyframes exist, exports at a useful size and keeps a class per keyframe."""

import json

import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel

from ganstudio import explore
from ganstudio.generator import generate
from ganstudio.latent import sample_z, truncate

TIMEOUT = 60_000


@pytest.fixture(scope="module")
def runs(tmp_path_factory, train_run):
    """Two tiny conditional digits runs with different latent sizes (9 and 12)."""
    root = tmp_path_factory.mktemp("interp-tab")
    a = train_run(root / "a", dataset="digits", width=8, steps=4)
    b = train_run(root / "b", dataset="digits", width=8, steps=4, z_dim=12)
    return a, b


def save_dialog_returns(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))


def gif_frames(path):
    with Image.open(path) as im:
        return np.stack([np.asarray(im.seek(i) or im.convert("L")) for i in range(im.n_frames)])


def test_opens_with_a_preview_and_follows_another_run(window, qtbot, runs, tmp_path, monkeypatch):
    run_a, run_b = runs
    assert window.open_run(run_a)
    view = window.explorer.interpolation_view
    window.explorer.setCurrentIndex(2)
    # no keyframes yet: both panes show the preview between seeds 0 and 1, not black
    qtbot.waitUntil(lambda: view.previewing(), timeout=TIMEOUT)
    assert "preview between seeds 0 and 1" in view.hint.text() and "two or more" in view.hint.text()
    assert view.strip_item.image is not None and view.anim_item.image is not None
    assert view.current_picture() is None and view.animation_frames() is None  # nothing of the user's to export
    assert not view.export_animation(tmp_path / "none.gif") and not (tmp_path / "none.gif").exists()
    note = window.findChild(QLabel, "keyframeNote")
    assert "Nothing to animate yet" in note.text() and note.isVisible()

    view.add_seed(1)
    view.add_seed(2)
    window.explorer.latent_panel.seed_spin.setValue(7)
    window.explorer.latent_panel.set_offsets([0.0, 1.0])
    view.add_current()  # a latent of the 9-d model
    assert not note.isVisible()
    qtbot.waitUntil(lambda: view.animation_frames() is not None and not view.previewing(), timeout=TIMEOUT)
    assert view.animation_frames().shape == (16, 16, 16, 1)

    with qtbot.waitSignal(view.rendered, timeout=TIMEOUT):
        assert window.open_run(run_b)  # z 12: the seeds are drawn by it, the latent cannot fit
    assert view.state.snap.z_dim == 12
    assert [kf["seed"] for kf in view.keyframes] == [1, 2] and view.keyframe_list.count() == 2
    assert note.isVisible() and "Removed 1 keyframe" in note.text() and "takes 12" in note.text()
    assert "this generator takes" not in view.hint.text() and "16 frames" in view.hint.text()
    frames = view.animation_frames()
    assert frames is not None and frames.shape == (16, 16, 16, 1)
    assert view.current_picture() is not None

    # "Export animation..." at the default size: 16 px frames enlarged 8x, recorded in the recipe
    combo = window.findChild(QComboBox, "exportSizeCombo")
    assert combo.currentData() == 8 and "128 px" in combo.currentText()
    save_dialog_returns(monkeypatch, tmp_path / "walk.gif")
    assert view.export_animation()
    recipe = json.loads((tmp_path / "walk.gif.json").read_text())
    assert recipe["scale"] == 8 and recipe["z_dim"] == 12
    written = gif_frames(tmp_path / "walk.gif")  # (Pillow merges identical neighbouring frames)
    assert written.shape[1:] == (128, 128)
    big = np.repeat(np.repeat(frames[..., 0], 8, axis=1), 8, axis=2)
    assert np.array_equal(written[0], big[0]) and np.array_equal(written[-1], big[-1])  # nearest-neighbour
    again = explore.render_recipe(recipe)[..., 0]  # the recipe replays it
    assert np.array_equal(again, big)
    assert "Exported" in note.text() and "128 px" in note.text()
    combo.setCurrentIndex(combo.findData(2))
    assert view.export_animation(tmp_path / "small.gif")
    assert gif_frames(tmp_path / "small.gif").shape[1:] == (32, 32)
    assert json.loads((tmp_path / "small.gif.json").read_text())["scale"] == 2

    view.clear_keyframes()
    qtbot.waitUntil(lambda: view.previewing(), timeout=TIMEOUT)
    assert not view.export_animation(tmp_path / "empty.gif") and "Nothing to animate" in note.text()


def test_a_class_per_keyframe(window, qtbot, runs, tmp_path):
    run_a, _ = runs
    assert window.open_run(run_a)
    view = window.explorer.interpolation_view
    G = view.state.snap.G
    own = {s: int(G.labels(sample_z(1, 9, s))[0]) for s in range(40)}
    k = max(set(own.values()), key=list(own.values()).count)
    s1, s2 = [s for s in range(40) if own[s] == k][:2]
    view.add_seed(s1)
    view.add_seed(s2)
    recipe = view.strip_recipe()
    assert recipe["seeds"] == [s1, s2] and recipe["classes"] == [k, k]
    mix = explore.recipe_mix(recipe, G)
    assert torch.equal(mix, torch.nn.functional.one_hot(torch.full((16,), k), G.n_classes).float())  # no other class
    frames = explore.render_recipe(recipe, view.state.snap, animate=True)
    alone = explore.to_frames(generate(G, truncate(sample_z(1, 9, s1), view.state.psi)).numpy())
    assert np.array_equal(frames[0], alone[0])  # the first keyframe looks as its seed does alone

    # choose another class for the second keyframe in the combo beside the list
    combo = window.findChild(QComboBox, "keyframeClassCombo")
    other = (k + 3) % int(G.n_classes)
    view.keyframe_list.setCurrentRow(1)
    assert combo.isEnabled() and combo.currentData() is None  # its own class
    combo.setCurrentIndex(combo.findData(other))
    combo.activated.emit(combo.currentIndex())
    assert view.keyframes[1]["class"] == other and "→ class" in view.keyframe_list.item(1).text()
    recipe = view.strip_recipe()
    assert recipe["classes"] == [k, other] and recipe["seeds"] == [s1, s2]
    mix = explore.recipe_mix(recipe, G)
    assert set(torch.nonzero(mix.sum(0)).flatten().tolist()) == {k, other}  # blends only those two
    assert view.export_animation(tmp_path / "c.gif")
    saved = json.loads((tmp_path / "c.gif.json").read_text())
    assert saved["classes"] == [k, other] and saved["keyframes"][1]["class"] == other
    assert np.array_equal(explore.render_recipe(saved)[0, ..., 0], gif_frames(tmp_path / "c.gif")[0])
    view.set_keyframe_class(1, None)  # back to its own
    assert view.strip_recipe()["classes"] == [k, k] and "→" not in view.keyframe_list.item(1).text()
