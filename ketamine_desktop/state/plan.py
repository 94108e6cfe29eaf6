"""The plan being prepared at the bedside: protocol, weight, choices, the regimen, screening, checklist.

`PlanStore` is the one place that holds it. Views send commands (`apply(SetNumber(...))`); the store calls
the domain (`compute_regimen`, `screen`, `monitoring_checks`), swaps in the new values and emits `changed`
once, with a `PlanChange` saying what changed, so each view re-reads only what concerns it. Nothing here
computes a dose or decides a limit: that is the domain's work.

Entries that cannot be computed from are kept apart from the regimen: the card keeps showing the last
regimen that could be computed, `field_errors` says which entry is wrong and why, and `is_current` is
false until every entry is valid again, so Start cannot go ahead on a card that no longer matches the form.

While an infusion session runs (`FollowSession`, sent by the composition root app.py, also after a restart),
the plan is that session's regimen, read-only: every other command is ignored and Start stays disabled until
the session is closed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Literal, TypeVar

from PySide6.QtCore import QObject, Signal

from ketamine_desktop.domain.checklist import items_to_tick
from ketamine_desktop.domain.clock import Clock
from ketamine_desktop.domain.library import DoseRate, DoseRateUnit, Library, Protocol
from ketamine_desktop.domain.patient import InvalidInput
from ketamine_desktop.domain.regimen import Finding, Regimen, RegimenRequest, compute_regimen
from ketamine_desktop.domain.schedule import Check, monitoring_checks
from ketamine_desktop.domain.screening import RecordedScreening, ScreeningAnswer, ScreeningResult, screen
from ketamine_desktop.domain.session import RunningRate, gate_texts

NumberEntry = Literal[
    "weight_kg",
    "bolus_mg_per_kg",
    "bolus_over_min",
    "bolus_concentration_mg_per_ml",
    "infusion_concentration_mg_per_ml",
]
# Every entry the form has, named as RegimenRequest and InvalidInput name them.
Entry = Literal[
    "weight_kg",
    "include_bolus",
    "bolus_mg_per_kg",
    "bolus_over_min",
    "bolus_concentration_mg_per_ml",
    "infusion_dose",
    "infusion_concentration_mg_per_ml",
]

# How far ahead the planned schedule is listed: a display window, not a clinical interval (the checks'
# times all come from the library's schedule). The same default as `ketamine-desktop schedule`.
PLANNED_SCHEDULE_SPAN = timedelta(hours=24)
_T = TypeVar("_T")


class PlanChange(enum.Flag):
    """What changed in one `changed` emission."""

    NONE = 0
    PROTOCOL = enum.auto()  # another protocol: the form's entries were reset to its defaults
    ENTRIES = enum.auto()  # an entry's value (as the store holds it)
    REGIMEN = enum.auto()  # a new regimen was computed
    ERRORS = enum.auto()  # field_errors changed
    SCREENING = enum.auto()
    PLANNED = enum.auto()  # the planned start (checklist completed) appeared or was withdrawn
    SESSION = enum.auto()  # a running session took the plan over (read-only), or let it go


# A view shown for the first time (the window's first render, a tab built when first shown) shows it all.
EVERYTHING = (
    PlanChange.PROTOCOL
    | PlanChange.ENTRIES
    | PlanChange.REGIMEN
    | PlanChange.ERRORS
    | PlanChange.SCREENING
    | PlanChange.PLANNED
    | PlanChange.SESSION
)


# --- Commands -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChooseProtocol:
    protocol_id: str


@dataclass(frozen=True)
class SetNumber:
    entry: NumberEntry
    value: Decimal


@dataclass(frozen=True)
class SetInfusionDose:
    value: Decimal
    unit: DoseRateUnit


@dataclass(frozen=True)
class SetBolusIncluded:
    included: bool


@dataclass(frozen=True)
class RejectEntry:
    """The text typed into `entry` is not a number by the app's grammar; `message` says why."""

    entry: Entry
    message: str


@dataclass(frozen=True)
class AnswerScreening:
    answer: ScreeningAnswer


