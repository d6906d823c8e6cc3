"""File > Export dataset...: a real tiny run opened in the window, exported from the dialog in
its background thread, cancelled, refused; the Quality panel's utility table."""

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt


@pytest.fixture(scope="module")
def cond_run(tmp_path_factory, train_run):
    return train_run(tmp_path_factory.mktemp("export") / "run", dataset="digits", conditional=True)


def open_dialog(window, run):
    assert window.open_run(run)
    action = window.findChild(type(window.menuBar().actions()[0].menu().actions()[0]), "exportDatasetAction")
    action.trigger()
    dialog = window._export_dataset_dialog
    assert dialog.isVisible() and run.name in dialog.source.text()
    return dialog


def test_export_from_the_dialog_writes_the_set(window, qtbot, cond_run, tmp_path):
    d = open_dialog(window, cond_run)
    d.per_class.setValue(2)
    d.format.setCurrentIndex(d.format.findData("npz"))
    assert d.filter.text() == "off" and d.label_by.currentData() == "features"  # the defaults
    assert d.balance.currentData() == "hard"
    # a 4-step G draws noise the classifier would not name as every class: the classes it was asked
    # for, the same count of each
    d.label_by.setCurrentIndex(d.label_by.findData("generator"))
    d.balance.setCurrentIndex(d.balance.findData("equal"))
    d.out.setText(str(tmp_path / "set"))
    qtbot.mouseClick(d.export_button, Qt.MouseButton.LeftButton)
    assert not d.export_button.isEnabled() and d.cancel_button.isEnabled()
    with qtbot.waitSignal(d.job.finished, timeout=120_000):
        pass
    with np.load(tmp_path / "set" / "data.npz") as z:
        assert z["x"].shape == (20, 1, 16, 16) and np.bincount(z["y"]).tolist() == [2] * 10
    manifest = json.loads((tmp_path / "set" / "manifest.json").read_text())
    assert manifest["format"] == "npz" and manifest["labels"] == "generator's classes"
    assert manifest["balance"] == "equal"
    assert d.message.text().startswith("Wrote") and d.export_button.isEnabled()
    assert d.bar.value() == d.bar.maximum()


def test_cancel_leaves_nothing_and_an_existing_folder_is_refused(window, qtbot, cond_run, tmp_path):
    d = open_dialog(window, cond_run)
    d.per_class.setValue(100_000)  # a million images: seconds to draw, so Cancel comes first
    d.label_by.setCurrentIndex(d.label_by.findData("generator"))
    d.balance.setCurrentIndex(d.balance.findData("equal"))
    d.out.setText(str(tmp_path / "big"))
    qtbot.mouseClick(d.export_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(d.cancel_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(d.job.finished, timeout=120_000):
        pass
    assert d.message.text() == "Cancelled; nothing was left behind."
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "taken").mkdir()
    d.out.setText(str(tmp_path / "taken"))
    job = d.job
    qtbot.mouseClick(d.export_button, Qt.MouseButton.LeftButton)
    assert d.job is job and "exists" in d.message.text()  # refused before any thread starts
    d.close()


def utility_result(near: int) -> dict:
    return {
        "step": 4339,
        "held_out": "the test files (t10k-images-idx3-ubyte.gz)",
        "class_names": ["T-shirt/top", "Shirt"],
        "cas": {
            "cas": 0.811,
            "n_synthetic": 60000,
            "n_real": 60000,
            "n_test": 10000,
            "real": {"accuracy": 0.909},
            "synthetic": {"per_class": [0.8, 0.41]},
        },
        "augmentation_best": {"600": {"alone": 0.70, "best_ratio": 2.0, "best": 0.74, "gain": 0.04}},
        "leakage": {"n": 1000, "near_copies": near, "pixels": {"ratio": 0.92}, "memorized": 28.0},
    }


def test_the_quality_panel_shows_utility_as_a_table_with_a_verdict(window, cond_run):
    panel = window.quality_panel
    assert not panel.utility.isVisibleTo(window)
    (cond_run / "utility.json").write_text(json.dumps(utility_result(0)))
    try:
        assert window.open_run(cond_run)
    finally:
        (cond_run / "utility.json").unlink()
    assert panel.utility.isVisibleTo(window)
    cells = {
        panel.utility.table.item(r, 0).text(): panel.utility.table.item(r, 1).text()
        for r in range(panel.utility.table.rowCount())
    }
    assert cells["CAS / the same CNN on 60000 real images"] == "0.811 / 0.909"
    assert cells["Worst class"] == "Shirt 0.41"
    assert cells["600 real images, with synthetic"] == "0.700 -> 0.740 at 2x"
    assert cells["Near-copies (distance to training / to unseen images)"] == "0 / 1,000 (0.92x)"
    assert panel.utility.verdict.text() == "No near-copies of training images among 1000 samples."
    panel.show_utility(utility_result(37))
    assert panel.utility.verdict.text() == "37 near-copies: the generator memorises training images."
    panel.show_utility({"cas": "garbled"})  # a hand-edited file: hidden, no traceback
    assert not panel.utility.isVisibleTo(window)
