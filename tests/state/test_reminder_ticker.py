"""The reminder ticker: one parented precise timer of about a second, a tick at once on start, and the
store given the clock's time (never a count of ticks)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.state.reminder_ticker import TICK_MS, ReminderTicker
from ketamine_desktop.state.session_store import SessionStore
from tests.helpers.builders import start_draft


def test_one_precise_parented_timer(session_store: SessionStore, clock: FakeClock) -> None:
    owner = QObject()
    ticker = ReminderTicker(session_store, clock, owner)
    timers = owner.findChildren(QTimer)
    assert timers == [ticker.timer] and ticker.timer.parent() is ticker
    assert (
        ticker.timer.timerType() == Qt.TimerType.PreciseTimer and ticker.timer.interval() == TICK_MS == 1000
    )
    assert ticker.timer.objectName() == "reminderTicker"


def test_start_ticks_at_once_with_the_clocks_time(session_store: SessionStore, clock: FakeClock) -> None:
    assert session_store.start(start_draft()).saved
    clock.suspend(8 * 3600)
    ticker = ReminderTicker(session_store, clock)
    ticker.start()
    try:
        assert ticker.timer.isActive()
        assert session_store.now == clock.now()
        assert session_store.active and all(r.status in ("overdue", "due") for r in session_store.active)
        assert session_store.active[0].status == "overdue"
    finally:
        ticker.stop()
    assert not ticker.timer.isActive()
