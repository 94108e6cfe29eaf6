"""`sessions`, `export` and `verify-record --expect-head` (cli-contract.md): codes, outputs, and the record
left byte for byte as it was."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from ketamine_desktop.cli import run
from ketamine_desktop.cli.common import Streams
from ketamine_desktop.export.csv_export import COLUMNS
from ketamine_desktop.store import RecordStore
from ketamine_desktop.store.chain import record_hash
from ketamine_desktop.store.paths import RECORD_FILE_NAME
from tests.export.conftest import file_sha256
from tests.export.shift import SESSION, night_ledger, write


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), Streams(out, err))
    assert code is not None
    return code, out.getvalue(), err.getvalue()


def _export(data: Path, out: Path, fmt: str, *extra: str) -> tuple[int, str, str]:
    return _run("export", "--data-dir", str(data), "--latest", "--format", fmt, "--out", str(out), *extra)


def test_sessions_lists_each_session_with_the_contract_fields(night_dir: Path) -> None:
    code, out, _ = _run("sessions", "--data-dir", str(night_dir), "--json")
    assert code == 0
    listing = json.loads(out)
    [session] = listing["sessions"]
    assert {k: session[k] for k in ("id", "bed", "protocol", "start", "end", "training")} == {
        "id": SESSION,
        "bed": "Bed 12",
        "protocol": "chronic-opioid-tolerant",
        "start": "2026-11-21T20:00:00.000000Z",
        "end": "2026-11-22T06:00:00.000000Z",
        "training": False,
    }
    assert session["records"] == listing["records"] == len(night_ledger().records)
    code, out, _ = _run("sessions", "--data-dir", str(night_dir))
    assert code == 0
    assert out.splitlines()[0].split() == ["id", "bed", "protocol", "start", "end", "records", "training"]
    assert SESSION in out.splitlines()[1]


def test_csv_has_one_row_per_record_equal_to_the_record(night_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "night.csv"
    code, text, _ = _export(night_dir, out, "csv")
    assert code == 0 and "Exported csv" in text
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    with RecordStore.open(night_dir) as store:
        stored = store.records(SESSION)
    assert len(rows) == len(stored)
    for row, record in zip(rows, stored, strict=True):
        assert list(row) == list(COLUMNS)
        assert (int(row["seq"]), row["kind"], row["recorded_by"], row["recorded_at"]) == (
            record.seq,
            record.kind,
            record.recorded_by,
            record.recorded_at_utc,
        )
        assert (row["payload_json"], row["prev_hash"], row["hash"]) == (
            record.payload_json,
            record.prev_hash,
            record.hash,
        )
        assert row["at"].endswith("Z") and row["training"] == "false"
    start = rows[0]
    assert (start["rate_ml_per_h"], start["dose_mg_per_kg_per_h"], start["dose_mcg_per_kg_per_min"]) == (
        "4.2",
        "0.06",
        "1",
    )
    sleepy = next(r for r in rows if r["poss"] == "3")
    assert (sleepy["decision"], sleepy["rr"], sleepy["oxygen"]) == ("reduce", "16", "false")
    deferral = next(r for r in rows if r["kind"] == "deferral")
    assert deferral["reason"] == "patient asleep, lights off"


@pytest.mark.parametrize("fmt", ["csv", "fhir"])
def test_export_leaves_the_record_byte_for_byte_unchanged(
    record_copy: Path, tmp_path: Path, fmt: str
) -> None:
    record = record_copy / RECORD_FILE_NAME
    before = file_sha256(record)
    code, _, _ = _export(record_copy, tmp_path / f"out.{fmt}", fmt)
    assert code == 0
    assert file_sha256(record) == before
    assert not (record_copy / f"{RECORD_FILE_NAME}-journal").exists()


def test_a_broken_chain_refuses_every_export(record_copy: Path, tmp_path: Path) -> None:
    with RecordStore.open(record_copy) as store:
        store._conn.execute("DROP TRIGGER records_no_update")
        store._conn.execute("UPDATE records SET recorded_by = 'someone else' WHERE seq = 5")
    for fmt in ("csv", "fhir"):
        out = tmp_path / f"refused.{fmt}"
        code, text, err = _export(record_copy, out, fmt)
        assert code == 1
        assert text == ""
        assert err.count("\n") == 1 and "broken at record 5" in err
        assert not out.exists()
    code, _, err = _run("sessions", "--data-dir", str(record_copy))
    assert code == 1 and "record 5" in err


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--latest", "--format", "csv"], "--out"),
        (["--format", "csv", "--out", "x.csv"], "--session"),
        (["--latest", "--out", "x.csv"], "--format"),
        (["--latest", "--format", "docx", "--out", "x"], "--format"),
        (["--latest", "--session", "a", "--format", "csv", "--out", "x"], "--latest"),
        (["--session", "nope", "--format", "csv", "--out", "x.csv"], "--session"),
        (["--latest", "--format", "csv", "--out", "x.csv", "--subject", "Patient/1"], "--subject"),
        (["--latest", "--format", "fhir", "--out", "x.json", "--subject", "123"], "--subject"),
        (["--latest", "--format", "csv", "--out", "nowhere/x.csv"], "--out"),
        (["--latest", "--format", "csv", "--out", "x.csv", "--out", "y.csv"], "--out"),
    ],
)
def test_bad_options_exit_2_with_one_line(
    night_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], field: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _run("export", "--data-dir", str(night_dir), *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and field in err
    assert list(tmp_path.iterdir()) == []


def test_the_record_itself_cannot_be_the_output(record_copy: Path) -> None:
    before = file_sha256(record_copy / RECORD_FILE_NAME)
    code, _, err = _export(record_copy, record_copy / RECORD_FILE_NAME, "csv")
    assert code == 2 and "record itself" in err
    assert file_sha256(record_copy / RECORD_FILE_NAME) == before


def test_missing_data_dir_is_invalid_input(tmp_path: Path) -> None:
    code, _, err = _run("sessions", "--data-dir", str(tmp_path / "none"))
    assert code == 2 and "--data-dir" in err
    code, _, err = _export(tmp_path / "none", tmp_path / "x.csv", "csv")
    assert code == 2 and "--data-dir" in err


def test_an_empty_record_has_no_sessions(tmp_path: Path) -> None:
    code, out, _ = _run("sessions", "--data-dir", str(tmp_path), "--json")
    assert (code, json.loads(out)["sessions"]) == (0, [])
    code, out, _ = _run("sessions", "--data-dir", str(tmp_path))
    assert "No sessions" in out
    code, _, err = _export(tmp_path, tmp_path / "x.csv", "csv")
    assert code == 2 and "no session" in err


def test_training_sessions_say_so(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write(data, night_ledger(hours=2), session_id="training-night")
    code, out, _ = _run("sessions", "--data-dir", str(data), "--json")
    assert json.loads(out)["sessions"][0]["training"] is True
    code, out, _ = _run("sessions", "--data-dir", str(data))
    assert "TRAINING" in out
    code, out, _ = _export(data, tmp_path / "t.csv", "csv")
    assert code == 0 and "TRAINING" in out
    rows = list(csv.DictReader(io.StringIO((tmp_path / "t.csv").read_text("utf-8-sig"), newline="")))
    assert {r["training"] for r in rows} == {"true"}


# --- verify-record --expect-head ---


def _head(data: Path) -> str:
    code, out, _ = _run("verify-record", "--data-dir", str(data), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["records"] > 0
    return str(report["head"])


def test_expect_head_accepts_the_head_and_an_earlier_head_of_a_grown_record(record_copy: Path) -> None:
    head = _head(record_copy)
    # The head's seq is the record's length (the night's ledger grows when the rules raise more checks).
    code, out, _ = _run("verify-record", "--data-dir", str(record_copy), "--json")
    count = json.loads(out)["records"]
    code, out, _ = _run("verify-record", "--data-dir", str(record_copy), "--expect-head", head, "--json")
    assert code == 0
    assert json.loads(out)["expected_head"] == {"hash": head, "found_at_seq": count, "records_since": 0}
    write(record_copy, night_ledger(hours=1), session_id="later")
    code, out, _ = _run("verify-record", "--data-dir", str(record_copy), "--expect-head", head.upper())
    assert code == 0
    assert f"found at record {count}" in out and "appended since" in out


def test_expect_head_catches_a_record_rewritten_with_every_hash_recomputed(record_copy: Path) -> None:
    head = _head(record_copy)
    path = record_copy / RECORD_FILE_NAME
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("DROP TRIGGER records_no_update")
        conn.execute("DROP TRIGGER chain_head_forward_only")
        conn.execute("UPDATE records SET recorded_by = 'someone else' WHERE seq = 7")
        prev = conn.execute("SELECT hash FROM records WHERE seq = 6").fetchone()[0]
        rows = conn.execute(
            "SELECT seq, session_id, kind, payload, recorded_by, recorded_at_utc, library_version, "
            "library_sha256 FROM records WHERE seq >= 7 ORDER BY seq"
        ).fetchall()
        for row in rows:
            new = record_hash(prev, *row)
            conn.execute("UPDATE records SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, new, row[0]))
            prev = new
        conn.execute("UPDATE chain_head SET hash = ?", (prev,))
    conn.close()
    # This computer's witness of the last head (record.head) would catch it; a careful hand removes it too.
    code, _, _ = _run("verify-record", "--data-dir", str(record_copy))
    assert code == 1
    (record_copy / "record.head").unlink()
    code, _, _ = _run("verify-record", "--data-dir", str(record_copy))
    assert code == 0  # the chain alone cannot tell
    code, out, _ = _run("verify-record", "--data-dir", str(record_copy), "--expect-head", head, "--json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False and report["expected_head"]["found_at_seq"] is None
    assert "rewritten" in report["reason"]
    code, out, _ = _run("verify-record", "--data-dir", str(record_copy), "--expect-head", head)
    assert code == 1 and "NOT INTACT" in out


def test_expect_head_must_be_a_sha256(night_dir: Path) -> None:
    code, _, err = _run("verify-record", "--data-dir", str(night_dir), "--expect-head", "abc")
    assert code == 2 and err.count("\n") == 1 and "--expect-head" in err
