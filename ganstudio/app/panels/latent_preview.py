"""The Latent tab's preview (``latentView``): G(z) of the :class:`~ganstudio.app.latent_state.LatentState`'s
latent, an image, or for a 2D generator the manifold mesh with z's point over the real data.

It renders from the state's frozen copy of G, never from the training weights, so a drag never
waits for a training step (docs/ARCHITECTURE.md, "Exploration never waits for training").
Changes are coalesced: each asks for a render on the next event-loop pass and only the newest
state is drawn ("Last one wins"). A batch-1 render of a small G takes about a millisecond, so it
runs in the UI thread with one torch thread (``explore.use_one_thread_here``; see
bench/latent_perf.py).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal

from ganstudio import explore
from ganstudio.app.engine_text import engine_text
from ganstudio.app.i18n import QT_TRANSLATE_NOOP, live
from ganstudio.app.latent_state import LatentState

POINT_COLOR = "#ff9a2e"
MESH_PEN = (90, 160, 255, 170)
EMPTY = QT_TRANSLATE_NOOP("LatentPreview", "No generator yet: train, or File > Open run.")


class LatentPreview(pg.PlotWidget):
    rendered = Signal()  # a new preview is on screen

    def __init__(self, state: LatentState):
        super().__init__()
        self.state = state
        self.setObjectName("latentView")
        self.setMinimumSize(240, 240)
        self.setMenuEnabled(False)
        self.setAspectLocked(True)
        self.hideButtons()
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.image_item.setLevels((0, 255))
        self.addItem(self.image_item)
        self.real_item = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(205, 205, 205, 150))
        self.mesh_item = pg.PlotDataItem(pen=pg.mkPen(MESH_PEN, width=1), connect="finite")
        self.point_item = pg.ScatterPlotItem(
            size=14, pen=pg.mkPen(20, 20, 20, width=1.2), brush=pg.mkBrush(POINT_COLOR)
        )
        for z, item in enumerate((self.real_item, self.mesh_item, self.point_item)):
            item.setZValue(10 + z)
            self.addItem(item)
        self.empty_label = pg.TextItem("", color=(140, 140, 140), anchor=(0.5, 0.5))
        self.addItem(self.empty_label)
        self._real: np.ndarray | None = None
        self._image: np.ndarray | None = None  # the preview as shown: (H, W, C) uint8
        self._x: np.ndarray | None = None  # the preview as G drew it: (C, H, W) float in [-1, 1]
        self._point: np.ndarray | None = None  # 2D: z's point
        self._mesh: np.ndarray | None = None  # 2D: (S, S, 2)
        self._fit_2d = False  # frame the 2D view on the next render
        self.drawn_class: int | None = None  # the class the preview draws (conditional G)
        self._timer = QTimer(self, singleShot=True, interval=0)  # coalesces changes
        self._timer.timeout.connect(self.render_now)
        state.events.latent.connect(self.schedule)
        self.show_empty(lambda: self.tr(EMPTY))

    # ------------------------------------------------------------------ what is shown
    def current_image(self) -> np.ndarray | None:
        """Image generators: the preview (H, W, C) uint8 as rendered; None otherwise."""
        return self._image

    def current_output(self) -> np.ndarray | None:
        """Image generators: the preview as G drew it, (C, H, W) float in [-1, 1]."""
        return self._x

    def current_point(self) -> np.ndarray | None:
        """2D generators: G(z) (2,) of the current latent."""
        return self._point

    def current_mesh(self) -> np.ndarray | None:
        return self._mesh

    # ------------------------------------------------------------------ drawing
    def new_model(self, is_2d: bool) -> None:
        """Another kind or size of G: images or the 2D mesh, framed anew."""
        self.image_item.setVisible(not is_2d)
        for item in (self.real_item, self.mesh_item, self.point_item):
            item.setVisible(is_2d)
        for side in ("left", "bottom"):
            self.plotItem.showAxis(side, is_2d)
        self.plotItem.showGrid(x=is_2d, y=is_2d, alpha=0.12)
        vb = self.plotItem.getViewBox()
        vb.invertY(not is_2d)  # images: row 0 at the top
        self._fit_2d = is_2d
        if is_2d:
            self._image = None
            if self._real is None:
                vb.enableAutoRange()
        else:
            self._mesh = self._point = None
            vb.setDefaultPadding(0.01)
            vb.enableAutoRange()  # the image always fits the view, whatever its size

    def set_real(self, points: np.ndarray | None, extent: tuple[float, float] | None = None) -> None:
        """Real data (N, 2) drawn behind the 2D manifold."""
        self._real = None if points is None else np.asarray(points, dtype=np.float32).reshape(-1, 2)
        self._fit_2d = True
        if self._real is None:
            self.real_item.clear()
        else:
            self.real_item.setData(x=self._real[:, 0], y=self._real[:, 1])
            lo, hi = extent if extent is not None else explore.scatter_extent(self._real)
            self.setRange(xRange=(lo, hi), yRange=(lo, hi), padding=0.0)

    def show_empty(self, text) -> None:
        """``text``: a function giving it translated (i18n.live), or a string."""
        self._image = self._point = self._mesh = None
        self.image_item.clear()
        self.mesh_item.setData([], [])
        self.point_item.clear()
        live(self.empty_label, "setText", text if callable(text) else lambda: text)
        self.empty_label.setVisible(True)

    def show_image(self, x: np.ndarray) -> None:
        """(C, H, W) in [-1, 1] on screen (a projection converging), without changing the state."""
        img = explore.to_frames(x[None])[0]
        self.image_item.setImage(img[..., 0] if img.shape[2] == 1 else img, autoLevels=False, levels=(0, 255))
        self.empty_label.setVisible(False)

    # ------------------------------------------------------------------ rendering
    def schedule(self) -> None:
        """Render on the next event-loop pass, the newest state."""
        if self.state.snap is not None and not self._timer.isActive():
            self._timer.start()

    def render_now(self) -> None:
        self._timer.stop()
        st = self.state
        snap = st.snap
        if snap is None:
            return
        try:
            if snap.is_2d:
                self._render_mesh(*explore.manifold_mesh(snap.G, st.base_latent(), st.vectors(), st.psi))
            else:
                z = st.current_latent()[None]
                x = explore.generate(snap.G, z).numpy()  # (1, C, H, W)
                self.drawn_class = int(snap.G.labels(z)[0]) if st.conditional else None
                img = explore.to_frames(x.astype(np.float32))[0]  # (H, W, C)
                self._image, self._x = img, x[0].astype(np.float32)
                self.image_item.setImage(img[..., 0] if img.shape[2] == 1 else img, autoLevels=False, levels=(0, 255))
        except Exception as e:  # noqa: BLE001 -- a broken snapshot must not take the app down
            error = str(e)
            self.show_empty(lambda: self.tr("Cannot render: {error}").format(error=engine_text(error)))
            return
        self.empty_label.setVisible(False)
        self.rendered.emit()

    def _render_mesh(self, mesh: np.ndarray, point: np.ndarray) -> None:
        self._mesh, self._point = mesh, point
        s = mesh.shape[0]
        # rows then columns, each polyline ended by a NaN (connect="finite")
        lines = np.concatenate([mesh, mesh.transpose(1, 0, 2)])  # (2S, S, 2)
        lines = np.concatenate([lines, np.full((2 * s, 1, 2), np.nan, np.float32)], axis=1).reshape(-1, 2)
        self.mesh_item.setData(lines[:, 0], lines[:, 1], connect="finite")
        self.point_item.setData(x=[float(point[0])], y=[float(point[1])])
        if self._fit_2d:  # once per generator/data: frame data and mesh, then hold still
            self._fit_2d = False
            pts = mesh.reshape(-1, 2) if self._real is None else np.concatenate([mesh.reshape(-1, 2), self._real])
            lo, hi = explore.scatter_extent(pts[np.isfinite(pts).all(1)])
            self.setRange(xRange=(lo, hi), yRange=(lo, hi), padding=0.0)
