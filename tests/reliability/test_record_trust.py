"""Attacks on the record (issue 13): the app checks the record before it writes.

Each attack is made with plain sqlite3 or the shell, as a careless or hostile hand would: a value forged, the
tail deleted with the chain head moved, the file emptied, the -wal file deleted while saving. Each must be
found at the next open and said plainly; the record then opens read-only and nothing is appended to it.
`verify-record` must find the same and never write anything.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ketamine_desktop.cli import run
from ketamine_desktop.cli.common import Streams
from ketamine_desktop.store import InstanceLock, RecordStore, SaveFailed, StoreError
from ketamine_desktop.store.record_access import open_record
from ketamine_desktop.store.record_check import FILE_SESSION_ID, check_record

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
SHA = "ab" * 32


def add(store: RecordStore, i: int, spo2: int = 98) -> None:
    store.append(
        "s1",
        "observation",
        {"spo2": spo2, "n": i},
        recorded_by="nurse A",
        recorded_at=T0 + timedelta(minutes=15 * i),
        library_version="1.0.0",
        library_sha256=SHA,
    )


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """A data directory with 20 acknowledged observations, closed as the app leaves it."""
    data_dir = tmp_path / "data"
    with RecordStore.open(data_dir) as store:
        for i in range(20):
            add(store, i)
    return data_dir


def tamper(data_dir: Path, *statements: str) -> None:
    """What anyone with the sqlite3 shell can do: drop the guards and change the file."""
    conn = sqlite3.connect(data_dir / "record.sqlite3", isolation_level=None)
    for trigger in ("records_no_update", "records_no_delete", "chain_head_forward_only"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for statement in statements:
        conn.execute(statement)
    conn.close()


def verify(data_dir: Path) -> tuple[int | None, dict[str, object]]:
    out, err = io.StringIO(), io.StringIO()
    status = run(["verify-record", "--data-dir", str(data_dir), "--json"], Streams(out, err))
    return status, json.loads(out.getvalue())


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def opened_read_only(data_dir: Path) -> str:
    """Open as the app does; it must come back read-only and refuse to append. Returns why."""
    lock, store = open_record(data_dir)
    try:
        reason = store.read_only_because
        assert reason is not None
        with pytest.raises(SaveFailed, match="open read-only because it is damaged"):
            add(store, 99)
        return reason
    finally:
        store.close()
        lock.release()


def test_an_intact_record_opens_for_writing(filled: Path) -> None:
    lock, store = open_record(filled)
    try:
        assert store.read_only_because is None
        add(store, 20)
    finally:
        store.close()
        lock.release()
    assert verify(filled)[0] == 0


def test_a_forged_value_is_found_and_the_record_opens_read_only(filled: Path) -> None:
    tamper(
        filled, "UPDATE records SET payload = replace(payload, '\"spo2\":98', '\"spo2\":85') WHERE seq = 7"
    )
    before = listing(filled)
    reason = opened_read_only(filled)
    assert "fails its hash chain at record 7" in reason and "record 7 was changed" in reason
    assert "The last intact record is 6, written at 2026-11-21T09:15:00.000000Z by nurse A" in reason
    status, report = verify(filled)
    assert status == 1 and report["first_bad_seq"] == 7
    # Nothing was appended: the only file that may change is the lock file's holder line.
    after = listing(filled)
    assert {k: v for k, v in after.items() if k != "instance.lock"} == {
        k: v for k, v in before.items() if k != "instance.lock"
    }


def test_a_deleted_tail_with_the_head_moved_is_found(filled: Path) -> None:
    tamper(
        filled,
        "DELETE FROM records WHERE seq > 17",
        "UPDATE chain_head SET seq = 17, hash = (SELECT hash FROM records WHERE seq = 17)",
    )
    reason = opened_read_only(filled)
    assert "holds 17 records, but this computer last saw 20: records 18 to 20 are gone" in reason
    status, report = verify(filled)
    assert status == 1 and "last saw 20" in str(report["reason"])


def test_a_rewrite_with_recomputed_hashes_is_found_against_the_last_head_seen(filled: Path) -> None:
    from ketamine_desktop.store.chain import GENESIS_HASH, record_hash

    conn = sqlite3.connect(filled / "record.sqlite3", isolation_level=None)
    for trigger in ("records_no_update", "chain_head_forward_only"):
        conn.execute(f"DROP TRIGGER {trigger}")
    rows = conn.execute("SELECT * FROM records ORDER BY seq").fetchall()
    prev = GENESIS_HASH
    for row in rows:
        seq, session, kind, payload, by, at, version, sha, _prev, _hash = row
        if seq == 3:
            by = "nurse B"  # the author rewritten
        new = record_hash(prev, seq, session, kind, payload, by, at, version, sha)
        conn.execute(
            "UPDATE records SET recorded_by = ?, prev_hash = ?, hash = ? WHERE seq = ?", (by, prev, new, seq)
        )
        prev = new
    conn.execute("DROP TRIGGER IF EXISTS chain_head_no_delete")
    conn.execute("UPDATE chain_head SET hash = ?", (prev,))
    conn.close()
    assert "was rewritten: its record 20 is not the one this computer saved" in opened_read_only(filled)
    assert verify(filled)[0] == 1


def test_an_emptied_record_file_is_found_and_verify_creates_nothing(filled: Path) -> None:
    (filled / "record.sqlite3").write_bytes(b"")
    before = listing(filled)
    status, report = verify(filled)
    assert status == 1 and "empty (0 bytes); this computer last saw 20 records" in str(report["reason"])
    assert listing(filled) == before  # no schema written, no -wal, no -shm
    assert "empty (0 bytes)" in opened_read_only(filled)
    assert (filled / "record.sqlite3").stat().st_size == 0


def test_verify_record_never_writes(filled: Path, tmp_path: Path) -> None:
    before = listing(filled)
    assert verify(filled)[0] == 0
    assert listing(filled) == before  # closed record: read immutable, no -wal or -shm left behind
    absent = tmp_path / "nothing-here"
    assert verify(absent)[0] == 0
    assert not absent.exists()


def test_verify_record_reads_a_running_apps_wal(filled: Path) -> None:
    with RecordStore.open(filled) as store:
        add(store, 20)
        status, report = verify(filled)
        assert status == 0 and report["records"] == 21


def test_start_a_new_record_file_that_names_the_broken_one(filled: Path) -> None:
    tamper(filled, "DELETE FROM records WHERE seq = 20")
    damage = check_record(filled).damage
    assert damage is not None
    now = T0 + timedelta(days=1)
    new = RecordStore.start_new_file(
        filled, damage, by="ketamine-desktop", now=now, library_version="1.0.0", library_sha256=SHA
    )
    with new:
        first = new.records()[0]
        assert first.session_id == FILE_SESSION_ID and first.kind == "previous-record-file"
        assert first.payload["previous_file"] == "record.broken-20261122T080000Z.sqlite3"
        assert first.payload["reason"] == damage
        assert new.sessions() == ()  # the file's own record is no session
        add(new, 0)
    assert check_record(filled).ok
    broken = filled / "record.broken-20261122T080000Z.sqlite3"
    assert broken.exists()
    conn = sqlite3.connect(f"{broken.as_uri()}?mode=ro&immutable=1", uri=True)
    assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 19  # kept unchanged
    conn.close()


# --- The -wal file deleted while the app saves ------------------------------------------------------------

_SAVER = """
import os, sys
from datetime import UTC, datetime
from pathlib import Path
from ketamine_desktop.store import RecordStore
data_dir = Path(sys.argv[1])
if sys.argv[2] == "no-rescue":
    RecordStore._rescue_vanished_wal = lambda self: None
