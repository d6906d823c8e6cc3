"""``ganstudio app``: open the desktop app (Qt is imported only here, and only when it runs)."""

from __future__ import annotations

import argparse

from ganstudio.app.languages import normalize  # Qt-free
from ganstudio.errors import GanstudioError


def add_parser(sub) -> None:
    a = sub.add_parser("app", help="open the desktop app")
    a.add_argument("--run", metavar="DIR", help="open (and follow) this run directory")
    a.add_argument(
        "--lang",
        metavar="LANG",
        help="the app's language: zh_CN or en (default: GANSTUDIO_LANG, else the last one picked in "
        "View > Language, else the system's)",
    )


def run(args: argparse.Namespace) -> int:
    from ganstudio.app.display import check_display

    if args.lang is not None and normalize(args.lang) is None:
        raise GanstudioError(f"--lang {args.lang!r}: the app speaks zh_CN or en")
    check_display()  # before Qt loads: a missing display or X library is one line, not Qt's abort
    try:
        from ganstudio.app import run_app
    except ImportError as e:
        raise GanstudioError(
            f"the app needs PySide6 and pyqtgraph ({e}); install with: pip install ganstudio"
        ) from None
    return run_app(run=args.run, lang=args.lang)
