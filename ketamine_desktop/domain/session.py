"""The infusion session: what is written to the record, and the session's state as a fold over it.

Event-sourced. The record store holds one record per thing that happened: the start, each event on the
infusion, each observation, deferral and acknowledgement, each reminder the app raised, each completed
task, each wall-clock jump, the close. `session_state(library, records)` folds them into a `SessionState`
(`apply_record` adds one more); nothing else about a session is kept anywhere.

The `*_payload` functions are the pure half of the commands: each checks a request against the state and
the library (a rate change goes through `compute_regimen` with the start's limits and soft-reason rule,
plus the library's rate-increase lockout; a deferral lasts at most its check's grid interval) and returns
the payload to write, or raises `SessionError` saying why not, in words for the user.

Time: every instant is aware and handled in UTC. The time of a thing (an event, an observation) is in its
payload; the record's own `recorded_at` is when it was written (a save retried after a disk error is
written later than the nurse pressed Save).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Annotated, Generic, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ketamine_desktop.domain.assessment import Assessment, AssessmentContext, Observation, assess
from ketamine_desktop.domain.library import DoseRate, Item, Library, Protocol
from ketamine_desktop.domain.limits import Finding, Target, sort_findings
from ketamine_desktop.domain.patient import InvalidInput
from ketamine_desktop.domain.regimen import (
    BolusResult,
    InfusionResult,
    Regimen,
    RegimenRequest,
    compute_regimen,
)
from ketamine_desktop.domain.schedule import Check, ScheduleEvent, monitoring_checks
from ketamine_desktop.domain.screening import ScreeningItemResult

__all__ = [
    "ALLOWED_EVENTS",
    "NAME_MAX_CHARS",
    "AcknowledgementPayload",
    "ClockJumpPayload",
    "ClosePayload",
    "CorruptRecord",
    "DeferralPayload",
    "EventDraft",
    "EventPayload",
    "EventPreview",
    "InfusionStatus",
    "ObservationDraft",
    "ObservationPayload",
    "RaisePayload",
    "RecordKind",
    "Recorded",
    "SessionError",
    "SessionEventKind",
    "SessionRecord",
    "SessionState",
    "StartDraft",
    "StartPayload",
    "Syringe",
    "TaskPayload",
    "acknowledgement_payload",
    "apply_record",
    "assessment_context",
    "check_key",
    "checks_until",
    "clock_jump_payload",
    "deferral_payload",
    "event_payload",
    "horizon_minutes",
    "live_deferral",
    "missing_items",
    "observation_payload",
    "parse_record",
    "preview_event",
    "request_for",
    "schedule_events",
    "session_checks",
    "session_state",
    "start_payload",
    "syringe_empty_at",
    "to_payload",
]

RecordKind = Literal[
    "session-started",
    "event",
    "observation",
    "deferral",
    "acknowledgement",
    "reminder",
    "task-done",
    "clock-jump",
    "session-closed",
]
RECORD_KINDS: tuple[RecordKind, ...] = get_args(RecordKind)
SessionEventKind = Literal[
    "bolus", "rate-increase", "rate-decrease", "pause", "resume", "syringe-change", "stop"
]
EventRequestKind = Literal["bolus", "rate-change", "pause", "resume", "syringe-change", "stop"]
InfusionStatus = Literal["running", "paused", "stopped", "observing", "ended"]
RaisedLevel = Literal["due", "overdue", "urgent"]

# Input hygiene, not clinical numbers: names and labels are short single lines.
NAME_MAX_CHARS = 40
_INITIALS_MAX = 4
# Events that reach the monitoring schedule; a syringe change does not change when checks are due.
_SCHEDULE_KINDS: frozenset[str] = frozenset(
    {"bolus", "rate-increase", "rate-decrease", "pause", "resume", "stop"}
)
_INFUSION_TARGETS: frozenset[Target] = frozenset({"infusion", "infusion_concentration"})
_BOLUS_TARGETS: frozenset[Target] = frozenset({"bolus", "bolus_concentration", "bolus_duration"})
_US_PER_H = Decimal(3_600_000_000)
CHECK_KEY_PREFIX = "check:"


class SessionError(ValueError):
    """A command that cannot be carried out; `message` says why, in words for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CorruptRecord(ValueError):
    """A stored record that cannot be part of a session (unknown kind, bad payload, wrong order)."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


Text = Annotated[str, Field(min_length=1)]
PositiveDecimal = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]


# --- Payloads (what each record holds) ------------------------------------------------------------------


class StartPayload(_Model):
    """A session started: who it is for (a bed or location label, never a name), what was set, by whom."""

    started_at: datetime
    bed_label: Text
    patient_initials: str | None = None
    protocol_id: Text
    request: RegimenRequest
    regimen: Regimen
    syringe_volume_ml: PositiveDecimal | None = None
    started_by: Text
    double_checked_by: Text
    soft_limit_reason: str | None = None
    screening: tuple[ScreeningItemResult, ...] = ()
    confirmed_checklist: tuple[str, ...] = ()
    confirmed_gates: tuple[str, ...] = ()


class EventPayload(_Model):
    """Something done to the infusion; a rate change carries the new dose and the numbers it gives."""

    at: datetime
    kind: SessionEventKind
    infusion_dose: DoseRate | None = None
    infusion: InfusionResult | None = None
    bolus: BolusResult | None = None
    findings: tuple[Finding, ...] = ()
    reason: str | None = None
    syringe_volume_ml: PositiveDecimal | None = None
    end_prompt: str | None = None
    end_prompt_done: bool = False


class ObservationPayload(_Model):
    """One recorded check (or an extra one, `check_due` None), with its assessment as computed at save."""

    check_due: datetime | None
    taken_at: datetime
    observation: Observation
    monitors_attached: bool | None = None
    answered: tuple[Item, ...]
    context: AssessmentContext
    assessment: Assessment


class DeferralPayload(_Model):
    check_due: datetime
    at: datetime
    until: datetime
    reason: Text


class AcknowledgementPayload(_Model):
    observation_seq: int
    codes: tuple[str, ...]
    at: datetime


class RaisePayload(_Model):
    """The app raised a reminder to this level (written once per level, so a restart does not repeat it)."""

    key: Text
    level: RaisedLevel
    due: datetime
    at: datetime


class TaskPayload(_Model):
    key: Text
    at: datetime


class ClockJumpPayload(_Model):
    """The wall clock moved `jump_seconds` beyond the monotonic clock (a clock change or a sleep)."""

    at: datetime
    previous_at: datetime
    jump_seconds: Decimal
    cause: Literal["tick", "restart"]


class ClosePayload(_Model):
    at: datetime
    reason: str | None = None


Payload = (
    StartPayload
    | EventPayload
    | ObservationPayload
    | DeferralPayload
    | AcknowledgementPayload
    | RaisePayload
    | TaskPayload
    | ClockJumpPayload
    | ClosePayload
)
_PAYLOAD_CLASSES: Mapping[RecordKind, type[Payload]] = {
    "session-started": StartPayload,
    "event": EventPayload,
    "observation": ObservationPayload,
    "deferral": DeferralPayload,
    "acknowledgement": AcknowledgementPayload,
    "reminder": RaisePayload,
    "task-done": TaskPayload,
    "clock-jump": ClockJumpPayload,
    "session-closed": ClosePayload,
}
KIND_OF: Mapping[type[Payload], RecordKind] = {cls: kind for kind, cls in _PAYLOAD_CLASSES.items()}


def to_payload(body: Payload) -> dict[str, object]:
    """The payload as plain data for the store: decimals stay Decimal, instants become ISO text in UTC."""
    data = _plain(body.model_dump(mode="python"))
    assert isinstance(data, dict)
    return data


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


# --- Records --------------------------------------------------------------------------------------------


class SessionRecord(_Model):
    """One stored record as the fold sees it."""

    seq: int
    recorded_by: Text
    recorded_at: datetime
    body: Payload

    @property
    def kind(self) -> RecordKind:
        return KIND_OF[type(self.body)]


def parse_record(
    seq: int, kind: str, payload: Mapping[str, object], recorded_by: str, recorded_at: datetime
) -> SessionRecord:
    """A stored record's payload checked against its kind; raises CorruptRecord."""
    cls = _PAYLOAD_CLASSES.get(kind)  # type: ignore[call-overload]
    if cls is None:
        raise CorruptRecord(f"record {seq}: unknown kind {kind!r}")
    try:
        body = cls.model_validate(_interned(payload))
        record = SessionRecord(
            seq=seq, recorded_by=sys.intern(recorded_by), recorded_at=recorded_at, body=body
        )
    except ValidationError as exc:
        raise CorruptRecord(f"record {seq} ({kind}): {exc.errors(include_url=False)[0]['msg']}") from exc
    _share_fields_sets(record)
    return record


