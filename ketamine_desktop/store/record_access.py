"""Opening the record of infusion sessions for the app: the data directory's instance lock, then the
record store. Pure store code (no Qt): the app opens the record (and refuses a second
instance) before the first paint, before any of the session's widgets is imported."""

from __future__ import annotations

from pathlib import Path

from ketamine_desktop.store import InstanceLock, InstanceLocked, RecordStore, StoreError
from ketamine_desktop.store.paths import RECORD_FILE_NAME, environment_problem
from ketamine_desktop.store.record_check import check_record


def open_record(data_dir: Path) -> tuple[InstanceLock, RecordStore]:
    """Take the data directory's instance lock and open its record, checked first (`check_record`): a
    damaged record comes back read-only (`read_only_because` says why). Raises StoreError (InstanceLocked
    when another instance runs there), with a message for the user."""
    lock = InstanceLock(data_dir)
    if not lock.acquire():
        raise InstanceLocked(
            f"Ketamine Desktop is already running with the data directory {data_dir} "
            f"({lock.holder_description()}). Use that window, or close it first."
        )
    try:
        # Checked before anything is written: a damaged record opens read-only (nothing is appended).
        check = check_record(data_dir, thorough=False)
        if check.damage is not None:
            return lock, RecordStore.open_read_only(data_dir, check.damage)
        return lock, RecordStore.open(data_dir)
    except OSError as exc:
        lock.release()
        raise StoreError(environment_problem(data_dir, data_dir / RECORD_FILE_NAME, exc)) from exc
    except BaseException:
        lock.release()
        raise
