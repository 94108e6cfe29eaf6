"""The SHA-256 hash chain that makes the record tamper-evident.

Each record's hash covers the previous record's hash and every one of its own columns, so editing any
field, deleting, swapping or inserting a record breaks the chain at that record. A chain alone cannot show
that its tail was cut off, so the store also keeps the head (last seq and hash) in a separate table, updated
in the same transaction as each append, and `verify_chain` compares the two.

What this does not do: the chain has no secret, so someone who rewrites the file and recomputes every hash
and the head is not detected. Detecting that needs the head hash kept somewhere else (printed, exported).
"""

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

GENESIS_HASH = "0" * 64

# Column order of the rows `verify_chain` reads (the order of the `records` table).
COLUMNS = (
    "seq",
    "session_id",
    "kind",
    "payload",
    "recorded_by",
    "recorded_at_utc",
    "library_version",
    "library_sha256",
    "prev_hash",
    "hash",
)

# Names the encoding, so that a future change of what is hashed cannot collide with this one.
_DOMAIN = "ketamine-desktop/record/v1"


@dataclass(frozen=True, slots=True)
class ChainVerdict:
    """The outcome of a verification.

    `checked` counts the records found intact before the first failure (all of them when `ok`).
    `first_bad_seq` is the seq of the first record that fails (for a missing record, the seq it should
    have had); None when `ok`, or when the failure is not tied to one record (a missing chain head).
    """

    ok: bool
    checked: int
    first_bad_seq: int | None
    reason: str | None


