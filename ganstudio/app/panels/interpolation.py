"""The Interpolation tab: keyframes (seeds, or the Latent tab's current z), a lerp/slerp strip
of K frames, a looping animation with play/pause and speed, and a 2D grid walk along two of the
Latent tab's directions. Everything shown is rendered by ``explore.render_recipe`` from the
same recipe an export writes, so an exported file is exactly what was on screen (enlarged
by the export size's whole factor, nearest-neighbour).

It follows the generator explored: seed keyframes are re-rendered for another model, latents
that cannot fit it are removed with a note saying why. Keyframes of a conditional model each
have a class (their own, or one chosen), so the path blends only their classes. With fewer
than two keyframes it shows a preview between seeds 0 and 1, never two empty panes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ganstudio import explore
from ganstudio.app.latent_state import LatentState
from ganstudio.errors import GanstudioError
from ganstudio.io.media import default_scale, find_mp4_encoder

STRIP, GRID = "Keyframe strip", "Grid walk"
OWN_CLASS = "its own class"
PREVIEW_SEEDS = (0, 1)  # what the panes show before two keyframes are set
SCALES = (1, 2, 3, 4, 5, 6, 8, 10, 12, 16)  # the export size combo's factors
MAX_EXPORT_SIDE = 1024


def _image_view(name: str, tip: str) -> tuple[pg.GraphicsLayoutWidget, pg.ViewBox, pg.ImageItem]:
    w = pg.GraphicsLayoutWidget()
    w.setObjectName(name)
    w.setToolTip(tip)
    w.ci.setContentsMargins(0, 0, 0, 0)
    vb = pg.ViewBox(lockAspect=True, invertY=True, enableMenu=False)
    vb.setDefaultPadding(0.02)
    w.addItem(vb)
    item = pg.ImageItem(axisOrder="row-major")
    item.setLevels((0, 255))
    vb.addItem(item)
    return w, vb, item


class InterpolationView(QWidget):
    """A view of the Latent tab's :class:`LatentState`: its generator, psi, directions and latent."""

    rendered = Signal()  # the strip/grid (and animation frames) were re-rendered
    message = Signal(str)

    def __init__(self, state: LatentState, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("interpolationView")
        self.state = state
        self.keyframes: list[dict[str, Any]] = []
        self._labels: list[str] = []  # each keyframe's text in the list, before its chosen class
        self._previewing = False  # the panes show PREVIEW_SEEDS, not the user's keyframes
        self._picture: np.ndarray | None = None  # what the strip view shows
        self._frames: np.ndarray | None = None  # (F, H, W, C) animation frames (None while previewing)
        self._shown_frames: np.ndarray | None = None  # what the animation pane plays
        self._frame = 0
        self._real_cache: tuple[str | None, np.ndarray | None] = ("", None)
        self._shown_shape: tuple[int, ...] | None = None
        self._dirty = True
        self._refresh_timer = QTimer(self, singleShot=True, interval=0)
        self._refresh_timer.timeout.connect(self.refresh)
        self._anim_timer = QTimer(self)
        self._anim_timer.timeout.connect(self._next_frame)
        self._build()
        state.events.generator.connect(self._generator_changed)
        state.events.latent.connect(self._latent_changed)
        state.events.directions.connect(self._directions_changed)
        self._directions_changed()
        self._update_buttons()
        self.hint.setText("No generator yet: train, or File > Open run.")

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.keyframe_list = QListWidget(objectName="keyframeList")
        self.keyframe_list.setMaximumHeight(130)
        self.keyframe_seed = QSpinBox(objectName="keyframeSeedSpin")
        self.keyframe_seed.setRange(0, 2**31 - 1)
        self.add_seed_button = QPushButton("Add seed", objectName="addSeedButton")
        self.add_current_button = QPushButton("Add current latent", objectName="addCurrentLatentButton")
        self.add_current_button.setToolTip("Add the Latent tab's z (seed and slider offsets) as a keyframe")
        self.keyframe_list.currentRowChanged.connect(lambda _: self._sync_class_combo())
        self.keyframe_class = QComboBox(objectName="keyframeClassCombo")
        self.keyframe_class.setToolTip(
            "The class the selected keyframe draws (conditional models): the path blends the keyframes' "
            "classes and passes through no other one"
        )
        self.keyframe_class.activated.connect(lambda _: self._class_chosen())
        self.keyframe_note = QLabel(objectName="keyframeNote", wordWrap=True)
        self.keyframe_note.setStyleSheet("color: #a05a00")
        self.keyframe_note.setVisible(False)
        self.remove_button = QPushButton("Remove", objectName="removeKeyframeButton")
        self.clear_button = QPushButton("Clear", objectName="clearKeyframesButton")
        self.add_seed_button.clicked.connect(lambda: self.add_seed(self.keyframe_seed.value()))
        self.add_current_button.clicked.connect(self.add_current)
        self.remove_button.clicked.connect(self.remove_selected)
        self.clear_button.clicked.connect(self.clear_keyframes)

        self.mode_combo = QComboBox(objectName="interpModeCombo")
        self.mode_combo.addItems(["slerp", "lerp"])
        self.mode_combo.setToolTip("slerp follows the sphere where Gaussian latents live; lerp cuts through its middle")
        self.frames_spin = QSpinBox(objectName="framesSpin")
        self.frames_spin.setRange(2, 64)
        self.frames_spin.setValue(16)
        self.loop_check = QCheckBox("Loop back to the first", objectName="loopCheck")
        for sig in (self.mode_combo.currentTextChanged, self.frames_spin.valueChanged, self.loop_check.toggled):
            sig.connect(lambda *_: self._changed())

        self.show_combo = QComboBox(objectName="interpShowCombo")
        self.show_combo.addItems([STRIP, GRID])
        self.show_combo.currentTextChanged.connect(lambda _: self._changed())
        self.grid_dir1 = QComboBox(objectName="gridDir1Combo")
        self.grid_dir2 = QComboBox(objectName="gridDir2Combo")
        self.grid_steps = QSpinBox(objectName="gridStepsSpin")
        self.grid_steps.setRange(2, 15)
        self.grid_steps.setValue(7)
        self.grid_extent = QDoubleSpinBox(objectName="gridExtentSpin")
        self.grid_extent.setRange(0.25, explore.SLIDER_RANGE)
        self.grid_extent.setSingleStep(0.25)
        self.grid_extent.setValue(2.0)
        self.grid_extent.setSuffix(" sd")
        for sig in (
            self.grid_dir1.currentIndexChanged,
            self.grid_dir2.currentIndexChanged,
            self.grid_steps.valueChanged,
            self.grid_extent.valueChanged,
        ):
            sig.connect(lambda *_: self._grid_changed())

        self.export_picture_button = QPushButton("Export strip/grid...", objectName="exportStripButton")
        self.export_picture_button.setToolTip("Save what the top view shows as PNG, with a JSON recipe beside it")
        self.export_anim_button = QPushButton("Export animation...", objectName="exportAnimationButton")
        self.export_anim_button.setToolTip(
            "Save the keyframe animation as GIF"
            + (" or MP4" if find_mp4_encoder() else " (MP4 needs imageio-ffmpeg or ffmpeg)")
            + ", with a JSON recipe"
        )
        self.export_size = QComboBox(objectName="exportSizeCombo")
        self.export_size.setToolTip(
            "Exports enlarge every frame by a whole factor, nearest-neighbour (sharp pixels); "
            "the recipe records it. Default: frames of at least 128 px"
        )
        self._fill_sizes()
        self.export_picture_button.clicked.connect(lambda: self.export_picture())
        self.export_anim_button.clicked.connect(lambda: self.export_animation())

        self.strip_widget, self.strip_box, self.strip_item = _image_view(
            "stripView", "The strip (or grid walk); scroll to zoom, drag to pan"
        )
        self.anim_widget, self.anim_box, self.anim_item = _image_view("animationView", "The keyframe path, looping")
        self.anim_widget.setMinimumSize(160, 160)
        self.hint = QLabel(objectName="interpolationHint", wordWrap=True)
        self.hint.setStyleSheet("color: #666")
        self.play_button = QPushButton("Play", objectName="playButton")
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self._play_toggled)
        self.speed_slider = QSlider(Qt.Orientation.Horizontal, objectName="speedSlider")
        self.speed_slider.setRange(1, 30)
        self.speed_slider.setValue(12)
        self.speed_slider.setToolTip("Animation speed, frames per second")
        self.speed_label = QLabel("12 fps", objectName="speedLabel")
        self.speed_label.setMinimumWidth(44)
        self.speed_slider.valueChanged.connect(self._speed_changed)
        self.frame_label = QLabel("", objectName="frameLabel")
        self.frame_label.setMinimumWidth(70)

        # --- left column: controls
        kf_box = QGroupBox("Keyframes")
        kf = QVBoxLayout(kf_box)
        kf.setContentsMargins(6, 6, 6, 6)
        row = QHBoxLayout()
        row.addWidget(QLabel("Seed"))
        row.addWidget(self.keyframe_seed, 1)
        row.addWidget(self.add_seed_button)
        kf.addLayout(row)
        kf.addWidget(self.add_current_button)
        kf.addWidget(self.keyframe_list)
        self.class_row = QWidget()
        crow = QHBoxLayout(self.class_row)
        crow.setContentsMargins(0, 0, 0, 0)
        crow.addWidget(QLabel("Class"))
        crow.addWidget(self.keyframe_class, 1)
        kf.addWidget(self.class_row)
        self.class_row.setVisible(False)
        kf.addWidget(self.keyframe_note)
        row = QHBoxLayout()
        row.addWidget(self.remove_button)
        row.addWidget(self.clear_button)
        kf.addLayout(row)
        path_box = QGroupBox("Path")
        pf = QFormLayout(path_box)
        pf.setContentsMargins(6, 6, 6, 6)
        pf.addRow("Mode", self.mode_combo)
        pf.addRow("Frames", self.frames_spin)
        pf.addRow("", self.loop_check)
        grid_box = QGroupBox("Grid walk (around the Latent tab's z)")
        gf = QFormLayout(grid_box)
        gf.setContentsMargins(6, 6, 6, 6)
        gf.addRow("Across", self.grid_dir1)
        gf.addRow("Down", self.grid_dir2)
        gf.addRow("Steps", self.grid_steps)
        gf.addRow("Extent", self.grid_extent)
        side = QVBoxLayout()
        side.setSpacing(4)
        show_row = QHBoxLayout()
        show_row.addWidget(QLabel("Show"))
        show_row.addWidget(self.show_combo, 1)
        side.addLayout(show_row)
        for w in (kf_box, path_box, grid_box):
            side.addWidget(w)
        size_row = QHBoxLayout()
        size_row.addWidget(QLabel("Export size"))
        size_row.addWidget(self.export_size, 1)
        side.addLayout(size_row)
        side.addWidget(self.export_picture_button)
        side.addWidget(self.export_anim_button)
        side.addStretch(1)
        side_widget = QWidget()
        side_widget.setLayout(side)
        side_widget.setFixedWidth(270)

        # --- right: strip on top, animation below
        play_row = QHBoxLayout()
        play_row.addWidget(self.play_button)
        play_row.addWidget(self.frame_label)
        play_row.addStretch(1)
        speed_row = QHBoxLayout()
        speed_row.addWidget(QLabel("Speed"))
        speed_row.addWidget(self.speed_slider, 1)
        speed_row.addWidget(self.speed_label)
        anim_col = QVBoxLayout()
        anim_col.addWidget(self.anim_widget, 1)
        anim_col.addLayout(play_row)
        anim_col.addLayout(speed_row)
        right = QVBoxLayout()
        right.addWidget(self.strip_widget, 1)  # a strip is wide and short
        right.addWidget(self.hint)
        right.addLayout(anim_col, 3)

        lay = QHBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(side_widget)
        lay.addLayout(right, 1)

    # ------------------------------------------------------------------ keyframes
    def add_seed(self, seed: int) -> None:
        self._add({"seed": int(seed)}, f"seed {seed}")

    def add_current(self) -> None:
        """The Latent tab's z (before truncation: psi applies to the whole path)."""
        lp = self.state
        if lp.snap is None:
            self.message.emit("No generator yet: train, or open a run first.")
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
            + ([f"class {classes[k] if k < len(classes) else k}"] if k is not None else [])
        )
        kf = {
            "seed": lp.seed,
            "offsets": offsets,
            "directions": lp.directions_source,
            "z": [float(v) for v in lp.base_latent()],
        }
        if source is not None:
            kf["from"] = source
        if k is not None and self._conditional():
            kf["class"] = int(k)  # set after truncation in the Latent tab: psi must not move it
        text = source if source is not None else f"seed {lp.seed}"
        self._add(kf, f"{text}  ({moved})" if moved else text)

    def _add(self, kf: dict[str, Any], text: str) -> None:
        self.keyframes.append(kf)
        self._labels.append(text)
        self.keyframe_list.addItem(self._item_text(len(self.keyframes) - 1))
        self._set_note("")
        self._update_buttons()
        self._changed()

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.keyframe_list.selectedIndexes()}, reverse=True)
        if not rows and self.keyframes:
            rows = [len(self.keyframes) - 1]
        for r in rows:
            del self.keyframes[r]
            del self._labels[r]
            self.keyframe_list.takeItem(r)
        self._set_note("")
        self._update_buttons()
        self._changed()

    def clear_keyframes(self) -> None:
        self.keyframes.clear()
        self._labels.clear()
        self.keyframe_list.clear()
        self._set_note("")
        self._update_buttons()
        self._changed()

    def _item_text(self, i: int) -> str:
        k = self.keyframes[i].get("class")
        if k is None or not self._conditional() or self._labels[i].endswith(f"class {self._class_name(k)})"):
            return self._labels[i]
        return f"{self._labels[i]}  → class {self._class_name(k)}"

    def _set_note(self, text: str) -> None:
        self.keyframe_note.setText(text)
        self.keyframe_note.setVisible(bool(text))

    # ------------------------------------------------------------------ classes
    def _conditional(self) -> bool:
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
            n = int(getattr(self.state.snap.G, "n_classes", 0) or 0) if self._conditional() else 0
            if not 0 <= int(k) < n:
                raise ValueError(f"class {k} out of range 0..{n - 1}")
            kf["class"] = int(k)
        self.keyframe_list.item(row).setText(self._item_text(row))
        self._sync_class_combo()
        self._changed()

    def keyframe_classes(self) -> list[int] | None:
        """Each keyframe's class along the path (a conditional model's): the one chosen, else the
        class its latent draws at the current psi; None for other models or fewer than two keyframes."""
        if not self._conditional() or len(self.keyframes) < 2:
            return None
        return self._classes_of(self.keyframes)

    def _classes_of(self, kfs: list[dict[str, Any]]) -> list[int]:
        lp = self.state
        recipe = {"command": "interpolate", "z_dim": lp.snap.z_dim, "psi": lp.psi, "keyframes": kfs}
        own = explore.own_classes(recipe, lp.snap.G)
        return [int(kf["class"]) if kf.get("class") is not None else k for kf, k in zip(kfs, own)]

    def _class_chosen(self) -> None:
        row = self.keyframe_list.currentRow()
        self.set_keyframe_class(row, self.keyframe_class.currentData())

    def _sync_class_combo(self) -> None:
        on = self._conditional()
        self.class_row.setVisible(on)
        if not on:
            return
        names = self.state.class_names
        row = self.keyframe_list.currentRow()
        with QSignalBlocker(self.keyframe_class):
            self.keyframe_class.clear()
            self.keyframe_class.addItem(OWN_CLASS, None)
            for k, name in enumerate(names):
                self.keyframe_class.addItem(f"{k}: {name}", k)
            k = self.keyframes[row].get("class") if 0 <= row < len(self.keyframes) else None
            self.keyframe_class.setCurrentIndex(0 if k is None else int(k) + 1)
        self.keyframe_class.setEnabled(0 <= row < len(self.keyframes))

    # ------------------------------------------------------------------ another generator
    def _generator_changed(self, snap, new_model: bool = False) -> None:
        """Keep what still fits the generator explored: seeds always (re-rendered), latents of its
        size, classes it has; remove the rest and say why."""
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
                    f"Removed {len(removed)} keyframe{'s' if len(removed) > 1 else ''} "
                    f"({', '.join(t for t, _ in removed)}): "
                    f"latent{'s' if len(removed) > 1 else ''} of a {'/'.join(map(str, sizes))}-value z, "
                    f"and this generator takes {snap.z_dim}."
                )
            if unclassed:
                notes.append(
                    f"{unclassed} keyframe class{'es' if unclassed > 1 else ''} this model lacks: back to own."
                )
            if any(set(kf) >= {"seed"} and kf.get("z") is None for kf in self.keyframes):
                notes.append("Seed keyframes are drawn by the new generator.")
            self._set_note(" ".join(notes))
        self._fill_sizes()
        self._sync_class_combo()
        self._update_buttons()
        self._changed()

    # ------------------------------------------------------------------ export size
    def _fill_sizes(self) -> None:
        snap = self.state.snap
        side = explore.frame_side(snap) if snap is not None else None
        previous = self.export_size.currentData()
        with QSignalBlocker(self.export_size):
            self.export_size.clear()
            if side is None:
                self.export_size.addItem("at least 128 px", None)
                return
            default = default_scale(side) if not snap.is_2d else 1
            for f in SCALES:
                if f != default and side * f > max(MAX_EXPORT_SIDE, side * default):
                    continue
                extra = " (default)" if f == default else ""
                self.export_size.addItem(f"{side * f} px ({f}x){extra}", f)
            i = self.export_size.findData(previous if previous is not None and self._same_side(side) else default)
            self.export_size.setCurrentIndex(max(0, i))
        self._sizes_side = side

    def _same_side(self, side: int) -> bool:
        return getattr(self, "_sizes_side", None) == side

    def export_scale(self) -> int:
        """The export's whole nearest-neighbour factor (the size combo's)."""
        f = self.export_size.currentData()
        if f is None:
            return explore.export_scale(self.state.snap) if self.state.snap is not None else 1
        return int(f)

    # ------------------------------------------------------------------ recipes
    def showing_grid(self) -> bool:
        return self.show_combo.currentText() == GRID

    def strip_recipe(self, keyframes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The keyframe path's recipe; seed-only keyframes also give ``seeds``, so
        `ganstudio interpolate --seeds ... --frames ... --mode ...` reproduces it. A conditional
        model's recipe gives each keyframe's class (``classes``, as `--classes` does)."""
        lp = self.state
        kfs = self.keyframes if keyframes is None else keyframes
        r = explore.base_recipe(lp.snap, "interpolate", lp.psi)
        r.update(
            keyframes=[dict(k) for k in kfs],
            mode=self.mode_combo.currentText(),
            frames=self.frames_spin.value(),
            loop=self.loop_check.isChecked(),
            fps=float(self.speed_slider.value()),
        )
        if all(set(k) - {"class"} == {"seed"} for k in kfs):
            r["seeds"] = [k["seed"] for k in kfs]
        else:
            r["directions"] = lp.directions_entry()  # what the keyframes' offsets refer to
        if self._conditional() and len(kfs) >= 2:
            r["classes"] = self._classes_of(kfs)
        return r

    def grid_recipe(self) -> dict[str, Any]:
        lp = self.state
        r = explore.base_recipe(lp.snap, "grid-walk", lp.psi)
        r.update(
            seed=lp.seed,
            offsets=lp.offsets(),
            directions=lp.directions_entry(),
            **lp.latent_fields(),
            grid={
                "axes": [self.grid_dir1.currentIndex(), self.grid_dir2.currentIndex()],
                "steps": self.grid_steps.value(),
                "extent": float(self.grid_extent.value()),
            },
        )
        return r

    def picture_recipe(self) -> dict[str, Any]:
        return self.grid_recipe() if self.showing_grid() else self.strip_recipe()

    def current_picture(self) -> np.ndarray | None:
        """What the top view shows: (H, W, C) uint8."""
        return self._picture

    def animation_frames(self) -> np.ndarray | None:
        return self._frames

    # ------------------------------------------------------------------ rendering
    def _real(self) -> np.ndarray | None:
        snap = self.state.snap
        if snap is None or not snap.is_2d:
            return None
        if self._real_cache[0] != snap.dataset:  # the same points `ganstudio interpolate` draws
            self._real_cache = (snap.dataset, explore.real_points(snap.dataset))
        return self._real_cache[1]

    def previewing(self) -> bool:
        """Whether the panes show the preview between PREVIEW_SEEDS (fewer than two keyframes)."""
        return self._previewing

    def _changed(self) -> None:
        self._dirty = True
        if self.isVisible() and not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _latent_changed(self) -> None:
        # psi changes every picture; seed/sliders only move the grid walk's centre
        self._changed()

    def _grid_changed(self) -> None:
        if self.showing_grid():
            self._changed()

    def _directions_changed(self) -> None:
        names = [name for name, _ in self.state.direction_labels()]
        for combo, default in ((self.grid_dir1, 0), (self.grid_dir2, 1)):
            with QSignalBlocker(combo):
                combo.clear()
                combo.addItems(names)
                combo.setCurrentIndex(min(default, len(names) - 1))
        self._grid_changed()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self._refresh_timer.start()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.play_button.setChecked(False)  # no animation timer running behind another tab

    def refresh(self) -> None:
        """Re-render the strip/grid and the animation frames from the current state."""
        self._refresh_timer.stop()
        self._dirty = False
        snap = self.state.snap
        self._previewing = False
        if snap is None:
            return self._show_nothing("No generator yet: train, or File > Open run.")
        grid = self.showing_grid()
        preview = len(self.keyframes) < 2
        try:
            real = self._real()
            if preview:  # something to look at in both panes before there are keyframes
                strip = self.strip_recipe([{"seed": s} for s in PREVIEW_SEEDS])
                frames = explore.render_recipe(strip, snap, real=real, animate=True)
                picture = explore.render_recipe(self.grid_recipe() if grid else strip, snap, real=real, animate=False)
                self._set_picture(picture, exportable=grid)
                self._set_frames(frames, exportable=False)
            else:
                self._set_picture(explore.render_recipe(self.picture_recipe(), snap, real=real, animate=False))
                self._set_frames(explore.render_recipe(self.strip_recipe(), snap, real=real, animate=True))
        except (GanstudioError, ValueError) as e:
            return self._show_nothing(f"Cannot draw this path: {e}")
        if preview:
            self._previewing = True
            seeds = " and ".join(map(str, PREVIEW_SEEDS))
            lead = f"A preview between seeds {seeds}. " if not grid else ""
            self.hint.setText(
                f"{lead}Add two or more keyframes: seeds, or the Latent tab's current latent."
                f"  ·  psi {self.state.psi:.2f}  ·  step {snap.step}"
            )
            self._update_buttons()
            self.rendered.emit()
            return
        what = (
            (
                f"{self.grid_steps.value()} x {self.grid_steps.value()} grid along {self.grid_dir1.currentText()} "
                f"(across) and {self.grid_dir2.currentText()} (down)"
            )
            if grid
            else f"{self.frames_spin.value()} frames, {self.mode_combo.currentText()}, {len(self.keyframes)} keyframes"
        )
        self.hint.setText(f"{what}  ·  psi {self.state.psi:.2f}  ·  step {snap.step}")
        self._update_buttons()
        self.rendered.emit()

    def _set_picture(self, pic: np.ndarray, exportable: bool = True) -> None:
        first = self._shown_shape != pic.shape
        self._shown_shape = pic.shape
        self._picture = pic if exportable else None
        self.strip_item.setImage(
            pic[..., 0] if pic.ndim == 3 and pic.shape[2] == 1 else pic, autoLevels=False, levels=(0, 255)
        )
        self.strip_item.setVisible(True)
        if first:
            self.strip_box.autoRange(padding=0.02)

    def _set_frames(self, frames: np.ndarray | None, exportable: bool = True) -> None:
        shown = self._shown_frames
        first = shown is None or frames is None or shown.shape[1:] != frames.shape[1:]
        self._shown_frames = frames
        self._frames = frames if exportable else None
        if frames is None:
            self.play_button.setChecked(False)
            self.anim_item.clear()
            self.frame_label.setText("")
            return
        self._frame %= len(frames)
        self._show_frame()
        if first:
            self.anim_box.autoRange(padding=0.02)

    def _show_nothing(self, text: str) -> None:
        self._picture = None
        self._shown_shape = None
        self.strip_item.clear()
        self._set_frames(None)  # no frame of another model or path left beside the text
        self.hint.setText(text)
        self._update_buttons()
        self.rendered.emit()

    # ------------------------------------------------------------------ animation
    def _play_toggled(self, on: bool) -> None:
        self.play_button.setText("Pause" if on else "Play")
        if on and self._shown_frames is not None:
            self._anim_timer.start(round(1000 / self.speed_slider.value()))
        else:
            self._anim_timer.stop()

    def _speed_changed(self, fps: int) -> None:
        self.speed_label.setText(f"{fps} fps")
        if self._anim_timer.isActive():
            self._anim_timer.setInterval(round(1000 / fps))

    def is_playing(self) -> bool:
        return self._anim_timer.isActive()

    def current_frame(self) -> int:
        return self._frame

    def _next_frame(self) -> None:
        if self._shown_frames is None:
            self._anim_timer.stop()
            return
        self._frame = (self._frame + 1) % len(self._shown_frames)
        self._show_frame()

    def _show_frame(self) -> None:
        f = self._shown_frames[self._frame]
        self.anim_item.setImage(f[..., 0] if f.shape[2] == 1 else f, autoLevels=False, levels=(0, 255))
        self.frame_label.setText(f"{self._frame + 1} / {len(self._shown_frames)}")

    # ------------------------------------------------------------------ export
    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.keyframes))
        self.clear_button.setEnabled(bool(self.keyframes))
        self.export_picture_button.setEnabled(self._picture is not None)
        self.export_anim_button.setEnabled(self._frames is not None)
        self.play_button.setEnabled(self._shown_frames is not None)

    def export_picture(self, path: str | Path | None = None) -> bool:
        """The strip or grid walk shown, as PNG + recipe, enlarged to the export size."""
        if self.state.snap is None or self._picture is None:
            self._say("Nothing to export yet: add two or more keyframes (or show the grid walk) first.")
            return False
        if path is None:
            name = f"{'gridwalk' if self.showing_grid() else 'strip'}_step{self.state.snap.step}.png"
            path, _ = QFileDialog.getSaveFileName(self, "Export picture", name, "PNG (*.png)")
            if not path:
                return False
        return self._export(self.picture_recipe(), path)

    def export_animation(self, path: str | Path | None = None) -> bool:
        """The keyframe animation as GIF (or MP4 when an encoder is installed) + recipe."""
        if self.state.snap is None or len(self.keyframes) < 2:
            self._say("Nothing to animate yet: add two or more keyframes first.")
            return False
        if self._dirty:
            self.refresh()
        if self._frames is None:
            self._say(f"Nothing to export: {self.hint.text()}")
            return False
        if path is None:
            filters = "GIF (*.gif)" + (";;MP4 (*.mp4)" if find_mp4_encoder() else "")
            path, _ = QFileDialog.getSaveFileName(
                self, "Export animation", f"interpolation_step{self.state.snap.step}.gif", filters
            )
            if not path:
                return False
        return self._export(self.strip_recipe(), path, fps=self.speed_slider.value())

    def _export(self, recipe: dict[str, Any], path: str | Path, fps: float | None = None) -> bool:
        recipe = dict(recipe, scale=self.export_scale())
        try:
            out, rec = explore.export(recipe, path, self.state.snap, real=self._real(), fps=fps)
        except (GanstudioError, ValueError) as e:
            self._say(f"Export failed: {e}")
            return False
        side = explore.frame_side(self.state.snap) * recipe["scale"]
        self._say(f"Exported {out} ({side} px frames; recipe {rec.name})")
        return True

    def _say(self, text: str) -> None:
        """A message for the status bar, also kept in the tab until the keyframes change."""
        self._set_note(text)
        self.message.emit(text)
