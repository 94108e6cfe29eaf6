"""The session's history as rows: every check, event, adverse event, deferral, acknowledgement and clock
jump, newest first.

`history_rows_after` turns the records of the folded state after a given seq into immutable rows of text
(numbers through the window's ISMP formatting); `HistoryModel` is the table model over them, appended to
as records are saved (a 14-day session has thousands of rows: it never rebuilds or resets them).
"""

from __future__ import annotations

import bisect
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from ketamine_desktop.domain.assessment import Observation
from ketamine_desktop.domain.observation_words import observation_summary
from ketamine_desktop.domain.session import (
    AcknowledgementPayload,
    AdverseEventPayload,
    ClockJumpPayload,
    DeferralPayload,
    EventPayload,
    ObservationPayload,
    Recorded,
    SessionState,
    TaskPayload,
    describe_jump,
)
from ketamine_desktop.gui import numbers
from ketamine_desktop.gui.models.table import Column, header_text
from ketamine_desktop.gui.monitoring.words import clock_time

Index = QModelIndex | QPersistentModelIndex
EVENT_WORDS: dict[str, str] = {
    "bolus": "Bolus",
    "rate-increase": "Rate increased",
    "rate-decrease": "Rate decreased",
    "pause": "Paused",
    "resume": "Resumed",
    "syringe-change": "Syringe or bag changed",
    "stop": "Stopped",
}
DECISION_WORDS: dict[str, str] = {
    "continue": "Continue",
    "reduce": "Reduce the infusion",
    "pause": "Pause the infusion",
    "stop": "STOP the infusion",
}


class HistoryRow(NamedTuple):
    at: datetime
    seq: int
    kind: str
    what: str
    news2: str
    decision: str
    by: str


def observation_text(obs: Observation, monitors: bool | None) -> str:
    """The check in the domain's words, then whether the monitors were on (the History tab says it)."""
    words = observation_summary(obs, numbers.number_format())
    if monitors is None:
        return words
    return ", ".join((words, "monitors on" if monitors else "MONITORS NOT ATTACHED"))


def event_text(event: EventPayload, display: numbers.Display) -> str:
    words = "Planned bolus given" if event.start_bolus else EVENT_WORDS[event.kind]
    if event.kind == "syringe-change" and event.infusion is not None:
        infusion = event.infusion
        confirmed = "; pump set, confirmed" if event.pump_rate_confirmed else ""
        words += (
            f" to {display.mg_per_ml(infusion.concentration_mg_per_ml)}: "
            f"pump {display.ml_per_h(infusion.rate_ml_per_h)} for the same dose "
            f"({display.mg_per_h(infusion.delivered_mg_per_h)}; "
            f"{numbers.dose_rate(infusion.delivered_mg_per_kg_per_h, 'mg/kg/h')}, "
            f"{numbers.dose_rate(infusion.delivered_mcg_per_kg_per_min, 'mcg/kg/min')}){confirmed}"
        )
    elif event.infusion is not None:
        infusion = event.infusion
        words += (
            f" to {numbers.dose_rate(infusion.entered.value, infusion.entered.unit)}: "
            f"{display.ml_per_h(infusion.rate_ml_per_h)} ({display.mg_per_h(infusion.delivered_mg_per_h)}; "
            f"{numbers.dose_rate(infusion.delivered_mg_per_kg_per_h, 'mg/kg/h')}, "
            f"{numbers.dose_rate(infusion.delivered_mcg_per_kg_per_min, 'mcg/kg/min')})"
        )
    if event.bolus is not None:
        bolus = event.bolus
        words += (
            f" {display.mg(bolus.dose_mg)} ({display.mg_per_kg(bolus.dose_mg_per_kg)}) = "
            f"{display.ml(bolus.volume_ml)} of {display.mg_per_ml(bolus.concentration_mg_per_ml)} over "
            f"{display.minutes(bolus.over_min)}"
        )
    if event.syringe_volume_ml is not None:
        words += f": new volume {display.ml(event.syringe_volume_ml)}"
    if event.reason:
        words += f". Reason: {event.reason}"
    if event.prescriber:
        words += f". Ordered by prescriber {event.prescriber}"
    return words


