"""Builders for session tests: a start, normal observations, and an in-memory record of one session.

Pure domain (no Qt, no SQLite): used by the domain tests of the session fold and the reminders, and by the
state tests to make drafts. Every record goes through `to_payload`, the store's JSON encoding and
`parse_record`, so the tests see what the store would hand back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from ketamine_desktop.domain.assessment import Observation
from ketamine_desktop.domain.library import DoseRate, Item, Library, load_library
from ketamine_desktop.domain.regimen import RegimenRequest
from ketamine_desktop.domain.reminders import Reminder, reminders
from ketamine_desktop.domain.session import (
    EventDraft,
    ObservationDraft,
    Payload,
    SessionRecord,
    SessionState,
    StartDraft,
    apply_record,
    event_payload,
    observation_payload,
    parse_record,
    session_state,
    start_payload,
    to_payload,
)
from ketamine_desktop.store.payload import decode_payload, encode_payload
from tests.helpers.library_edit import DEFAULT_LIBRARY

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
WARD = "chronic-opioid-tolerant"  # POSS, ward schedule, after-stop observation, 48 h planned
ICU = "icu-infusion"  # RASS, monitored schedule, optional bolus, cap
THEATRE = "intraoperative"  # RASS, 15-min grid, end prompt
BOLUS_ONLY = "acute-bolus"  # no infusion
LONG = "neuropathic-prolonged"  # planned 336 h: liver tests
NORMAL_VALUES: dict[str, Any] = {
    "respiration_rate": 16,
    "spo2": 98,
    "oxygen": False,
    "systolic_bp": 130,
    "diastolic_bp": 78,
    "pulse": 72,
    "consciousness": "A",
    "temperature": Decimal("36.8"),
    "pain": 3,
}


@cache
def library() -> Library:
    return load_library(DEFAULT_LIBRARY)  # its signature: tests/reliability/test_library_trust.py


def start_draft(
    protocol: str = WARD,
    *,
    weight: str = "70",
    volume: str | None = "50",
    reason: str | None = None,
    bed: str = "Ward 7 bed 12",
    initials: str | None = "JD",
    **request: Any,
) -> StartDraft:
    return StartDraft(
        request=RegimenRequest(protocol_id=protocol, weight_kg=Decimal(weight), **request),
        bed_label=bed,
        patient_initials=initials,
        syringe_volume_ml=Decimal(volume) if volume is not None else None,
        started_by="AB",
        double_checked_by="CD",
        soft_limit_reason=reason,
    )


def observation_for(
    library: Library, protocol_id: str, items: tuple[Item, ...], **changes: Any
) -> Observation:
    """Normal values for every item, on the protocol's sedation scale; `changes` override."""
    values = dict(NORMAL_VALUES)
    if library.protocol(protocol_id).sedation_scale == "RASS":
        values["rass"] = 0
    else:
        values["poss"] = "1"
    values.update(changes)
    del items
    return Observation.model_validate(values)


def roundtrip(seq: int, body: Payload, by: str, at: datetime) -> SessionRecord:
    """A record as the store would return it: encoded to canonical JSON and parsed back."""
    payload = decode_payload(encode_payload(to_payload(body)))
    return parse_record(seq, _kind(body), payload, by, at)


def _kind(body: Payload) -> str:
    from ketamine_desktop.domain.session import KIND_OF

    return KIND_OF[type(body)]


class Ledger:
    """One session's records in memory, with the domain's commands."""

    def __init__(
        self, draft: StartDraft | None = None, *, now: datetime = T0, lib: Library | None = None
    ) -> None:
        self.library = lib or library()
        self.now = now
        payload = start_payload(self.library, draft or start_draft(), now)
        self.records = [roundtrip(1, payload, "AB", now)]
        self.state: SessionState = session_state(self.library, "session-1", self.records)

    def add(self, body: Payload, by: str = "AB") -> SessionRecord:
        record = roundtrip(self.state.last_seq + 1, body, by, self.now)
        self.records.append(record)
        self.state = apply_record(self.state, record)
        return record

    def at(self, minutes: float) -> datetime:
        self.now = T0 + timedelta(minutes=minutes)
        return self.now

    def record_check(self, due: datetime | None, by: str = "EF", **changes: Any) -> SessionRecord:
        items = self._items(due)
        draft = ObservationDraft(
            check_due=due,
            observation=observation_for(self.library, self.state.start.protocol_id, items, **changes),
            monitors_attached=True,
            answered=items,
        )
        return self.add(observation_payload(self.state, draft, by, self.now), by)

    def event(self, kind: str, **fields: Any) -> SessionRecord:
        draft = EventDraft(kind=kind, **fields)  # type: ignore[arg-type]
        return self.add(event_payload(self.state, draft, self.now))

    def reminders(self) -> tuple[Reminder, ...]:
        return reminders(self.state, self.now)

    def _items(self, due: datetime | None) -> tuple[Item, ...]:
        from ketamine_desktop.domain.library import ITEMS

        if due is None:
            return ITEMS
        found = next((r.check for r in self.reminders() if r.check is not None and r.check.due == due), None)
        return found.items if found is not None else ITEMS


def dose(value: str, unit: str = "mcg/kg/min") -> DoseRate:
    return DoseRate(value=Decimal(value), unit=unit)  # type: ignore[arg-type]


def check_draft(
    state: SessionState, due: datetime | None, found: tuple[Reminder, ...], **changes: Any
) -> ObservationDraft:
    """A complete, normal observation for the check due at `due` (every item, on the right scale)."""
    from ketamine_desktop.domain.library import ITEMS

    check = next((r.check for r in found if r.check is not None and r.check.due == due), None)
    items = check.items if check is not None else ITEMS
    return ObservationDraft(
        check_due=due,
        observation=observation_for(state.library, state.start.protocol_id, items, **changes),
        monitors_attached=True,
        answered=items,
    )
