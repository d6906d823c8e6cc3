"""``ganstudio app``: open the desktop app (Qt is imported only here, and only when it runs)."""

from __future__ import annotations

import argparse

from ganstudio.errors import GanstudioError


def add_parser(sub) -> None:
    a = sub.add_parser("app", help="open the desktop app")
    a.add_argument("--run", metavar="DIR", help="open (and follow) this run directory")


def run(args: argparse.Namespace) -> int:
    from ganstudio.app.display import check_display

    check_display()  # before Qt loads: a missing display or X library is one line, not Qt's abort
    try:
        from ganstudio.app import run_app
    except ImportError as e:
        raise GanstudioError(
            f"the app needs PySide6 and pyqtgraph ({e}); install with: pip install ganstudio"
        ) from None
    return run_app(run=args.run)
