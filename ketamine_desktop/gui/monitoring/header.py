"""The running session's header: protocol and status, the pump rate in mL/h (large), the dose in both
units, the syringe, and the time to the next check, always visible."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from ketamine_desktop.domain.reminders import Reminder
from ketamine_desktop.domain.session import SessionState, syringe_empty_at, syringe_remaining_ml
from ketamine_desktop.gui import numbers
from ketamine_desktop.gui.monitoring.words import clock_time, span
from ketamine_desktop.gui.widgets.accessible import styled

STATUS_WORDS: dict[str, str] = {
    "running": "RUNNING",
    "paused": "PAUSED",
    "stopped": "STOPPED",
    "observing": "OBSERVING AFTER A BOLUS",
    "ended": "ENDED",
}


def next_check_words(
    active: tuple[Reminder, ...], upcoming: Reminder | None, now: datetime
) -> tuple[str, str]:
    """(text, level) of the "next check" line: overdue and due first, then the next upcoming one."""
    checks = [r for r in active if r.kind == "check"]
    overdue = [r for r in checks if r.status == "overdue"]
    then = f"next check in {span(upcoming.due - now)} (at {clock_time(upcoming.due)})" if upcoming else ""
    if overdue:
        first = overdue[0]
        more = f" (+{len(overdue) - 1} more)" if len(overdue) > 1 else ""
        text = f"CHECK OVERDUE: due {clock_time(first.due)}, {span(now - first.due)} late{more}"
        return f"{text} · then {then}" if then else text, "hard"
    if checks:
        text = f"CHECK DUE NOW: due {clock_time(checks[0].due)}"
        return f"{text} · then {then}" if then else text, "soft"
    if upcoming is not None:
        return then[0].upper() + then[1:], "info"
    return "No further checks scheduled", "info"


class SessionHeader(QFrame):
    def __init__(self, display: numbers.Display, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionHeader")
        self.setProperty("role", "formSection")
        self._display = display
        self.protocol = styled(QLabel(self), "heading")
        self.protocol.setObjectName("sessionProtocol")
        self.protocol.setWordWrap(True)
        self.status = styled(QLabel(self), "levelWord")
        self.status.setObjectName("sessionStatus")
        self.rate = QLabel(self)
        self.rate.setObjectName("sessionRate")
        self.rate.setStyleSheet("font-size: 40px; font-weight: 800;")
        self.dose = styled(QLabel(self), "value")
        self.dose.setObjectName("sessionDose")
        self.dose.setWordWrap(True)
        self.syringe = QLabel(self)
        self.syringe.setObjectName("sessionSyringe")
        self.syringe.setWordWrap(True)
        self.next_check = QFrame(self)
        self.next_check.setObjectName("nextCheckFrame")
        self.next_text = QLabel(self.next_check)
        self.next_text.setObjectName("nextCheck")
        self.next_text.setStyleSheet("font-size: 18px; font-weight: 700; padding: 4px 8px;")
        self.next_text.setWordWrap(True)
        next_layout = QGridLayout(self.next_check)
        next_layout.setContentsMargins(4, 2, 4, 2)
        next_layout.addWidget(self.next_text, 0, 0)
        self.pending_bolus = styled(QLabel(self), "notice")
        self.pending_bolus.setObjectName("sessionPendingBolus")
        self.pending_bolus.setWordWrap(True)
        self.pending_bolus.hide()
        self.library_note = styled(QLabel(self), "fieldError")
        self.library_note.setObjectName("sessionLibraryNote")
        self.library_note.setWordWrap(True)
        self.library_note.hide()

        grid = QGridLayout(self)
        grid.setContentsMargins(10, 8, 10, 8)
        grid.addWidget(self.protocol, 0, 0, 1, 2)
        grid.addWidget(self.status, 0, 2)
        grid.addWidget(self.rate, 1, 0, 2, 1)
        grid.addWidget(self.dose, 1, 1, 1, 2)
        grid.addWidget(self.syringe, 2, 1, 1, 2)
        grid.addWidget(self.next_check, 3, 0, 1, 3)
        grid.addWidget(self.pending_bolus, 4, 0, 1, 3)
        grid.addWidget(self.library_note, 5, 0, 1, 3)
        grid.setColumnStretch(1, 1)

    def show_state(
        self, state: SessionState, active: tuple[Reminder, ...], upcoming: Reminder | None, now: datetime
    ) -> None:
        d = self._display
        start = state.start
        initials = f" ({start.patient_initials})" if start.patient_initials else ""
        self.protocol.setText(f"{start.bed_label}{initials} · {state.protocol.name}")
        self.status.setText(STATUS_WORDS[state.status])
        infusion = state.infusion
        if infusion is None:
            bolus = start.regimen.bolus
            self.rate.setText("No infusion")
            self.dose.setText(
                f"Bolus {d.mg(bolus.dose_mg)} ({d.mg_per_kg(bolus.dose_mg_per_kg)})"
                if bolus is not None
                else ""
            )
        else:
            running = state.status == "running"
            rate = d.ml_per_h(infusion.rate_ml_per_h)
            self.rate.setText(rate if running else f"{rate} ({STATUS_WORDS[state.status].lower()})")
            both = d.numbers.rate_equals(
                infusion.delivered_mg_per_kg_per_h, infusion.delivered_mcg_per_kg_per_min
            )
            self.dose.setText(
                f"{both} · {d.mg_per_h(infusion.delivered_mg_per_h)} of "
                f"{d.mg_per_ml(infusion.concentration_mg_per_ml)} · {d.kg(start.regimen.weight_kg)}"
            )
        left = syringe_remaining_ml(state, now)
        empty = syringe_empty_at(state)
        if left is None:
            self.syringe.setText("")
        else:
            until = f", empty at {clock_time(empty)} at this rate" if empty is not None else ""
            self.syringe.setText(f"Syringe or bag: about {d.ml(left)} left{until}")
        planned = state.pending_bolus
        self.pending_bolus.setVisible(planned is not None)
        if planned is not None:
            self.pending_bolus.setText(
                f"Planned bolus {d.mg(planned.dose_mg)} ({d.mg_per_kg(planned.dose_mg_per_kg)}) = "
                f"{d.ml(planned.volume_ml)} of {d.mg_per_ml(planned.concentration_mg_per_ml)} over "
                f"{d.minutes(planned.over_min)}: not yet recorded as given. Press 'Bolus given' once it "
                "has been given."
            )
        text, level = next_check_words(active, upcoming, now)
        self.next_text.setText(text)
        if self.next_check.property("level") != level:
            self.next_check.setProperty("level", level)
            self.next_check.style().unpolish(self.next_check)
            self.next_check.style().polish(self.next_check)
        self.library_note.setVisible(not state.library_matches)
        self.library_note.setText(
            "This session was started with a different library version: its numbers are as recorded; "
            "the schedule and the assessments use the library in use now."
        )
