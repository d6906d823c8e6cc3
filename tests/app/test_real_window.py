"""Smoke test in a real X server: `ganstudio app` starts, draws its window, and quits cleanly."""

import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (CI installs it)")

GRAB = """
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication([])
pix = app.primaryScreen().grabWindow(0)
pix.save(sys.argv[1], "PNG")
"""


def test_app_draws_a_real_window(tmp_path):
    display = f":{90 + os.getpid() % 100}"
    xvfb = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
    app = None
    try:
        deadline = time.time() + 20
        while not os.path.exists(f"/tmp/.X11-unix/X{display[1:]}"):
            assert time.time() < deadline, "Xvfb did not start"
            time.sleep(0.1)
        app = subprocess.Popen(
            [sys.executable, "-m", "ganstudio", "app"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        shot = tmp_path / "screen.png"
        deadline = time.time() + 60
        while True:  # grab the whole screen until the window shows up on it
            assert app.poll() is None, app.communicate()[1]
            subprocess.run(
                [sys.executable, "-c", GRAB, str(shot)], env=env, check=True, timeout=30, capture_output=True
            )
            img = np.asarray(Image.open(shot).convert("RGB"))
            if len(np.unique(img.reshape(-1, 3), axis=0)) > 50:  # a drawn UI, not a blank screen
                break
            assert time.time() < deadline, "the window was never drawn"
            time.sleep(0.5)
        assert img.shape[:2] == (800, 1280)
        app.terminate()  # SIGTERM: Qt quits; nothing is training, nothing to save
        app.wait(timeout=10)
    finally:
        if app is not None and app.poll() is None:
            app.kill()
        xvfb.terminate()
        xvfb.wait(timeout=10)
