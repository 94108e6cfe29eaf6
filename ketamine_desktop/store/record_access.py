"""Opening the record of infusion sessions for the app: the data directory's instance lock, then the
record store. Pure store code (no Qt): the app opens the record (and refuses a second
instance) before the first paint, before any of the session's widgets is imported."""

from __future__ import annotations

from pathlib import Path

from ketamine_desktop.store import InstanceLock, InstanceLocked, RecordStore


def open_record(data_dir: Path) -> tuple[InstanceLock, RecordStore]:
    """Take the data directory's instance lock and open its record; raises StoreError (InstanceLocked when
    another instance runs there), with a message for the user."""
    lock = InstanceLock(data_dir)
    if not lock.acquire():
        raise InstanceLocked(
            f"Ketamine Desktop is already running with the data directory {data_dir} "
            f"({lock.holder_description()}). Use that window, or close it first."
        )
    try:
        return lock, RecordStore.open(data_dir)
    except BaseException:
        lock.release()
        raise
