"""Bounded-memory scalar histories for live plots, and the smoothing the plots show.

Qt-free on purpose ("Qt stays in app/"): the app's loss panel stores its curves here, and anything else
(CLI summaries, tests) can use it without PySide6.

:class:`History` keeps at most ``capacity`` points per series however long a run gets. When
it fills up it decimates: it keeps every other point, so the resolution halves but the whole
run stays visible (pyqtgraph's ``scrollingPlots`` idea, "Bounded memory"). After a decimation it keeps
only every ``stride``-th point that arrives, so the stored points stay evenly spaced (in
arrival order) instead of old data getting coarser and coarser than new data; the newest
point is always kept as a provisional tail, so the plot's right end is never stale.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

__all__ = ["History", "columns_from_rows", "ema_smooth"]


class History:
    """Fixed-capacity store of float series that share one integer ``step`` axis.

    >>> h = History(["loss_d", "loss_g"], capacity=4)
    >>> h.append([1, 2], {"loss_d": [0.5, 0.4]})   # missing loss_g -> NaN
    >>> h.steps().tolist(), h.series("loss_g").tolist()
    ([1, 2], [nan, nan])
    """

    def __init__(self, keys: Sequence[str], capacity: int = 4096):
        keys = list(keys)
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate keys in {keys}")
        if int(capacity) < 4:
            raise ValueError(f"capacity must be >= 4, got {capacity}")
        self._keys = keys
        self._index = {k: i for i, k in enumerate(keys)}
        self._capacity = int(capacity)
        # Preallocated once: memory is fixed at capacity, whatever the run length.
        self._steps = np.zeros(self._capacity, dtype=np.int64)
        self._values = np.full((len(keys), self._capacity), np.nan, dtype=np.float64)
        # Arrival index of each stored point; decimation keeps those divisible by 2 * stride.
        self._order = np.zeros(self._capacity, dtype=np.int64)
        self.clear()

    # ------------------------------------------------------------------ properties
    @property
    def keys(self) -> list[str]:
        return list(self._keys)

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def stride(self) -> int:
        """1 until the first decimation, then 2, 4, ...: one stored point per ``stride`` arrivals."""
        return self._stride

    @property
    def total(self) -> int:
        """How many points have been appended since the last :meth:`clear` (stored or not)."""
        return self._seen

    def __len__(self) -> int:
        return self._n

    def __repr__(self) -> str:
        return (
            f"History(keys={self._keys!r}, capacity={self._capacity}, len={self._n}, "
            f"stride={self._stride}, total={self._seen})"
        )

    # ------------------------------------------------------------------ reading
    def steps(self) -> np.ndarray:
        """(n,) int64 copy of the stored steps, oldest first."""
        return self._steps[: self._n].copy()

    def series(self, key: str) -> np.ndarray:
        """(n,) float64 copy of one series (NaN where a row had no value for it)."""
        try:
            row = self._index[key]
        except KeyError:
            raise KeyError(f"unknown series {key!r}; this history holds {self._keys}") from None
        # Copies, not views: a caller (a plot item) may hold on to the array while later
        # appends overwrite the buffer in place.
        return self._values[row, : self._n].copy()

    def last_step(self) -> int | None:
        return int(self._steps[self._n - 1]) if self._n else None

    # ------------------------------------------------------------------ writing
    def clear(self) -> None:
        self._n = 0
        self._seen = 0
        self._stride = 1
        self._tail = False  # is the last stored point an off-grid "newest" placeholder?
        self._values[:] = np.nan

    def append(self, steps: Any, values: Mapping[str, Any]) -> None:
        """Append a batch: ``steps`` (k,) ints and ``values[key]`` (k,) floats.

        Keys this history does not hold are ignored; keys it holds but ``values`` lacks are NaN.
        A scalar step with scalar values appends one point.
        """
        steps = np.atleast_1d(np.asarray(steps)).astype(np.int64, copy=False).reshape(-1)
        k = steps.shape[0]
        if k == 0:
            return
        cols = np.full((len(self._keys), k), np.nan, dtype=np.float64)
        for key, v in values.items():
            row = self._index.get(key)
            if row is None:
                continue
            arr = np.atleast_1d(np.asarray(v, dtype=np.float64)).reshape(-1)
            if arr.shape[0] != k:
                raise ValueError(f"{key!r} has {arr.shape[0]} values for {k} steps")
            cols[row] = arr
        self._append(steps, cols)

    def extend_rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Append metrics.jsonl-style rows: ``{"step": 10, "loss_d": 0.7, ...}``.

        Rows without a usable ``step`` are skipped; missing, ``None`` or non-numeric values
        become NaN (a hand-edited or half-written log must still open).
        """
        steps, cols = columns_from_rows(rows, self._keys)
        if steps.shape[0]:
            self._append(steps, np.asarray([cols[k] for k in self._keys], dtype=np.float64))

    # ------------------------------------------------------------------ internals
    def _append(self, steps: np.ndarray, cols: np.ndarray) -> None:
        k = steps.shape[0]
        order = np.arange(self._seen, self._seen + k, dtype=np.int64)
        self._seen += k
        if self._tail:  # the old newest point is superseded by the batch's last point
            self._n -= 1
            self._tail = False
        while True:
            on_grid = order % self._stride == 0
            n_new = int(on_grid.sum())
            tail = not on_grid[-1]  # the newest point is always shown, on the grid or not
            if self._n + n_new + tail <= self._capacity:
                break
            self._decimate()
        sel = np.flatnonzero(on_grid)
        if tail:
            sel = np.append(sel, k - 1)
        m = sel.shape[0]
        dst = slice(self._n, self._n + m)
        self._steps[dst] = steps[sel]
        self._values[:, dst] = cols[:, sel]
        self._order[dst] = order[sel]
        self._n += m
        self._tail = tail

    def _decimate(self) -> None:
        """Keep every other stored point (arrival index divisible by 2 * stride)."""
        n = self._n
        keep = np.flatnonzero(self._order[:n] % (2 * self._stride) == 0)
        m = keep.shape[0]
        self._steps[:m] = self._steps[keep]
        self._values[:, :m] = self._values[:, keep]
        self._order[:m] = self._order[keep]
        self._values[:, m:n] = np.nan
        self._n = m
        self._stride *= 2


