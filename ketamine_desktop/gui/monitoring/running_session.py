"""The running session's view on the Monitoring tab: the header, the timed list with its task row, the
event buttons, the record-check form and its assessment, and the history, trend chart and handover as tabs.

It only lays them out and keeps their own display choices (history column widths, the trend chart made
when its tab is first shown, the saved check's result scrolled into view); the Monitoring panel
(gui/monitoring/panel.py) fills it from the session store and turns its buttons into commands.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.session import SessionState
from ketamine_desktop.gui import numbers
from ketamine_desktop.gui.monitoring.assessment_view import AssessmentView
from ketamine_desktop.gui.monitoring.events import EventBar
from ketamine_desktop.gui.monitoring.handover_view import HandoverView
from ketamine_desktop.gui.monitoring.header import SessionHeader
from ketamine_desktop.gui.monitoring.history import history_model
from ketamine_desktop.gui.monitoring.record_form import RecordCheckForm
from ketamine_desktop.gui.monitoring.reminder_model import ReminderTableModel
from ketamine_desktop.gui.monitoring.trend_chart import TrendChart
from ketamine_desktop.gui.monitoring.words import clock_time
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.scroll import vertical_scroll

# Column widths of the history table, as sample texts measured once in the table's font (Details stretches).
HISTORY_WIDTHS: dict[int, str] = {0: "28 Nov 08:15", 1: "Task done", 3: "10 (high)"}

HISTORY_DETAILS = 2  # the history model's columns (gui.monitoring.history.history_model)
HISTORY_DECISION = 4
HISTORY_BY = 5


class RunningSession(QWidget):
    """The session view proper (built when a session is there)."""

    def __init__(self, library: Library, state: SessionState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runningSession")
        display = numbers.Display(library)
        self.display = display
        self.header = SessionHeader(display, self)
        self.reminder_model = ReminderTableModel(self)
        self.list = named(QTableView(self), "reminderList", "Timed checks and reminders")
        self.list.setModel(self.reminder_model)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setWordWrap(True)
        self.list.verticalHeader().hide()
        header = self.list.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # Row heights are measured by `fit_rows` for the rows that changed, not by the header: a header
        # sized to its contents measures every cell several times over on every change.
        self.list.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # A column made wider or narrower (the window resized) wraps the words again: every row re-fitted,
        # once the header has settled (fitted inside the resize, a row kept the height of a narrower column:
        # a four-line reminder 222 px high, one row filling the list).
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self.list.resizeRowsToContents)
        header.sectionResized.connect(lambda *_: self._refit.start())
        self.task_by = named(QLineEdit(self), "taskByField", "Your initials, to mark a task done")
        self.task_by.setPlaceholderText("your initials")
        self.task_by.setMaxLength(40)
        self.task_button = named(
            QPushButton("Mark selected task &done", self),
            "taskDoneButton",
            "Mark the selected task (liver tests, end of infusion) done",
        )
        self.task_message = styled(QLabel(self), "fieldError")
        self.task_message.setObjectName("taskMessage")
        self.events = EventBar(self)
        self.form = RecordCheckForm(library, state.protocol, self)
        self.assessment = AssessmentView(library, self)
        self.history_model = history_model(self)
        self.history = named(QTableView(self), "historyTable", "Session history")
        self.history.setModel(self.history_model)
        # Fixed row heights, one line each, details elided: a long rate change never squeezes the table
        # into unreadable slivers. The full text is on hover and in the details pane below.
        # Thousands of rows over a long session: one line per row (the full text is the tooltip), fixed
        # heights and column widths set once, so that adding a row never measures the others.
        self.history.setWordWrap(False)
        self.history.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.history.verticalHeader().hide()
        self.history.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.history.verticalHeader().setDefaultSectionSize(self.history.fontMetrics().height() + 12)
        history_header = self.history.horizontalHeader()
        history_header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        history_header.setSectionResizeMode(HISTORY_DETAILS, QHeaderView.ResizeMode.Stretch)
        history_header.setSectionResizeMode(HISTORY_DECISION, QHeaderView.ResizeMode.Interactive)
        history_header.resizeSection(HISTORY_DECISION, 130)
        history_header.setSectionResizeMode(HISTORY_BY, QHeaderView.ResizeMode.Interactive)
        history_header.resizeSection(HISTORY_BY, 90)
        self.history_details = QLabel("Select a row to read it in full.", self)
        self.history_details.setObjectName("historyDetails")
        self.history_details.setWordWrap(True)
        self.history_details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.history_details.setProperty("role", "notice")
        self.history_page = QWidget(self)
        history_column = QVBoxLayout(self.history_page)
        history_column.setContentsMargins(0, 0, 0, 0)
        history_column.addWidget(self.history, 1)
        history_column.addWidget(self.history_details)
        self.history.selectionModel().currentRowChanged.connect(self._on_history_row_changed)
        self.history_sized = False  # column widths set when the tab is first shown (styled font)
        self.trend_holder = QWidget(self)
        self.trend_holder.setObjectName("trendHolder")
        QVBoxLayout(self.trend_holder).setContentsMargins(0, 0, 0, 0)
        self.trend_chart: TrendChart | None = None  # made the first time its tab is shown
        self.refresh_trend = False

        task_row = QHBoxLayout()
        task_row.addWidget(self.task_message, 1)
        task_row.addWidget(self.task_by)
        task_row.addWidget(self.task_button)
        timed = QWidget(self)
        timed_column = QVBoxLayout(timed)
        timed_column.setContentsMargins(0, 0, 0, 0)
        timed_column.addWidget(self.list, 1)
        timed_column.addLayout(task_row)
        # The timed list, the history and the trend share the left column as tabs: on a 768-pixel-high
        # screen each then gets the whole height, and the record form stays beside them.
        self.tabs = named(QTabWidget(self), "sessionTabs", "Timed list, history and trend")
        self.tabs.addTab(timed, "Timed &list")
        self.tabs.addTab(self.history_page, "&History")
        self.tabs.addTab(self.trend_holder, "&Trend chart")
        self.handover = HandoverView(self)
        self.tabs.addTab(self.handover, "Hando&ver")
        left = QWidget(self)
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.tabs, 1)
        left_column.addWidget(self.events)
        right_content = QWidget(self)
        right_column = QVBoxLayout(right_content)
        right_column.setContentsMargins(0, 0, 0, 0)
        # The last check's decision first (it is what to act on), then the form for the next check.
        right_column.addWidget(self.assessment)
        right_column.addWidget(self.form)
        right_column.addStretch(1)
        right = vertical_scroll(right_content, "recordScroll")
        self.record_scroll = right
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(left, 5)
        body.addWidget(right, 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addLayout(body, 1)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

    def fit_rows(self, changed: tuple[int, ...] | None) -> None:
        """Each changed row of the timed list as high as its wrapped words (every row after a reset)."""
        if changed is None:
            self.list.resizeRowsToContents()
            return
        for row in changed:
            self.list.resizeRowToContents(row)

    def _on_history_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        rows = self.history_model.rows
        if not current.isValid() or current.row() >= len(rows):
            self.history_details.setText("Select a row to read it in full.")
            return
        row = rows[current.row()]
        parts = [f"{clock_time(row.at)} · {row.kind}", row.what]
        parts += [
            text
            for text in (row.news2 and f"NEWS2 {row.news2}", row.decision, row.by and f"by {row.by}")
            if text
        ]
        self.history_details.setText("\n".join(parts))

    def bring_result_into_view(self) -> None:
        """After a save: the check's heading, NEWS2 and decision where the eyes are, without scrolling."""
        content = self.record_scroll.widget()
        layout = content.layout() if content is not None else None
        assert content is not None and layout is not None
        layout.activate()  # the assessment just changed: lay it out before measuring it
        top = self.assessment.mapTo(content, QPoint(0, 0)).y()
        frame = self.assessment.decision_frame
        bottom = frame.mapTo(content, QPoint(0, frame.height())).y()
        # The saved message just above the assessment stays in view too where the height allows.
        margin = self.form.message.height() + 12
        self.record_scroll.ensureVisible(0, bottom, 0, 8)
        self.record_scroll.ensureVisible(0, max(top - margin, 0), 0, 0)

    def _on_tabs_current_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.history_page and not self.history_sized:
            self.history_sized = True
            metrics = self.history.fontMetrics()
            header = self.history.horizontalHeader()
            for column, sample in HISTORY_WIDTHS.items():
                header.resizeSection(column, metrics.horizontalAdvance(sample) + 20)
            self.history.verticalHeader().setDefaultSectionSize(metrics.height() + 8)
        if self.tabs.widget(index) is self.trend_holder and self.trend_chart is None:
            self.trend_chart = TrendChart(self.trend_holder)
            layout = self.trend_holder.layout()
            assert layout is not None
            layout.addWidget(self.trend_chart)
            self.refresh_trend = True
