"""The session store: commands saved through the record, replay on start, failed saves kept as drafts,
the tick (raises written once, clock jumps written, retries), and the close."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.formatting import clock_time
from ketamine_desktop.domain.session import EventDraft, check_key
from ketamine_desktop.state.session_store import JUMP_THRESHOLD_S, SYSTEM_USER, SessionChange, SessionStore
from ketamine_desktop.store import RecordStore
from tests.helpers.builders import BOLUS_ONLY, T0, THEATRE, check_draft, dose, start_draft
from tests.helpers.store_helpers import fail_commits
from tests.state.conftest import StoreFactory


def started(session_store: SessionStore, protocol: str = THEATRE) -> SessionStore:
    outcome = session_store.start(start_draft(protocol, volume="50" if protocol != BOLUS_ONLY else None))
    assert outcome.saved, outcome.message
    return session_store


def test_start_saves_and_a_new_store_reopens_the_session(
    session_store: SessionStore, make_session_store: StoreFactory, record_store: RecordStore, clock: FakeClock
) -> None:
    assert not session_store.running and session_store.state is None and session_store.reminders == ()
    started(session_store)
    assert session_store.running and session_store.state is not None
    assert [r.kind for r in record_store.records()] == ["session-started"]
    record = record_store.records()[0]
    assert (record.recorded_by, record.library_version) == ("AB", session_store.library.version)
    clock.advance(60)
    reopened = make_session_store()
    assert reopened.state == session_store.state
    assert [r.key for r in reopened.reminders] == [r.key for r in session_store.reminders]
    assert reopened.start(start_draft()).message.startswith("A session is already running")


def test_start_refusals_write_nothing(session_store: SessionStore, record_store: RecordStore) -> None:
    outcome = session_store.start(start_draft(volume=None))
    assert not outcome.saved and "volume" in outcome.message and record_store.records() == ()


def test_commands_without_a_session_say_so(session_store: SessionStore) -> None:
    assert session_store.record_event(EventDraft(kind="pause"), "EF").message == "No session is running."
    assert session_store.defer(T0, 5, "x", "EF").saved is False
    assert session_store.acknowledge(1, "EF").saved is False
    assert session_store.complete_task("lft:1", "EF").saved is False
    assert session_store.close("x", "EF").saved is False
    with pytest.raises(ValueError, match="No session"):
        session_store.preview_event(EventDraft(kind="pause"))


def test_an_observation_is_saved_then_shown(
    session_store: SessionStore, qtbot: QtBot, clock: FakeClock
) -> None:
    started(session_store)
    clock.advance(120)
    session_store.tick(clock.now(), clock.monotonic())
    draft = check_draft(session_store.state, T0, session_store.reminders)  # type: ignore[arg-type]
    with qtbot.waitSignal(session_store.changed) as signal:
        outcome = session_store.record_observation(draft, "EF")
    assert outcome.saved and outcome.seq is not None and outcome.message.startswith("Saved at")
    # Local time like every time on screen; the zone is said once, in the status bar, not here.
    assert (
        outcome.message == f"Saved at {clock_time(clock.now(), seconds=True)}."
        and "UTC" not in outcome.message
    )
    assert signal.args[0].change & SessionChange.RECORD
    assert session_store.state is not None and session_store.state.observations[-1].seq == outcome.seq
    assert next(r for r in session_store.reminders if r.key == check_key(T0)).status == "done"
    refused = session_store.record_observation(draft, "EF")
    assert not refused.saved and "already recorded" in refused.message
    assert not session_store.record_observation(draft, "  ").saved


def test_a_failed_save_keeps_the_draft_says_so_and_the_retry_saves(
    session_store: SessionStore,
    record_store: RecordStore,
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
    clock: FakeClock,
) -> None:
    started(session_store)
    clock.advance(60)
    draft = check_draft(session_store.state, T0, session_store.reminders)  # type: ignore[arg-type]
    fail_commits(monkeypatch, record_store, [True])
    with qtbot.waitSignal(session_store.changed) as signal:
        outcome = session_store.record_observation(draft, "EF")
    assert not outcome.saved and outcome.save_failed and "disk I/O error" in outcome.message
    assert signal.args[0].change & SessionChange.SAVE_FAILED and "NOT SAVED" in signal.args[0].message
    assert session_store.draft("observation") == draft and session_store.save_failures == 1
    assert (
        len(record_store.records()) == 1
        and session_store.state is not None
        and not session_store.state.observations
    )
    retry = session_store.record_observation(draft, "EF")
    assert retry.saved and session_store.draft("observation") is None
    assert [r.kind for r in record_store.records()][-1] == "observation"
    session_store.discard_draft("observation")


def test_discarding_a_draft(
    session_store: SessionStore, record_store: RecordStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    started(session_store)
    fail_commits(monkeypatch, record_store, [True])
    session_store.record_event(EventDraft(kind="pause"), "EF")
    assert session_store.draft("event") is not None
    session_store.discard_draft("event")
    assert session_store.draft("event") is None


def test_the_tick_raises_each_level_once(
    session_store: SessionStore, record_store: RecordStore, clock: FakeClock
) -> None:
    started(session_store)
    session_store.tick(clock.now(), clock.monotonic())
    assert [
        (r.payload["key"], r.payload["level"]) for r in record_store.records() if r.kind == "reminder"
    ] == [(check_key(T0), "due")]
    for _ in range(5):
        clock.advance(1)
        session_store.tick(clock.now(), clock.monotonic())
    clock.advance(5 * 60)
    session_store.tick(clock.now(), clock.monotonic())
    session_store.tick(clock.now(), clock.monotonic())
    raised = [
        (r.payload["key"], r.payload["level"], r.recorded_by)
        for r in record_store.records()
        if r.kind == "reminder"
    ]
    assert raised == [(check_key(T0), "due", SYSTEM_USER), (check_key(T0), "overdue", SYSTEM_USER)]
    assert session_store.active[0].status == "overdue"


def test_a_wall_clock_jump_is_written_once(
    session_store: SessionStore, record_store: RecordStore, clock: FakeClock
) -> None:
    started(session_store)
    session_store.tick(clock.now(), clock.monotonic())
    clock.jump_wall(JUMP_THRESHOLD_S)  # not more than the threshold: jitter
    session_store.tick(clock.now(), clock.monotonic())
    assert not [r for r in record_store.records() if r.kind == "clock-jump"]
    clock.jump_wall(-3600)
    session_store.tick(clock.now(), clock.monotonic())
    session_store.tick(clock.now(), clock.monotonic())
    jumps = [r for r in record_store.records() if r.kind == "clock-jump"]
    assert (
        len(jumps) == 1
        and jumps[0].payload["jump_seconds"] == Decimal("-3600")
        and jumps[0].payload["cause"] == "tick"
    )


def test_a_clock_put_back_while_the_app_was_closed(
    make_session_store: StoreFactory, record_store: RecordStore, clock: FakeClock
) -> None:
    store = started(make_session_store())
    clock.advance(600)
    store.tick(clock.now(), clock.monotonic())
    clock.jump_wall(-7200)
    reopened = make_session_store()
    reopened.tick(clock.now(), clock.monotonic())
    jumps = [r for r in record_store.records() if r.kind == "clock-jump"]
    assert len(jumps) == 1 and jumps[0].payload["cause"] == "restart"


def test_automatic_records_that_fail_are_kept_and_retried(
    session_store: SessionStore, record_store: RecordStore, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    started(session_store)
    fail_commits(monkeypatch, record_store, [True, True])
    session_store.tick(clock.now(), clock.monotonic())  # the due raise fails
    assert session_store.pending_count == 1 and session_store.active[0].status == "due"
    clock.advance(1)
    session_store.tick(clock.now(), clock.monotonic())  # fails again
    assert session_store.pending_count == 1
    clock.advance(1)
    session_store.tick(clock.now(), clock.monotonic())
    assert session_store.pending_count == 0
    assert [r.kind for r in record_store.records()].count("reminder") == 1


def test_events_and_their_previews(session_store: SessionStore, clock: FakeClock) -> None:
    started(session_store)
    clock.advance(90 * 60)
    preview = session_store.preview_event(
        EventDraft(kind="rate-change", infusion_dose=dose("0.3", "mg/kg/h"))
    )
    assert preview.payload.kind == "rate-increase"
    outcome = session_store.record_event(
        EventDraft(kind="rate-change", infusion_dose=dose("0.3", "mg/kg/h")), "EF"
    )
    assert outcome.saved
    assert session_store.state is not None and session_store.state.infusion is not None
    assert session_store.state.infusion.rate_ml_per_h == Decimal("21")
    assert not session_store.record_event(EventDraft(kind="resume"), "EF").saved


def test_defer_acknowledge_task_and_close(
    session_store: SessionStore, make_session_store: StoreFactory, clock: FakeClock
) -> None:
    started(session_store)
    clock.advance(60)
    session_store.tick(clock.now(), clock.monotonic())
    assert session_store.defer(T0, 15, "patient in X-ray", "EF").saved
    assert next(r for r in session_store.reminders if r.key == check_key(T0)).status == "deferred"
    clock.advance(14 * 60)
    session_store.tick(clock.now(), clock.monotonic())
    draft = check_draft(session_store.state, T0, session_store.reminders, rass=-4)  # type: ignore[arg-type]
    saved = session_store.record_observation(draft, "EF")
    assert saved.saved and saved.seq is not None
    assert [r.kind for r in session_store.active][:2] == ["decision", "acknowledge"]
    assert session_store.acknowledge(saved.seq, "EF").saved
    assert session_store.active[0].kind == "decision"  # read is not done
    assert session_store.record_event(EventDraft(kind="stop", end_prompt_done=True), "EF").saved
    assert not session_store.complete_task("end-prompt", "EF").saved
    outcome = session_store.close(None, "EF")
    assert not outcome.saved and "still open" in outcome.message
    assert session_store.close("moved to recovery", "EF").saved
    assert not session_store.running and session_store.reminders == ()
    assert not make_session_store().running


def test_a_record_that_cannot_be_replayed_is_reported(
    record_store: RecordStore, make_session_store: StoreFactory
) -> None:
    record_store.append(
        "s1", "mystery", {}, recorded_by="x", recorded_at=T0, library_version="1", library_sha256="0" * 64
    )
    store = make_session_store()
    assert store.load_error is not None and "unknown kind" in store.load_error and not store.running


def test_a_closed_session_is_not_reopened_and_a_new_one_can_start(
    make_session_store: StoreFactory, clock: FakeClock
) -> None:
    store = started(make_session_store(), BOLUS_ONLY)
    assert not store.record_event(EventDraft(kind="stop"), "EF").saved  # no infusion to stop
    assert store.close("done", "EF").saved
    again = make_session_store()
    assert not again.running
    clock.advance(3600)
    started(again)
    assert again.state is not None and again.state.session_id != store.state.session_id  # type: ignore[union-attr]
    assert make_session_store().state == again.state


def test_ticks_before_any_session_are_harmless(session_store: SessionStore, clock: FakeClock) -> None:
    session_store.tick(clock.now(), clock.monotonic())
    clock.jump_wall(7200)
    session_store.tick(clock.now(), clock.monotonic())
    assert session_store.reminders == () and session_store.now == clock.now()
    assert timedelta(0) == timedelta(0)


def test_an_open_decision_is_answered_not_done_with_a_reason_and_the_clinician(
    session_store: SessionStore, make_session_store: StoreFactory, clock: FakeClock
) -> None:
    started(session_store)
    clock.advance(60)
    session_store.tick(clock.now(), clock.monotonic())
    draft = check_draft(session_store.state, T0, session_store.reminders, rass=-3)  # type: ignore[arg-type]
    saved = session_store.record_observation(draft, "EF")
    assert saved.saved and saved.seq is not None
    assert session_store.active[0].kind == "decision"
    refused = session_store.answer_not_done(saved.seq, "", "Dr Reed", "EF")
    assert not refused.saved and "say why" in refused.message
    assert session_store.answer_not_done(saved.seq, "prescriber holds the rate", "Dr Reed", "EF").saved
    assert not [r for r in session_store.active if r.kind == "decision"]
    reopened = make_session_store()
    assert reopened.state is not None and reopened.state.decision_answers[0].body.decided_by == "Dr Reed"
