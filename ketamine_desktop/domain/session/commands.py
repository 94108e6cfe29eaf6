"""The commands on a session, pure half: start, observation, deferral, acknowledgement, clock jump.

Each `*_payload` function checks a request against the state and the library (a deferral lasts at most its
check's grid interval) and returns the payload to write, or raises `SessionError` saying why not, in words
for the user. Events on the infusion (rate changes, boluses, pauses, stops) are in `events.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Literal

from ketamine_desktop.domain.assessment import Observation, assess
from ketamine_desktop.domain.library import Item, Library, Protocol
from ketamine_desktop.domain.model import FrozenModel
from ketamine_desktop.domain.patient import InvalidInput
from ketamine_desktop.domain.regimen import Regimen, RegimenRequest, compute_regimen
from ketamine_desktop.domain.schedule import Check
from ketamine_desktop.domain.screening import ScreeningItemResult
from ketamine_desktop.domain.session.fold import SessionState
from ketamine_desktop.domain.session.queries import (
    assessment_context,
    check_key,
    checks_until,
    live_deferral,
    session_checks,
)
from ketamine_desktop.domain.session.records import (
    AcknowledgementPayload,
    ClockJumpPayload,
    DeferralPayload,
    ObservationPayload,
    StartPayload,
)

# Input hygiene, not clinical numbers: names and labels are short single lines.
NAME_MAX_CHARS = 40
_INITIALS_MAX = 4


class SessionError(ValueError):
    """A command that cannot be carried out; `message` says why, in words for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Commands: start ------------------------------------------------------------------------------------


class StartDraft(FrozenModel):
    """What the start needs from the pre-start checklist. `expected`, when given, is the regimen
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


def gate_texts(regimen: Regimen) -> tuple[str, ...]:
    """The protocol's gates: what must be true before starting, confirmed one by one at Start."""
    return tuple(f.message for f in regimen.findings if f.code == "gate")


def start_draft_for(
    library: Library,
    regimen: Regimen,
    *,
    names: Mapping[str, str],
    soft_limit_reason: str | None,
    screening: tuple[ScreeningItemResult, ...],
    bed: str,
    initials: str,
    volume_ml: Decimal | None,
    started_by: str,
) -> StartDraft:
    """The hand-off from the plan to the session: the regimen the checklist was completed for (`names`:
    checklist item id -> the practitioner it names), with the start form's facts. The start itself checks
    it all again against the library (`start_payload`)."""
    checklist = library.document.checklist
    checkers = [names[item.id] for item in checklist if item.requires_name and item.id in names]
    return StartDraft(
        request=request_for(regimen, library.protocol(regimen.protocol_id)),
        expected=regimen,
        bed_label=bed,
        patient_initials=initials or None,
        syringe_volume_ml=volume_ml,
        started_by=started_by,
        double_checked_by="; ".join(checkers),
        soft_limit_reason=soft_limit_reason,
        screening=screening,
        confirmed_checklist=tuple(item.id for item in checklist),
        confirmed_gates=gate_texts(regimen),
    )


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


def optional_text(text: str | None) -> str | None:
    """Free text as typed, trimmed; None when nothing was typed."""
    value = (text or "").strip()
    return value or None


def _initials(text: str | None) -> str | None:
    value = (text or "").strip().upper()
    if not value:
        return None
    if len(value) > _INITIALS_MAX or not value.isascii() or not value.isalpha():
        raise SessionError(f"patient initials: letters only, at most {_INITIALS_MAX}")
    return value


def regimen_for(library: Library, request: RegimenRequest) -> Regimen:
    """The regimen the request gives; bad input raises SessionError naming the field."""
    try:
        return compute_regimen(library, request)
    except InvalidInput as exc:
        raise SessionError(f"{exc.field}: {exc.message}") from exc


