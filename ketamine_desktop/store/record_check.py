"""The record is checked before anything is written to it (issue 13).

At every open the whole chain is verified (read-only, so a damaged file is never touched), and compared
with the witness: the last chain head this installation saw (`record.head` beside the record, written
after every commit). A broken chain, a record shorter than the witness (a deleted tail, a lost WAL, an
emptied file) or one whose record at the witness's seq has another hash (a rewrite) is damage: the app
then opens the record read-only and offers a new record file that names the broken one.

The witness is no secret: whoever rewrites the record can rewrite it too. It catches accidents and the
careless hand; the head hash printed on every handover and export (`verify-record --expect-head`) is what
catches a careful rewrite.
"""

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ketamine_desktop.store.chain import ChainVerdict
from ketamine_desktop.store.connection import StoreError, open_read_only
from ketamine_desktop.store.paths import RECORD_FILE_NAME, WITNESS_FILE_NAME

# The records that belong to the record file itself, not to a session (a new file naming a broken one).
FILE_SESSION_ID = "record-file"
PREVIOUS_FILE_KIND = "previous-record-file"


@dataclass(frozen=True, slots=True)
class RecordCheck:
    """What the open-time check found. `damage` is None when the record may be written to."""

    path: Path
    verdict: ChainVerdict
    integrity: str
    head: tuple[int, str] | None  # the record's own chain head (seq, hash), when readable
    witness: tuple[int, str] | None  # the last head this installation saw
    damage: str | None  # what is wrong, where, since when: a sentence for the user

    @property
    def ok(self) -> bool:
        return self.damage is None


def read_witness(data_dir: Path) -> tuple[int, str] | None:
    try:
        text = (data_dir / WITNESS_FILE_NAME).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None
    parts = text.split()
    if len(parts) != 2 or not parts[0].isdigit() or len(parts[1]) != 64:
        return None
    return int(parts[0]), parts[1]


def write_witness(data_dir: Path, seq: int, hash_: str) -> None:
    """Note the head just committed; best effort (a failure only weakens the next open's check)."""
    target = data_dir / WITNESS_FILE_NAME
    temp = data_dir / (WITNESS_FILE_NAME + ".tmp")
    with contextlib.suppress(OSError):
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(f"{seq} {hash_}\n")
        os.replace(temp, target)


def check_record(data_dir: Path, *, thorough: bool = True) -> RecordCheck:
    """Verify the record in `data_dir` without writing anything (no file is created or changed).

    `thorough`: SQLite's full `integrity_check` (verify-record); the app's start uses `quick_check`, which
    skips the index cross-checks and costs a fraction of it on a large record."""
    from ketamine_desktop.store.record_store import verify_connection

    path = data_dir / RECORD_FILE_NAME
    witness = read_witness(data_dir)
    intact = ChainVerdict(True, 0, None, None)
    if not path.exists():
        damage = None
        if witness is not None and witness[0] > 0:
            damage = (
                f"The record file {path} is missing, but this computer last saw {witness[0]} records in it. "
                "It was deleted or moved."
            )
        return RecordCheck(path, intact, "ok", None, witness, damage)
    if path.stat().st_size == 0:
        seen = f"; this computer last saw {witness[0]} records in it" if witness and witness[0] else ""
        damage = f"The record file {path} is empty (0 bytes){seen}. It was emptied or truncated."
        empty = ChainVerdict(False, 0, None, "the record file is empty")
        return RecordCheck(path, empty, "ok", None, witness, damage)
    conn = open_read_only(path)
    try:
        try:
            conn.execute("BEGIN")
            if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
                # No schema in the file: everything was in a -wal that is gone, or it is not ours.
                return RecordCheck(
                    path, intact, integrity_text(conn), None, witness, _no_schema(path, witness)
                )
            integrity = integrity_text(conn)
            verdict = verify_connection(conn)
            head_row = conn.execute("SELECT seq, hash FROM chain_head").fetchone()
            head = (int(head_row[0]), str(head_row[1])) if head_row is not None else None
            damage = _damage(conn, path, verdict, integrity, head, witness)
        except sqlite3.Error as exc:
            return RecordCheck(
                path,
                ChainVerdict(False, 0, None, f"the record could not be read: {exc}"),
                "not checked",
                None,
                witness,
                f"The record file {path} cannot be read as a record ({exc}).",
            )
    finally:
        conn.close()
    return RecordCheck(path, verdict, integrity, head, witness, damage)


