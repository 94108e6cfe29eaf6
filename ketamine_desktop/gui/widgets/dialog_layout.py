"""The one layout of the monitoring dialogs: the form, then the message beside Cancel and the confirming
button (the message is where a refusal or a failed save is said, next to the button that was pressed)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout


def lay_out_dialog(
    dialog: QDialog, form: QFormLayout, message: QLabel, cancel: QPushButton, confirm: QPushButton
) -> None:
    """Put the form, then the message, Cancel and the confirming button (in that order) into `dialog`."""
    buttons = QHBoxLayout()
    buttons.addWidget(message, 1)
    buttons.addWidget(cancel)
    buttons.addWidget(confirm)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addLayout(buttons)
