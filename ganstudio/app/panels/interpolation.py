"""The Interpolation tab: keyframes (seeds, or the Latent tab's current z), a lerp/slerp strip
of K frames, a looping animation with play/pause and speed, and a 2D grid walk along two of the
Latent tab's directions. Everything shown is rendered by ``explore.render_recipe`` from the
same recipe an export writes, so an exported file is exactly what was on screen (enlarged
by the export size's whole factor, nearest-neighbour).

It follows the generator explored: seed keyframes are re-rendered for another model, latents
that cannot fit it are removed with a note saying why. Keyframes of a conditional model each
have a class (their own, or one chosen), so the path blends only their classes. With fewer
than two keyframes it shows a preview between seeds 0 and 1, never two empty panes.

The keyframes box lives in keyframes.py, the export size and exports in interpolation_export.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ganstudio import explore
from ganstudio.app.engine_text import engine_text
from ganstudio.app.i18n import QT_TRANSLATE_NOOP, label, live
from ganstudio.app.latent_state import LatentState
from ganstudio.app.panels.interpolation_export import ExportBox
from ganstudio.app.panels.keyframes import KeyframesBox
from ganstudio.errors import GanstudioError

# the Show box's items: their data (the text is translated; English text still selects them)
STRIP = QT_TRANSLATE_NOOP("InterpolationView", "Keyframe strip")
GRID = QT_TRANSLATE_NOOP("InterpolationView", "Grid walk")
PREVIEW_SEEDS = (0, 1)  # what the panes show before two keyframes are set


def _image_view(name: str, tip) -> tuple[pg.GraphicsLayoutWidget, pg.ViewBox, pg.ImageItem]:
    w = pg.GraphicsLayoutWidget()
    w.setObjectName(name)
    live(w, "setToolTip", tip)
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
        live(self.hint, "setText", lambda: self.tr("No generator yet: train, or File > Open run."))

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.keyframes_box = KeyframesBox(self.state)  # keyframes.py
        self.keyframes_box.changed.connect(self._keyframes_changed)
        self.keyframes_box.message.connect(self.message)
        # the box's parts, as attributes of the view (tests use them)
        for name in ("keyframe_list", "keyframe_seed", "keyframe_class", "keyframe_note", "class_row"):
            setattr(self, name, getattr(self.keyframes_box, name))

        self.mode_combo = QComboBox(objectName="interpModeCombo")
        self.mode_combo.addItems(["slerp", "lerp"])
        live(
            self.mode_combo,
            "setToolTip",
            lambda: self.tr("slerp follows the sphere where Gaussian latents live; lerp cuts through its middle"),
        )
        self.frames_spin = QSpinBox(objectName="framesSpin")
        self.frames_spin.setRange(2, 64)
        self.frames_spin.setValue(16)
        self.loop_check = QCheckBox(objectName="loopCheck")
        live(self.loop_check, "setText", lambda: self.tr("Loop back to the first"))
        for sig in (self.mode_combo.currentTextChanged, self.frames_spin.valueChanged, self.loop_check.toggled):
            sig.connect(lambda *_: self._changed())

        self.show_combo = QComboBox(objectName="interpShowCombo")
        for item in (STRIP, GRID):
            self.show_combo.addItem(self.tr(item), item)
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

        self.exports = ExportBox(self)  # interpolation_export.py
        self.exports.said.connect(self._say)
        # the box's parts and exports, as the view's (tests use them)
        self.export_size = self.exports.export_size
        self.export_picture, self.export_animation = self.exports.export_picture, self.exports.export_animation

        self.strip_widget, self.strip_box, self.strip_item = _image_view(
            "stripView", lambda: self.tr("The strip (or grid walk); scroll to zoom, drag to pan")
        )
        self.anim_widget, self.anim_box, self.anim_item = _image_view(
            "animationView", lambda: self.tr("The keyframe path, looping")
        )
        self.anim_widget.setMinimumSize(160, 160)
        self.hint = QLabel(objectName="interpolationHint", wordWrap=True)
        self.hint.setStyleSheet("color: #666")
        self.play_button = QPushButton(objectName="playButton")
        live(self.play_button, "setText", lambda: self.tr("Play"))
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self._play_toggled)
        self.speed_slider = QSlider(Qt.Orientation.Horizontal, objectName="speedSlider")
        self.speed_slider.setRange(1, 30)
        self.speed_slider.setValue(12)
        live(self.speed_slider, "setToolTip", lambda: self.tr("Animation speed, frames per second"))
        self.speed_label = QLabel(objectName="speedLabel")
        self.speed_label.setText("12 fps")  # a unit: the same in every language
        self.speed_label.setMinimumWidth(44)
        self.speed_slider.valueChanged.connect(self._speed_changed)
        self.frame_label = QLabel(objectName="frameLabel")
        self.frame_label.setMinimumWidth(70)

        # --- left column: controls
        path_box = QGroupBox(objectName="pathBox")
        live(path_box, "setTitle", lambda: self.tr("Path"))
        pf = QFormLayout(path_box)
        pf.setContentsMargins(6, 6, 6, 6)
        pf.addRow(label(lambda: self.tr("Mode")), self.mode_combo)
        pf.addRow(label(lambda: self.tr("Frames")), self.frames_spin)
        pf.addRow("", self.loop_check)
        grid_box = QGroupBox(objectName="gridWalkBox")
        live(grid_box, "setTitle", lambda: self.tr("Grid walk (around the Latent tab's z)"))
        gf = QFormLayout(grid_box)
        gf.setContentsMargins(6, 6, 6, 6)
        gf.addRow(label(lambda: self.tr("Across")), self.grid_dir1)
        gf.addRow(label(lambda: self.tr("Down")), self.grid_dir2)
        gf.addRow(label(lambda: self.tr("Steps")), self.grid_steps)
        gf.addRow(label(lambda: self.tr("Extent")), self.grid_extent)
        side = QVBoxLayout()
        side.setSpacing(4)
        show_row = QHBoxLayout()
        show_row.addWidget(label(lambda: self.tr("Show")))
        show_row.addWidget(self.show_combo, 1)
        side.addLayout(show_row)
        for w in (self.keyframes_box, path_box, grid_box):
            side.addWidget(w)
        side.addWidget(self.exports)
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
        speed_row.addWidget(label(lambda: self.tr("Speed")))
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

    # ------------------------------------------------------------------ keyframes (keyframes.py)
    @property
    def keyframes(self) -> list[dict[str, Any]]:
        return self.keyframes_box.keyframes

    # the box's keyframe actions, as the view's (tests and the Latent tab's Find use them)
    def add_seed(self, seed: int) -> None:
        self.keyframes_box.add_seed(seed)

    def add_current(self) -> None:
        self.keyframes_box.add_current()

    def remove_selected(self) -> None:
        self.keyframes_box.remove_selected()

    def clear_keyframes(self) -> None:
        self.keyframes_box.clear_keyframes()

    def set_keyframe_class(self, row: int, k: int | None) -> None:
        self.keyframes_box.set_keyframe_class(row, k)

    def keyframe_classes(self) -> list[int] | None:
        return self.keyframes_box.keyframe_classes()

    def _keyframes_changed(self) -> None:
        self._update_buttons()
        self._changed()

    def _generator_changed(self, snap, new_model: bool = False) -> None:
        """Another generator explored: the keyframes keep what fits it; the export sizes follow."""
        self.keyframes_box.follow_generator(snap)
        self.exports.fill_sizes()
        self._update_buttons()
        self._changed()

    # ------------------------------------------------------------------ recipes
    def showing_grid(self) -> bool:
        return self.show_combo.currentData() == GRID

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
        if self.keyframes_box.conditional() and len(kfs) >= 2:
            r["classes"] = self.keyframes_box.classes_of(kfs)
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
    def real_points(self) -> np.ndarray | None:
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
        names = [engine_text(name) for name, _ in self.state.direction_labels()]  # LatentState's words
        for combo, default in ((self.grid_dir1, 0), (self.grid_dir2, 1)):
            with QSignalBlocker(combo):
                combo.clear()
                combo.addItems(names)
                combo.setCurrentIndex(min(default, len(names) - 1))
        self._grid_changed()

    def changeEvent(self, event) -> None:
        """A language switch: the boxes' items in the new language, the choices kept."""
        super().changeEvent(event)
        if event.type() != event.Type.LanguageChange:
            return
        for i in range(self.show_combo.count()):
            self.show_combo.setItemText(i, self.tr(self.show_combo.itemData(i)))
        names = [engine_text(name) for name, _ in self.state.direction_labels()]
        for combo in (self.grid_dir1, self.grid_dir2):
            for i, name in enumerate(names[: combo.count()]):
                combo.setItemText(i, name)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self._refresh_timer.start()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.play_button.setChecked(False)  # no animation timer running behind another tab

    def refresh_if_dirty(self) -> None:
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        """Re-render the strip/grid and the animation frames from the current state."""
        self._refresh_timer.stop()
        self._dirty = False
        snap = self.state.snap
        self._previewing = False
        if snap is None:
            return self._show_nothing(lambda: self.tr("No generator yet: train, or File > Open run."))
        grid = self.showing_grid()
        preview = len(self.keyframes) < 2
        try:
            real = self.real_points()
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
            error = str(e)
            return self._show_nothing(
                lambda: self.tr("Cannot draw this path: {error}").format(error=engine_text(error))
            )
        if preview:
            self._previewing = True
            psi, step, (a, b) = f"{self.state.psi:.2f}", snap.step, PREVIEW_SEEDS
            if grid:
                text = lambda: self.tr(  # noqa: E731
                    "Add two or more keyframes: seeds, or the Latent tab's current latent."
                    "  ·  psi {psi}  ·  step {step}"
                ).format(psi=psi, step=step)
            else:
                text = lambda: self.tr(  # noqa: E731
                    "A preview between seeds {a} and {b}. Add two or more keyframes: seeds, or the Latent tab's "
                    "current latent.  ·  psi {psi}  ·  step {step}"
                ).format(a=a, b=b, psi=psi, step=step)
            live(self.hint, "setText", text)
            self._update_buttons()
            self.rendered.emit()
            return
        psi, step = f"{self.state.psi:.2f}", snap.step
        if grid:
            n, across, down = self.grid_steps.value(), self.grid_dir1.currentText(), self.grid_dir2.currentText()
            text = lambda: self.tr(  # noqa: E731
                "{n} x {n} grid along {across} (across) and {down} (down)  ·  psi {psi}  ·  step {step}"
            ).format(n=n, across=across, down=down, psi=psi, step=step)
        else:
            frames, mode, k = self.frames_spin.value(), self.mode_combo.currentText(), len(self.keyframes)
            text = lambda: self.tr(  # noqa: E731
                "{frames} frames, {mode}, %n keyframe(s)  ·  psi {psi}  ·  step {step}", "", k
            ).format(frames=frames, mode=mode, psi=psi, step=step)
        live(self.hint, "setText", text)
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

    def _show_nothing(self, text) -> None:
        """``text``: a function giving it translated (i18n.live)."""
        self._picture = None
        self._shown_shape = None
        self.strip_item.clear()
        self._set_frames(None)  # no frame of another model or path left beside the text
        live(self.hint, "setText", text)
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
        self.exports.update_buttons()
        self.play_button.setEnabled(self._shown_frames is not None)

    def _say(self, text: str) -> None:
        """A message for the status bar, also kept in the tab until the keyframes change."""
        self.keyframes_box.set_note(text)
        self.message.emit(text)
