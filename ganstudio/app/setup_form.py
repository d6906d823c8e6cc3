"""The Setup form, generated from TrainConfig's field metadata (docs/ARCHITECTURE.md, "The app's state").

Every field declared with ``metadata=ui("Label", name="objectName", ...)`` in ganstudio/config.py
gets a row (its words translated here, context "TrainConfig": app/engine_strings.py lists them for
lupdate): a combo box for a field with choices, a checkbox for one with a ``text``, a spin box
for a number. The form is a view of the :class:`~ganstudio.app.session.Session`: a widget
edited changes the Session's config, and every change of the Session (a dataset's defaults, a
run's own settings, the run state) is shown back in the widgets. No widget holds a fact the
Session does not.
"""

from __future__ import annotations

import dataclasses
from typing import Any, get_args, get_type_hints

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLabel, QSpinBox, QWidget

from ganstudio.app.engine_text import engine_text
from ganstudio.app.i18n import live, marked
from ganstudio.app.session import LOADING, PAUSED, RUNNING, Session, form_fields
from ganstudio.config import control

AUTO = (
    "auto"  # a combo's item (its data; the text translated) / a spin box's lowest value for None: chosen from the data
)


def field_text(text: str) -> str:
    """A field's label, text, placeholder or tooltip (config.py's metadata) in the language installed."""
    return marked("TrainConfig", text) if text else text


