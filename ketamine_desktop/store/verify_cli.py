"""`ketamine-desktop verify-record`: check the record's hash chain and SQLite integrity (cli-contract.md).

Exit 0 when the record is intact, 1 when it is not (naming the first record that fails). The record is read
without writing anything: no schema, no `-wal` or `-shm` file, no lock (`store.record_check`). A data
directory without a record file is an empty, intact record (checked 0) unless this computer saw records in
it; an emptied (0-byte) file, a record shorter than this computer last saw, or one rewritten under it are
not intact. A data directory that cannot be read is one line on stderr and exit 2.
Safe to run while the application is writing: WAL lets it read a consistent snapshot.
"""

import json
from pathlib import Path
from typing import TextIO

from ketamine_desktop.store.connection import StoreError
from ketamine_desktop.store.record_check import RecordCheck, check_record

NOT_CHECKED = "not checked"
EXIT_BAD_DIRECTORY = 2


def run_verify_record(
    data_dir: Path,
    as_json: bool,
    out: TextIO,
    expect_head: str | None = None,
    err: TextIO | None = None,
) -> int:
    """Verify the record in `data_dir`, write the outcome to `out`, return the exit status.

    With `expect_head` (a head hash printed on an earlier handover or export), the record must also
    still hold that hash: as its head, or as the hash of an earlier record when records were only
    appended since. A record rewritten and re-hashed from any record up to that point no longer holds it.
    """
    if data_dir.exists() and not data_dir.is_dir():
        return _bad_directory(err, f"{data_dir} is not a folder")
    wanted = expect_head.strip().lower() if expect_head is not None else None
    try:
        check = check_record(data_dir, find_hash=wanted)
    except (StoreError, OSError) as exc:
        return _bad_directory(err, f"the record in {data_dir} cannot be read: {exc}")
    return _report(check, data_dir, as_json, out, expect_head)


def _bad_directory(err: TextIO | None, message: str) -> int:
    if err is not None:
        err.write(f"error: --data-dir: {message}\n")
    return EXIT_BAD_DIRECTORY


def _report(check: RecordCheck, data_dir: Path, as_json: bool, out: TextIO, expect_head: str | None) -> int:
    verdict, integrity, path = check.verdict, check.integrity, check.path
    ok = check.ok
    reason = verdict.reason
    if verdict.ok and integrity != "ok":
        reason = f"SQLite integrity check failed: {integrity}"
    elif check.damage is not None and verdict.first_bad_seq is None:
        reason = check.damage  # not one bad record: missing, emptied, shorter or rewritten
    head_seq, head_hash = check.head if check.head is not None else (0, None)
    if not head_seq:
        head_hash = None
    expected = _expected(check, expect_head) if expect_head is not None else None
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
            "head": head_hash,
            "records": head_seq,
        }
        if expected is not None:
            report["expected_head"] = expected
        out.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        out.write(f"Record file: {path}{'' if path.is_file() else ' (none yet: nothing to check)'}\n")
        out.write(f"Records checked: {verdict.checked}\n")
        out.write(f"SQLite integrity check: {integrity}\n")
        out.write(f"Head hash: {head_hash or '(empty record)'} ({head_seq} records)\n")
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


def _expected(check: RecordCheck, expect_head: str) -> dict[str, object]:
    """Where the intact chain holds `expect_head`: its record, and how many records came after it (looked
    up by `check_record` in the same read, through the hash column's index)."""
    seq = check.found_at_seq
    since = None
    if seq is not None and check.head is not None:
        since = check.head[0] - seq
    return {"hash": expect_head.strip().lower(), "found_at_seq": seq, "records_since": since}
