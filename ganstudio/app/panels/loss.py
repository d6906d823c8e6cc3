"""Loss curves (D and G) and the discriminator's readouts D(x), D(G(z)), live.

Storage is a bounded :class:`~ganstudio.history.History` ("Bounded memory"), so a week-long run costs the
same memory and redraw time as a minute-long one. A redraw only calls ``setData`` on items
made once in ``__init__``; nothing is created or removed per update.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Iterable, Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QCheckBox, QGraphicsItem, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from ganstudio.app.i18n import QT_TRANSLATE_NOOP, live
from ganstudio.history import History, columns_from_rows, ema_smooth

LOSS_KEYS = ("loss_d", "loss_g")
PROB_KEYS = ("d_real", "d_fake")
KEYS = LOSS_KEYS + PROB_KEYS
CAPACITY = 4096  # points kept per series; decimated (every other point) when full
MAX_MARKERS = 50  # hyper-parameter change markers kept; the oldest go first

# Readable on pyqtgraph's default dark background. D(x)/D(G(z)) use the 2D points view's field
# colours: green = "D says real", purple = "D says fake".
COLORS = {
    "loss_d": "#4da3ff",
    "loss_g": "#ffa040",
    "d_real": "#5fd07a",
    "d_fake": "#c685ff",
}
NAMES = {  # the legend's (D(x) and D(G(z)) are formulas: the same in every language)
    "loss_d": QT_TRANSLATE_NOOP("LossPanel", "D loss"),
    "loss_g": QT_TRANSLATE_NOOP("LossPanel", "G loss"),
    "d_real": "D(x)",
    "d_fake": "D(G(z))",
}
RAW_ALPHA = 55  # the unsmoothed curve is drawn faint behind the smoothed one (as if at this alpha)

LOG_DISABLED_TIP = QT_TRANSLATE_NOOP(
    "LossPanel",
    "Log scale needs positive losses; this run has losses <= 0 (usual for WGAN and hinge losses), "
    "so the axis stays linear.",
)
LOG_TIP = QT_TRANSLATE_NOOP("LossPanel", "Logarithmic y axis for the loss plot.")


def _name(key: str) -> str:
    return QCoreApplication.translate("LossPanel", NAMES[key])


def faint(color: str, alpha: int, background: Any) -> Any:
    """``color`` at ``alpha`` over ``background``, as one opaque colour. A noisy raw curve
    drawn translucent and antialiased took half of the loss plots' paint time (Qt blends
    every pixel of every segment); opaque and aliased, a 1 px line looks the same."""
    c, b, a = pg.mkColor(color), pg.mkColor(background), alpha / 255
    return pg.mkColor(*(round(a * x + (1 - a) * y) for x, y in zip(c.getRgb()[:3], b.getRgb()[:3])))


def _curve(plot: pg.PlotWidget, key: str, raw: bool) -> pg.PlotDataItem:
    if raw:
        look = {"pen": pg.mkPen(faint(COLORS[key], RAW_ALPHA, plot.backgroundBrush().color())), "antialias": False}
    else:
        look = {"pen": pg.mkPen(COLORS[key], width=2)}
    item = pg.PlotDataItem(
        **look,
        name=None if raw else _name(key),  # only the smoothed curve goes in the legend
        connect="finite",  # NaN (a missing value) breaks the line instead of breaking the plot
    )
    # No downsampling or clip-to-view: with the auto-ranged axes each moves the data's bounds
    # with the view, and the plot repaints for ever. History caps the points at CAPACITY.
    item.ganstudio_key = key  # its legend entry is renamed after a language switch
    if raw:
        item.setZValue(-1)
    plot.addItem(item)
    return item


def _escape(text: str) -> str:
    # InfiniteLine labels are str.format templates ("{value}"); user text must stay literal.
    return text.replace("{", "{{").replace("}", "}}")


class LossPanel(QWidget):
    """D/G losses on top, D(x) and D(G(z)) below, sharing the step axis."""

    def __init__(self, parent: QWidget | None = None, capacity: int = CAPACITY):
        super().__init__(parent)
        self.setObjectName("lossPanel")
        self.setMinimumSize(360, 320)
        self.history = History(KEYS, capacity=capacity)
        self._nonpositive_loss = False  # sticky until clear(): decimation must not flip log on/off
        self._probabilities = True  # D readouts all in [0, 1] so far (sticky like the above)
        self._markers: deque[tuple[pg.InfiniteLine, pg.InfiniteLine]] = deque()

        # ---- controls
        self.smoothing_slider = QSlider(Qt.Orientation.Horizontal)
        self.smoothing_slider.setObjectName("smoothingSlider")
        self.smoothing_slider.setRange(0, 99)  # alpha = value / 100
        self.smoothing_slider.setValue(60)
        self.smoothing_slider.setMinimumWidth(120)
        live(
            self.smoothing_slider,
            "setToolTip",
            lambda: self.tr("Exponential smoothing of the curves (display only; the faint line is the raw data)."),
        )
        self.smoothing_value = QLabel()
        self.smoothing_value.setMinimumWidth(32)
        self.log_check = QCheckBox()
        self.log_check.setObjectName("logScaleCheck")
        live(self.log_check, "setText", lambda: self.tr("Log scale"))
        live(self.log_check, "setToolTip", lambda: self.tr(LOG_TIP))

        controls = QHBoxLayout()
        controls.setContentsMargins(4, 0, 4, 0)
        smoothing = QLabel(objectName="smoothingLabel")
        live(smoothing, "setText", lambda: self.tr("Smoothing"))
        controls.addWidget(smoothing)
        controls.addWidget(self.smoothing_slider, 1)
        controls.addWidget(self.smoothing_value)
        controls.addSpacing(12)
        controls.addWidget(self.log_check)

        # ---- plots
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("lossPlot")
        self.plot.setMinimumHeight(160)
        live(self.plot, "setLabel", lambda: self.tr("loss"), "left")
        live(self.plot, "setLabel", lambda: self.tr("step"), "bottom")
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        # one row above the data (issue 28: a legend over the curves hides them)
        legend_above(self.plot, labelTextSize="9pt", colCount=2)
        self.plot.setMenuEnabled(False)  # pyqtgraph's menu would offer settings we overwrite

        self.prob_plot = pg.PlotWidget()
        self.prob_plot.setObjectName("probPlot")
        self.prob_plot.setMinimumHeight(120)
        live(self.prob_plot, "setLabel", lambda: self.tr("D output"), "left")
        live(self.prob_plot, "setLabel", lambda: self.tr("step"), "bottom")
        self.prob_plot.showGrid(x=True, y=True, alpha=0.15)
        legend_above(self.prob_plot, labelTextSize="9pt", colCount=2)
        self.prob_plot.setMenuEnabled(False)
        self.prob_plot.setXLink(self.plot)
        # Both readouts meet at 0.5 when D can no longer tell real from fake.
        self._half_line = pg.InfiniteLine(
            0.5, angle=0, pen=pg.mkPen((160, 160, 160, 110), width=1, style=Qt.PenStyle.DashLine)
        )
        self.prob_plot.addItem(self._half_line, ignoreBounds=True)
        for p in (self.plot, self.prob_plot):
            # Left axes share a width so the two plots' x axes line up exactly.
            p.getAxis("left").setWidth(52)
            # pyqtgraph draws a translucent grid line per tick of every level, which tripled
            # this panel's repaint time; keep the y axis's half-steps (0.5, 1.5: losses live in a
            # narrow band) and only major steps along x.
            p.getAxis("left").setStyle(maxTickLevel=1)
            p.getAxis("bottom").setStyle(maxTickLevel=0)

        # raw first so it sits underneath; one pair per series, made once, reused forever
        self._raw: dict[str, pg.PlotDataItem] = {}
        self._smooth: dict[str, pg.PlotDataItem] = {}
        for key in KEYS:
            target = self.plot if key in LOSS_KEYS else self.prob_plot
            self._raw[key] = _curve(target, key, raw=True)
        for key in KEYS:
            target = self.plot if key in LOSS_KEYS else self.prob_plot
            self._smooth[key] = _curve(target, key, raw=False)
        cache_as_pixmaps(self.plot.getPlotItem().legend, self.prob_plot.getPlotItem().legend)
        self.plot.getPlotItem().getViewBox().sigXRangeChanged.connect(self._place_marker_labels)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addLayout(controls)
        layout.addWidget(self.plot, 3)
        layout.addWidget(self.prob_plot, 2)

        self.smoothing_slider.valueChanged.connect(self._on_smoothing)
        self.log_check.toggled.connect(self._on_log_toggled)
        self._on_smoothing()
        self._apply_prob_range()

    # ------------------------------------------------------------------ API
    def smoothing(self) -> float:
        """The EMA weight shown by the slider, in [0, 0.99]."""
        return self.smoothing_slider.value() / 100.0

    def append(self, steps: np.ndarray, values: Mapping[str, np.ndarray]) -> None:
        """New rows: ``steps`` (k,) and ``values[key]`` (k,) for loss_d, loss_g, d_real, d_fake.

        Unknown keys are ignored; a missing key shows as a gap.
        """
        steps = np.atleast_1d(np.asarray(steps))
        if steps.size == 0:
            return
        known = {k: v for k, v in values.items() if k in KEYS}
        self.history.append(steps, known)  # first: a malformed batch raises before any change
        self._scan(known)
        self._redraw()

    def append_rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """New metrics.jsonl rows (a followed run), read as :meth:`set_rows` reads them."""
        self.append(*columns_from_rows(rows, KEYS))

    def set_rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Replace everything with metrics.jsonl rows (opening a saved run)."""
        self._reset()
        rows = list(rows)
        self.history.extend_rows(rows)
        # scan every row, not just what survives decimation, so the flags match the whole run
        cols = {k: np.array([_num(r.get(k)) for r in rows], dtype=np.float64) for k in KEYS}
        self._scan(cols)
        self._redraw()

    def changeEvent(self, event) -> None:
        """A language switch renames the legends' entries (the curves keep their data)."""
        super().changeEvent(event)
        if event.type() == event.Type.LanguageChange:
            for p in (self.plot, self.prob_plot):
                legend = p.getPlotItem().legend
                for sample, label in legend.items if legend is not None else ():
                    key = getattr(sample.item, "ganstudio_key", None)
                    if key is not None:
                        sample.item.opts["name"] = _name(key)
                        label.setText(_name(key))

    def clear(self) -> None:
        self._reset()
        self._redraw()

    def add_marker(self, step: int, text: str) -> None:
        """A labelled vertical line at ``step`` (e.g. "lr 2e-4"); the oldest go past 50."""
        pen = pg.mkPen((230, 230, 230, 140), width=1, style=Qt.PenStyle.DashLine)
        line = pg.InfiniteLine(
            pos=float(step),
            angle=90,
            movable=False,
            pen=pen,
            label=_escape(str(text)),
            # near the top, beside the line (the side with room: _place_marker_labels), on a
            # backing so it reads over the curves
            labelOpts={"position": 0.97, "color": (235, 235, 235), "fill": (0, 0, 0, 150), "anchors": [(0, 0), (0, 0)]},
        )
        line.label.setProperty("side", "right")
        twin = pg.InfiniteLine(pos=float(step), angle=90, movable=False, pen=pen)
        line.setToolTip(self.tr("step {step}: {change}").format(step=int(step), change=text))
        # ignoreBounds: a marker must not stretch the autorange past the data
        self.plot.addItem(line, ignoreBounds=True)
        self.prob_plot.addItem(twin, ignoreBounds=True)
        self._markers.append((line, twin))
        while len(self._markers) > MAX_MARKERS:
            old, old_twin = self._markers.popleft()
            self.plot.removeItem(old)
            self.prob_plot.removeItem(old_twin)
        self._place_marker_labels()

    def _place_marker_labels(self, *_: Any) -> None:
        """A marker's label goes right of its line, or left of it in the right half of the view,
        so that "lr_g=0.001" is never cut at the plot's edge. Only labels that change side are touched."""
        if not self._markers:
            return
        x0, x1 = self.plot.getPlotItem().getViewBox().viewRange()[0]
        middle = (x0 + x1) / 2
        for line, _twin in self._markers:
            side = "left" if line.value() > middle else "right"
            if line.label.property("side") != side:
                line.label.setProperty("side", side)
                anchor = (1, 0) if side == "left" else (0, 0)
                line.label.anchors = [anchor, anchor]
                line.label.updatePosition()

    def marker_count(self) -> int:
        return len(self._markers)

    def curve(self, key: str, smoothed: bool = True) -> pg.PlotDataItem:
        """The plot item drawing ``key`` (for tests and for the window's export)."""
        return (self._smooth if smoothed else self._raw)[key]

    # ------------------------------------------------------------------ internals
    def _reset(self) -> None:
        self.history.clear()
        for line, twin in self._markers:
            self.plot.removeItem(line)
            self.prob_plot.removeItem(twin)
        self._markers.clear()
        self._nonpositive_loss = False
        self._probabilities = True
        self.log_check.setEnabled(True)
        live(self.log_check, "setToolTip", lambda: self.tr(LOG_TIP))
        self._apply_prob_range()

    def _scan(self, values: Mapping[str, Any]) -> None:
        """Update the sticky flags from incoming values (before decimation can drop any)."""
        changed_prob = False
        for key, v in values.items():
            y = np.asarray(v, dtype=np.float64)
            y = y[np.isfinite(y)]
            if y.size == 0:
                continue
            if key in LOSS_KEYS and not self._nonpositive_loss and (y <= 0).any():
                self._nonpositive_loss = True
                self.log_check.setChecked(False)  # toggles log mode off through the signal
                self.log_check.setEnabled(False)
                live(self.log_check, "setToolTip", lambda: self.tr(LOG_DISABLED_TIP))
            if key in PROB_KEYS and self._probabilities and ((y < 0) | (y > 1)).any():
                self._probabilities = False  # raw critic scores (WGAN, hinge): autorange
                changed_prob = True
        if changed_prob:
            self._apply_prob_range()

    def _apply_prob_range(self) -> None:
        vb = self.prob_plot.getPlotItem().getViewBox()
        if self._probabilities:
            # fixed [0, 1]: probabilities read best against their full range
            vb.enableAutoRange(axis=pg.ViewBox.YAxis, enable=False)
            vb.setYRange(0.0, 1.0, padding=0.03)
            self._half_line.show()
        else:
            vb.enableAutoRange(axis=pg.ViewBox.YAxis, enable=True)
            self._half_line.hide()

    def _on_smoothing(self, *_: Any) -> None:
        self.smoothing_value.setText(f"{self.smoothing():.2f}")
        self._redraw()

    def _on_log_toggled(self, on: bool) -> None:
        self.plot.setLogMode(y=bool(on))
        self._redraw()

    def _redraw(self) -> None:
        x = self.history.steps().astype(np.float64)
        n = len(x)
        alpha = self.smoothing()
        log = self.log_check.isChecked()
        for key in KEYS:
            # [:n]: a plot's range signal can re-enter and append mid-loop; the next redraw shows the rest
            y = self.history.series(key)[:n]
            # The finite check costs a full pass inside pyqtgraph; skip it when we know
            # there is nothing to skip (NaNs, or zeros under a log axis).
            finite = bool(np.isfinite(y).all()) and not (log and key in LOSS_KEYS and (y <= 0).any())
            raw, smooth = self._raw[key], self._smooth[key]
            if alpha > 0:
                raw.setData(x, y, connect="finite", skipFiniteCheck=finite)
                raw.setVisible(True)
                ys = ema_smooth(y, alpha)
            else:
                raw.setData([], [])  # would be drawn exactly under the "smoothed" one
                raw.setVisible(False)
                ys = y
            smooth.setData(x, ys, connect="finite", skipFiniteCheck=finite)
        settle_auto_range(self.plot, self.prob_plot)


