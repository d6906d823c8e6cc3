"""The 2D points view, GAN-Lab style: D's belief as a heatmap, real and generated points on top.

Generated points come from fixed noise ("Fixed noise for grids"), so the same point can be followed across
updates; instead of jumping to each new position they glide there (a short tween), which
makes the generator's motion readable.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QElapsedTimer, QRectF, QTimer
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from ganstudio.app.i18n import live
from ganstudio.app.panels.loss import cache_as_pixmaps

TWEEN_MS = 150
FRAME_MS = 50  # ~20 fps while gliding, three frames a glide: each repaints the view (see bench/app_perf.py)

REAL_BRUSH = (205, 205, 205, 150)  # grey: the data is the backdrop, not the actor
FAKE_COLOR = "#ff9a2e"  # orange reads against both ends of the purple/green field
ARROW_PEN = (255, 214, 150, 200)
ARROW_LENGTH = 0.06  # the 95th-percentile arrow, as a share of the view's extent


def field_colormap() -> pg.ColorMap:
    """Diverging, dark in the middle: D = 0.5 ("can't tell") fades out, and both grey real
    points and orange generated points stay legible over every value."""
    return pg.ColorMap(
        pos=np.array([0.0, 0.5, 1.0]),
        color=np.array([(118, 42, 131), (28, 28, 32), (27, 120, 55)], dtype=np.ubyte),  # PRGn ends
        name="ganstudio-field",
    )


def _move_points(item: pg.ScatterPlotItem, pos: np.ndarray) -> bool:
    """Move the points of ``item`` to ``pos`` (M, 2) in place, keeping their count and style;
    False when that is not possible (then setData, which re-resolves every point's symbol in
    Python). This touches pyqtgraph's point table (``data``, ``bounds``), which has had this
    layout since pyqtgraph 0.10."""
    data = getattr(item, "data", None)
    names = getattr(getattr(data, "dtype", None), "names", None) or ()
    if not {"x", "y"} <= set(names) or len(data) != len(pos) or not isinstance(getattr(item, "bounds", None), list):
        return False
    data["x"] = pos[:, 0]
    data["y"] = pos[:, 1]
    item.prepareGeometryChange()
    item.informViewBoundsChanged()
    item.bounds = [None, None]  # dataBounds' cache
    item.invalidate()  # schedules the repaint
    return True


def _smoothstep(t: float) -> float:
    return t * t * (3.0 - 2.0 * t)


class Points2DPanel(QWidget):
    """Real data, the generator's samples, D's decision field and G's gradient arrows."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("toyPanel")
        self.setMinimumSize(320, 320)
        self._extent: tuple[float, float] = (-1.0, 1.0)
        self._shown: np.ndarray | None = None  # (M, 2) positions on screen now
        self._start: np.ndarray | None = None  # (M, 2) tween start
        self._target: np.ndarray | None = None  # (M, 2) tween end = latest state
        self._arrows: np.ndarray | None = None  # (M, 2) displacement per generated point, scaled for display
        self._field: np.ndarray | None = None  # (R, R) a new field, drawn with the glide's first frame
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._tick)

        self.view = pg.PlotWidget()
        self.view.setObjectName("toyView")
        self.view.setMinimumSize(280, 280)
        self.view.setAspectLocked(True)  # circles must look like circles
        self.view.setMenuEnabled(False)
        self.view.showGrid(x=True, y=True, alpha=0.12)
        for side in ("left", "bottom"):  # major grid lines only: minor ones are costly to repaint
            self.view.getAxis(side).setStyle(maxTickLevel=0)
        self.view.addLegend(offset=(8, 8), labelTextSize="9pt", brush=(0, 0, 0, 140))
        plot_item = self.view.getPlotItem()

        cmap = field_colormap()
        self.field_item = pg.ImageItem(axisOrder="row-major")  # field[i, j]: row i is y
        self.field_item.setColorMap(cmap)
        self.field_item.setLevels((0.0, 1.0))
        self.field_item.setZValue(-100)
        self.view.addItem(self.field_item)
        # A fixed 0..1 scale; not interactive, since its levels mean probabilities.
        self.colorbar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=cmap, interactive=False, width=12)
        live(self.colorbar.axis, "setLabel", lambda: self.tr("D(x): P(real)"))
        self.colorbar.setImageItem(self.field_item, insert_in=plot_item)
        plot_item.layout.setContentsMargins(2, 8, 4, 2)  # room for the bar's "1.0" at the top

        self.arrow_item = pg.PlotDataItem(pen=pg.mkPen(ARROW_PEN, width=1), connect="pairs")
        self.arrow_item.setZValue(5)
        self.arrow_item.setVisible(False)
        self.view.addItem(self.arrow_item)

        # One brush for all points: per-point brushes cost a Python object per point.
        self.real_item = pg.ScatterPlotItem(
            size=4, pen=None, brush=pg.mkBrush(REAL_BRUSH), pxMode=True, name=self.tr("real")
        )
        self.real_item.setZValue(10)
        self.view.addItem(self.real_item)
        self.fake_item = pg.ScatterPlotItem(
            size=6,
            pen=pg.mkPen(20, 20, 20, 180, width=0.8),
            brush=pg.mkBrush(FAKE_COLOR),
            pxMode=True,
            name=self.tr("generated"),
        )
        self.fake_item.setZValue(20)
        self.view.addItem(self.fake_item)

        # Only the generated points move between states: the rest is blitted from pixmaps, re-rendered
        # only when it changes (tests/app/test_panels.py compares the pictures; see bench/ui_cost.py).
        cache_as_pixmaps(
            self.field_item,
            self.real_item,
            self.colorbar,
            plot_item.legend,
            *map(self.view.getAxis, ("left", "bottom")),
        )

        self.field_check = QCheckBox()
        self.field_check.setObjectName("fieldCheck")
        self.field_check.setChecked(True)
        live(self.field_check, "setText", lambda: self.tr("D field"))
        live(
            self.field_check,
            "setToolTip",
            lambda: self.tr(
                "Background: the discriminator's probability that a point "
                "is real (green = real, purple = fake, dark = unsure)."
            ),
        )
        self.arrows_check = QCheckBox()
        self.arrows_check.setObjectName("arrowsCheck")
        self.arrows_check.setChecked(False)
        live(self.arrows_check, "setText", lambda: self.tr("G gradients"))
        live(self.arrows_check, "setToolTip", lambda: self.tr("Where each generated point is being pushed this step."))

        controls = QHBoxLayout()
        controls.setContentsMargins(4, 0, 4, 0)
        controls.addWidget(self.field_check)
        controls.addWidget(self.arrows_check)
        controls.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.view, 1)
        layout.addLayout(controls)

        self.field_check.toggled.connect(self.field_item.setVisible)
        self.arrows_check.toggled.connect(self._draw_arrows)

    # ------------------------------------------------------------------ API
    def set_real(self, points: np.ndarray, extent: tuple[float, float]) -> None:
        """Real data (N, 2) and the square data extent (lo, hi) shared by both axes."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        lo, hi = float(extent[0]), float(extent[1])
        if not hi > lo:
            raise ValueError(f"extent must be (lo, hi) with hi > lo, got {extent}")
        self._extent = (lo, hi)
        self.real_item.setData(x=pts[:, 0], y=pts[:, 1])
        self.field_item.setRect(QRectF(lo, lo, hi - lo, hi - lo))
        # a fixed range: points moving must not make the view breathe
        self.view.getPlotItem().getViewBox().disableAutoRange()
        self.view.setRange(xRange=(lo, hi), yRange=(lo, hi), padding=0.0)

    def update_state(self, fake: np.ndarray, field: np.ndarray | None = None, arrows: np.ndarray | None = None) -> None:
        """New generator samples (M, 2); optionally D's field (R, R) in [0, 1] and G's
        displacement per sample (M, 2). ``field=None`` keeps the last field (it may be computed
        less often than the points); ``arrows=None`` hides the arrows (old ones would point
        from the wrong places)."""
        target = np.asarray(fake, dtype=np.float64).reshape(-1, 2)
        if arrows is not None:
            arrows = np.asarray(arrows, dtype=np.float64).reshape(-1, 2)
            if arrows.shape != target.shape:
                raise ValueError(f"arrows {arrows.shape} must match fake points {target.shape}")
        if field is not None:
            field = np.asarray(field, dtype=np.float32)
            if field.ndim != 2:
                raise ValueError(f"field must be (R, R), got shape {field.shape}")
            self._field = field
        # Raw gradients are in loss units, often many times the data's scale: lines across the
        # whole view. One factor for all keeps directions and relative strengths readable;
        # scaled once here, not in every tween frame that redraws them.
        self._arrows = None if arrows is None else arrows * self.arrow_scale(arrows)
        if self._shown is not None and self._shown.shape == target.shape:
            # glide from wherever the points are now, also mid-tween
            self._start = self._shown.copy()
            self._target = target
            self._clock.start()
            if not self._timer.isActive():
                self._timer.start()
            # A new field waits for the glide's first frame: one paint for both, where drawing
            # it now, under points that have not moved yet, was a quarter of the view's paints.
            self._draw_arrows()  # new (or no) arrows show now, from where the points are
        else:  # first state, or a different sample count: nothing to glide from
            self._timer.stop()
            self._start = None
            self._target = target
            self._set_points(target)

    def changeEvent(self, event) -> None:
        """A language switch renames the legend's entries (and redraws the cached layers)."""
        super().changeEvent(event)
        if event.type() == event.Type.LanguageChange:
            names = {self.real_item: self.tr("real"), self.fake_item: self.tr("generated")}
            legend = self.view.getPlotItem().legend
            for sample, label in legend.items if legend is not None else ():
                if sample.item in names:
                    sample.item.opts["name"] = names[sample.item]
                    label.setText(names[sample.item])

    def clear(self) -> None:
        self._timer.stop()
        self._shown = self._start = self._target = self._arrows = self._field = None
        self.real_item.clear()
        self.fake_item.clear()
        self.field_item.clear()
        self.arrow_item.setData([], [])

    def fake_positions(self) -> np.ndarray | None:
        """(M, 2) generated points as drawn right now (mid-tween included)."""
        return None if self._shown is None else self._shown.copy()

    def arrow_scale(self, arrows: np.ndarray) -> float:
        """The factor that draws G's gradients (M, 2) with the 95th-percentile one at
        ARROW_LENGTH of the view's extent (1 when they are all zero or not finite)."""
        lengths = np.hypot(arrows[:, 0], arrows[:, 1])
        lengths = lengths[np.isfinite(lengths)]
        ref = float(np.percentile(lengths, 95)) if lengths.size else 0.0
        lo, hi = self._extent
        return ARROW_LENGTH * (hi - lo) / ref if ref > 0 else 1.0

    def is_animating(self) -> bool:
        return self._timer.isActive()

    # ------------------------------------------------------------------ internals
    def _tick(self) -> None:
        if self._start is None or self._target is None:
            self._timer.stop()
            return
        t = min(1.0, self._clock.elapsed() / TWEEN_MS)
        if t >= 1.0:
            self._timer.stop()
            self._start = None
            self._set_points(self._target)
            return
        w = _smoothstep(t)
        self._set_points(self._start + (self._target - self._start) * w)

    def _set_points(self, pos: np.ndarray) -> None:
        if self._field is not None:
            lo, hi = self._extent
            self.field_item.setImage(self._field, autoLevels=False, levels=(0.0, 1.0))
            self.field_item.setRect(QRectF(lo, lo, hi - lo, hi - lo))
            self._field = None
        self._shown = pos
        if not _move_points(self.fake_item, pos):
            self.fake_item.setData(x=pos[:, 0], y=pos[:, 1])
        self._draw_arrows()

    def _draw_arrows(self, *_: object) -> None:
        pos, d = self._shown, self._arrows
        if not self.arrows_check.isChecked() or pos is None or d is None or d.shape != pos.shape:
            self.arrow_item.setVisible(False)
            return
        # one item for all segments: (x0, x0 + dx, x1, x1 + dx1, ...) with connect="pairs"
        xy = np.empty((2 * pos.shape[0], 2), dtype=np.float64)
        xy[0::2] = pos
        xy[1::2] = pos + d
        self.arrow_item.setData(xy[:, 0], xy[:, 1], connect="pairs")
        self.arrow_item.setVisible(True)
