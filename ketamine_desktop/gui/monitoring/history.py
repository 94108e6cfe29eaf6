"""The session's history as rows: every check, event, adverse event, deferral, acknowledgement and clock
jump, newest first.

`history_rows` turns the folded state into immutable rows of text (numbers through the window's ISMP
formatting); `history_model` is the table model over them.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from PySide6.QtCore import QObject

from ketamine_desktop.domain.assessment import Observation
from ketamine_desktop.domain.session import EventPayload, SessionState, describe_jump
from ketamine_desktop.gui import numbers
from ketamine_desktop.gui.models.table import Column, TupleTableModel
from ketamine_desktop.gui.monitoring.words import clock_time

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
    """ "RR 14, SpO2 97% air, HR 80, BP 120, POSS 2, A, pain 4, temp 36.8 C" and the yes/no items."""
    parts: list[str] = []
    if obs.respiration_rate is not None:
        parts.append(f"RR {obs.respiration_rate}")
    if obs.spo2 is not None:
        air = "" if obs.oxygen is None else (" on oxygen" if obs.oxygen else " air")
        parts.append(f"SpO2 {obs.spo2}%{air}")
    if obs.pulse is not None:
        parts.append(f"HR {obs.pulse}")
    if obs.systolic_bp is not None and obs.diastolic_bp is not None:
        parts.append(f"BP {obs.systolic_bp}/{obs.diastolic_bp}")
    elif obs.systolic_bp is not None:
        parts.append(f"BP {obs.systolic_bp} systolic")
    elif obs.diastolic_bp is not None:
        parts.append(f"BP {obs.diastolic_bp} diastolic")
    if obs.poss is not None:
        parts.append(f"POSS {obs.poss}")
    if obs.rass is not None:
        parts.append(f"RASS {obs.rass:+d}" if obs.rass else "RASS 0")
    if obs.consciousness is not None:
        parts.append(f"ACVPU {obs.consciousness}")
    if obs.pain is not None:
        parts.append(f"pain {obs.pain}/10")
    if obs.temperature is not None:
        parts.append(f"temp {numbers.exact(obs.temperature)} °C")
    effects = [
        name
        for name, on in (
            ("hallucinations", obs.hallucinations),
            ("dysphoria", obs.dysphoria),
            ("nightmares", obs.nightmares),
            ("nausea", obs.nausea),
        )
        if on
    ]
    if effects:
        parts.append(", ".join(effects))
    if monitors is not None:
        parts.append("monitors on" if monitors else "MONITORS NOT ATTACHED")
    return ", ".join(parts)


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
    rows: list[HistoryRow] = []
    start = state.start
    rows.append(
        HistoryRow(
            start.started_at,
            state.start_seq,
            "Start",
            _start_text(state, display),
            "",
            "",
            f"{start.started_by}; checked by {start.double_checked_by}",
        )
    )
    for obs in state.observations:
        body = obs.body
        news2 = body.assessment.news2
        score = f"{news2.total} ({news2.risk})" + ("" if news2.complete else ", incomplete")
        due = f"check due {clock_time(body.check_due)}: " if body.check_due is not None else "extra check: "
        rows.append(
            HistoryRow(
                body.taken_at,
                obs.seq,
                "Check",
                due + observation_text(body.observation, body.monitors_attached),
                score,
                DECISION_WORDS[body.assessment.infusion],
                obs.by,
            )
        )
    for event in state.events:
        rows.append(
            HistoryRow(event.body.at, event.seq, "Event", event_text(event.body, display), "", "", event.by)
        )
    for deferral in state.deferrals:
        body_d = deferral.body
        rows.append(
            HistoryRow(
                body_d.at,
                deferral.seq,
                "Deferral",
                f"check due {clock_time(body_d.check_due)} deferred until "
                f"{clock_time(body_d.until)}: {body_d.reason}",
                "",
                "",
                deferral.by,
            )
        )
    for ack in state.acknowledgements:
        rows.append(
            HistoryRow(
                ack.body.at,
                ack.seq,
                "Acknowledged",
                f"urgent action of record {ack.body.observation_seq}: {', '.join(ack.body.codes)}",
                "",
                "",
                ack.by,
            )
        )
    for adverse in state.adverse_events:
        body_a = adverse.body
        effect = next(
            (e.name for e in state.library.document.side_effects if e.id == body_a.side_effect_id),
            body_a.side_effect_id,
        )
        rows.append(
            HistoryRow(
                body_a.at,
                adverse.seq,
                "Adverse event",
                f"{effect}. Done: {body_a.action_taken}",
                "",
                "",
                adverse.by,
            )
        )
    for task in state.tasks_done:
        rows.append(HistoryRow(task.body.at, task.seq, "Task done", task.body.key, "", "", task.by))
    for jump in state.clock_jumps:
        rows.append(HistoryRow(jump.body.at, jump.seq, "Clock", describe_jump(jump.body), "", "", jump.by))
    # Newest first: the last check and what was done since are what the next nurse reads.
    return tuple(sorted(rows, key=lambda r: (r.at, r.seq), reverse=True))


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


def history_model(parent: QObject | None = None) -> TupleTableModel[HistoryRow]:
    columns: tuple[Column[HistoryRow], ...] = (
        Column("Time", lambda r: clock_time(r.at)),
        Column("Type", lambda r: r.kind),
        Column("Details", lambda r: r.what, tooltip=lambda r: r.what),
        Column("NEWS2", lambda r: r.news2),
        Column("Decision", lambda r: r.decision),
        Column("By", lambda r: r.by),
    )
    return TupleTableModel(columns, (), parent)
