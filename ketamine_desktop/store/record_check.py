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
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ketamine_desktop.store.chain import ChainVerdict
from ketamine_desktop.store.connection import StoreError, open_read_only
from ketamine_desktop.store.paths import RECORD_FILE_NAME, WITNESS_FILE_NAME
from ketamine_desktop.store.stored_record import verify_connection

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
    found_at_seq: int | None = None  # the record whose hash is `check_record`'s `find_hash` (intact chain)

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


def check_record(data_dir: Path, *, thorough: bool = True, find_hash: str | None = None) -> RecordCheck:
    """Verify the record in `data_dir` without writing anything (no file is created or changed).

    `thorough`: SQLite's full `integrity_check` (verify-record); the app's start uses `quick_check`, which
    skips the index cross-checks and costs a fraction of it on a large record. SQLite's check runs in a
    second thread, on a connection of its own, while this one walks the hash chain (both spend most of
    their time in SQLite and hashlib, which release the GIL). `find_hash`: look up the record holding this
    hash too (`found_at_seq`), in the same read, when the chain is intact."""
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
    beside: _IntegrityBeside | None = None
    try:
        try:
            conn.execute("BEGIN")
            if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
                # No schema in the file: everything was in a -wal that is gone, or it is not ours.
                return RecordCheck(
                    path, intact, integrity_text(conn, thorough), None, witness, _no_schema(path, witness)
                )
            beside = _IntegrityBeside(path, thorough)
            verdict = verify_connection(conn)
            head_row = conn.execute("SELECT seq, hash FROM chain_head").fetchone()
            head = (int(head_row[0]), str(head_row[1])) if head_row is not None else None
            found = None
            if find_hash is not None and verdict.ok:
                row = conn.execute("SELECT seq FROM records WHERE hash = ?", (find_hash,)).fetchone()
                found = None if row is None else int(row[0])
            integrity = beside.result()
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
        if beside is not None:
            beside.join()
        conn.close()
    return RecordCheck(path, verdict, integrity, head, witness, damage, found)


class _IntegrityBeside:
    """`integrity_text` of the record at `path`, computed in a thread of its own on its own read-only
    connection (a connection belongs to the thread that made it). `result` waits for it and raises what
    it raised."""

    def __init__(self, path: Path, thorough: bool) -> None:
        self._outcome: str | BaseException = "not checked"
        self._thread = threading.Thread(
            target=self._run, args=(path, thorough), name="record-integrity-check", daemon=True
        )
        self._thread.start()

    def _run(self, path: Path, thorough: bool) -> None:
        try:
            conn = open_read_only(path)
            try:
                self._outcome = integrity_text(conn, thorough)
            finally:
                conn.close()
        except BaseException as exc:  # handed to the thread that asks for the result
            self._outcome = exc

    def join(self) -> None:
        self._thread.join()

    def result(self) -> str:
        self.join()
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome


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
