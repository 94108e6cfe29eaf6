"""`ketamine-desktop verify-record`: check the record's hash chain and SQLite integrity (cli-contract.md).

Exit 0 when the record is intact, 1 when it is not (naming the first record that fails). A data directory
without a record file is an empty, intact record (checked 0); nothing is created in that case, so verifying
never changes what it verifies. A file that cannot be opened or read is not intact (exit 1, with why).
Safe to run while the application is writing: WAL lets it read a consistent snapshot.
"""

import json
import threading
from pathlib import Path
from typing import TextIO

from ketamine_desktop.store.chain import ChainVerdict
from ketamine_desktop.store.connection import StoreError
from ketamine_desktop.store.paths import RECORD_FILE_NAME
from ketamine_desktop.store.record_store import RecordStore
from ketamine_desktop.store.snapshot import RecordSnapshot, read_snapshot

NOT_CHECKED = "not checked"


def run_verify_record(data_dir: Path, as_json: bool, out: TextIO, expect_head: str | None = None) -> int:
    """Verify the record in `data_dir`, write the outcome to `out`, return the exit status.

    With `expect_head` (a head hash printed on an earlier handover or export), the record must also
    still hold that hash: as its head, or as the hash of an earlier record when records were only
    appended since. A record rewritten and re-hashed from any record up to that point no longer holds it.
    """
    path = data_dir / RECORD_FILE_NAME
    verdict, integrity = _check(path) if path.is_file() else (ChainVerdict(True, 0, None, None), "ok")
    ok = verdict.ok and integrity == "ok"
    reason = verdict.reason
    if verdict.ok and integrity != "ok":
        reason = f"SQLite integrity check failed: {integrity}"
    snapshot = _snapshot(data_dir)
    head = (snapshot.head_seq, snapshot.head_hash) if snapshot is not None else (0, None)
    expected = _expected(snapshot, expect_head) if expect_head is not None else None
    if ok and expected is not None and expected["found_at_seq"] is None:
        ok = False
        reason = f"the record does not hold the expected head hash {expect_head}: it was rewritten"
    if as_json:
        report: dict[str, object] = {
            "ok": ok,
            "checked": verdict.checked,
            "first_bad_seq": verdict.first_bad_seq,
            "reason": reason,
            "integrity_check": integrity,
            "path": str(path),
            "head": head[1],
            "records": head[0],
        }
        if expected is not None:
            report["expected_head"] = expected
        out.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        out.write(f"Record file: {path}{'' if path.is_file() else ' (none yet: nothing to check)'}\n")
        out.write(f"Records checked: {verdict.checked}\n")
        out.write(f"SQLite integrity check: {integrity}\n")
        out.write(f"Head hash: {head[1] or '(empty record)'} ({head[0]} records)\n")
        if expected is not None and expected["found_at_seq"] is not None:
            since = expected["records_since"]
            out.write(
                f"Expected head: found at record {expected['found_at_seq']}"
                f"{f'; {since} records appended since' if since else ' (the head now)'}\n"
            )
        if ok:
            out.write("Hash chain: intact\n")
        else:
            where = f"record {verdict.first_bad_seq}" if verdict.first_bad_seq is not None else "the record"
            out.write(f"Hash chain: NOT INTACT - first failure at {where}: {reason}\n")
    return 0 if ok else 1


def _snapshot(data_dir: Path) -> RecordSnapshot | None:
    """The record read-only, for its head; None when it cannot be read (the verdict says why)."""
    try:
        return read_snapshot(data_dir)
    except StoreError:
        return None


def _expected(snapshot: RecordSnapshot | None, expect_head: str) -> dict[str, object]:
    """Where the intact chain holds `expect_head`: its record, and how many records came after it."""
    wanted = expect_head.strip().lower()
    seq = None
    since = None
    if snapshot is not None and snapshot.verdict.ok:
        seq = next((r.seq for r in snapshot.records if r.hash == wanted), None)
        since = snapshot.head_seq - seq if seq is not None else None
    return {"hash": wanted, "found_at_seq": seq, "records_since": since}


def _check(path: Path) -> tuple[ChainVerdict, str]:
    """The chain verdict and SQLite's integrity check. The integrity check runs in a second thread on its
    own connection: SQLite works without Python's lock, so on two cores it costs no time beside
    the chain's hashing (a year of records takes about as long as the longer of the two, not their sum)."""
    try:
        with RecordStore.open(path.parent) as store:
            integrity: list[str] = []
            worker = threading.Thread(target=_integrity, args=(path, integrity), daemon=True)
            worker.start()
            try:
                verdict = store.verify()
            finally:
                worker.join()
            if not integrity or integrity[0].startswith(_FAILED):
                # The second connection could not read it: say what the store's own connection finds.
                return verdict, store.integrity_check()
            return verdict, integrity[0]
    except StoreError as exc:
        return ChainVerdict(False, 0, None, str(exc)), NOT_CHECKED


_FAILED = "\x00failed"


def _integrity(path: Path, out: list[str]) -> None:
    try:
        with RecordStore.open(path.parent) as second:
            out.append(second.integrity_check())
    except StoreError as exc:
        out.append(f"{_FAILED}: {exc}")