def _digest(fields: Sequence[object]) -> str:
    # A JSON array is unambiguous: strings are quoted and escaped, so no choice of field values can make
    # two different records encode alike. The payload is hashed as the exact text stored.
    material = json.dumps([_DOMAIN, *fields], ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


# The same material built by SQLite, for every row of the table in one statement: `json_array` quotes
# text as `json.dumps(ensure_ascii=False)` does (the same escapes, lowercase \u00xx, no others) and writes
# the integer seq as digits; CAST AS BLOB hands over its UTF-8 bytes. Python then only hashes them
# (hashlib, in C) and compares: no field is decoded, escaped or encoded per record. A row whose bytes do
# not hash to its hash is decided by `_digest` itself, so an SQLite that escaped some character another
# way would cost time, never a verdict. A blob (written by hand: our writer stores text) cannot go into
# JSON and fails the statement; the rows from the last one checked are then walked as `verify_chain` does.
_MATERIAL_SELECT = (
    "SELECT seq, prev_hash, hash, CAST(json_array(?, prev_hash, seq, session_id, kind, payload, "
    "recorded_by, recorded_at_utc, library_version, library_sha256) AS BLOB) FROM records ORDER BY seq"
)
_ROWS = f"SELECT {', '.join(COLUMNS)} FROM records"


def record_hash(
    prev_hash: str,
    seq: int,
    session_id: str,
    kind: str,
    payload_json: str,
    recorded_by: str,
    recorded_at_utc: str,
    library_version: str,
    library_sha256: str,
) -> str:
    """The hex SHA-256 of one record, chained to `prev_hash` (GENESIS_HASH for the first record)."""
    fields = (prev_hash, seq, session_id, kind, payload_json, recorded_by, recorded_at_utc)
    return _digest((*fields, library_version, library_sha256))


def verify_chain(rows: Iterable[Sequence[object]], head: tuple[int, str] | None) -> ChainVerdict:
    """Check rows (in COLUMNS order, by ascending seq) against each other and against the stored head.

    `head` is the (seq, hash) from `chain_head`; None means the head row is missing, which fails.
    """
    walked = _walk_rows(rows, 1, GENESIS_HASH)
    return walked if isinstance(walked, ChainVerdict) else _against_head(*walked, head)


def verify_table(conn: sqlite3.Connection, head: tuple[int, str] | None) -> ChainVerdict:
    """`verify_chain` over the `records` table open on `conn`, to the same verdict, with the hash
    material built by SQLite (`_MATERIAL_SELECT`): about a third of the time on a large record."""
    expected_seq = 1
    expected_prev = GENESIS_HASH
    sha256 = hashlib.sha256
    try:
        for seq, prev, hash_, material in conn.execute(_MATERIAL_SELECT, (_DOMAIN,)):
            if seq != expected_seq or prev != expected_prev:
                return _out_of_line(seq, expected_seq)
            if sha256(material).hexdigest() != hash_:
                failure = _row_by_reference(conn, seq, hash_)
                if failure is not None:
                    return failure
            expected_seq += 1
            expected_prev = hash_
    except sqlite3.OperationalError:
        # A field SQLite cannot put in JSON (a blob): the rows after the last one checked, the slow way
        # (all of them when none was: a row before seq 1 must be seen to be refused).
        if expected_seq == 1:
            rows = conn.execute(f"{_ROWS} ORDER BY seq")
        else:
            rows = conn.execute(f"{_ROWS} WHERE seq >= ? ORDER BY seq", (expected_seq,))
        walked = _walk_rows(rows, expected_seq, expected_prev)
        if isinstance(walked, ChainVerdict):
            return walked
        expected_seq, expected_prev = walked
    return _against_head(expected_seq, expected_prev, head)


def _row_by_reference(conn: sqlite3.Connection, seq: int, hash_: object) -> ChainVerdict | None:
    """The verdict on one row whose SQLite-built material did not match: None when `_digest` (what the
    writer hashed) matches after all."""
    row = conn.execute(f"{_ROWS} WHERE seq = ?", (seq,)).fetchone()
    # No field is a blob here (json_array would have refused the row), but one put there by hand can
    # still be one the writer never stores (an infinite REAL): the same verdict as `_walk_rows` gives.
    try:
        computed = _digest((row[8], *row[:8]))
    except (TypeError, ValueError):
        return ChainVerdict(False, seq - 1, seq, f"record {seq} has a field of the wrong type")
    if computed != hash_:
        return ChainVerdict(False, seq - 1, seq, f"record {seq} was changed: it does not match its hash")
    return None


def _out_of_line(seq: object, expected_seq: int) -> ChainVerdict:
    """A row that is not the next record, or does not link to it (the records before it are intact)."""
    checked = expected_seq - 1
    if seq != expected_seq:
        if isinstance(seq, int) and seq > expected_seq:
            return ChainVerdict(False, checked, expected_seq, f"record {expected_seq} is missing")
        return ChainVerdict(False, checked, expected_seq, f"record {expected_seq} is out of order")
    return ChainVerdict(
        False, checked, expected_seq, f"record {expected_seq} does not link to the record before it"
    )


def _walk_rows(
    rows: Iterable[Sequence[object]], expected_seq: int, expected_prev: str
) -> ChainVerdict | tuple[int, str]:
    """Check full rows from `expected_seq` on: a failure, or the next seq expected and the last hash."""
    for row in rows:
        seq = row[0]
        if seq != expected_seq or row[8] != expected_prev:
            return _out_of_line(seq, expected_seq)
        try:
            computed = _digest((row[8], *row[:8]))
        except (TypeError, ValueError):
            # A field of a type our writer never stores (a blob, say) was put there by hand.
            return ChainVerdict(False, seq - 1, seq, f"record {seq} has a field of the wrong type")
        if computed != row[9]:
            return ChainVerdict(False, seq - 1, seq, f"record {seq} was changed: it does not match its hash")
        expected_seq += 1
        expected_prev = computed
    return expected_seq, expected_prev


def _against_head(expected_seq: int, expected_prev: str, head: tuple[int, str] | None) -> ChainVerdict:
    """The verdict on an intact chain of `expected_seq - 1` records ending in `expected_prev`."""
    last_seq = expected_seq - 1
    if head is None:
        return ChainVerdict(False, last_seq, None, "the chain head is missing")
    head_seq, head_hash = head
    if head_seq > last_seq:
        return ChainVerdict(
            False,
            last_seq,
            last_seq + 1,
            f"the record stops at {last_seq}; records up to {head_seq} are missing from the end",
        )
    if head_seq < last_seq:
        return ChainVerdict(
            False, head_seq, head_seq + 1, f"record {head_seq + 1} was added outside the application"
        )
    if head_hash != expected_prev:
        # Same length, different last hash: the tail was replaced; blame the last record (if any).
        return ChainVerdict(
            False, max(last_seq - 1, 0), last_seq or None, "the last record does not match the chain head"
        )
    return ChainVerdict(True, last_seq, None, None)