class SetupForm(QGroupBox):
    """``SetupForm(session)``: one row per form field of ``session.cls``; ``widgets[name]``."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        live(self, "setTitle", lambda: self.tr("Setup"))
        self.session = session
        self.layout_ = QFormLayout(self)
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.widgets: dict[str, QWidget] = {}
        self.fields = {f.name: f for f in form_fields(session.cls)}
        self.skip_values: dict[str, set[str]] = {}  # a combo's items that are actions, not values
        hints = get_type_hints(session.cls)
        for f in self.fields.values():
            w = self._make(f, hints[f.name])
            self.widgets[f.name] = w
            label = control(f).label
            if label:
                row_label = QLabel(objectName=f"{control(f).name}Label")
                live(row_label, "setText", lambda t=label: field_text(t))
                self.layout_.addRow(row_label, w)
            else:
                self.layout_.addRow("", w)
        session.events.config.connect(self._config_changed)
        session.events.state.connect(lambda *_: self.update_enabled())
        self._config_changed(frozenset(self.fields))
        self.update_enabled()

    # ------------------------------------------------------------------ building
    def _make(self, f: dataclasses.Field, hint: Any) -> QWidget:
        c = control(f)
        types = set(get_args(hint) or (hint,))
        if c.choices:
            w = QComboBox(objectName=c.name)
            # a long item (a folder's path) never widens the form (issue 28: the Setup panel scrolled sideways)
            w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            w.setMinimumContentsLength(8)
            items = c.choices() if callable(c.choices) else c.choices
            if c.auto:
                w.addItem(self.tr("auto"), AUTO)
            for x in map(str, items):  # names of datasets, models, losses, devices: data, shown as they are
                w.addItem(self.tr("auto") if x == AUTO else x, x)  # but the device's auto
            if c.placeholder:
                # shown while the field does not apply
                live(w, "setPlaceholderText", lambda t=c.placeholder: field_text(t))
            w.currentTextChanged.connect(lambda _=None, n=f.name: self._edited(n))
        elif c.text:
            w = QCheckBox(objectName=c.name)
            live(w, "setText", lambda t=c.text: field_text(t))
            w.toggled.connect(lambda _=None, n=f.name: self._edited(n))
        elif float in types:
            w = QDoubleSpinBox(objectName=c.name)
            w.setDecimals(c.decimals)
            w.setRange(*c.range)
            w.setSingleStep(c.step)
            if c.auto:  # the lowest value: None
                live(w, "setSpecialValueText", lambda t=c.placeholder: field_text(t) if t else self.tr("auto"))
            w.valueChanged.connect(lambda _=None, n=f.name: self._edited(n))
        else:
            w = QSpinBox(objectName=c.name)
            w.setRange(*(int(x) for x in c.range))
            w.setSingleStep(int(c.step))
            if c.auto:  # the lowest value: chosen from the data
                live(w, "setSpecialValueText", lambda t=c.placeholder: field_text(t) if t else self.tr("auto"))
            w.valueChanged.connect(lambda _=None, n=f.name: self._edited(n))
        if c.tooltip:
            tip = c.tooltip if callable(c.tooltip) else lambda t=c.tooltip: t
            live(w, "setToolTip", lambda: engine_text(tip()))
        return w

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.LanguageChange:  # the "auto" items, in the new language
            for w in self.widgets.values():
                if isinstance(w, QComboBox) and w.findData(AUTO) >= 0:
                    w.blockSignals(True)
                    w.setItemText(w.findData(AUTO), self.tr("auto"))
                    w.blockSignals(False)

    # ------------------------------------------------------------------ widget -> Session
    def value(self, name: str) -> Any:
        """The config value a widget shows (None: auto, or the field does not apply)."""
        f, w = self.fields[name], self.widgets[name]
        c = control(f)
        if isinstance(w, QComboBox):
            data = w.currentData()
            text = data if isinstance(data, str) else w.currentText()  # a dataset of the user's has no data
            if w.currentIndex() < 0 or (c.auto and w.currentData() == AUTO):
                return None
            return int(text) if int in get_args(get_type_hints(self.session.cls)[name]) else text
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if c.auto and w.value() == w.minimum():
            return None
        return w.value()

    def _edited(self, name: str) -> None:
        w = self.widgets[name]
        if isinstance(w, QComboBox) and w.currentData() in self.skip_values.get(name, ()):
            return  # e.g. "Open image folder...": the window acts on it
        self.session.update(**{name: self.value(name)})

    # ------------------------------------------------------------------ Session -> widgets
    def _config_changed(self, names: frozenset[str]) -> None:
        for name in names:
            if name in self.widgets:
                self._show(name, getattr(self.session.config, name))
        self.update_enabled()

    def _show(self, name: str, v: Any) -> None:
        f, w = self.fields[name], self.widgets[name]
        c = control(f)
        w.blockSignals(True)
        try:
            if isinstance(w, QComboBox):
                if v is None:
                    applies = not c.applies or c.applies == self.session.kind
                    if c.auto and applies:
                        w.setCurrentIndex(w.findData(AUTO))
                    else:
                        w.setCurrentIndex(-1)
                else:
                    text = str(v)
                    at = w.findData(text)
                    if at < 0:
                        at = w.findText(text)
                    if at < 0:
                        at = self._insert_at(name, text)
                        w.insertItem(at, text, text)
                    w.setCurrentIndex(at)
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(v))
            elif v is None:
                if c.auto:
                    w.setValue(w.minimum())
            else:
                w.setValue(v)
        finally:
            w.blockSignals(False)

    def _insert_at(self, name: str, text: str) -> int:
        """Where a value the list lacks goes: above the action items, or in numeric order."""
        w = self.widgets[name]
        items = [w.itemText(i) for i in range(w.count())]
        skip = [i for i in range(w.count()) if w.itemData(i) in self.skip_values.get(name, ())]
        if skip:
            return skip[0]
        if text.isdigit():
            return sum(1 for i, t in enumerate(items) if w.itemData(i) == AUTO or (t.isdigit() and int(t) < int(text)))
        return len(items)

    def update_enabled(self) -> None:
        """Locked while training; hot fields editable while paused; kind-specific fields off otherwise."""
        state = self.session.state
        training = self.session.training
        busy = state in (LOADING, RUNNING)
        for name, w in self.widgets.items():
            c = control(self.fields[name])
            on = {"locked": not training, "paused": not busy or state == PAUSED, "free": True}[c.live]
            if c.applies and c.applies != self.session.kind:
                on = False
            w.setEnabled(on)
