"""Commands on the infusion, pure half: bolus, rate change, pause, resume, syringe change, stop.

`preview_event` shows an event as it would be written with its findings (a rate change goes through
`compute_regimen` with the start's limits and soft-reason rule, plus the library's rate-increase lockout);
`event_payload` returns it once every rule is met, or raises `SessionError` saying why not.

The start's planned bolus is not assumed given at the start: "bolus-given" records it when the nurse
confirms it, at the time it was given (not before the start or the last recorded event, not in the
future); until then no other bolus can be recorded. A syringe change may bring another concentration:
the same dose is computed again at it (`concentration_change`) and the nurse must confirm that the pump
is set to the new rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Literal

from ketamine_desktop.domain.library import DoseRate
from ketamine_desktop.domain.limits import Finding, Target, blocks, needs_a_reason, sort_findings, written
from ketamine_desktop.domain.model import FrozenModel
from ketamine_desktop.domain.patient import InvalidInput
from ketamine_desktop.domain.session.commands import (
    SessionError,
    clean_name,
    optional_text,
    regimen_for,
    syringe_volume,
)
from ketamine_desktop.domain.session.decisions import SAFETY_LOCKOUT_CODE, open_decisions, safety_lockout
from ketamine_desktop.domain.session.fold import InfusionStatus, SessionState
from ketamine_desktop.domain.session.records import EventPayload
from ketamine_desktop.domain.syringe_change import concentration_change

EventRequestKind = Literal["bolus", "bolus-given", "rate-change", "pause", "resume", "syringe-change", "stop"]
_INFUSION_TARGETS: frozenset[Target] = frozenset({"infusion", "infusion_concentration"})
_BOLUS_TARGETS: frozenset[Target] = frozenset({"bolus", "bolus_concentration", "bolus_duration"})


class EventDraft(FrozenModel):
    """An event as asked for: a rate change names the new dose; Decimal fields None mean the defaults."""

    kind: EventRequestKind
    infusion_dose: DoseRate | None = None
    bolus_mg_per_kg: Decimal | None = None
    bolus_over_min: Decimal | None = None
    bolus_concentration_mg_per_ml: Decimal | None = None
    syringe_volume_ml: Decimal | None = None
    reason: str | None = None
    prescriber: str | None = None
    end_prompt_done: bool = False
    given_at: datetime | None = None  # "bolus-given": when it was given (None: now)
    concentration_mg_per_ml: Decimal | None = None  # "syringe-change": None or the running one: unchanged
    pump_rate_confirmed: bool = False  # "syringe-change" to another concentration: the pump is set


class EventPreview(FrozenModel):
    """An event as it would be written, with what the user must see before confirming it."""

    payload: EventPayload
    blocked: bool
    needs_reason: bool
    needs_prescriber: bool = False  # after a safety decision: the ordering prescriber's name


# Which events each status allows; the window enables its buttons from this same table. A bolus-only
# session has no infusion to stop: a `stop` would cut its post-dose checks short, so it ends only by
# closing the session with a recorded reason.
# The start's planned bolus can be confirmed given while anything still runs or is observed.
ALLOWED_EVENTS: Mapping[InfusionStatus, frozenset[EventRequestKind]] = {
    "running": frozenset({"bolus", "bolus-given", "rate-change", "pause", "syringe-change", "stop"}),
    "paused": frozenset({"bolus-given", "resume", "rate-change", "syringe-change", "stop"}),
    "observing": frozenset({"bolus", "bolus-given"}),
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
    "bolus-given": "recording the planned bolus",
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
    if draft.kind == "bolus" and state.pending_bolus is not None:
        raise SessionError("the planned bolus is not recorded as given yet: record it first (Bolus given)")
    # Events stay in order and after the start even if the wall clock was put back.
    at = max(now, state.last_event_at)
    reason = optional_text(draft.reason)
    if draft.kind == "bolus-given":
        return _bolus_given(state, draft, at, reason)
    if draft.kind == "rate-change":
        return _rate_change(state, draft, at, reason)
    if draft.kind == "bolus":
        return _bolus(state, draft, at, reason)
    volume = syringe_volume(draft.syringe_volume_ml) if draft.kind == "syringe-change" else None
    if draft.kind == "syringe-change" and _new_concentration(state, draft) is not None:
        assert volume is not None
        return _syringe_concentration(state, draft, at, volume, reason)
    if draft.kind == "resume":
        _refuse_against_open_decision(state, "resume", ("stop",))
    end_prompt = state.protocol.end_prompt if draft.kind == "stop" else None
    findings = safety_lockout(state, at, "resume") if draft.kind == "resume" else ()
    payload = EventPayload(
        at=at,
        kind=draft.kind,
        syringe_volume_ml=volume,
        reason=reason,
        prescriber=optional_text(draft.prescriber),
        findings=findings,
        end_prompt=end_prompt,
        end_prompt_done=end_prompt is not None and draft.end_prompt_done,
    )
    return _preview(payload)


def _bolus_given(state: SessionState, draft: EventDraft, at: datetime, reason: str | None) -> EventPreview:
    """The start's planned bolus, given at `draft.given_at` (now when None): the numbers checked at the
    start, written as a bolus at the time it was given (which shapes the schedule from then)."""
    bolus = state.pending_bolus
    if bolus is None:
        raise SessionError("there is no planned bolus waiting to be recorded as given")
    given = at if draft.given_at is None else draft.given_at.astimezone(UTC)
    if given > at:
        raise SessionError(f"bolus given: {_hm(given)} UTC is in the future")
    if given < state.last_event_at:
        earliest = "the start" if not state.events else "the last recorded event"
        raise SessionError(
            f"bolus given: {_hm(given)} UTC is before {earliest} ({_hm(state.last_event_at)} UTC)"
        )
    payload = EventPayload(at=given, kind="bolus", bolus=bolus, start_bolus=True, reason=reason)
    return _preview(payload)


def _hm(instant: datetime) -> str:
    return f"{instant.astimezone(UTC):%H:%M}"


def _new_concentration(state: SessionState, draft: EventDraft) -> Decimal | None:
    """The syringe change's concentration when it differs from the one running, else None."""
    current = state.infusion
    wanted = draft.concentration_mg_per_ml
    if wanted is None or current is None or wanted == current.concentration_mg_per_ml:
        return None
    return wanted


