"""The Monitoring panel never writes to the session itself: it emits commands, and shows the store's answer
where it was asked (the record-check form, a dialog). app.py connects the two (`connect_panel_commands`)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.session import EventDraft
from ketamine_desktop.gui.monitoring.events import EventDialog
from ketamine_desktop.gui.monitoring.panel import MonitoringPanel
from ketamine_desktop.state.session_commands import RecordEvent, RecordObservation
from ketamine_desktop.state.session_store import SessionStore
from ketamine_desktop.store import RecordStore
from tests.helpers.builders import T0, THEATRE, start_draft
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
    running = panel.running
    assert running is not None
    fill(qtbot, running.form, sedation="0")
    with qtbot.waitSignal(panel.command_issued) as issued:
        running.form.save_button.click()
    command = issued.args[0]
    assert isinstance(command, RecordObservation) and command.by == "EF"
    assert command.draft.check_due == T0 and command.draft.observation.respiration_rate == 16
    assert session_store.state is not None and session_store.state.observations == ()
    assert running.form.numbers["respiration_rate"].text() == "16" and running.form.message.text() == ""


def test_an_answer_to_another_command_is_not_shown_on_the_panel(
    qtbot: QtBot, panel: MonitoringPanel, session_store: SessionStore, clock: FakeClock
) -> None:
    started(session_store, clock)
    running = panel.running
    assert running is not None
    fill(qtbot, running.form, sedation="0")
    with qtbot.waitSignal(session_store.answered):
        session_store.apply(RecordEvent(EventDraft(kind="pause"), "GH"))  # not the panel's command
    assert running.form.message.text() == ""
    assert running.form.numbers["respiration_rate"].text() == "16"
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
    running = panel.running
    assert running is not None
    fail_commits(monkeypatch, record_store, [True])
    running.events.buttons["pause"].click()
    dialog = panel.dialog
    assert isinstance(dialog, EventDialog) and dialog.isVisible()
    type_into(qtbot, dialog.by, "EF")
    dialog.confirm_button.click()
    assert dialog.isVisible() and dialog.by.text() == "EF"
    assert dialog.message.text().startswith("NOT SAVED") and "disk I/O error" in dialog.message.text()
    assert session_store.state is not None and session_store.state.status == "running"
    dialog.confirm_button.click()
    assert not dialog.isVisible()
    assert session_store.state is not None and session_store.state.status == "paused"
