"""Render resources/ganstudio.svg to the PNG sizes desktops ask for (resources/icons/NxN/ganstudio.png).

Run after editing the SVG and commit the PNGs: the app loads the PNGs, so it needs no SVG
plugin at run time.  QT_QPA_PLATFORM=offscreen .venv/bin/python resources/render_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
SIZES = (16, 32, 48, 64, 128, 256)  # the hicolor theme's usual sizes


def render(svg: Path = HERE / "ganstudio.svg", out: Path = HERE / "icons") -> list[Path]:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG")
    written = []
    for n in SIZES:
        img = QImage(n, n, QImage.Format.Format_ARGB32)
        img.fill(Qt.GlobalColor.transparent)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(p)
        p.end()
        path = out / f"{n}x{n}" / "ganstudio.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not img.save(str(path), "PNG"):
            raise SystemExit(f"could not write {path}")
        written.append(path)
    return written


if __name__ == "__main__":
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for path in render():
        print(path.relative_to(HERE.parent))
