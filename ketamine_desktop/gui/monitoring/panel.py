"""The running session on the Monitoring tab: header, timed list, record-check form and its assessment,
the event buttons, and the history and trend below.

The panel is a view over the session store: `show_session(update)` re-reads what the update says changed,
and every button goes to one store command, whose `Outcome` it shows ("saved" only when the store says
so). Before a session runs it is empty: the pre-start checklist (Dosing tab, Start) starts the session.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
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

from ketamine_desktop.domain.answering import answerable_checks, default_answer
from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.reminders import Reminder
from ketamine_desktop.domain.session import (
    DecisionAnswerPayload,
    EventRequestKind,
    ObservationPayload,
    Recorded,
    SessionState,
    answer_of,
    halved_dose,
    open_decisions,
)
from ketamine_desktop.export.source import ExportSource
from ketamine_desktop.gui import numbers
from ketamine_desktop.gui.monitoring.assessment_view import AssessmentView
from ketamine_desktop.gui.monitoring.events import EventBar, EventDialog
from ketamine_desktop.gui.monitoring.handover_view import HandoverView
from ketamine_desktop.gui.monitoring.header import SessionHeader, decision_words
from ketamine_desktop.gui.monitoring.history import history_model
from ketamine_desktop.gui.monitoring.reason_dialogs import (
    AdverseEventDialog,
    CloseDialog,
    DeferDialog,
    NotDoneDialog,
)
from ketamine_desktop.gui.monitoring.record_form import RecordCheckForm
from ketamine_desktop.gui.monitoring.reminder_model import ReminderTableModel
from ketamine_desktop.gui.monitoring.trend_chart import TrendChart, trend_data
from ketamine_desktop.gui.monitoring.words import clock_time
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.scroll import vertical_scroll
from ketamine_desktop.state.session_store import Outcome, SessionChange, SessionStore, SessionUpdate
from ketamine_desktop.store import StoreError

# Column widths of the history table, as sample texts measured once in the table's font (Details stretches).
HISTORY_WIDTHS: dict[int, str] = {0: "28 Nov 08:15", 1: "Task done", 3: "10 (high)"}
# How many done checks stay in the timed list (the history keeps them all): a display choice.
DONE_SHOWN = 3
TASK_KINDS = ("lft", "end-prompt")


_ORDER: dict[str, int] = {"urgent": 0, "overdue": 1, "due": 2, "deferred": 3, "upcoming": 4, "done": 5}
Dialog = EventDialog | DeferDialog | CloseDialog | NotDoneDialog | AdverseEventDialog


def list_rows(reminders: tuple[Reminder, ...]) -> tuple[Reminder, ...]:
    """The timed list: what asks for attention first (an open decision, then most urgent, then oldest),
    then deferred and upcoming by time, then the last few done checks."""
    done = [r for r in reminders if r.status == "done"]
    keep = {r.key for r in done[-DONE_SHOWN:]}
    shown = [r for r in reminders if r.status != "done" or r.key in keep]
    return tuple(sorted(shown, key=lambda r: (_ORDER[r.status], r.kind != "decision", r.due)))


EVENT_DONE_WORDS: dict[str, str] = {"stop": "stopped", "pause": "paused", "rate-decrease": "rate reduced"}


def answer_words(state: SessionState, latest: Recorded[ObservationPayload] | None) -> str:
    """How the latest check's decision was answered, in words ("" while open or for a continue)."""
    answer = answer_of(state, latest.seq) if latest is not None else None
    if answer is None:
        return ""
    body = answer.body
    if isinstance(body, DecisionAnswerPayload):
        return (
            f"Not done ({clock_time(body.at)}, recorded by {answer.by}): {body.reason}; "
            f"decided by {body.decided_by}"
        )
    return f"Done: {EVENT_DONE_WORDS.get(body.kind, body.kind)} at {clock_time(body.at)} by {answer.by}"


def record_target(reminders: tuple[Reminder, ...]) -> Reminder | None:
    """The check the form records unless the nurse picks another: the oldest open one, else the next."""
    return default_answer(reminders)


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
        self.list.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
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


