"""The record's open-time check (`check_record`: the whole hash chain, SQLite's quick_check, the witness)
run off the GUI thread, so the window is up while a long record is walked.

The check runs in a QThread of its own, in a worker object that lives there; `check_record` opens its own
read-only connections in that thread (a SQLite connection belongs to the thread that made it), and the
result comes back to the GUI thread through a queued signal (`checked`). Nothing is written meanwhile: the
app holds the record open read-only (`RecordStore.open_unchecked`) until the check has passed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from ketamine_desktop.store.record_check import RecordCheck, check_record


class _Worker(QObject):
    """Lives in the check's thread: runs the check once and hands back what it found (or what it raised)."""

    done = Signal(object)  # RecordCheck | BaseException

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self._data_dir = data_dir

    @Slot()
    def run(self) -> None:
        outcome: RecordCheck | BaseException
        try:
            outcome = check_record(self._data_dir, thorough=False)
        except BaseException as exc:  # handed to the GUI thread, which says it
            outcome = exc
        self.done.emit(outcome)


class RecordChecker(QObject):
    """Checks the record in `data_dir` in a thread of its own once `start` is called; `checked` is emitted
    in the GUI thread with the `RecordCheck`, or with the exception the check raised (an OSError, a
    StoreError). `stop` waits for the thread (call it before the app exits)."""

    checked = Signal(object)

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.result: RecordCheck | BaseException | None = None
        self._thread = QThread()
        self._thread.setObjectName("record-check")
        self._worker = _Worker(data_dir)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.done.connect(self._on_done, Qt.ConnectionType.QueuedConnection)
        self._started = False

    @property
    def running(self) -> bool:
        return self._started and self.result is None

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    @Slot(object)
    def _on_done(self, outcome: RecordCheck | BaseException) -> None:
        self.result = outcome
        self._thread.quit()
        self.checked.emit(outcome)

    def stop(self) -> None:
        """Wait for the check's thread to end (a check under way runs to its end: it only reads)."""
        if self._started:
            self._thread.quit()
            self._thread.wait()