def history_rows(state: SessionState, display: numbers.Display) -> tuple[HistoryRow, ...]:
    """Every row of the session, newest first."""
    return tuple(history_rows_after(state, display, 0))


def history_rows_after(state: SessionState, display: numbers.Display, after_seq: int) -> list[HistoryRow]:
    """The rows of the records after `after_seq`, newest first."""
    entries = sorted(_entries_after(state, after_seq), key=_order, reverse=True)
    return [entry_row(state, entry, display) for entry in entries]


class _Entry(NamedTuple):
    """A history row before its text is made: when, which record, and the record itself."""

    at: datetime
    seq: int
    record: Recorded[Any] | None  # None: the start


def _entries_after(state: SessionState, after_seq: int) -> list[_Entry]:
    """The entries of the records after `after_seq`, unordered. Each of the state's sequences is in seq
    order and read from its end, so this costs what the new records cost, not the session's length."""
    entries: list[_Entry] = []
    if state.start_seq > after_seq:
        entries.append(_Entry(state.start.started_at, state.start_seq, None))
    entries.extend(_Entry(o.body.taken_at, o.seq, o) for o in _after(state.observations, after_seq))
    groups = (
        state.events,
        state.deferrals,
        state.acknowledgements,
        state.adverse_events,
        state.tasks_done,
        state.clock_jumps,
    )
    for group in groups:
        entries.extend(_Entry(r.body.at, r.seq, r) for r in _after(group, after_seq))
    return entries


def entry_row(state: SessionState, entry: _Entry, display: numbers.Display) -> HistoryRow:
    """The row of one entry, in words."""
    record = entry.record
    if record is None:
        start = state.start
        return HistoryRow(
            entry.at,
            entry.seq,
            "Start",
            _start_text(state, display),
            "",
            "",
            f"{start.started_by}; checked by {start.double_checked_by}",
        )
    body = record.body
    if isinstance(body, ObservationPayload):
        news2 = body.assessment.news2
        score = f"{news2.total} ({news2.risk})" + ("" if news2.complete else ", incomplete")
        due = f"check due {clock_time(body.check_due)}: " if body.check_due is not None else "extra check: "
        what = due + observation_text(body.observation, body.monitors_attached)
        return HistoryRow(
            entry.at, entry.seq, "Check", what, score, DECISION_WORDS[body.assessment.infusion], record.by
        )
    if isinstance(body, EventPayload):
        return HistoryRow(entry.at, entry.seq, "Event", event_text(body, display), "", "", record.by)
    if isinstance(body, DeferralPayload):
        what = (
            f"check due {clock_time(body.check_due)} deferred until {clock_time(body.until)}: {body.reason}"
        )
        return HistoryRow(entry.at, entry.seq, "Deferral", what, "", "", record.by)
    if isinstance(body, AcknowledgementPayload):
        what = f"urgent action of record {body.observation_seq}: {', '.join(body.codes)}"
        return HistoryRow(entry.at, entry.seq, "Acknowledged", what, "", "", record.by)
    if isinstance(body, AdverseEventPayload):
        effect = next(
            (e.name for e in state.library.document.side_effects if e.id == body.side_effect_id),
            body.side_effect_id,
        )
        return HistoryRow(
            entry.at, entry.seq, "Adverse event", f"{effect}. Done: {body.action_taken}", "", "", record.by
        )
    if isinstance(body, TaskPayload):
        return HistoryRow(entry.at, entry.seq, "Task done", body.key, "", "", record.by)
    assert isinstance(body, ClockJumpPayload)
    return HistoryRow(entry.at, entry.seq, "Clock", describe_jump(body), "", "", record.by)


R = TypeVar("R", bound=Recorded[Any])


def _after(records: tuple[R, ...], after_seq: int) -> tuple[R, ...]:
    """The records with a seq above `after_seq` (the tuple is in seq order), read from the end."""
    index = len(records)
    while index > 0 and records[index - 1].seq > after_seq:
        index -= 1
    return records[index:]


def _order(entry: _Entry) -> tuple[datetime, int]:
    return (entry.at, entry.seq)


