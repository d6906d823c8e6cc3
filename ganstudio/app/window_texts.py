"""The main window's longer texts, each a function giving it in the language installed (for
``i18n.live``, which sets it again after View > Language). Kept here so main_window.py stays a
room of one concern (docs/ARCHITECTURE.md, "Rooms of one concern")."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject

Text = Callable[[], str]


class WindowTexts(QObject):
    # --- the quality feature net, trained in the background (worker.py) ---
    def feature_net(self, done: int, total: int) -> Text:
        if total:
            return lambda: self.tr(
                "Training the quality feature net: {done} / {total} updates. "
                "Training goes on; evaluations start once it is ready."
            ).format(done=done, total=total)
        return lambda: self.tr(
            "Training the quality feature net (once per dataset, then cached). "
            "Training goes on; evaluations start once it is ready."
        )

    def feature_net_ready(self) -> Text:
        return lambda: self.tr("Quality feature net ready: evaluations run from the next evaluation step.")

    def feature_net_unfinished(self) -> Text:
        return lambda: self.tr(
            "The quality feature net was not finished when training stopped; "
            "it trains again with the next run on this data."
        )

    def no_evaluations(self) -> Text:
        return lambda: self.tr("Training goes on; this run has no quality evaluations.")

    # --- the Setup column's line and the status bar ---
    def auto_choices(self, image: bool, z: bool) -> Text | str:
        """What stays auto until the data loads ("" when nothing does)."""
        if image and z:
            return lambda: self.tr("Image size and z size: auto, chosen from the data when it loads.")
        if image:
            return lambda: self.tr("Image size: auto, chosen from the data when it loads.")
        if z:
            return lambda: self.tr("z size: auto, chosen from the data when it loads.")
        return ""

    def opened(self, path: Path, ckpt: Path | None, best_eval) -> Text:
        """The status bar after File > Open run."""
        if ckpt and best_eval:
            return lambda: self.tr(
                "Opened {run}; Train continues from {checkpoint}; best quality at step {step}"
            ).format(run=path, checkpoint=ckpt.name, step=best_eval[0])
        if ckpt:
            return lambda: self.tr("Opened {run}; Train continues from {checkpoint}").format(
                run=path, checkpoint=ckpt.name
            )
        if best_eval:
            return lambda: self.tr("Opened {run}; no checkpoint; best quality at step {step}").format(
                run=path, step=best_eval[0]
            )
        return lambda: self.tr("Opened {run}; no checkpoint").format(run=path)
