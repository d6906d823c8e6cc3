"""The app in Chinese (issue 32): every visible text of the window in zh_CN, switching live
while a run trains and back, the engine's words where the app shows them, choosing the language."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressBar,
    QTabWidget,
    QWidget,
)

from ganstudio.app import i18n
from ganstudio.app.engine_text import engine_text, translated_alarm
from ganstudio.errors import GanstudioError
from ganstudio.health import HealthMonitor

# What may stay as it is in a Chinese window: names (of the app, formats, losses, models, tools,
# symbols), units and data (datasets, numbers, paths). Anything else in Latin letters is English.
EXCEPTIONS = {
    "ganstudio", "Adam", "EMA", "PCA", "GANSpace", "TensorBoard", "GIF", "PNG", "MP4", "JSON", "IDX", "NaN", "FCD",
    "JS",
    "English", "psi", "slerp", "lerp", "px", "fps", "sd", "ETA", "RUN", "pip", "install", "tensorboard",
    "digits", "ring8", "dcgan", "mlp", "hinge", "wgan", "gp", "lsgan", "minimax", "ns", "cpu", "cuda", "mps", "auto",
    "fashion", "mnist", "utility", "interpolate", "inpaint", "seeds", "augment", "translation", "cutout", "npz", "npy",
    "ubyte", "gz", "idx", "json", "safetensors", "checkpoints", "best", "directions", "imageio", "ffmpeg",
}  # fmt: skip
# Files another agent (B: the synthetic-dataset work) still changes: their widgets are listed, not
# judged, until their strings settle. TODO(lead): empty this once B's entries are final.
OTHERS: tuple[str, ...] = ()
WORD = re.compile(r"[A-Za-z][A-Za-z']{2,}")


def english(text: str) -> list[str]:
    """The English words in ``text`` (file names, paths and exceptions removed)."""
    text = re.sub(r"\S*[/\\.]\S*", " ", text)  # paths, file names, versions
    text = re.sub(r"\b[DG]\([^)]*\)", " ", text)  # D(x), D(G(z)): formulas
    return [w for w in WORD.findall(text) if w not in EXCEPTIONS and w.lower() not in EXCEPTIONS]


def owner(w: QWidget) -> str | None:
    """The module of another agent's that built ``w`` (or an ancestor), if any."""
    while w is not None:
        # (their ElidedLabel is a helper every panel uses, not a widget of theirs)
        if type(w).__module__.startswith(OTHERS) and type(w).__name__ != "ElidedLabel":
            return type(w).__module__
        w = w.parentWidget()
    return None


def texts(window) -> tuple[dict[str, str], list[str]]:
    """Every text a user can see in the window (widgets shown, tab titles and tips, menus and
    their actions, plot axes and legends): {where: text}; and the objectNames of other agents'
    widgets that were skipped."""
    out: dict[str, str] = {}
    skipped: list[str] = []

    def put(where: str, text: str) -> None:
        if text and text.strip():
            out[where] = text

    for w in window.findChildren(QWidget):
        if not w.isVisibleTo(window) and not isinstance(w, QMenu):
            continue
        name = f"{type(w).__name__}#{w.objectName() or id(w)}"
        if owner(w):
            if w.objectName():
                skipped.append(w.objectName())
            continue
        put(name + ".tip", w.toolTip())
        if isinstance(w, QLabel):
            put(name, w.text())
        elif isinstance(w, QAbstractButton):
            put(name, w.text())
        elif isinstance(w, QGroupBox):
            put(name, w.title())
        elif isinstance(w, QLineEdit):
            put(name + ".placeholder", w.placeholderText())
        elif isinstance(w, QProgressBar):
            put(name, w.format())
        elif isinstance(w, QComboBox):  # its current item (names of datasets, classes... are data)
            put(name, w.currentText())
            put(name + ".placeholder", w.placeholderText() if w.currentIndex() < 0 else "")
        elif isinstance(w, QAbstractSpinBox) and w.specialValueText() and w.text() == w.specialValueText():
            put(name, w.text())
        elif isinstance(w, QTabWidget):
            for i in range(w.count()):
                put(f"{name}.tab{i}", w.tabText(i))
                put(f"{name}.tab{i}.tip", w.tabToolTip(i))
        elif isinstance(w, QMenu):
            put(name, w.title())
            for a in w.actions():
                put(f"{name}/{a.objectName() or a.text()}", a.text())
    for a in window.menuBar().actions():
        put(f"menubar/{a.menu().objectName()}", a.text())
    for panel in (window.loss_panel.plot, window.loss_panel.prob_plot):
        for side in ("left", "bottom"):
            put(f"{panel.objectName()}.{side}", panel.getAxis(side).labelText)
        for sample, label in panel.getPlotItem().legend.items:
            put(f"{panel.objectName()}.legend.{label.text}", label.text)
    return out, sorted(set(skipped))


