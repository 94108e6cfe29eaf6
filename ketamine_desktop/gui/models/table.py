"""One table model for every list the window shows: an adapter over an immutable tuple, columns declared
once, every cell's text from a formatter the caller gives (which in turn uses the domain's formatters)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex


def header_text(
    section: int, orientation: Qt.Orientation, role: int, titles: Sequence[str], rows: int
) -> Any:
    """A read-only table's header: the column's title across, the row's number (from 1) down."""
    if role != Qt.ItemDataRole.DisplayRole:
        return None
    if orientation == Qt.Orientation.Horizontal:
        return titles[section] if 0 <= section < len(titles) else None
    return str(section + 1) if 0 <= section < rows else None


@dataclass(frozen=True)
class Column(Generic[T]):
    title: str
    text: Callable[[T], str]
    tooltip: Callable[[T], str] | None = None
    icon: Callable[[T], QIcon] | None = None


class TupleTableModel(QAbstractTableModel, Generic[T]):
    """Read-only rows; `set_rows` swaps the whole tuple (the domain builds a new one on every change)."""

    def __init__(
        self, columns: Sequence[Column[T]], rows: Sequence[T] = (), parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._rows: tuple[T, ...] = ()
        self._texts: tuple[tuple[str, ...], ...] = ()
        self._store(rows)

    @property
    def rows(self) -> tuple[T, ...]:
        return self._rows

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._store(rows)
        self.endResetModel()

    def _store(self, rows: Sequence[T]) -> None:
        # The texts are worked out once: views that size rows to their contents ask for them thousands
        # of times (on every re-style), and the rows never change in place.
        self._rows = tuple(rows)
        self._texts = tuple(tuple(column.text(row) for column in self._columns) for row in self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self._columns):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._texts[index.row()][index.column()]
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row)
        if role == Qt.ItemDataRole.DecorationRole and column.icon is not None:
            return column.icon(row)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return header_text(section, orientation, role, [c.title for c in self._columns], len(self._rows))

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
