"""The timed list as a table model: an adapter over the domain's immutable tuple of reminders.

Rows are swapped whole; when the same reminders are shown again (every tick) only the rows whose words
changed are refreshed, so the view keeps its selection and scroll position and a tick redraws nothing when
nothing it shows changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from ketamine_desktop.domain.reminders import Reminder
from ketamine_desktop.gui.models.table import header_text
from ketamine_desktop.gui.monitoring.words import (
    KIND_WORDS,
    STATUS_LEVELS,
    STATUS_WORDS,
    clock_time,
    status_colour,
    when_words,
)
from ketamine_desktop.gui.theme import level_icon

Index = QModelIndex | QPersistentModelIndex
COLUMNS: tuple[str, ...] = ("Status", "Due", "What", "When")


def what_words(reminder: Reminder) -> str:
    """The "What" column: the reminder, and for a check raised by a rule, the rule and the check."""
    if reminder.kind != "check":
        return f"{KIND_WORDS[reminder.kind]}: {reminder.text}"
    check = reminder.check
    if check is None or not check.reasons:
        return reminder.text
    why = "; ".join(f"{r.label} (check at {clock_time(r.observed_at)})" for r in check.reasons)
    word = "Follow-up" if check.kind == "follow-up" else "Brought forward"
    return f"{word}: {why}. {reminder.text}"


class ReminderTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[Reminder, ...] = ()
        self._now: datetime | None = None
        self._shown: list[tuple[str, ...]] = []  # each row's texts as shown, worked out once per set_rows
        self._bold = QFont()
        self._bold.setBold(True)
        self._texts: tuple[Callable[[Reminder, datetime], str], ...] = (
            lambda r, _now: STATUS_WORDS[r.status],
            lambda r, _now: clock_time(r.due),
            lambda r, _now: what_words(r),
            when_words,
        )

    @property
    def rows(self) -> tuple[Reminder, ...]:
        return self._rows

    def set_rows(self, rows: Sequence[Reminder], now: datetime) -> tuple[int, ...] | None:
        """Show `rows`; returns the rows whose words changed, or None when the rows themselves changed
        (every row is new)."""
        rows = tuple(rows)
        self._now = now
        texts = [tuple(text(r, now) for text in self._texts) for r in rows]
        if [r.key for r in rows] == [r.key for r in self._rows] and rows:
            # The same reminders (every tick): only the rows whose words changed are redrawn (and, in a
            # list sized to its contents, measured again); most ticks change none.
            changed = [i for i, (old, new) in enumerate(zip(self._shown, texts, strict=True)) if old != new]
            self._rows, self._shown = rows, texts
            for row in changed:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            return tuple(changed)
        self.beginResetModel()
        self._rows, self._shown = rows, texts
        self.endResetModel()
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(COLUMNS):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._shown[index.row()][index.column()]
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0:
            return level_icon(STATUS_LEVELS[row.status])
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 0:
            return status_colour(row.status)
        if role == Qt.ItemDataRole.FontRole and row.active:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.text
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return header_text(section, orientation, role, COLUMNS, len(self._rows))

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
