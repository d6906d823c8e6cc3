"""Real (labelled) data in the app: defaults chosen from the data, named datasets in the list,
the Latent tab's class box, one class per row in the Samples tab, and the quality feature net
trained in the background while training runs. Tiny datasets are written on the fly."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QPushButton

from ganstudio import config, explore
from ganstudio.app import MainWindow
from ganstudio.app.run_controls import OPEN_FOLDER
from ganstudio.app.latent_state import TICKS
from ganstudio.app.panels.samples import CLASS_COLUMNS
from ganstudio.config import TrainConfig
from ganstudio.data import named
from ganstudio.metrics import features
from ganstudio.training import Trainer, prepare

TIMEOUT = 60_000
NAMES = ("circle", "cross", "square")


# ----------------------------------------------------------------------------- data
def class_images(classes: int = 3, per: int = 80, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) uint8 images of ``classes`` easy patterns, and their (N,) labels."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(classes), per))
    x = rng.integers(0, 40, (len(y), 28, 28)).astype(np.uint8)
    for img, k in zip(x, y):
        if k == 0:
            img[12:16, 4:24] = 230  # a horizontal bar
        elif k == 1:
            img[4:24, 12:16] = 230  # a vertical bar
        elif k == 2:
            img[5:23, 5:8] = img[5:23, 20:23] = img[5:8, 5:23] = img[20:23, 5:23] = 230  # a box
        else:
            for d in range(-1, 2):
                np.fill_diagonal(img[max(d, 0) :, max(-d, 0) :], 230)  # a diagonal
        img[:] = np.roll(img, tuple(rng.integers(-2, 3, 2)), axis=(0, 1))
    return x, y.astype(np.int64)


def write_npz(folder, classes: int = 3) -> str:
    x, y = class_images(classes)
    path = folder / "labelled.npz"
    np.savez(path, x=x, y=y)
    return f"npz:{path}"


def write_idx(folder, classes: int = 3) -> str:
    def idx(path, arr: np.ndarray) -> None:
        head = bytes([0, 0, 0x08, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
        path.write_bytes(head + np.ascontiguousarray(arr, dtype=np.uint8).tobytes())

    x, y = class_images(classes)
    (folder / "idx").mkdir()
    idx(folder / "idx" / "train-images-idx3-ubyte", x)
    idx(folder / "idx" / "train-labels-idx1-ubyte", y.astype(np.uint8))
    return f"idx:{folder / 'idx' / 'train-images-idx3-ubyte'}"


def write_class_folder(folder, names=NAMES, per: int = 60) -> str:
    """A folder with a sub-folder (a class) per name, PNGs inside."""
    x, y = class_images(len(names), per)
    root = folder / "classes"
    for i, (img, k) in enumerate(zip(x, y)):
        sub = root / names[k]
        sub.mkdir(parents=True, exist_ok=True)
        Image.fromarray(img).save(sub / f"{i:04d}.png")
    return f"folder:{root}"


@pytest.fixture
def quick_images(monkeypatch):
    """Generic image defaults made quick for tests: narrow models, no evaluations."""
    monkeypatch.setitem(config.DATASET_DEFAULTS["image"], "width", 8)
    monkeypatch.setitem(config.DATASET_DEFAULTS["image"], "eval_every", 0)


@pytest.fixture(scope="module")
def class_run(tmp_path_factory):
    """A short conditional run on a folder of 3 named classes (trained by the engine)."""
    tmp = tmp_path_factory.mktemp("classes")
    cfg, ds = prepare(
        TrainConfig(dataset=write_class_folder(tmp), width=8, steps=20, sample_every=10, eval_every=0, device="cpu")
    )
    assert cfg.conditional and cfg.class_names == list(NAMES) and cfg.image_size == 28
    tr = Trainer(cfg, dataset=ds, run_dir=tmp / "run")
    for _ in tr.run():
        pass
    return tmp / "run"


@pytest.fixture(scope="module")
def ring_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ring")
    tr = Trainer(TrainConfig(dataset="ring8", steps=10, eval_every=0, device="cpu"), run_dir=tmp / "run")
    for _ in tr.run():
        pass
    return tmp / "run"


def click(qtbot, w, name, kind=QPushButton):
    qtbot.mouseClick(w.findChild(kind, name), Qt.MouseButton.LeftButton)


def labels_of(panel) -> int:
    """The class the Latent tab's generator draws for the latent on screen."""
    return int(panel.snap.G.labels(panel.current_latent()[None])[0])


