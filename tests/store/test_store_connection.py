"""The connection factory (recipe 2): WAL, synchronous=FULL and foreign keys, verified; private files."""

import os
import sqlite3
import stat
import sys
from pathlib import Path

import pytest

from ketamine_desktop.store import RecordStore, StoreError
from ketamine_desktop.store.connection import _configure, open_connection, rollback_quietly
from tests.helpers.store_helpers import add

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def _pragmas(conn: sqlite3.Connection) -> tuple[str, int, int]:
    return (
        conn.execute("PRAGMA journal_mode").fetchone()[0],
        conn.execute("PRAGMA synchronous").fetchone()[0],
        conn.execute("PRAGMA foreign_keys").fetchone()[0],
    )


def test_fifty_opens_report_wal_full_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "record.sqlite3"
    seen = []
    other = None
    for i in range(50):
        if i == 25:
            # A pre-existing connection with a write transaction open on the same file.
            other = open_connection(path)
            other.execute("CREATE TABLE t (x)")
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO t VALUES (1)")
            assert other.in_transaction
        conn = open_connection(path)
        seen.append(_pragmas(conn))
        conn.close()
    assert other is not None
    other.execute("COMMIT")
    other.close()
    assert seen == [("wal", 2, 1)] * 50


def test_configure_refuses_a_connection_with_an_open_transaction(tmp_path: Path) -> None:
    # The SQLite trap this guards against: a fresh file, WAL asked inside a transaction, 'delete' answered.
    conn = sqlite3.connect(tmp_path / "fresh.sqlite3", isolation_level=None)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("BEGIN")
    conn.execute("INSERT INTO t VALUES (1)")
    assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "delete"
    with pytest.raises(StoreError, match="open transaction"):
        _configure(conn)
    conn.close()


def test_configure_raises_when_wal_does_not_take() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)  # an in-memory database answers 'memory'
    with pytest.raises(StoreError, match="journal_mode is 'memory', expected 'wal'"):
        _configure(conn)
    conn.close()


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "record.sqlite3"
    path.write_bytes(b"this is not a database, it is a note" * 100)
    with pytest.raises(StoreError, match="not a database"):
        open_connection(path)


def test_an_unopenable_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder, but the app needs a file there"):
        open_connection(tmp_path)  # a directory


def test_rollback_quietly_without_a_transaction_does_nothing(tmp_path: Path) -> None:
    conn = open_connection(tmp_path / "record.sqlite3")
    rollback_quietly(conn)
    assert not conn.in_transaction
    conn.close()


@posix_only
def test_record_files_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "a" / "data"
    old_umask = os.umask(0o002)  # a permissive umask: our modes must not depend on it
    try:
        store = RecordStore.open(data_dir)
    finally:
        os.umask(old_umask)
    add(store)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for name in ("record.sqlite3", "record.sqlite3-wal", "record.sqlite3-shm"):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600, name
    backup = tmp_path / "backup.sqlite3"
    store.backup_to(backup)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    store.close()


@posix_only
def test_an_existing_world_readable_file_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "record.sqlite3"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    open_connection(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@posix_only
def test_an_existing_data_dir_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    RecordStore.open(tmp_path).close()
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "record.sqlite3").stat().st_mode) == 0o600
