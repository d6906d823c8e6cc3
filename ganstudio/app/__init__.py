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
    return app.exec()
