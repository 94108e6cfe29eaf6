"""The decisions of the checks, after the check: which stop, pause or reduce decision is still open, how
one is recorded as not done, half the running dose for a reduce, and the safety lockout.

A check's decision (its assessment's `decision`) is open until answered: by the matching event recorded
after the check (a stop answers any decision; a pause answers a pause or a reduce; a rate decrease answers
a reduce), or by a recorded "not done" with a reason and the deciding clinician's name. An acknowledgement
does not answer it. A pause decision while the infusion is already paused is not open; nothing is open
once the infusion is stopped, the session ended, or in a session without an infusion.

After a stop, pause or reduce decision, a rate increase or a resume sooner than the library's rate-increase
lockout (`rate_increase_lockout_min`, the hourly titration rule; derived for this use) needs the name of
the prescriber who ordered it and a reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from ketamine_desktop.domain.library import DoseRate
from ketamine_desktop.domain.limits import Finding
from ketamine_desktop.domain.model import FrozenModel
from ketamine_desktop.domain.session.commands import SessionError, clean_name, optional_text
from ketamine_desktop.domain.session.fold import ANSWERED_BY, InfusionStatus, SessionState
from ketamine_desktop.domain.session.records import DecisionAnswerPayload, EventPayload, Recorded

OpenInfusion = Literal["stop", "pause", "reduce"]
_STRENGTH: tuple[OpenInfusion, ...] = ("reduce", "pause", "stop")
SAFETY_LOCKOUT_CODE = "safety-decision-lockout"


class OpenDecision(FrozenModel):
    """A stop, pause or reduce decision not yet answered, with the infusion's status now."""

    observation_seq: int
    decided_at: datetime
    infusion: OpenInfusion
    code: str
    text: str
    sources: tuple[str, ...]
    flags: tuple[str, ...]
    status: InfusionStatus


def open_decisions(state: SessionState) -> tuple[OpenDecision, ...]:
    """The open decisions, strongest first, then the latest first.

    Reads the checks the fold keeps as not yet answered (`state.undecided`), not every check: the cost
    does not grow with the session."""
    if state.infusion is None or state.status in ("stopped", "ended"):
        return ()
    found: list[OpenDecision] = []
    for observation in state.undecided:
        assessment = observation.body.assessment
        decision = assessment.decision
        infusion = decision.infusion
        if infusion == "continue" or (infusion == "pause" and state.status == "paused"):
            continue  # (an undecided check is never a "continue": the test narrows the type)
        deciding = next(a for a in assessment.actions if a.code == decision.code)
        found.append(
            OpenDecision(
                observation_seq=observation.seq,
                decided_at=observation.body.taken_at,
                infusion=infusion,
                code=decision.code,
                text=decision.text,
                sources=deciding.sources,
                flags=deciding.flags,
                status=state.status,
            )
        )
    return tuple(sorted(found, key=lambda d: (-_STRENGTH.index(d.infusion), -d.observation_seq)))


def answer_of(
    state: SessionState, observation_seq: int
) -> Recorded[EventPayload] | Recorded[DecisionAnswerPayload] | None:
    """What answered the decision of that check: the first matching event after it, or the recorded "not
    done"; None while nothing has (or for a continue)."""
    # From the latest: the check asked about is nearly always one of the last (a 14-day session has 1,400).
    observation = next((o for o in reversed(state.observations) if o.seq == observation_seq), None)
    if observation is None or observation.body.assessment.decision.infusion == "continue":
        return None
    infusion: OpenInfusion = observation.body.assessment.decision.infusion
    event = next(
        (e for e in state.events if e.seq > observation_seq and e.body.kind in ANSWERED_BY[infusion]), None
    )
    not_done = next((a for a in state.decision_answers if a.body.observation_seq == observation_seq), None)
    return event or not_done


def not_done_payload(
    state: SessionState, observation_seq: int, reason: str | None, decided_by: str, by: str, now: datetime
) -> DecisionAnswerPayload:
    """Record that an open decision was not done: the reason and the clinician who decided so."""
    clean_name("recorded by", by)
    clinician = clean_name("decided by", decided_by)
    text = optional_text(reason)
    if text is None:
        raise SessionError("not done: say why")
    if not any(d.observation_seq == observation_seq for d in open_decisions(state)):
        raise SessionError("there is no open decision for that check")
    return DecisionAnswerPayload(
        observation_seq=observation_seq, at=now, outcome="not-done", reason=text, decided_by=clinician
    )


def halved_dose(state: SessionState) -> DoseRate:
    """Half the dose running now, in the unit it was entered in (the rate dialog rounds it to the pump)."""
    infusion = state.infusion
    if infusion is None:
        raise SessionError("there is no infusion to reduce")
    entered = infusion.entered
    return DoseRate(value=entered.value / 2, unit=entered.unit)


def safety_lockout(state: SessionState, at: datetime, what: str) -> tuple[Finding, ...]:
    """A rate increase or resume sooner than the lockout after a stop, pause or reduce decision: it
    needs the ordering prescriber's name and a reason."""
    prompts = state.library.document.monitoring.timed_prompts
    lockout = timedelta(minutes=prompts.rate_increase_lockout_min)
    recent = [
        o
        for o in state.observations
        if o.body.assessment.decision.infusion != "continue" and at - o.body.taken_at < lockout
    ]
    if not recent:
        return ()
    latest = recent[-1]
    word = latest.body.assessment.decision.infusion  # the decision's own word: stop, pause or reduce
    minutes = int((at - latest.body.taken_at) // timedelta(minutes=1))
    message = (
        f"This {what} comes {minutes} min after a check that advised to {word} the infusion; the library "
        f"advises no increase sooner than {prompts.rate_increase_lockout_min} min after it unless the "
        "prescriber who ordered it is named, with a reason."
    )
    return (
        Finding(
            level="soft",
            code=SAFETY_LOCKOUT_CODE,
            message=message,
            sources=prompts.rate_increase_lockout_sources,
            flags=("derived",),
            target="infusion",
        ),
    )