def start_payload(library: Library, draft: StartDraft, now: datetime) -> StartPayload:
    """Check a start against the library (the regimen recomputed, not trusted) and build its record."""
    regimen = regimen_for(library, draft.request)
    if draft.expected is not None and regimen != draft.expected:
        raise SessionError("the regimen is not the one the checklist was completed for: complete it again")
    if regimen.blocked:
        raise SessionError("a hard limit blocks this regimen: it cannot be started")
    reason = optional_text(draft.soft_limit_reason)
    if regimen.needs_reason and reason is None:
        raise SessionError("the warnings need a reason before the infusion can start")
    volume = None
    if regimen.infusion is not None:
        volume = syringe_volume(draft.syringe_volume_ml)
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
        bolus_given="when-confirmed",
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


def syringe_volume(volume: Decimal | None) -> Decimal:
    """The syringe or bag volume as entered, checked: present, finite, above zero."""
    if volume is None:
        raise SessionError("syringe or bag volume: enter the volume in mL")
    if not volume.is_finite() or volume <= 0:
        raise SessionError("syringe or bag volume: must be greater than zero")
    return volume


# --- Commands: observations -----------------------------------------------------------------------------


class ObservationDraft(FrozenModel):
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
        "blood_pressure": obs.systolic_bp is not None and obs.diastolic_bp is not None,
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
    state: SessionState,
    draft: ObservationDraft,
    by: str,
    now: datetime,
    checks: Sequence[Check] | None = None,
) -> ObservationPayload:
    """Check an observation against its check and the protocol's scale, assess it, build its record.

    `checks`, when given, must be the session's checks up to at least `checks_until(state, now)` (those
    recorded may be left out): the caller's, kept between saves; else they are computed."""
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
        check = next((c for c in _checks(state, now, checks) if c.due == due), None)
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


def _checks(state: SessionState, now: datetime, checks: Sequence[Check] | None) -> Sequence[Check]:
    return session_checks(state, checks_until(state, now)) if checks is None else checks


# --- Commands: deferral, acknowledgement, clock ---------------------------------------------------------


def deferral_payload(
    state: SessionState,
    check_due: datetime,
    minutes: int,
    reason: str | None,
    by: str,
    now: datetime,
    checks: Sequence[Check] | None = None,
) -> DeferralPayload:
    """Defer a due or overdue check, with a named reason, for at most its own grid interval (`checks`: as
    for `observation_payload`).

    The library sets no deferral limit of its own; the limit used is derived: a deferral may not outlast
    the interval of the grid the check belongs to, so it never hides the next check's slot.
    """
    clean_name("deferred by", by)
    text = optional_text(reason)
    if text is None:
        raise SessionError("deferral: say why the check is deferred")
    due = check_due.astimezone(UTC)
    if due in state.recorded_dues:
        raise SessionError("deferral: this check is already recorded")
    check = next((c for c in _checks(state, now, checks) if c.due == due), None)
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
    # From the latest: the check asked about is nearly always one of the last (a 14-day session has 1,400).
    observation = next((o for o in reversed(state.observations) if o.seq == observation_seq), None)
    if observation is None or not observation.body.assessment.needs_acknowledgement:
        raise SessionError("there is no urgent action to acknowledge for that check")
    if any(a.body.observation_seq == observation_seq for a in state.acknowledgements):
        raise SessionError("already acknowledged")
    codes = tuple(a.code for a in observation.body.assessment.actions if a.severity == "urgent")
    return AcknowledgementPayload(observation_seq=observation_seq, codes=codes, at=now)


def clock_jump_payload(
    previous_at: datetime,
    now: datetime,
    jump_seconds: float,
    cause: Literal["tick", "restart"],
    *,
    corrected: bool = False,
    wall_at: datetime | None = None,
    real_time_s: float | None = None,
) -> ClockJumpPayload:
    """A wall-clock jump as written to the record; the seconds are kept to the millisecond."""
    return ClockJumpPayload(
        at=now,
        previous_at=previous_at,
        jump_seconds=_milliseconds(jump_seconds),
        cause=cause,
        corrected=corrected,
        wall_at=wall_at,
        real_time_s=None if real_time_s is None else _milliseconds(real_time_s),
    )


def _milliseconds(seconds: float) -> Decimal:
    return Decimal(round(seconds * 1000)) / 1000
