"""The window's left column: the Setup form (setup_form.py), the line saying what the data
decided, the Train / Pause / Step / Stop buttons and a hint, all following the
:class:`~ganstudio.app.session.Session`'s run state; and the dataset box's entries that open a
folder or an array/IDX file of the user's."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ganstudio.app.engine_text import choices_text
from ganstudio.app.i18n import QT_TRANSLATE_NOOP, live
from ganstudio.app.session import FOLLOWING, IDLE, LOADING, PAUSED, RUNNING, Session
from ganstudio.app.setup_form import SetupForm

PANEL_WIDTH = 340  # the left column's width, fixed: it never grows or scrolls sideways
CHOICE_LINES = 4  # the choices line's fixed height, in lines of text
# the dataset box's action items: their item data (their text is translated)
OPEN_FOLDER = QT_TRANSLATE_NOOP("RunControls", "Open image folder...")
OPEN_FILE = QT_TRANSLATE_NOOP("RunControls", "Open array/IDX file...")
_IDLE_HINT = QT_TRANSLATE_NOOP(
    "RunControls", "Pick a dataset and click Train. Curves, samples and the 2D view update live."
)
_BUSY_HINT = QT_TRANSLATE_NOOP("RunControls", "Training. Pause to change learning rates, the loss or D steps.")
HINTS = {
    IDLE: _IDLE_HINT,
    FOLLOWING: _IDLE_HINT,
    LOADING: _BUSY_HINT,
    RUNNING: _BUSY_HINT,
    PAUSED: QT_TRANSLATE_NOOP(
        "RunControls", "Paused. Change learning rates, loss or D steps; they apply on Resume or Step."
    ),
}

# The Setup form's widgets, as attributes of the main window (tests and users' scripts use them)
FORM_ATTRIBUTES = {
    "dataset_combo": "dataset",
    "model_combo": "model",
    "loss_combo": "loss",
    "image_size": "image_size",
    "batch_size": "batch_size",
    "z_dim": "z_dim",
    "lr_g": "lr_g",
    "lr_d": "lr_d",
    "d_steps": "d_steps",
    "ema": "ema",
    "seed": "seed",
    "steps": "steps",
    "time_limit": "time_limit",
    "device_combo": "device",
    "tensorboard_check": "tensorboard",
}


class RunControls(QScrollArea):
    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.setup_form = SetupForm(session)  # generated from TrainConfig's field metadata
        self.dataset_combo = self.setup_form.widgets["dataset"]
        for item in (OPEN_FOLDER, OPEN_FILE):
            self.dataset_combo.addItem(self.tr(item), item)  # the item's data says which action it is
        self.setup_form.skip_values["dataset"] = {OPEN_FOLDER, OPEN_FILE}
        self.dataset_combo.activated.connect(lambda _: self._dataset_chosen())

        self.train_button = QPushButton(objectName="trainButton")
        self.pause_button = QPushButton(objectName="pauseButton")
        self.step_button = QPushButton(objectName="stepButton")
        self.stop_button = QPushButton(objectName="stopButton")
        live(self.train_button, "setText", lambda: self.tr("Train"))
        live(self.step_button, "setText", lambda: self.tr("Step"))
        live(self.stop_button, "setText", lambda: self.tr("Stop"))
        live(self.train_button, "setToolTip", lambda: self.tr("Start a new run (or continue the opened run)"))
        live(self.step_button, "setToolTip", lambda: self.tr("Train one step while paused"))
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for b in (self.train_button, self.pause_button, self.step_button, self.stop_button):
            buttons.addWidget(b)
        self._fit_buttons()
        # What the data decided (after it loads): one line from trainer.choices. A fixed place
        # and height (CHOICE_LINES lines; a longer text is cut there, the full text on hover): its
        # length never moves the buttons below it (issue 28: Train moved ~90 px; users mis-clicked).
        self.choices_label = QLabel(wordWrap=True, objectName="choicesLabel")
        self.choices_label.setStyleSheet("color: #5a8fd0")
        self.choices_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.choices_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.choices_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.choices_label.setFixedHeight(CHOICE_LINES * self.choices_label.fontMetrics().lineSpacing() + 4)
        self.hint = QLabel(wordWrap=True, objectName="hintLabel")
        self.hint.setStyleSheet("color: #666")
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        side = QVBoxLayout()
        side.addWidget(self.setup_form)
        side.addWidget(self.choices_label)
        side.addLayout(buttons)
        side.addWidget(self.hint)
        side.addStretch(1)
        side_widget = QWidget()
        side_widget.setLayout(side)
        self.setWidget(side_widget)
        self.setWidgetResizable(True)
        # Never sideways (issue 28): no horizontal bar, and the content is never wider than the
        # view (its widgets shrink instead: setup_form.py keeps combo boxes narrow); a focus
        # change cannot scroll it right either (_keep_left).
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.horizontalScrollBar().valueChanged.connect(self._keep_left)
        self.setFixedWidth(PANEL_WIDTH)
        session.events.state.connect(self._state_changed)
        self._state_changed(session.state, session.state)

    def _fit_buttons(self) -> None:
        """Each button keeps its whole word, in every language: never squeezed to "S"."""
        words = [self.tr(w) for w in ("Train", "Pause", "Resume", "Step", "Stop")]
        wide = max(self.train_button.fontMetrics().horizontalAdvance(w) for w in words) + 16
        for b in (self.train_button, self.pause_button, self.step_button, self.stop_button):
            b.setMinimumWidth(wide)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.LanguageChange:
            self._fit_buttons()
            self.dataset_combo.blockSignals(True)  # the action items' texts, in the new language
            for i in range(self.dataset_combo.count()):
                item = self.dataset_combo.itemData(i)
                if item in (OPEN_FOLDER, OPEN_FILE):
                    self.dataset_combo.setItemText(i, self.tr(item))
            self.dataset_combo.blockSignals(False)

    def show_choices(self, text) -> None:
        """What the data decided, in the label's fixed place (always there, empty when nothing).
        ``text``: a function giving it translated (again after a language switch), or a string
        (the engine's line, English: training.choices)."""
        fn = text if callable(text) else (lambda: choices_text(text))
        live(self.choices_label, "setText", fn)
        live(self.choices_label, "setToolTip", fn)

    def _keep_left(self, value: int) -> None:
        if value:
            self.horizontalScrollBar().setValue(0)

    def _state_changed(self, state: str, _old: str) -> None:
        """The buttons and the hint follow the run state (the form follows it itself)."""
        training = self.session.training
        self.train_button.setEnabled(not training)
        self.pause_button.setEnabled(training)
        live(
            self.pause_button, "setText", (lambda: self.tr("Resume")) if state == PAUSED else (lambda: self.tr("Pause"))
        )
        self.step_button.setEnabled(state == PAUSED)
        self.stop_button.setEnabled(training)
        live(self.hint, "setText", lambda: QCoreApplication.translate("RunControls", HINTS[state]))

    # ------------------------------------------------------------------ the user's own data
    def _dataset_chosen(self) -> None:
        text = self.dataset_combo.currentData()
        if text == OPEN_FOLDER:
            path = QFileDialog.getExistingDirectory(self, self.tr("Open image folder"))
            self.add_dataset(f"folder:{path}" if path else None)
        elif text == OPEN_FILE:
            path, _ = QFileDialog.getOpenFileName(
                self,
                self.tr("Open array or IDX file"),
                "",
                self.tr("Arrays and IDX (*.npz *.npy *ubyte *ubyte.gz *.idx *.gz);;All files (*)"),
            )
            if path:
                kind = "npz" if path.endswith(".npz") else "npy" if path.endswith(".npy") else "idx"
                self.add_dataset(f"{kind}:{path}")
            else:
                self.add_dataset(None)

    def add_dataset(self, spec: str | None) -> None:
        """Select a user dataset (inserted above the "Open..." entries), or go back on cancel."""
        if spec is None:
            self.dataset_combo.setCurrentText(self.session.config.dataset)
            return
        if self.dataset_combo.findText(spec) < 0:
            self.dataset_combo.insertItem(self.dataset_combo.findData(OPEN_FOLDER), spec, spec)
        self.dataset_combo.setCurrentText(spec)
