"""CSV export: one row per record of the session, every record exactly as stored.

UTF-8 with a byte-order mark (so a spreadsheet opens it as UTF-8), comma-separated, RFC 4180 quoting,
CRLF line ends, one header row. Times are ISO 8601 with their zone (UTC, `Z`). Numbers are written
exactly as recorded, with a `.` decimal mark and no grouping (this is data for a machine or a
spreadsheet, not a display: a locale's decimal comma would collide with the separator).

Columns (`COLUMNS`, in this order):

| column | what |
|---|---|
| seq | the record's place in the whole record (1, 2, ...) |
| session_id | the session; a `training-` prefix marks a training session |
| training | `true` for a training session's records (not a patient's) |
| kind | session-started, event, observation, deferral, acknowledgement, reminder, task-done, clock-jump, |
| | session-closed |
| recorded_at | when the record was written (ISO 8601, UTC) |
| recorded_by | who wrote it (the app itself for reminders and clock jumps) |
| at | when the thing happened (the start, the event, the observation, ...; ISO 8601, UTC) |
| event | for an event: bolus, rate-increase, rate-decrease, pause, resume, syringe-change, stop |
| rate_ml_per_h | the pump rate set (start, rate change), in mL/h |
| dose_mg_per_kg_per_h, dose_mcg_per_kg_per_min | the dose the set rate delivers, in both units |
| mg_per_h | the same in mg/h |
| concentration_mg_per_ml | the infusion's concentration |
| bolus_mg, bolus_ml | a bolus: mg its volume holds, and that volume |
| syringe_volume_ml | a new syringe or bag's volume |
| rr, spo2, oxygen, sbp, hr, consciousness, | an observation's values (oxygen: true on oxygen, false |
| temperature_c, poss, rass, pain | on air) |
| hallucinations, dysphoria, nightmares, nausea | an observation's side effects (true/false) |
| news2_total, news2_risk, decision | the observation's NEWS2 and the infusion decision at the time |
| reason | the reason given (override, deferral, close) |
| library_version, library_sha256 | the drug library the record was written with |
| prev_hash, hash | the record's place in the SHA-256 hash chain |
| payload_json | the record's full payload, exactly as stored and hashed |
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from ketamine_desktop.domain.regimen import InfusionResult
from ketamine_desktop.domain.session import (
    ClosePayload,
    DeferralPayload,
    EventPayload,
    ObservationPayload,
    SessionRecord,
    StartPayload,
)
from ketamine_desktop.export.source import ExportSource
from ketamine_desktop.json_text import decimal_text
from ketamine_desktop.store.record_store import utc_text
from ketamine_desktop.store.stored_record import StoredRecord

__all__ = ["COLUMNS", "csv_text", "write_csv"]

COLUMNS: tuple[str, ...] = (
    "seq",
    "session_id",
    "training",
    "kind",
    "recorded_at",
    "recorded_by",
    "at",
    "event",
    "rate_ml_per_h",
    "dose_mg_per_kg_per_h",
    "dose_mcg_per_kg_per_min",
    "mg_per_h",
    "concentration_mg_per_ml",
    "bolus_mg",
    "bolus_ml",
    "syringe_volume_ml",
    "rr",
    "spo2",
    "oxygen",
    "sbp",
    "hr",
    "consciousness",
    "temperature_c",
    "poss",
    "rass",
    "pain",
    "hallucinations",
    "dysphoria",
    "nightmares",
    "nausea",
    "news2_total",
    "news2_risk",
    "decision",
    "reason",
    "library_version",
    "library_sha256",
    "prev_hash",
    "hash",
    "payload_json",
)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return decimal_text(value)
    return str(value)


def _row(stored: StoredRecord, parsed: SessionRecord, training: bool) -> dict[str, object]:
    row: dict[str, object] = {
        "seq": stored.seq,
        "session_id": stored.session_id,
        "training": training,
        "kind": stored.kind,
        "recorded_at": stored.recorded_at_utc,
        "recorded_by": stored.recorded_by,
        "library_version": stored.library_version,
        "library_sha256": stored.library_sha256,
        "prev_hash": stored.prev_hash,
        "hash": stored.hash,
        "payload_json": stored.payload_json,
    }
    body = parsed.body
    if isinstance(body, StartPayload):
        row["at"] = utc_text(body.started_at)
        row["reason"] = body.soft_limit_reason
        infusion, bolus = body.regimen.infusion, body.regimen.bolus
        if infusion is not None:
            row.update(_infusion(infusion))
        if bolus is not None:
            row["bolus_mg"], row["bolus_ml"] = bolus.delivered_mg, bolus.volume_ml
        row["syringe_volume_ml"] = body.syringe_volume_ml
    elif isinstance(body, EventPayload):
        row["at"] = utc_text(body.at)
        row["event"] = body.kind
        row["reason"] = body.reason
        if body.infusion is not None:
            row.update(_infusion(body.infusion))
        if body.bolus is not None:
            row["bolus_mg"], row["bolus_ml"] = body.bolus.delivered_mg, body.bolus.volume_ml
        row["syringe_volume_ml"] = body.syringe_volume_ml
    elif isinstance(body, ObservationPayload):
        obs = body.observation
        row.update(
            at=utc_text(body.taken_at),
            rr=obs.respiration_rate,
            spo2=obs.spo2,
            oxygen=obs.oxygen,
            sbp=obs.systolic_bp,
            hr=obs.pulse,
            consciousness=obs.consciousness,
            temperature_c=obs.temperature,
            poss=obs.poss,
            rass=obs.rass,
            pain=obs.pain,
            hallucinations=obs.hallucinations,
            dysphoria=obs.dysphoria,
            nightmares=obs.nightmares,
            nausea=obs.nausea,
            news2_total=body.assessment.news2.total,
            news2_risk=body.assessment.news2.risk,
            decision=body.assessment.infusion,
        )
    elif isinstance(body, DeferralPayload | ClosePayload):
        row["at"], row["reason"] = utc_text(body.at), body.reason
    else:  # acknowledgement, reminder, task-done, clock-jump: a time, nothing else to spread out
        row["at"] = utc_text(body.at)
    return row


def _infusion(infusion: InfusionResult) -> dict[str, object]:
    return {
        "rate_ml_per_h": infusion.rate_ml_per_h,
        "dose_mg_per_kg_per_h": infusion.delivered_mg_per_kg_per_h,
        "dose_mcg_per_kg_per_min": infusion.delivered_mcg_per_kg_per_min,
        "mg_per_h": infusion.delivered_mg_per_h,
        "concentration_mg_per_ml": infusion.concentration_mg_per_ml,
    }


def rows(source: ExportSource) -> Iterable[dict[str, str]]:
    for stored, parsed in zip(source.stored, source.parsed, strict=True):
        raw = _row(stored, parsed, source.training)
        yield {column: _cell(raw.get(column)) for column in COLUMNS}


def csv_text(source: ExportSource) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows(source))
    return out.getvalue()


def write_csv(source: ExportSource, path: str) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        handle.write(csv_text(source))
