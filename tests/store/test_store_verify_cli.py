"""`verify-record` (cli-contract.md): exit 0 intact, 1 not intact naming the first failing record."""

import io
import json
from pathlib import Path

import pytest

from ketamine_desktop.store import RecordStore, default_data_dir, run_verify_record
from tests.helpers.store_helpers import add


def _run(data_dir: Path, as_json: bool) -> tuple[int, str]:
    out = io.StringIO()
    return run_verify_record(data_dir, as_json, out), out.getvalue()


def _tamper(data_dir: Path, sql: str) -> None:
    with RecordStore.open(data_dir) as store:
        store._conn.execute("DROP TRIGGER records_no_update")
        store._conn.execute("DROP TRIGGER records_no_delete")
        store._conn.execute(sql)


def test_intact_record(record_store: RecordStore, data_dir: Path) -> None:
    for i in range(3):
        add(record_store, i)
    code, text = _run(data_dir, as_json=True)
    assert code == 0
    report = json.loads(text)
    assert {k: report[k] for k in ("ok", "checked", "first_bad_seq", "reason", "integrity_check")} == {
        "ok": True,
        "checked": 3,
        "first_bad_seq": None,
        "reason": None,
        "integrity_check": "ok",
    }
    code, text = _run(data_dir, as_json=False)
    assert code == 0
    assert "Records checked: 3\n" in text
    assert "Hash chain: intact\n" in text


def test_edited_record_is_named(record_store: RecordStore, data_dir: Path) -> None:
    for i in range(5):
        add(record_store, i)
    record_store.close()
    _tamper(data_dir, "UPDATE records SET recorded_by = 'someone else' WHERE seq = 3")
    code, text = _run(data_dir, as_json=True)
    assert code == 1
    report = json.loads(text)
    assert (report["ok"], report["checked"], report["first_bad_seq"]) == (False, 2, 3)
    assert report["reason"] == "record 3 was changed: it does not match its hash"
    code, text = _run(data_dir, as_json=False)
    assert code == 1
    assert "NOT INTACT - first failure at record 3: record 3 was changed" in text


def test_deleted_last_record_is_detected(record_store: RecordStore, data_dir: Path) -> None:
    for i in range(2):
        add(record_store, i)
    record_store.close()
    _tamper(data_dir, "DELETE FROM records WHERE seq = 2")
    code, text = _run(data_dir, as_json=True)
    assert code == 1
    assert json.loads(text)["first_bad_seq"] == 2


def test_no_record_file_is_empty_and_intact_and_creates_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "never used"
    code, text = _run(data_dir, as_json=True)
    assert code == 0
    report = json.loads(text)
    assert (report["ok"], report["checked"], report["integrity_check"]) == (True, 0, "ok")
    code, text = _run(data_dir, as_json=False)
    assert code == 0
    assert "(none yet: nothing to check)" in text
    assert not data_dir.exists()


def test_unreadable_file_is_not_intact(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / "record.sqlite3").write_bytes(b"garbage" * 1000)
    code, text = _run(data_dir, as_json=True)
    assert code == 1
    report = json.loads(text)
    assert (report["ok"], report["first_bad_seq"], report["integrity_check"]) == (False, None, "not checked")
    assert "not a database" in report["reason"]
    code, text = _run(data_dir, as_json=False)
    assert code == 1
    assert "first failure at the record: " in text


def test_integrity_failure_alone_makes_it_not_intact(
    record_store: RecordStore, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(record_store)
    monkeypatch.setattr(
        "ketamine_desktop.store.record_check.integrity_text",
        lambda conn, thorough=True: "*** in database main ***\npage 3 is never used",
    )
    code, text = _run(data_dir, as_json=True)
    assert code == 1
    report = json.loads(text)
    assert report["ok"] is False
    assert report["reason"].startswith("SQLite integrity check failed: *** in database main")


def test_verify_record_runs_the_full_check_and_the_app_the_quick_one(
    record_store: RecordStore, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ketamine_desktop.store import record_check

    add(record_store)
    asked: list[bool] = []
    real = record_check.integrity_text

    def spy(conn: object, thorough: bool = True) -> str:
        asked.append(thorough)
        return real(conn, thorough)  # type: ignore[arg-type]

    monkeypatch.setattr(record_check, "integrity_text", spy)
    assert _run(data_dir, as_json=True)[0] == 0
    assert record_check.check_record(data_dir, thorough=False).ok
    assert asked == [True, False]


def test_an_integrity_check_that_cannot_read_the_file_is_said(
    record_store: RecordStore, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's check runs in a second thread: what it raises there reaches the verdict."""
    import sqlite3

    add(record_store)

    def unreadable(conn: object, thorough: bool = True) -> str:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr("ketamine_desktop.store.record_check.integrity_text", unreadable)
    code, text = _run(data_dir, as_json=True)
    report = json.loads(text)
    assert (code, report["ok"], report["integrity_check"]) == (1, False, "not checked")
    assert "database disk image is malformed" in report["reason"]


def test_a_corrupted_file_is_not_intact(record_store: RecordStore, data_dir: Path) -> None:
    for i in range(300):
        add(record_store, i, payload={"note": f"observation {i} " * 20})
    record_store.close()  # the last connection checkpoints the WAL into the main file
    path = data_dir / "record.sqlite3"
    data = bytearray(path.read_bytes())
    page = 4096
    data[5 * page : 7 * page] = bytes(range(256)) * (2 * page // 256)  # two pages of b-tree overwritten
    path.write_bytes(bytes(data))
    code, text = _run(data_dir, as_json=True)
    assert code == 1
    assert json.loads(text)["ok"] is False


def test_default_data_dir_is_per_user_and_named_for_the_app() -> None:
    assert default_data_dir().name == "ketamine-desktop"