# ----------------------------------------------------------------------------- setup
@pytest.mark.parametrize("write", [write_npz, write_idx], ids=["npz", "idx"])
def test_setup_auto_fields_resolve_from_the_data_and_say_why(window, qtbot, tmp_path, quick_images, write):
    window._add_dataset(write(tmp_path))
    assert window.image_size.currentText() == "auto" and window.z_dim.text() == "auto"
    asked = window.config_from_controls()
    assert asked.image_size is None and asked.z_dim is None and asked.batch_size is None and asked.loss is None
    label = window.findChild(QLabel, "choicesLabel")
    assert "auto" in label.text()  # says the data decides once it loads
    window.steps.setValue(20)  # changed from the default: sent as is
    assert window.config_from_controls().steps == 20
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT) as done:
        click(qtbot, window, "trainButton")
    assert done.args == ["steps"]
    text = label.text()
    assert text.startswith("chosen from the data:") and label.isVisible() and label.wordWrap()
    assert "28x28 (the data's own size)" in text and "conditional on its 3 labelled classes" in text
    assert "z 33" in text and "hinge loss" in text
    # the resolved values are back in the controls
    assert window.image_size.currentText() == "28" and window.z_dim.value() == 33
    assert window.batch_size.value() == 64 and window.loss_combo.currentText() == "hinge"
    saved = json.loads((window.run_path / "config.json").read_text())
    assert saved["image_size"] == 28 and saved["conditional"] and saved["n_classes"] == 3 and saved["steps"] == 20

    # Train again: the same run continues (its settings are explicit in the controls now)
    window.steps.setValue(30)
    run = window.run_path
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT):
        click(qtbot, window, "trainButton")
    assert (
        window.run_path == run
        and window.resumed_from is not None
        and window.resumed_from.name == "step_0000020.safetensors"
    )
    assert "Continuing" in label.text()
    assert (run / "checkpoints" / "step_0000030.safetensors").exists()


def test_named_datasets_follow_the_builtins_when_their_files_exist(qtbot, monkeypatch, quick_images):
    monkeypatch.setattr(named, "available", lambda: ["mnist"])
    w = MainWindow()
    qtbot.addWidget(w)
    combo = w.findChild(QComboBox, "datasetCombo")
    items = [combo.itemText(i) for i in range(combo.count())]
    assert items[items.index("shapes") + 1] == "mnist" and items[items.index("mnist") + 1] == OPEN_FOLDER
    assert "fashion-mnist" not in items  # not on this (pretend) machine
    combo.setCurrentText("mnist")  # generic image defaults: no KeyError, the data's own size
    assert w.image_size.currentText() == "auto" and w.z_dim.text() == "auto"
    assert w.model_combo.currentText() == "dcgan" and w.loss_combo.currentText() == "hinge"
    combo.setCurrentText("digits")  # built-ins keep their fixed sizes
    assert w.image_size.currentText() == "16" and w.z_dim.value() == 9
    assert w.config_from_controls().image_size is None  # still its default: the engine's 16
    w.image_size.setCurrentText("32")
    assert w.config_from_controls().image_size == 32
    w.close()


