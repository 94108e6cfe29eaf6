"""RecordStore: the append-only, hash-chained ledger every session, observation and override is written to.

The application's state is derived by replaying records; nothing here updates or deletes one. An append is
one BEGIN IMMEDIATE ... COMMIT transaction (record and chain head together), and `append` returns only
after COMMIT has returned, so a record it returned is on disk (WAL + synchronous=FULL). Any SQLite failure
rolls the transaction back and raises `SaveFailed`; nothing is half-written.
"""

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self

from ketamine_desktop.store.chain import COLUMNS, ChainVerdict, record_hash
from ketamine_desktop.store.connection import StoreError, open_connection, open_read_only, rollback_quietly
from ketamine_desktop.store.paths import RECORD_FILE_NAME, ensure_private_dir, environment_problem
from ketamine_desktop.store.payload import encode_payload
from ketamine_desktop.store.record_check import FILE_SESSION_ID, PREVIOUS_FILE_KIND, set_aside, write_witness
from ketamine_desktop.store.schema import MIGRATIONS, migrate, schema_version
from ketamine_desktop.store.stored_record import SELECT_RECORDS, StoredRecord, verify_connection

if TYPE_CHECKING:
    from ketamine_desktop.store.snapshot import RecordSnapshot

# The kind of the record that closes a session (domain/session.py's RecordKind "session-closed").
CLOSE_KIND = "session-closed"


class SaveFailed(StoreError):
    """An append did not happen; `reason` is SQLite's message (e.g. 'database or disk is full')."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Not saved: {reason}. Nothing was written; the entry can be saved again.")
        self.reason = reason


class RecordReadOnly(SaveFailed):
    """The record was found damaged at open and is read-only: nothing is appended to it."""

    def __init__(self, reason: str) -> None:
        StoreError.__init__(
            self,
            f"Not saved: the record is open read-only because it is damaged ({reason}). Start a new record "
            "file to go on recording; your entries are kept until then.",
        )
        self.reason = reason


class RecordBeingChecked(SaveFailed):
    """The record is open before its open-time check has finished (`RecordStore.open_unchecked`): nothing
    is appended until the check has passed and the record is opened for writing."""

    def __init__(self) -> None:
        StoreError.__init__(
            self,
            "Not saved yet: the record is still being checked. Nothing was written; your entry is kept.",
        )
        self.reason = "the record is still being checked"


class InvalidRecord(StoreError):
    """An append was refused before touching the file: a required field is missing or malformed."""


def utc_text(moment: datetime) -> str:
    """ISO 8601 UTC with microseconds and 'Z', e.g. 2026-11-21T08:00:00.000000Z; `moment` must be aware."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidRecord("The time of a record must carry its time zone.")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


