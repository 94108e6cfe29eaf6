"""Table model over the planned monitoring checks (domain `Check` tuples), in local time for reading."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from PySide6.QtCore import QObject

from ketamine_desktop.domain.library import Item
from ketamine_desktop.domain.schedule import Check
from ketamine_desktop.gui.models.table import Column, TupleTableModel

ITEM_WORDS: dict[Item, str] = {
    "respiratory_rate": "Resp. rate",
    "spo2": "SpO2",
    "heart_rate": "Heart rate",
    "blood_pressure": "BP",
    "sedation": "Sedation",
    "consciousness": "ACVPU",
    "pain": "Pain",
    "psychotomimetic": "Psychotomimetic",
    "nausea": "Nausea",
    "temperature": "Temp",
    "monitors_attached": "Monitors on",
}
KIND_WORDS: dict[str, str] = {
    "baseline": "Baseline",
    "routine": "Routine",
    "after-change": "After a change",
    "after-stop": "After stopping",
}


def local_time(instant: datetime, start: datetime) -> str:
    """ "08:15", or "Sat 21 Nov 08:15" when the day differs from the start's (local time zone)."""
    local, local_start = instant.astimezone(), start.astimezone()
    if local.date() == local_start.date():
        return local.strftime("%H:%M")
    return local.strftime("%a %d %b %H:%M")


def offset_words(instant: datetime, start: datetime) -> str:
    """ "+0:15", "+24:00": time from the start, hours and minutes."""
    minutes = int((instant - start).total_seconds() // 60)
    return f"+{minutes // 60}:{minutes % 60:02d}"


class PlannedCheck(NamedTuple):
    """A check with the start it is shown relative to."""

    start: datetime
    check: Check


def planned_rows(start: datetime, checks: tuple[Check, ...]) -> tuple[PlannedCheck, ...]:
    return tuple(PlannedCheck(start, check) for check in checks)


def schedule_model(parent: QObject | None = None) -> TupleTableModel[PlannedCheck]:
    columns: tuple[Column[PlannedCheck], ...] = (
        Column("Due (local time)", lambda r: local_time(r.check.due, r.start)),
        Column("From start", lambda r: offset_words(r.check.due, r.start)),
        Column("Kind", lambda r: KIND_WORDS.get(r.check.kind, r.check.kind)),
        Column("Record", lambda r: ", ".join(ITEM_WORDS.get(i, i) for i in r.check.items)),
        Column("Interval", lambda r: f"every {r.check.interval_min} min"),
        Column("Overdue after", lambda r: f"{r.check.grace_min} min late"),
    )
    return TupleTableModel(columns, (), parent)