# A session keeps every record it replays for as long as it runs (days): what is the same in every record
# is stored once. Texts (item names, action texts, source keys) are interned; each model's set of the
# fields it was given, identical in almost every record, is shared (pydantic only reads it back for
# `exclude_unset`, which nothing here uses). This halves the memory a replayed observation takes.
_FIELDS_SETS: dict[frozenset[str], set[str]] = {}


def _interned(value: object) -> object:
    if isinstance(value, str):
        return sys.intern(value)
    if isinstance(value, Mapping):
        return {key: _interned(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_interned(item) for item in value]
    return value


def _share_fields_sets(model: BaseModel) -> None:
    fields = frozenset(model.__pydantic_fields_set__)
    shared = _FIELDS_SETS.setdefault(fields, set(fields))
    object.__setattr__(model, "__pydantic_fields_set__", shared)
    for value in model.__dict__.values():
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if isinstance(item, BaseModel):
                _share_fields_sets(item)


P = TypeVar("P", bound=BaseModel)


class Recorded(_Model, Generic[P]):
    """A payload with who wrote it, when, and its place in the record."""

    seq: int
    by: str
    recorded_at: datetime
    body: P


class Syringe(_Model):
    """The syringe or bag running now and what is left in it as of the last change of rate."""

    seq: int  # the record that put it up (the start or a syringe change)
    since: datetime
    volume_ml: Decimal
    remaining_ml: Decimal  # as of `as_of`
    as_of: datetime
    delivering_ml_per_h: Decimal  # 0 while paused or stopped
    epoch_seq: int  # the record that last changed the rate or the syringe


# --- State ----------------------------------------------------------------------------------------------


class SessionState(_Model):
    """Everything known about one session, folded from its records."""

    session_id: str
    library: Library = Field(repr=False)
    start: StartPayload
    start_seq: int
    events: tuple[Recorded[EventPayload], ...] = ()
    observations: tuple[Recorded[ObservationPayload], ...] = ()
    deferrals: tuple[Recorded[DeferralPayload], ...] = ()
    acknowledgements: tuple[Recorded[AcknowledgementPayload], ...] = ()
    raised: tuple[Recorded[RaisePayload], ...] = ()
    tasks_done: tuple[Recorded[TaskPayload], ...] = ()
    clock_jumps: tuple[Recorded[ClockJumpPayload], ...] = ()
    closed: Recorded[ClosePayload] | None = None
    status: InfusionStatus
    request: RegimenRequest
    infusion: InfusionResult | None
    syringe: Syringe | None
    recorded_dues: frozenset[datetime] = frozenset()
    last_seq: int

    @property
    def protocol(self) -> Protocol:
        return self.library.protocol(self.start.protocol_id)

    @property
    def library_matches(self) -> bool:
        """The library in use is the one the session was started with."""
        return self.start.regimen.library_sha256 == self.library.sha256

    @property
    def stopped_at(self) -> datetime | None:
        return next((e.body.at for e in self.events if e.body.kind == "stop"), None)

    @property
    def last_event_at(self) -> datetime:
        return self.events[-1].body.at if self.events else self.start.started_at


def session_state(library: Library, session_id: str, records: Sequence[SessionRecord]) -> SessionState:
    """Fold a session's records (in seq order, the start first) into its state; raises CorruptRecord."""
    if not records:
        raise CorruptRecord(f"session {session_id}: no records")
    first, rest = records[0], records[1:]
    if not isinstance(first.body, StartPayload):
        raise CorruptRecord(f"record {first.seq}: a session must begin with its start, not {first.kind!r}")
    start = first.body
    infusion = start.regimen.infusion
    syringe = None
    if infusion is not None and start.syringe_volume_ml is not None:
        syringe = Syringe(
            seq=first.seq,
            since=start.started_at,
            volume_ml=start.syringe_volume_ml,
            remaining_ml=start.syringe_volume_ml,
            as_of=start.started_at,
            delivering_ml_per_h=infusion.rate_ml_per_h,
            epoch_seq=first.seq,
        )
    state = SessionState(
        session_id=session_id,
        library=library,
        start=start,
        start_seq=first.seq,
        status="running" if infusion is not None else "observing",
        request=start.request,
        infusion=infusion,
        syringe=syringe,
        last_seq=first.seq,
    )
    for record in rest:
        state = apply_record(state, record)
    return state


def apply_record(state: SessionState, record: SessionRecord) -> SessionState:
    """The state with one more record; raises CorruptRecord for a record that cannot follow."""
    if record.seq <= state.last_seq:
        raise CorruptRecord(f"record {record.seq}: out of order (after {state.last_seq})")
    body = record.body
    update: dict[str, object] = {"last_seq": record.seq}
    if isinstance(body, StartPayload):
        raise CorruptRecord(f"record {record.seq}: a second start in session {state.session_id}")
    if isinstance(body, EventPayload):
        update.update(_after_event(state, _recorded(record, body)))
    elif isinstance(body, ObservationPayload):
        update["observations"] = (*state.observations, _recorded(record, body))
        if body.check_due is not None:
            update["recorded_dues"] = state.recorded_dues | {body.check_due}
    elif isinstance(body, DeferralPayload):
        update["deferrals"] = (*state.deferrals, _recorded(record, body))
    elif isinstance(body, AcknowledgementPayload):
        update["acknowledgements"] = (*state.acknowledgements, _recorded(record, body))
    elif isinstance(body, RaisePayload):
        update["raised"] = (*state.raised, _recorded(record, body))
    elif isinstance(body, TaskPayload):
        update["tasks_done"] = (*state.tasks_done, _recorded(record, body))
    elif isinstance(body, ClockJumpPayload):
        update["clock_jumps"] = (*state.clock_jumps, _recorded(record, body))
    else:
        update["closed"] = _recorded(record, body)
        update["status"] = "ended"
    return state.model_copy(update=update)


def _recorded(record: SessionRecord, body: P) -> Recorded[P]:
    return Recorded(seq=record.seq, by=record.recorded_by, recorded_at=record.recorded_at, body=body)


def _after_event(state: SessionState, event: Recorded[EventPayload]) -> dict[str, object]:
    body = event.body
    status: InfusionStatus = state.status
    infusion = state.infusion
    request = state.request
    if body.kind in ("rate-increase", "rate-decrease") and body.infusion is not None:
        infusion = body.infusion
        request = request.model_copy(update={"infusion_dose": body.infusion_dose})
    if body.kind == "pause":
        status = "paused"
    elif body.kind == "resume":
        status = "running"
    elif body.kind == "stop":
        status = "stopped"
    syringe = state.syringe
    if syringe is not None:
        syringe = _syringe_after(syringe, event, status, infusion)
    return {
        "events": (*state.events, event),
        "status": status,
        "infusion": infusion,
        "request": request,
        "syringe": syringe,
    }


def _syringe_after(
    syringe: Syringe, event: Recorded[EventPayload], status: InfusionStatus, infusion: InfusionResult | None
) -> Syringe:
    at = max(event.body.at, syringe.as_of)
    used = (
        syringe.delivering_ml_per_h * Decimal((at - syringe.as_of) // timedelta(microseconds=1)) / _US_PER_H
    )
    delivering = infusion.rate_ml_per_h if status == "running" and infusion is not None else Decimal(0)
    if event.body.kind == "syringe-change" and event.body.syringe_volume_ml is not None:
        volume = event.body.syringe_volume_ml
        return Syringe(
            seq=event.seq,
            since=at,
            volume_ml=volume,
            remaining_ml=volume,
            as_of=at,
            delivering_ml_per_h=delivering,
            epoch_seq=event.seq,
        )
    return syringe.model_copy(
        update={
            "remaining_ml": syringe.remaining_ml - used,
            "as_of": at,
            "delivering_ml_per_h": delivering,
            "epoch_seq": event.seq,
        }
    )


# --- Derived values -------------------------------------------------------------------------------------


def schedule_events(state: SessionState) -> tuple[ScheduleEvent, ...]:
    """The events that shape the monitoring schedule (a syringe change does not)."""
    return tuple(
        ScheduleEvent(at=e.body.at, kind=e.body.kind) for e in state.events if e.body.kind in _SCHEDULE_KINDS
    )


def horizon_minutes(library: Library, protocol: Protocol) -> int:
    """The longest interval any of the protocol's grids has: looking this far ahead always finds the next
    check, if there is one."""
    schedules = [library.schedule(protocol.schedule)]
    if protocol.after_stop_schedule is not None:
        schedules.append(library.schedule(protocol.after_stop_schedule))
    return max(
        phase.every_min
        for schedule in schedules
        for track in (*schedule.tracks, *schedule.retighten)
        for phase in track.phases
    )


def checks_until(state: SessionState, now: datetime) -> datetime:
    """How far the session's check list reaches at `now`: one horizon past `now`, or past the latest
    check already raised if the wall clock was put back behind it (a raised check never drops out)."""
    raised = [r.body.due for r in state.raised if r.body.key.startswith(CHECK_KEY_PREFIX)]
    latest = max([now, *raised])
    return latest + timedelta(minutes=horizon_minutes(state.library, state.protocol))


def session_checks(state: SessionState, until: datetime) -> tuple[Check, ...]:
    """Every check of the session's schedule from the start to `until` (never before the start)."""
    return monitoring_checks(
        state.library,
        state.start.protocol_id,
        state.start.started_at,
        schedule_events(state),
        max(until, state.start.started_at),
    )


def assessment_context(state: SessionState) -> AssessmentContext:
    """What the next check's assessment needs from the earlier ones: episodes so far, the last pain."""
    episodes = sum(1 for o in state.observations if o.body.assessment.psychotomimetic)
    pains = [o.body.observation.pain for o in state.observations if o.body.observation.pain is not None]
    return AssessmentContext(prior_episodes=episodes, previous_pain=pains[-1] if pains else None)


def syringe_empty_at(state: SessionState) -> datetime | None:
    """When the running syringe or bag runs empty at the current rate; None while nothing is running.

    Rounded down to the whole second: an early warning is the safe side.
    """
    syringe = state.syringe
    if syringe is None or state.status != "running" or syringe.delivering_ml_per_h <= 0:
        return None
    # Floor, also below zero (an already empty syringe): Decimal's // would round -42.9 up to -42.
    seconds = int((syringe.remaining_ml * 3600 / syringe.delivering_ml_per_h).to_integral_value(ROUND_FLOOR))
    return syringe.as_of + timedelta(seconds=seconds)


# --- Commands: start ------------------------------------------------------------------------------------


class StartDraft(_Model):
    """What the start needs from the checklist and the start form. `expected`, when given, is the regimen
    the checklist was completed for: the start is refused if the request no longer gives exactly it."""

    request: RegimenRequest
    expected: Regimen | None = None
    bed_label: str
    patient_initials: str | None = None
    syringe_volume_ml: Decimal | None = None
    started_by: str
    double_checked_by: str
    soft_limit_reason: str | None = None
    screening: tuple[ScreeningItemResult, ...] = ()
    confirmed_checklist: tuple[str, ...] = ()
    confirmed_gates: tuple[str, ...] = ()


def clean_name(field: str, text: str | None) -> str:
    """A person's name or initials as typed: one line, trimmed, not empty, not too long."""
    value = (text or "").strip()
    if not value:
        raise SessionError(f"{field}: enter it")
    if len(value) > NAME_MAX_CHARS:
        raise SessionError(f"{field}: at most {NAME_MAX_CHARS} characters")
    if any(not ch.isprintable() for ch in value):
        raise SessionError(f"{field}: one line of text only")
    return value


def _optional_text(text: str | None) -> str | None:
    value = (text or "").strip()
    return value or None


def _initials(text: str | None) -> str | None:
    value = (text or "").strip().upper()
    if not value:
        return None
    if len(value) > _INITIALS_MAX or not value.isascii() or not value.isalpha():
        raise SessionError(f"patient initials: letters only, at most {_INITIALS_MAX}")
    return value


def _regimen(library: Library, request: RegimenRequest) -> Regimen:
    try:
        return compute_regimen(library, request)
    except InvalidInput as exc:
        raise SessionError(f"{exc.field}: {exc.message}") from exc


def start_payload(library: Library, draft: StartDraft, now: datetime) -> StartPayload:
    """Check a start against the library (the regimen recomputed, not trusted) and build its record."""
    regimen = _regimen(library, draft.request)
    if draft.expected is not None and regimen != draft.expected:
        raise SessionError("the regimen is not the one the checklist was completed for: complete it again")
    if regimen.blocked:
        raise SessionError("a hard limit blocks this regimen: it cannot be started")
    reason = _optional_text(draft.soft_limit_reason)
    if regimen.needs_reason and reason is None:
        raise SessionError("the warnings need a reason before the infusion can start")
    volume = None
    if regimen.infusion is not None:
        volume = _syringe_volume(draft.syringe_volume_ml)
    return StartPayload(
        started_at=now,
        bed_label=clean_name("bed or location", draft.bed_label),
        patient_initials=_initials(draft.patient_initials),
        protocol_id=regimen.protocol_id,
        request=draft.request,
        regimen=regimen,
        syringe_volume_ml=volume,
        started_by=clean_name("started by", draft.started_by),
        double_checked_by=clean_name("double-checked by", draft.double_checked_by),
        soft_limit_reason=reason,
        screening=tuple(s for s in draft.screening if s.status in ("overridden", "acknowledged")),
        confirmed_checklist=draft.confirmed_checklist,
        confirmed_gates=draft.confirmed_gates,
    )


def request_for(regimen: Regimen, protocol: Protocol) -> RegimenRequest:
    """The request that gives `regimen` again: what the card showed when the checklist was completed."""
    bolus, infusion = regimen.bolus, regimen.infusion
    return RegimenRequest(
        protocol_id=regimen.protocol_id,
        weight_kg=regimen.weight_kg,
        include_bolus=(bolus is not None) if protocol.bolus is not None else None,
        bolus_mg_per_kg=bolus.dose_mg_per_kg if bolus is not None else None,
        bolus_concentration_mg_per_ml=bolus.concentration_mg_per_ml if bolus is not None else None,
        bolus_over_min=bolus.over_min if bolus is not None else None,
        infusion_dose=infusion.entered if infusion is not None else None,
        infusion_concentration_mg_per_ml=infusion.concentration_mg_per_ml if infusion is not None else None,
    )


def _syringe_volume(volume: Decimal | None) -> Decimal:
    if volume is None:
        raise SessionError("syringe or bag volume: enter the volume in mL")
    if not volume.is_finite() or volume <= 0:
        raise SessionError("syringe or bag volume: must be greater than zero")
    return volume


# --- Commands: events -----------------------------------------------------------------------------------


class EventDraft(_Model):
    """An event as asked for: a rate change names the new dose; Decimal fields None mean the defaults."""

    kind: EventRequestKind
    infusion_dose: DoseRate | None = None
    bolus_mg_per_kg: Decimal | None = None
    bolus_over_min: Decimal | None = None
    bolus_concentration_mg_per_ml: Decimal | None = None
    syringe_volume_ml: Decimal | None = None
    reason: str | None = None
    end_prompt_done: bool = False


class EventPreview(_Model):
    """An event as it would be written, with what the user must see before confirming it."""

    payload: EventPayload
    blocked: bool
    needs_reason: bool


# Which events each status allows; the window enables its buttons from this same table. A bolus-only
# session has no infusion to stop: a `stop` would cut its post-dose checks short, so it ends only by
# closing the session with a recorded reason.
ALLOWED_EVENTS: Mapping[InfusionStatus, frozenset[EventRequestKind]] = {
    "running": frozenset({"bolus", "rate-change", "pause", "syringe-change", "stop"}),
    "paused": frozenset({"resume", "rate-change", "syringe-change", "stop"}),
    "observing": frozenset({"bolus"}),
    "stopped": frozenset(),
    "ended": frozenset(),
}
_STATUS_WORDS: Mapping[InfusionStatus, str] = {
    "running": "while the infusion runs",
    "paused": "while the infusion is paused",
    "observing": "in a bolus-only session",
    "stopped": "after the stop",
    "ended": "after the session ended",
}
_EVENT_WORDS: Mapping[EventRequestKind, str] = {
    "bolus": "a bolus",
    "rate-change": "a rate change",
    "pause": "a pause",
    "resume": "a resume",
    "syringe-change": "a syringe or bag change",
    "stop": "a stop",
}


def preview_event(state: SessionState, draft: EventDraft, now: datetime) -> EventPreview:
    """The event's record and findings, before the reason and the confirmation; raises SessionError."""
    if draft.kind not in ALLOWED_EVENTS[state.status]:
        raise SessionError(f"{_EVENT_WORDS[draft.kind]} is not possible {_STATUS_WORDS[state.status]}")
    if draft.kind == "bolus" and state.protocol.bolus is None:
        raise SessionError(f"{state.protocol.id} has no bolus")
    # Events stay in order and after the start even if the wall clock was put back.
    at = max(now, state.last_event_at)
    reason = _optional_text(draft.reason)
    if draft.kind == "rate-change":
        return _rate_change(state, draft, at, reason)
    if draft.kind == "bolus":
        return _bolus(state, draft, at, reason)
    volume = _syringe_volume(draft.syringe_volume_ml) if draft.kind == "syringe-change" else None
    end_prompt = state.protocol.end_prompt if draft.kind == "stop" else None
    payload = EventPayload(
        at=at,
        kind=draft.kind,
        syringe_volume_ml=volume,
        reason=reason,
        end_prompt=end_prompt,
        end_prompt_done=end_prompt is not None and draft.end_prompt_done,
    )
    return EventPreview(payload=payload, blocked=False, needs_reason=False)


def _rate_change(state: SessionState, draft: EventDraft, at: datetime, reason: str | None) -> EventPreview:
    current = state.infusion
    if draft.infusion_dose is None or current is None:
        raise SessionError("rate change: enter the new dose")
    request = state.request.model_copy(update={"infusion_dose": draft.infusion_dose})
    regimen = _regimen(state.library, request)
    new = regimen.infusion
    assert new is not None  # the protocol has an infusion: the session has one
    if new.dose_mg_per_kg_per_h == current.dose_mg_per_kg_per_h:
        raise SessionError("rate change: the new dose is the dose running now")
    increase = new.dose_mg_per_kg_per_h > current.dose_mg_per_kg_per_h
    findings = [f for f in regimen.findings if f.target in _INFUSION_TARGETS]
    if increase:
        findings.extend(_lockout(state, at))
    payload = EventPayload(
        at=at,
        kind="rate-increase" if increase else "rate-decrease",
        infusion_dose=draft.infusion_dose,
        infusion=new,
        findings=sort_findings(findings),
        reason=reason,
    )
    return _preview(payload)


def _lockout(state: SessionState, at: datetime) -> tuple[Finding, ...]:
    """An increase sooner than the library's lockout after the last increase (or the start) warns."""
    prompts = state.library.document.monitoring.timed_prompts
    increases = [e.body.at for e in state.events if e.body.kind == "rate-increase"]
    previous = increases[-1] if increases else state.start.started_at
    lockout = timedelta(minutes=prompts.rate_increase_lockout_min)
    if at - previous >= lockout:
        return ()
    minutes = int((at - previous) // timedelta(minutes=1))
    since = "the last increase" if increases else "the start"
    message = (
        f"This increase comes {minutes} min after {since}; the library advises no increase sooner than "
        f"{prompts.rate_increase_lockout_min} min after the previous one: it needs a recorded reason."
    )
    return (
        Finding(
            level="soft",
            code="rate-increase-lockout",
            message=message,
            sources=prompts.rate_increase_lockout_sources,
            target="infusion",
        ),
    )


def _bolus(state: SessionState, draft: EventDraft, at: datetime, reason: str | None) -> EventPreview:
    request = state.request.model_copy(
        update={
            "include_bolus": True,
            "bolus_mg_per_kg": draft.bolus_mg_per_kg,
            "bolus_over_min": draft.bolus_over_min,
            "bolus_concentration_mg_per_ml": draft.bolus_concentration_mg_per_ml,
        }
    )
    regimen = _regimen(state.library, request)
    findings = [f for f in regimen.findings if f.target in _BOLUS_TARGETS]
    findings.extend(_bolus_too_soon(state, at))
    payload = EventPayload(
        at=at,
        kind="bolus",
        bolus=regimen.bolus,
        findings=sort_findings(findings),
        reason=reason,
    )
    return _preview(payload)


def _bolus_too_soon(state: SessionState, at: datetime) -> tuple[Finding, ...]:
    """A repeat bolus sooner than the protocol allows after the previous one (or the start's) warns."""
    spec = state.protocol.bolus
    if spec is None or spec.repeat_after_min is None:
        return ()
    boluses = [e.body.at for e in state.events if e.body.kind == "bolus"]
    if not boluses and state.start.regimen.bolus is None:
        return ()
    previous = boluses[-1] if boluses else state.start.started_at
    if at - previous >= timedelta(minutes=spec.repeat_after_min):
        return ()
    minutes = int((at - previous) // timedelta(minutes=1))
    message = (
        f"This bolus comes {minutes} min after the previous one; {state.protocol.id} allows a repeat "
        f"only after {spec.repeat_after_min} min: it needs a recorded reason."
    )
    return (
        Finding(
            level="soft", code="bolus-repeat-too-soon", message=message, sources=spec.sources, target="bolus"
        ),
    )


def _preview(payload: EventPayload) -> EventPreview:
    return EventPreview(
        payload=payload,
        blocked=any(f.level == "hard" for f in payload.findings),
        needs_reason=any(f.level == "soft" for f in payload.findings),
    )


def event_payload(state: SessionState, draft: EventDraft, now: datetime) -> EventPayload:
    """The event's record once every rule is met: no hard finding, a reason for the soft ones."""
    preview = preview_event(state, draft, now)
    if preview.blocked:
        raise SessionError("a hard limit blocks this: it cannot be given")
    if preview.needs_reason and preview.payload.reason is None:
        raise SessionError("the warnings need a reason")
    return preview.payload


# --- Commands: observations -----------------------------------------------------------------------------


class ObservationDraft(_Model):
    """A check as entered: the values, and which items the form asked for and got an answer to."""

    check_due: datetime | None
    observation: Observation
    monitors_attached: bool | None = None
    answered: tuple[Item, ...]


def missing_items(protocol: Protocol, draft: ObservationDraft, items: Iterable[Item]) -> tuple[Item, ...]:
    """The items of `items` the draft has no answer for (on the protocol's own sedation scale)."""
    obs = draft.observation
    rass = protocol.sedation_scale == "RASS"
    present: dict[Item, bool] = {
        "respiratory_rate": obs.respiration_rate is not None,
        "spo2": obs.spo2 is not None and obs.oxygen is not None,
        "heart_rate": obs.pulse is not None,
        "blood_pressure": obs.systolic_bp is not None,
        "sedation": (obs.rass is not None) if rass else (obs.poss is not None),
        "consciousness": obs.consciousness is not None,
        "pain": obs.pain is not None,
        "psychotomimetic": True,
        "nausea": True,
        "temperature": obs.temperature is not None,
        "monitors_attached": draft.monitors_attached is not None,
    }
    return tuple(item for item in items if item not in draft.answered or not present[item])


def observation_payload(
    state: SessionState, draft: ObservationDraft, by: str, now: datetime
) -> ObservationPayload:
    """Check an observation against its check and the protocol's scale, assess it, build its record."""
    clean_name("recorded by", by)
    if state.status == "ended":
        raise SessionError("the session has ended")
    protocol = state.protocol
    wrong_scale = draft.observation.poss if protocol.sedation_scale == "RASS" else draft.observation.rass
    if wrong_scale is not None:
        raise SessionError(f"sedation: this protocol scores sedation on {protocol.sedation_scale}")
    items: tuple[Item, ...] = ()
    if draft.check_due is not None:
        due = draft.check_due.astimezone(UTC)
        if due in state.recorded_dues:
            raise SessionError("this check is already recorded")
        check = next((c for c in session_checks(state, checks_until(state, now)) if c.due == due), None)
        if check is None:
            raise SessionError("there is no check due at that time")
        items = check.items
    missing = missing_items(protocol, draft, items)
    if missing:
        raise SessionError("not yet recorded: " + ", ".join(item.replace("_", " ") for item in missing))
    context = assessment_context(state)
    return ObservationPayload(
        check_due=draft.check_due,
        taken_at=now,
        observation=draft.observation,
        monitors_attached=draft.monitors_attached,
        answered=draft.answered,
        context=context,
        assessment=assess(state.library, draft.observation, context),
    )


# --- Commands: deferral, acknowledgement, clock ---------------------------------------------------------


def live_deferral(
    state: SessionState, check_due: datetime, now: datetime
) -> Recorded[DeferralPayload] | None:
    """The deferral of this check that is still running at `now`, if any (the latest one counts).

    A deferral runs on real time: when the wall clock was put back after it was made, the time put back
    is added to `now`, so turning the clock back cannot stretch it. (A forward jump is not taken off:
    it may be a sleep, which is real time for the patient; the deferral then ends early, the safe side.)
    """
    latest = next((d for d in reversed(state.deferrals) if d.body.check_due == check_due), None)
    if latest is None:
        return None
    put_back = sum(
        (-j.body.jump_seconds for j in state.clock_jumps if j.seq > latest.seq and j.body.jump_seconds < 0),
        Decimal(0),
    )
    if now + timedelta(seconds=int(put_back)) >= latest.body.until:
        return None
    # A reminder raised again after the deferral (it ran out before the clock was put back) ends it.
    key = check_key(check_due)
    if any(r.body.key == key and r.seq > latest.seq for r in state.raised):
        return None
    return latest


def check_key(due: datetime) -> str:
    """The stable name of the check due at `due`, for raised reminders and the banner."""
    return f"{CHECK_KEY_PREFIX}{_iso(due)}"


def deferral_payload(
    state: SessionState, check_due: datetime, minutes: int, reason: str | None, by: str, now: datetime
) -> DeferralPayload:
    """Defer a due or overdue check, with a named reason, for at most its own grid interval.

    The library sets no deferral limit of its own; the limit used is derived: a deferral may not outlast
    the interval of the grid the check belongs to, so it never hides the next check's slot.
    """
    clean_name("deferred by", by)
    text = _optional_text(reason)
    if text is None:
        raise SessionError("deferral: say why the check is deferred")
    due = check_due.astimezone(UTC)
    if due in state.recorded_dues:
        raise SessionError("deferral: this check is already recorded")
    check = next((c for c in session_checks(state, checks_until(state, now)) if c.due == due), None)
    # A check raised before the wall clock was put back is still due, whatever the clock says now.
    raised = any(r.body.key == check_key(due) for r in state.raised)
    if check is None or (check.due > now and not raised):
        raise SessionError("deferral: only a check that is due or overdue can be deferred")
    if not 0 < minutes <= check.interval_min:
        raise SessionError(f"deferral: from 1 to {check.interval_min} min (this check's interval)")
    current = live_deferral(state, due, now)
    if current is not None:
        raise SessionError(f"deferral: already deferred until {current.body.until:%H:%M} UTC")
    return DeferralPayload(check_due=due, at=now, until=now + timedelta(minutes=minutes), reason=text)


def acknowledgement_payload(
    state: SessionState, observation_seq: int, by: str, now: datetime
) -> AcknowledgementPayload:
    """Acknowledge the urgent actions of one recorded check (once)."""
    clean_name("acknowledged by", by)
    observation = next((o for o in state.observations if o.seq == observation_seq), None)
    if observation is None or not observation.body.assessment.needs_acknowledgement:
        raise SessionError("there is no urgent action to acknowledge for that check")
    if any(a.body.observation_seq == observation_seq for a in state.acknowledgements):
        raise SessionError("already acknowledged")
    codes = tuple(a.code for a in observation.body.assessment.actions if a.severity == "urgent")
    return AcknowledgementPayload(observation_seq=observation_seq, codes=codes, at=now)


def clock_jump_payload(
    previous_at: datetime, now: datetime, jump_seconds: float, cause: Literal["tick", "restart"]
) -> ClockJumpPayload:
    """A wall-clock jump as written to the record; the seconds are kept to the millisecond."""
    return ClockJumpPayload(
        at=now,
        previous_at=previous_at,
        jump_seconds=Decimal(round(jump_seconds * 1000)) / 1000,
        cause=cause,
    )


def describe_jump(jump: ClockJumpPayload) -> str:
    """ "The wall clock moved 1 h 0 min forward" in words, for the record view and the banner."""
    seconds = abs(int(jump.jump_seconds))
    hours, rest = divmod(seconds, 3600)
    size = f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min {rest % 60} s"
    direction = "forward (a clock change or the computer slept)" if jump.jump_seconds > 0 else "back"
    return f"The wall clock moved {size} {direction}."
