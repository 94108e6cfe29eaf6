"""The one SQLite connection factory: private file, WAL + synchronous=FULL, and proof that the pragmas took.

Every connection to the record goes through `open_connection`, so the durability settings cannot be
forgotten. Each pragma is read back after it is set: `PRAGMA journal_mode=WAL` issued inside an open
transaction quietly answers `delete` and WAL is never switched on, so trusting the statement is not enough.
"""

import contextlib
import os
import sqlite3
from pathlib import Path

from ketamine_desktop.store.paths import environment_problem

# Long enough to ride out a reader's checkpoint; short enough that a stuck second writer shows an error.
BUSY_TIMEOUT_MS = 5000

# (pragma, value set, value it must read back as). Order matters: WAL first, while nothing else is open.
_PRAGMAS: tuple[tuple[str, str, str], ...] = (
    ("journal_mode", "WAL", "wal"),
    ("synchronous", "FULL", "2"),
    ("foreign_keys", "ON", "1"),
    ("busy_timeout", str(BUSY_TIMEOUT_MS), str(BUSY_TIMEOUT_MS)),
)


class StoreError(Exception):
    """A problem with the record store; `str(error)` is a message fit to show the user."""


def open_connection(path: Path) -> sqlite3.Connection:
    """Open (creating it 0600 if needed) the SQLite file at `path`, configured and verified.

    The connection is in autocommit mode (`isolation_level=None`): the store issues BEGIN IMMEDIATE and
    COMMIT itself, so Python's sqlite3 never opens or commits a transaction behind its back.
    """
    try:
        _create_private(path)
    except OSError as exc:
        raise StoreError(environment_problem(path.parent, path, exc)) from exc
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise StoreError(f"Cannot open the record file {path}: {exc}") from exc
    try:
        _configure(conn)
    except BaseException:
        conn.close()
        raise
    restrict_sidecars(path)
    return conn


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that can only read the record at `path` and leaves no trace beside it.

    With no `-wal` file beside the record, no writer has it open (a WAL writer keeps its `-wal`), so the
    file is read as `immutable`: SQLite then creates no `-wal` or `-shm` file (plain `mode=ro` would, and
    leave them). With a `-wal` (a running app, or one that crashed) the record is read with `mode=ro`
    through the WAL, whose committed records would otherwise be missed. Raises StoreError.
    """
    has_wal = Path(f"{path}-wal").exists()
    query = "mode=ro" if has_wal else "mode=ro&immutable=1"
    uri = f"{path.resolve().as_uri()}?{query}"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute("PRAGMA query_only=ON")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    except sqlite3.Error as exc:
        raise StoreError(f"Cannot read the record file {path}: {exc}") from exc
    return conn


def _create_private(path: Path) -> None:
    # Create the file ourselves so that it never exists, even for an instant, with the umask's mode.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    # An existing file, or a restrictive umask, is brought to exactly 0600 (on Windows only the
    # read-only bit is affected, and 0600 leaves it writable).
    os.chmod(path, 0o600)


def restrict_sidecars(path: Path) -> None:
    """Bring SQLite's -wal and -shm files, when present, to mode 0600 (they hold record data too)."""
    for suffix in ("-wal", "-shm"):
        # The sidecar may vanish between the check and the chmod when another connection closes.
        with contextlib.suppress(FileNotFoundError):
            os.chmod(f"{path}{suffix}", 0o600)


def rollback_quietly(conn: sqlite3.Connection) -> None:
    """Roll back the open transaction, if SQLite has not already done so.

    Some errors (disk full, I/O error) make SQLite roll back by itself; a second ROLLBACK would then
    raise and hide the error that matters. A failing ROLLBACK is suppressed for the same reason.
    """
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def _configure(conn: sqlite3.Connection) -> None:
    """Set the durability pragmas on `conn` and read each one back; raise `StoreError` if any did not take."""
    if conn.in_transaction:
        # journal_mode and foreign_keys are silently ignored inside a transaction.
        raise StoreError("Refusing to configure the record file inside an open transaction.")
    try:
        for name, value, expected in _PRAGMAS:
            conn.execute(f"PRAGMA {name}={value}")
            got = str(conn.execute(f"PRAGMA {name}").fetchone()[0]).lower()
            if got != expected:
                raise StoreError(
                    f"The record file could not be made safe: {name} is {got!r}, expected {expected!r}."
                )
    except sqlite3.Error as exc:
        raise StoreError(f"The record file could not be opened: {exc}") from exc
