"""Things done to the infusion: the event buttons, and the dialog that checks each event before it is
written (a new dose through the same limits as the start, the rate-increase lockout, a reason for any
warning, the protocol's end prompt at the stop; the planned bolus with the time it was given; a new
syringe of another concentration with its new pump rate to confirm).

The dialog never saves by itself: it emits what was asked for and shows the store's answer, so a failed
save keeps the dialog open with its values.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTimeEdit,
    QWidget,
)

from ketamine_desktop.domain.formatting import other_unit
from ketamine_desktop.domain.library import DoseRate, Library
from ketamine_desktop.domain.limits import Finding
from ketamine_desktop.domain.reminders import CLOSABLE
from ketamine_desktop.domain.session import (
    ALLOWED_EVENTS,
    EventDraft,
    EventPreview,
    EventRequestKind,
    SessionError,
    SessionState,
)
from ketamine_desktop.domain.units import NumberParseError
from ketamine_desktop.gui import numbers
from ketamine_desktop.gui.monitoring.history import event_text
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.dialog_layout import lay_out_dialog
from ketamine_desktop.gui.widgets.findings import FindingList

BUTTONS: tuple[tuple[EventRequestKind, str, str], ...] = (
    ("bolus-given", "Bolus &given…", "bolusGivenButton"),
    ("bolus", "&Bolus…", "bolusButton"),
    ("rate-change", "Change &rate…", "rateChangeButton"),
    ("pause", "Pa&use…", "pauseButton"),
    ("resume", "Resu&me…", "resumeButton"),
    ("syringe-change", "Syringe or ba&g change…", "syringeChangeButton"),
    ("stop", "S&top…", "stopButton"),
)
TITLES: dict[EventRequestKind, str] = {
    "bolus-given": "Bolus given",
    "bolus": "Give a bolus",
    "rate-change": "Change the infusion rate",
    "pause": "Pause the infusion",
    "resume": "Resume the infusion",
    "syringe-change": "New syringe or bag",
    "stop": "Stop the infusion",
}


class EventBar(QWidget):
    event_requested = Signal(str)  # EventRequestKind
    close_requested = Signal()
    adverse_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eventBar")
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        # "Bolus given" and "Bolus" share a place: the first while the planned bolus waits, then the other.
        for index, (kind, text, object_name) in enumerate(BUTTONS):
            button = named(QPushButton(text, self), object_name, TITLES[kind])
            button.clicked.connect(lambda _checked=False, k=kind: self.event_requested.emit(k))
            self.buttons[kind] = button
            place = max(index - 1, 0)
            grid.addWidget(button, place // 4, place % 4)
        self.adverse_button = named(
            QPushButton("A&dverse event…", self),
            "adverseEventButton",
            "Record an adverse event: a side effect and what was done",
        )
        self.adverse_button.clicked.connect(self.adverse_requested)
        grid.addWidget(self.adverse_button, 1, 2)
        self.close_button = named(
            QPushButton("&Close session…", self), "closeSessionButton", "Close the stopped session"
        )
        self.close_button.clicked.connect(self.close_requested)
        grid.addWidget(self.close_button, 1, 3)

    def show_state(self, state: SessionState) -> None:
        allowed = ALLOWED_EVENTS[state.status]
        pending = state.pending_bolus is not None
        for kind, button in self.buttons.items():
            shown = kind != "bolus" or state.protocol.bolus is not None
            if kind in ("rate-change", "pause", "resume", "syringe-change"):
                shown = state.infusion is not None
            if kind == "bolus-given":
                shown = pending
            elif kind == "bolus" and pending:
                shown = False  # no other bolus before the planned one is recorded as given
            if button.isHidden() == shown:  # only a change: showing or hiding relays out the window
                button.setVisible(shown)
            button.setEnabled(kind in allowed)
        self.adverse_button.setEnabled(state.status != "ended")
        self.close_button.setEnabled(state.status in CLOSABLE)


class EventDialog(QDialog):
    """One event: its fields, a live preview with its findings, a reason when they need one, who."""

    confirmed = Signal(object, str)  # EventDraft, initials

    def __init__(
        self,
        library: Library,
        state: SessionState,
        kind: EventRequestKind,
        preview: Callable[[EventDraft], EventPreview],
        parent: QWidget | None = None,
        *,
        now: datetime | None = None,
        prefill: DoseRate | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("eventDialog")
        self._now = now
        self.setWindowTitle(TITLES[kind])
        self.kind = kind
        self._preview = preview
        self._library = library
        self._display = numbers.Display(library)
        self._current: EventPreview | None = None
        form = QFormLayout()
        self.dose: QLineEdit | None = None
        self.unit: QComboBox | None = None
        self.bolus_dose: QLineEdit | None = None
        self.bolus_over: QLineEdit | None = None
        self.volume: QLineEdit | None = None
        self.end_prompt_done: QCheckBox | None = None
        self.given_at: QTimeEdit | None = None
        self.concentration: QComboBox | None = None
        self.pump_rate = QLabel(self)
        self.pump_rate.setObjectName("newPumpRate")
        self.pump_rate.setWordWrap(True)
        self.pump_rate.setStyleSheet("font-size: 20px; font-weight: 700;")
        self.pump_rate.hide()
        self.pump_confirmed: QCheckBox | None = None
        protocol = state.protocol
        planned = state.pending_bolus
        if kind == "bolus-given" and planned is not None:
            d = self._display
            what = QLabel(
                f"The bolus checked at the start: {d.mg(planned.dose_mg)} "
                f"({d.mg_per_kg(planned.dose_mg_per_kg)}) = {d.ml(planned.volume_ml)} of "
                f"{d.mg_per_ml(planned.concentration_mg_per_ml)} over {d.minutes(planned.over_min)}. "
                "Record it once it has been given, with the time it was given: the checks after a bolus "
                "count from then.",
                self,
            )
            what.setObjectName("plannedBolus")
            what.setWordWrap(True)
            form.addRow(what)
            self.given_at = named(QTimeEdit(self), "bolusGivenTimeField", "Time the bolus was given")
            self.given_at.setDisplayFormat("HH:mm")
            local = (now or datetime.now(UTC)).astimezone()
            self.given_at.setTime(QTime(local.hour, local.minute))
            form.addRow("Given &at (local time)", self.given_at)
            self.given_at.timeChanged.connect(self._refresh)
        if kind == "rate-change" and protocol.infusion is not None and state.infusion is not None:
            entered = state.infusion.entered
            form.addRow(
                QLabel(
                    f"Now: {numbers.dose_rate(entered.value, entered.unit)}, "
                    f"{self._display.ml_per_h(state.infusion.rate_ml_per_h)}",
                    self,
                )
            )
            self.dose = named(QLineEdit(self), "newDoseField", "New dose")
            self.unit = named(QComboBox(self), "newDoseUnit", "Unit of the new dose")
            display_unit = protocol.infusion.display_unit
            for unit in (display_unit, other_unit(display_unit)):
                self.unit.addItem(unit, unit)
            dose_row = QHBoxLayout()
            dose_row.addWidget(self.dose)
            dose_row.addWidget(self.unit)
            dose_label = QLabel("New &dose", self)
            dose_label.setBuddy(self.dose)  # a row label for a layout shows its "&" unless it has a buddy
            form.addRow(dose_label, dose_row)
            if prefill is not None:
                # Answering a reduce decision: half the dose running, the new rate shown below.
                self.unit.setCurrentIndex(self.unit.findData(prefill.unit))
                self.dose.setText(numbers.exact(prefill.value))
                note = styled(
                    QLabel("Pre-filled at half the dose running, as the decision advised.", self), "hint"
                )
                note.setObjectName("prefillNote")
                form.addRow(note)
            self.dose.textEdited.connect(self._refresh)
            self.unit.currentIndexChanged.connect(self._refresh)
        if kind == "bolus" and protocol.bolus is not None:
            spec = protocol.bolus
            self.bolus_dose = named(QLineEdit(self), "bolusDoseField", "Bolus dose in mg/kg")
            if spec.default_mg_per_kg is not None:
                self.bolus_dose.setText(numbers.exact(spec.default_mg_per_kg))
            self.bolus_over = named(
                QLineEdit(numbers.exact(spec.over_min_default), self),
                "bolusOverField",
                "Bolus given over, minutes",
            )
            form.addRow("Bolus (&mg/kg)", self.bolus_dose)
            form.addRow("Given &over (min)", self.bolus_over)
            self.bolus_dose.textEdited.connect(self._refresh)
            self.bolus_over.textEdited.connect(self._refresh)
        if kind == "syringe-change":
            self.volume = named(QLineEdit(self), "syringeVolumeField", "Volume of the new syringe or bag, mL")
            form.addRow("New syringe or bag &volume (mL)", self.volume)
            self.volume.textEdited.connect(self._refresh)
            running = state.infusion
            if running is not None:
                self.concentration = named(
                    QComboBox(self), "newConcentrationField", "Concentration of the new syringe or bag"
                )
                standards = library.document.concentrations.infusion_standard_mg_per_ml
                current = running.concentration_mg_per_ml
                for value in (current, *(c for c in standards if c != current)):
                    words = " (the same as now)" if value == current else " (another concentration)"
                    self.concentration.addItem(self._display.mg_per_ml(value) + words, numbers.exact(value))
                form.addRow("New &concentration", self.concentration)
                self.concentration.currentIndexChanged.connect(self._refresh)
                form.addRow(self.pump_rate)
                self.pump_confirmed = named(
                    QCheckBox(self), "pumpRateConfirmedField", "The pump is set to the new rate"
                )
                self.pump_confirmed.hide()
                form.addRow(self.pump_confirmed)
                self.pump_confirmed.toggled.connect(self._refresh)
        if kind == "stop" and protocol.end_prompt is not None:
            prompt = styled(QLabel(protocol.end_prompt, self), "notice")
            prompt.setObjectName("endPrompt")
            prompt.setWordWrap(True)
            form.addRow(prompt)
            self.end_prompt_done = named(
                QCheckBox("Done now (otherwise it stays on the list as a reminder)", self),
                "endPromptDone",
                "End prompt done",
            )
            form.addRow(self.end_prompt_done)
        # The new pump rate is the largest text in the dialog: it is what goes on the pump.
        self.new_rate = QLabel(self)
        self.new_rate.setObjectName("newRateValue")
        self.new_rate.setStyleSheet("font-size: 30px; font-weight: 800;")
        self.new_rate.hide()
        self._running_rate = state.infusion.rate_ml_per_h if state.infusion is not None else Decimal(0)
        self.summary = QLabel(self)
        self.summary.setObjectName("eventSummary")
        self.summary.setWordWrap(True)
        self.findings = FindingList(library, self, when="to record this")
        self.findings.suggestion_accepted.connect(self._on_suggestion_accepted)
        self.reason = named(
            QLineEdit(self), "eventReasonField", "Reason for going ahead despite the warnings"
        )
        self.reason_label = QLabel("&Reason (recorded)", self)
        self.reason_label.setBuddy(self.reason)
        self.prescriber = named(
            QLineEdit(self), "eventPrescriberField", "Name of the prescriber who ordered it"
        )
        self.prescriber.setMaxLength(40)
        self.prescriber_label = QLabel("&Prescriber who ordered it", self)
        self.prescriber_label.setBuddy(self.prescriber)
        self.by = named(QLineEdit(self), "eventByField", "Your initials")
        self.by.setMaxLength(40)
        self.message = styled(QLabel(self), "fieldError")
        self.message.setObjectName("eventMessage")
        self.message.setWordWrap(True)
        self.confirm_button = named(QPushButton(TITLES[kind], self), "confirmEventButton", TITLES[kind])
        self.confirm_button.setDefault(True)
        cancel = named(QPushButton("Cancel", self), "cancelEventButton", "Cancel")
        form.addRow(self.new_rate)
        form.addRow(self.summary)
        form.addRow(self.findings)
        form.addRow(self.prescriber_label, self.prescriber)
        form.addRow(self.reason_label, self.reason)
        form.addRow("&Your initials", self.by)
        lay_out_dialog(self, form, self.message, cancel, self.confirm_button)
        self.reason.textEdited.connect(self._refresh)
        self.prescriber.textEdited.connect(self._refresh)
        self.by.textEdited.connect(self._refresh)
        self.confirm_button.clicked.connect(self._on_confirm_clicked)
        cancel.clicked.connect(self.reject)
        self._refresh()
        self.resize(700, 380)

    def draft(self) -> EventDraft:
        """The event as entered; raises NumberParseError for a number the grammar refuses."""
        dose = None
        if self.dose is not None and self.unit is not None:
            dose = DoseRate(value=numbers.parse_entry(self.dose.text()), unit=self.unit.currentData())
        bolus = numbers.parse_entry(self.bolus_dose.text()) if self.bolus_dose is not None else None
        over = numbers.parse_entry(self.bolus_over.text()) if self.bolus_over is not None else None
        volume = numbers.parse_entry(self.volume.text()) if self.volume is not None else None
        concentration = (
            numbers.parse_entry(str(self.concentration.currentData()))
            if self.concentration is not None
            else None
        )
        return EventDraft(
            kind=self.kind,
            given_at=self._given_at(),
            concentration_mg_per_ml=concentration,
            pump_rate_confirmed=self.pump_confirmed is not None and self.pump_confirmed.isChecked(),
            infusion_dose=dose,
            bolus_mg_per_kg=bolus,
            bolus_over_min=over,
            syringe_volume_ml=volume,
            reason=self.reason.text(),
            prescriber=self.prescriber.text(),
            end_prompt_done=self.end_prompt_done is not None and self.end_prompt_done.isChecked(),
        )

    def _given_at(self) -> datetime | None:
        """The bolus time typed, on the day that puts it at or before now (a bolus given before midnight,
        recorded after it, is yesterday's)."""
        if self.given_at is None:
            return None
        now = (self._now or datetime.now(UTC)).astimezone()
        typed = self.given_at.time()
        given = now.replace(hour=typed.hour(), minute=typed.minute(), second=0, microsecond=0)
        if given > now + timedelta(minutes=1):
            given -= timedelta(days=1)
        return given

    def _refresh(self) -> None:
        self._current = None
        problem = ""
        try:
            draft = self.draft()
            self._current = self._preview(draft)
        except NumberParseError as exc:
            problem = exc.message
        except (SessionError, ValueError) as exc:
            problem = exc.message if isinstance(exc, SessionError) else "enter a number greater than zero"
        preview = self._current
        self.summary.setText(event_text(preview.payload, self._display) if preview is not None else "")
        infusion = preview.payload.infusion if preview is not None else None
        self.new_rate.setVisible(self.dose is not None)
        if preview is not None and preview.blocked:
            # A rate that must not be set is never the largest text: a dash and the reason.
            self.new_rate.setText("New rate: \u2014 (blocked by a hard limit)")
        elif infusion is not None:
            self.new_rate.setText(f"New rate: {self._display.ml_per_h(infusion.rate_ml_per_h)}")
        else:
            self.new_rate.setText("New rate: \u2014")
        self.findings.show_findings(preview.payload.findings if preview is not None else ())
        needs_prescriber = preview is not None and preview.needs_prescriber
        needs_reason = preview is not None and (preview.needs_reason or needs_prescriber)
        new_rate = preview.payload.infusion if preview is not None and self.kind == "syringe-change" else None
        self.pump_rate.setVisible(new_rate is not None)
        if self.pump_confirmed is not None:
            self.pump_confirmed.setVisible(new_rate is not None)
        if new_rate is not None and self.pump_confirmed is not None:
            d = self._display
            self.pump_rate.setText(
                numbers.unbroken_units(
                    f"Set the pump to {d.ml_per_h(new_rate.rate_ml_per_h)} "
                    f"(now {d.ml_per_h(self._running_rate)}): "
                    f"the same dose, {d.mg_per_h(new_rate.dose_mg_per_h)}, delivered as "
                    f"{d.mg_per_h(new_rate.delivered_mg_per_h)} = "
                    f"{numbers.dose_rate(new_rate.delivered_mg_per_kg_per_h, 'mg/kg/h')} = "
                    f"{numbers.dose_rate(new_rate.delivered_mcg_per_kg_per_min, 'mcg/kg/min')}."
                )
            )
            self.pump_confirmed.setText(f"I have set the pump to {d.ml_per_h(new_rate.rate_ml_per_h)}")
        self.reason.setVisible(needs_reason)
        self.reason_label.setVisible(needs_reason)
        self.prescriber.setVisible(needs_prescriber)
        self.prescriber_label.setVisible(needs_prescriber)
        if preview is not None and preview.blocked:
            problem = "A hard limit blocks this: it cannot be given."
        elif needs_prescriber and not self.prescriber.text().strip():
            problem = "Name the prescriber who ordered it, and give the reason."
        elif needs_reason and not self.reason.text().strip():
            problem = "The warnings need a reason."
        elif new_rate is not None and self.pump_confirmed is not None and not self.pump_confirmed.isChecked():
            problem = "Set the pump to the new rate and tick to confirm it."
        elif not self.by.text().strip() and preview is not None:
            problem = "Enter your initials."
        self.message.setText(problem)
        self.confirm_button.setEnabled(preview is not None and not problem)
        self._fit()

    def _fit(self) -> None:
        """Tall enough for every finding's whole message (never clipped), within the screen."""
        layout = self.layout()
        if layout is None:
            return  # still being built
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else -1
        needed = max(needed, self.sizeHint().height())
        screen = self.screen()
        limit = int(screen.availableGeometry().height() * 0.95) if screen is not None else needed
        if self.height() < needed:
            self.resize(self.width(), min(needed, limit))

    def _on_suggestion_accepted(self, finding: Finding) -> None:
        """A probable unit mix-up: "Use 1 mcg/kg/min instead" puts that dose in, as if typed."""
        if finding.suggestion is not None and self.dose is not None and self.unit is not None:
            self.unit.setCurrentIndex(self.unit.findData(finding.suggestion.unit))
            self.dose.setText(numbers.exact(finding.suggestion.value))
        elif finding.suggested_bolus_mg_per_kg is not None and self.bolus_dose is not None:
            self.bolus_dose.setText(numbers.exact(finding.suggested_bolus_mg_per_kg))
        self._refresh()

    def _on_confirm_clicked(self) -> None:
        self._refresh()
        if self._current is not None and self.confirm_button.isEnabled():
            self.confirmed.emit(self.draft(), self.by.text().strip())

    def show_failure(self, message: str) -> None:
        self.message.setText(message)
