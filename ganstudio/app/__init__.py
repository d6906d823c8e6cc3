"""The Qt desktop app. Everything Qt lives under this package and nowhere else."""

from __future__ import annotations

import os
from pathlib import Path

# No Qt raster thread pool: while training takes every core, the UI waited for a pool thread
# (see bench/app_perf.py). Read when the first paint needs the pool.
os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")

from ganstudio.app.resource_files import resource_path  # noqa: E402,F401 -- the app's files (icons, catalogues)

ICON_SIZES = (16, 32, 48, 64, 128, 256)  # resources/icons/NxN/ganstudio.png (resources/render_icons.py)


def __getattr__(name: str):
    # Lazy, so `import ganstudio.app.worker` does not build the whole window module.
    if name == "MainWindow":
        from ganstudio.app.main_window import MainWindow

        return MainWindow
    raise AttributeError(name)


def app_icon():
    """The app's icon at every size it is drawn in (PNGs, so no SVG plugin is needed)."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for n in ICON_SIZES:
        path = resource_path(f"icons/{n}x{n}/ganstudio.png")
        if path.is_file():
            icon.addFile(str(path), QSize(n, n))
    return icon


# What the first Train click would otherwise import in the worker thread, holding the GIL and
# freezing the window as training starts (see bench/app_perf.py --trace).
WARM_UP_MODULES = (
    "torch._dynamo",
    "sklearn.datasets",
    "ganstudio.training",
    "ganstudio.metrics.evaluate",
    "ganstudio.metrics.neighbours",
    "ganstudio.explore",
)


def warm_up(window=None):
    """Import in a background thread, right after the window shows, what training and the
    explorer need; returns the thread (a daemon: it never holds the app open). Imports
    already done are free, and Python's import lock makes a Train click meanwhile wait
    for, not repeat, a module being imported. With a MainWindow, its cycle collector freezes
    what the imports leave once they are done (``MainThreadGC``)."""
    import importlib
    import threading

    def run() -> None:
        for name in WARM_UP_MODULES:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 -- a warm-up only; the real import reports errors
                pass

    t = threading.Thread(target=run, name="ganstudio-warm-up", daemon=True)
    t.start()
    if window is not None:
        window.cycle_collector.freeze_after(t)
    return t


def configure_app() -> None:
    """The app process's settings, before the window is made and before the training worker's
    thread starts: glibc's malloc for training (``allocator.tune_malloc``) and pyqtgraph's
    options for every plot. ``open_window`` calls it, for the app and the benches alike."""
    import pyqtgraph as pg

    from ganstudio.allocator import tune_malloc

    tune_malloc()
    pg.setConfigOptions(antialias=True)


def run_app(run: str | Path | None = None, argv: list[str] | None = None, lang: str | None = None) -> int:
    """Start the Qt event loop with one main window; returns the exit code."""
    from ganstudio.errors import GanstudioError

    if run is not None and not Path(run).is_dir():
        raise GanstudioError(f"run folder {run} does not exist")
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        from ganstudio.app.display import check_display

        # Qt aborts the process (a core dump, no Python exception) when it cannot open its
        # platform plugin; say why in one line before it gets the chance.
        check_display()
    app, w, _ = open_window(run, argv, lang=lang)
    from ganstudio.app import crash

    # Not in open_window: tests keep pytest-qt's own hook, which fails a test on such an error.
    w.crash_reporter = crash.install(w)
    _close_on_signals(w)
    return app.exec()


def open_window(run: str | Path | None = None, argv: list[str] | None = None, app_class=None, lang: str | None = None):
    """The application and its main window as ``ganstudio app`` has them: the process set up
    (``configure_app``), the application's name and icon, the window shown, and the start-up's
    imports warming in the background. Returns (app, window, the warm-up thread).

    ``run_app`` starts here, and so do the benches, which must measure what users get.
    ``app_class``: a QApplication subclass to make, when none exists yet (a bench's that times
    events). ``lang``: ``--lang`` (else GANSTUDIO_LANG, the last View > Language, the system
    locale: app/i18n.py)."""
    import sys

    from PySide6.QtWidgets import QApplication

    configure_app()
    app = QApplication.instance() or (app_class or QApplication)(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("ganstudio")
    app.setOrganizationName("ganstudio")
    # The window and the task bar show the icon; on Linux desktops the task bar matches the
    # window to resources/ganstudio.desktop (and its Icon=ganstudio) by this name.
    app.setWindowIcon(app_icon())
    if sys.platform.startswith("linux"):
        app.setDesktopFileName("ganstudio")
    from PySide6.QtCore import QSettings

    from ganstudio.app import i18n
    from ganstudio.app.main_window import MainWindow

    i18n.start(app, lang, QSettings("ganstudio", "ganstudio"))  # before the window: its texts are set once
    w = MainWindow(run=run)
    w.show()
    return app, w, warm_up(w)


def _close_on_signals(window) -> None:
    """Ctrl-C / SIGTERM close the window like the user would (so a checkpoint gets saved)."""
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: window.close())
    signal_notifier(window)


def signal_notifier(parent):
    """A ``QSocketNotifier`` (a child of ``parent``) that fires once a signal arrived, after
    its Python handler has run. Python runs signal handlers only between bytecodes, and Qt's
    C++ event loop may sleep for seconds: the C-level handler writes the signal to a socket
    (``signal.set_wakeup_fd``) whose notifier wakes the loop: no polling timer, whose every
    wake-up takes the GIL from training (docs/ARCHITECTURE.md, Threads). Main thread only."""
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier

    read, write = socket.socketpair()
    for s in (read, write):
        s.setblocking(False)
    signal.set_wakeup_fd(write.fileno())
    notifier = QSocketNotifier(read.fileno(), QSocketNotifier.Type.Read, parent)

    def drain() -> None:  # the Python handler has run by now (it runs before this slot)
        try:
            while read.recv(64):
                pass
        except BlockingIOError:
            pass

    notifier.activated.connect(drain)
    notifier.sockets = (read, write)  # open as long as the notifier
    return notifier
