"""Sample grids from fixed noise, with a timeline to scrub back through the run.

Only the newest ``max_in_memory`` frames keep their pixels ("Bounded memory"); older frames keep their
PNG path and are re-read with Pillow when the user scrubs to them. A frame with neither pixels
nor a path is useless, so it leaves the timeline.

For a conditional generator, "One class per row" shows a grid instead: a row per class (named
on the left) and ``CLASS_COLUMNS`` columns of latents fixed for the session, whose z[1:] each
column shares (so a column keeps its "style" across the classes). It renders from the frozen
copy of G the window already receives for the Latent tab (``set_generator``), in one batched
forward pass, and again whenever a new copy arrives; never from the training weights.

Each cell of the fixed-noise grid is known by its latent: the trainer's fixed noise, laid out
row-major by ``make_grid``. So cells can be marked for a direction by example
(panels/sample_marks.py); outside marking, a right click offers the cell to the Latent tab: its
exact latent, or its pixels to project (for a grid of an earlier step).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ganstudio.app.i18n import forget, live
from ganstudio.app.panels.sample_marks import SampleMarks
from ganstudio.explore import is_conditional

MAX_IN_MEMORY = 64
CLASS_COLUMNS = 8  # latents per class row
CLASS_SEED = 2024  # their noise: fixed, so refreshes and reruns show the same columns


@dataclass
class _Frame:
    step: int
    path: Path | None
    image: np.ndarray | None  # (H, W) or (H, W, C) uint8, or None once evicted


def _as_display(image: np.ndarray) -> np.ndarray:
    """uint8 (H, W, C) with C in {1, 3, 4} -> what ImageItem gets: (H, W) grey or (H, W, C)."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise ValueError(f"sample images must be uint8, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (3, 4))):
        raise ValueError(f"sample images must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4); got shape {image.shape}")
    return image


def read_png(path: Path) -> np.ndarray:
    """A sample PNG as uint8 (H, W) grey or (H, W, 3) RGB. Raises OSError/ValueError if bad."""
    from PIL import Image  # only needed when scrubbing back or opening a run

    with Image.open(path) as im:
        im.load()  # decode now, inside the `with`, so a truncated file fails here
        if im.mode not in ("L", "RGB"):
            im = im.convert("L" if im.mode in ("1", "I", "I;16", "F") else "RGB")
        return np.asarray(im, dtype=np.uint8).copy()


class _SampleViewBox(pg.ViewBox):
    """Image view box: zoom and pan allowed, double-click puts the whole image back; single
    clicks go to ``on_click(button, view point, screen point)`` first (True: handled)."""

    on_click = None

    def mouseClickEvent(self, ev: Any) -> None:
        if ev.double() and ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.reset_view()
            return
        if self.on_click is not None and not ev.double():
            p = self.mapSceneToView(ev.scenePos())
            if self.on_click(ev.button(), (p.x(), p.y()), ev.screenPos()):
                ev.accept()
                return
        super().mouseClickEvent(ev)

    def reset_view(self) -> None:
        self.autoRange(padding=0.0)


