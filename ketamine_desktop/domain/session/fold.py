"""The session's state as a fold over its records.

`session_state(library, session_id, records)` folds a session's records into a `SessionState`;
`apply_record` adds one more. Nothing else about a session is kept anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import Field

from ketamine_desktop.domain.library import Library, Protocol
from ketamine_desktop.domain.model import FrozenModel
from ketamine_desktop.domain.regimen import BolusResult, InfusionResult, RegimenRequest
from ketamine_desktop.domain.session.records import (
    AcknowledgementPayload,
    AdverseEventPayload,
    ClockJumpPayload,
    ClosePayload,
    CorruptRecord,
    DecisionAnswerPayload,
    DeferralPayload,
    EventPayload,
    ObservationPayload,
    P,
    RaisePayload,
    Recorded,
    SessionRecord,
    StartPayload,
    TaskPayload,
)

InfusionStatus = Literal["running", "paused", "stopped", "observing", "ended"]
_US_PER_H = Decimal(3_600_000_000)


class Syringe(FrozenModel):
    """The syringe or bag running now and what is left in it as of the last change of rate."""

    seq: int  # the record that put it up (the start or a syringe change)
    since: datetime
    volume_ml: Decimal
    remaining_ml: Decimal  # as of `as_of`
    as_of: datetime
    delivering_ml_per_h: Decimal  # 0 while paused or stopped
    epoch_seq: int  # the record that last changed the rate or the syringe


# --- State ----------------------------------------------------------------------------------------------


class SessionState(FrozenModel):
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
    adverse_events: tuple[Recorded[AdverseEventPayload], ...] = ()
    decision_answers: tuple[Recorded[DecisionAnswerPayload], ...] = ()
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
    def pending_bolus(self) -> BolusResult | None:
        """The start's planned bolus while it is not yet recorded as given (None once it is, or if none)."""
        bolus = self.start.regimen.bolus
        if bolus is None or self.start.bolus_given == "at-start":
            return None
        if any(e.body.start_bolus for e in self.events):
            return None
        return bolus

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
    elif isinstance(body, AdverseEventPayload):
        update["adverse_events"] = (*state.adverse_events, _recorded(record, body))
    elif isinstance(body, DecisionAnswerPayload):
        update["decision_answers"] = (*state.decision_answers, _recorded(record, body))
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
    elif body.kind == "syringe-change" and body.infusion is not None:
        # Another concentration: the same dose at a new pump rate (older syringe changes carry none).
        infusion = body.infusion
        request = request.model_copy(
            update={"infusion_concentration_mg_per_ml": body.infusion.concentration_mg_per_ml}
        )
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
