"""The running session's header: protocol and status, the pump rate in mL/h (large), the dose in both
units, the syringe, and the time to the next check, always visible; above them, while a stop, pause or
reduce decision is open, that decision in its colour with one-click answers."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from ketamine_desktop.domain.reminders import Reminder
from ketamine_desktop.domain.session import (
    OpenDecision,
    SessionState,
    syringe_empty_at,
    syringe_remaining_ml,
)
from ketamine_desktop.gui import numbers
from ketamine_desktop.gui.monitoring.words import clock_time, span
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.number_field import repolish

STATUS_WORDS: dict[str, str] = {
    "running": "RUNNING",
    "paused": "PAUSED",
    "stopped": "STOPPED",
    "observing": "OBSERVING AFTER A BOLUS",
    "ended": "ENDED",
}
ADVISED_WORDS: dict[str, str] = {"stop": "STOP", "pause": "PAUSE", "reduce": "REDUCE BY HALF"}
ADVISED_LEVELS: dict[str, str] = {"stop": "hard", "pause": "soft", "reduce": "soft"}
# The answers each open decision offers (besides "not done"): the matching event, or a stronger one.
ANSWERS: dict[str, tuple[str, ...]] = {"stop": ("stop",), "pause": ("pause", "stop"), "reduce": ("reduce",)}


def decision_words(decision: OpenDecision) -> str:
    """ "STOP ADVISED at 03:10 - infusion still recorded as running"."""
    return (
        f"{ADVISED_WORDS[decision.infusion]} ADVISED at {clock_time(decision.decided_at)} - infusion still "
        f"recorded as {STATUS_WORDS[decision.status].lower()}"
    )


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
    answer_requested = Signal(str)  # "stop", "pause", "reduce" or "not-done"

    def __init__(self, display: numbers.Display, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionHeader")
        self.setProperty("role", "formSection")
        self._display = display
        self.decision_frame = QFrame(self)
        self.decision_frame.setObjectName("openDecisionFrame")
        self.decision_text = QLabel(self.decision_frame)
        self.decision_text.setObjectName("openDecision")
        self.decision_text.setStyleSheet("font-size: 20px; font-weight: 800; padding: 2px 6px;")
        self.decision_text.setWordWrap(True)
        self.answer_buttons: dict[str, QPushButton] = {
            "stop": named(
                QPushButton("Stop now…", self.decision_frame), "answerStopButton", "Record the stop"
            ),
            "pause": named(
                QPushButton("Pause now…", self.decision_frame), "answerPauseButton", "Record the pause"
            ),
            "reduce": named(
                QPushButton("Reduce by half…", self.decision_frame),
                "answerReduceButton",
                "Record the new rate, at half the dose",
            ),
            "not-done": named(
                QPushButton("Not done…", self.decision_frame),
                "answerNotDoneButton",
                "Record that it was not done, why, and who decided",
            ),
        }
        decision_row = QHBoxLayout(self.decision_frame)
        decision_row.setContentsMargins(4, 2, 4, 2)
        decision_row.addWidget(self.decision_text, 1)
        for answer, button in self.answer_buttons.items():
            decision_row.addWidget(button)
            button.clicked.connect(lambda _checked=False, a=answer: self.answer_requested.emit(a))
        self.decision_frame.hide()
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
        # The open decision first: above the rate, the first thing read.
        grid.addWidget(self.decision_frame, 0, 0, 1, 3)
        grid.addWidget(self.protocol, 1, 0, 1, 2)
        grid.addWidget(self.status, 1, 2)
        grid.addWidget(self.rate, 2, 0, 2, 1)
        grid.addWidget(self.dose, 2, 1, 1, 2)
        grid.addWidget(self.syringe, 3, 1, 1, 2)
        grid.addWidget(self.next_check, 4, 0, 1, 3)
        grid.addWidget(self.pending_bolus, 5, 0, 1, 3)
        grid.addWidget(self.library_note, 6, 0, 1, 3)
        grid.setColumnStretch(1, 1)

    def show_decision(self, decision: OpenDecision | None) -> None:
        """The open decision (the strongest, then the latest) in its colour, with its answers; or none."""
        self.decision_frame.setVisible(decision is not None)
        if decision is None:
            return
        self.decision_text.setText(decision_words(decision))
        self.decision_text.setToolTip(decision.text)
        for answer, button in self.answer_buttons.items():
            button.setVisible(answer == "not-done" or answer in ANSWERS[decision.infusion])
        level = ADVISED_LEVELS[decision.infusion]
        if self.decision_frame.property("level") != level:
            self.decision_frame.setProperty("level", level)
            repolish(self.decision_frame)

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
