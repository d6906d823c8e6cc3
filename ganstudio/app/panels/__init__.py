"""The main window's live panels: losses, sample grids, the 2D toy view."""

from ganstudio.app.panels.loss import LossPanel
from ganstudio.app.panels.samples import SamplePanel
from ganstudio.app.panels.toy import ToyPanel

__all__ = ["LossPanel", "SamplePanel", "ToyPanel"]