@pytest.fixture
def chinese(qapp):
    """zh_CN installed for the test (and the language the test found put back after it)."""
    lang = i18n.Language.of(qapp)
    before = lang.current
    lang.set("zh_CN")
    yield lang
    lang.set(before)


def test_the_window_in_chinese_shows_no_english_but_names_units_and_data(chinese, window, qtbot):
    found, skipped = texts(window)
    for i in range(window.explorer.count()):  # every tab, as a user clicks through them
        window.explorer.setCurrentIndex(i)
        qtbot.wait(10)
        more, also = texts(window)
        found.update(more)
        skipped += also
    window._warn(lambda: window.tr("Stop training before opening another run."))  # a dialog, non-blocking
    box = window.error_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    found["dialog.text"] = box.text()
    found["dialog.ok"] = box.button(QMessageBox.StandardButton.Ok).text()  # Qt's own catalogue: 确定
    box.close()
    bad = {where: english(text) for where, text in found.items() if english(text)}
    assert not bad, f"English in the Chinese window: {bad}"
    assert "训练" in found["QPushButton#trainButton"] and found["dialog.ok"] != "OK"
    assert len(found) > 60  # the walk saw the window, not an empty shell
    print("skipped (other agents' widgets, TODO lead):", sorted(set(skipped)))


def test_restore_mode_in_chinese_shows_no_english(chinese, window, qtbot, train_run, tmp_path):
    """The Latent tab's Restore mode with a run open: its box, the image named in its line, and
    the mask check that refuses a fill (an empty mask), all in Chinese."""
    run = train_run(tmp_path / "digits", dataset="digits", width=4, steps=4)
    assert window.open_run(run)
    window.explorer.setCurrentIndex(1)
    panel = window.explorer.latent_panel
    qtbot.waitUntil(lambda: panel.snap is not None, timeout=60000)
    qtbot.mouseClick(window.findChild(QAbstractButton, "inpaintButton"), Qt.MouseButton.LeftButton)
    box = window.findChild(QGroupBox, "restoreBox")
    assert box.isVisible()
    side = panel.find
    image = np.zeros(panel.snap.sample_shape, np.float32)
    # a file's image, named as the Latent tab names it: the restore line shows just its name
    assert panel.project_image(image, side.tr("projection of {}").format("my one.png"))
    line = window.findChild(QLabel, "restoreLabel")
    assert line.text().startswith("正在修复 my one.png：") and "投影" not in line.text()
    found, skipped = texts(window)
    combo = window.findChild(QComboBox, "maskCombo")
    for i in range(combo.count()):
        found[f"maskCombo.{i}"] = combo.itemText(i)
    found["maskBrushSpin.prefix"] = window.findChild(QAbstractSpinBox, "maskBrushSpin").prefix()
    combo.setCurrentIndex(3)  # Clear: nothing to fill
    combo.activated.emit(3)
    qtbot.mouseClick(window.findChild(QAbstractButton, "fillButton"), Qt.MouseButton.LeftButton)
    assert "掩码" in line.text() and not side.finder.inpainting()
    found["restoreLabel.refused"] = line.text()
    bad = {where: english(text) for where, text in found.items() if english(text)}
    assert not bad, f"English in Restore mode: {bad}"
    seen = {k.split("#", 1)[1].split(".")[0] for k in found if "#" in k}
    assert {"restoreBox", "maskCanvas", "fillButton", "maskBrushSpin", "inpaintButton"} <= seen


