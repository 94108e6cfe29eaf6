"""Exports of the `demo` command's training records (the long-infusions issue): every format of a 1-day
record (and, under the `slow` marker, a 14-day one) - the FHIR bundle valid, the CSV equal to the record,
TRAINING said everywhere, and the record's SHA-256 unchanged by all of it."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ketamine_desktop.demo import demo_records, write_records
from ketamine_desktop.store import RecordStore
from ketamine_desktop.store.paths import RECORD_FILE_NAME
from tests.export.conftest import file_sha256
from tests.export.test_export_cli import _export, _run
from tests.export.test_fhir import validate
from tests.helpers.builders import library

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def _demo(data: Path, days: int, past: int) -> None:
    with RecordStore.open(data) as store:
        write_records(
            store, library(), demo_records(library(), now=NOW, days=days, past_sessions=past, seed=1)
        )


def _exports(data: Path, tmp_path: Path) -> None:
    before = file_sha256(data / RECORD_FILE_NAME)
    code, out, _ = _run("sessions", "--data-dir", str(data), "--json")
    sessions = json.loads(out)["sessions"]
    assert code == 0 and sessions and all(s["training"] for s in sessions)
    for fmt, name in (
        ("pdf", "chart.pdf"),
        ("handover", "handover.pdf"),
        ("csv", "record.csv"),
        ("fhir", "bundle.json"),
    ):
        code, out, err = _export(data, tmp_path / name, fmt)
        assert code == 0, err
        assert "TRAINING" in out
    assert (tmp_path / "chart.pdf").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "handover.pdf").read_bytes().startswith(b"%PDF-")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "record.csv").read_text("utf-8-sig"), newline="")))
    with RecordStore.open(data) as store:
        stored = store.records(sessions[-1]["id"])
    assert [(int(r["seq"]), r["hash"], r["payload_json"]) for r in rows] == [
        (s.seq, s.hash, s.payload_json) for s in stored
    ]
    assert {r["training"] for r in rows} == {"true"}
    bundle = json.loads((tmp_path / "bundle.json").read_text("utf-8"))
    validate(bundle)
    assert {e["resource"]["meta"]["security"][0]["code"] for e in bundle["entry"]} == {"HTEST"}
    assert file_sha256(data / RECORD_FILE_NAME) == before


def test_a_one_day_training_record_in_every_format(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _demo(data, days=1, past=1)
    _exports(data, tmp_path)


@pytest.mark.slow
def test_a_fourteen_day_training_record_in_every_format(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _demo(data, days=14, past=0)
    _exports(data, tmp_path)
