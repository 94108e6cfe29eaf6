"""Starting the session: after the pre-start checklist, the last facts the running session needs.

The checklist (Dosing tab) gives the regimen, the double-checker's name, the reason for any warning and
the screening; the patient strip gives the bed or location and the optional initials. This form adds the
volume of the syringe or bag (an entered number, never assumed from the concentration: the same 1 mg/mL
comes as 50 mL and 500 mL) and who is starting, then hands a `StartDraft` to the session store.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.session import StartDraft, start_draft_for
from ketamine_desktop.domain.units import NumberParseError
from ketamine_desktop.gui.numbers import parse_entry
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.number_field import NumberField
from ketamine_desktop.state.plan import PlannedStart


def start_draft(
    library: Library,
    planned: PlannedStart,
    bed: str,
    initials: str,
    volume_ml: Decimal | None,
    started_by: str,
) -> StartDraft:
    """The start as the checklist and this form describe it (the domain builds it; the store checks it)."""
    return start_draft_for(
        library,
        planned.regimen,
        names=planned.names,
        soft_limit_reason=planned.soft_limit_reason,
        screening=planned.screening.items,
        bed=bed,
        initials=initials,
        volume_ml=volume_ml,
        started_by=started_by,
    )


class SessionStartForm(QFrame):
    start_requested = Signal(object)  # StartDraft

    def __init__(
        self, library: Library, patient_label: Callable[[], tuple[str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sessionStartForm")
        self.setProperty("role", "formSection")
        self._library = library
        self._patient_label = patient_label
        self._planned: PlannedStart | None = None
        heading = styled(QLabel("Start the infusion session", self), "sectionHeading")
        self.note = QLabel(self)
        self.note.setObjectName("sessionStartNote")
        self.note.setWordWrap(True)
        self.volume = NumberField("sessionVolumeField", "Syringe or bag volume", "mL", self)
        self.volume_label = QLabel("Syringe or bag &volume", self)
        self.volume_label.setBuddy(self.volume.edit)
        self.by = named(QLineEdit(self), "sessionStartedByField", "Started by (your initials)")
        self.by.setMaxLength(40)
        self.message = styled(QLabel(self), "fieldError")
        self.message.setObjectName("sessionStartMessage")
        self.message.setWordWrap(True)
        self.start_button = named(
            QPushButton("Start &session and timed checks", self),
            "startSessionButton",
            "Start the session: the timed checks begin now",
        )
        form = QFormLayout()
        form.addRow(self.volume_label, self.volume)
        form.addRow("Started &by", self.by)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.start_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(heading)
        layout.addWidget(self.note)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.start_button.clicked.connect(self._on_start_clicked)
        self.by.returnPressed.connect(self._on_start_clicked)
        self.hide()

    def show_planned(self, planned: PlannedStart | None) -> None:
        self._planned = planned
        self.setVisible(planned is not None)
        if planned is None:
            return
        infusion = planned.regimen.infusion is not None
        self.volume.setVisible(infusion)
        self.volume_label.setVisible(infusion)
        bed, initials = self._patient_label()
        who = bed.strip() or "no bed or location yet: enter it in the patient strip above"
        marks = f" ({initials.strip()})" if initials.strip() else ""
        self.note.setText(
            f"Patient: {who}{marks}. The checklist is complete; starting the session begins the timed "
            "checks from now and records everything below."
        )

    def _on_start_clicked(self) -> None:
        planned = self._planned
        if planned is None:
            return
        volume: Decimal | None = None
        if planned.regimen.infusion is not None:
            try:
                volume = parse_entry(self.volume.text())
            except NumberParseError as exc:
                self.volume.show_error(exc.message)
                self.message.setText("Enter the volume of the syringe or bag.")
                return
            self.volume.show_error(None)
        bed, initials = self._patient_label()
        self.start_requested.emit(start_draft(self._library, planned, bed, initials, volume, self.by.text()))

    def show_failure(self, message: str) -> None:
        self.message.setText(message)
