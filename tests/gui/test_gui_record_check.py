"""The record's open-time check runs after the first paint, in a thread of its own (issue 11).

The window is up while the whole hash chain is walked; nothing is written and no session is replayed
from the record until the walk has passed. A damaged record found then is asked about exactly as before
(same dialog, same verdict) and nothing is written to it; a checklist completed during the walk waits in
its dialog, says so, and starts the session (saved) once the walk has passed.

The walk is held open by the test (the checker waits on an event the test sets from the GUI thread), so
"during the walk" is certain, not a race.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QPushButton, QTabWidget

from ketamine_desktop import app as app_module
from ketamine_desktop.gui.main_window import START_HELD, MainWindow
from ketamine_desktop.state import record_checker
from ketamine_desktop.state.plan import PlanStore
from ketamine_desktop.store import RecordStore
from ketamine_desktop.store.record_check import RecordCheck, check_record
from tests.helpers.gui_helpers import answer_screening, choose_protocol, complete_checklist, find, text


def _no_dialog(text: str, problems: object) -> None:  # a modal box would wait for ever here
    raise AssertionError(f"{text} {problems}")


def _record(data_dir: Path, count: int) -> None:
    with RecordStore.open(data_dir) as store:
        for i in range(count):
            store.append(
                "s1",
                "note",
                {"n": i},
                recorded_by="nurse A",
                recorded_at=datetime.now(UTC),
                library_version="1.0.0",
                library_sha256="ab" * 32,
            )


def _tamper_tail(data_dir: Path, seq: int) -> None:
    conn = sqlite3.connect(data_dir / "record.sqlite3", isolation_level=None)
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("UPDATE records SET payload = '{\"n\":-1}' WHERE seq = ?", (seq,))
    conn.close()


class _HeldWalk:
    """The checker's `check_record`, held until `release` (called from the GUI thread): records whether
    it was still running when the window was up, and what it found."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.gate = threading.Event()
        self.found: list[RecordCheck] = []
        real = check_record

        def held(data_dir: Path, *, thorough: bool = True) -> RecordCheck:
            assert self.gate.wait(30), "the test never released the walk"
            found = real(data_dir, thorough=thorough)
            self.found.append(found)
            return found

        monkeypatch.setattr(record_checker, "check_record", held)

    def release(self) -> None:
        self.gate.set()


def _when_dosing_ready(monkeypatch: pytest.MonkeyPatch, act: Callable[[MainWindow, PlanStore], None]) -> None:
    """Run `act` once the library is in and the Dosing tab computes (the window has been painted)."""
    real = app_module.complete_main_window

    def complete(window: MainWindow, library: object, clock: object) -> PlanStore:
        plan = real(window, library, clock)  # type: ignore[arg-type]
        act(window, plan)
        return plan

    monkeypatch.setattr(app_module, "complete_main_window", complete)


def _quit_when_checked(monkeypatch: pytest.MonkeyPatch, then: Callable[[MainWindow], None]) -> None:
    """Quit `run_app`'s loop once the record's check is done and the session wired (`then` first)."""
    real = MainWindow.record_checked

    def checked(window: MainWindow) -> None:
        real(window)
        then(window)
        QTimer.singleShot(0, QApplication.quit)

    monkeypatch.setattr(MainWindow, "record_checked", checked)


