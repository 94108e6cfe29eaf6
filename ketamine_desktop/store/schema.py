"""The record's schema: an append-only `records` ledger and its `chain_head`, versioned by `user_version`.

Migrations are an ordered tuple; migration N (1-based) takes the file from `user_version` N-1 to N in one
transaction, statement by statement. `executescript()` is never used: it commits whatever transaction is
pending, which would break the one-transaction-per-migration guarantee.
"""

import sqlite3
from collections.abc import Sequence

from ketamine_desktop.store.chain import GENESIS_HASH
from ketamine_desktop.store.connection import StoreError, rollback_quietly

Migration = tuple[str, ...]

_HEX64 = "length({col}) = 64 AND {col} NOT GLOB '*[^0-9a-f]*'"

# The CHECKs are the last line of defence behind the store's own validation (recipe 19): a row without a
# user, a UTC time or the library's version and checksum cannot exist, whatever code path writes it.
# recorded_at_utc uses GLOB rather than LIKE: GLOB is case-sensitive and checks digits, so only
# "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" passes.
_V1: Migration = (
    f"""CREATE TABLE records (
        seq INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL CHECK (length(session_id) > 0),
        kind TEXT NOT NULL CHECK (length(kind) > 0),
        payload TEXT NOT NULL CHECK (json_valid(payload) AND json_type(payload) = 'object'),
        recorded_by TEXT NOT NULL CHECK (length(trim(recorded_by)) > 0),
        recorded_at_utc TEXT NOT NULL CHECK (recorded_at_utc GLOB
            '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'),
        library_version TEXT NOT NULL CHECK (length(trim(library_version)) > 0),
        library_sha256 TEXT NOT NULL CHECK ({_HEX64.format(col="library_sha256")}),
        prev_hash TEXT NOT NULL CHECK ({_HEX64.format(col="prev_hash")}),
        hash TEXT NOT NULL UNIQUE CHECK ({_HEX64.format(col="hash")})
    )""",
    "CREATE INDEX records_by_session ON records (session_id, seq)",
    """CREATE TRIGGER records_no_update BEFORE UPDATE ON records
        BEGIN SELECT RAISE(ABORT, 'records are append-only: update refused'); END""",
    """CREATE TRIGGER records_no_delete BEFORE DELETE ON records
        BEGIN SELECT RAISE(ABORT, 'records are append-only: delete refused'); END""",
    # The last record's seq and hash, kept apart from the chain so that losing the tail is detectable.
    """CREATE TABLE chain_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
    )""",
    f"INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '{GENESIS_HASH}')",
    """CREATE TRIGGER chain_head_forward_only BEFORE UPDATE ON chain_head WHEN NEW.seq <= OLD.seq
        BEGIN SELECT RAISE(ABORT, 'chain head only moves forward'); END""",
    """CREATE TRIGGER chain_head_no_delete BEFORE DELETE ON chain_head
        BEGIN SELECT RAISE(ABORT, 'chain head cannot be deleted'); END""",
)

MIGRATIONS: tuple[Migration, ...] = (_V1,)


def schema_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> None:
    """Bring the file up to date, one transaction per migration; refuse a file from a newer version."""
    try:
        current = schema_version(conn)
        if current > len(migrations):
            raise StoreError(
                f"The record file is from a newer version of the application (schema {current}, "
                f"this version knows up to {len(migrations)}). Use the newer version."
            )
        for version, statements in enumerate(migrations[current:], start=current + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements:
                    conn.execute(statement)
                # user_version lives in the file header and is part of this transaction.
                conn.execute(f"PRAGMA user_version = {version}")
                conn.execute("COMMIT")
            except BaseException:
                rollback_quietly(conn)
                raise
    except sqlite3.Error as exc:
        raise StoreError(f"The record file could not be prepared: {exc}") from exc
