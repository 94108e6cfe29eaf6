"""The reminder ticker: the app's one reminder timer, a thin pulse that hands the clock to the store.

A `Qt.PreciseTimer` of about a second calls `store.tick(clock.now(), clock.monotonic())`. It never counts
its own ticks: a blocked event loop skips ticks and a sleeping machine stops them, so elapsed time always
comes from the clock, and due and overdue from absolute due times (reliability recipes 8 to 10).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer

from ketamine_desktop.domain.clock import Clock
from ketamine_desktop.state.session_store import SessionStore

# How often the store looks at the clock: a display refresh rate, not a clinical interval. Due times are
# absolute; a late tick only delays the banner by the lateness.
TICK_MS = 1000


class ReminderTicker(QObject):
    def __init__(self, store: SessionStore, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock
        self.timer = QTimer(self)
        self.timer.setObjectName("reminderTicker")
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        """Tick at once (overdue checks show on the first tick after a start), then every second."""
        self.tick()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def tick(self) -> None:
        self._store.tick(self._clock.now(), self._clock.monotonic())
