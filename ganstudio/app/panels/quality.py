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
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ganstudio.app.engine_text import engine_text
from ganstudio.app.i18n import live
from ganstudio.app.panels.loss import cache_as_pixmaps, legend_above, settle_auto_range
from ganstudio.history import History
from ganstudio.metrics.evaluate import metric_parts

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

        self.summary = QLabel(objectName="metricSummary", wordWrap=True)
        live(
            self.summary,
            "setText",
            lambda: self.tr("Quality: evaluated every few hundred steps while training (no evaluation yet)"),
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
        live(self.cov_plot, "setLabel", lambda: self.tr("step"), "bottom")
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
        self.utility = UtilityTable(self)  # what the run's synthetic data is worth (RUN/utility.json)
        lay.addWidget(self.utility)
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
        live(self.summary, "setText", lambda: self.tr("Quality: no evaluation yet"))
        self.utility.show_result(None)
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

    def show_utility(self, result: Mapping[str, Any] | None) -> None:
        """The figures of ``ganstudio utility`` (RUN/utility.json) as a small table; None hides it."""
        self.utility.show_result(result)

    def show_utility_of(self, run) -> None:
        """RUN/utility.json of an opened run, when it has one."""
        from ganstudio.metrics.utility import read_result

        self.utility.show_result(read_result(run))

    # ------------------------------------------------------------------ internals
    def _main_key(self) -> str:
        return "fcd" if self._kind == "image" else "js"

    def _relabel(self) -> None:
        image = self._kind == "image"
        live(self.plot, "setLabel", lambda: "FCD" if image else self.tr("JS divergence"), "left")
        live(
            self.plot.getPlotItem().legend.getLabel(self.main_curve),
            "setText",
            lambda: self.tr("FCD (classifier features)") if image else self.tr("JS of 30x30 histograms"),
        )
        self.floor_curve.setVisible(image)
        live(
            self.cov_plot.getPlotItem().legend.getLabel(self.cov_curve),
            "setText",
            lambda: self.tr("classes covered") if image else self.tr("modes covered"),
        )
        live(
            self.cov_plot.getPlotItem().legend.getLabel(self.q_curve),
            "setText",
            lambda: self.tr("confident samples") if image else self.tr("HQ samples"),
        )
        legend = self.cov_plot.getPlotItem().legend  # memorisation: images only
        if image and legend.getLabel(self.memo_curve) is None:
            legend.addItem(self.memo_curve, self.tr("memorized"))
            live(legend.getLabel(self.memo_curve), "setText", lambda: self.tr("memorized"))
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

    def _metrics_line(self, m: Mapping[str, Any]) -> str:
        """evaluate.format_metrics's line, in the app's language (its templates, context "Metrics")."""
        return "  ".join(QCoreApplication.translate("Metrics", t).format(**v) for t, v in metric_parts(m))

    def _describe(self, m: Mapping[str, Any]) -> str:
        try:
            metrics = _html(self._metrics_line(m))
        except (KeyError, TypeError, ValueError):  # a hand-edited or foreign evals.jsonl row
            return self.tr("<b>Quality at step {step}</b>: (row not understood)").format(step=m["step"])
        text = self.tr("<b>Quality at step {step}</b>: {metrics}").format(step=m["step"], metrics=metrics)
        if "fcd" in m:
            text += " " + self.tr("(floor dashed)")
        if self._best:
            text += " &nbsp;&#9733; " + self.tr("best at step {step}").format(step=self._best[0])
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
        self.dismiss = QPushButton(objectName="alarmDismiss")
        live(self.dismiss, "setText", lambda: self.tr("Dismiss"))
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
        step = self.tr("Step {step}:").format(step=alarm.step)
        self.text.setText(f"{icon} <b>{step}</b> {_html(alarm.title)}{advice}")
        self.show()
        self._place()


class UtilityTable(QWidget):
    """CAS beside the real reference, the worst class, the augmentation gain and leakage, with
    the leakage verdict in words (metrics/utility.py); hidden until a run has the figures."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("utilityBox")
        self.title = QLabel(objectName="utilityTitle")
        self.table = QTableWidget(0, 2, objectName="utilityTable")
        self.table.horizontalHeader().hide()
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        # Compact rows: at the default height eight rows squeezed the plots (seen at 1280x800).
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 4)
        self.verdict = QLabel(objectName="utilityVerdict", wordWrap=True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.addWidget(self.title)
        lay.addWidget(self.verdict)  # the words first: they matter most and must not be clipped
        lay.addWidget(self.table)
        self.result: Mapping[str, Any] | None = None
        self.hide()

    def show_result(self, u: Mapping[str, Any] | None) -> None:
        self.result = u
        try:
            rows = self._rows(u) if u else []
        except (KeyError, TypeError, ValueError, IndexError):  # a hand-edited utility.json
            rows = []
        self.setVisible(bool(rows))
        if not rows:
            return
        self.title.setText(
            self.tr("<b>Synthetic data at step {step}</b> (against {held})").format(
                step=u.get("step", "?"), held=_html(engine_text(str(u.get("held_out", ""))))
            )
        )
        self.table.setRowCount(len(rows))
        for i, (name, value) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(name))
            item = QTableWidgetItem(value)
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(i, 1, item)
        # At most its rows' height; it scrolls when the window leaves the panel less room.
        self.table.setMaximumHeight(self.table.verticalHeader().length() + 4)
        self.table.setMinimumHeight(min(3, len(rows)) * self.table.verticalHeader().defaultSectionSize() + 4)
        self.verdict.setText(self._verdict(u["leakage"]))

    def _rows(self, u: Mapping[str, Any]) -> list[tuple[str, str]]:
        c, leak = u["cas"], u["leakage"]
        names = list(u.get("class_names") or [])
        per = c["synthetic"]["per_class"]
        worst = int(np.nanargmin(per))
        rows = [
            (
                self.tr("CAS / the same CNN on %n real images", "", int(c["n_real"])),
                f"{c['cas']:.3f} / {c['real']['accuracy']:.3f}",
            ),
            (self.tr("Worst class"), f"{names[worst] if worst < len(names) else worst} {per[worst]:.2f}"),
        ]
        for n_real, b in (u.get("augmentation_best") or {}).items():
            label = self.tr("%n real images, with synthetic", "", int(n_real))
            if b["gain"] > 0:
                value = self.tr("{alone} -> {best} at {ratio}x").format(
                    alone=f"{b['alone']:.3f}", best=f"{b['best']:.3f}", ratio=f"{b['best_ratio']:g}"
                )
            else:
                value = self.tr("{alone}, no gain").format(alone=f"{b['alone']:.3f}")
            rows.append((label, value))
        # (memorized is in the summary line above the plots)
        rows.append(
            (
                self.tr("Near-copies (distance to training / to unseen images)"),
                f"{leak['near_copies']:,} / {leak['n']:,} ({leak['pixels']['ratio']:.2f}x)",
            )
        )
        return rows

    def _verdict(self, leak: Mapping[str, Any]) -> str:
        n, near = int(leak["n"]), int(leak["near_copies"])
        if near == 0:
            return self.tr("No near-copies of training images among %n samples.", "", n)
        if near >= max(1, n // 100):
            return self.tr("%n near-copies: the generator memorises training images.", "", near)
        return self.tr("%n near-copies: a few training images are reproduced; look at them.", "", near)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