def columns_from_rows(
    rows: Iterable[Mapping[str, Any]], keys: Sequence[str]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """metrics.jsonl-style rows -> ``(steps, {key: values})``, (k,) int64 and (k,) float64 each.

    The one reading of a metrics row, whether a run is opened or followed: rows without a
    usable ``step`` are skipped; missing, ``None`` or non-numeric values become NaN.
    """
    steps: list[int] = []
    cols: list[list[float]] = [[] for _ in keys]
    for row in rows:
        try:
            step = int(row["step"])
        except (KeyError, TypeError, ValueError):
            continue
        steps.append(step)
        for i, key in enumerate(keys):
            cols[i].append(_as_float(row.get(key)))
    return np.asarray(steps, dtype=np.int64), {k: np.asarray(c, dtype=np.float64) for k, c in zip(keys, cols)}


def _as_float(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def ema_smooth(y: np.ndarray, alpha: float) -> np.ndarray:
    """TensorBoard-style debiased exponential moving average.

    ``s_k = alpha * s_{k-1} + (1 - alpha) * y_k`` from ``s = 0``, divided by
    ``1 - alpha ** n_k`` (``n_k`` = finite points so far) so the start is not dragged
    towards zero. Non-finite inputs are skipped: they stay NaN in the output and do not
    touch the running average. ``alpha = 0`` returns the input unchanged (as float64).
    """
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    alpha = float(alpha)
    if not 0.0 <= alpha < 1.0:
        raise ValueError(f"alpha must be in [0, 1), got {alpha}")
    finite = np.isfinite(y)
    out = np.where(finite, y, np.nan)
    if alpha == 0.0 or not finite.any():
        return out
    x = y[finite]
    # Normalise so x * a^-j below cannot overflow, even for a run whose loss blew up to 1e300.
    scale = float(np.max(np.abs(x))) or 1.0
    x = x / scale
    m = x.shape[0]
    s = np.empty(m, dtype=np.float64)
    # Vectorised recurrence: within a block, s_k = a^(k+1) s_init + (1-a) a^k cumsum(x_j a^-j).
    # Blocks are short enough that a^-j stays below ~1e260 (float64 tops out near 1.8e308).
    block = max(1, min(m, int(600.0 / -math.log(alpha))))
    j = np.arange(block, dtype=np.float64)
    pw = alpha**j  # a^j
    inv = alpha**-j  # a^-j
    last = 0.0
    for start in range(0, m, block):
        xb = x[start : start + block]
        b = xb.shape[0]
        s[start : start + b] = (alpha * pw[:b]) * last + (1.0 - alpha) * pw[:b] * np.cumsum(xb * inv[:b])
        last = s[start + b - 1]
    n = np.arange(1, m + 1, dtype=np.float64)
    s /= -np.expm1(n * math.log(alpha))  # 1 - a^n, accurate for a near 1 and small n
    out[finite] = s * scale
    return out
