"""The app opens the record before its open-time check has finished (issue 11): read-only, nothing
appended, and replaced by the checked store (writable, or read-only when damaged) once the check is done."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ketamine_desktop.store import RecordStore, SaveFailed
from ketamine_desktop.store.record_access import open_checked, open_record
from ketamine_desktop.store.record_check import check_record

NOTE = {
    "recorded_by": "nurse A",
    "library_version": "1.0.0",
    "library_sha256": "ab" * 32,
}


def _append(store: RecordStore, n: int) -> None:
    store.append("s1", "note", {"n": n}, recorded_at=datetime.now(UTC), **NOTE)


def test_an_unchecked_record_is_read_only_until_the_check_has_passed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with RecordStore.open(data_dir) as store:
        _append(store, 1)
    lock, unchecked = open_record(data_dir, check_later=True)
    try:
        assert unchecked.checking and unchecked.read_only_because is None
        assert unchecked.session_open() and unchecked.head()[0] == 1
        with pytest.raises(SaveFailed, match="still being checked"):
            _append(unchecked, 2)
        unchecked.close()
        checked = open_checked(data_dir, check_record(data_dir, thorough=False))
        assert not checked.checking
        _append(checked, 2)
        assert checked.head()[0] == 2
        checked.close()
    finally:
        lock.release()


def test_a_missing_record_is_checked_at_once(tmp_path: Path) -> None:
    lock, store = open_record(tmp_path / "data", check_later=True)
    try:
        assert not store.checking
        _append(store, 1)
    finally:
        store.close()
        lock.release()


def test_a_damaged_record_found_by_the_check_stays_read_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with RecordStore.open(data_dir) as store:
        for n in range(3):
            _append(store, n)
    conn = sqlite3.connect(data_dir / "record.sqlite3", isolation_level=None)
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("UPDATE records SET payload = '{\"n\":9}' WHERE seq = 3")
    conn.close()
    lock, unchecked = open_record(data_dir, check_later=True)
    try:
        unchecked.close()
        checked = open_checked(data_dir, check_record(data_dir, thorough=False))
        assert checked.read_only_because is not None and "record 3" in checked.read_only_because
        with pytest.raises(SaveFailed, match="read-only"):
            _append(checked, 4)
        checked.close()
    finally:
        lock.release()
