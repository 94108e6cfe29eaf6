"""Scenario: a nurse learns on a training record. `ketamine-desktop demo` wrote three days of a prolonged
infusion (and two finished sessions before it); the app opens on it saying TRAINING on every screen, the
running session is there with its schedule, the history scrolls back to the start through every check, and
a check recorded now is the history's new first row. (What a long record costs is measured by
benchmarks/long_session.py, not here.)"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QLabel, QTableView
from pytestqt.qtbot import QtBot

from ketamine_desktop.demo import demo_records, write_records
from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.store import RecordStore
from tests.scenarios.nurse import START, Nurse


def test_a_nurse_practises_on_a_training_record(
    qtbot: QtBot, qapp: QApplication, library: Library, clock: FakeClock, data_dir: Path, tmp_path: Path
) -> None:
    with RecordStore.open(data_dir) as store:
        write_records(store, library, demo_records(library, now=START, days=3, past_sessions=2, seed=5))
    nurse = Nurse(qtbot, qapp, library, clock, data_dir, tmp_path / "settings.ini")
    nurse.open()
    try:
        _practise(nurse)
    finally:
        nurse.close()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _practise(nurse: Nurse) -> None:
    banner = nurse.find(QLabel, "trainingBanner")
    for tab in ("dosing", "monitoring", "contraindications", "side effects"):
        nurse.show_tab(tab)
        assert banner.isVisible(), tab
        assert nurse.label("trainingBanner").startswith("TRAINING: this is a training record")
    assert nurse.win.windowTitle().startswith("TRAINING — ")
    assert "acknowledge" not in nurse.banner()  # the demo's nurses acknowledged every urgent action
    nurse.show_tab("monitoring")
    header = nurse.header()
    assert header["status"] == "RUNNING"
    assert "mL/h" in header["rate"]
    # The history: newest first, every check of three days, scrolled back to the start.
    nurse.session_tab("History")
    history = nurse.find(QTableView, "historyTable")
    rows = nurse.table("historyTable")
    assert len(rows) > 3 * 24 * 4  # an observation every 15 minutes, and the events between
    assert rows[-1][1] == "Start" and "Chronic neuropathic pain" in rows[-1][2]
    kinds = {row[1] for row in rows}
    assert {"Start", "Check", "Event", "Acknowledged"} <= kinds
    assert any(row[2].startswith("Syringe or bag changed") for row in rows)
    scroll = history.verticalScrollBar()
    assert scroll.maximum() > 0
    assert history.rowAt(0) == 0  # the newest row on top
    scroll.setValue(scroll.maximum())
    nurse.settle()
    assert history.rowAt(history.viewport().height() - 1) == len(rows) - 1  # down to the start
    assert history.model().index(len(rows) - 1, 1).data() == "Start"
    # A check recorded now: the history's first row, by the nurse who recorded it.
    nurse.session_tab("Timed list")
    nurse.tick()
    saved = nurse.record_check(sedation="1", by="QR")
    assert saved.startswith("Saved at")
    nurse.session_tab("History")
    after = nurse.table("historyTable")
    assert len(after) == len(rows) + 1
    assert after[0][1] == "Check" and after[0][5] == "QR"
    assert after[1:] == rows
    # Closed and opened again: still training.
    nurse.restart(closed_for_min=5)
    assert nurse.find(QLabel, "trainingBanner").isVisible()
    nurse.shoot("training-record")
