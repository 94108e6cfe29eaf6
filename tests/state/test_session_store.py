"""The session store: commands saved through the record, replay on start, failed saves kept as drafts,
the tick (raises written once, clock jumps written, retries), and the close."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from decimal import Decimal

import pytest
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.session import EventDraft, check_key
from ketamine_desktop.state.session_store import JUMP_THRESHOLD_S, SYSTEM_USER, SessionChange, SessionStore
from ketamine_desktop.store import RecordStore
from tests.state.builders import BOLUS_ONLY, T0, THEATRE, check_draft, dose, start_draft
from tests.state.conftest import StoreFactory


def fail_commits(monkeypatch: pytest.MonkeyPatch, records: RecordStore, pattern: list[bool]) -> None:
    """Make COMMIT fail like a failing disk, per call, as `pattern` says (then succeed)."""
    original = records._commit

    def commit() -> None:
        if pattern and pattern.pop(0):
            raise sqlite3.OperationalError("disk I/O error")
        original()

    monkeypatch.setattr(records, "_commit", commit)


def started(store: SessionStore, protocol: str = THEATRE) -> SessionStore:
    outcome = store.start(start_draft(protocol, volume="50" if protocol != BOLUS_ONLY else None))
    assert outcome.saved, outcome.message
    return store


def test_start_saves_and_a_new_store_reopens_the_session(
    store: SessionStore, make_store: StoreFactory, records: RecordStore, clock: FakeClock
) -> None:
    assert not store.running and store.state is None and store.reminders == ()
    started(store)
    assert store.running and store.state is not None
    assert [r.kind for r in records.records()] == ["session-started"]
    record = records.records()[0]
    assert (record.recorded_by, record.library_version) == ("AB", store.library.version)
    clock.advance(60)
    reopened = make_store()
    assert reopened.state == store.state
    assert [r.key for r in reopened.reminders] == [r.key for r in store.reminders]
    assert reopened.start(start_draft()).message.startswith("A session is already running")


def test_start_refusals_write_nothing(store: SessionStore, records: RecordStore) -> None:
    outcome = store.start(start_draft(volume=None))
    assert not outcome.saved and "volume" in outcome.message and records.records() == ()


def test_commands_without_a_session_say_so(store: SessionStore) -> None:
    assert store.record_event(EventDraft(kind="pause"), "EF").message == "No session is running."
    assert store.defer(T0, 5, "x", "EF").saved is False
    assert store.acknowledge(1, "EF").saved is False
    assert store.complete_task("lft:1", "EF").saved is False
    assert store.close("x", "EF").saved is False
    with pytest.raises(ValueError, match="No session"):
        store.preview_event(EventDraft(kind="pause"))


def test_an_observation_is_saved_then_shown(store: SessionStore, qtbot: QtBot, clock: FakeClock) -> None:
    started(store)
    clock.advance(120)
    store.tick(clock.now(), clock.monotonic())
    draft = check_draft(store.state, T0, store.reminders)  # type: ignore[arg-type]
    with qtbot.waitSignal(store.changed) as signal:
        outcome = store.record_observation(draft, "EF")
    assert outcome.saved and outcome.seq is not None and outcome.message.startswith("Saved at")
    assert signal.args[0].change & SessionChange.RECORD
    assert store.state is not None and store.state.observations[-1].seq == outcome.seq
    assert next(r for r in store.reminders if r.key == check_key(T0)).status == "done"
    refused = store.record_observation(draft, "EF")
    assert not refused.saved and "already recorded" in refused.message
    assert not store.record_observation(draft, "  ").saved


def test_a_failed_save_keeps_the_draft_says_so_and_the_retry_saves(
    store: SessionStore, records: RecordStore, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot, clock: FakeClock
) -> None:
    started(store)
    clock.advance(60)
    draft = check_draft(store.state, T0, store.reminders)  # type: ignore[arg-type]
    fail_commits(monkeypatch, records, [True])
    with qtbot.waitSignal(store.changed) as signal:
        outcome = store.record_observation(draft, "EF")
    assert not outcome.saved and outcome.save_failed and "disk I/O error" in outcome.message
    assert signal.args[0].change & SessionChange.SAVE_FAILED and "NOT SAVED" in signal.args[0].message
    assert store.draft("observation") == draft and store.save_failures == 1
    assert len(records.records()) == 1 and store.state is not None and not store.state.observations
    retry = store.record_observation(draft, "EF")
    assert retry.saved and store.draft("observation") is None
    assert [r.kind for r in records.records()][-1] == "observation"
    store.discard_draft("observation")


def test_discarding_a_draft(
    store: SessionStore, records: RecordStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    started(store)
    fail_commits(monkeypatch, records, [True])
    store.record_event(EventDraft(kind="pause"), "EF")
    assert store.draft("event") is not None
    store.discard_draft("event")
    assert store.draft("event") is None


def test_the_tick_raises_each_level_once(store: SessionStore, records: RecordStore, clock: FakeClock) -> None:
    started(store)
    store.tick(clock.now(), clock.monotonic())
    assert [(r.payload["key"], r.payload["level"]) for r in records.records() if r.kind == "reminder"] == [
        (check_key(T0), "due")
    ]
    for _ in range(5):
        clock.advance(1)
        store.tick(clock.now(), clock.monotonic())
    clock.advance(5 * 60)
    store.tick(clock.now(), clock.monotonic())
    store.tick(clock.now(), clock.monotonic())
    raised = [
        (r.payload["key"], r.payload["level"], r.recorded_by)
        for r in records.records()
        if r.kind == "reminder"
    ]
    assert raised == [(check_key(T0), "due", SYSTEM_USER), (check_key(T0), "overdue", SYSTEM_USER)]
    assert store.active[0].status == "overdue"


def test_a_wall_clock_jump_is_written_once(
    store: SessionStore, records: RecordStore, clock: FakeClock
) -> None:
    started(store)
    store.tick(clock.now(), clock.monotonic())
    clock.jump_wall(JUMP_THRESHOLD_S)  # not more than the threshold: jitter
    store.tick(clock.now(), clock.monotonic())
    assert not [r for r in records.records() if r.kind == "clock-jump"]
    clock.jump_wall(-3600)
    store.tick(clock.now(), clock.monotonic())
    store.tick(clock.now(), clock.monotonic())
    jumps = [r for r in records.records() if r.kind == "clock-jump"]
    assert (
        len(jumps) == 1
        and jumps[0].payload["jump_seconds"] == Decimal("-3600")
        and jumps[0].payload["cause"] == "tick"
    )


def test_a_clock_put_back_while_the_app_was_closed(
    make_store: StoreFactory, records: RecordStore, clock: FakeClock
) -> None:
    store = started(make_store())
    clock.advance(600)
    store.tick(clock.now(), clock.monotonic())
    clock.jump_wall(-7200)
    reopened = make_store()
    reopened.tick(clock.now(), clock.monotonic())
    jumps = [r for r in records.records() if r.kind == "clock-jump"]
    assert len(jumps) == 1 and jumps[0].payload["cause"] == "restart"


def test_automatic_records_that_fail_are_kept_and_retried(
    store: SessionStore, records: RecordStore, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    started(store)
    fail_commits(monkeypatch, records, [True, True])
    store.tick(clock.now(), clock.monotonic())  # the due raise fails
    assert store.pending_count == 1 and store.active[0].status == "due"
    clock.advance(1)
    store.tick(clock.now(), clock.monotonic())  # fails again
    assert store.pending_count == 1
    clock.advance(1)
    store.tick(clock.now(), clock.monotonic())
    assert store.pending_count == 0
    assert [r.kind for r in records.records()].count("reminder") == 1


def test_events_and_their_previews(store: SessionStore, clock: FakeClock) -> None:
    started(store)
    clock.advance(90 * 60)
    preview = store.preview_event(EventDraft(kind="rate-change", infusion_dose=dose("0.3", "mg/kg/h")))
    assert preview.payload.kind == "rate-increase"
    outcome = store.record_event(EventDraft(kind="rate-change", infusion_dose=dose("0.3", "mg/kg/h")), "EF")
    assert outcome.saved
    assert store.state is not None and store.state.infusion is not None
    assert store.state.infusion.rate_ml_per_h == Decimal("21")
    assert not store.record_event(EventDraft(kind="resume"), "EF").saved


def test_defer_acknowledge_task_and_close(
    store: SessionStore, make_store: StoreFactory, clock: FakeClock
) -> None:
    started(store)
    clock.advance(60)
    store.tick(clock.now(), clock.monotonic())
    assert store.defer(T0, 15, "patient in X-ray", "EF").saved
    assert next(r for r in store.reminders if r.key == check_key(T0)).status == "deferred"
    clock.advance(14 * 60)
    store.tick(clock.now(), clock.monotonic())
    draft = check_draft(store.state, T0, store.reminders, rass=-4)  # type: ignore[arg-type]
    saved = store.record_observation(draft, "EF")
    assert saved.saved and saved.seq is not None
    assert store.active[0].kind == "acknowledge"
    assert store.acknowledge(saved.seq, "EF").saved
    assert store.record_event(EventDraft(kind="stop", end_prompt_done=True), "EF").saved
    assert not store.complete_task("end-prompt", "EF").saved
    outcome = store.close(None, "EF")
    assert not outcome.saved and "still open" in outcome.message
    assert store.close("moved to recovery", "EF").saved
    assert not store.running and store.reminders == ()
    assert not make_store().running


def test_a_record_that_cannot_be_replayed_is_reported(records: RecordStore, make_store: StoreFactory) -> None:
    records.append(
        "s1", "mystery", {}, recorded_by="x", recorded_at=T0, library_version="1", library_sha256="0" * 64
    )
    store = make_store()
    assert store.load_error is not None and "unknown kind" in store.load_error and not store.running


def test_a_closed_session_is_not_reopened_and_a_new_one_can_start(
    make_store: StoreFactory, clock: FakeClock
) -> None:
    store = started(make_store(), BOLUS_ONLY)
    assert not store.record_event(EventDraft(kind="stop"), "EF").saved  # no infusion to stop
    assert store.close("done", "EF").saved
    again = make_store()
    assert not again.running
    clock.advance(3600)
    started(again)
    assert again.state is not None and again.state.session_id != store.state.session_id  # type: ignore[union-attr]
    assert make_store().state == again.state


def test_ticks_before_any_session_are_harmless(store: SessionStore, clock: FakeClock) -> None:
    store.tick(clock.now(), clock.monotonic())
    clock.jump_wall(7200)
    store.tick(clock.now(), clock.monotonic())
    assert store.reminders == () and store.now == clock.now()
    assert timedelta(0) == timedelta(0)
