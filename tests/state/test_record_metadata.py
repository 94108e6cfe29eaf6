"""Reliability recipe 19 for the session's write paths: every record the session writes (start, event,
observation, deferral, acknowledgement, raised reminder, task, clock jump, close) has who, a UTC time and
the library's version and checksum; the store's constraints refuse a row without them."""

from __future__ import annotations

import re
import sqlite3

import pytest

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.session import EventDraft
from ketamine_desktop.state.session_store import SessionStore
from ketamine_desktop.store import RecordStore
from tests.state.builders import T0, THEATRE, check_draft, start_draft

UTC_TEXT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_every_session_record_has_who_when_and_the_library(
    store: SessionStore, records: RecordStore, clock: FakeClock
) -> None:
    assert store.start(start_draft(THEATRE)).saved
    store.tick(clock.now(), clock.monotonic())
    assert store.defer(T0, 5, "patient in the bathroom", "EF").saved
    clock.advance(6 * 60)
    store.tick(clock.now(), clock.monotonic())
    urgent = store.record_observation(check_draft(store.state, T0, store.reminders, rass=-4), "EF")  # type: ignore[arg-type]
    assert urgent.saved and urgent.seq is not None
    assert store.acknowledge(urgent.seq, "GH").saved
    clock.jump_wall(3600)
    store.tick(clock.now(), clock.monotonic())
    assert store.record_event(EventDraft(kind="stop"), "EF").saved
    assert store.complete_task("end-prompt", "EF").saved
    assert store.close("moved to recovery", "EF").saved
    kinds = {r.kind for r in records.records()}
    assert kinds == {
        "session-started",
        "deferral",
        "reminder",
        "observation",
        "acknowledgement",
        "clock-jump",
        "event",
        "task-done",
        "session-closed",
    }
    for record in records.records():
        assert record.recorded_by.strip(), record
        assert UTC_TEXT.match(record.recorded_at_utc), record
        assert record.library_version == store.library.version
        assert record.library_sha256 == store.library.sha256


def test_the_store_refuses_a_row_without_them(records: RecordStore) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        records._conn.execute(
            "INSERT INTO records (seq, session_id, kind, payload, recorded_by, recorded_at_utc, library_version,"
            " library_sha256, prev_hash, hash) VALUES (1, 's', 'observation', '{}', ' ', '2026-11-21T08:00:00Z',"
            " '1.0.0', ?, ?, ?)",
            ("0" * 64, "0" * 64, "1" * 64),
        )
