"""RecordStore: appends, reads, failure handling (recipes 3 and 4 at the store level), backup."""

import random
import sqlite3
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from ketamine_desktop.store import InvalidPayload, InvalidRecord, RecordStore, SaveFailed, StoreError
from ketamine_desktop.store.record_store import utc_text
from tests.helpers.store_helpers import LIBRARY_SHA, T0, add


def test_append_returns_what_is_stored(record_store: RecordStore) -> None:
    first = add(record_store, 0)
    second = add(record_store, 1, session="session-2", payload={"dose_mg_per_kg": Decimal("0.50")})
    assert first.seq == 1
    assert first.prev_hash == "0" * 64
    assert second.prev_hash == first.hash
    assert second.payload == {"dose_mg_per_kg": Decimal("0.50")}
    assert record_store.records() == (first, second)
    assert record_store.records("session-2") == (second,)
    assert record_store.records("no such session") == ()
    assert first.recorded_at == T0
    assert first.recorded_at_utc == "2026-11-21T08:00:00.000000Z"
    assert len({first, second, record_store.records()[0]}) == 2  # hashable, equal by content


def test_sessions_in_order_of_first_record(record_store: RecordStore) -> None:
    for i, session in enumerate(["b", "a", "b", "c", "a"]):
        add(record_store, i, session=session)
    assert record_store.sessions() == ("b", "a", "c")


def test_times_are_stored_as_utc_with_microseconds() -> None:
    london_summer = datetime(2026, 7, 1, 9, 30, 5, 12, tzinfo=timezone(timedelta(hours=1)))
    assert utc_text(london_summer) == "2026-07-01T08:30:05.000012Z"
    with pytest.raises(InvalidRecord, match="time zone"):
        utc_text(datetime(2026, 7, 1, 9, 30))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("recorded_by", " ", "recorded_by is required"),
        ("library_version", "", "library_version is required"),
        ("session_id", "", "session_id is required"),
        ("kind", "", "kind is required"),
        ("recorded_by", "nurse\ud800", "not valid Unicode"),
        ("library_sha256", "ABC", "64 lowercase hexadecimal"),
        ("library_sha256", "A" * 64, "64 lowercase hexadecimal"),
        ("recorded_at", datetime(2026, 1, 1), "time zone"),
    ],
)
def test_invalid_records_are_refused_before_any_write(
    record_store: RecordStore, field: str, value: object, message: str
) -> None:
    arguments: dict[str, object] = {
        "session_id": "s1",
        "kind": "observation",
        "payload": {"hr": 80},
        "recorded_by": "nurse.a",
        "recorded_at": T0,
        "library_version": "2026.11",
        "library_sha256": LIBRARY_SHA,
        field: value,
    }
    with pytest.raises(InvalidRecord, match=message):
        record_store.append(**arguments)  # type: ignore[arg-type]
    assert record_store.records() == ()


def test_a_payload_with_nan_is_refused(record_store: RecordStore) -> None:
    with pytest.raises(InvalidPayload):
        add(record_store, payload={"spo2": float("nan")})
    assert record_store.records() == ()


def test_failed_commits_leave_nothing_and_the_next_save_works(
    record_store: RecordStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recipe 3 at the store level: COMMIT fails with 'disk I/O error' in 1 of 5 saves, 500 saves."""
    commit = record_store._commit
    rng = random.Random(3)

    def flaky_commit() -> None:
        if rng.random() < 0.2:
            raise sqlite3.OperationalError("disk I/O error")
        commit()

    monkeypatch.setattr(record_store, "_commit", flaky_commit)
    saved, failures = [], 0
    for i in range(500):
        try:
            saved.append(add(record_store, i))
        except SaveFailed as exc:
            failures += 1
            assert exc.reason == "disk I/O error"
            assert "Not saved: disk I/O error" in str(exc)
    assert 50 < failures < 150
    assert record_store.records() == tuple(saved)  # every returned record, and nothing else
    assert [r.seq for r in saved] == list(range(1, len(saved) + 1))
    assert record_store.verify().ok
    assert record_store.integrity_check() == "ok"


def test_disk_full_is_reported_and_loses_nothing(record_store: RecordStore) -> None:
    """Recipe 4: max_page_count = current + 2, 100 saves of large payloads."""
    add(record_store)
    pages = record_store._conn.execute("PRAGMA page_count").fetchone()[0]
    record_store._conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    saved, failures = [record_store.records()[0]], []
    for i in range(1, 101):
        try:
            saved.append(add(record_store, i, payload={"note": "x" * (1000 + 37 * i), "i": i}))
        except SaveFailed as exc:
            failures.append(exc.reason)
    assert failures, "the page limit never bit"
    assert set(failures) == {"database or disk is full"}
    assert len(saved) + len(failures) == 101
    assert record_store.records() == tuple(saved)
    assert record_store.verify().ok
    record_store._conn.execute("PRAGMA max_page_count = 1073741823")  # space freed: saving works again
    add(record_store, 200)
    assert record_store.verify().ok
    assert record_store.integrity_check() == "ok"


def test_save_failed_when_the_write_lock_cannot_be_had(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with RecordStore.open(data_dir) as first, RecordStore.open(data_dir) as second:
        second._conn.execute("PRAGMA busy_timeout = 0")  # no waiting in a test
        first._conn.execute("BEGIN IMMEDIATE")
        with pytest.raises(SaveFailed, match="database is locked"):
            add(second)
        first._conn.execute("ROLLBACK")
        add(second)
        assert len(first.records()) == 1


def test_an_interrupted_append_rolls_back(record_store: RecordStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(record_store, "_commit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        add(record_store)
    monkeypatch.undo()
    assert not record_store._conn.in_transaction
    assert record_store.records() == ()
    add(record_store)
    assert record_store.verify().ok


def test_backup_is_a_consistent_copy(record_store: RecordStore, tmp_path: Path) -> None:
    for i in range(20):
        add(record_store, i)
    target_dir = tmp_path / "copy"
    target_dir.mkdir()
    record_store.backup_to(target_dir / "record.sqlite3")
    add(record_store, 20)  # after the backup: not in it
    with RecordStore.open(target_dir) as copy:
        assert copy.records() == record_store.records()[:20]
        assert copy.verify().ok


def test_read_failures_become_store_errors(record_store: RecordStore, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="could not be read"):
        record_store.backup_to(tmp_path / "no such dir" / "copy.sqlite3")
    record_store.close()
    with pytest.raises(StoreError, match="could not be read"):
        record_store.records()


def test_a_payload_that_is_not_json_is_a_store_error_on_reading(record_store: RecordStore) -> None:
    # Only a hand-edited file can hold this (json_valid refuses it), so write it past the CHECK.
    add(record_store)
    record_store._conn.execute("PRAGMA ignore_check_constraints = ON")
    record_store._conn.execute("DROP TRIGGER records_no_update")
    record_store._conn.execute("UPDATE records SET payload = '{oops'")
    with pytest.raises(StoreError, match="could not be read"):
        record_store.records()
    assert not record_store.verify().ok


def test_a_data_dir_that_cannot_be_created_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="is a file, not a folder"):
        RecordStore.open(blocker / "data")


def _append(store: RecordStore, session_id: str) -> None:
    from datetime import UTC, datetime

    store.append(
        session_id,
        "note",
        {"n": 1},
        recorded_by="AB",
        recorded_at=datetime(2026, 11, 21, 8, 0, tzinfo=UTC),
        library_version="1.0.0",
        library_sha256="0" * 64,
    )


def test_last_session_and_session_prefixes(record_store: RecordStore) -> None:
    store = record_store
    assert store.last_session() is None
    assert store.session_prefixes("training-") == (False, False)
    _append(store, "training-1")
    assert store.session_prefixes("training-") == (True, False)
    _append(store, "training.x")  # just past the prefix's range
    _append(store, "trainin")  # just before it
    assert store.session_prefixes("training-") == (True, True)
    assert store.last_session() == "trainin"
    with pytest.raises(ValueError, match="prefix"):
        store.session_prefixes("")


def test_a_batch_commits_together_or_not_at_all(record_store: RecordStore) -> None:
    store = record_store
    with store.batch():
        _append(store, "a")
        _append(store, "a")
        with pytest.raises(StoreError, match="nest"), store.batch():
            pass  # pragma: no cover
    assert len(store.records()) == 2 and store.verify().ok
    with pytest.raises(RuntimeError), store.batch():
        _append(store, "b")
        raise RuntimeError("stop")
    assert [r.session_id for r in store.records()] == ["a", "a"]
    assert store.verify().ok
    _append(store, "c")  # an ordinary append works again after a batch
    assert store.verify().ok and len(store.records()) == 3


def test_session_open_is_whether_the_last_record_closes_its_session(record_store: RecordStore) -> None:
    store = record_store
    assert not store.session_open()
    _append(store, "a")
    assert store.session_open()
    from datetime import UTC, datetime

    store.append(
        "a",
        "session-closed",
        {"n": 2},
        recorded_by="AB",
        recorded_at=datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
        library_version="1.0.0",
        library_sha256="0" * 64,
    )
    assert not store.session_open()


def test_close_kind_is_the_domains() -> None:
    from ketamine_desktop.domain.session import KIND_OF, ClosePayload
    from ketamine_desktop.store.record_store import CLOSE_KIND

    assert KIND_OF[ClosePayload] == CLOSE_KIND
