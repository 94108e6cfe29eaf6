"""What every export starts from: the record verified first, then one session folded from it.

`load_session` refuses a record whose hash chain is broken (`ChainBroken`, naming the first bad record):
nothing is exported from a record that may have been changed. It never writes: the CLI reads a read-only
snapshot (`store.snapshot.read_snapshot`), the window one taken from its own connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.session import SessionRecord, SessionState, parse_record, session_state
from ketamine_desktop.domain.training import TRAINING_PREFIX  # the demo command's session ids
from ketamine_desktop.store.snapshot import RecordSnapshot
from ketamine_desktop.store.stored_record import StoredRecord

__all__ = ["ChainBroken", "ExportSource", "NoSuchSession", "is_training_session", "load_session"]


class ChainBroken(Exception):
    """The record's hash chain does not verify: nothing may be exported from it."""

    def __init__(self, first_bad_seq: int | None, reason: str | None) -> None:
        where = f"record {first_bad_seq}" if first_bad_seq is not None else "the record"
        super().__init__(f"the record's hash chain is broken at {where}: {reason}; nothing was exported")
        self.first_bad_seq = first_bad_seq
        self.reason = reason


class NoSuchSession(Exception):
    """The session asked for is not in the record (or the record holds none)."""


def is_training_session(session_id: str) -> bool:
    return session_id.startswith(TRAINING_PREFIX)


@dataclass(frozen=True)
class ExportSource:
    """One session of a verified record, with what identifies the record as a whole."""

    snapshot: RecordSnapshot
    session_id: str
    stored: tuple[StoredRecord, ...]  # the session's records as stored (for CSV and the hashes)
    parsed: tuple[SessionRecord, ...]
    state: SessionState
    library: Library

    @property
    def head_hash(self) -> str:
        return self.snapshot.head_hash or ""

    @property
    def record_count(self) -> int:
        return self.snapshot.head_seq

    @property
    def training(self) -> bool:
        return is_training_session(self.session_id)

    @property
    def last_recorded_at(self) -> datetime:
        return self.stored[-1].recorded_at


def load_session(snapshot: RecordSnapshot, library: Library, session_id: str | None) -> ExportSource:
    """The session `session_id` (None: the latest started) of a verified record.

    Raises ChainBroken, NoSuchSession, or CorruptRecord (domain) for a record the fold cannot read.
    """
    verdict = snapshot.verdict
    if not verdict.ok:
        raise ChainBroken(verdict.first_bad_seq, verdict.reason)
    ids = snapshot.session_ids()
    if not ids:
        raise NoSuchSession("the record holds no session")
    chosen = ids[-1] if session_id is None else session_id
    if chosen not in ids:
        raise NoSuchSession(f"no session {chosen!r} in the record (see the sessions command)")
    stored = snapshot.session_records(chosen)
    parsed = tuple(parse_record(r.seq, r.kind, r.payload, r.recorded_by, r.recorded_at) for r in stored)
    return ExportSource(
        snapshot=snapshot,
        session_id=chosen,
        stored=stored,
        parsed=parsed,
        state=session_state(library, chosen, parsed),
        library=library,
    )
