"""`ketamine-desktop verify-record`: check the record's hash chain and SQLite integrity (cli-contract.md).

Exit 0 when the record is intact, 1 when it is not (naming the first record that fails). A data directory
without a record file is an empty, intact record (checked 0); nothing is created in that case, so verifying
never changes what it verifies. A file that cannot be opened or read is not intact (exit 1, with why).
Safe to run while the application is writing: WAL lets it read a consistent snapshot.
"""

import json
from pathlib import Path
from typing import TextIO

from ketamine_desktop.store.chain import ChainVerdict
from ketamine_desktop.store.connection import StoreError
from ketamine_desktop.store.paths import RECORD_FILE_NAME
from ketamine_desktop.store.record_store import RecordStore

NOT_CHECKED = "not checked"


def run_verify_record(data_dir: Path, as_json: bool, out: TextIO) -> int:
    """Verify the record in `data_dir`, write the outcome to `out`, return the exit status."""
    path = data_dir / RECORD_FILE_NAME
    verdict, integrity = _check(path) if path.is_file() else (ChainVerdict(True, 0, None, None), "ok")
    ok = verdict.ok and integrity == "ok"
    reason = verdict.reason
    if verdict.ok and integrity != "ok":
        reason = f"SQLite integrity check failed: {integrity}"
    if as_json:
        report = {
            "ok": ok,
            "checked": verdict.checked,
            "first_bad_seq": verdict.first_bad_seq,
            "reason": reason,
            "integrity_check": integrity,
            "path": str(path),
        }
        out.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        out.write(f"Record file: {path}{'' if path.is_file() else ' (none yet: nothing to check)'}\n")
        out.write(f"Records checked: {verdict.checked}\n")
        out.write(f"SQLite integrity check: {integrity}\n")
        if ok:
            out.write("Hash chain: intact\n")
        else:
            where = f"record {verdict.first_bad_seq}" if verdict.first_bad_seq is not None else "the record"
            out.write(f"Hash chain: NOT INTACT - first failure at {where}: {reason}\n")
    return 0 if ok else 1


def _check(path: Path) -> tuple[ChainVerdict, str]:
    try:
        with RecordStore.open(path.parent) as store:
            integrity = store.integrity_check()
            return store.verify(), integrity
    except StoreError as exc:
        return ChainVerdict(False, 0, None, str(exc)), NOT_CHECKED
