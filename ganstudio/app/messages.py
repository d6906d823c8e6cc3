"""The app's one message box: a warning that never blocks the event loop (or a test)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def warn(parent: QWidget, text: str, details: str = "", informative: str = "", name: str = "") -> QMessageBox:
    """Show ``text`` in a non-modal warning box (``details`` behind its button); returns the box."""
    box = QMessageBox(QMessageBox.Icon.Warning, "ganstudio", text, QMessageBox.StandardButton.Ok, parent)
    if name:
        box.setObjectName(name)
    if details:
        box.setDetailedText(details)
    if informative:
        box.setInformativeText(informative)
    box.setModal(False)
    box.show()
    return box
