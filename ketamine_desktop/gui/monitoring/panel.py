"""The running session on the Monitoring tab: the panel fills the session's view (header, timed list,
record-check form and its assessment, event buttons, history, trend and handover: running_session.py)
from the session store, and opens the dialogs its buttons ask for.

It is a view over the session store: `show_session(update)` re-reads what the update says changed. It
never changes the session itself: every button or dialog emits one session command (`command_issued`,
state/session_commands.py), and the store's answer comes back through `on_session_answered`, which shows
the `Outcome` where it was asked ("saved" only when the store says so; a refused or failed save keeps the
values and says why). app.py connects both. Before a session runs it is empty: the pre-start checklist
(Dosing tab, Start) starts the session.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QLabel, QVBoxLayout, QWidget

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
from ketamine_desktop.gui.monitoring.events import EventDialog
from ketamine_desktop.gui.monitoring.header import decision_words
from ketamine_desktop.gui.monitoring.reason_dialogs import (
    AdverseEventDialog,
    CloseDialog,
    DeferDialog,
    NotDoneDialog,
)
from ketamine_desktop.gui.monitoring.running_session import RunningSession
from ketamine_desktop.gui.monitoring.trend_chart import trend_data
from ketamine_desktop.gui.monitoring.words import clock_time
from ketamine_desktop.gui.widgets.accessible import styled
from ketamine_desktop.state.session_commands import (
    Acknowledge,
    AnswerNotDone,
    CloseSession,
    CompleteTask,
    DeferCheck,
    Outcome,
    RecordAdverseEvent,
    RecordEvent,
    RecordObservation,
    SessionCommand,
)
from ketamine_desktop.state.session_store import SessionChange, SessionStore, SessionUpdate
from ketamine_desktop.store import StoreError

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


class MonitoringPanel(QWidget):
    """The running session, once there is one (and the record's load error, if any)."""

    command_issued = Signal(object)  # a state.session_commands command

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
        # The command issued last and where its answer is shown, until the store answers it.
        self._awaiting: tuple[SessionCommand, Callable[[Outcome], None]] | None = None
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
            running.fit_rows(running.reminder_model.set_rows(list_rows(reminders), now))
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
            if running.tabs.currentWidget() is running.trend_holder:
                chart.set_data(trend_data(state, now))
                running.refresh_trend = False
            else:
                running.refresh_trend = True  # a save on another tab: drawn again when the chart is shown

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
            handover_facts(state, now, head, records, self._store.checks()),
            self._library,
            training,
            numbers.number_format(),
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
        self._issue(RecordObservation(draft, running.form.recorded_by), self._show_saved_check)

    def _show_saved_check(self, outcome: Outcome) -> None:
        """A saved check clears the form and brings its assessment into view; a refused or failed save
        keeps the values in the form and says why."""
        running = self.running
        if running is None:
            return
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
            lambda due, minutes, reason, by: self._issue_from(dialog, DeferCheck(due, minutes, reason, by))
        )
        self._open(dialog)

    def _on_acknowledge_requested(self, seq: int, by: str) -> None:
        self._issue(Acknowledge(seq, by), self._show_acknowledged)

    def _show_acknowledged(self, outcome: Outcome) -> None:
        running = self.running
        if running is not None and not outcome.saved:
            running.assessment.ack_text.setText(f"Not acknowledged: {outcome.message}")

    def _on_event_requested(self, kind: EventRequestKind) -> None:
        state = self._store.state
        if state is None:
            return
        dialog = EventDialog(self._library, state, kind, self._store.preview_event, self, now=self._store.now)
        dialog.confirmed.connect(lambda draft, by: self._issue_from(dialog, RecordEvent(draft, by)))
        self._open(dialog)

    def _on_adverse_requested(self) -> None:
        dialog = AdverseEventDialog(self._library, self)
        dialog.confirmed.connect(lambda draft, by: self._issue_from(dialog, RecordAdverseEvent(draft, by)))
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
                lambda reason, clinician, by: self._issue_from(
                    not_done, AnswerNotDone(decision.observation_seq, reason, clinician, by)
                )
            )
            self._open(not_done)
            return
        kind: EventRequestKind = "rate-change" if answer == "reduce" else answer  # type: ignore[assignment]
        prefill = halved_dose(state) if answer == "reduce" else None
        dialog = EventDialog(
            self._library, state, kind, self._store.preview_event, self, now=self._store.now, prefill=prefill
        )
        dialog.confirmed.connect(lambda draft, by: self._issue_from(dialog, RecordEvent(draft, by)))
        self._open(dialog)

    def _on_close_requested(self) -> None:
        open_count = sum(1 for r in self._store.reminders if r.status != "done")
        dialog = CloseDialog(open_count, self)
        dialog.confirmed.connect(
            lambda reason, by: self._issue_from(dialog, CloseSession(reason or None, by))
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
        self._issue(CompleteTask(reminder.key, running.task_by.text()), self._show_task_done)

    def _show_task_done(self, outcome: Outcome) -> None:
        running = self.running
        if running is not None:
            running.task_message.setText("" if outcome.saved else outcome.message)

    def _open(self, dialog: Dialog) -> None:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = dialog
        dialog.open()

    def _issue(self, command: SessionCommand, show: Callable[[Outcome], None]) -> None:
        """Emit the command; the store's answer (`on_session_answered`) is shown by `show`."""
        self._awaiting = (command, show)
        self.command_issued.emit(command)

    def _issue_from(self, dialog: Dialog, command: SessionCommand) -> None:
        """A dialog's command: saved closes the dialog; refused or not saved keeps it open with its values
        and says why."""
        self._issue(command, lambda outcome: self._finish(dialog, outcome))

    def on_session_answered(self, command: SessionCommand, outcome: Outcome) -> None:
        """The store's answer to a command: shown where this panel asked it (other commands are not ours)."""
        awaiting = self._awaiting
        if awaiting is None or awaiting[0] is not command:
            return
        self._awaiting = None
        awaiting[1](outcome)

    def _finish(self, dialog: Dialog, outcome: Outcome) -> None:
        if outcome.saved:
            dialog.accept()
        else:
            dialog.show_failure(outcome.message)

    def close_dialogs(self) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.close()
