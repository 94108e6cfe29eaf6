"""The session's state as a fold over its records.

`session_state(library, session_id, records)` folds a session's records into a `SessionState`;
`apply_record` adds one more. Nothing else about a session is kept anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, get_args

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
    RaisedLevel,
    RaisePayload,
    Recorded,
    SessionRecord,
    StartPayload,
    TaskPayload,
    iso_utc,
)

InfusionStatus = Literal["running", "paused", "stopped", "observing", "ended"]
# Which events answer a check's stop, pause or reduce decision (recorded after the check).
ANSWERED_BY: Mapping[str, frozenset[str]] = {
    "stop": frozenset({"stop"}),
    "pause": frozenset({"pause", "stop"}),
    "reduce": frozenset({"rate-decrease", "pause", "stop"}),
}
_US_PER_H = Decimal(3_600_000_000)
CHECK_KEY_PREFIX = "check:"


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
    # Kept by the fold so that a tick and a save cost the same on the 14th day as on the first:
    checks_taken: Mapping[datetime, datetime] = Field(default_factory=dict, repr=False)  # due -> taken at
    latched: Mapping[str, RaisedLevel] = Field(default_factory=dict, repr=False)  # highest raised since
    # the reminder's last deferral
    unacknowledged: tuple[Recorded[ObservationPayload], ...] = Field(default=(), repr=False)
    latest_raised_check: datetime | None = None  # the latest due of a check raised so far
    held_checks: frozenset[datetime] = Field(default=frozenset(), repr=False)  # every check raised so far
    # The checks whose stop, pause or reduce decision nothing has answered yet (no matching event after
    # them, no recorded "not done"), in record order: what `open_decisions` reads instead of every check.
    undecided: tuple[Recorded[ObservationPayload], ...] = Field(default=(), repr=False)
    episodes: int = 0  # psychotomimetic episodes so far
    last_pain: int | None = None

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
    """Fold a session's records (in seq order, the start first) into its state; raises CorruptRecord.

    Linear in the records: they are appended to lists and maps held by one `_Fold`, frozen once at the end.
    """
    if not records:
        raise CorruptRecord(f"session {session_id}: no records")
    first = records[0]
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
    fold = _Fold(state)
    for record in records[1:]:
        fold.add(record)
    return fold.state()


def apply_record(state: SessionState, record: SessionRecord) -> SessionState:
    """The state with one more record; raises CorruptRecord for a record that cannot follow."""
    fold = _Fold(state)
    fold.add(record)
    return fold.state()


_RAISED_RANK: Mapping[str, int] = {level: rank for rank, level in enumerate(get_args(RaisedLevel))}


class _Fold:
    """A state being folded: a sequence or map is copied the first time a record adds to it (an
    observation copies neither the events nor the raises), appended to in place, frozen by `state`;
    what no record touched is handed on as it was."""

    def __init__(self, state: SessionState) -> None:
        self.base = state
        self.last_seq = state.last_seq
        self._lists: dict[str, list[Any]] = {}  # the record sequences added to, by field name
        self.closed = state.closed
        self.status: InfusionStatus = state.status
        self.request = state.request
        self.infusion = state.infusion
        self.syringe = state.syringe
        self._recorded_dues: set[datetime] | None = None
        self._checks_taken: dict[datetime, datetime] | None = None
        self._latched: dict[str, RaisedLevel] | None = None
        self.unacknowledged = state.unacknowledged
        self.undecided = state.undecided
        self.latest_raised_check = state.latest_raised_check
        self.held_checks = state.held_checks
        self.episodes = state.episodes
        self.last_pain = state.last_pain

    def _add_to(self, name: str, item: Recorded[Any]) -> None:
        items = self._lists.get(name)
        if items is None:
            items = self._lists[name] = list(getattr(self.base, name))
        items.append(item)

    def _latched_levels(self) -> dict[str, RaisedLevel]:
        if self._latched is None:
            self._latched = dict(self.base.latched)
        return self._latched

    def add(self, record: SessionRecord) -> None:
        if record.seq <= self.last_seq:
            raise CorruptRecord(f"record {record.seq}: out of order (after {self.last_seq})")
        body = record.body
        if isinstance(body, StartPayload):
            raise CorruptRecord(f"record {record.seq}: a second start in session {self.base.session_id}")
        self.last_seq = record.seq
        if isinstance(body, EventPayload):
            self._event(_recorded(record, body))
        elif isinstance(body, ObservationPayload):
            self._observation(_recorded(record, body))
        elif isinstance(body, DeferralPayload):
            self._add_to("deferrals", _recorded(record, body))
            # Its raised levels stay behind.
            self._latched_levels().pop(CHECK_KEY_PREFIX + iso_utc(body.check_due), None)
        elif isinstance(body, AcknowledgementPayload):
            self._add_to("acknowledgements", _recorded(record, body))
            self.unacknowledged = tuple(o for o in self.unacknowledged if o.seq != body.observation_seq)
        elif isinstance(body, RaisePayload):
            self._add_to("raised", _recorded(record, body))
            latched = self._latched_levels()
            level = latched.get(body.key)
            if level is None or _RAISED_RANK[body.level] > _RAISED_RANK[level]:
                latched[body.key] = body.level
            if body.key.startswith(CHECK_KEY_PREFIX):
                if body.due not in self.held_checks:
                    self.held_checks = self.held_checks | {body.due}
                if self.latest_raised_check is None or body.due > self.latest_raised_check:
                    self.latest_raised_check = body.due
        elif isinstance(body, TaskPayload):
            self._add_to("tasks_done", _recorded(record, body))
        elif isinstance(body, ClockJumpPayload):
            self._add_to("clock_jumps", _recorded(record, body))
        elif isinstance(body, AdverseEventPayload):
            self._add_to("adverse_events", _recorded(record, body))
        elif isinstance(body, DecisionAnswerPayload):
            self._add_to("decision_answers", _recorded(record, body))
            self.undecided = tuple(o for o in self.undecided if o.seq != body.observation_seq)
        else:
            self.closed = _recorded(record, body)
            self.status = "ended"

    def _observation(self, observation: Recorded[ObservationPayload]) -> None:
        body = observation.body
        self._add_to("observations", observation)
        if body.check_due is not None:
            if self._recorded_dues is None:
                self._recorded_dues = set(self.base.recorded_dues)
                self._checks_taken = dict(self.base.checks_taken)
            assert self._checks_taken is not None  # made with the set
            self._recorded_dues.add(body.check_due)
            self._checks_taken[body.check_due] = body.taken_at
        if body.assessment.needs_acknowledgement:
            self.unacknowledged = (*self.unacknowledged, observation)
        if body.assessment.decision.infusion != "continue":
            self.undecided = (*self.undecided, observation)
        if body.assessment.psychotomimetic:
            self.episodes += 1
        if body.observation.pain is not None:
            self.last_pain = body.observation.pain

    def _event(self, event: Recorded[EventPayload]) -> None:
        body = event.body
        if body.kind in ("rate-increase", "rate-decrease") and body.infusion is not None:
            self.infusion = body.infusion
            self.request = self.request.model_copy(update={"infusion_dose": body.infusion_dose})
        elif body.kind == "syringe-change" and body.infusion is not None:
            # Another concentration: the same dose at a new pump rate (older syringe changes carry none).
            self.infusion = body.infusion
            self.request = self.request.model_copy(
                update={"infusion_concentration_mg_per_ml": body.infusion.concentration_mg_per_ml}
            )
        if body.kind == "pause":
            self.status = "paused"
        elif body.kind == "resume":
            self.status = "running"
        elif body.kind == "stop":
            self.status = "stopped"
        if self.undecided:
            # Every check still undecided was recorded before this event (a lower seq).
            self.undecided = tuple(
                o for o in self.undecided if body.kind not in ANSWERED_BY[o.body.assessment.decision.infusion]
            )
        if self.syringe is not None:
            self.syringe = _syringe_after(self.syringe, event, self.status, self.infusion)
        self._add_to("events", event)

    def state(self) -> SessionState:
        update: dict[str, Any] = {name: tuple(items) for name, items in self._lists.items()}
        if self._recorded_dues is not None:
            update["recorded_dues"] = frozenset(self._recorded_dues)
            update["checks_taken"] = self._checks_taken
        if self._latched is not None:
            update["latched"] = self._latched
        return self.base.model_copy(
            update={
                **update,
                "last_seq": self.last_seq,
                "closed": self.closed,
                "status": self.status,
                "request": self.request,
                "infusion": self.infusion,
                "syringe": self.syringe,
                "unacknowledged": self.unacknowledged,
                "undecided": self.undecided,
                "latest_raised_check": self.latest_raised_check,
                "held_checks": self.held_checks,
                "episodes": self.episodes,
                "last_pain": self.last_pain,
            }
        )


def _recorded(record: SessionRecord, body: P) -> Recorded[P]:
    return Recorded(seq=record.seq, by=record.recorded_by, recorded_at=record.recorded_at, body=body)


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