def _syringe_concentration(
    state: SessionState, draft: EventDraft, at: datetime, volume: Decimal, reason: str | None
) -> EventPreview:
    """A new syringe of another concentration: the same dose at a new pump rate, to confirm on the pump."""
    current = state.infusion
    concentration = draft.concentration_mg_per_ml
    assert current is not None and concentration is not None  # _new_concentration said so
    try:
        change = concentration_change(state.library, state.request, current, concentration)
    except InvalidInput as exc:
        raise SessionError(f"new concentration: {exc.message}") from exc
    payload = EventPayload(
        at=at,
        kind="syringe-change",
        syringe_volume_ml=volume,
        infusion=change.after,
        findings=change.findings,
        reason=reason,
        pump_rate_confirmed=draft.pump_rate_confirmed,
    )
    return _preview(payload)


def _rate_change(state: SessionState, draft: EventDraft, at: datetime, reason: str | None) -> EventPreview:
    current = state.infusion
    if draft.infusion_dose is None or current is None:
        raise SessionError("rate change: enter the new dose")
    request = state.request.model_copy(update={"infusion_dose": draft.infusion_dose})
    regimen = regimen_for(state.library, request)
    new = regimen.infusion
    assert new is not None  # the protocol has an infusion: the session has one
    if new.dose_mg_per_kg_per_h == current.dose_mg_per_kg_per_h:
        raise SessionError("rate change: the new dose is the dose running now")
    increase = new.dose_mg_per_kg_per_h > current.dose_mg_per_kg_per_h
    findings = [f for f in regimen.findings if f.target in _INFUSION_TARGETS]
    if increase:
        _refuse_against_open_decision(state, "rate increase", ("stop", "pause", "reduce"))
        findings.extend(_lockout(state, at))
        findings.extend(safety_lockout(state, at, "increase"))
    payload = EventPayload(
        at=at,
        kind="rate-increase" if increase else "rate-decrease",
        infusion_dose=draft.infusion_dose,
        infusion=new,
        findings=sort_findings(findings),
        reason=reason,
        prescriber=optional_text(draft.prescriber),
    )
    return _preview(payload)


def _refuse_against_open_decision(state: SessionState, what: str, contrary: tuple[str, ...]) -> None:
    """An increase or a bolus (or a resume) that goes against a check's stop, pause or reduce decision
    still open is refused: the decision is answered first, by doing it or by recording it as not done,
    with the reason and who decided. (A reduce decision while paused does not refuse a resume: the rate
    can be lowered once running again, and the safety lockout still asks for the prescriber within the
    hour.)"""
    against = [d for d in open_decisions(state) if d.infusion in contrary]
    if against:
        raise SessionError(
            f"{what}: a check advised to {against[0].infusion} the infusion and that decision is still open; "
            "answer it first (do it, or record it as not done with the reason and who decided)"
        )


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
    _refuse_against_open_decision(state, "bolus", ("stop", "pause", "reduce"))
    request = state.request.model_copy(
        update={
            "include_bolus": True,
            "bolus_mg_per_kg": draft.bolus_mg_per_kg,
            "bolus_over_min": draft.bolus_over_min,
            "bolus_concentration_mg_per_ml": draft.bolus_concentration_mg_per_ml,
        }
    )
    regimen = regimen_for(state.library, request)
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
        blocked=blocks(payload.findings),
        needs_reason=needs_a_reason(payload.findings),
        needs_prescriber=any(f.code == SAFETY_LOCKOUT_CODE for f in payload.findings),
    )


def event_payload(state: SessionState, draft: EventDraft, now: datetime) -> EventPayload:
    """The event's record once every rule is met: no hard finding, a reason for the soft ones."""
    preview = preview_event(state, draft, now)
    if preview.blocked:
        raise SessionError("a hard limit blocks this: it cannot be given")
    if preview.needs_prescriber:
        clean_name("prescriber who ordered it", preview.payload.prescriber)
    if preview.needs_reason and preview.payload.reason is None:
        raise SessionError("the warnings need a reason")
    payload = preview.payload
    if payload.kind == "syringe-change" and payload.infusion is not None and not payload.pump_rate_confirmed:
        rate = written(payload.infusion.rate_ml_per_h)
        raise SessionError(f"new concentration: confirm that the pump is set to {rate} mL/h")
    return payload
