"""The Interpolation tab's exports: the export size (a whole nearest-neighbour factor, default
frames of at least 128 px), the strip/grid as PNG and the keyframe animation as GIF or MP4, each
with the JSON recipe it was rendered from (explore.export). The view (interpolation.py) says what
is on screen and which recipes drew it; this box writes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ganstudio import explore
from ganstudio.app.engine_text import engine_text
from ganstudio.app.i18n import label, live
from ganstudio.errors import GanstudioError
from ganstudio.io.media import default_scale, find_mp4_encoder

SCALES = (1, 2, 3, 4, 5, 6, 8, 10, 12, 16)  # the export size combo's factors
MAX_EXPORT_SIDE = 1024


class ExportBox(QWidget):
    """The export size combo and the two export buttons of an InterpolationView (``view``; not
    imported: interpolation.py imports this module, and the panels import no cycle)."""

    said = Signal(str)  # what an export did (or why it did not), for the tab and the status bar

    def __init__(self, view: Any):
        super().__init__()
        self.view = view
        self.export_picture_button = QPushButton(objectName="exportStripButton")
        live(self.export_picture_button, "setText", lambda: self.tr("Export strip/grid..."))
        live(
            self.export_picture_button,
            "setToolTip",
            lambda: self.tr("Save what the top view shows as PNG, with a JSON recipe beside it"),
        )
        self.export_anim_button = QPushButton(objectName="exportAnimationButton")
        live(self.export_anim_button, "setText", lambda: self.tr("Export animation..."))
        live(
            self.export_anim_button,
            "setToolTip",
            (lambda: self.tr("Save the keyframe animation as GIF or MP4, with a JSON recipe"))
            if find_mp4_encoder()
            else (
                lambda: self.tr(
                    "Save the keyframe animation as GIF (MP4 needs imageio-ffmpeg or ffmpeg), with a JSON recipe"
                )
            ),
        )
        self.export_size = QComboBox(objectName="exportSizeCombo")
        live(
            self.export_size,
            "setToolTip",
            lambda: self.tr(
                "Exports enlarge every frame by a whole factor, nearest-neighbour (sharp pixels); "
                "the recipe records it. Default: frames of at least 128 px"
            ),
        )
        self.fill_sizes()
        self.export_picture_button.clicked.connect(lambda: self.export_picture())
        self.export_anim_button.clicked.connect(lambda: self.export_animation())
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        size_row = QHBoxLayout()
        size_row.addWidget(label(lambda: self.tr("Export size")))
        size_row.addWidget(self.export_size, 1)
        lay.addLayout(size_row)
        lay.addWidget(self.export_picture_button)
        lay.addWidget(self.export_anim_button)

    # ------------------------------------------------------------------ export size
    def fill_sizes(self) -> None:
        """The sizes the generator explored allows (kept across generators of the same frame side)."""
        snap = self.view.state.snap
        side = explore.frame_side(snap) if snap is not None else None
        previous = self.export_size.currentData()
        with QSignalBlocker(self.export_size):
            self.export_size.clear()
            if side is None:
                self.export_size.addItem(self.tr("at least 128 px"), None)
                return
            default = default_scale(side) if not snap.is_2d else 1
            for f in SCALES:
                if f != default and side * f > max(MAX_EXPORT_SIDE, side * default):
                    continue
                text = self.tr("{px} px ({f}x) (default)") if f == default else self.tr("{px} px ({f}x)")
                self.export_size.addItem(text.format(px=side * f, f=f), f)
            i = self.export_size.findData(previous if previous is not None and self._same_side(side) else default)
            self.export_size.setCurrentIndex(max(0, i))
        self._sizes_side = side

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.LanguageChange:
            self.fill_sizes()  # its items' words, in the new language (the choice kept)

    def _same_side(self, side: int) -> bool:
        return getattr(self, "_sizes_side", None) == side

    def export_scale(self) -> int:
        """The export's whole nearest-neighbour factor (the size combo's)."""
        f = self.export_size.currentData()
        snap = self.view.state.snap
        if f is None:
            return explore.export_scale(snap) if snap is not None else 1
        return int(f)

    # ------------------------------------------------------------------ export
    def update_buttons(self) -> None:
        self.export_picture_button.setEnabled(self.view.current_picture() is not None)
        self.export_anim_button.setEnabled(self.view.animation_frames() is not None)

    def export_picture(self, path: str | Path | None = None) -> bool:
        """The strip or grid walk shown, as PNG + recipe, enlarged to the export size."""
        view, snap = self.view, self.view.state.snap
        if snap is None or view.current_picture() is None:
            self.said.emit(self.tr("Nothing to export yet: add two or more keyframes (or show the grid walk) first."))
            return False
        if path is None:
            name = f"{'gridwalk' if view.showing_grid() else 'strip'}_step{snap.step}.png"
            path, _ = QFileDialog.getSaveFileName(view, self.tr("Export picture"), name, self.tr("PNG images (*.png)"))
            if not path:
                return False
        return self._export(view.picture_recipe(), path)

    def export_animation(self, path: str | Path | None = None) -> bool:
        """The keyframe animation as GIF (or MP4 when an encoder is installed) + recipe."""
        view, snap = self.view, self.view.state.snap
        if snap is None or len(view.keyframes) < 2:
            self.said.emit(self.tr("Nothing to animate yet: add two or more keyframes first."))
            return False
        view.refresh_if_dirty()
        if view.animation_frames() is None:
            self.said.emit(self.tr("Nothing to export: {why}").format(why=view.hint.text()))
            return False
        if path is None:
            filters = "GIF (*.gif)" + (";;MP4 (*.mp4)" if find_mp4_encoder() else "")
            path, _ = QFileDialog.getSaveFileName(
                view, self.tr("Export animation"), f"interpolation_step{snap.step}.gif", filters
            )
            if not path:
                return False
        return self._export(view.strip_recipe(), path, fps=view.speed_slider.value())

    def _export(self, recipe: dict[str, Any], path: str | Path, fps: float | None = None) -> bool:
        snap = self.view.state.snap
        recipe = dict(recipe, scale=self.export_scale())
        try:
            out, rec = explore.export(recipe, path, snap, real=self.view.real_points(), fps=fps)
        except (GanstudioError, ValueError) as e:
            self.said.emit(self.tr("Export failed: {error}").format(error=engine_text(str(e))))
            return False
        side = explore.frame_side(snap) * recipe["scale"]
        self.said.emit(
            self.tr("Exported {path} ({px} px frames; recipe {recipe})").format(path=out, px=side, recipe=rec.name)
        )
        return True
