"""Opening the record of infusion sessions for the app: the data directory's instance lock, then the
record store. Pure store code (no Qt): the app opens the record (and refuses a second
instance) before the first paint, before any of the session's widgets is imported."""

from __future__ import annotations

from pathlib import Path

from ketamine_desktop.store import InstanceLock, InstanceLocked, RecordStore, StoreError
from ketamine_desktop.store.paths import RECORD_FILE_NAME, environment_problem
from ketamine_desktop.store.record_check import RecordCheck, check_record


def open_record(data_dir: Path, *, check_later: bool = False) -> tuple[InstanceLock, RecordStore]:
    """Take the data directory's instance lock and open its record, checked first (`check_record`): a
    damaged record comes back read-only (`read_only_because` says why). Raises StoreError (InstanceLocked
    when another instance runs there), with a message for the user.

    `check_later` (the app's start): a record file with contents comes back unchecked and read-only
    (`RecordStore.open_unchecked`, `checking` set, appends refused); the caller runs `check_record` (the
    whole hash chain and SQLite's quick_check, off the first-paint path) and then `open_checked`. A
    missing or empty file is checked at once (there is nothing to walk)."""
    lock = InstanceLock(data_dir)
    if not lock.acquire():
        raise InstanceLocked(
            f"Ketamine Desktop is already running with the data directory {data_dir} "
            f"({lock.holder_description()}). Use that window, or close it first."
        )
    try:
        path = data_dir / RECORD_FILE_NAME
        if check_later and path.exists() and path.stat().st_size > 0:
            return lock, RecordStore.open_unchecked(data_dir)
        # Checked before anything is written: a damaged record opens read-only (nothing is appended).
        return lock, open_checked(data_dir, check_record(data_dir, thorough=False))
    except OSError as exc:
        lock.release()
        raise StoreError(environment_problem(data_dir, data_dir / RECORD_FILE_NAME, exc)) from exc
    except BaseException:
        lock.release()
        raise


def open_checked(data_dir: Path, check: RecordCheck) -> RecordStore:
    """The record in `data_dir` as its open-time check (`check_record`) found it: read-only when damaged
    (`read_only_because` says why), else open for writing."""
    if check.damage is not None:
        return RecordStore.open_read_only(data_dir, check.damage)
    return RecordStore.open(data_dir)