def _start_text(state: SessionState, display: numbers.Display) -> str:
    regimen = state.start.regimen
    parts = [state.protocol.name, display.kg(regimen.weight_kg)]
    if regimen.infusion is not None:
        parts.append(
            f"{display.ml_per_h(regimen.infusion.rate_ml_per_h)} of "
            f"{display.mg_per_ml(regimen.infusion.concentration_mg_per_ml)}"
        )
    if regimen.bolus is not None:
        planned = "bolus" if state.start.bolus_given == "at-start" else "planned bolus"
        parts.append(f"{planned} {display.mg(regimen.bolus.dose_mg)}")
    if state.start.soft_limit_reason:
        parts.append(f"reason: {state.start.soft_limit_reason}")
    return ", ".join(parts)


def day_time(instant: datetime) -> str:
    """Local day and time, "21 Nov 08:15": a long session's history spans days."""
    return instant.astimezone().strftime("%d %b %H:%M")


COLUMNS: tuple[Column[HistoryRow], ...] = (
    Column("Time", lambda r: clock_time(r.at)),
    Column("Type", lambda r: r.kind),
    Column("Details", lambda r: r.what, tooltip=lambda r: r.what),
    Column("NEWS2", lambda r: r.news2),
    Column("Decision", lambda r: r.decision),
    Column("By", lambda r: r.by),
)


class HistoryModel(QAbstractTableModel):
    """The history table, newest first, kept in step with the session by appending: `sync` adds the entries
    of the records saved since the last sync (rows inserted, never a reset), so a save costs what its own
    row costs and showing the tab again costs nothing. A row's text is made the first time the view asks
    for it (with fixed row heights the view asks only for the rows on screen), so a 14-day history opens
    as fast as a one-hour one. A different session resets it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state: SessionState | None = None
        self._display: numbers.Display | None = None
        self._last_seq = 0
        self._keys: list[tuple[datetime, int]] = []  # oldest first, for bisect; row i is entry -1 - i
        self._entries: list[_Entry] = []  # oldest first
        self._texts: dict[int, tuple[HistoryRow, tuple[str, ...]]] = {}  # by seq, made when first shown

    @property
    def rows(self) -> tuple[HistoryRow, ...]:
        """Every row as shown, newest first (makes every row's text: for tests and exports)."""
        return tuple(self._row(row)[0] for row in range(len(self._entries)))

    def sync(self, state: SessionState | None, display: numbers.Display) -> int:
        """Show `state`'s records; returns how many rows were added."""
        previous = self._state
        self._display = display
        if state is None or previous is None or state.session_id != previous.session_id:
            self.beginResetModel()
            self._state = state
            self._entries = sorted(_entries_after(state, 0), key=_order) if state is not None else []
            self._keys = [_order(entry) for entry in self._entries]
            self._texts = {}
            self._last_seq = state.last_seq if state is not None else 0
            self.endResetModel()
            return len(self._entries)
        self._state = state
        if state.last_seq <= self._last_seq:
            return 0
        added = sorted(_entries_after(state, self._last_seq), key=_order)
        self._last_seq = state.last_seq
        for entry in added:
            key = _order(entry)
            at = bisect.bisect(self._keys, key)  # almost always the end: the newest row, shown first
            position = len(self._entries) - at
            self.beginInsertRows(QModelIndex(), position, position)
            self._keys.insert(at, key)
            self._entries.insert(at, entry)
            self.endInsertRows()
        return len(added)

    def _row(self, row: int) -> tuple[HistoryRow, tuple[str, ...]]:
        entry = self._entries[len(self._entries) - 1 - row]
        made = self._texts.get(entry.seq)
        if made is None:
            assert self._state is not None and self._display is not None
            history_row = entry_row(self._state, entry, self._display)
            made = (history_row, tuple(column.text(history_row) for column in COLUMNS))
            self._texts[entry.seq] = made
        return made

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self._entries) or index.column() >= len(COLUMNS):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._row(row)[1][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            column = COLUMNS[index.column()]
            return column.tooltip(self._row(row)[0]) if column.tooltip is not None else None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return header_text(section, orientation, role, [c.title for c in COLUMNS], len(self._entries))

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def history_model(parent: QObject | None = None) -> HistoryModel:
    return HistoryModel(parent)