def test_switching_live_while_training_changes_every_text_and_back(window, qtbot, qapp):
    language = i18n.Language.of(qapp)
    assert language.current == "en"
    window.session.choose_dataset("digits")
    window.steps.setValue(100000)
    window.train()
    qtbot.waitUntil(lambda: window.worker is not None and window.worker.trainer is not None, timeout=60000)
    qtbot.waitUntil(lambda: window.status.last_step > 0, timeout=60000)
    english_texts, _ = texts(window)
    saved = window.settings.value("language", "")
    try:
        i18n.switch(window, "zh_CN")
        step = window.status.last_step
        chinese_texts, _ = texts(window)
        # every text with English words in it changed (the run's numbers may change too)
        unchanged = {
            k: v for k, v in english_texts.items() if english(v) and chinese_texts.get(k) == v and k in chinese_texts
        }
        assert not unchanged, f"not retranslated: {unchanged}"
        # and a trained window (the data's choices, the class box, the run's status) has no English left
        bad = {k: english(v) for k, v in chinese_texts.items() if english(v)}
        assert not bad, f"English while training in Chinese: {bad}"
        assert window.language_menu.findChild(type(window.language_menu.actions()[0]), "lang_zh_CN").isChecked()
        qtbot.waitUntil(lambda: window.status.last_step > step, timeout=60000)  # the run goes on
        i18n.switch(window, "en")
        back, _ = texts(window)
        # nothing lost: the English texts again (those the run's progress does not rewrite)
        steady = {k: v for k, v in english_texts.items() if not re.search(r"\d", v)}
        assert {k: back.get(k) for k in steady} == steady
    finally:
        window.settings.setValue("language", saved)
        if language.current != "en":
            language.set("en")
    assert window.worker is not None and window.thread.isRunning()
    with qtbot.waitSignal(window.training_finished, timeout=60000):
        window.stop()


def test_health_alarms_are_shown_in_chinese(chinese):
    h = HealthMonitor("ns", spectral_norm=False, d_steps=2, ema=0.0)
    alarm = None
    for step in range(40):
        alarm = h.on_scalars(step, {"d_real": 0.99, "d_fake": 0.01}) or alarm
    assert alarm is not None and alarm.kind == "d_wins"
    shown = translated_alarm(alarm)
    assert "判别器" in shown.title and "0.99" in shown.title and not english(shown.title)
    assert "谱归一化" in shown.advice and not english(shown.advice)
    collapse = None
    for step, modes in enumerate((8, 8, 3, 2)):
        collapse = h.on_eval(step, {"modes": modes, "n_modes": 8}) or collapse
    assert collapse is not None and "模式崩溃" in engine_text(collapse.title)
    assert not english(engine_text(collapse.title)) and not english(engine_text(collapse.advice))
    assert engine_text("run folder x does not exist") == "run folder x does not exist"  # the engine's own: English


def test_the_language_comes_from_the_flag_the_variable_or_the_system(monkeypatch):
    monkeypatch.delenv(i18n.ENV, raising=False)
    assert i18n.choose("zh-CN") == "zh_CN" and i18n.choose("en") == "en"
    monkeypatch.setenv(i18n.ENV, "zh_CN.UTF-8")
    assert i18n.choose(None) == "zh_CN" and i18n.choose("en") == "en"  # the flag wins
    monkeypatch.setenv(i18n.ENV, "klingon")
    with pytest.raises(GanstudioError, match="GANSTUDIO_LANG"):
        i18n.choose(None)
    monkeypatch.delenv(i18n.ENV)
    assert i18n.choose(None) in i18n.LANGUAGES  # the system's, or English
    r = subprocess.run(
        [sys.executable, "-m", "ganstudio", "app", "--lang", "fr"], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 1 and "--lang 'fr'" in r.stderr and "Traceback" not in r.stderr


def test_plots_get_a_font_with_chinese_glyphs(qapp):
    family = i18n.use_cjk_font(qapp)
    if family is None:
        pytest.skip("no CJK font installed here (install fonts-noto-cjk)")
    assert family in QApplication.font().families()
    assert QCoreApplication.translate("MainWindow", "&File") == "&File"  # English until a switch


def test_the_quality_panels_evaluation_line_in_chinese(chinese, window):
    """The line above the quality plots (the engine's format_metrics, said in the app's language)."""
    panel = window.quality_panel
    panel.set_kind("image")
    row = {"step": 500, "time": 1.0, "fcd": 20.4, "fcd_floor": 4.39, "class_coverage": 8, "n_classes": 10}
    panel.append_rows([{**row, "confident": 67.9, "precision": 0.83, "recall": 0.64, "memorized": 26.9}])
    text = window.findChild(QLabel, "metricSummary").text()
    assert "20.40" in text and "4.39" in text and "67.9" in text and "26.9" in text
    assert not english(re.sub("<[^>]+>", " ", text)), text
    # what the utility figures were measured against (data/split.py's words, through engine_text)
    assert engine_text("the test files (t10k-images-idx3-ubyte.gz)") == "测试集文件（t10k-images-idx3-ubyte.gz）"
