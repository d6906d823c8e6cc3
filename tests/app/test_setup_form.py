"""The Setup form is generated from TrainConfig's field metadata and is a view of the Session."""

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QPushButton, QSpinBox

from ganstudio.app.session import IDLE, PAUSED, RUNNING, Session, form_fields
from ganstudio.app.setup_form import SetupForm
from ganstudio.config import TrainConfig, control, ui

TIMEOUT = 60_000

# The object names tests, benchmarks and users' scripts find the Setup widgets by: never renamed.
NAMES = {
    "dataset": ("datasetCombo", QComboBox),
    "model": ("modelCombo", QComboBox),
    "loss": ("lossCombo", QComboBox),
    "image_size": ("imageSizeCombo", QComboBox),
    "batch_size": ("batchSizeSpin", QSpinBox),
    "z_dim": ("zDimSpin", QSpinBox),
    "lr_g": ("lrGSpin", QDoubleSpinBox),
    "lr_d": ("lrDSpin", QDoubleSpinBox),
    "d_steps": ("dStepsSpin", QSpinBox),
    "ema": ("emaCheck", QCheckBox),
    "seed": ("seedSpin", QSpinBox),
    "steps": ("stepsSpin", QSpinBox),
    "time_limit": ("timeLimitSpin", QDoubleSpinBox),
    "device": ("deviceCombo", QComboBox),
    "tensorboard": ("tensorboardCheck", QCheckBox),
    "holdout": ("holdoutSpin", QDoubleSpinBox),
}


def test_every_field_with_metadata_has_its_widget(window):
    assert {f.name for f in form_fields()} == set(NAMES)
    for field, (name, kind) in NAMES.items():
        w = window.findChild(kind, name)
        assert w is not None and w is window.setup_form.widgets[field], name
        assert control(next(f for f in dataclasses.fields(TrainConfig) if f.name == field)).name == name
    # the old attribute names still reach the same widgets
    assert window.lr_g is window.findChild(QDoubleSpinBox, "lrGSpin") and window.ema.text() == "EMA of G for samples"
    assert window.image_size.placeholderText() == "2D points" and window.z_dim.specialValueText() == "auto"


def test_widgets_change_the_session_and_the_session_changes_the_widgets(window):
    s = window.session
    window.dataset_combo.setCurrentText("ring8")
    assert s.config.dataset == "ring8" and s.kind == "2d" and window.z_dim.value() == 2
    window.steps.setValue(777)
    window.lr_d.setValue(0.003)
    window.loss_combo.setCurrentText("lsgan")
    window.tensorboard_check.setChecked(True)
    assert (s.config.steps, s.config.lr_d, s.config.loss, s.config.tensorboard) == (777, 0.003, "lsgan", True)
    assert window.config_from_controls() == s.asked()
    s.update(seed=42, batch_size=100)  # the other way round
    assert window.seed.value() == 42 and window.batch_size.value() == 100
    s.update(dataset="digits")
    assert window.dataset_combo.currentText() == "digits" and window.image_size.currentText() == "16"
    assert window.model_combo.isEnabled() and window.visual.currentWidget() is window.sample_panel


def test_enabled_widgets_follow_the_session_state(window):
    s = window.session
    s.start_training()
    assert not window.dataset_combo.isEnabled() and not window.lr_g.isEnabled() and window.steps.isEnabled()
    assert not window.train_button.isEnabled() and window.stop_button.isEnabled()
    s.set_state(RUNNING)
    s.set_state(PAUSED)
    assert window.lr_g.isEnabled() and window.loss_combo.isEnabled() and not window.seed.isEnabled()
    assert window.pause_button.text() == "Resume" and window.step_button.isEnabled()
    s.set_state(IDLE)
    assert window.dataset_combo.isEnabled() and window.train_button.isEnabled() and not window.step_button.isEnabled()


def test_one_line_of_metadata_adds_a_field_to_the_form(qtbot):
    @dataclasses.dataclass
    class Extended(TrainConfig):
        gp_weight: float = dataclasses.field(
            default=10.0,
            metadata=ui("GP weight", name="gpWeightSpin", row=35, range=(0, 100), decimals=2, live="paused"),
        )

    session = Session(Extended)
    form = SetupForm(session)
    qtbot.addWidget(form)
    spin = form.findChild(QDoubleSpinBox, "gpWeightSpin")
    assert spin is not None and spin.value() == 10.0
    spin.setValue(5.5)
    assert session.config.gp_weight == 5.5 and session.hparams()["gp_weight"] == 5.5
    session.start_training()
    session.set_state(RUNNING)
    assert not spin.isEnabled()
    session.set_state(PAUSED)
    assert spin.isEnabled()


def test_paused_changes_apply_on_resume(window, qtbot):
    window.dataset_combo.setCurrentText("ring8")
    window.steps.setValue(10**6)
    qtbot.mouseClick(window.findChild(QPushButton, "trainButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.state == "running", timeout=TIMEOUT)
    qtbot.mouseClick(window.findChild(QPushButton, "pauseButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.state == "paused", timeout=TIMEOUT)
    trainer = window.worker.trainer
    window.loss_combo.setCurrentText("lsgan")
    window.d_steps.setValue(2)
    assert trainer.cfg.loss == "ns" and trainer.cfg.d_steps == 1  # nothing applies while paused
    qtbot.mouseClick(window.findChild(QPushButton, "pauseButton"), Qt.MouseButton.LeftButton)  # Resume
    qtbot.waitUntil(lambda: trainer.cfg.loss == "lsgan" and trainer.cfg.d_steps == 2, timeout=TIMEOUT)
    with qtbot.waitSignal(window.training_finished, timeout=TIMEOUT):
        qtbot.mouseClick(window.findChild(QPushButton, "stopButton"), Qt.MouseButton.LeftButton)
    assert window.state == "idle" and window.session.config.loss == "lsgan"  # the form keeps what was asked


def test_the_window_builds_no_trainer():
    """The worker builds the Trainer from the Session's job (in its own thread); the window
    neither imports the engine's Trainer nor prepares data."""
    import ganstudio.app.main_window as mw

    assert not hasattr(mw, "Trainer") and not hasattr(mw, "prepare") and not hasattr(mw, "pick_device")


def test_time_limit_is_in_the_form_no_limit_by_default(window):
    """Issue 28, item 5: the app has a time-limit field; its lowest value reads "no limit" (None)."""
    spin = window.findChild(QDoubleSpinBox, "timeLimitSpin")
    assert spin is window.time_limit and spin.text() == "no limit"
    assert window.config_from_controls().time_limit is None
    spin.setValue(300)
    assert window.config_from_controls().time_limit == 300
    window.dataset_combo.setCurrentText("ring8")  # another dataset: the limit the user set stays
    assert window.config_from_controls().time_limit in (None, 300)
    spin.setValue(spin.minimum())
    assert window.config_from_controls().time_limit is None and spin.text() == "no limit"