LEGEND_ROW = 22  # pixels above a plot's data for its legend


def legend_above(plot: pg.PlotWidget, **kw: Any) -> pg.LegendItem:
    """The plot's legend in one row above its data, never over it: the plot keeps a margin
    of LEGEND_ROW pixels at its top and the legend sits there, right of the left axis."""
    item = plot.getPlotItem()
    legend = item.addLegend(offset=None, **kw)
    legend.setParentItem(item)  # the plot item, not the view box: outside the data
    legend.layout.setContentsMargins(0, 0, 0, 0)
    legend.anchor(itemPos=(0, 0), parentPos=(0, 0), offset=(56, 0))
    left, _top, right, bottom = item.layout.getContentsMargins()
    item.layout.setContentsMargins(left, LEGEND_ROW, right, bottom)
    return legend


def settle_auto_range(*plots: pg.PlotWidget) -> None:
    """Settle the plots' auto-range (and the transform it implies) now, after new data,
    rather than in their next paint: done there, the new range re-draws the axes and
    schedules a second repaint."""
    for p in plots:
        vb = p.getPlotItem().getViewBox()
        vb.updateAutoRange()
        vb.updateMatrix()


def cache_as_pixmaps(*items: Any) -> None:
    """Have Qt keep each of ``items``, and everything inside it, as a device pixmap, blitted
    on repaints and re-rendered only when the item itself changes. For what stays put while
    something else on the plot moves: a legend, an axis, a colour bar, a backdrop."""
    for item in items:
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        cache_as_pixmaps(*item.childItems())


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan
