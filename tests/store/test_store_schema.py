"""Schema (recipe 19): SQLite itself rejects rows without a user, a UTC time or a library version, and
refuses UPDATE and DELETE; migrations are one transaction each and a newer file is refused."""

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ketamine_desktop.store import RecordStore, StoreError
from ketamine_desktop.store.connection import open_connection
from ketamine_desktop.store.schema import MIGRATIONS, migrate, schema_version
from tests.helpers.store_helpers import LIBRARY_SHA, add

_MISSING = object()  # a column left out of the INSERT altogether

GOOD: dict[str, Any] = {
    "seq": 1,
    "session_id": "s1",
    "kind": "observation",
    "payload": '{"hr":80}',
    "recorded_by": "nurse.a",
    "recorded_at_utc": "2026-11-21T08:00:00.000000Z",
    "library_version": "2026.11",
    "library_sha256": LIBRARY_SHA,
    "prev_hash": "0" * 64,
    "hash": "f" * 64,
}


def _insert(conn: sqlite3.Connection, **overrides: Any) -> None:
    row = {**GOOD, **overrides}
    row = {k: v for k, v in row.items() if v is not _MISSING}
    conn.execute(
        f"INSERT INTO records ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
    )


@pytest.fixture
def conn(record_store: RecordStore) -> sqlite3.Connection:
    return record_store._conn


def test_a_well_formed_row_is_accepted(conn: sqlite3.Connection) -> None:
    _insert(conn)  # the baseline the rejections below differ from in one field
    assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("recorded_by", _MISSING),
        ("recorded_by", None),
        ("recorded_by", ""),
        ("recorded_by", "   "),
        ("recorded_at_utc", _MISSING),
        ("recorded_at_utc", "2026-11-21 08:00:00"),
        ("recorded_at_utc", "2026-11-21T08:00:00+01:00"),
        ("recorded_at_utc", "2026-11-21T08:00:00z"),
        ("recorded_at_utc", "21/11/2026T08:00:00Z"),
        ("library_version", _MISSING),
        ("library_version", ""),
        ("library_version", " "),
        ("library_sha256", _MISSING),
        ("library_sha256", "abc"),
        ("library_sha256", "G" * 64),
        ("session_id", ""),
        ("kind", None),
        ("payload", "{not json"),
        ("payload", "[1, 2]"),
        ("prev_hash", "0" * 63),
        ("hash", "x" * 64),
    ],
)
def test_sqlite_rejects_a_row_missing_who_when_or_which_library(
    conn: sqlite3.Connection, field: str, value: object
) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        _insert(conn, **{field: value})
    assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 0


def test_records_cannot_be_updated_or_deleted(record_store: RecordStore, conn: sqlite3.Connection) -> None:
    add(record_store)
    with pytest.raises(sqlite3.IntegrityError, match="append-only: update refused"):
        conn.execute("UPDATE records SET recorded_by = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only: delete refused"):
        conn.execute("DELETE FROM records")
    with pytest.raises(sqlite3.IntegrityError, match="cannot be deleted"):
        conn.execute("DELETE FROM chain_head")
    with pytest.raises(sqlite3.IntegrityError, match="only moves forward"):
        conn.execute("UPDATE chain_head SET seq = 0")
    assert record_store.records()[0].recorded_by == "nurse.a"
    assert record_store.verify().ok


def test_reopening_does_not_migrate_again(data_dir: Path) -> None:
    with RecordStore.open(data_dir) as store:
        add(store)
    with RecordStore.open(data_dir) as store:
        assert schema_version(store._conn) == len(MIGRATIONS)
        assert len(store.records()) == 1


def test_a_file_from_a_newer_version_is_refused(data_dir: Path) -> None:
    RecordStore.open(data_dir).close()
    conn = open_connection(data_dir / "record.sqlite3")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer version"):
        RecordStore.open(data_dir)


def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    conn = open_connection(tmp_path / "record.sqlite3")
    broken = (("CREATE TABLE a (x)",), ("CREATE TABLE b (x)", "THIS IS NOT SQL"))
    with pytest.raises(StoreError, match="could not be prepared"):
        migrate(conn, broken)
    # The first migration committed; the second left neither its table nor its version.
    assert schema_version(conn) == 1
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"a"}
    assert not conn.in_transaction
    conn.close()


def test_open_closes_the_connection_when_migration_fails(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(conn: sqlite3.Connection) -> None:
        raise StoreError("refused")

    monkeypatch.setattr("ketamine_desktop.store.record_store.migrate", refuse)
    with pytest.raises(StoreError, match="refused"):
        RecordStore.open(data_dir)
