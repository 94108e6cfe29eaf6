"""A night shift written to a real record store: the record the export tests export.

Ward infusion (chronic-opioid-tolerant, bed 12, JD, 70 kg) from 20:00 UTC: checks on time, one deferred
with a reason, a sleepy check (POSS 3) and its acknowledgement, a rate increase with a reason, a pause and
a resume, a syringe change, a bolus-free stop 10 h in. Built through the domain's commands (the
`Ledger` of the session tests), then appended to a `RecordStore` record by record.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ketamine_desktop.domain.session import (
    SessionRecord,
    acknowledgement_payload,
    deferral_payload,
    to_payload,
)
from ketamine_desktop.store import RecordStore
from tests.helpers.builders import Ledger, dose, start_draft

NIGHT = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
SESSION = "session-night"


def night_ledger(*, stop: bool = True, hours: int = 10) -> Ledger:
    ledger = Ledger(start_draft(bed="Bed 12", initials="JD", volume="50"), now=NIGHT)
    ledger.event("bolus-given")  # the planned bolus, given at the start

    def at(minutes: float) -> None:
        ledger.now = NIGHT + timedelta(minutes=minutes)

    def due_checks() -> list[datetime]:
        return [r.due for r in ledger.reminders() if r.kind == "check" and r.active]

    at(0)
    ledger.record_check(NIGHT)
    minute = 0
    deferred = False
    while minute < hours * 60:
        minute += 5
        at(minute)
        for due in due_checks():
            if minute == 45 and not deferred:
                ledger.add(
                    deferral_payload(ledger.state, due, 10, "patient asleep, lights off", "EF", ledger.now),
                    "EF",
                )
                deferred = True
                continue
            sleepy = minute == 120
            record = ledger.record_check(due, poss="3" if sleepy else "2", pain=6 if minute < 120 else 3)
            if sleepy:
                ledger.add(acknowledgement_payload(ledger.state, record.seq, "EF", ledger.now), "EF")
                ledger.event("rate-change", infusion_dose=dose("0.5"))
        if minute == 60:
            ledger.event("rate-change", infusion_dose=dose("1.5"), reason="pain 6 after an hour")
        if minute == 200:
            ledger.event("pause")
        if minute == 230:
            ledger.event("resume")
        if minute == 400:
            ledger.event("syringe-change", syringe_volume_ml="50")
    if stop:
        ledger.event("stop", end_prompt_done=True)
    return ledger


def write(data_dir: Path, ledger: Ledger, session_id: str = SESSION) -> list[SessionRecord]:
    """Append the ledger's records to the record in `data_dir` (after any already there)."""
    library = ledger.library
    with RecordStore.open(data_dir) as store:
        for record in ledger.records:
            store.append(
                session_id,
                record.kind,
                to_payload(record.body),
                recorded_by=record.recorded_by,
                recorded_at=record.recorded_at,
                library_version=library.version,
                library_sha256=library.sha256,
            )
    return ledger.records