class SamplePanel(QWidget):
    """The current sample grid, plus a timeline of past grids; or one class per row."""

    class_rows_changed = Signal(bool)  # the "One class per row" box was toggled
    class_rows_rendered = Signal()  # a class grid is on screen (tests)
    direction_fitted = Signal(str, object, object)  # (name, unit vector (Z,), latent.Directions to save)
    explore_cell = Signal(object, str)  # (the cell's latent (Z,), what it is): show it in the Latent tab
    project_cell = Signal(object, str)  # (the cell's pixels (C, H, W) in [-1, 1], what): project them

    def __init__(self, parent: QWidget | None = None, max_in_memory: int = MAX_IN_MEMORY):
        super().__init__(parent)
        self.setObjectName("samplePanel")
        self.setMinimumSize(280, 300)
        self.max_in_memory = max(1, int(max_in_memory))
        self._frames: list[_Frame] = []
        self.run_live = True  # the frames come from a run training now (set_live)
        self._shown: np.ndarray | None = None  # what the ImageItem holds (as displayed)
        self._shown_index: int | None = None
        self._shown_shape: tuple[int, ...] | None = None
        self.snap = None  # explore.GeneratorSnapshot the class rows render from
        self._class_z = None  # (CLASS_COLUMNS, Z) the columns' latents
        self._class_step: int | None = None  # step of the class grid on show
        self._class_render = QTimer(self, singleShot=True, interval=0)  # coalesces new copies of G
        self._class_render.timeout.connect(self.render_class_rows)

        self.view = pg.GraphicsLayoutWidget()
        self.view.setObjectName("sampleView")
        self.view.setMinimumSize(256, 256)
        live(self.view, "setToolTip", lambda: self.tr("Scroll to zoom, drag to pan, double-click to fit the grid."))
        self.view.ci.setContentsMargins(0, 0, 0, 0)
        # invertY: row 0 of the array at the top, so images appear upright
        self.viewbox = _SampleViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.viewbox.setDefaultPadding(0.0)
        # Class names beside the rows: an axis left of the image, zero-wide unless the class
        # rows show (so the timeline's grids use the whole view)
        self.view.ci.setSpacing(0)
        self.row_axis = pg.AxisItem("left")
        self.row_axis.linkToView(self.viewbox)
        self.row_axis.setPen(pg.mkPen(None))
        self.row_axis.setStyle(tickLength=0)
        self.row_axis.setWidth(0)
        self.row_axis.hide()
        self.view.addItem(self.row_axis, row=0, col=0)
        self.view.addItem(self.viewbox, row=0, col=1)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        # uint8 with fixed levels: no per-frame min/max scan, and frames stay comparable
        self.image_item.setAutoDownsample(True)
        self.image_item.setLevels((0, 255))
        self.viewbox.addItem(self.image_item)

        self.timeline = QSlider(Qt.Orientation.Horizontal)
        self.timeline.setObjectName("timelineSlider")
        self.timeline.setRange(0, 0)
        self.timeline.setEnabled(False)
        live(
            self.timeline,
            "setToolTip",
            lambda: self.tr("Scrub through earlier sample grids; the right end follows live."),
        )
        self.label = QLabel()
        live(self.label, "setText", lambda: self.tr("no samples yet"))
        self.label.setObjectName("timelineLabel")
        self.label.setMinimumWidth(130)
        self.label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.class_check = QCheckBox(objectName="classRowsCheck")
        live(self.class_check, "setText", lambda: self.tr("One class per row"))
        self.class_check.setEnabled(False)
        live(
            self.class_check,
            "setToolTip",
            lambda: self.tr(
                "A conditional generator: a row per class, the same latents in each "
                "column (from the latest copy of the generator)"
            ),
        )
        self.class_check.toggled.connect(self._class_rows_toggled)

        # directions by example: marks on the fixed-noise grid
        self.mark_row = SampleMarks(self)
        self.mark_row.direction_fitted.connect(self.direction_fitted)
        self.viewbox.on_click = self._clicked

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 0, 4, 0)
        bar.addWidget(self.timeline, 1)
        bar.addWidget(self.label)
        bar.addWidget(self.class_check)
        bar.addWidget(self.mark_row.button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)
        layout.addWidget(self.mark_row)
        self.mark_row.redraw()

        self.timeline.valueChanged.connect(self._on_scrub)

    # ------------------------------------------------------------------ API
    def add_frame(self, step: int, image: np.ndarray, path: Path | None = None) -> None:
        """Append the grid for ``step``. Stays live if live; never yanks a user who scrubbed back."""
        image = _as_display(image)  # validate before touching any state
        live = self.is_live()
        self._frames.append(_Frame(int(step), Path(path) if path is not None else None, image))
        dropped = self._evict()
        blocker = QSignalBlocker(self.timeline)  # we choose what to show below, not valueChanged
        old_value = self.timeline.value()
        self.timeline.setRange(0, len(self._frames) - 1)
        self.timeline.setEnabled(len(self._frames) > 1 and not self.class_rows())
        if live:
            self.timeline.setValue(len(self._frames) - 1)
        else:
            # frames that left the front shift indices; keep pointing at the same frame
            self.timeline.setValue(max(0, old_value - dropped))
        del blocker
        if live:
            self._show(len(self._frames) - 1)
        elif self._shown_index is not None and self._shown_index < dropped:
            self._show(self.timeline.value())  # the frame being looked at left the timeline
        else:
            if self._shown_index is not None:
                self._shown_index -= dropped
            self._update_label()

    def load_frames(self, frames: Iterable[tuple[int, Path]]) -> None:
        """Replace the timeline with a saved run's PNGs (read lazily); show the newest."""
        self._frames = [_Frame(int(s), Path(p), None) for s, p in sorted(frames, key=lambda f: f[0])]
        blocker = QSignalBlocker(self.timeline)
        self.timeline.setRange(0, max(0, len(self._frames) - 1))
        self.timeline.setValue(self.timeline.maximum())
        self.timeline.setEnabled(len(self._frames) > 1 and not self.class_rows())
        del blocker
        if self._frames:
            self._show(len(self._frames) - 1)
        else:
            self._show_nothing(lambda: self.tr("no samples yet"))

    def clear(self) -> None:
        """A new run: no frames, and no generator until its first copy arrives."""
        self._frames = []
        blocker = QSignalBlocker(self.timeline)
        self.timeline.setRange(0, 0)
        self.timeline.setEnabled(False)
        del blocker
        self.set_generator(None)
        self._show_nothing(lambda: self.tr("no samples yet"))
        self._shown_shape = None

    # ------------------------------------------------------------------ one class per row
    def set_generator(self, snap) -> None:
        """The newest frozen copy of G (explore.GeneratorSnapshot, or None): the class rows
        render from it, and are offered only when it is conditional."""
        was = self.class_rows()
        old = self.grid_config()
        self.snap = snap
        if self.mark_row.marks and self.grid_config() != old:
            self.mark_row.marks.clear()  # another run's grid: these latents are not the marked ones
        self.mark_row.redraw()
        ok = is_conditional(snap)
        self.class_check.setEnabled(ok)
        if ok and self._class_z is not None and self._class_z.shape[1] != snap.z_dim:
            self._class_z = None
        if self.class_rows():
            if not self._class_render.isActive():
                self._class_render.start()  # on the next event-loop pass, of the newest copy
        elif was:
            self._leave_class_rows()

    # ------------------------------------------------------------------ cells of the fixed-noise grid
    def grid_config(self) -> dict | None:
        """(n_samples, z_dim, seed, sample shape) of the grid's run, from the newest copy of G."""
        snap = self.snap
        cfg = (snap.meta.get("config") or {}) if snap is not None else {}
        if snap is None or snap.is_2d or not cfg.get("n_samples"):
            return None
        return {
            "n": int(cfg["n_samples"]),
            "z_dim": int(snap.z_dim),
            "seed": int(cfg.get("seed") or 0),
            "shape": tuple(snap.sample_shape),
        }

    def fixed_latents(self):
        """(n_samples, Z): the latent of each grid cell, as the trainer draws its fixed noise."""
        from ganstudio.training import fixed_noise

        g = self.grid_config()
        return fixed_noise(g["n"], g["z_dim"], g["seed"])

    def cell_layout(self) -> tuple[int, int, int, int, int] | None:
        """(n, columns, cell height, cell width, pad) of the grid on show, or None when what is
        shown is not the fixed-noise grid of the current generator."""
        g = self.grid_config()
        img = self._shown
        if g is None or img is None or self.class_rows():
            return None
        c, h, w = g["shape"]
        n = g["n"]
        nrow = int(np.ceil(np.sqrt(n)))  # make_grid's default, as the trainer calls it
        ncol = int(np.ceil(n / nrow))
        pad = 2
        if img.shape[0] != ncol * (h + pad) + pad or img.shape[1] != nrow * (w + pad) + pad:
            return None
        return n, nrow, h, w, pad

    def cell_at(self, x: float, y: float) -> int | None:
        """The grid cell under image point (x, y) (column, row in pixels), or None."""
        lay = self.cell_layout()
        if lay is None:
            return None
        n, nrow, h, w, pad = lay
        col, cx = divmod(x - pad, w + pad)
        row, cy = divmod(y - pad, h + pad)
        if x < pad or y < pad or cx >= w or cy >= h or col >= nrow:
            return None
        i = int(row) * nrow + int(col)
        return i if i < n else None

    def cell_rect(self, i: int) -> tuple[float, float, float, float]:
        n, nrow, h, w, pad = self.cell_layout()
        r, c = divmod(i, nrow)
        return pad + c * (w + pad), pad + r * (h + pad), w, h

    def cell_image(self, i: int) -> np.ndarray:
        """Cell i's pixels as shown, (C, H, W) float in [-1, 1]."""
        x, y, w, h = (int(v) for v in self.cell_rect(i))
        img = self._shown[y : y + h, x : x + w]
        img = img[..., None] if img.ndim == 2 else img[..., : self.grid_config()["shape"][0]]
        return img.transpose(2, 0, 1).astype(np.float32) / 127.5 - 1.0

    def _clicked(self, button, point, screen) -> bool:
        i = self.cell_at(*point)
        if i is None:
            return False
        if self.mark_row.marking():
            if button in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
                self.mark_row.mark(i, button == Qt.MouseButton.LeftButton)
                return True
            return False
        if button == Qt.MouseButton.RightButton:
            self._cell_menu(i, screen)
            return True
        return False

    def _cell_menu(self, i: int, screen) -> None:
        menu = QMenu(self)
        step = self.current_step()
        menu.addAction(
            self.tr("Explore this sample in the Latent tab"),
            lambda: self.explore_cell.emit(self.fixed_latents()[i], self.tr("grid sample {i}").format(i=i)),
        )
        menu.addAction(
            self.tr("Find this picture in the generator (project it)"),
            lambda: self.project_cell.emit(
                self.cell_image(i), self.tr("projection of grid sample {i} (step {step})").format(i=i, step=step)
            ),
        )
        menu.popup(screen.toPoint() if hasattr(screen, "toPoint") else screen)
        self._menu = menu

    def class_rows(self) -> bool:
        """Whether the class rows are on show (checked, and a conditional G to draw them)."""
        return self.class_check.isChecked() and self.class_check.isEnabled() and self.snap is not None

    def class_count(self) -> int:
        return int(self.snap.G.n_classes) if self.class_rows() else 0

    def class_latents(self, z_dim: int):
        """(CLASS_COLUMNS, Z) the columns' latents (fixed for the session)."""
        from ganstudio.latent import sample_z

        if self._class_z is None or self._class_z.shape[1] != z_dim:
            self._class_z = sample_z(CLASS_COLUMNS, z_dim, CLASS_SEED)
        return self._class_z

    def render_class_rows(self) -> None:
        """One batched forward pass of (classes x CLASS_COLUMNS) latents on the frozen G."""
        import torch

        from ganstudio import explore
        from ganstudio.latent import with_class

        self._class_render.stop()
        if not self.class_rows():
            return
        snap = self.snap
        try:
            G = snap.G
            n = int(G.n_classes)
            z = self.class_latents(snap.z_dim)
            zz = torch.cat([with_class(z, G, k) for k in range(n)])  # row k: class k, same z[1:] per column
            with torch.no_grad():
                x = explore.generate(G, zz).numpy().astype(np.float32)
            grid = explore.tile(explore.to_frames(x), nrow=CLASS_COLUMNS)  # (H', W', C)
        except Exception as e:  # noqa: BLE001 -- a broken snapshot must not take the app down
            error = str(e)
            self._show_nothing(lambda: self.tr("cannot draw the classes: {error}").format(error=error))
            return
        self._row_names(True)
        self.timeline.setEnabled(False)  # its frames come back when the box is unchecked
        h = x.shape[2]
        pad = (grid.shape[0] - n * h) // (n + 1)
        self.row_axis.setTicks([[(pad + k * (h + pad) + h / 2, name) for k, name in enumerate(snap.class_names)], []])
        self._class_step = snap.step
        self._put_image(_as_display(grid))
        step, names = snap.step, ", ".join(snap.class_names)
        live(self.label, "setText", lambda: self.tr("one class per row, step {step}").format(step=step))
        live(self.label, "setToolTip", lambda: self.tr("rows top to bottom: {names}").format(names=names))
        self.class_rows_rendered.emit()

    def _class_rows_toggled(self, on: bool) -> None:
        if self.class_rows():
            self.render_class_rows()
        elif not on:
            self._leave_class_rows()
        self.class_rows_changed.emit(on)

    def _row_names(self, on: bool) -> None:
        if on != self.row_axis.isVisible():
            self.row_axis.setVisible(on)
            self.row_axis.setWidth(None if on else 0)  # None: as wide as the names

    def _leave_class_rows(self) -> None:
        self._class_render.stop()
        self._class_step = None
        self._row_names(False)
        self.timeline.setEnabled(len(self._frames) > 1)
        if self._frames:
            self._show(min(self.timeline.value(), len(self._frames) - 1))
        else:
            self._show_nothing(lambda: self.tr("no samples yet"))

    def current_image(self) -> np.ndarray | None:
        """The displayed grid, uint8 (H, W) or (H, W, C); None when nothing is shown."""
        return self._shown

    def current_step(self) -> int | None:
        """Step of the selected frame (also when its file could not be read), or of the
        generator the class rows show; None if none."""
        if self.class_rows():
            return self._class_step
        if self._shown_index is None or not self._frames:
            return None
        return self._frames[self._shown_index].step

    def frame_count(self) -> int:
        return len(self._frames)

    def frame_steps(self) -> list[int]:
        return [f.step for f in self._frames]

    def images_in_memory(self) -> int:
        """Frames holding pixels (the bounded part); the displayed image is one more at most."""
        return sum(f.image is not None for f in self._frames)

    def set_live(self, live: bool) -> None:
        """Whether the frames come from a run training now: the newest reads "(live)", else "(latest)"."""
        if live != self.run_live:
            self.run_live = live
            self._update_label()

    def is_live(self) -> bool:
        """True when the timeline sits on the newest frame (or there are none)."""
        return not self._frames or self.timeline.value() >= len(self._frames) - 1

    def reset_view(self) -> None:
        self.viewbox.reset_view()

    # ------------------------------------------------------------------ internals
    def _evict(self) -> int:
        """Drop pixels beyond the newest ``max_in_memory``; returns frames removed from the front."""
        in_memory = [i for i, f in enumerate(self._frames) if f.image is not None]
        excess = len(in_memory) - self.max_in_memory
        for i in in_memory[: max(0, excess)]:
            self._frames[i].image = None
        # a frame with neither pixels nor a file can never be shown again
        keep = [f for f in self._frames if f.image is not None or f.path is not None]
        dropped = 0
        if len(keep) != len(self._frames):
            # pathless frames are evicted oldest first, so they are all at the front
            dropped = len(self._frames) - len(keep)
            self._frames = keep
        return dropped

    def _on_scrub(self, index: int) -> None:
        if 0 <= index < len(self._frames):
            self._show(index)

    def _show(self, index: int) -> None:
        if self.class_rows():  # the class rows stay on show; remember which frame is selected
            self._shown_index = index
            return
        frame = self._frames[index]
        image = frame.image
        if image is None:
            if frame.path is None:  # cannot happen after _evict, but never crash on it
                self._show_nothing(lambda: self.tr("step {step}: image not kept").format(step=frame.step), index)
                return
            try:
                image = _as_display(read_png(frame.path))
            except Exception as e:  # noqa: BLE001 -- Pillow raises OSError, ValueError, SyntaxError,
                # DecompressionBombError...; a bad file on disk must never take the app down
                reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e) or type(e).__name__
                self._show_nothing(
                    lambda: self.tr("step {step}: cannot read {file} ({reason})").format(
                        step=frame.step, file=frame.path.name, reason=reason
                    ),
                    index,
                )
                return
        self._shown_index = index
        self._put_image(image)
        self._update_label()
        forget(self.label, "setToolTip")
        self.label.setToolTip(str(frame.path) if frame.path else "")

    def _put_image(self, image: np.ndarray) -> None:
        self._shown = image
        self.image_item.setImage(image, autoLevels=False, levels=(0, 255))
        self.image_item.setVisible(True)
        if self.mark_row.marking():
            self.mark_row.redraw()  # (the class rows have no marks)
        if image.shape != self._shown_shape:
            # fit and bound the view only when the grid size changes, so a user's zoom survives
            self._shown_shape = image.shape
            h, w = image.shape[:2]
            # no zooming into single pixels or out to a speck; no hard pan limits, because they
            # fight lockAspect in a very wide or tall widget
            big = 20 * max(w, h)
            self.viewbox.setLimits(minXRange=4, minYRange=4, maxXRange=big, maxYRange=big)
            self.viewbox.reset_view()

    def _show_nothing(self, message, index: int | None = None) -> None:
        """``message``: a function giving it translated (i18n.live)."""
        self._shown = None
        self._shown_index = index
        self.image_item.clear()
        self.image_item.setVisible(False)
        live(self.label, "setText", message)
        live(self.label, "setToolTip", message)

    def _update_label(self) -> None:
        if self.class_rows():
            return  # says which step the class rows are from (render_class_rows)
        if not self._frames:
            live(self.label, "setText", lambda: self.tr("no samples yet"))
            return
        if self._shown is None and self._shown_index is not None:
            return  # keep the error message until something else is shown
        index = self.timeline.value()
        step = self._frames[index].step
        newest = self._frames[-1].step
        if not self.is_live():
            live(self.label, "setText", lambda: self.tr("step {step} of {newest}").format(step=step, newest=newest))
        elif self.run_live:  # "live" only while a run trains
            live(self.label, "setText", lambda: self.tr("step {step} (live)").format(step=step))
        else:
            live(self.label, "setText", lambda: self.tr("step {step} (latest)").format(step=step))
