"""The nurse: drives the real, wired main window through a shift on a fake clock, and reads the screen.

Whole-shift scenarios (tests/scenarios/test_*.py, one story per file; the stories are in
shared/design/scenarios.md) use only this driver and the widgets' objectNames: they do what a nurse does
(type, choose, click) and assert what the screen SAYS. Nothing here calls a store command directly.

    def test_a_quiet_shift(nurse: Nurse) -> None:
        nurse.start("chronic-opioid-tolerant", weight="70")        # Dosing tab, screening, checklist, start
        assert nurse.banner().startswith("DUE: Check due")         # the baseline is due at once
        nurse.record_check(sedation="1")                            # normal values unless overridden
        nurse.wait(15)                                              # the fake clock moves, the ticker ticks
        assert nurse.header()["next"].startswith("CHECK DUE NOW")
        nurse.restart()                                             # the app closed and reopened, same data
        nurse.shoot("after-restart")                                # PNG when SCENARIO_SHOTS is set

Reading:
- `header()`: the session header's texts by key (status, rate, dose, syringe, next, and any other QLabel
  in it with an objectName, keyed by that name).
- `banner()`: the alert banner's text, "" when hidden.
- `timed_list()`: the timed list's rows as (status, due, what, when) strings, in screen order.
- `assessment()`: the assessment view's texts (decision, decision_text, heading, news2, actions: the
  numbered list, one string per row; also: the "also triggered" line; answer: how the decision was
  answered).
- `decision()`: the open decision in the header ("STOP ADVISED at 20:15 - infusion still recorded as
  running"), "" when none is open; `answer("stop" | "pause" | "reduce" | "not-done")` clicks its button.
- `label(name)`, `find(cls, name)`, `click(name)`, `type(name, text)`: any widget by objectName.
- `hm(minutes)`: the local clock time ("20:15") that many minutes after the start, as the screen shows it.

Time: the clock starts at `START` (20:00 UTC); `wait(minutes)` advances it and ticks once, as the one
1-second ticker would; `wait_until(minutes)` moves to that many minutes after the start.

Screenshots: `shoot(name)` saves the window as PNG into $SCENARIO_SHOTS (nothing without it), e.g.
`SCENARIO_SHOTS=/tmp/shots/loop pytest tests/scenarios`.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ketamine_desktop.app import SessionParts, attach_session, build_main_window
from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.gui.main_window import MainWindow
from ketamine_desktop.gui.monitoring.words import clock_time
from ketamine_desktop.state.settings import ViewSettings
from ketamine_desktop.store import InstanceLock, RecordStore
from ketamine_desktop.store.record_access import open_record
from tests.helpers.gui_helpers import answer_screening, find, find_all, open_dialogs, select_tab
from tests.helpers.session_helpers import fill

START = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
W = TypeVar("W", bound=QObject)


class SilentPlayer:
    """Plays no sound and says it did (the alert's "no sound" path is tested elsewhere)."""

    name = "scenario player"

    def play(self, path: Path) -> bool:
        del path
        return True

    def working(self) -> bool:
        return True


class Nurse:
    """One nurse, one bedside laptop, one data directory."""

    def __init__(
        self,
        qtbot: QtBot,
        qapp: QApplication,
        library: Library,
        clock: FakeClock,
        data_dir: Path,
        settings_path: Path,
    ) -> None:
        self.qtbot = qtbot
        self.qapp = qapp
        self.library = library
        self.clock = clock
        self.data_dir = data_dir
        self.settings_path = settings_path
        self.window: MainWindow | None = None
        self.parts: SessionParts | None = None
        self._lock: InstanceLock | None = None
        self._records: RecordStore | None = None
        self._shots = os.environ.get("SCENARIO_SHOTS")

    # --- the app -------------------------------------------------------------------------------------

    def open(self) -> None:
        """Open the app on the data directory, as app.py does (the record first, the session after)."""
        assert self.window is None, "the app is already open"
        self._lock, self._records = open_record(self.data_dir)
        window, plan = build_main_window(
            self.qapp, self.library, ViewSettings(self.settings_path), self.clock
        )
        self.qtbot.addWidget(window)
        window.resize(1366, 768)
        parts = attach_session(
            window, plan, self.library, self._records, self.clock, SilentPlayer(), start_ticker=False
        )
        window.show()
        self.qtbot.waitExposed(window)
        parts.ticker.start()  # its first tick shows whatever fell due while the app was closed
        self.window, self.parts = window, parts
        self.settle()

    def close(self) -> None:
        """Quit the app (the record stays on disk)."""
        if self.window is None:
            return
        assert self.parts is not None and self._records is not None and self._lock is not None
        self.parts.panel.close_dialogs()
        self.parts.ticker.stop()
        self.window.close()
        self._records.close()
        self._lock.release()
        self.window = self.parts = None
        self._records = self._lock = None

    def restart(self, closed_for_min: float = 0) -> None:
        """Quit, let `closed_for_min` minutes pass, open again on the same data directory."""
        self.close()
        if closed_for_min:
            self.clock.advance(closed_for_min * 60)
        self.open()

    @property
    def win(self) -> MainWindow:
        assert self.window is not None, "the app is not open"
        return self.window

    # --- time ----------------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def minutes(self) -> float:
        """Minutes since the start of the scenario's clock."""
        return (self.clock.now() - START) / timedelta(minutes=1)

    def wait(self, minutes: float) -> None:
        """Time passes; the ticker ticks (once: due times are absolute, nothing counts ticks)."""
        self.clock.advance(minutes * 60)
        self.tick()

    def wait_until(self, minutes: float) -> None:
        """Move the clock to `minutes` after START (never back)."""
        ahead = minutes - self.minutes()
        assert ahead >= 0, f"the clock is already {self.minutes()} min after the start"
        self.wait(ahead)

    def tick(self) -> None:
        assert self.parts is not None
        self.parts.ticker.tick()
        self.settle()

    def settle(self) -> None:
        """Let Qt deliver what it queued (a widget added to a shown layout is shown on the next turn)."""
        for _ in range(2):
            self.qapp.processEvents()

    @staticmethod
    def at(minutes: float) -> datetime:
        return START + timedelta(minutes=minutes)

    @staticmethod
    def hm(minutes: float) -> str:
        """The local clock time `minutes` after START, as the screen writes it ("20:15")."""
        return clock_time(START + timedelta(minutes=minutes))

    # --- finding and doing -----------------------------------------------------------------------------

    def find(self, cls: type[W], name: str) -> W:
        """The one widget of that class and objectName in the window or an open dialog."""
        return find(self.win, cls, name)

    def has(self, cls: type[QObject], name: str) -> bool:
        try:
            widget = self.find(cls, name)
        except AssertionError:
            return False
        return not isinstance(widget, QWidget) or widget.isVisible()

    def label(self, name: str) -> str:
        return self.find(QLabel, name).text()

    def click(self, name: str) -> None:
        button = self.find(QAbstractButton, name)
        assert button.isVisible() and button.isEnabled(), f"{name} cannot be clicked now"
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        self.settle()

    def type(self, name: str, text: str) -> None:
        """Clear the field and type `text` key by key."""
        edit = self.find(QLineEdit, name)
        edit.setFocus()
        edit.selectAll()
        self.qtbot.keyClick(edit, Qt.Key.Key_Backspace)
        self.qtbot.keyClicks(edit, text)

    def choose(self, name: str, value: str) -> None:
        combo = self.find(QComboBox, name)
        index = combo.findData(value)
        assert index >= 0, f"{name} has no choice {value!r}"
        combo.setCurrentIndex(index)
        combo.activated.emit(index)

    def show_tab(self, name: str) -> None:
        """Bring a main tab forward as the keyboard does (Ctrl+1 ... Ctrl+4)."""
        number = ("dosing", "monitoring", "contraindications", "side effects").index(name) + 1
        action = self.win.findChild(QAction, f"showTab{number}Action")
        assert action is not None, name
        action.trigger()
        self.settle()

    def session_tab(self, label: str) -> None:
        """Bring forward a tab of the running session ("Timed list", "History", "Trend chart", "Handover")."""
        select_tab(self.win, "sessionTabs", label)
        self.settle()

    def dialog(self, name: str) -> QDialog:
        """The open dialog with that objectName."""
        dialog = self.find(QDialog, name)
        assert dialog.isVisible(), f"{name} is not open"
        return dialog

    # --- what a nurse does -------------------------------------------------------------------------------

    def start(
        self,
        protocol: str = "chronic-opioid-tolerant",
        *,
        weight: str = "70",
        volume: str = "50",
        bed: str = "Ward 7 bed 12",
        initials: str = "JD",
        checker: str = "B. Checker",
        by: str = "AB",
    ) -> None:
        """Patient strip, contraindications (none present), protocol and weight, then the pre-start
        checklist (bed, syringe volume, items, gates, second checker, who starts) starts the session.

        The one place that knows how a session starts: when the start flow changes, only this changes.
        """
        self.type("bedField", bed)
        self.type("initialsField", initials)
        answer_screening(self.win)
        self.choose("protocolCombo", protocol)
        self.type("weightField", weight)
        self.click("startButton")
        dialog = self.dialog("prestartDialog")
        if self.has(QLineEdit, "prestartVolumeField"):
            self.type("prestartVolumeField", volume)
        self.type("prestartStartedByField", by)
        for box in find_all(dialog, QCheckBox, r"checklist_.+|gate_\d+"):
            box.setChecked(True)
        for field in find_all(dialog, QLineEdit, r"checklist_.+_name"):
            field.setText(checker)
        self.click("prestartCompleteButton")
        assert self.parts is not None and self.parts.store.running, self.label("prestartMissing")

    def keep_up_until(self, minutes: float, sedation: str = "1") -> None:
        """Record every check due before `minutes` after the start, with normal values, as it falls due;
        then wait until `minutes` (a check due then is left for the scenario). A driver convenience: it
        reads the next due time from the session store."""
        assert self.parts is not None
        while True:
            waiting = [r for r in self.parts.store.reminders if r.kind == "check" and r.status != "done"]
            if not waiting or waiting[0].due >= self.at(minutes):
                break
            due_in = (waiting[0].due - self.now()) / timedelta(minutes=1)
            if due_in > 0:
                self.wait(due_in)
            saved = self.record_check(sedation=sedation)
            assert saved.startswith("Saved at"), saved
        self.wait_until(minutes)

    def decision(self) -> str:
        """The open decision as the header says it; "" when none is open."""
        frame = self.find(QWidget, "openDecisionFrame")
        return self.label("openDecision") if frame.isVisibleTo(self.find(QWidget, "runningSession")) else ""

    def answer(self, answer: str) -> None:
        """Click the open decision's answer: "stop", "pause", "reduce" or "not-done"."""
        names = {
            "stop": "answerStopButton",
            "pause": "answerPauseButton",
            "reduce": "answerReduceButton",
            "not-done": "answerNotDoneButton",
        }
        self.show_tab("monitoring")
        self.click(names[answer])

    def record_check(self, sedation: str = "1", by: str = "EF", **values: str) -> str:
        """Fill the record form for the check it shows (normal values unless given, by the form's field
        names: respiration_rate, spo2, pulse, systolic_bp, diastolic_bp, pain, temperature, oxygen, consciousness,
        hallucinations, dysphoria, nightmares, nausea, monitors), save, and return what the form says."""
        fill(self.qtbot, self.win, sedation, by, **values)
        self.click("saveCheckButton")
        return self.label("saveStatus")

    # --- what the screen says ----------------------------------------------------------------------------

    def header(self) -> dict[str, str]:
        """The session header's texts: status, rate, dose, syringe, next (the next-check line), and every
        other named label in the header by its objectName."""
        header = self.find(QWidget, "sessionHeader")
        texts = {
            label.objectName(): label.text() for label in header.findChildren(QLabel) if label.objectName()
        }
        short = {
            "status": "sessionStatus",
            "rate": "sessionRate",
            "dose": "sessionDose",
            "syringe": "sessionSyringe",
            "next": "nextCheck",
        }
        for key, name in short.items():
            texts[key] = texts.get(name, "")
        return texts

    def banner(self) -> str:
        """The alert banner's text over every tab, "" when it is hidden."""
        banner = self.find(QWidget, "alertBanner")
        return self.label("alertBannerText") if banner.isVisible() else ""

    def timed_list(self) -> list[tuple[str, ...]]:
        """The timed list as the screen shows it: one (status, due, what, when) per row."""
        return self.table("reminderList")

    def table(self, name: str) -> list[tuple[str, ...]]:
        model = self.find(QTableView, name).model()
        return [
            tuple(str(model.data(model.index(row, column)) or "") for column in range(model.columnCount()))
            for row in range(model.rowCount())
        ]

    def assessment(self) -> dict[str, Any]:
        """The latest check's assessment: decision ("Decision: STOP the infusion"), decision_text (what
        to do), heading, news2, `actions` (the numbered list: one "1. URGENT text Sources: ..." string
        per row, in order) and also (the "also triggered" line, "" when none)."""
        view = self.find(QWidget, "assessmentView")
        rows = [
            " ".join(label.text() for label in row.findChildren(QLabel) if label.text())
            for row in view.findChildren(QWidget)
            if row.objectName().startswith(("action_", "step_")) and row.isVisibleTo(view)
        ]
        also = self.find(QLabel, "alsoTriggered")
        answer = self.find(QLabel, "decisionAnswer")
        return {
            "answer": answer.text() if answer.isVisibleTo(view) else "",
            "decision": self.label("infusionDecision"),
            "decision_text": self.label("decisionText"),
            "heading": self.label("assessmentHeading"),
            "news2": self.label("news2Summary"),
            "actions": rows,
            "also": also.text() if also.isVisibleTo(view) else "",
        }

    def shoot(self, name: str) -> Path | None:
        """Save the window (and any open dialog) as PNG under $SCENARIO_SHOTS; nothing without it."""
        if not self._shots:
            return None
        folder = Path(self._shots)
        folder.mkdir(parents=True, exist_ok=True)
        self.settle()
        path = folder / f"{name}.png"
        self.win.grab().save(str(path))
        for index, root in enumerate(open_dialogs(self.win)):
            root.grab().save(str(folder / f"{name}-dialog{index + 1}.png"))
        return path
