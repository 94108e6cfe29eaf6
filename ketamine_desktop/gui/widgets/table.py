"""A read-only table whose rows grow to fit their wrapped text."""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ketamine_desktop.gui.widgets.accessible import named


class WrappingTable(QTableView):
    """Rows are re-measured when the table is resized or its rows are replaced, not on every re-style:
    sizing rows to their contents continuously made switching night mode take most of a second."""

    def __init__(self, object_name: str, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, object_name, accessible_name)
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def fit_columns(self, stretch: tuple[int, ...]) -> None:
        """Stretch the columns in `stretch` (the long texts); size the others to their contents."""
        header = self.horizontalHeader()
        for column in range(self.model().columnCount()):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if column in stretch
                else QHeaderView.ResizeMode.ResizeToContents
            )
            header.setSectionResizeMode(column, mode)
        self.model().modelReset.connect(self.resizeRowsToContents)
        self.model().layoutChanged.connect(self.resizeRowsToContents)
        self.model().rowsInserted.connect(self.resizeRowsToContents)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resizeRowsToContents()
