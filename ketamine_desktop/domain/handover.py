"""What a session has delivered and what the next nurse must know: the facts of the handover.

Pure functions over the folded session. `infusion_segments` cuts the infusion into the stretches during
which one pump rate ran (a rate change, a pause, a resume, a concentration change or the stop ends one);
`delivered_mg` integrates what those rates delivered, plus every bolus, over any window of time; and
`handover_facts` gathers what the handover shows: the rate running now, the totals since the start and in
the last 24 h, the syringe, the last observations, what is open or overdue, every deferral and override
with its reason and name, the events of the last 12 h and the record's head hash and count.

The doses are what the pump was set to deliver (the delivered dose of the rounded rate), not the dose
asked for; a bolus counts what its rounded volume holds. The windows (24 h of dose, 12 h of events) are
the issue's, not clinical thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from ketamine_desktop.domain.model import FrozenModel
from ketamine_desktop.domain.regimen import BolusResult, InfusionResult
from ketamine_desktop.domain.reminders import Reminder, active, reminders
from ketamine_desktop.domain.schedule import Check
from ketamine_desktop.domain.screening import ScreeningItemResult
from ketamine_desktop.domain.session import (
    ClockJumpPayload,
    DeferralPayload,
    EventPayload,
    InfusionStatus,
    ObservationPayload,
    Recorded,
    SessionState,
    syringe_empty_at,
)

__all__ = [
    "DOSE_WINDOW",
    "EVENT_WINDOW",
    "LAST_OBSERVATIONS",
    "BolusDose",
    "HandoverFacts",
    "InfusionSegment",
    "Override",
    "bolus_doses",
    "delivered_mg",
    "handover_facts",
    "infusion_segments",
    "overrides",
    "segment_mg",
    "syringe_remaining_ml",
]

DOSE_WINDOW = timedelta(hours=24)
EVENT_WINDOW = timedelta(hours=12)
LAST_OBSERVATIONS = 4  # how many of the latest checks the handover lists (layout, not a clinical number)
_US_PER_H = Decimal(3_600_000_000)


class InfusionSegment(FrozenModel):
    """One stretch of the infusion at one pump rate; `end` None: still running."""

    seq: int  # the record that set this rate running (the start, a rate change, a resume)
    start: datetime
    end: datetime | None
    infusion: InfusionResult


class BolusDose(FrozenModel):
    seq: int
    at: datetime
    bolus: BolusResult


class Override(FrozenModel):
    """A warning or contraindication someone chose to go past: what, who, why, when."""

    at: datetime
    seq: int
    what: str
    by: str
    reason: str


def infusion_segments(state: SessionState) -> tuple[InfusionSegment, ...]:
    """The infusion as stretches of one rate, in order; empty for a bolus-only session."""
    current = state.start.regimen.infusion
    if current is None:
        return ()
    segments: list[InfusionSegment] = []
    open_at: tuple[int, datetime] | None = (state.start_seq, state.start.started_at)
    for event in state.events:
        body = event.body
        if body.kind in ("pause", "stop"):
            if open_at is not None:
                segments.append(_segment(open_at, body.at, current))
            open_at = None
        elif body.kind == "resume" and open_at is None:
            open_at = (event.seq, body.at)
        if body.infusion is not None:
            # A new rate (or concentration): while running, the stretch at the old one ends here.
            if open_at is not None:
                segments.append(_segment(open_at, body.at, current))
                open_at = (event.seq, body.at)
            current = body.infusion
    if open_at is not None:
        end = state.closed.body.at if state.closed is not None else None
        segments.append(_segment(open_at, end, current))
    return tuple(segments)


def _segment(
    open_at: tuple[int, datetime], end: datetime | None, infusion: InfusionResult
) -> InfusionSegment:
    seq, start = open_at
    return InfusionSegment(seq=seq, start=start, end=end, infusion=infusion)


def bolus_doses(state: SessionState) -> tuple[BolusDose, ...]:
    """Every bolus given: each bolus event (the start's planned bolus is one, once confirmed given), and,
    in a record written before that confirmation existed, the start's bolus, given at the start."""
    doses: list[BolusDose] = []
    if state.start.regimen.bolus is not None and state.start.bolus_given == "at-start":
        doses.append(
            BolusDose(seq=state.start_seq, at=state.start.started_at, bolus=state.start.regimen.bolus)
        )
    doses.extend(
        BolusDose(seq=e.seq, at=e.body.at, bolus=e.body.bolus)
        for e in state.events
        if e.body.bolus is not None
    )
    return tuple(doses)


def _hours(start: datetime, end: datetime) -> Decimal:
    return Decimal((end - start) // timedelta(microseconds=1)) / _US_PER_H


def delivered_mg(state: SessionState, since: datetime | None, until: datetime) -> Decimal:
    """mg of ketamine the infusion and the boluses delivered after `since` (None: from the start) up to
    and including `until` (exact, unrounded). A bolus counts whole at the instant it was recorded as
    given, so windows that meet add up: (a, b] + (b, c] = (a, c].
    """
    begin = since if since is not None else state.start.started_at
    total = sum((segment_mg(segment, begin, until) for segment in infusion_segments(state)), Decimal(0))
    for dose in bolus_doses(state):
        if (since is None or since < dose.at) and dose.at <= until:
            total += dose.bolus.delivered_mg
    return total


def segment_mg(segment: InfusionSegment, since: datetime, until: datetime) -> Decimal:
    """mg the stretch delivered inside [since, until] (a running stretch counts up to `until`)."""
    start = max(segment.start, since)
    end = min(segment.end or until, until)
    return segment.infusion.delivered_mg_per_h * _hours(start, end) if end > start else Decimal(0)


def syringe_remaining_ml(state: SessionState, now: datetime) -> Decimal | None:
    """mL left in the running syringe or bag at `now` (never below zero); None without one."""
    syringe = state.syringe
    if syringe is None:
        return None
    used = syringe.delivering_ml_per_h * _hours(syringe.as_of, max(now, syringe.as_of))
    return max(syringe.remaining_ml - used, Decimal(0))


def overrides(state: SessionState) -> tuple[Override, ...]:
    """Every warning gone past, in record order: the start's soft limits and contraindication overrides,
    events given with a reason for their warnings, and deferred checks."""
    start = state.start
    found: list[Override] = []
    if start.soft_limit_reason is not None:
        what = "Start despite: " + "; ".join(f.message for f in start.regimen.findings if f.level == "soft")
        found.append(
            Override(
                at=start.started_at,
                seq=state.start_seq,
                what=what,
                by=start.started_by,
                reason=start.soft_limit_reason,
            )
        )
    found.extend(_screening_override(state, item) for item in start.screening if item.status == "overridden")
    for event in state.events:
        body = event.body
        soft = [f.message for f in body.findings if f.level == "soft"]
        if soft and body.reason is not None:
            found.append(
                Override(at=body.at, seq=event.seq, what="; ".join(soft), by=event.by, reason=body.reason)
            )
    return tuple(found)


def _screening_override(state: SessionState, item: ScreeningItemResult) -> Override:
    return Override(
        at=state.start.started_at,
        seq=state.start_seq,
        what=f"Contraindication: {item.text}",
        by=item.override_by or state.start.started_by,
        reason=item.override_reason or "",
    )


class HandoverFacts(FrozenModel):
    """Everything the handover shows, as values (the wording and number formatting are the reader's)."""

    at: datetime
    session_id: str
    bed_label: str
    patient_initials: str | None
    protocol_id: str
    protocol_name: str
    weight_kg: Decimal
    status: InfusionStatus
    running: InfusionResult | None  # the rate running now; None while paused, stopped or bolus-only
    set_infusion: InfusionResult | None  # the rate set (also while paused)
    started_at: datetime
    total_mg: Decimal
    total_mg_per_kg: Decimal
    last_24h_mg: Decimal
    last_24h_mg_per_kg: Decimal
    syringe_volume_ml: Decimal | None
    syringe_remaining_ml: Decimal | None
    syringe_empty_at: datetime | None
    last_observations: tuple[Recorded[ObservationPayload], ...]
    open_items: tuple[Reminder, ...]  # due, overdue, urgent (open decisions awaiting acknowledgement)
    deferrals: tuple[Recorded[DeferralPayload], ...]
    overrides: tuple[Override, ...]
    recent_events: tuple[Recorded[EventPayload], ...]
    clock_jumps: tuple[Recorded[ClockJumpPayload], ...]
    head_hash: str
    record_count: int
    library_name: str
    library_version: str
    library_sha256: str


def handover_facts(
    state: SessionState,
    now: datetime,
    head_hash: str,
    record_count: int,
    checks: tuple[Check, ...] | None = None,
) -> HandoverFacts:
    """The handover of `state` at `now`; `head_hash` and `record_count` are the whole record's; `checks`:
    as for `reminders` (the running window's, kept between saves)."""
    start = state.start
    weight = start.regimen.weight_kg
    total = delivered_mg(state, None, now)
    day = delivered_mg(state, now - DOSE_WINDOW, now)
    running = state.infusion if state.status == "running" else None
    open_items: Sequence[Reminder] = active(reminders(state, now, checks))
    return HandoverFacts(
        at=now,
        session_id=state.session_id,
        bed_label=start.bed_label,
        patient_initials=start.patient_initials,
        protocol_id=start.protocol_id,
        protocol_name=state.protocol.name,
        weight_kg=weight,
        status=state.status,
        running=running,
        set_infusion=state.infusion,
        started_at=start.started_at,
        total_mg=total,
        total_mg_per_kg=total / weight,
        last_24h_mg=day,
        last_24h_mg_per_kg=day / weight,
        syringe_volume_ml=state.syringe.volume_ml if state.syringe is not None else None,
        syringe_remaining_ml=syringe_remaining_ml(state, now),
        syringe_empty_at=syringe_empty_at(state),
        last_observations=state.observations[-LAST_OBSERVATIONS:],
        open_items=tuple(open_items),
        deferrals=state.deferrals,
        overrides=overrides(state),
        recent_events=tuple(e for e in state.events if e.body.at >= now - EVENT_WINDOW),
        clock_jumps=state.clock_jumps,
        head_hash=head_hash,
        record_count=record_count,
        library_name=start.regimen.library_name,
        library_version=start.regimen.library_version,
        library_sha256=start.regimen.library_sha256,
    )
