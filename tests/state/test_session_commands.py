"""The session store takes commands as values (state/session_commands.py), as the plan store does: each is
answered once, after `changed`, with its outcome, so the view that asked can show it where it was asked."""

from __future__ import annotations

import pytest

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.session import EventDraft
from ketamine_desktop.state.session_commands import (
    CloseSession,
    Outcome,
    RecordEvent,
    RecordObservation,
    SessionCommand,
    StartSession,
)
from ketamine_desktop.state.session_store import SessionChange, SessionStore, SessionUpdate
from ketamine_desktop.store import RecordStore
from tests.helpers.builders import T0, THEATRE, check_draft, start_draft
from tests.helpers.store_helpers import fail_commits


def heard(store: SessionStore) -> list[tuple[str, object, object]]:
    """What the store emits, in order: ("changed", update, None) and ("answered", command, outcome)."""
    events: list[tuple[str, object, object]] = []
    store.changed.connect(lambda update: events.append(("changed", update, None)))
    store.answered.connect(lambda command, outcome: events.append(("answered", command, outcome)))
    return events


def test_a_command_is_answered_once_after_what_it_changed(
    session_store: SessionStore, clock: FakeClock
) -> None:
    events = heard(session_store)
    start = StartSession(start_draft(THEATRE, volume="50"))
    outcome = session_store.apply(start)
    assert outcome.saved and outcome.seq is not None
    kinds = [kind for kind, _, _ in events]
    assert kinds[-1] == "answered" and kinds.count("answered") == 1 and "changed" in kinds
    assert events[-1][1] is start and events[-1][2] == outcome
    first_change = events[0][1]
    assert isinstance(first_change, SessionUpdate) and first_change.change & SessionChange.SESSION

    events.clear()
    clock.advance(60)
    state = session_store.state
    assert state is not None
    check = RecordObservation(check_draft(state, T0, session_store.reminders), "EF")
    outcome = session_store.apply(check)
    assert outcome.saved and outcome.message.startswith("Saved at")
    assert [kind for kind, _, _ in events] == ["changed", "answered"]
    assert events[-1][1] is check and session_store.state is not None
    assert len(session_store.state.observations) == 1


def test_a_refused_command_is_answered_with_why_and_changes_nothing(
    session_store: SessionStore, record_store: RecordStore
) -> None:
    assert session_store.apply(StartSession(start_draft(THEATRE, volume="50"))).saved
    before = len(record_store.records())
    events = heard(session_store)
    close = CloseSession(None, "EF")  # a running infusion is not closed: it is stopped first
    outcome = session_store.apply(close)
    assert not outcome.saved and outcome.message
    assert events == [("answered", close, outcome)]
    assert len(record_store.records()) == before and session_store.running


def test_a_failed_save_is_answered_as_not_saved_and_its_values_are_kept(
    session_store: SessionStore, record_store: RecordStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert session_store.apply(StartSession(start_draft(THEATRE, volume="50"))).saved
    fail_commits(monkeypatch, record_store, [True])
    answers: list[tuple[SessionCommand, Outcome]] = []
    session_store.answered.connect(lambda command, outcome: answers.append((command, outcome)))
    pause = RecordEvent(EventDraft(kind="pause"), "EF")
    session_store.apply(pause)
    assert len(answers) == 1
    command, outcome = answers[0]
    assert command is pause and not outcome.saved and outcome.save_failed
    assert outcome.message.startswith("NOT SAVED") and session_store.draft("event") == pause.draft
    assert session_store.apply(pause).saved and session_store.draft("event") is None


def test_the_store_methods_are_the_same_commands(session_store: SessionStore) -> None:
    """`record_event(draft, by)` and the others are `apply` with the command: answered the same way."""
    answers: list[tuple[SessionCommand, Outcome]] = []
    session_store.answered.connect(lambda command, outcome: answers.append((command, outcome)))
    assert session_store.start(start_draft(THEATRE, volume="50")).saved
    outcome = session_store.record_event(EventDraft(kind="pause"), "EF")
    assert [type(command) for command, _ in answers] == [StartSession, RecordEvent]
    assert answers[-1] == (RecordEvent(EventDraft(kind="pause"), "EF"), outcome) and outcome.saved