@pytest.mark.parametrize("start_new", [False, True])
def test_a_tail_tampered_record_found_after_the_window_is_up_is_asked_about_and_not_written(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start_new: bool
) -> None:
    data_dir = tmp_path / "data"
    _record(data_dir, 40)
    _tamper_tail(data_dir, 39)
    before = sqlite3.connect(data_dir / "record.sqlite3").execute("SELECT COUNT(*) FROM records").fetchone()
    walk = _HeldWalk(monkeypatch)
    asked: list[str] = []
    during: list[tuple[bool, bool, str]] = []

    def window_up(window: MainWindow, plan: PlanStore) -> None:
        # The window is painted and the Dosing tab computes while the walk has not finished.
        status = find(window, QLabel, "recordCheckStatus")
        during.append((window.isVisible(), status.isVisible(), status.text()))
        assert not walk.found and not asked
        walk.release()

    def ask(damage: str) -> bool:
        asked.append(damage)
        return start_new

    titles: list[str] = []
    _when_dosing_ready(monkeypatch, window_up)
    _quit_when_checked(monkeypatch, lambda window: titles.append(window.windowTitle()))
    monkeypatch.setattr(app_module, "_ask_start_new_record", ask)
    monkeypatch.setattr(app_module, "_fatal_dialog", _no_dialog)
    assert app_module.run_app(data_dir) == 0

    assert during == [(True, True, during[0][2])] and "Checking the record" in during[0][2]
    assert len(asked) == 1 and "fails its hash chain at record 39" in asked[0]
    broken = sorted(data_dir.glob("record.broken-*.sqlite3"))
    if start_new:
        # The damaged file is set aside unchanged; the new one names it and holds nothing else.
        assert len(broken) == 1
        kept = sqlite3.connect(broken[0]).execute("SELECT COUNT(*) FROM records").fetchone()
        assert kept == before and check_record(data_dir).ok
        with RecordStore.open(data_dir) as store:
            assert [r.kind for r in store.records()] == ["previous-record-file"]
        assert "READ-ONLY" not in titles[0]
    else:
        assert broken == [] and not check_record(data_dir).ok
        after = sqlite3.connect(data_dir / "record.sqlite3").execute("SELECT COUNT(*) FROM records")
        assert after.fetchone() == before
        assert titles[0].endswith("record READ-ONLY (damaged)")


def test_a_start_completed_during_the_walk_is_held_then_saved_once_it_passes(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytestqt.qtbot import QtBot

    data_dir = tmp_path / "data"
    _record(data_dir, 5)  # a record with contents: its check runs after the first paint
    walk = _HeldWalk(monkeypatch)
    seen: dict[str, object] = {}

    def during_the_walk(window: MainWindow, plan: PlanStore) -> None:
        qtbot = QtBot(qapp)
        find(window, QLineEdit, "bedField").setText("Ward 7 bed 12")
        answer_screening(window)
        choose_protocol(window, "chronic-opioid-tolerant")
        weight = find(window, QLineEdit, "weightField")
        weight.setFocus()
        qtbot.keyClicks(weight, "70")
        find(window, QPushButton, "startButton").click()
        dialog = find(window, QDialog, "prestartDialog")
        complete_checklist(window, name="B. Checker")
        # Held, and said: the dialog stays open with its values, nothing is written yet.
        seen["held"] = (dialog.isVisible(), text(dialog, "prestartMissing"))
        seen["records while held"] = len(_kinds(data_dir))
        assert not walk.found
        walk.release()

    def after(window: MainWindow) -> None:
        seen["dialog after"] = find(window, QDialog, "prestartDialog").isVisible()
        seen["tab after"] = find(window, QTabWidget, "mainTabs").currentIndex()
        seen["status after"] = find(window, QLabel, "recordCheckStatus").isVisible()

    _when_dosing_ready(monkeypatch, during_the_walk)
    _quit_when_checked(monkeypatch, after)
    monkeypatch.setattr(app_module, "_fatal_dialog", _no_dialog)
    monkeypatch.setattr(app_module, "_ask_start_new_record", lambda damage: pytest.fail(damage))
    assert app_module.run_app(data_dir) == 0

    assert seen["held"] == (True, START_HELD)
    assert seen["records while held"] == 5
    kinds = _kinds(data_dir)
    assert kinds[:5] == ["note"] * 5 and "session-started" in kinds[5:]
    assert seen["dialog after"] is False and seen["tab after"] == 1 and seen["status after"] is False
    assert check_record(data_dir).ok


def _kinds(data_dir: Path) -> list[str]:
    conn = sqlite3.connect(f"{(data_dir / 'record.sqlite3').resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT kind FROM records ORDER BY seq")]
    finally:
        conn.close()
