"""The Qt desktop app. Everything Qt lives under this package and nowhere else."""

from __future__ import annotations

from pathlib import Path


def __getattr__(name: str):
    # Lazy, so `import ganstudio.app.worker` does not build the whole window module.
    if name == "MainWindow":
        from ganstudio.app.main_window import MainWindow

        return MainWindow
    raise AttributeError(name)


def run_app(run: str | Path | None = None, argv: list[str] | None = None) -> int:
    """Start the Qt event loop with one main window; returns the exit code."""
    import sys

    from PySide6.QtWidgets import QApplication

    import pyqtgraph as pg

    pg.setConfigOptions(antialias=True)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("ganstudio")
    app.setOrganizationName("ganstudio")
    from ganstudio.app.main_window import MainWindow

    if run is not None and not Path(run).is_dir():
        from ganstudio.errors import GanstudioError

        raise GanstudioError(f"run folder {run} does not exist")
    w = MainWindow(run=run)
    w.show()
    _close_on_signals(w)
    return app.exec()


def _close_on_signals(window) -> None:
    """Ctrl-C / SIGTERM close the window like the user would (so a checkpoint gets saved).

    Python runs signal handlers only between bytecodes; a no-op timer gives it the chance
    while Qt's C++ event loop is in charge.
    """
    import signal

    from PySide6.QtCore import QTimer

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: window.close())
    timer = QTimer(window)
    timer.timeout.connect(lambda: None)
    timer.start(200)
