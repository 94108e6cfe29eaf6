"""One record as it is stored, and the chain of stored records verified on an open connection: what the
writer (record_store.py), the read-only snapshot (snapshot.py) and the open-time check (record_check.py)
read alike."""

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ketamine_desktop.store.chain import COLUMNS, ChainVerdict, verify_table
from ketamine_desktop.store.payload import decode_payload

SELECT_RECORDS = f"SELECT {', '.join(COLUMNS)} FROM records"


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """One record as stored. `payload` is a fresh dict parsed from `payload_json` (decimals as Decimal);
    equality and hashing go by `payload_json`, which determines it (a dict is not hashable)."""

    seq: int
    session_id: str
    kind: str
    payload: dict[str, object] = field(compare=False)
    payload_json: str
    recorded_by: str
    recorded_at_utc: str
    library_version: str
    library_sha256: str
    prev_hash: str
    hash: str

    @property
    def recorded_at(self) -> datetime:
        """`recorded_at_utc` as an aware UTC datetime."""
        return datetime.fromisoformat(self.recorded_at_utc)

    @classmethod
    def _from_row(cls, row: Sequence[Any]) -> "StoredRecord":
        seq, session_id, kind, payload_json, by, at, version, sha, prev_hash, hash_ = row
        payload = decode_payload(payload_json)
        return cls(seq, session_id, kind, payload, payload_json, by, at, version, sha, prev_hash, hash_)


def verify_connection(conn: sqlite3.Connection) -> ChainVerdict:
    """Verify the hash chain and chain head of the record open on `conn`."""
    head_row = conn.execute("SELECT seq, hash FROM chain_head").fetchone()
    head = (head_row[0], head_row[1]) if head_row is not None else None
    return verify_table(conn, head)
