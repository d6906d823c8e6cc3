"""Where Python's cycle collector runs while a window is open: in the UI thread, on a timer
(docs/ARCHITECTURE.md, Threads)."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, QTimer

GC_MS = 1000  # once a second: every wake-up of the UI thread takes the GIL from training


class MainThreadGC:
    """The collector runs in whichever thread allocates; run from the training worker it
    destroyed a window's dead Qt objects there, whose destructor waited for the GIL that
    thread held, and the app froze. So while a window is open it runs here, on a timer
    (pyqtgraph's GarbageCollector pattern), by CPython's own generation thresholds; the last
    window to close gives it back. A full collection waits until ``full_ok()`` says nothing
    trains. What the start-up's imports leave is frozen (``gc.freeze``) once they are done
    (``freeze_after``), so no collection scans it again (see bench/app_perf.py)."""

    _windows = 0

    def __init__(self, parent: QObject, full_ok=lambda: True):
        if MainThreadGC._windows == 0:
            gc.disable()
        MainThreadGC._windows += 1
        self._full_ok = full_ok
        self._freeze_after: threading.Thread | None = None
        self._timer = QTimer(parent, interval=GC_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()
        self._open = True
        parent.destroyed.connect(self.close)  # a window deleted without closing gives it back too

    def freeze_after(self, thread: threading.Thread) -> None:
        """Freeze what is alive once ``thread`` (the start-up's imports) has finished."""
        self._freeze_after = thread

    def collect(self) -> None:
        if self._freeze_after is not None:
            if self._freeze_after.is_alive():
                return  # scanning what is about to be frozen would be wasted
            self._freeze_after = None
            gc.freeze()
            return
        (n0, n1, n2), (t0, t1, t2) = gc.get_count(), gc.get_threshold()
        if n0 > t0 or n1 > t1:
            gc.collect(2 if n1 > t1 and n2 > t2 and self._full_ok() else 1 if n1 > t1 else 0)

    def close(self) -> None:
        if self._open:
            self._open = False
            self._timer.stop()
            MainThreadGC._windows -= 1
            if MainThreadGC._windows == 0:
                gc.enable()