class MonitoringPanel(QWidget):
    """The running session, once there is one (and the record's load error, if any)."""

    def __init__(
        self,
        library: Library,
        store: SessionStore,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("monitoringPanel")
        self._library = library
        self._store = store
        self.load_error = styled(QLabel(store.load_error or "", self), "fieldError")
        self.load_error.setObjectName("sessionLoadError")
        self.load_error.setWordWrap(True)
        self.load_error.setVisible(store.load_error is not None)
        self.running: RunningSession | None = None
        self.dialog: Dialog | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.load_error)
        self.show_session(
            SessionUpdate(SessionChange.SESSION | SessionChange.RECORD | SessionChange.REMINDERS)
        )

    # --- showing ---

    def show_list(self) -> None:
        """Bring the timed list forward (the banner's "Show monitoring")."""
        if self.running is not None:
            self.running.tabs.setCurrentIndex(0)

    def show_session(self, update: SessionUpdate) -> None:
        store = self._store
        state = store.state if store.running else None
        if update.change & SessionChange.SESSION:
            self._rebuild(state)
        running = self.running
        if running is None or state is None:
            return
        now = store.now
        reminders = store.reminders
        if update.change & (SessionChange.REMINDERS | SessionChange.RECORD):
            running.header.show_state(state, store.active, store.next_check, now)
            decisions = open_decisions(state)
            running.header.show_decision(decisions[0] if decisions else None)
            running.reminder_model.set_rows(list_rows(reminders), now)
            has_task = any(r.kind in TASK_KINDS and r.active for r in reminders)
            for widget in (running.task_message, running.task_by, running.task_button):
                widget.setVisible(has_task)
            running.form.set_choices(answerable_checks(reminders), now)
            target = running.form.target
            running.events.show_state(state)
            latest = state.observations[-1] if state.observations else None
            acknowledged = latest is not None and any(
                a.body.observation_seq == latest.seq for a in state.acknowledgements
            )
            running.assessment.show_observation(latest, acknowledged, answer_words(state, latest))
            if (
                target is not None
                and target.status in ("due", "overdue")
                and latest is not None
                and latest.body.check_due != target.due
                and running.assessment.show_as_previous()
            ):
                # A new check has begun: the last one's decision and "Saved at" are not about it.
                running.form.show_message("", error=False)
        # The handover follows the record, and a reminder raised to a new level (due, overdue): not every
        # tick, which would rebuild its text once a second.
        handover_changed = update.change & (SessionChange.RECORD | SessionChange.RAISED)
        if handover_changed and running.tabs.currentWidget() is running.handover:
            self._show_handover(running, state, now)
        if update.change & SessionChange.RECORD:
            running.history_model.sync(store.saved_state, running.display)  # only the new rows
        chart = running.trend_chart
        if chart is not None and (update.change & SessionChange.RECORD or running.refresh_trend):
            chart.set_data(trend_data(state, now))
            running.refresh_trend = False

    def _rebuild(self, state: SessionState | None) -> None:
        if self.running is not None:
            self._layout.removeWidget(self.running)
            self.running.hide()
            self.running.deleteLater()
            self.running = None
        if state is None:
            return
        running = RunningSession(self._library, state, self)
        self._layout.addWidget(running, 1)
        running.form.save_requested.connect(self._on_form_save_requested)
        running.form.defer_requested.connect(self._on_form_defer_requested)
        running.assessment.acknowledge_requested.connect(self._on_acknowledge_requested)
        running.header.answer_requested.connect(self._on_answer_requested)
        running.events.event_requested.connect(self._on_event_requested)
        running.events.close_requested.connect(self._on_close_requested)
        running.events.adverse_requested.connect(self._on_adverse_requested)
        running.task_button.clicked.connect(self._on_task_button_clicked)
        running.handover.export_requested.connect(self._on_export_requested)
        running.handover.print_requested.connect(self._on_print_requested)
        running.tabs.currentChanged.connect(self._on_session_tab_changed)
        self.running = running

    def _on_session_tab_changed(self, _index: int) -> None:
        """Only what the tab shown needs: the handover's text, a trend chart just made. (The history is
        kept up to date as records are saved; showing it again builds nothing.)"""
        running = self.running
        state = self._store.state if self._store.running else None
        if running is None or state is None:
            return
        if running.tabs.currentWidget() is running.handover:
            self._show_handover(running, state, self._store.now)
        if running.refresh_trend:
            self.show_session(SessionUpdate(SessionChange.NONE))

    def _show_handover(self, running: RunningSession, state: SessionState, now: datetime) -> None:
        from ketamine_desktop.domain.handover import handover_facts
        from ketamine_desktop.domain.titration import syringe_label
        from ketamine_desktop.export.report_html import handover_html, label_html
        from ketamine_desktop.export.source import is_training_session

        try:
            records, head = self._store.record_head()
        except StoreError as exc:
            running.handover.message.setText(f"The record could not be read: {exc}")
            return
        training = is_training_session(state.session_id)
        html = handover_html(
            handover_facts(state, now, head, records), self._library, training, numbers.number_format()
        )
        label = syringe_label(state)
        if label is not None:
            html += "<h2>Syringe label</h2>" + label_html(
                label, self._library, training, numbers.number_format()
            )
        running.handover.show_html(html)

    # --- commands ---

    def _verified_source(self) -> ExportSource | None:
        """The running session from the record, its chain verified first; None (and why, under the view)
        when it cannot be exported."""
        from ketamine_desktop.domain.session import CorruptRecord
        from ketamine_desktop.export.source import ChainBroken, NoSuchSession, load_session

        running, state = self.running, self._store.state
        if running is None or state is None:
            return None
        try:
            return load_session(self._store.record_snapshot(), self._library, state.session_id)
        except (ChainBroken, NoSuchSession, CorruptRecord, StoreError) as exc:
            running.handover.message.setText(f"Not exported: {exc}")
            return None

    def _on_export_requested(self, fmt: str) -> None:
        """Verify the record, ask where to save, write the export; say what happened under the view."""
        from ketamine_desktop.export.service import FORMATS, SUFFIXES, write_export

        running, state = self.running, self._store.state
        source = self._verified_source()
        if running is None or state is None or source is None:
            return
        chosen = next(f for f in FORMATS if f == fmt)
        title = running.handover.actions_by_format[chosen].text().rstrip(".")
        message = running.handover.message
        bed = "".join(ch if ch.isalnum() else "-" for ch in state.start.bed_label).strip("-") or "record"
        suffix = SUFFIXES[chosen]
        path, _filter = QFileDialog.getSaveFileName(
            self, f"Export: {title}", f"{bed}-{chosen}{suffix}", f"{title} (*{suffix})"
        )
        if not path:
            message.setText("Export cancelled: nothing was written.")
            return
        try:
            size = write_export(source, chosen, Path(path), self._store.now, numbers=numbers.number_format())
        except (OSError, ValueError) as exc:
            message.setText(f"Not exported: {exc}")
            return
        message.setText(
            f"Saved {title} to {path} ({size} bytes). Record head hash {source.head_hash} "
            f"({source.record_count} records)."
        )

    def _on_print_requested(self, fmt: str) -> None:
        """Verify the record, ask for the printer, print the document with the PDF's own layout."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        from ketamine_desktop.export.pdf import DOCUMENTS, paint_document

        running = self.running
        source = self._verified_source()
        if running is None or source is None:
            return
        title = running.handover.print_actions[fmt].text().removeprefix("Print ").rstrip(".")
        message = running.handover.message
        try:
            document = DOCUMENTS[fmt](source, self._store.now, numbers.number_format())
        except ValueError as exc:
            message.setText(f"Not printed: {exc}")
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            message.setText("Printing cancelled.")
            return
        pages = paint_document(printer, document)
        message.setText(f"Printed {title} ({pages} pages). Record head hash {source.head_hash}.")

    def _on_form_save_requested(self) -> None:
        running = self.running
        if running is None:
            return
        draft, _problems = running.form.collect()
        if draft is None:
            return
        outcome = self._store.record_observation(draft, running.form.recorded_by)
        if outcome.saved:
            running.form.clear_values()
            running.form.show_message(outcome.message, error=False)
            running.bring_result_into_view()
        else:
            running.form.show_message(outcome.message, error=True)

    def _on_form_defer_requested(self) -> None:
        running = self.running
        target = running.form.target if running is not None else None
        if target is None or target.check is None:
            return
        dialog = DeferDialog(target.due, target.check.interval_min, self)
        dialog.confirmed.connect(
            lambda due, minutes, reason, by: self._finish(dialog, self._store.defer(due, minutes, reason, by))
        )
        self._open(dialog)

    def _on_acknowledge_requested(self, seq: int, by: str) -> None:
        running = self.running
        outcome = self._store.acknowledge(seq, by)
        if running is not None and not outcome.saved:
            running.assessment.ack_text.setText(f"Not acknowledged: {outcome.message}")

    def _on_event_requested(self, kind: EventRequestKind) -> None:
        state = self._store.state
        if state is None:
            return
        dialog = EventDialog(self._library, state, kind, self._store.preview_event, self, now=self._store.now)
        dialog.confirmed.connect(lambda draft, by: self._finish(dialog, self._store.record_event(draft, by)))
        self._open(dialog)

    def _on_adverse_requested(self) -> None:
        dialog = AdverseEventDialog(self._library, self)
        dialog.confirmed.connect(
            lambda draft, by: self._finish(dialog, self._store.record_adverse_event(draft, by))
        )
        self._open(dialog)

    def _on_answer_requested(self, answer: str) -> None:
        """One click from the open decision: the matching event's dialog (a reduce pre-filled at half the
        dose), or "not done" with a reason and the deciding clinician."""
        state = self._store.state
        decisions = open_decisions(state) if state is not None else ()
        if state is None or not decisions:
            return
        decision = decisions[0]
        if answer == "not-done":
            not_done = NotDoneDialog(decision_words(decision), self)
            not_done.confirmed.connect(
                lambda reason, clinician, by: self._finish(
                    not_done,
                    self._store.answer_not_done(decision.observation_seq, reason, clinician, by),
                )
            )
            self._open(not_done)
            return
        kind: EventRequestKind = "rate-change" if answer == "reduce" else answer  # type: ignore[assignment]
        prefill = halved_dose(state) if answer == "reduce" else None
        dialog = EventDialog(
            self._library, state, kind, self._store.preview_event, self, now=self._store.now, prefill=prefill
        )
        dialog.confirmed.connect(lambda draft, by: self._finish(dialog, self._store.record_event(draft, by)))
        self._open(dialog)

    def _on_close_requested(self) -> None:
        open_count = sum(1 for r in self._store.reminders if r.status != "done")
        dialog = CloseDialog(open_count, self)
        dialog.confirmed.connect(
            lambda reason, by: self._finish(dialog, self._store.close(reason or None, by))
        )
        self._open(dialog)

    def _on_task_button_clicked(self) -> None:
        running = self.running
        if running is None:
            return
        rows = running.list.selectionModel().selectedRows()
        reminder = running.reminder_model.rows[rows[0].row()] if rows else None
        if reminder is None or reminder.kind not in TASK_KINDS:
            running.task_message.setText("Select a task in the list (liver tests, end of infusion).")
            return
        outcome = self._store.complete_task(reminder.key, running.task_by.text())
        running.task_message.setText("" if outcome.saved else outcome.message)

    def _open(self, dialog: Dialog) -> None:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = dialog
        dialog.open()

    def _finish(self, dialog: Dialog, outcome: Outcome) -> None:
        if outcome.saved:
            dialog.accept()
        else:
            dialog.show_failure(outcome.message)

    def close_dialogs(self) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.close()
