"""Quality over training (evals.jsonl rows, see ganstudio/metrics/evaluate.py) and the
health-alarm banner (ganstudio/health.py).

The quality plot has two rows sharing the step axis: the main distance (JS for 2D sets,
FCD for images, with the real-vs-real floor as a dashed line and the best checkpoint's step
marked) and coverage in percent (modes or classes covered, HQ or confident samples), with
images' memorisation figure (percent of samples nearer a training image than training images
are to each other, metrics/neighbours.py) in red on the same axis.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ganstudio.app.panels.loss import cache_as_pixmaps, legend_above, settle_auto_range
from ganstudio.history import History
from ganstudio.metrics.evaluate import format_metrics

KEYS = (
    "js",
    "kl",
    "modes",
    "n_modes",
    "hq",
    "fcd",
    "fcd_floor",
    "class_coverage",
    "n_classes",
    "confident",
    "precision",
    "recall",
    "memorized",
    "best",
)
CAPACITY = 2048  # evaluations kept (decimated beyond); a run evaluates every few hundred steps
MARKED_UP_TO = 150  # a dot per evaluation up to this many: pyqtgraph rebuilds each dot per redraw

COLORS = {"main": "#ffd24d", "floor": "#aaaaaa", "coverage": "#5fd07a", "quality": "#4da3ff", "memorized": "#ff6b6b"}


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan


class QualityPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("qualityPanel")
        self.history = History(KEYS, capacity=CAPACITY)
        self._best: tuple[int, float] | None = None  # (step, value) of the best evaluation

        self.summary = QLabel(
            "Quality: evaluated every few hundred steps while training (no evaluation yet)",
            objectName="metricSummary",
            wordWrap=True,
        )
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # How the evaluations' feature net is coming along (trained in the background on a
        # new dataset), or why there are no evaluations; hidden once evaluations arrive.
        self.status = QLabel(objectName="qualityStatusLabel", wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()
        self._status_error = False

        self.plot = pg.PlotWidget()
        self.plot.setObjectName("metricPlot")  # (a constructor keyword goes to the PlotItem)
        self.plot.setMinimumHeight(110)
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        legend_above(self.plot, labelTextSize="9pt")  # above the data, never over it
        self.main_curve = self.plot.plot(
            pen=pg.mkPen(COLORS["main"], width=2), symbol="o", symbolSize=5, symbolBrush=COLORS["main"], name="distance"
        )
        # Not in the legend (it would stay there for 2D sets, which have no floor); the
        # summary line says what the dashed line is.
        self.floor_curve = self.plot.plot(pen=pg.mkPen(COLORS["floor"], width=1, style=Qt.PenStyle.DashLine))
        self.best_mark = pg.ScatterPlotItem(size=14, symbol="star", brush=pg.mkBrush("#ffffff"), pen=None)
        self.plot.addItem(self.best_mark)

        self.cov_plot = pg.PlotWidget()
        self.cov_plot.setObjectName("coveragePlot")
        self.cov_plot.setMinimumHeight(90)
        self.cov_plot.showGrid(x=True, y=True, alpha=0.2)
        self.cov_plot.setXLink(self.plot)
        self.cov_plot.setYRange(0, 100, padding=0.03)
        self.cov_plot.getPlotItem().getViewBox().enableAutoRange(axis=pg.ViewBox.YAxis, enable=False)
        self.cov_plot.setLabel("left", "%")
        self.cov_plot.setLabel("bottom", "step")
        for p in (self.plot, self.cov_plot):  # "(x0.001)" reads badly on steps and on JS
            for axis in ("bottom", "left"):
                p.getAxis(axis).enableAutoSIPrefix(False)
        legend_above(
            self.cov_plot, labelTextSize="9pt", colCount=3
        )  # one row above the data: the curves live near 100%
        self.cov_curve = self.cov_plot.plot(
            pen=pg.mkPen(COLORS["coverage"], width=2),
            symbol="o",
            symbolSize=5,
            symbolBrush=COLORS["coverage"],
            name="coverage",
        )
        self.q_curve = self.cov_plot.plot(pen=pg.mkPen(COLORS["quality"], width=2), name="quality")
        self.memo_curve = self.cov_plot.plot(
            pen=pg.mkPen(COLORS["memorized"], width=2),
            symbol="t",
            symbolSize=5,
            symbolBrush=COLORS["memorized"],
            name="memorized",
        )

        self._symbols = {c: c.opts["symbol"] for c in (self.main_curve, self.cov_curve, self.memo_curve)}

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.summary)
        lay.addWidget(self.status)
        lay.addWidget(self.plot, 3)
        lay.addWidget(self.cov_plot, 2)
        self._kind: str | None = None
        self._fixed_y = False  # the y range set for a single evaluation (see _single_point_range)
        self._relabel()

    # ------------------------------------------------------------------ API
    def append_rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """New evaluation rows: dicts with 'step' and metric keys (evals.jsonl or Evaluated)."""
        rows = [r for r in rows if isinstance(r.get("step"), (int, np.integer))]
        if not rows:
            return
        self.history.extend_rows(rows)
        if not self._status_error:
            self.set_status("")  # evaluations are here: nothing more to say about getting ready
        kind_before = self._kind
        for r in rows:
            kind = "2d" if "js" in r else "image" if "fcd" in r else None
            self._kind = kind or self._kind  # the rows say what data they judge
            v = _num(r.get(self._main_key()))
            if r.get("best") and np.isfinite(v):
                self._best = (int(r["step"]), v)
        if self._kind != kind_before:  # new labels re-lay out the axes and legends: only on a change
            self._relabel()
        self._redraw(rows[-1])

    def set_status(self, text: str, error: bool = False, details: str = "") -> None:
        """One line about the evaluations' state (e.g. the feature net's training progress);
        "" hides it. ``details`` (a traceback) goes in the tooltip."""
        shown = (self.status.text(), self._status_error, self.status.toolTip())
        if (text, bool(text) and error, details or text) == shown:
            return  # each evaluation clears it: a new style sheet would re-lay out the panel
        self._status_error = bool(text) and error
        self.status.setText(text)
        self.status.setStyleSheet("color: #e06060" if error else "color: #999")
        self.status.setToolTip(details or text)
        self.status.setVisible(bool(text))

    def status_text(self) -> str:
        return self.status.text() if self.status.isVisibleTo(self) else ""

    def set_rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self.clear()
        self.append_rows(list(rows))

    def clear(self) -> None:
        self.history.clear()
        self.set_status("")
        self._best = None  # the kind stays: set_kind or the next rows change it
        self.summary.setText("Quality: no evaluation yet")
        self._relabel()
        self._redraw(None)
        for plot in (self.plot, self.cov_plot):  # empty: not the last run's axes
            vb = plot.getPlotItem().getViewBox()
            vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            vb.enableAutoRange()

    def set_kind(self, kind: str) -> None:
        """Label the plots for '2d' or 'image' data before the first evaluation arrives."""
        if self._kind != kind:
            self._kind = kind
            self._relabel()

    @property
    def best(self) -> tuple[int, float] | None:
        return self._best

    # ------------------------------------------------------------------ internals
    def _main_key(self) -> str:
        return "fcd" if self._kind == "image" else "js"

    def _relabel(self) -> None:
        image = self._kind == "image"
        self.plot.setLabel("left", "FCD" if image else "JS divergence")
        self.plot.getPlotItem().legend.getLabel(self.main_curve).setText(
            "FCD (classifier features)" if image else "JS of 30x30 histograms"
        )
        self.floor_curve.setVisible(image)
        self.cov_plot.getPlotItem().legend.getLabel(self.cov_curve).setText(
            "classes covered" if image else "modes covered"
        )
        self.cov_plot.getPlotItem().legend.getLabel(self.q_curve).setText(
            "confident samples" if image else "HQ samples"
        )
        legend = self.cov_plot.getPlotItem().legend  # memorisation: images only
        if image and legend.getLabel(self.memo_curve) is None:
            legend.addItem(self.memo_curve, "memorized")
        elif not image and legend.getLabel(self.memo_curve) is not None:
            legend.removeItem(self.memo_curve)
        # The legends only change here; each evaluation's repaint blits them.
        cache_as_pixmaps(self.plot.getPlotItem().legend, legend)

    def _redraw(self, last: Mapping[str, Any] | None) -> None:
        h = self.history
        x = h.steps().astype(np.float64)
        self._mark_points(len(x) <= MARKED_UP_TO)  # first: no dots built only to be hidden
        main = h.series(self._main_key())
        self.main_curve.setData(x, main, connect="finite")
        if self._kind == "image":
            self.floor_curve.setData(x, h.series("fcd_floor"), connect="finite")
            cov = 100 * h.series("class_coverage") / h.series("n_classes")
            q = h.series("confident")
        else:
            self.floor_curve.setData([], [])
            cov = 100 * h.series("modes") / h.series("n_modes")
            q = h.series("hq")
        self.cov_curve.setData(x, cov, connect="finite")
        self.q_curve.setData(x, q, connect="finite")
        memo = h.series("memorized") if self._kind == "image" else np.zeros(0)
        if np.isfinite(memo).any():  # (rows from before the figure existed have none)
            self.memo_curve.setData(x, memo, connect="finite")
        else:
            self.memo_curve.setData([], [])
        self.memo_curve.setVisible(self._kind == "image")
        self.best_mark.setData([self._best[0]], [self._best[1]]) if self._best else self.best_mark.setData([], [])
        if last is not None:
            self.summary.setText(self._describe(last))
        self._single_point_range(main)
        settle_auto_range(self.plot, self.cov_plot)

    def _single_point_range(self, main: np.ndarray) -> None:
        """One evaluation: a range from 0 to past the value (autorange would make "499.6 ... 500.4"
        of it); two or more: autorange again."""
        vb = self.plot.getPlotItem().getViewBox()
        finite = main[np.isfinite(main)]
        if len(finite) == 1:
            v = float(finite[0])
            low, high = (0.0, 1.2 * v) if v > 0 else (1.2 * v, 0.0) if v < 0 else (0.0, 1.0)
            vb.setYRange(low, high, padding=0)
            self._fixed_y = True
        elif self._fixed_y:
            self._fixed_y = False
            vb.enableAutoRange(axis=pg.ViewBox.YAxis, enable=True)

    def _mark_points(self, on: bool) -> None:
        for curve, symbol in self._symbols.items():
            if (curve.opts["symbol"] is not None) != on:
                curve.setSymbol(symbol if on else None)

    def _describe(self, m: Mapping[str, Any]) -> str:
        try:
            text = f"<b>Quality at step {m['step']}</b>: {_html(format_metrics(m))}"
        except (KeyError, TypeError, ValueError):  # a hand-edited or foreign evals.jsonl row
            return f"<b>Quality at step {m['step']}</b>: (row not understood)"
        if "fcd" in m:
            text += " (floor dashed)"
        if self._best:
            text += f" &nbsp;&#9733; best at step {self._best[0]}"
        return text


class AlarmBanner(QFrame):
    """One line over the plots: what the health monitor saw and what to try."""

    STYLES = {
        "warn": "QFrame#alarmBanner { background: #5a4512; border: 1px solid #c99a2e; border-radius: 4px; }",
        "stop": "QFrame#alarmBanner { background: #5c1f1f; border: 1px solid #d05050; border-radius: 4px; }",
    }

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("alarmBanner")
        self.text = QLabel(objectName="alarmText", wordWrap=True)
        self.text.setStyleSheet("color: #f4f4f4;")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dismiss = QPushButton("Dismiss", objectName="alarmDismiss")
        self.dismiss.clicked.connect(self.hide)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.count = 0
        self.last = None
        self.hide()

    def overlay(self, host: QWidget) -> None:
        """Float over the bottom of ``host`` instead of taking a place in a layout: showing the
        banner moves nothing under the pointer (issue 28: it pushed the tabs down 58 px)."""
        self.setParent(host)
        self._host = host
        self.setAutoFillBackground(True)
        host.installEventFilter(self)
        self._place()

    def eventFilter(self, obj, event) -> bool:
        if obj is getattr(self, "_host", None) and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        host = getattr(self, "_host", None)
        if host is None:
            return
        margin = 6
        width = max(host.width() - 2 * margin, 100)
        lay = self.layout()
        height = max(lay.heightForWidth(width) if lay.hasHeightForWidth() else 0, self.sizeHint().height())
        self.setGeometry(margin, max(host.height() - height - margin, 0), width, height)
        self.raise_()

    def show_alarm(self, alarm) -> None:
        """Show a :class:`ganstudio.health.Alarm` (the newest replaces the one shown)."""
        self.count += 1
        self.last = alarm
        self.setStyleSheet(self.STYLES["stop" if alarm.paused else "warn"])
        icon = "&#9632;" if alarm.paused else "&#9888;"
        advice = f"<br><i>{_html(alarm.advice)}</i>" if alarm.advice else ""
        self.text.setText(f"{icon} <b>Step {alarm.step}:</b> {_html(alarm.title)}{advice}")
        self.show()
        self._place()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
