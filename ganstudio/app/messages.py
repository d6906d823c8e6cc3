"""The app's one message box (a warning that never blocks the event loop, or a test) and the
status bar's lines: a message that stays until the next one, elided with its full text on hover."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QSizePolicy, QStatusBar, QWidget

from ganstudio.app.i18n import live


def warn(parent: QWidget, text, details: str = "", informative="", name: str = "") -> QMessageBox:
    """Show ``text`` in a non-modal warning box (``details`` behind its button); returns the box.
    ``text`` and ``informative``: a string, or a function giving it translated (again after a
    language switch: i18n.live)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "ganstudio", "", QMessageBox.StandardButton.Ok, parent)
    if name:
        box.setObjectName(name)
    live(box, "setText", text if callable(text) else lambda: text)
    if details:
        box.setDetailedText(details)  # a traceback: data, never translated
    if informative:
        live(box, "setInformativeText", informative if callable(informative) else lambda: informative)
    box.setModal(False)
    box.show()
    return box


class ElidedLabel(QLabel):
    """A one-line label that elides its text to its width (full text as tooltip): a long text
    never widens what holds it, and the text's length never moves what is beside it."""

    def __init__(self, text: str = "", parent: QWidget | None = None, objectName: str = ""):
        super().__init__(parent)
        if objectName:
            self.setObjectName(objectName)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(40)
        self._full = ""
        self.set_text(text)

    def set_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        line = " ".join(self._full.split())  # one line
        super().setText(self.fontMetrics().elidedText(line, Qt.TextElideMode.ElideRight, max(self.width(), 40)))


class MessageLine(ElidedLabel):
    """The status bar's message, kept until the next one (issue 28): every ``showMessage`` of the
    status bar lands here, stays when the status bar's own message times out, and shows its full
    text on hover. Routine progress goes elsewhere (the progress bar, the run-state label)."""

    def __init__(self, status_bar: QStatusBar):
        super().__init__(objectName="messageLabel")
        # Permanent and stretching from the left edge: the status bar's own (temporary) message
        # area shrinks to nothing, so a message shows once, here.
        status_bar.addPermanentWidget(self, 1)
        status_bar.messageChanged.connect(self._message_changed)

    def _message_changed(self, text: str) -> None:
        if text:  # an empty one is a timeout or a clear: the last message stays until the next
            self.set_text(text)