store = RecordStore.open(data_dir)
def add(i):
    store.append("s1", "observation", {"n": i}, recorded_by="nurse A", recorded_at=datetime.now(UTC),
                 library_version="1.0.0", library_sha256="ab" * 32)
for i in range(10):
    add(i)
os.remove(f"{store.path}-wal")
for i in range(10, 50):
    add(i)  # 40 acknowledged observations after the WAL vanished
print(len(store.warnings), store.warnings[0] if store.warnings else "", flush=True)
os._exit(0)  # a crash: no close, no checkpoint
"""


def _save_then_crash(data_dir: Path, mode: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _SAVER, str(data_dir), mode],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_vanished_wal_is_rescued_at_the_next_save_and_nothing_is_lost(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    out = _save_then_crash(data_dir, "rescue")
    assert out.startswith(
        "1 The record's -wal file (record.sqlite3-wal) was deleted while the app was running"
    )
    check = check_record(data_dir)
    assert check.ok and check.head is not None and check.head[0] == 50
    assert verify(data_dir)[0] == 0


def test_a_wal_lost_without_rescue_is_found_at_the_next_open(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _save_then_crash(data_dir, "no-rescue")
    check = check_record(data_dir)
    assert check.damage is not None and "but this computer last saw 50" in check.damage
    assert "lost -wal file" in check.damage
    status, _report = verify(data_dir)
    assert status == 1  # the shorter record is not called intact


# --- Bad data directories: a sentence, never a traceback ------------------------------------------------


def test_a_file_where_the_data_directory_should_be(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match=r"data is a file, not a folder.*--data-dir DIR"):
        open_record(blocker)
    err = io.StringIO()
    assert run(["verify-record", "--data-dir", str(blocker)], Streams(io.StringIO(), err)) == 2
    assert err.getvalue().startswith("error: --data-dir: ") and len(err.getvalue().splitlines()) == 1


def test_a_lock_that_is_a_folder(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "instance.lock").mkdir(parents=True)
    with pytest.raises(StoreError, match=r"instance.lock is a folder, but the app needs a file there"):
        InstanceLock(data_dir).acquire()


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder another user can enter (pytest's own tmp folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="ketamine-trust-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)


_OPENER = """
import sys
from pathlib import Path
from ketamine_desktop.store.record_access import open_record
from ketamine_desktop.store import StoreError
try:
    open_record(Path(sys.argv[1]))
