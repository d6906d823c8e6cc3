"""Unexpected errors in the app: caught, shown and kept (issue 29).

An exception that escapes a Qt slot or virtual method (PySide hands it to ``sys.excepthook``),
or the run() of a Python thread (``threading.excepthook``), would otherwise print a bare
traceback to a terminal nobody reads, and leave no trace once the window is closed. Here each
one is written to a crash log (``$XDG_CACHE_HOME/ganstudio/crash-*.log``, else
``~/.cache/ganstudio/``: the traceback, the versions, the thread and the run) and shown in a
non-modal message with its first line and the log's path; the event loop goes on, so the app
stays usable. A ``GanstudioError`` that escapes is a refusal, not a bug: its one line is shown
and no log is written.

Hooks may fire on any thread: the log is written there, and the message is posted to the GUI
thread through a queued signal. The same error repeating (a slot raising on every redraw)
gets one log and one message, whose count goes up, instead of a storm of windows.
"""

from __future__ import annotations

import os
import platform
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal

from ganstudio.errors import GanstudioError


def crash_dir() -> Path:
    """Where crash logs go: ``$XDG_CACHE_HOME/ganstudio``, else ``~/.cache/ganstudio``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ganstudio"


def versions() -> dict[str, str]:
    """The versions a bug report needs (modules not imported yet are not imported for it)."""
    from ganstudio import __version__

    out = {"ganstudio": __version__, "python": sys.version.split()[0], "platform": platform.platform()}
    for name in ("torch", "numpy", "PySide6", "pyqtgraph", "PIL"):
        mod = sys.modules.get(name)
        if mod is not None:
            out[name] = str(getattr(mod, "__version__", "?"))
    try:
        from PySide6.QtCore import qVersion

        out["Qt"] = qVersion()
    except Exception:  # noqa: BLE001 -- a crash report must not fail on its own details
        pass
    return out


def write_log(exc: BaseException, thread: str, context: dict[str, Any]) -> Path | None:
    """Write one crash log; returns its path (None when the cache folder cannot be written)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    lines = [f"ganstudio crash log, {time.strftime('%Y-%m-%d %H:%M:%S %z')}", f"thread: {thread}"]
    lines += [f"{k}: {v}" for k, v in versions().items()]
    lines += [f"{k}: {v}" for k, v in context.items()]
    lines += ["", "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))]
    folder = crash_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(100):  # two crashes in one second get two files
            path = folder / f"crash-{stamp}-{os.getpid()}{f'-{n}' if n else ''}.log"
            try:
                with open(path, "x", encoding="utf-8") as f:
                    f.write("\n".join(lines))
                return path
            except FileExistsError:
                continue
    except OSError:
        pass
    return None


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


class CrashReporter(QObject):
    """Installs the hooks for one window; ``uninstall`` puts the previous hooks back."""

    reported = Signal(str, str, str, bool)  # first line, log path ('' if none), traceback, a refusal

    def __init__(self, window, context: Callable[[], dict[str, Any]] | None = None):
        super().__init__(window)
        self.window = window
        self.context = context or (lambda: {})
        self.count: dict[str, int] = {}  # the error's signature -> times seen
        self.logs: list[Path] = []
        self.box = None  # the message on screen
        self._shown_at, self._last_log = 0, ""
        self._lock = threading.Lock()
        self._old = (sys.excepthook, threading.excepthook)
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        if sys.excepthook == self._excepthook:
            sys.excepthook = self._old[0]
        if threading.excepthook == self._thread_hook:
            threading.excepthook = self._old[1]

    def _excepthook(self, etype, exc, tb) -> None:
        if issubclass(etype, KeyboardInterrupt):  # Ctrl-C is the signal handlers' business
            self._old[0](etype, exc, tb)
            return
        if exc is None:
            exc = etype()
        exc.__traceback__ = tb
        self.report(exc, threading.current_thread().name)

    def _thread_hook(self, args) -> None:
        if args.exc_type is SystemExit:
            return
        exc = args.exc_value if args.exc_value is not None else args.exc_type()
        exc.__traceback__ = args.exc_traceback
        self.report(exc, args.thread.name if args.thread is not None else "a thread")

    def report(self, exc: BaseException, thread: str) -> None:
        """Log ``exc`` (once per distinct error) and show it; safe from any thread."""
        refusal = isinstance(exc, GanstudioError)
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        frames = traceback.extract_tb(exc.__traceback__)
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else ""
        key = f"{type(exc).__name__}@{where}"
        with self._lock:
            seen = self.count.get(key, 0)
            self.count[key] = seen + 1
        log = None
        if not refusal and not seen:
            try:
                context = self.context()
            except Exception as e:  # noqa: BLE001 -- the report must not die on the window's state
                context = {"context": f"unavailable ({first_line(e)})"}
            log = write_log(exc, thread, context)
            if log is not None:
                self.logs.append(log)
            where = f" (details in {log})" if log else ""
            print(f"ganstudio: unexpected error: {first_line(exc)}{where}", file=sys.stderr)
        elif refusal and not seen:
            print(f"ganstudio: error: {exc}", file=sys.stderr)
        self.reported.emit(str(exc) if refusal else first_line(exc), str(log or ""), tb, refusal)

    def _show(self, line: str, log: str, tb: str, refusal: bool) -> None:
        from ganstudio.app.messages import warn

        total = sum(self.count.values())
        if log:
            self._last_log = log
        if self.box is not None and self.box.isVisible():  # one message at a time: count the rest
            self.box.setInformativeText(self._informative(self._last_log, total - self._shown_at))
            return
        self._shown_at = total
        text = (
            line
            if refusal
            else QCoreApplication.translate("CrashReporter", "Something went wrong inside ganstudio: {}").format(line)
        )
        info = self._informative(log, 0)
        self.box = warn(self.window, text, details="" if refusal else tb, informative=info, name="crashMessage")

    def _informative(self, log: str, more: int) -> str:
        parts = []
        if log:
            details = QCoreApplication.translate(
                "CrashReporter", "The details are in {}; please attach that file to a bug report."
            )
            parts.append(details.format(log))
        parts.append(QCoreApplication.translate("CrashReporter", "ganstudio is still running; what was saved is kept."))
        if more:
            repeats = QCoreApplication.translate("CrashReporter", "Errors since this message appeared: %n.", "", more)
            parts.append(repeats)
        return "\n".join(parts)


def install(window) -> CrashReporter:
    """Catch, log and show the unexpected errors of ``window``'s process; the run in the log is
    the window's current one."""

    def context() -> dict[str, Any]:
        session = getattr(window, "session", None)
        run = getattr(session, "run_path", None)
        cfg = getattr(session, "run_config", None)
        out: dict[str, Any] = {"run": str(run) if run else "none"}
        if cfg is not None:
            from ganstudio.config import to_dict

            out["config"] = to_dict(cfg)
        return out

    return CrashReporter(window, context)
