"""A read-only snapshot of the record: every record, the chain's verdict and its head, read in one go.

For the exports and `sessions`: they must never write to the record, so the file is opened read-only
(SQLite's `mode=ro`): no migration, no pragma that writes, no checkpoint. The records, the head and the
verification come from one read transaction, so an append by a running window cannot slip between them.
A directory without a record file is an empty record; nothing is created for it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ketamine_desktop.store.chain import ChainVerdict, verify_table
from ketamine_desktop.store.connection import StoreError, open_read_only, restrict_sidecars
from ketamine_desktop.store.paths import RECORD_FILE_NAME
from ketamine_desktop.store.stored_record import SELECT_RECORDS, StoredRecord

__all__ = ["RecordSnapshot", "read_snapshot", "snapshot_of"]


@dataclass(frozen=True)
class RecordSnapshot:
    """The whole record as it stood when read, with the verdict on its chain."""

    path: Path
    records: tuple[StoredRecord, ...]
    verdict: ChainVerdict
    head_seq: int
    head_hash: str | None  # None: an empty record (or a missing chain head, which the verdict names)

    def session_records(self, session_id: str) -> tuple[StoredRecord, ...]:
        return tuple(r for r in self.records if r.session_id == session_id)

    def session_ids(self) -> tuple[str, ...]:
        """Session ids in the order their first record was written."""
        return tuple(dict.fromkeys(r.session_id for r in self.records))


def snapshot_of(conn: sqlite3.Connection, path: Path) -> RecordSnapshot:
    """Read everything from an open connection (inside the caller's read transaction, if any)."""
    head_row = conn.execute("SELECT seq, hash FROM chain_head").fetchone()
    head = (int(head_row[0]), str(head_row[1])) if head_row is not None else None
    verdict = verify_table(conn, head)
    records: tuple[StoredRecord, ...] = ()
    if verdict.ok:  # read again in the same read transaction: the rows just verified
        rows = conn.execute(f"{SELECT_RECORDS} ORDER BY seq")
        records = tuple(StoredRecord._from_row(row) for row in rows)
    head_seq, head_hash = head if head is not None else (0, None)
    return RecordSnapshot(path, records, verdict, head_seq, head_hash if head_seq else None)


def read_snapshot(data_dir: Path) -> RecordSnapshot:
    """The record in `data_dir`, read-only; raises StoreError when the file cannot be opened or read.

    The records are only parsed when the chain is intact (a broken chain is reported by the verdict).
    """
    path = data_dir / RECORD_FILE_NAME
    if not path.is_file():
        return RecordSnapshot(path, (), ChainVerdict(True, 0, None, None), 0, None)
    # `immutable` when no -wal exists (nothing is left beside the record), else `mode=ro` through the WAL.
    conn = open_read_only(path)
    try:
        with contextlib.closing(conn):
            conn.execute("BEGIN")
            return snapshot_of(conn, path)
    except (sqlite3.Error, ValueError) as exc:
        # ValueError: a payload that is not JSON, which only a hand-edited file can hold.
        raise StoreError(f"The record could not be read: {exc}") from exc
    finally:
        # A read-only reader of a WAL file may leave its sidecars behind: they hold record data too.
        restrict_sidecars(path)