# ----------------------------------------------------------------------------- latent tab
def test_class_box_picks_the_class_and_follows_slider_0(window, qtbot, class_run, tmp_path):
    assert window.open_run(class_run)
    window.explorer.setCurrentIndex(1)
    panel = window.explorer.latent_panel
    combo = window.findChild(QComboBox, "classCombo")
    slider0 = panel.sliders[0]
    assert combo.isVisible() and combo.isEnabled()
    assert [combo.itemText(i) for i in range(combo.count())] == list(NAMES)
    assert combo.currentIndex() == labels_of(panel)  # shows the class on screen from the start

    # a real key press on the box: the next class
    start = combo.currentIndex()
    target = (start + 1) % 3
    combo.setFocus()
    with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
        qtbot.keyClick(combo, Qt.Key.Key_Down if target > start else Qt.Key.Key_Home)
    assert combo.currentIndex() == target and labels_of(panel) == target
    for k in (2, 0, 1):
        with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
            combo.setCurrentIndex(k)
            combo.activated.emit(k)  # what a user's pick emits
        assert labels_of(panel) == k and combo.currentIndex() == k
        # raw coordinates: slider 0 itself moved to the class's centre (offset from the seed's z[0])
        z0 = float(explore.compose(panel.z_dim, panel.seed(), [], None)[0])
        centre = float(panel.snap.G.class_centres()[k])
        assert slider0.value() == round((centre - z0) * TICKS) and panel.class_override() is None
        assert panel.slider_values[0].text().endswith(f"→ {NAMES[k]}")  # the class by name (issue 28)

    # moving slider 0 (a real key press) shows the class it lands on
    centres = panel.snap.G.class_centres()
    z0 = float(explore.compose(panel.z_dim, panel.seed(), [], None)[0])
    for k in (0, 2):
        with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
            slider0.setValue(round((float(centres[k]) - z0) * TICKS))
        assert combo.currentIndex() == k == labels_of(panel)
    slider0.setFocus()
    for _ in range(6):
        with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
            qtbot.keyClick(slider0, Qt.Key.Key_PageDown)
        assert combo.currentIndex() == labels_of(panel)

    # truncation moves z[0] too: the box keeps telling the class on screen; picking one solves for psi
    with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
        panel.psi_slider.setValue(50)
    assert combo.currentIndex() == labels_of(panel)
    with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
        combo.setCurrentIndex(2)
        combo.activated.emit(2)
    assert labels_of(panel) == 2
    ticks = round((float(centres[2]) / 0.5 - z0) * TICKS)  # z[0] on screen = psi * (z0 + slider 0)
    if abs(ticks) <= slider0.maximum():
        assert slider0.value() == ticks and panel.class_override() is None
    else:  # beyond slider 0's reach: the class is set on the latent itself
        assert panel.class_override() == 2
    with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
        panel.psi_slider.setValue(100)

    # principal directions: no slider is z[0], so the class is set on the latent itself
    with qtbot.waitSignal(panel.directions_changed, timeout=TIMEOUT):
        panel.directions_combo.setCurrentText("Principal (PCA)")
        panel.directions_combo.activated.emit(1)
    panel.wait_background()
    qtbot.waitUntil(lambda: panel.directions_source == "principal", timeout=TIMEOUT)
    assert labels_of(panel) == 2 == combo.currentIndex()  # the chosen class held
    with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
        combo.setCurrentIndex(1)
        combo.activated.emit(1)
    assert panel.class_override() == 1 and labels_of(panel) == 1
    for v in (300, -300):  # the principal sliders and psi change the style, not the class
        with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
            slider0.setValue(v)
        assert labels_of(panel) == 1 == combo.currentIndex()
    with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
        panel.psi_slider.setValue(20)
    assert labels_of(panel) == 1 == combo.currentIndex()
    # "Add current latent" in the Interpolation tab keeps the class
    view = window.explorer.interpolation_view
    view.add_current()
    assert view.keyframe_list.item(view.keyframe_list.count() - 1).text().endswith("class cross)")
    assert view.keyframes[-1]["z"][0] == pytest.approx(float(panel.snap.G.class_centres()[1]))
    # the export's recipe records the class and re-renders the same pixels
    out = tmp_path / "class.png"
    assert panel.export_preview(out)
    recipe = json.loads((tmp_path / "class.png.json").read_text())
    assert recipe["class"] == 1
    assert np.array_equal(explore.render_recipe(recipe), panel.current_image())
    # Reset: the seed's own latent and its own class again
    with qtbot.waitSignal(panel.preview_updated, timeout=TIMEOUT):
        click(qtbot, window, "resetLatentButton")
    assert panel.class_override() is None and combo.currentIndex() == labels_of(panel)