except StoreError as exc:
    print(exc)
    sys.exit(2)
print("opened")
"""


# Root bypasses file permissions; without these two capabilities it meets them like any user.
_AS_A_USER = (
    [
        "setpriv",
        "--bounding-set=-dac_override,-dac_read_search",
        "--inh-caps=-dac_override,-dac_read_search",
        "--",
    ]
    if os.geteuid() == 0
    else []
)


def _open_without_privileges(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_AS_A_USER, sys.executable, "-c", _OPENER, str(data_dir)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


def test_a_data_directory_owned_by_another_user_is_a_sentence(shared_tmp: Path) -> None:
    """As after an earlier `sudo` run: the folder belongs to someone else (root, there; uid 12345 here)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to make a folder owned by another user")
    data_dir = shared_tmp / "data"
    data_dir.mkdir(mode=0o755)
    os.chown(data_dir, 12345, 12345)
    done = _open_without_privileges(data_dir)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert f"The data folder {data_dir} cannot be written by root" in done.stdout
    assert "belongs to user id 12345" in done.stdout and f"sudo chown -R root {data_dir}" in done.stdout


def test_a_read_only_data_directory_is_a_sentence(shared_tmp: Path) -> None:
    data_dir = shared_tmp / "data"
    data_dir.mkdir()
    data_dir.chmod(0o555)
    done = _open_without_privileges(data_dir)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert f"The data folder {data_dir} cannot be written by" in done.stdout


def test_a_session_over_a_damaged_record_shows_it_and_saves_nothing(
    qapp: object, filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ketamine_desktop.cli.common import load_default_library
    from ketamine_desktop.domain.clock import FakeClock
    from ketamine_desktop.state.session_store import SessionStore

    tamper(
        filled, "UPDATE records SET payload = replace(payload, '\"spo2\":98', '\"spo2\":85') WHERE seq = 3"
    )
    lock, records = open_record(filled)
    try:
        store = SessionStore(load_default_library(), records, FakeClock(T0 + timedelta(days=1)))
        assert store.load_error is not None and store.load_error.startswith("The record is open READ-ONLY")
        store.tick(T0 + timedelta(days=1), 10.0)
        assert len(records.records()) == 20
    finally:
        records.close()
        lock.release()
