"""`ketamine-desktop verify-record`: check the record's hash chain and SQLite integrity (cli-contract.md).

Exit 0 when the record is intact, 1 when it is not (naming the first record that fails). A data directory
without a record file is an empty, intact record (checked 0); nothing is created in that case, so verifying
never changes what it verifies. A file that cannot be opened or read is not intact (exit 1, with why).
Safe to run while the application is writing: WAL lets it read a consistent snapshot.
"""

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ketamine_desktop.store.chain import ChainVerdict
from ketamine_desktop.store.connection import StoreError
from ketamine_desktop.store.paths import RECORD_FILE_NAME
from ketamine_desktop.store.record_store import RecordStore

NOT_CHECKED = "not checked"


def run_verify_record(data_dir: Path, as_json: bool, out: TextIO, expect_head: str | None = None) -> int:
    """Verify the record in `data_dir`, write the outcome to `out`, return the exit status.

    With `expect_head` (a head hash printed on an earlier handover or export), the record must also
    still hold that hash: as its head, or as the hash of an earlier record when records were only
    appended since. A record rewritten and re-hashed from any record up to that point no longer holds it.
    """
    path = data_dir / RECORD_FILE_NAME
    wanted = expect_head.strip().lower() if expect_head is not None else None
    found = _check(path, wanted) if path.is_file() else _Found(ChainVerdict(True, 0, None, None), "ok")
    verdict, integrity, head = found.verdict, found.integrity, found.head
    ok = verdict.ok and integrity == "ok"
    reason = verdict.reason
    if verdict.ok and integrity != "ok":
        reason = f"SQLite integrity check failed: {integrity}"
    expected: dict[str, object] | None = None
    if wanted is not None:
        seq = found.expected_seq
        appended = head[0] - seq if seq is not None else None
        expected = {"hash": wanted, "found_at_seq": seq, "records_since": appended}
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


@dataclass(frozen=True)
class _Found:
    verdict: ChainVerdict
    integrity: str
    head: tuple[int, str | None] = (0, None)  # (seq, hash) of the chain head; no hash when empty
    expected_seq: int | None = None  # the record whose hash is the expected head, in an intact chain


def _check(path: Path, wanted: str | None) -> _Found:
    """The chain verdict and SQLite's integrity check. The integrity check runs in a second thread on its
    own connection: SQLite works without Python's lock, so on two cores it costs no time beside
    the chain's hashing (a year of records takes about as long as the longer of the two, not their sum).
    The head and the expected head are looked up by index, not by reading the record again."""
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
                integrity = [store.integrity_check()]
            head_seq, head_hash = store.head()
            expected_seq = store.seq_of_hash(wanted) if wanted is not None and verdict.ok else None
            return _Found(verdict, integrity[0], (head_seq, head_hash if head_seq else None), expected_seq)
    except StoreError as exc:
        return _Found(ChainVerdict(False, 0, None, str(exc)), NOT_CHECKED)


_FAILED = "\x00failed"


def _integrity(path: Path, out: list[str]) -> None:
    try:
        with RecordStore.open(path.parent) as second:
            out.append(second.integrity_check())
    except StoreError as exc:
        out.append(f"{_FAILED}: {exc}")
