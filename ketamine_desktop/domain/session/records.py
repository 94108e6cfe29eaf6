"""What is written to a session's record: its kinds, the payload of each, and the stored record checked.

The record store holds one record per thing that happened: the start, each event on the infusion, each
observation, deferral and acknowledgement, each reminder the app raised, each completed task, each
wall-clock jump, the close. A payload's own time (`at`, `taken_at`) is when the thing happened; the
record's `recorded_at` is when it was written (a save retried after a disk error is written later than the
nurse pressed Save). Every instant is aware and handled in UTC.

New kinds and fields must stay backward compatible: old records must still parse.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar, cast, get_args

from pydantic import BaseModel, Field, ValidationError

from ketamine_desktop.domain.assessment import Assessment, AssessmentContext, Observation
from ketamine_desktop.domain.library import DoseRate, Item
from ketamine_desktop.domain.limits import Finding
from ketamine_desktop.domain.model import FrozenModel
from ketamine_desktop.domain.regimen import BolusResult, InfusionResult, Regimen, RegimenRequest
from ketamine_desktop.domain.screening import ScreeningItemResult
from ketamine_desktop.domain.session.rebuild import (
    NotRebuilt,
    construct,
    interned,
    rebuilder,
    shared_fields_set,
)

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
    "adverse-event",
    "decision-answer",
]
RECORD_KINDS: tuple[RecordKind, ...] = get_args(RecordKind)
SessionEventKind = Literal[
    "bolus", "rate-increase", "rate-decrease", "pause", "resume", "syringe-change", "stop"
]
RaisedLevel = Literal["due", "overdue", "urgent"]


class CorruptRecord(ValueError):
    """A stored record that cannot be part of a session (unknown kind, bad payload, wrong order)."""


Text = Annotated[str, Field(min_length=1)]
PositiveDecimal = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]

# --- Payloads (what each record holds) ------------------------------------------------------------------


class StartPayload(FrozenModel):
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
    # "at-start": the regimen's bolus counts as given at the start (records written before the nurse
    # confirmed it); "when-confirmed": it is given when a `bolus` event with `start_bolus` says so.
    bolus_given: Literal["at-start", "when-confirmed"] = "at-start"


class EventPayload(FrozenModel):
    """Something done to the infusion; a rate change carries the new dose and the numbers it gives."""

    at: datetime
    kind: SessionEventKind
    infusion_dose: DoseRate | None = None
    infusion: InfusionResult | None = None
    bolus: BolusResult | None = None
    findings: tuple[Finding, ...] = ()
    reason: str | None = None
    prescriber: str | None = None  # who ordered it, where a safety decision asks for a name
    syringe_volume_ml: PositiveDecimal | None = None
    end_prompt: str | None = None
    end_prompt_done: bool = False
    start_bolus: bool = False  # a bolus: the start's planned bolus, confirmed given at `at`
    # A syringe change to another concentration: `infusion` is the same dose at the new concentration, and
    # the nurse confirmed the pump was set to its rate.
    pump_rate_confirmed: bool = False


class ObservationPayload(FrozenModel):
    """One recorded check (or an extra one, `check_due` None), with its assessment as computed at save."""

    check_due: datetime | None
    taken_at: datetime
    observation: Observation
    monitors_attached: bool | None = None
    answered: tuple[Item, ...]
    context: AssessmentContext
    assessment: Assessment


class DeferralPayload(FrozenModel):
    check_due: datetime
    at: datetime
    until: datetime
    reason: Text


class AcknowledgementPayload(FrozenModel):
    observation_seq: int
    codes: tuple[str, ...]
    at: datetime


class RaisePayload(FrozenModel):
    """The app raised a reminder to this level (written once per level, so a restart does not repeat it)."""

    key: Text
    level: RaisedLevel
    due: datetime
    at: datetime


class TaskPayload(FrozenModel):
    key: Text
    at: datetime


class ClockJumpPayload(FrozenModel):
    """The wall clock moved `jump_seconds` beyond the monotonic clock (a clock change, or a sleep where
    the monotonic clock stops in sleep).

    `corrected`: the session's times were shifted by the jump, so checks stay on real elapsed time (from
    issue 13 on; older records lack it and were not). `wall_at` and `real_time_s` are the raw readings of
    the two clocks when the jump was seen (None in older records); `at` and `previous_at` are on the
    session's time line.
    """

    at: datetime
    previous_at: datetime
    jump_seconds: Decimal
    cause: Literal["tick", "restart"]
    corrected: bool = False
    wall_at: datetime | None = None
    real_time_s: Decimal | None = None


class DecisionAnswerPayload(FrozenModel):
    """The stop, pause or reduce decision of one check was not done: why, and which clinician decided.

    (Done is the matching event itself: a stop, a pause, a rate decrease.)"""

    observation_seq: int
    at: datetime
    outcome: Literal["not-done"]
    reason: Text
    decided_by: Text


class ClosePayload(FrozenModel):
    at: datetime
    reason: str | None = None


class AdverseEventPayload(FrozenModel):
    """A side effect from the library seen in this session, and what was done about it."""

    at: datetime
    side_effect_id: Text
    action_taken: Text
    note: str | None = None


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
    | AdverseEventPayload
    | DecisionAnswerPayload
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
    "adverse-event": AdverseEventPayload,
    "decision-answer": DecisionAnswerPayload,
}
KIND_OF: Mapping[type[Payload], RecordKind] = {cls: kind for kind, cls in _PAYLOAD_CLASSES.items()}


def to_payload(body: Payload) -> dict[str, object]:
    """The payload as plain data for the store: decimals stay Decimal, instants become ISO text in UTC."""
    data = _plain(body.model_dump(mode="python"))
    assert isinstance(data, dict)
    return data


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def iso_utc(instant: datetime) -> str:
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


# --- Records --------------------------------------------------------------------------------------------


class SessionRecord(FrozenModel):
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
    """A stored record's payload checked against its kind; raises CorruptRecord.

    A payload in the form the writer stores is rebuilt without pydantic's validator (`rebuild`: the same
    checks, the same model, a fraction of the time); any other form is validated by pydantic, which
    refuses it or builds it as it always did."""
    cls = _PAYLOAD_CLASSES.get(kind)  # type: ignore[call-overload]
    if cls is None:
        raise CorruptRecord(f"record {seq}: unknown kind {kind!r}")
    if type(seq) is int and type(recorded_by) is str and recorded_by and isinstance(recorded_at, datetime):
        try:
            body = rebuilder(cls)(payload)
        except NotRebuilt:
            pass
        else:
            values = {
                "seq": seq,
                "recorded_by": sys.intern(recorded_by),
                "recorded_at": recorded_at,
                "body": body,
            }
            return cast(SessionRecord, construct(SessionRecord, values, _RECORD_FIELDS))
    try:
        body = cls.model_validate(interned(payload))
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
_RECORD_FIELDS = shared_fields_set(frozenset(SessionRecord.model_fields))


def _share_fields_sets(model: BaseModel) -> None:
    object.__setattr__(
        model, "__pydantic_fields_set__", shared_fields_set(frozenset(model.__pydantic_fields_set__))
    )
    for value in model.__dict__.values():
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if isinstance(item, BaseModel):
                _share_fields_sets(item)


P = TypeVar("P", bound=BaseModel)


class Recorded(FrozenModel, Generic[P]):
    """A payload with who wrote it, when, and its place in the record."""

    seq: int
    by: str
    recorded_at: datetime
    body: P


def describe_jump(jump: ClockJumpPayload) -> str:
    """ "The wall clock moved 1 h 0 min forward" in words, for the record view and the banner."""
    seconds = abs(int(jump.jump_seconds))
    hours, rest = divmod(seconds, 3600)
    size = f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min {rest % 60} s"
    if jump.corrected:
        direction = "forward" if jump.jump_seconds > 0 else "back"
        return f"The wall clock was changed {size} {direction}; checks kept to real elapsed time."
    direction = "forward (a clock change or the computer slept)" if jump.jump_seconds > 0 else "back"
    return f"The wall clock moved {size} {direction}."
