"""Replay takes the cheap path (domain/session/rebuild.py) for every record of a real session, and still
refuses a record altered in the database: what pydantic refuses, replay refuses; what it would accept (a
plausible value typed over another) the hash chain names."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ketamine_desktop.demo import demo_records, write_records
from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.session import parse_record
from ketamine_desktop.domain.session.records import _PAYLOAD_CLASSES, SessionRecord
from ketamine_desktop.state.session_store import SessionStore
from ketamine_desktop.store import RecordStore

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


@pytest.fixture
def demo_store(record_store: RecordStore, library: Library) -> RecordStore:
    write_records(record_store, library, demo_records(library, now=NOW, days=1, past_sessions=1, seed=3))
    return record_store


def _alter(store: RecordStore, seq: int, change: dict[str, object]) -> None:
    conn = store._conn
    conn.execute("DROP TRIGGER IF EXISTS records_no_update")
    payload = json.loads(conn.execute("SELECT payload FROM records WHERE seq = ?", (seq,)).fetchone()[0])
    payload["observation"].update(change)
    conn.execute("UPDATE records SET payload = ? WHERE seq = ?", (json.dumps(payload), seq))


def test_every_record_of_a_session_replays_to_what_pydantic_builds(demo_store: RecordStore) -> None:
    for stored in demo_store.records():
        cheap = parse_record(stored.seq, stored.kind, stored.payload, stored.recorded_by, stored.recorded_at)
        body = _PAYLOAD_CLASSES[stored.kind].model_validate(stored.payload)  # type: ignore[index]
        full = SessionRecord(
            seq=stored.seq, recorded_by=stored.recorded_by, recorded_at=stored.recorded_at, body=body
        )
        assert cheap == full
        assert cheap.model_dump() == full.model_dump()


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        ({"spo2": 500}, True),  # out of the plausible range: the observation's own check refuses it
        ({"spo2": "97"}, True),  # a text where a number belongs
        ({"consciousness": "Z"}, True),  # not an ACVPU level
        ({"spo2": 88}, False),  # plausible: replay takes it, the hash chain does not
    ],
)
def test_a_record_altered_in_the_database_is_refused_or_named(
    demo_store: RecordStore, library: Library, change: dict[str, object], refused: bool
) -> None:
    session = demo_store.last_session()
    seq = next(r.seq for r in demo_store.records(session) if r.kind == "observation")
    _alter(demo_store, seq, change)
    store = SessionStore(library, demo_store, FakeClock(NOW))
    verdict = demo_store.verify()
    assert (verdict.ok, verdict.first_bad_seq) == (False, seq)
    if refused:
        assert store.load_error is not None and store.load_error.startswith(
            "The record could not be replayed"
        )
        assert f"record {seq} (observation)" in store.load_error
        assert not store.running
    else:
        assert store.load_error is None
        state = store.state
        assert state is not None
        assert next(o for o in state.observations if o.seq == seq).body.observation.spo2 == 88
