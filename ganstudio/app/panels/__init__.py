"""The main window's live panels: losses, sample grids, the 2D points view."""

from ganstudio.app.panels.loss import LossPanel
from ganstudio.app.panels.samples import SamplePanel
from ganstudio.app.panels.points2d import Points2DPanel

__all__ = ["LossPanel", "SamplePanel", "Points2DPanel"]
