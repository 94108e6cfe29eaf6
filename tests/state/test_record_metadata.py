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
from tests.helpers.builders import T0, THEATRE, check_draft, start_draft

UTC_TEXT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_every_session_record_has_who_when_and_the_library(
    session_store: SessionStore, record_store: RecordStore, clock: FakeClock
) -> None:
    assert session_store.start(start_draft(THEATRE)).saved
    session_store.tick(clock.now(), clock.monotonic())
    assert session_store.defer(T0, 5, "patient in the bathroom", "EF").saved
    clock.advance(6 * 60)
    session_store.tick(clock.now(), clock.monotonic())
    urgent = session_store.record_observation(
        check_draft(session_store.state, T0, session_store.reminders, rass=-4), "EF"
    )  # type: ignore[arg-type]
    assert urgent.saved and urgent.seq is not None
    assert session_store.acknowledge(urgent.seq, "GH").saved
    clock.jump_wall(3600)
    session_store.tick(clock.now(), clock.monotonic())
    assert session_store.record_event(EventDraft(kind="stop"), "EF").saved
    assert session_store.complete_task("end-prompt", "EF").saved
    assert session_store.close("moved to recovery", "EF").saved
    kinds = {r.kind for r in record_store.records()}
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
    for record in record_store.records():
        assert record.recorded_by.strip(), record
        assert UTC_TEXT.match(record.recorded_at_utc), record
        assert record.library_version == session_store.library.version
        assert record.library_sha256 == session_store.library.sha256


def test_the_store_refuses_a_row_without_them(record_store: RecordStore) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        record_store._conn.execute(
            "INSERT INTO records (seq, session_id, kind, payload, recorded_by, recorded_at_utc, library_version,"
            " library_sha256, prev_hash, hash) VALUES (1, 's', 'observation', '{}', ' ', '2026-11-21T08:00:00Z',"
            " '1.0.0', ?, ?, ?)",
            ("0" * 64, "0" * 64, "1" * 64),
        )