def _no_schema(path: Path, witness: tuple[int, str] | None) -> str | None:
    if witness is None or witness[0] == 0:
        return None  # a file created and never written: nothing was ever recorded in it
    return (
        f"The record file {path} holds no records, but this computer last saw {witness[0]}: records 1 to "
        f"{witness[0]} are gone (a lost -wal file, or the file was replaced)."
    )


def integrity_text(conn: sqlite3.Connection, thorough: bool = True) -> str:
    """SQLite's own check of the file's structure: 'ok', or its findings one per line."""
    pragma = "integrity_check" if thorough else "quick_check"
    return "\n".join(str(row[0]) for row in conn.execute(f"PRAGMA {pragma}"))


def _damage(
    conn: sqlite3.Connection,
    path: Path,
    verdict: ChainVerdict,
    integrity: str,
    head: tuple[int, str] | None,
    witness: tuple[int, str] | None,
) -> str | None:
    if integrity != "ok":
        return f"The record file {path} is damaged (SQLite integrity check: {integrity.splitlines()[0]})."
    if not verdict.ok:
        where = f" at record {verdict.first_bad_seq}" if verdict.first_bad_seq is not None else ""
        return f"The record file {path} fails its hash chain{where}: {verdict.reason}.{_since(conn, verdict)}"
    if witness is None or head is None:
        return None
    seen_seq, seen_hash = witness
    if head[0] < seen_seq:
        return (
            f"The record file {path} holds {head[0]} records, but this computer last saw {seen_seq}: "
            f"records {head[0] + 1} to {seen_seq} are gone (a deleted tail, or a lost -wal file)."
            f"{_last_written(conn, head[0])}"
        )
    if seen_seq > 0:
        row = conn.execute("SELECT hash FROM records WHERE seq = ?", (seen_seq,)).fetchone()
        if row is None or row[0] != seen_hash:
            return (
                f"The record file {path} was rewritten: its record {seen_seq} is not the one this computer "
                "saved (its hashes were recomputed)."
            )
    return None


def _since(conn: sqlite3.Connection, verdict: ChainVerdict) -> str:
    return _last_written(conn, verdict.checked)


def _last_written(conn: sqlite3.Connection, seq: int) -> str:
    """'The last intact record is N, written at T by U.' (since when the record can be trusted)."""
    if seq <= 0:
        return " No record before it can be trusted."
    row = conn.execute("SELECT recorded_at_utc, recorded_by FROM records WHERE seq = ?", (seq,)).fetchone()
    if row is None:
        return ""
    return f" The last intact record is {seq}, written at {row[0]} by {row[1]}."


def broken_file_name(now: datetime) -> str:
    return f"record.broken-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.sqlite3"


def set_aside(data_dir: Path, now: datetime) -> Path:
    """Rename the damaged record (and its -wal/-shm, and the witness) out of the way; returns its new path.

    Nothing inside it is changed: it stays as evidence, named in the new record's first entry."""
    path = data_dir / RECORD_FILE_NAME
    target = data_dir / broken_file_name(now)
    try:
        if path.exists():
            os.replace(path, target)
        for suffix in ("-wal", "-shm"):
            side = Path(f"{path}{suffix}")
            if side.exists():
                os.replace(side, Path(f"{target}{suffix}"))
        with contextlib.suppress(FileNotFoundError):
            os.replace(data_dir / WITNESS_FILE_NAME, data_dir / (target.name + ".head"))
    except OSError as exc:
        raise StoreError(f"The damaged record file could not be set aside: {exc}") from exc
    return target