class RecordStore:
    """The record in one data directory, through one writer connection.

    Not thread-safe: use it from one thread. One running instance per data directory is the job of
    `InstanceLock`, which the application takes before opening the store.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        *,
        read_only_because: str | None = None,
        checking: bool = False,
    ) -> None:
        self._conn = conn
        self.path = path
        self._batch = False
        # Opened before its open-time check has finished (`open_unchecked`): read-only, appends refused.
        self.checking = checking
        # Set when the open-time check found the record damaged: appends are refused with this reason.
        self.read_only_because = read_only_because
        # Sentences about what happened to the record file while open (a vanished WAL), for the user.
        self.warnings: list[str] = []

    @classmethod
    def open_read_only(cls, data_dir: Path, reason: str) -> "RecordStore":
        """The damaged record in `data_dir`, readable, never written; appends raise RecordReadOnly."""
        path = data_dir / RECORD_FILE_NAME
        if path.exists() and path.stat().st_size > 0:
            conn = open_read_only(path)
            try:
                if schema_version(conn) == len(MIGRATIONS):
                    return cls(conn, path, read_only_because=reason)
            except sqlite3.Error:
                pass
            conn.close()
        # Nothing readable (an emptied or foreign file): an empty record in memory stands in for it.
        conn = sqlite3.connect(":memory:", isolation_level=None)
        migrate(conn)
        return cls(conn, path, read_only_because=reason)

    @classmethod
    def open_unchecked(cls, data_dir: Path) -> "RecordStore":
        """The record in `data_dir` (a file with contents) read-only, before its open-time check has
        finished: for what the first paint needs (whether it is a training record, whether a session is
        open). Appends raise RecordBeingChecked. Replace it once the check is done (`record_access`)."""
        path = data_dir / RECORD_FILE_NAME
        return cls(open_read_only(path), path, checking=True)

    @classmethod
    def start_new_file(
        cls,
        data_dir: Path,
        damage: str,
        *,
        by: str,
        now: datetime,
        library_version: str,
        library_sha256: str,
    ) -> "RecordStore":
        """Set the damaged record aside (renamed, unchanged) and open a new one whose first record names
        it and says why. Returns the new store, ready for writing."""
        broken = set_aside(data_dir, now)
        store = cls.open(data_dir)
        try:
            store.append(
                FILE_SESSION_ID,
                PREVIOUS_FILE_KIND,
                {"previous_file": broken.name, "reason": damage},
                recorded_by=by,
                recorded_at=now,
                library_version=library_version,
                library_sha256=library_sha256,
            )
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def open(cls, data_dir: Path) -> "RecordStore":
        """Open (creating if needed: directory 0700, file 0600) and migrate the record in `data_dir`."""
        try:
            ensure_private_dir(data_dir)
        except OSError as exc:
            raise StoreError(environment_problem(data_dir, data_dir, exc)) from exc
        path = data_dir / RECORD_FILE_NAME
        conn = open_connection(path)
        try:
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    def append(
        self,
        session_id: str,
        kind: str,
        payload: Mapping[str, object],
        *,
        recorded_by: str,
        recorded_at: datetime,
        library_version: str,
        library_sha256: str,
    ) -> StoredRecord:
        """Append one record; return it once COMMIT has returned. Raises SaveFailed (RecordReadOnly when
        the record was found damaged at open) or InvalidRecord."""
        if self.read_only_because is not None:
            raise RecordReadOnly(self.read_only_because)
        if self.checking:
            raise RecordBeingChecked()
        required = {
            "session_id": session_id,
            "kind": kind,
            "recorded_by": recorded_by,
            "library_version": library_version,
        }
        for name, value in required.items():
            _require_text(name, value)
        if len(library_sha256) != 64 or not set(library_sha256) <= set("0123456789abcdef"):
            raise InvalidRecord("The library checksum must be 64 lowercase hexadecimal digits.")
        payload_json = encode_payload(payload)
        at = utc_text(recorded_at)
        if self._batch:
            try:
                return self._insert(
                    session_id, kind, payload_json, recorded_by, at, library_version, library_sha256
                )
            except sqlite3.Error as exc:
                raise SaveFailed(str(exc)) from exc
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                stored = self._insert(
                    session_id, kind, payload_json, recorded_by, at, library_version, library_sha256
                )
                self._commit()
            except BaseException:
                rollback_quietly(self._conn)
                raise
        except sqlite3.Error as exc:
            raise SaveFailed(str(exc)) from exc
        write_witness(self.path.parent, stored.seq, stored.hash)
        self._rescue_vanished_wal()
        return stored

    def _insert(self, *fields: str) -> StoredRecord:
        """Insert one record after the chain head and move the head, inside the caller's transaction."""
        session_id, kind, payload_json, recorded_by, at, library_version, library_sha256 = fields
        head_seq, head_hash = self._conn.execute("SELECT seq, hash FROM chain_head").fetchone()
        seq = head_seq + 1
        values = (seq, session_id, kind, payload_json, recorded_by, at, library_version, library_sha256)
        hash_ = record_hash(head_hash, *values)
        self._conn.execute(
            f"INSERT INTO records ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
            (*values, head_hash, hash_),
        )
        self._conn.execute("UPDATE chain_head SET seq = ?, hash = ?", (seq, hash_))
        return StoredRecord._from_row((*values, head_hash, hash_))

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Appends made inside are one transaction, committed when the block ends (or none of them is, on
        an exception). For writing a whole training record at once (`ketamine-desktop demo`): an append
        inside returns before its commit, so nothing that tells a user "saved" may use this."""
        if self._batch:
            raise StoreError("batches do not nest")
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise SaveFailed(str(exc)) from exc
        self._batch = True
        try:
            yield
            self._commit()
            head_seq, head_hash = self._conn.execute("SELECT seq, hash FROM chain_head").fetchone()
            write_witness(self.path.parent, head_seq, head_hash)
        except BaseException:
            rollback_quietly(self._conn)
            raise
        finally:
            self._batch = False

    def _rescue_vanished_wal(self) -> None:
        """A `-wal` file deleted while the app runs leaves SQLite writing to a file nobody can find again:
        a crash would lose every record since the last checkpoint. Copy them into the record file now
        (a checkpoint reads the open, deleted WAL) and start a new WAL by reopening, and say so."""
        if Path(f"{self.path}-wal").exists():
            return
        try:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()
            self._conn = open_connection(self.path)
        except (sqlite3.Error, StoreError) as exc:
            self.warnings.append(
                f"The record's -wal file was deleted while the app was running and the records could not "
                f"be secured ({exc}). Do not close the app; call IT."
            )
            return
        self.warnings.append(
            f"The record's -wal file ({self.path.name}-wal) was deleted while the app was running. Every "
            "record saved so far was copied into the record file and a new -wal file was started: nothing "
            f"was lost. Find out what deletes files in {self.path.parent}."
        )

    def _commit(self) -> None:
        # A seam for fault-injection tests: they replace it with one that raises like a failing disk.
        self._conn.execute("COMMIT")

    def records(self, session_id: str | None = None) -> tuple[StoredRecord, ...]:
        """All records, or one session's, in seq order."""
        with self._reading():
            if session_id is None:
                rows = self._conn.execute(f"{SELECT_RECORDS} ORDER BY seq")
            else:
                rows = self._conn.execute(
                    f"{SELECT_RECORDS} WHERE session_id = ? ORDER BY seq", (session_id,)
                )
            return tuple(StoredRecord._from_row(row) for row in rows)

    def sessions(self) -> tuple[str, ...]:
        """Session ids in the order their first record was written."""
        with self._reading():
            rows = self._conn.execute(
                "SELECT session_id FROM records WHERE session_id != ? GROUP BY session_id ORDER BY MIN(seq)",
                (FILE_SESSION_ID,),
            )
            return tuple(row[0] for row in rows)

    def seq_of_hash(self, hash_: str) -> int | None:
        """The seq of the record with this hash, if any (the hash column is unique: an index lookup)."""
        with self._reading():
            row = self._conn.execute("SELECT seq FROM records WHERE hash = ?", (hash_,)).fetchone()
            return None if row is None else int(row[0])

    def last_session(self) -> str | None:
        """The session of the last record written (sessions follow one another): one index lookup."""
        with self._reading():
            row = self._conn.execute("SELECT session_id FROM records ORDER BY seq DESC LIMIT 1").fetchone()
            return None if row is None else str(row[0])

    def session_open(self) -> bool:
        """Whether the last session has not been closed (its last record is not its close): one lookup."""
        with self._reading():
            row = self._conn.execute("SELECT kind FROM records ORDER BY seq DESC LIMIT 1").fetchone()
            return row is not None and row[0] != CLOSE_KIND

    def session_prefixes(self, prefix: str) -> tuple[bool, bool]:
        """(whether some session id starts with `prefix`, whether some does not): index range lookups, so
        it costs the same for ten records as for a hundred thousand. `prefix` must be non-empty ASCII."""
        if not prefix or not prefix.isascii():
            raise ValueError("prefix: non-empty ASCII text")
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)  # the first text after every one with the prefix
        exists = "SELECT EXISTS (SELECT 1 FROM records WHERE {})"
        with self._reading():
            inside = self._conn.execute(exists.format("session_id >= ? AND session_id < ?"), (prefix, upper))
            with_prefix = bool(inside.fetchone()[0])
            outside = self._conn.execute(exists.format("session_id < ? OR session_id >= ?"), (prefix, upper))
            return with_prefix, bool(outside.fetchone()[0])

    def verify(self) -> ChainVerdict:
        """Verify the hash chain and the chain head."""
        with self._reading():
            # One read transaction, so an append cannot slip between reading the head and the rows.
            self._conn.execute("BEGIN")
            try:
                return verify_connection(self._conn)
            finally:
                rollback_quietly(self._conn)  # nothing was written; ending the read is all this does

    def head(self) -> tuple[int, str]:
        """(seq, hash) of the chain head: the number of records and the hash that stands for them all."""
        with self._reading():
            seq, hash_ = self._conn.execute("SELECT seq, hash FROM chain_head").fetchone()
            return int(seq), str(hash_)

    def snapshot(self) -> "RecordSnapshot":
        """Every record, the chain's verdict and its head, read in one read transaction (for exports)."""
        from ketamine_desktop.store.snapshot import snapshot_of

        with self._reading():
            self._conn.execute("BEGIN")
            try:
                return snapshot_of(self._conn, self.path)
            finally:
                rollback_quietly(self._conn)  # nothing was written; ending the read is all this does

    def integrity_check(self) -> str:
        """SQLite's own check of the file's structure: 'ok', or its findings one per line."""
        with self._reading():
            return "\n".join(str(row[0]) for row in self._conn.execute("PRAGMA integrity_check"))

    def backup_to(self, path: Path) -> None:
        """A consistent copy of the record at `path` (mode 0600), taken with SQLite's online backup."""
        with self._reading():
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
            os.chmod(path, 0o600)
            with contextlib.closing(sqlite3.connect(path)) as target:
                self._conn.backup(target)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        # Callers (the GUI, the CLI) handle StoreError; a raw sqlite3 error would escape them.
        try:
            yield
        except (sqlite3.Error, OSError, ValueError) as exc:
            # ValueError: a payload that is not JSON, which only a hand-edited file can hold.
            raise StoreError(f"The record could not be read: {exc}") from exc


def _require_text(name: str, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRecord(f"{name} is required.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidRecord(f"{name} contains text that is not valid Unicode.") from exc