@dataclass(frozen=True)
class CompleteChecklist:
    """The pre-start checklist was completed for the regimen now on the card, with what the session's
    start needs besides (bed, syringe volume, who starts): completing it starts the session."""

    confirmed_items: tuple[str, ...]  # checklist item ids: every one the nurse ticks (`items_to_tick`)
    names: Mapping[str, str]  # item id -> the practitioner named by that item (requires_name)
    confirmed_gates: tuple[str, ...]  # the gate texts confirmed
    soft_limit_reason: str | None
    bed_label: str = ""
    patient_initials: str = ""
    syringe_volume_ml: Decimal | None = None  # as typed and parsed; the session's start checks it
    started_by: str = ""


@dataclass(frozen=True)
class FollowSession:
    """An infusion session runs with `request` (the plan becomes its regimen, read-only), or none runs.

    `running` is the rate set now, as recorded (with when and why it was last set): what the Dosing card
    shows as running, also after a rate change on the Monitoring tab.
    """

    request: RegimenRequest | None
    running: RunningRate | None = None
    screening: RecordedScreening | None = None  # the answers recorded when it was started


Command = (
    ChooseProtocol
    | SetNumber
    | SetInfusionDose
    | SetBolusIncluded
    | RejectEntry
    | AnswerScreening
    | CompleteChecklist
    | FollowSession
)

SESSION_RUNNING = (
    "An infusion session is running (Monitoring tab, Ctrl+2): this is its regimen, read-only until the "
    "session is closed."
)


# --- Values -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanEntries:
    """The form's values as the store holds them (the last valid number typed into each field)."""

    protocol_id: str | None  # None until the clinician chooses one: no protocol is assumed
    weight_kg: Decimal | None
    include_bolus: bool
    bolus_mg_per_kg: Decimal | None
    bolus_over_min: Decimal | None
    bolus_concentration_mg_per_ml: Decimal
    infusion_dose: DoseRate | None
    infusion_concentration_mg_per_ml: Decimal


@dataclass(frozen=True)
class StartGate:
    """Whether Start can open the checklist, and if not, every reason in words."""

    can_start: bool
    reasons: tuple[str, ...]
    needs_reason: bool  # soft findings: the checklist asks for a typed reason
    blocked: bool = False  # a hard finding on the regimen now on the card


@dataclass(frozen=True)
class PlannedStart:
    """The checklist was completed: the schedule this regimen would follow from `started_at`.

    This is a plan on screen, not a running session: nothing is timed, reminded or saved here.
    """

    started_at: datetime
    until: datetime
    checks: tuple[Check, ...]
    regimen: Regimen
    entries: PlanEntries
    screening: ScreeningResult
    names: Mapping[str, str]
    soft_limit_reason: str | None
    confirmed_items: tuple[str, ...] = ()
    bed_label: str = ""
    patient_initials: str = ""
    syringe_volume_ml: Decimal | None = None
    started_by: str = ""


def default_entries(library: Library, protocol: Protocol | None, weight_kg: Decimal | None) -> PlanEntries:
    """The protocol's and the library's defaults, read from the library (nothing computed)."""
    concentrations = library.document.concentrations
    bolus = protocol.bolus if protocol is not None else None
    infusion = protocol.infusion if protocol is not None else None
    return PlanEntries(
        protocol_id=protocol.id if protocol is not None else None,
        weight_kg=weight_kg,
        include_bolus=bolus is not None and not bolus.optional,
        bolus_mg_per_kg=bolus.default_mg_per_kg if bolus is not None else None,
        bolus_over_min=bolus.over_min_default if bolus is not None else None,
        bolus_concentration_mg_per_ml=concentrations.bolus_default_mg_per_ml,
        infusion_dose=infusion.default if infusion is not None else None,
        infusion_concentration_mg_per_ml=concentrations.infusion_default_mg_per_ml,
    )


def _with_number(entries: PlanEntries, entry: NumberEntry, value: Decimal) -> PlanEntries:
    if entry == "weight_kg":
        return replace(entries, weight_kg=value)
    if entry == "bolus_mg_per_kg":
        return replace(entries, bolus_mg_per_kg=value)
    if entry == "bolus_over_min":
        return replace(entries, bolus_over_min=value)
    if entry == "bolus_concentration_mg_per_ml":
        return replace(entries, bolus_concentration_mg_per_ml=value)
    return replace(entries, infusion_concentration_mg_per_ml=value)


