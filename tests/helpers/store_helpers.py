"""Helpers shared by the record store tests: one valid observation record, appended by number; COMMIT
failing like a failing disk."""

import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ketamine_desktop.store import RecordStore, StoredRecord

LIBRARY_SHA = "0123456789abcdef" * 4
T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def add(
    store: RecordStore, i: int = 0, session: str = "session-1", payload: Mapping[str, object] | None = None
) -> StoredRecord:
    """Append one observation with valid metadata; `i` varies the time and the values."""
    return store.append(
        session,
        "observation",
        payload if payload is not None else {"hr": 70 + i % 30, "spo2": Decimal("97.5"), "i": i},
        recorded_by="nurse.a",
        recorded_at=T0 + timedelta(minutes=15 * i),
        library_version="2026.11",
        library_sha256=LIBRARY_SHA,
    )


def fail_commits(monkeypatch: pytest.MonkeyPatch, store: RecordStore, pattern: list[bool]) -> None:
    """Make COMMIT fail like a failing disk ("disk I/O error"), per call, as `pattern` says (then succeed)."""
    original = store._commit

    def commit() -> None:
        if pattern and pattern.pop(0):
            raise sqlite3.OperationalError("disk I/O error")
        original()

    monkeypatch.setattr(store, "_commit", commit)