def test_class_box_and_class_rows_are_off_for_unconditional_generators(window, qtbot, ring_run):
    assert window.open_run(ring_run)
    window.explorer.setCurrentIndex(1)
    assert not window.findChild(QComboBox, "classCombo").isVisible()
    window.explorer.setCurrentIndex(0)
    check = window.findChild(QCheckBox, "classRowsCheck")
    assert not check.isEnabled() and not window.sample_panel.class_rows()


# ----------------------------------------------------------------------------- samples tab
def test_one_class_per_row(window, qtbot, class_run):
    assert window.open_run(class_run)
    panel = window.sample_panel
    check = window.findChild(QCheckBox, "classRowsCheck")
    assert check.isVisible() and check.isEnabled() and not check.isChecked()
    timeline_grid = panel.current_image().copy()
    with qtbot.waitSignal(panel.class_rows_rendered, timeout=TIMEOUT):
        qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
    grid = panel.current_image()
    assert grid.shape == (2 + 3 * (28 + 2), 2 + CLASS_COLUMNS * (28 + 2))  # 3 rows of 8, grey
    assert not panel.timeline.isEnabled() and panel.current_step() == 20
    ticks = panel.row_axis._tickLevels[0]
    assert [name for _, name in ticks] == list(NAMES) and [y for y, _ in ticks] == [16.0, 46.0, 76.0]
    assert panel.row_axis.isVisible()
    # row k is class k: each tile classifies as its row's class under the generator's own rule
    G = window.explorer.latent_panel.snap.G
    z = panel.class_latents(G.z_dim)
    from ganstudio.latent import with_class

    for k in range(3):
        assert (G.labels(with_class(z, G, k)) == k).all()
        x = explore.to_frames(explore.generate(G, with_class(z, G, k)).detach().numpy())
        assert np.array_equal(grid[2 + 30 * k : 30 + 30 * k, 2:30], x[0, :, :, 0])
    # a fresh generator re-renders (the same latents: same picture for the same weights)
    with qtbot.waitSignal(panel.class_rows_rendered, timeout=TIMEOUT):
        window.explorer.latent_panel.set_generator(window.explorer.latent_panel.snap)
    assert np.array_equal(panel.current_image(), grid)
    with qtbot.waitSignal(check.toggled, timeout=TIMEOUT):
        qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
    assert np.array_equal(panel.current_image(), timeline_grid) and not panel.row_axis.isVisible()
    assert panel.current_step() == 20 and panel.timeline.isEnabled()


def test_class_rows_follow_training_live(window, qtbot, tmp_path, quick_images):
    window._add_dataset(write_npz(tmp_path, classes=4))
    window.steps.setValue(10**6)
    window.explorer._timer.setInterval(200)  # fresh copies of G often (3 s in the app)
    click(qtbot, window, "trainButton")
    panel = window.sample_panel
    check = window.findChild(QCheckBox, "classRowsCheck")
    qtbot.waitUntil(lambda: check.isEnabled(), timeout=TIMEOUT)  # the first copy of G is conditional
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.class_rows() and panel.current_image() is not None, timeout=TIMEOUT)
    assert panel.current_image().shape[0] == 2 + 4 * 30  # 4 classes, 4 rows
    first = panel.current_step()
    qtbot.waitUntil(lambda: panel.current_step() > first + 10, timeout=TIMEOUT)  # new snapshots, new rows
    frames = panel.frame_count()
    qtbot.waitUntil(lambda: panel.frame_count() > frames, timeout=TIMEOUT)  # the timeline still grows behind
    assert panel.current_image().shape[0] == 2 + 4 * 30
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT):
        click(qtbot, window, "stopButton")
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
    assert panel.current_image().shape[0] == 2 + 8 * 30  # the timeline's 64 samples, 8 x 8


