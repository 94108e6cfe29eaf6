"""The Dosing tab's place while the drug library is checked, just after the window's first paint.

The first paint comes before pydantic is imported: the library is validated and its signature checked
right after it (app.run_app). Until then the Dosing tab shows its first inputs (the protocol, not yet
listed, and the weight, which can be typed already) and a card that says the library is being checked:
no number from the library, no dose. When the library is ready the real Dosing tab takes this place and
the weight typed here (`weight_text`) goes into it as if typed there. Built from Qt widgets only: this
module must not import the domain.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ketamine_desktop.gui.widgets.accessible import named, styled

CHECKING = "Checking the drug library…"
CHECKING_DETAIL = (
    "No dose is shown until the library is validated and its signature checked (a moment after start)."
)
# As the real weight field allows (the field there says what is wrong with what was typed).
WEIGHT_MAX_LENGTH = 16


class LibraryPendingPage(QWidget):
    """Protocol (not yet listed) and weight on the left, a card saying the library is being checked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dosingPending")
        section = QFrame(self)
        section.setProperty("role", "formSection")
        grid = QGridLayout(section)
        grid.setContentsMargins(10, 6, 10, 8)
        grid.setHorizontalSpacing(8)
        grid.setColumnMinimumWidth(0, 100)
        grid.setColumnStretch(1, 1)
        grid.addWidget(styled(QLabel("Protocol and patient", section), "sectionHeading"), 0, 0, 1, 2)
        self.protocol = named(QComboBox(section), "pendingProtocolCombo", "Protocol")
        self.protocol.setPlaceholderText(CHECKING)
        self.protocol.setEnabled(False)
        self.weight = named(QLineEdit(section), "pendingWeightField", "Patient weight in kilograms")
        self.weight.setMaxLength(WEIGHT_MAX_LENGTH)
        self.weight.setFixedWidth(84)  # as the real field
        weight_row = QHBoxLayout()
        weight_row.setContentsMargins(0, 0, 0, 0)
        weight_row.addWidget(self.weight)
        weight_row.addWidget(QLabel("kg", section))
        weight_row.addStretch(1)
        for row, (text, field) in enumerate(
            (("&Protocol", self.protocol), ("&Weight", self.weight)), start=1
        ):
            label = QLabel(text, section)
            label.setBuddy(field)
            grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(self.protocol, 1, 1)
        grid.addLayout(weight_row, 2, 1)
        form = QVBoxLayout()
        form.setContentsMargins(0, 0, 6, 0)
        form.addWidget(section)
        form.addStretch(1)

        card = QFrame(self)
        card.setObjectName("pendingCard")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card_layout = QVBoxLayout(card)
        self.status = styled(QLabel(CHECKING, card), "heading")
        self.status.setObjectName("libraryPendingText")
        detail = styled(QLabel(CHECKING_DETAIL, card), "hint")
        detail.setWordWrap(True)
        card_layout.addWidget(self.status)
        card_layout.addWidget(detail)
        card_layout.addStretch(1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(10)
        layout.addLayout(form, 0)
        layout.addWidget(card, 1)

    def weight_text(self) -> str:
        return self.weight.text()