def _given(value: _T | None, default: _T) -> _T:
    """The session's own value, else the default it was computed with (None in a request means that)."""
    return value if value is not None else default


def soft_findings(regimen: Regimen) -> tuple[Finding, ...]:
    return tuple(f for f in regimen.findings if f.level == "soft")


class PlanStore(QObject):
    """Holds the plan; `apply(command)` is the only way to change it; `changed` says what changed."""

    changed = Signal(object)  # PlanChange

    def __init__(self, library: Library, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self._clock = clock
        self._entries = default_entries(library, None, None)
        self._regimen: Regimen | None = None
        self._regimen_entries: PlanEntries | None = None
        self._parse_errors: dict[str, str] = {}
        self._domain_error: tuple[str, str] | None = None
        self._answers: dict[str, ScreeningAnswer] = {}
        self._screening = screen(library, {})
        self._planned: PlannedStart | None = None
        self._following: RegimenRequest | None = None
        self._running: RunningRate | None = None
        self._running_screening: RecordedScreening | None = None

    # --- Reading ---

    @property
    def library(self) -> Library:
        return self._library

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def entries(self) -> PlanEntries:
        return self._entries

    @property
    def protocol(self) -> Protocol | None:
        """The chosen protocol; None until the clinician has chosen one."""
        protocol_id = self._entries.protocol_id
        return self._library.protocol(protocol_id) if protocol_id is not None else None

    @property
    def regimen(self) -> Regimen | None:
        """The last regimen computed from valid entries (it may be stale: see `is_current`)."""
        return self._regimen

    @property
    def field_errors(self) -> Mapping[str, str]:
        errors = dict(self._parse_errors)
        if self._domain_error is not None:
            errors.setdefault(*self._domain_error)
        return MappingProxyType(errors)

    @property
    def is_current(self) -> bool:
        """The regimen on the card is the one the form's entries give."""
        return (
            self._regimen is not None
            and self._regimen_entries == self._entries
            and not self._parse_errors
            and self._domain_error is None
        )

    @property
    def screening(self) -> ScreeningResult:
        return self._screening

    @property
    def answers(self) -> Mapping[str, ScreeningAnswer]:
        return MappingProxyType(self._answers)

    @property
    def planned(self) -> PlannedStart | None:
        return self._planned

    @property
    def following(self) -> bool:
        """A session is running: the plan shows its regimen and takes no command but `FollowSession`."""
        return self._following is not None

    @property
    def running(self) -> RunningRate | None:
        """The running session's infusion as set now (None when no session runs or it has no infusion)."""
        return self._running if self._following is not None else None

    @property
    def running_screening(self) -> RecordedScreening | None:
        """The screening the running session was started with, as recorded (None when none runs)."""
        return self._running_screening if self._following is not None else None

    def start_gate(self) -> StartGate:
        reasons: list[str] = []
        regimen = self._regimen
        if self._following is not None:
            reasons.append(SESSION_RUNNING)
        if self._entries.protocol_id is None:
            reasons.append("Choose the protocol.")
        if self._entries.weight_kg is None and "weight_kg" not in self._parse_errors:
            reasons.append("Enter the patient's weight.")
        if self.field_errors:
            reasons.append("Correct the entry marked beside its field.")
        elif regimen is not None and regimen.blocked:
            reasons.append("A hard limit blocks this regimen (see the findings).")
        if not self._screening.can_start:
            reasons.append(self._screening.summary)
        can_start = not reasons and self.is_current
        needs_reason = regimen is not None and regimen.needs_reason
        blocked = regimen is not None and regimen.blocked
        return StartGate(can_start, tuple(reasons), needs_reason, blocked)

    # --- Changing ---

    def apply(self, command: Command) -> None:
        if self._following is not None and not isinstance(command, FollowSession):
            return  # the views are read-only while a session runs; nothing may change its regimen
        change = self._apply(command)
        if self._planned is not None and not isinstance(command, CompleteChecklist) and change:
            # The planned schedule belongs to the regimen and screening it was completed for.
            self._planned = None
            change |= PlanChange.PLANNED
        if change:
            self.changed.emit(change)

    def _apply(self, command: Command) -> PlanChange:
        if isinstance(command, ChooseProtocol):
            return self._choose_protocol(command.protocol_id)
        if isinstance(command, SetNumber):
            return self._set_entries(command.entry, _with_number(self._entries, command.entry, command.value))
        if isinstance(command, SetInfusionDose):
            if command.value <= 0:
                return self._reject("infusion_dose", "must be greater than zero")
            dose = DoseRate(value=command.value, unit=command.unit)
            return self._set_entries("infusion_dose", replace(self._entries, infusion_dose=dose))
        if isinstance(command, SetBolusIncluded):
            return self._set_entries("include_bolus", replace(self._entries, include_bolus=command.included))
        if isinstance(command, RejectEntry):
            return self._reject(command.entry, command.message)
        if isinstance(command, AnswerScreening):
            return self._answer(command.answer)
        if isinstance(command, FollowSession):
            return self._follow(command.request, command.running, command.screening)
        return self._complete(command)

    def _choose_protocol(self, protocol_id: str) -> PlanChange:
        if protocol_id == self._entries.protocol_id:
            return PlanChange.NONE
        protocol = self._library.protocol(protocol_id)  # KeyError: a programming error, not user input
        self._entries = default_entries(self._library, protocol, self._entries.weight_kg)
        # The other fields are refilled with the protocol's defaults; the weight field keeps its text.
        self._parse_errors = {k: v for k, v in self._parse_errors.items() if k == "weight_kg"}
        return PlanChange.PROTOCOL | PlanChange.ENTRIES | PlanChange.ERRORS | self._recompute()

    def _set_entries(self, entry: str, entries: PlanEntries) -> PlanChange:
        change = PlanChange.NONE
        if entries != self._entries:
            self._entries = entries
            change |= PlanChange.ENTRIES
        if self._parse_errors.pop(entry, None) is not None:
            change |= PlanChange.ERRORS
        return change | self._recompute()

    def _reject(self, entry: str, message: str) -> PlanChange:
        if self._parse_errors.get(entry) == message:
            return PlanChange.NONE
        self._parse_errors[entry] = message
        return PlanChange.ERRORS

    def _recompute(self) -> PlanChange:
        """Compute the regimen when every entry is usable; otherwise keep the last one and say why."""
        before = self._domain_error
        if self._parse_errors or self._entries.weight_kg is None or self._entries.protocol_id is None:
            self._domain_error = None
            return PlanChange.ERRORS if before is not None else PlanChange.NONE
        if self._regimen_entries == self._entries and self._domain_error is None:
            return PlanChange.NONE
        try:
            regimen = compute_regimen(self._library, self._request(self._entries))
        except InvalidInput as exc:
            self._domain_error = (exc.field, exc.message)
            return PlanChange.ERRORS if self._domain_error != before else PlanChange.NONE
        self._domain_error = None
        self._regimen = regimen
        self._regimen_entries = self._entries
        return PlanChange.REGIMEN | (PlanChange.ERRORS if before is not None else PlanChange.NONE)

    def _request(self, e: PlanEntries) -> RegimenRequest:
        assert e.weight_kg is not None and e.protocol_id is not None  # _recompute checked
        protocol = self._library.protocol(e.protocol_id)
        bolus = protocol.bolus is not None and e.include_bolus
        infusion = protocol.infusion is not None
        return RegimenRequest(
            protocol_id=e.protocol_id,
            weight_kg=e.weight_kg,
            include_bolus=bolus if protocol.bolus is not None else None,
            bolus_mg_per_kg=e.bolus_mg_per_kg if bolus else None,
            bolus_concentration_mg_per_ml=e.bolus_concentration_mg_per_ml if bolus else None,
            bolus_over_min=e.bolus_over_min if bolus else None,
            infusion_dose=e.infusion_dose if infusion else None,
            infusion_concentration_mg_per_ml=e.infusion_concentration_mg_per_ml if infusion else None,
        )

    def _follow(
        self,
        request: RegimenRequest | None,
        running: RunningRate | None,
        screening: RecordedScreening | None,
    ) -> PlanChange:
        """Show the running session's own regimen (computed from its stored request), or let the plan go."""
        self._running_screening = screening if request is not None else None
        if request == self._following:
            if running == self._running:
                return PlanChange.NONE
            self._running = running  # e.g. paused or resumed: the same dose, a new status
            return PlanChange.SESSION | PlanChange.REGIMEN
        self._following = request
        self._running = running
        if request is None:
            return PlanChange.SESSION  # the entries stay as the session had them, editable again
        protocol = self._library.protocol(request.protocol_id)
        defaults = default_entries(self._library, protocol, request.weight_kg)
        before = self._entries.protocol_id
        try:
            regimen: Regimen | None = compute_regimen(self._library, request)
            self._domain_error = None
        except InvalidInput as exc:  # e.g. a library that no longer allows it: say so beside the field
            regimen = None
            self._domain_error = (exc.field, exc.message)
        bolus = regimen.bolus if regimen is not None else None
        self._entries = PlanEntries(
            protocol_id=request.protocol_id,
            weight_kg=request.weight_kg,
            include_bolus=bolus is not None if regimen is not None else defaults.include_bolus,
            bolus_mg_per_kg=_given(request.bolus_mg_per_kg, defaults.bolus_mg_per_kg),
            bolus_over_min=_given(request.bolus_over_min, defaults.bolus_over_min),
            bolus_concentration_mg_per_ml=_given(
                request.bolus_concentration_mg_per_ml, defaults.bolus_concentration_mg_per_ml
            ),
            infusion_dose=_given(request.infusion_dose, defaults.infusion_dose),
            infusion_concentration_mg_per_ml=_given(
                request.infusion_concentration_mg_per_ml, defaults.infusion_concentration_mg_per_ml
            ),
        )
        self._parse_errors = {}
        if regimen is not None:
            self._regimen = regimen
        self._regimen_entries = self._entries if regimen is not None else None
        change = PlanChange.SESSION | PlanChange.ENTRIES | PlanChange.ERRORS | PlanChange.REGIMEN
        return change | (PlanChange.PROTOCOL if before != request.protocol_id else PlanChange.NONE)

    def _answer(self, answer: ScreeningAnswer) -> PlanChange:
        if self._answers.get(answer.item_id) == answer:
            return PlanChange.NONE
        answers = {**self._answers, answer.item_id: answer}
        self._screening = screen(self._library, answers)  # ValueError: an id the library lacks
        self._answers = answers
        return PlanChange.SCREENING

    def _complete(self, command: CompleteChecklist) -> PlanChange:
        """Lay down the planned schedule; refuses (ValueError) anything the checklist dialog should have."""
        regimen = self._regimen
        gate = self.start_gate()
        if not gate.can_start or regimen is None:
            raise ValueError("the plan cannot start: " + " ".join(gate.reasons))
        protocol = self._library.protocol(regimen.protocol_id)
        required = {item.id for item in items_to_tick(self._library, protocol)}
        if set(command.confirmed_items) != required:
            raise ValueError("every checklist item must be confirmed")
        for item in self._library.document.checklist:
            if item.requires_name and not command.names.get(item.id, "").strip():
                raise ValueError(f"checklist item {item.id!r} needs a name")
        if set(command.confirmed_gates) != set(gate_texts(regimen)):
            raise ValueError("every gate must be confirmed")
        reason = (command.soft_limit_reason or "").strip() or None
        if gate.needs_reason and reason is None:
            raise ValueError("the soft-limit findings need a reason")
        started_at = self._clock.now()
        until = started_at + PLANNED_SCHEDULE_SPAN
        checks = monitoring_checks(self._library, regimen.protocol_id, started_at, (), until)
        self._planned = PlannedStart(
            started_at=started_at,
            until=until,
            checks=checks,
            regimen=regimen,
            entries=self._entries,
            screening=self._screening,
            names=MappingProxyType({k: v.strip() for k, v in command.names.items()}),
            soft_limit_reason=reason,
            confirmed_items=command.confirmed_items,
            bed_label=command.bed_label.strip(),
            patient_initials=command.patient_initials.strip(),
            syringe_volume_ml=command.syringe_volume_ml,
            started_by=command.started_by.strip(),
        )
        return PlanChange.PLANNED
