"""How often the curves redraw while training: the loss curves with every ``FLUSH_EVERY``-th
snapshot that brings rows, new evaluations on the same cadence halfway between two loss
redraws, so that the two panels never redraw in the same stretch of the UI thread. Counted in
snapshots, not timed, so the cadence follows training's (see worker.Pacer and
bench/app_perf.py); a pause or the end of training draws what is pending at once."""

from __future__ import annotations

import time
from collections import deque
from typing import Callable

import numpy as np

FLUSH_EVERY = 3
QUALITY_AT = FLUSH_EVERY // 2 + 1  # the snapshot, counted from a loss redraw, that draws evaluations


class CurvePacing:
    def __init__(self, loss_panel, quality_panel):
        self.loss_panel, self.quality_panel = loss_panel, quality_panel
        self._rows: list[tuple[np.ndarray, dict[str, np.ndarray]]] = []
        self._evals: list[dict] = []
        self._unflushed = 0  # snapshots with rows or evaluations since the loss curves were redrawn

    def add(self, snap, paused: bool) -> None:
        """A worker.Snapshot's rows and evaluations: drawn now, or held for the cadence."""
        if len(snap.steps):
            self._rows.append((snap.steps, snap.values))
        self._evals += [{"step": e.step, **e.values, "best": e.best} for e in snap.evals]
        if len(snap.steps) or snap.evals:
            self._unflushed += 1
        if paused:
            self.flush()  # the row of a Step, say: no more snapshots are coming to count on
        elif self._unflushed >= FLUSH_EVERY:
            self.flush_losses()
        elif self._unflushed == QUALITY_AT:
            self.flush_quality()

    def flush(self) -> None:
        self.flush_losses()
        self.flush_quality()

    def flush_losses(self) -> None:
        self._unflushed = 0
        rows, self._rows = self._rows, []
        if rows:
            self.loss_panel.append(
                np.concatenate([r[0] for r in rows]), {k: np.concatenate([r[1][k] for r in rows]) for k in rows[0][1]}
            )

    def flush_quality(self) -> None:
        evals, self._evals = self._evals, []
        if evals:
            self.quality_panel.append_rows(evals)


RATE_WINDOW_S = 20.0  # the ETA's rate: steps over the last this many seconds of training


class RateWindow:
    """Steps per second over the last ``window_s`` seconds of training, for the ETA: steady
    through a few slow snapshots (a projection in the UI thread, issue 28: "50 steps/s" swung
    to "5 steps/s ETA 55m35s"). ``reset`` on pause, resume and stop: parked time never counts."""

    def __init__(self, window_s: float = RATE_WINDOW_S, clock: Callable[[], float] = time.monotonic):
        self.window_s, self.clock = window_s, clock
        self._points: deque[tuple[float, int]] = deque()

    def reset(self) -> None:
        self._points.clear()

    def add(self, step: int) -> float | None:
        """The rate including this snapshot's ``step``; None until a second of training is seen."""
        now = self.clock()
        pts = self._points
        if pts and step < pts[-1][1]:  # a rollback or a resume from an earlier step
            pts.clear()
        pts.append((now, step))
        while len(pts) > 2 and now - pts[1][0] >= self.window_s:
            pts.popleft()
        t0, s0 = pts[0]
        if now - t0 < 1.0:
            return None
        return (step - s0) / (now - t0)
