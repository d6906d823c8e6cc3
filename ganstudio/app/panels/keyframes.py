"""The Interpolation tab's keyframes: seeds, or the Latent tab's current z, in a list; a class
per keyframe for a conditional model (its own, or one chosen in the combo beside the list); a
note saying what changed when another generator came (interpolation.py's view follows it and
re-renders when :attr:`KeyframesBox.changed` fires).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ganstudio import explore
from ganstudio.app.i18n import QT_TRANSLATE_NOOP, label, live
from ganstudio.app.latent_state import LatentState

OWN_CLASS = QT_TRANSLATE_NOOP("KeyframesBox", "its own class")


class KeyframesBox(QGroupBox):
    """The "Keyframes" group box and its keyframes: dicts of the recipe's ``keyframes``."""

    changed = Signal()  # keyframes were added, removed or given another class
    message = Signal(str)  # for the status bar

    def __init__(self, state: LatentState, parent: QWidget | None = None):
        super().__init__(parent)
        live(self, "setTitle", lambda: self.tr("Keyframes"))
        self.state = state
        self.keyframes: list[dict[str, Any]] = []
        self._labels: list[str] = []  # each keyframe's text in the list, before its chosen class
        self._build()
        self._sync_buttons()

    def _build(self) -> None:
        self.keyframe_list = QListWidget(objectName="keyframeList")
        self.keyframe_list.setMaximumHeight(130)
        self.keyframe_seed = QSpinBox(objectName="keyframeSeedSpin")
        self.keyframe_seed.setRange(0, 2**31 - 1)
        self.add_seed_button = QPushButton(objectName="addSeedButton")
        live(self.add_seed_button, "setText", lambda: self.tr("Add seed"))
        self.add_current_button = QPushButton(objectName="addCurrentLatentButton")
        live(self.add_current_button, "setText", lambda: self.tr("Add current latent"))
        live(
            self.add_current_button,
            "setToolTip",
            lambda: self.tr("Add the Latent tab's z (seed and slider offsets) as a keyframe"),
        )
        self.keyframe_list.currentRowChanged.connect(lambda _: self._sync_class_combo())
        self.keyframe_class = QComboBox(objectName="keyframeClassCombo")
        live(
            self.keyframe_class,
            "setToolTip",
            lambda: self.tr(
                "The class the selected keyframe draws (conditional models): the path blends the keyframes' "
                "classes and passes through no other one"
            ),
        )
        self.keyframe_class.activated.connect(lambda _: self._class_chosen())
        self.keyframe_note = QLabel(objectName="keyframeNote", wordWrap=True)
        self.keyframe_note.setStyleSheet("color: #a05a00")
        self.keyframe_note.setVisible(False)
        self.remove_button = QPushButton(objectName="removeKeyframeButton")
        live(self.remove_button, "setText", lambda: self.tr("Remove"))
        self.clear_button = QPushButton(objectName="clearKeyframesButton")
        live(self.clear_button, "setText", lambda: self.tr("Clear"))
        self.add_seed_button.clicked.connect(lambda: self.add_seed(self.keyframe_seed.value()))
        self.add_current_button.clicked.connect(self.add_current)
        self.remove_button.clicked.connect(self.remove_selected)
        self.clear_button.clicked.connect(self.clear_keyframes)

        kf = QVBoxLayout(self)
        kf.setContentsMargins(6, 6, 6, 6)
        row = QHBoxLayout()
        row.addWidget(label(lambda: self.tr("Seed")))
        row.addWidget(self.keyframe_seed, 1)
        row.addWidget(self.add_seed_button)
        kf.addLayout(row)
        kf.addWidget(self.add_current_button)
        kf.addWidget(self.keyframe_list)
        self.class_row = QWidget()
        crow = QHBoxLayout(self.class_row)
        crow.setContentsMargins(0, 0, 0, 0)
        crow.addWidget(label(lambda: self.tr("Class")))
        crow.addWidget(self.keyframe_class, 1)
        kf.addWidget(self.class_row)
        self.class_row.setVisible(False)
        kf.addWidget(self.keyframe_note)
        row = QHBoxLayout()
        row.addWidget(self.remove_button)
        row.addWidget(self.clear_button)
        kf.addLayout(row)

    # ------------------------------------------------------------------ keyframes
    def add_seed(self, seed: int) -> None:
        self._add({"seed": int(seed)}, self.tr("seed {seed}").format(seed=seed))

    def add_current(self) -> None:
        """The Latent tab's z (before truncation: psi applies to the whole path)."""
        lp = self.state
        if lp.snap is None:
            self.message.emit(self.tr("No generator yet: train, or open a run first."))
            return
        offsets = lp.offsets()
        k = lp.class_override()  # a class set on the latent itself (the Latent tab's class box)
        source = lp.latent_source()  # e.g. "projection of training image 12" (the Latent tab's Find)
        named = lp.latent_fields().get("named_directions") or []
        if not any(offsets) and k is None and source is None and not named:
            self.add_seed(lp.seed)
            return
        labels, classes = lp.direction_labels(), lp.class_names
        moved = ", ".join(
            [f"{labels[i][0].split()[0]} {o:+.2f}" for i, o in enumerate(offsets) if o]
            + [f"{d['name']} {d['amount']:+.2f}" for d in named]
            + ([self.tr("class {name}").format(name=classes[k] if k < len(classes) else k)] if k is not None else [])
        )
        kf = {
            "seed": lp.seed,
            "offsets": offsets,
            "directions": lp.directions_source,
            "z": [float(v) for v in lp.base_latent()],
        }
        if source is not None:
            kf["from"] = source
        if k is not None and self.conditional():
            kf["class"] = int(k)  # set after truncation in the Latent tab: psi must not move it
        text = source if source is not None else self.tr("seed {seed}").format(seed=lp.seed)
        self._add(kf, f"{text}  ({moved})" if moved else text)

    def add_keyframe(self, kf: dict[str, Any], text: str) -> None:
        """A keyframe as recipes record them (``seed`` or ``z``, ``class``, ``from``), listed as ``text``."""
        self._add(kf, text)

    def _add(self, kf: dict[str, Any], text: str) -> None:
        self.keyframes.append(kf)
        self._labels.append(text)
        self.keyframe_list.addItem(self._item_text(len(self.keyframes) - 1))
        self.set_note("")
        self._edited()

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.keyframe_list.selectedIndexes()}, reverse=True)
        if not rows and self.keyframes:
            rows = [len(self.keyframes) - 1]
        for r in rows:
            del self.keyframes[r]
            del self._labels[r]
            self.keyframe_list.takeItem(r)
        self.set_note("")
        self._edited()

    def clear_keyframes(self) -> None:
        self.keyframes.clear()
        self._labels.clear()
        self.keyframe_list.clear()
        self.set_note("")
        self._edited()

    def _item_text(self, i: int) -> str:
        k = self.keyframes[i].get("class")
        cls = self.tr("class {name}").format(name=self._class_name(k)) if k is not None else ""
        if k is None or not self.conditional() or self._labels[i].endswith(f"{cls})"):
            return self._labels[i]
        return f"{self._labels[i]}  → {cls}"

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.LanguageChange and self.keyframe_class.count():
            self.keyframe_class.setItemText(0, self.tr(OWN_CLASS))  # the class names are data

    def set_note(self, text: str) -> None:
        """A note under the list (what changed with another generator, an export's outcome);
        kept until the keyframes change."""
        self.keyframe_note.setText(text)
        self.keyframe_note.setVisible(bool(text))

    def _edited(self) -> None:
        self._sync_buttons()
        self.changed.emit()

    def _sync_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.keyframes))
        self.clear_button.setEnabled(bool(self.keyframes))

    # ------------------------------------------------------------------ classes
    def conditional(self) -> bool:
        return explore.is_conditional(self.state.snap)

    def _class_name(self, k: int) -> str:
        names = self.state.class_names
        return names[k] if k < len(names) else str(k)

    def set_keyframe_class(self, row: int, k: int | None) -> None:
        """Give keyframe ``row`` class k (a conditional model's), or None: the class its latent draws."""
        if not 0 <= row < len(self.keyframes):
            return
        kf = self.keyframes[row]
        if k is None:
            kf.pop("class", None)
        else:
            n = int(getattr(self.state.snap.G, "n_classes", 0) or 0) if self.conditional() else 0
            if not 0 <= int(k) < n:
                raise ValueError(f"class {k} out of range 0..{n - 1}")
            kf["class"] = int(k)
        self.keyframe_list.item(row).setText(self._item_text(row))
        self._sync_class_combo()
        self._edited()

    def keyframe_classes(self) -> list[int] | None:
        """Each keyframe's class along the path (a conditional model's): the one chosen, else the
        class its latent draws at the current psi; None for other models or fewer than two keyframes."""
        if not self.conditional() or len(self.keyframes) < 2:
            return None
        return self.classes_of(self.keyframes)

    def classes_of(self, kfs: list[dict[str, Any]]) -> list[int]:
        lp = self.state
        recipe = {"command": "interpolate", "z_dim": lp.snap.z_dim, "psi": lp.psi, "keyframes": kfs}
        own = explore.own_classes(recipe, lp.snap.G)
        return [int(kf["class"]) if kf.get("class") is not None else k for kf, k in zip(kfs, own)]

    def _class_chosen(self) -> None:
        row = self.keyframe_list.currentRow()
        self.set_keyframe_class(row, self.keyframe_class.currentData())

    def _sync_class_combo(self) -> None:
        on = self.conditional()
        self.class_row.setVisible(on)
        if not on:
            return
        names = self.state.class_names
        row = self.keyframe_list.currentRow()
        with QSignalBlocker(self.keyframe_class):
            self.keyframe_class.clear()
            self.keyframe_class.addItem(self.tr(OWN_CLASS), None)
            for k, name in enumerate(names):
                self.keyframe_class.addItem(f"{k}: {name}", k)
            k = self.keyframes[row].get("class") if 0 <= row < len(self.keyframes) else None
            self.keyframe_class.setCurrentIndex(0 if k is None else int(k) + 1)
        self.keyframe_class.setEnabled(0 <= row < len(self.keyframes))

    # ------------------------------------------------------------------ another generator
    def follow_generator(self, snap) -> None:
        """Keep what still fits the generator explored: seeds always (re-rendered), latents of its
        size, classes it has; remove the rest and say why. The view re-renders (no ``changed``)."""
        removed, unclassed = [], 0
        n = int(getattr(snap.G, "n_classes", 0) or 0) if explore.is_conditional(snap) else 0
        keep: list[tuple[dict[str, Any], str]] = []
        for kf, text in zip(self.keyframes, self._labels):
            z = kf.get("z")
            if z is not None and len(z) != snap.z_dim:
                removed.append((text, len(z)))
                continue
            if kf.get("class") is not None and not int(kf["class"]) < n:
                kf.pop("class")
                unclassed += 1
            keep.append((kf, text))
        if removed or unclassed:
            self.keyframes = [kf for kf, _ in keep]
            self._labels = [t for _, t in keep]
            self.keyframe_list.clear()
            self.keyframe_list.addItems([self._item_text(i) for i in range(len(self.keyframes))])
            notes = []
            if removed:
                sizes = sorted({zn for _, zn in removed})
                notes.append(
                    self.tr(
                        "Removed %n keyframe(s) ({which}): latent(s) of a {sizes}-value z, "
                        "and this generator takes {z}.",
                        "",
                        len(removed),
                    ).format(which=", ".join(t for t, _ in removed), sizes="/".join(map(str, sizes)), z=snap.z_dim)
                )
            if unclassed:
                notes.append(self.tr("%n keyframe class(es) this model lacks: back to own.", "", unclassed))
            if any(set(kf) >= {"seed"} and kf.get("z") is None for kf in self.keyframes):
                notes.append(self.tr("Seed keyframes are drawn by the new generator."))
            self.set_note(" ".join(notes))
        self._sync_class_combo()
        self._sync_buttons()
