"""What a view asks of the running session, and what it gets back.

Each request is one frozen command value, as the Dosing tab's plan commands are (state/plan.py): the
Monitoring panel emits it (`command_issued`), app.py connects that to `SessionStore.apply`, which checks
it through the domain (`build`: the domain function that turns it into a record), saves it, emits
`changed` for what changed, and then `answered(command, outcome)`. The view shows the `Outcome` where it
was asked: "saved" only when the store says so, and a failed save keeps the values and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Literal

from ketamine_desktop.domain.reminders import close_payload, task_payload
from ketamine_desktop.domain.schedule import Check
from ketamine_desktop.domain.session import (
    AdverseEventDraft,
    EventDraft,
    ObservationDraft,
    Payload,
    SessionState,
    StartDraft,
    acknowledgement_payload,
    adverse_event_payload,
    deferral_payload,
    event_payload,
    not_done_payload,
    observation_payload,
)

# The kinds of command whose values are kept as a draft when their save fails (`SessionStore.draft`).
DraftKind = Literal[
    "start",
    "observation",
    "event",
    "deferral",
    "acknowledgement",
    "decision-answer",
    "task",
    "close",
    "adverse-event",
]


@dataclass(frozen=True)
class Outcome:
    """What became of a command: saved (with its record's seq) or not, and why not, in words."""

    saved: bool
    message: str
    seq: int | None = None
    save_failed: bool = False  # True: the disk refused it; the values are kept as a draft to retry


@dataclass(frozen=True)
class StartSession:
    """The completed pre-start checklist starts the session."""

    draft: StartDraft


@dataclass(frozen=True)
class RecordObservation:
    """A check recorded on the record-check form."""

    draft: ObservationDraft
    by: str
    kind: ClassVar[DraftKind] = "observation"

    def kept(self) -> object:
        return self.draft

    def build(self, state: SessionState, now: datetime, checks: tuple[Check, ...]) -> Payload:
        return observation_payload(state, self.draft, self.by, now, checks)


@dataclass(frozen=True)
class RecordEvent:
    """Something done to the infusion (bolus, rate change, pause, resume, syringe change, stop)."""

    draft: EventDraft
    by: str
    kind: ClassVar[DraftKind] = "event"

    def kept(self) -> object:
        return self.draft

    def build(self, state: SessionState, now: datetime, checks: tuple[Check, ...]) -> Payload:
        return event_payload(state, self.draft, now)


@dataclass(frozen=True)
class DeferCheck:
    """A due or overdue check deferred by `minutes`, with the reason."""

    check_due: datetime
    minutes: int
    reason: str
    by: str
    kind: ClassVar[DraftKind] = "deferral"

    def kept(self) -> object:
        return (self.check_due, self.minutes, self.reason)

    def build(self, state: SessionState, now: datetime, checks: tuple[Check, ...]) -> Payload:
        return deferral_payload(state, self.check_due, self.minutes, self.reason, self.by, now, checks)


@dataclass(frozen=True)
class Acknowledge:
    """The urgent actions of one recorded check acknowledged."""

    observation_seq: int
    by: str
    kind: ClassVar[DraftKind] = "acknowledgement"

    def kept(self) -> object:
        return self.observation_seq

    def build(self, state: SessionState, now: datetime, checks: tuple[Check, ...]) -> Payload:
        return acknowledgement_payload(state, self.observation_seq, self.by, now)


@dataclass(frozen=True)
class RecordAdverseEvent:
    """An adverse event: the side effect and what was done."""

    draft: AdverseEventDraft
    by: str
    kind: ClassVar[DraftKind] = "adverse-event"

    def kept(self) -> object:
        return self.draft

    def build(self, state: SessionState, now: datetime, checks: tuple[Check, ...]) -> Payload:
        return adverse_event_payload(state, self.draft, self.by, now)


@dataclass(frozen=True)
class AnswerNotDone:
    """The decision of that check was not done: why, and which clinician decided so."""

    observation_seq: int
    reason: str
    decided_by: str
    by: str
    kind: ClassVar[DraftKind] = "decision-answer"

    def kept(self) -> object:
        return (self.observation_seq, self.reason, self.decided_by)

    def build(self, state: SessionState, now: datetime, checks: tuple[Check, ...]) -> Payload:
        return not_done_payload(state, self.observation_seq, self.reason, self.decided_by, self.by, now)


@dataclass(frozen=True)
class CompleteTask:
    """A task reminder (liver tests, the end prompt) marked done."""

    key: str
    by: str
    kind: ClassVar[DraftKind] = "task"

    def kept(self) -> object:
        return self.key

    def build(self, state: SessionState, now: datetime, checks: tuple[Check, ...]) -> Payload:
        return task_payload(state, self.key, self.by, now, checks)


@dataclass(frozen=True)
class CloseSession:
    """A stopped session closed; with anything still open, `reason` says why."""

    reason: str | None
    by: str
    kind: ClassVar[DraftKind] = "close"

    def kept(self) -> object:
        return self.reason

    def build(self, state: SessionState, now: datetime, checks: tuple[Check, ...]) -> Payload:
        return close_payload(state, self.reason, self.by, now, checks)


# The commands that append to the running session (all but the start).
RecordCommand = (
    RecordObservation
    | RecordEvent
    | DeferCheck
    | Acknowledge
    | RecordAdverseEvent
    | AnswerNotDone
    | CompleteTask
    | CloseSession
)
SessionCommand = StartSession | RecordCommand
