"""The Interpolation tab: keyframes (seeds, or the Latent tab's current z), a lerp/slerp strip
of K frames, a looping animation with play/pause and speed, and a 2D grid walk along two of the
Latent tab's directions. Everything shown is rendered by ``explore.render_recipe`` from the
same recipe an export writes, so an exported file is exactly what was on screen.
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
from ganstudio.io.media import find_mp4_encoder

STRIP, GRID = "Keyframe strip", "Grid walk"


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
        self._picture: np.ndarray | None = None  # what the strip view shows
        self._frames: np.ndarray | None = None  # (F, H, W, C) animation frames
        self._frame = 0
        self._real_cache: tuple[str | None, np.ndarray | None] = ("", None)
        self._dirty = True
        self._refresh_timer = QTimer(self, singleShot=True, interval=0)
        self._refresh_timer.timeout.connect(self.refresh)
        self._anim_timer = QTimer(self)
        self._anim_timer.timeout.connect(self._next_frame)
        self._build()
        state.events.generator.connect(lambda *_: self._changed())
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
        for w in (kf_box, path_box, grid_box, self.export_picture_button, self.export_anim_button):
            side.addWidget(w)
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
        text = source if source is not None else f"seed {lp.seed}"
        self._add(kf, f"{text}  ({moved})" if moved else text)

    def _add(self, kf: dict[str, Any], text: str) -> None:
        self.keyframes.append(kf)
        self.keyframe_list.addItem(text)
        self._update_buttons()
        self._changed()

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.keyframe_list.selectedIndexes()}, reverse=True)
        if not rows and self.keyframes:
            rows = [len(self.keyframes) - 1]
        for r in rows:
            del self.keyframes[r]
            self.keyframe_list.takeItem(r)
        self._update_buttons()
        self._changed()

    def clear_keyframes(self) -> None:
        self.keyframes.clear()
        self.keyframe_list.clear()
        self._update_buttons()
        self._changed()

    # ------------------------------------------------------------------ recipes
    def showing_grid(self) -> bool:
        return self.show_combo.currentText() == GRID

    def strip_recipe(self) -> dict[str, Any]:
        """The keyframe path's recipe; seed-only keyframes also give ``seeds``, so
        `ganstudio interpolate --seeds ... --frames ... --mode ...` reproduces it."""
        lp = self.state
        r = explore.base_recipe(lp.snap, "interpolate", lp.psi)
        r.update(
            keyframes=[dict(k) for k in self.keyframes],
            mode=self.mode_combo.currentText(),
            frames=self.frames_spin.value(),
            loop=self.loop_check.isChecked(),
            fps=float(self.speed_slider.value()),
        )
        if all(set(k) == {"seed"} for k in self.keyframes):
            r["seeds"] = [k["seed"] for k in self.keyframes]
        else:
            r["directions"] = lp.directions_entry()  # what the keyframes' offsets refer to
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
        if snap is None:
            return self._show_nothing("No generator yet: train, or File > Open run.")
        grid = self.showing_grid()
        if not grid and len(self.keyframes) < 2:
            self._set_frames(None)
            return self._show_nothing("Add two or more keyframes: seeds, or the Latent tab's current latent.")
        try:
            real = self._real()
            self._set_picture(explore.render_recipe(self.picture_recipe(), snap, real=real, animate=False))
            if len(self.keyframes) >= 2:
                strip = self.strip_recipe()
                self._set_frames(explore.render_recipe(strip, snap, real=real, animate=True))
            else:
                self._set_frames(None)
        except (GanstudioError, ValueError) as e:
            return self._show_nothing(str(e))
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

    def _set_picture(self, pic: np.ndarray) -> None:
        first = self._picture is None or self._picture.shape != pic.shape
        self._picture = pic
        self.strip_item.setImage(
            pic[..., 0] if pic.ndim == 3 and pic.shape[2] == 1 else pic, autoLevels=False, levels=(0, 255)
        )
        self.strip_item.setVisible(True)
        if first:
            self.strip_box.autoRange(padding=0.02)

    def _set_frames(self, frames: np.ndarray | None) -> None:
        first = self._frames is None or frames is None or self._frames.shape[1:] != frames.shape[1:]
        self._frames = frames
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
        self.strip_item.clear()
        self.hint.setText(text)
        self._update_buttons()
        self.rendered.emit()

    # ------------------------------------------------------------------ animation
    def _play_toggled(self, on: bool) -> None:
        self.play_button.setText("Pause" if on else "Play")
        if on and self._frames is not None:
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
        if self._frames is None:
            self._anim_timer.stop()
            return
        self._frame = (self._frame + 1) % len(self._frames)
        self._show_frame()

    def _show_frame(self) -> None:
        f = self._frames[self._frame]
        self.anim_item.setImage(f[..., 0] if f.shape[2] == 1 else f, autoLevels=False, levels=(0, 255))
        self.frame_label.setText(f"{self._frame + 1} / {len(self._frames)}")

    # ------------------------------------------------------------------ export
    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.keyframes))
        self.clear_button.setEnabled(bool(self.keyframes))
        self.export_picture_button.setEnabled(self._picture is not None)
        self.export_anim_button.setEnabled(self._frames is not None)
        self.play_button.setEnabled(self._frames is not None)

    def export_picture(self, path: str | Path | None = None) -> bool:
        """The strip or grid walk shown, as PNG + recipe."""
        if self.state.snap is None or self._picture is None:
            self.message.emit("Nothing to export yet: add keyframes (or show the grid walk) first.")
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
            self.message.emit("Nothing to animate yet: add two or more keyframes first.")
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
        try:
            out, rec = explore.export(recipe, path, self.state.snap, real=self._real(), fps=fps)
        except GanstudioError as e:
            self.message.emit(str(e))
            return False
        self.message.emit(f"Exported {out} (recipe {rec.name})")
        return True
