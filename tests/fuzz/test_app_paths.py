"""The fuzz corpus through the app's own dialogs (issue 29): a run folder (its checkpoint,
config.json and metrics.jsonl), a directions file and an image to project, each opened with
the file dialog answering the corpus file (and a few seeded mutants of it). After each, the app
says what is wrong in a message (or loads the file) and stays usable: the last step opens a
good run and draws from its generator."""

from __future__ import annotations

import importlib.util
import random
import shutil
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QPushButton

from ganstudio.app.main_window import MainWindow
from ganstudio.cli import main

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import targets  # noqa: E402

MUTANTS = 2  # per corpus file: the seeds are valid files, their mutants mostly are not


def _mutate():
    spec = importlib.util.spec_from_file_location("fuzz_bench", HERE.parents[1] / "bench" / "fuzz.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.mutate


def samples(target: str, seed: int = 0) -> list[tuple[str, bytes]]:
    """(name, bytes): every corpus file of ``target`` and MUTANTS seeded mutants of each."""
    mutate, rng = _mutate(), random.Random(seed)
    files = targets.corpus_files(target)
    pool = [p.read_bytes() for p in files]
    out = []
    for p, data in zip(files, pool):
        out.append((p.name, data))
        out += [(f"{p.name}~{i}", mutate(rng, data, pool)) for i in range(MUTANTS)]
    return out


@pytest.fixture(scope="module")
def image_run(tmp_path_factory):
    """A tiny DCGAN on digits: a real run folder whose files the tests replace."""
    rd = tmp_path_factory.mktemp("paths") / "run"
    args = ["train", "--dataset", "digits", "--width", "4", "--steps", "4", "--eval-every", "0", "--run-dir", str(rd)]
    assert main([*args, "--checkpoint-every", "4", "--sample-every", "4"]) == 0
    return rd


@pytest.fixture
def window(qtbot, monkeypatch):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    shown: list[str] = []
    # what the user is told: each message box's text is also the status line's message
    w.statusBar().messageChanged.connect(lambda t: t and shown.append(t))
    w.shown = shown
    yield w
    w.explorer.shutdown()


def answer(monkeypatch, path: Path) -> None:
    """Every file dialog of the app answers ``path``."""
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(path)))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def open_run_via_menu(window) -> None:
    window.findChild(QAction, "openRunAction").trigger()
    box = getattr(window, "error_box", None)
    if box is not None:  # non-modal; closed so that a hundred of them do not pile up
        box.close()


def open_good_run(window, qtbot, run: Path, monkeypatch):
    """Open ``run`` through File > Open run and wait until its generator draws in the Latent
    tab (after the bad files: the app is still usable); returns the Latent panel."""
    answer(monkeypatch, run)
    open_run_via_menu(window)
    window.explorer.setCurrentIndex(1)
    panel = window.explorer.latent_panel
    qtbot.waitUntil(lambda: panel.state.snap is not None, timeout=30_000)
    return panel


@pytest.mark.parametrize("part", ["checkpoint", "config_json", "jsonl"])
def test_bad_run_files_through_open_run(window, qtbot, image_run, tmp_path, monkeypatch, part):
    target = {"checkpoint": "checkpoint", "config_json": "config_json", "jsonl": "jsonl"}[part]
    for i, (name, data) in enumerate(samples(target)):
        run = tmp_path / f"run{i}"
        shutil.copytree(image_run, run)
        if part == "checkpoint":
            [latest] = sorted((run / "checkpoints").glob("step_*.safetensors"))[-1:]
            latest.write_bytes(data)
        elif part == "config_json":
            (run / "config.json").write_bytes(data)
        else:
            (run / "metrics.jsonl").write_bytes(data)
        answer(monkeypatch, run)
        before = len(window.shown)
        open_run_via_menu(window)
        qtbot.wait(20)
        if not window.session.run_path or Path(window.session.run_path) != run:
            assert len(window.shown) > before, f"{name}: refused without a word"
    open_good_run(window, qtbot, image_run, monkeypatch)


def test_bad_directions_files_through_load_directions(window, qtbot, image_run, tmp_path, monkeypatch):
    panel = open_good_run(window, qtbot, image_run, monkeypatch)
    sliders = panel.directions_box
    messages: list[str] = []
    sliders.message.connect(messages.append)
    for i, (name, data) in enumerate(samples("directions")):
        path = tmp_path / f"dirs{i}.json"
        path.write_bytes(data)
        answer(monkeypatch, path)
        before = len(messages)
        combo = sliders.directions_combo
        combo.setCurrentIndex(2)  # "From file...", chosen as a user does; the dialog answers path
        combo.activated.emit(2)
        loaded = sliders.state.directions_file == str(path)
        assert loaded or len(messages) > before, f"{name}: neither loaded nor refused with a message"
    open_good_run(window, qtbot, image_run, monkeypatch)


def test_bad_images_through_project(window, qtbot, image_run, tmp_path, monkeypatch):
    panel = open_good_run(window, qtbot, image_run, monkeypatch)
    messages: list[str] = []
    panel.message.connect(messages.append)
    box = panel.find_box
    box.source.setCurrentIndex(box.source.findText(_file_choice()))
    button = window.findChild(QPushButton, "projectButton")
    for i, (name, data) in enumerate(samples("image")):
        path = tmp_path / f"img{i}-{name.replace('~', '_')}"
        path.write_bytes(data)
        answer(monkeypatch, path)
        before = len(messages)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        if panel.finder.projecting():  # a readable image: projecting; stop it (the same button)
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: not panel.finder.projecting(), timeout=30_000)
        else:
            assert len(messages) > before, f"{name}: neither projected nor refused with a message"
            assert path.name in messages[-1], messages[-1]
    open_good_run(window, qtbot, image_run, monkeypatch)


def _file_choice() -> str:
    from ganstudio.app.panels.find_views import FILE

    return FILE


@pytest.mark.parametrize("target", ["recipe", "z_json"])
def test_bad_recipes_through_open_recipe(window, qtbot, image_run, tmp_path, monkeypatch, target):
    open_good_run(window, qtbot, image_run, monkeypatch)
    action = window.findChild(QAction, "openRecipeAction")
    for i, (name, data) in enumerate(samples(target)):
        path = tmp_path / f"r{i}.json"
        path.write_bytes(data)
        answer(monkeypatch, path)
        before = len(window.shown)
        action.trigger()
        box = getattr(window, "error_box", None)
        if box is not None:
            box.close()
        assert len(window.shown) > before, f"{name}: neither opened nor refused with a message"
        assert path.name in window.shown[-1], window.shown[-1]
    open_good_run(window, qtbot, image_run, monkeypatch)
