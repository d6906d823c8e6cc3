"""`ganstudio app` before and after its window opens: a clear line instead of Qt's abort when
the window cannot open, and the icon on the application and the window when it can."""

import os
import subprocess
import sys
import textwrap

from ganstudio.app import display
from ganstudio.cli import main


def test_missing_xcb_cursor_library_is_one_line(monkeypatch, capsys):
    # An X11 desktop whose loader finds every library but libxcb-cursor.so.0.
    for var in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(display, "can_load", lambda soname: soname != "libxcb-cursor.so.0")
    assert main(["app"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ganstudio: error: cannot open the app's window")
    assert "libxcb-cursor.so.0" in err and "sudo apt-get install libxcb-cursor0" in err
    assert "sudo dnf install xcb-util-cursor" in err


def test_no_display_is_one_line_not_a_core_dump(ganstudio, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    r = ganstudio("app", env=env, timeout=60)
    assert r.returncode == 1, r.stderr
    assert r.stderr.count("\n") == 1 and "no display" in r.stderr and "xvfb-run" in r.stderr
    assert "Traceback" not in r.stderr


def test_the_running_app_shows_the_icon(ganstudio, tmp_path):
    # run_app in a fresh process (offscreen), the window closed as soon as the loop runs.
    code = textwrap.dedent(
        """
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        from ganstudio.app import run_app

        app = QApplication([])
        def check():
            w = app.activeWindow() or app.topLevelWidgets()[0]
            sizes = sorted(s.width() for s in app.windowIcon().availableSizes())
            print("icon", app.windowIcon().isNull(), sizes, w.windowIcon().isNull(), app.desktopFileName())
            app.closeAllWindows()
        QTimer.singleShot(0, check)
        raise SystemExit(run_app())
        """
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert r.returncode == 0, r.stderr
    assert "icon False [16, 32, 48, 64, 128, 256] False ganstudio" in r.stdout, r.stdout + r.stderr
