"""The Monitoring panel never writes to the session itself: it emits commands, and shows the store's answer
where it was asked (the record-check form, a dialog). app.py connects the two (`connect_panel_commands`)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.session import EventDraft
from ketamine_desktop.gui.monitoring.panel import MonitoringPanel
from ketamine_desktop.state.session_commands import RecordEvent, RecordObservation
from ketamine_desktop.state.session_store import SessionStore
from ketamine_desktop.store import RecordStore
from tests.helpers.builders import T0, THEATRE, start_draft
from tests.helpers.gui_helpers import find, open_dialog, text
from tests.helpers.session_helpers import fill, type_into
from tests.helpers.store_helpers import fail_commits


def started(store: SessionStore, clock: FakeClock) -> None:
    assert store.start(start_draft(THEATRE, volume="50")).saved
    clock.advance(60)
    store.tick(clock.now(), clock.monotonic())


def test_save_emits_the_check_as_a_command_and_writes_nothing_itself(
    qtbot: QtBot, library: Library, session_store: SessionStore, clock: FakeClock
) -> None:
    """A panel whose commands go nowhere records nothing: the store is changed only through them."""
    panel = MonitoringPanel(library, session_store)
    qtbot.addWidget(panel)
    session_store.changed.connect(panel.show_session)
    started(session_store, clock)
    fill(qtbot, panel, sedation="0")
    with qtbot.waitSignal(panel.command_issued) as issued:
        find(panel, QPushButton, "saveCheckButton").click()
    command = issued.args[0]
    assert isinstance(command, RecordObservation) and command.by == "EF"
    assert command.draft.check_due == T0 and command.draft.observation.respiration_rate == 16
    assert session_store.state is not None and session_store.state.observations == ()
    assert find(panel, QLineEdit, "rrField").text() == "16" and text(panel, "saveStatus") == ""


def test_an_answer_to_another_command_is_not_shown_on_the_panel(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    started(session_store, clock)
    fill(qtbot, panel, sedation="0")
    with qtbot.waitSignal(session_store.answered):
        session_store.apply(RecordEvent(EventDraft(kind="pause"), "GH"))  # not the panel's command
    assert text(panel, "saveStatus") == ""
    assert find(panel, QLineEdit, "rrField").text() == "16"
    assert session_store.state is not None and session_store.state.status == "paused"


def test_a_failed_save_keeps_the_dialog_open_with_its_values_and_says_so(
    qtbot: QtBot,
    panel: MonitoringPanel,
    session_store: SessionStore,
    record_store: RecordStore,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started(session_store, clock)
    fail_commits(monkeypatch, record_store, [True])
    find(panel, QPushButton, "pauseButton").click()
    dialog = open_dialog(panel, "eventDialog")
    by = find(dialog, QLineEdit, "eventByField")
    type_into(qtbot, by, "EF")
    find(dialog, QPushButton, "confirmEventButton").click()
    assert dialog.isVisible() and by.text() == "EF"
    message = text(dialog, "eventMessage")
    assert message.startswith("NOT SAVED") and "disk I/O error" in message
    assert session_store.state is not None and session_store.state.status == "running"
    find(dialog, QPushButton, "confirmEventButton").click()
    assert not dialog.isVisible()
    assert session_store.state is not None and session_store.state.status == "paused"
