"""Scenario 9, handover at 08:00: a night of checks on a ward infusion; at the end of the shift the nurse
opens the Handover tab (the rate running in both units, what was given, the last checks, what is due, the
record's head hash), then exports the handover, the chart, CSV and FHIR R4 from the window. Every export
leaves the record byte for byte as it was, and the head hash printed on the handover later proves that
the record was not rewritten (`verify-record --expect-head`)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QTextBrowser

from ketamine_desktop.cli import run
from ketamine_desktop.cli.common import Streams
from ketamine_desktop.store.paths import RECORD_FILE_NAME
from tests.scenarios.nurse import Nurse


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_end_of_shift_handover_and_export(
    nurse: Nurse, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    nurse.start("chronic-opioid-tolerant", weight="70")
    nurse.tick()
    assert nurse.record_check(sedation="1").startswith("Saved at")
    # The planned bolus, given at the start, is recorded as given (Bolus given, the time as shown: 20:00).
    nurse.click("bolusGivenButton")
    nurse.type("eventByField", "AB")
    nurse.click("confirmEventButton")
    # The night: every check recorded when it falls due, up to 07:00.
    for minute in (15, 30, 45, 60, 90, 120, 150, 180, *range(240, 12 * 60, 60)):
        nurse.wait_until(minute)
        assert nurse.banner().startswith(f"DUE: Check due {nurse.hm(minute)}"), minute
        assert nurse.record_check(sedation="1", pain="2").startswith("Saved at")
    nurse.wait_until(12 * 60 + 1)  # 08:01: the 08:00 check is due, the day nurse is here
    nurse.session_tab("Handover")
    handover = nurse.find(QTextBrowser, "handoverView").toPlainText()
    for words in (
        "Handover: Ward 7 bed 12 JD",
        "Running now: RUNNING",
        "4.2 mL/h = 0.06 mg/kg/h = 1 mcg/kg/min (4.2 mg/h, 1 mg/mL)",
        "Since the start",
        "Last 24 h",
        "Last observations",
        "DUE",
        "Syringe label",
    ):
        assert words in handover, words
    # 12 h at 4.2 mg/h plus the start's bolus (25 mg): 75.5 mg, 1.08 mg/kg.
    assert "75.5 mg" in handover and "1.08 mg/kg" in handover
    head = next(line for line in handover.splitlines() if line.startswith("Head hash ")).split()[2]
    assert len(head) == 64
    nurse.shoot("end-of-shift-handover")
    view = nurse.find(QTextBrowser, "handoverView")
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    nurse.shoot("end-of-shift-handover-label")

    record = nurse.data_dir / RECORD_FILE_NAME
    before = _sha256(record)
    written: dict[str, Path] = {}
    for action, name in (
        ("exportHandoverAction", "handover.pdf"),
        ("exportChartAction", "chart.pdf"),
        ("exportCsvAction", "record.csv"),
        ("exportFhirAction", "bundle.json"),
    ):
        out = tmp_path / name
        monkeypatch.setattr(
            "ketamine_desktop.gui.monitoring.panel.QFileDialog.getSaveFileName",
            lambda *args, out=out: (str(out), ""),
        )
        nurse.find(QAction, action).trigger()
        nurse.settle()
        assert nurse.label("exportMessage").startswith("Saved "), nurse.label("exportMessage")
        assert head in nurse.find(QLabel, "exportMessage").text()
        written[name] = out
    assert _sha256(record) == before
    assert written["handover.pdf"].read_bytes().startswith(b"%PDF-")
    assert written["chart.pdf"].read_bytes().startswith(b"%PDF-")
    rows = list(csv.DictReader(io.StringIO(written["record.csv"].read_text("utf-8-sig"), newline="")))
    assert rows[-1]["hash"] == head and [r["kind"] for r in rows].count("observation") == 17
    bundle = json.loads(written["bundle.json"].read_text("utf-8"))
    assert bundle["type"] == "collection"
    assert bundle["entry"][-1]["resource"]["entity"][0]["what"]["identifier"]["value"] == head

    # Later, anyone checks the record against the hash printed on the handover.
    nurse.close()
    out, err = io.StringIO(), io.StringIO()
    assert (
        run(["verify-record", "--data-dir", str(nurse.data_dir), "--expect-head", head], Streams(out, err))
        == 0
    )
    assert "Hash chain: intact" in out.getvalue()