# ----------------------------------------------------------------------------- feature net
@pytest.fixture
def gated_feature_net(monkeypatch, tmp_path):
    """The feature net's training, held until the test lets it go (its progress reported all
    the while), on a fresh cache; evaluations every 20 steps on 100 samples."""
    monkeypatch.setenv("GANSTUDIO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setitem(config.DATASET_DEFAULTS["image"], "width", 8)
    monkeypatch.setitem(config.DATASET_DEFAULTS["image"], "eval_every", 20)
    monkeypatch.setitem(config.DATASET_DEFAULTS["image"], "eval_n", 100)
    monkeypatch.setattr(features, "MIN_UPDATES", 40)
    gate = threading.Event()
    real = features._train
    state = {"fail": None}

    def held(data, labels, n_classes, seed, device, budget_s, progress=None):
        done = 0
        while not gate.is_set():
            progress(done, 400)
            done = min(done + 25, 375)
            time.sleep(0.02)
        if state["fail"]:
            raise RuntimeError(state["fail"])
        return real(data, labels, n_classes, seed, device, budget_s, progress)

    monkeypatch.setattr(features, "_train", held)
    return gate, state


def test_feature_net_trains_in_the_background_while_training_runs(window, qtbot, tmp_path, gated_feature_net):
    gate, _ = gated_feature_net
    window._add_dataset(write_npz(tmp_path))
    window.steps.setValue(10**6)
    click(qtbot, window, "trainButton")
    quality = window.quality_panel
    qtbot.waitUntil(lambda: "Training the quality feature net:" in quality.status_text(), timeout=TIMEOUT)
    assert "/ 400 updates" in quality.status_text()
    tr = window.worker.trainer
    assert tr.eval_in_background and not tr.evaluator.ready
    qtbot.waitUntil(lambda: tr.step_count >= 70, timeout=TIMEOUT)  # training did not wait for it...
    assert len(quality.history) == 0 and not tr.evaluator.ready  # ...and skipped the evaluations due meanwhile
    with qtbot.waitSignal(window.worker.eval_ready, timeout=TIMEOUT):
        gate.set()
    qtbot.waitUntil(lambda: len(quality.history) >= 1, timeout=TIMEOUT)  # evaluations start
    assert quality.status_text() == ""  # the evaluations speak for themselves now
    assert features.is_cached(tr.dataset.data, tr.dataset.labels)  # and the next run on this data loads it
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT):
        click(qtbot, window, "stopButton")


def test_closing_while_the_feature_net_trains_does_not_wait_for_it(qtbot, tmp_path, gated_feature_net):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w._add_dataset(write_npz(tmp_path))
    w.steps.setValue(10**6)
    click(qtbot, w, "trainButton")
    qtbot.waitUntil(lambda: "Training the quality feature net" in w.quality_panel.status_text(), timeout=TIMEOUT)
    helper = w.worker.eval_thread
    assert helper.is_alive() and helper.daemon
    t0 = time.perf_counter()
    w.close()  # the gate stays shut: the feature net would never finish
    assert time.perf_counter() - t0 < 2.0 and w.thread is None and not w.isVisible()
    qtbot.waitUntil(lambda: not helper.is_alive(), timeout=5000)  # cancelled at its next progress report


def test_a_feature_net_failure_is_shown_and_training_goes_on(window, qtbot, tmp_path, gated_feature_net):
    gate, state = gated_feature_net
    state["fail"] = "out of feature-net memory"
    window._add_dataset(write_npz(tmp_path))
    window.steps.setValue(10**6)
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: "Training the quality feature net" in window.quality_panel.status_text(), timeout=TIMEOUT)
    with qtbot.waitSignal(window.worker.eval_failed, timeout=TIMEOUT):
        gate.set()
    qtbot.waitUntil(lambda: "out of feature-net memory" in window.quality_panel.status_text(), timeout=TIMEOUT)
    assert window.error_box.isVisible() and "out of feature-net memory" in window.error_box.text()
    assert "RuntimeError" in window.error_box.detailedText()
    tr = window.worker.trainer
    step = tr.step_count
    qtbot.waitUntil(lambda: tr.step_count > step + 30, timeout=TIMEOUT)  # training goes on
    assert window.state == "running" and len(window.quality_panel.history) == 0
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT):
        click(qtbot, window, "stopButton")
