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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring as _escape  # the C escaper json.dumps uses (ensure_ascii=False)
from typing import cast

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


class _FastDigest:
    """`_digest` of a stored row for the verification of a whole record, to the same bytes, faster: the
    JSON array is joined by hand (no encoder set up per record) and the texts that repeat in every
    record (session id, kind, author, library version and checksum) are escaped once each."""

    def __init__(self) -> None:
        self._prefix = "[" + _escape(_DOMAIN) + ","
        self._repeated: dict[str, str] = {}

    def __call__(self, row: Sequence[object]) -> str:
        seq, fields = row[0], tuple(row[1:9])
        if type(seq) is not int or not all(type(field) is str for field in fields):
            return _digest((row[8], *row[:8]))  # the general path says what is wrong with it
        session_id, kind, payload, by, at, version, sha, prev = cast(tuple[str, ...], fields)
        repeated = self._repeated
        if len(repeated) > 10_000:
            repeated.clear()
        escaped: list[str] = []
        for text in (session_id, kind, by, version, sha):
            done = repeated.get(text)
            if done is None:
                done = repeated[text] = _escape(text)
            escaped.append(done)
        session_text, kind_text, by_text, version_text, sha_text = escaped
        material = ",".join(
            (
                self._prefix + _escape(prev),
                str(seq),
                session_text,
                kind_text,
                _escape(payload),
                by_text,
                _escape(at),
                version_text,
                sha_text,
            )
        )
        return hashlib.sha256((material + "]").encode("utf-8")).hexdigest()


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
    expected_seq = 1
    expected_prev = GENESIS_HASH
    digest = _FastDigest()
    for checked, row in enumerate(rows):
        seq = row[0]
        if seq != expected_seq:
            if isinstance(seq, int) and seq > expected_seq:
                return ChainVerdict(False, checked, expected_seq, f"record {expected_seq} is missing")
            return ChainVerdict(False, checked, expected_seq, f"record {expected_seq} is out of order")
        if row[8] != expected_prev:
            return ChainVerdict(False, checked, seq, f"record {seq} does not link to the record before it")
        try:
            computed = digest(row)
        except (TypeError, ValueError):
            # A field of a type our writer never stores (a blob, say) was put there by hand.
            return ChainVerdict(False, checked, seq, f"record {seq} has a field of the wrong type")
        if computed != row[9]:
            return ChainVerdict(False, checked, seq, f"record {seq} was changed: it does not match its hash")
        expected_seq += 1
        expected_prev = computed
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
