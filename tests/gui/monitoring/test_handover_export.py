"""The Handover tab: the handover and the syringe label on screen, and every export from the window (the
export menu, a file dialog, the record verified first and never written to)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QTextBrowser
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.gui.monitoring.panel import MonitoringPanel
from ketamine_desktop.state.session_store import SessionStore
from ketamine_desktop.store import RecordStore
from tests.export.conftest import file_sha256
from tests.gui.monitoring.test_monitoring_panel import start, tick
from tests.helpers.gui_helpers import find, select_tab


def _show_handover(panel: MonitoringPanel) -> None:
    select_tab(panel, "sessionTabs", "Handover")


def _choose_file(monkeypatch: pytest.MonkeyPatch, path: Path | None) -> list[str]:
    asked: list[str] = []

    def answer(parent: object, caption: str, directory: str, filter: str) -> tuple[str, str]:
        asked.append(f"{caption} | {directory} | {filter}")
        return (str(path) if path is not None else "", filter)

    monkeypatch.setattr("ketamine_desktop.gui.monitoring.panel.QFileDialog.getSaveFileName", answer)
    return asked


def test_the_handover_tab_says_what_runs_what_was_given_and_the_head(
    panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    tick(session_store, clock, 60 * 60)
    _show_handover(panel)
    text = find(panel, QTextBrowser, "handoverView").toPlainText()
    records, head = session_store.record_head()
    for words in (
        "Handover: Ward 7 bed 12 JD",
        "Running now: RUNNING",
        "4.2 mL/h",
        "= 0.06 mg/kg/h = 1 mcg/kg/min (4.2 mg/h, 1 mg/mL)",
        "Since the start",
        "OVERDUE",
        head,
        f"after {records} records",
        "Syringe label",
        "KETAMINE 1 mg/mL",
        "50 mg in 50 mL",
    ):
        assert words in text, words


@pytest.mark.parametrize(
    ("action", "suffix"),
    [
        ("exportHandoverAction", ".pdf"),
        ("exportChartAction", ".pdf"),
        ("exportCsvAction", ".csv"),
        ("exportFhirAction", ".json"),
        ("exportLabelAction", ".pdf"),
        ("exportCardAction", ".pdf"),
    ],
)
def test_every_export_from_the_menu_writes_its_file_and_leaves_the_record(
    qtbot: QtBot,
    panel: MonitoringPanel,
    session_store: SessionStore,
    clock: FakeClock,
    record_store: RecordStore,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    action: str,
    suffix: str,
) -> None:
    start(session_store)
    tick(session_store, clock, 20 * 60)
    _show_handover(panel)
    out = tmp_path / f"export{suffix}"
    asked = _choose_file(monkeypatch, out)
    before = file_sha256(record_store.path)
    find(panel, QAction, action).trigger()
    assert len(asked) == 1 and "Ward-7-bed-12-" in asked[0]
    data = out.read_bytes()
    if suffix == ".pdf":
        assert data.startswith(b"%PDF-")
    elif suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        assert len(rows) == len(record_store.records())
    else:
        assert json.loads(data)["type"] == "collection"
    message = find(panel, QLabel, "exportMessage").text()
    assert message.startswith("Saved ") and str(out) in message
    assert file_sha256(record_store.path) == before


def test_cancelling_the_dialog_writes_nothing(
    panel: MonitoringPanel, session_store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    start(session_store)
    _show_handover(panel)
    _choose_file(monkeypatch, None)
    find(panel, QAction, "exportHandoverAction").trigger()
    assert find(panel, QLabel, "exportMessage").text() == "Export cancelled: nothing was written."


def test_a_broken_chain_refuses_the_export_before_asking_where(
    panel: MonitoringPanel,
    session_store: SessionStore,
    record_store: RecordStore,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    start(session_store)
    _show_handover(panel)
    record_store._conn.execute("DROP TRIGGER records_no_update")
    record_store._conn.execute("UPDATE records SET recorded_by = 'someone else' WHERE seq = 1")
    asked = _choose_file(monkeypatch, tmp_path / "x.csv")
    find(panel, QAction, "exportCsvAction").trigger()
    assert asked == []
    assert (
        find(panel, QLabel, "exportMessage")
        .text()
        .startswith("Not exported: the record's hash chain is broken at record 1")
    )
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    "action", ["printHandoverAction", "printChartAction", "printLabelAction", "printCardAction"]
)
def test_printing_uses_the_same_pages_as_the_pdf(
    panel: MonitoringPanel,
    session_store: SessionStore,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    action: str,
) -> None:
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QDialog

    out = tmp_path / "printed.pdf"

    class PrintToFile:
        """The print dialog, answered with "print to file" (the offscreen platform has no printer)."""

        def __init__(self, printer: QPrinter, parent: object) -> None:
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(out))

        def exec(self) -> int:
            return int(QDialog.DialogCode.Accepted.value)

    monkeypatch.setattr("PySide6.QtPrintSupport.QPrintDialog", PrintToFile)
    start(session_store)
    tick(session_store, clock, 20 * 60)
    _show_handover(panel)
    find(panel, QAction, action).trigger()
    message = find(panel, QLabel, "exportMessage").text()
    assert message.startswith("Printed ") and " pages). Record head hash " in message
    assert out.read_bytes().startswith(b"%PDF-")


def test_cancelling_the_print_dialog_prints_nothing(
    panel: MonitoringPanel, session_store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QDialog

    class Cancelled:
        def __init__(self, printer: object, parent: object) -> None:
            pass

        def exec(self) -> int:
            return int(QDialog.DialogCode.Rejected.value)

    monkeypatch.setattr("PySide6.QtPrintSupport.QPrintDialog", Cancelled)
    start(session_store)
    _show_handover(panel)
    find(panel, QAction, "printLabelAction").trigger()
    assert find(panel, QLabel, "exportMessage").text() == "Printing cancelled."


def test_the_handover_follows_a_check_falling_overdue(
    panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    start(session_store)
    _show_handover(panel)
    handover = find(panel, QTextBrowser, "handoverView")
    assert "OVERDUE" not in handover.toPlainText()
    tick(session_store, clock, 10 * 60)
    assert "OVERDUE" in handover.toPlainText()
