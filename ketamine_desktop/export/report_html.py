"""The handover and the infusion chart as HTML: the same text on screen (the handover view) and on paper.

No Qt here: plain HTML for QTextDocument (the PDF writer and the window's text view render it). Every
number goes through one formatter (ISMP: leading zero, no trailing zero, "mcg", never the micro sign;
mL/h to the pump resolution, mg to the dose resolution); times are local with their zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from html import escape

from ketamine_desktop.domain.assessment import Observation
from ketamine_desktop.domain.formatting import POINT, ClinicalFormat, NumberFormat
from ketamine_desktop.domain.handover import HandoverFacts
from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.regimen import BolusResult, InfusionResult
from ketamine_desktop.domain.session import EventPayload, SessionState, describe_jump
from ketamine_desktop.domain.titration import SyringeLabel, TitrationCard

__all__ = [
    "STYLE",
    "Block",
    "Cell",
    "Column",
    "Fmt",
    "Table",
    "as_html",
    "card_html",
    "chart_blocks",
    "chart_html",
    "flowsheet",
    "handover_html",
    "label_html",
    "local",
]

# The style of every document, on paper and on screen (QTextDocument's subset of CSS).
STYLE = """
h1 { font-size: 13pt; margin: 0 0 4px 0; }
h2 { font-size: 10.5pt; margin: 10px 0 3px 0; border-bottom: 1px solid #888; }
table { border-collapse: collapse; }
td, th { padding: 1px 3px; border: 1px solid #999; vertical-align: top; }
th { background: #E6EAEE; text-align: left; }
.n1 { background: #FFF3B0; }
.n2 { background: #FFC87A; }
.n3 { background: #F28B82; }
.soft { color: #8A5A00; }
.hard { color: #B00020; font-weight: bold; }
.big { font-size: 12pt; font-weight: bold; }
.muted { color: #555; }
.training { color: #D55E00; font-weight: bold; font-size: 12pt; }
"""

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
STATUS_WORDS: dict[str, str] = {
    "running": "RUNNING",
    "paused": "PAUSED",
    "stopped": "STOPPED",
    "observing": "bolus only: observing",
    "ended": "ENDED",
}


class Fmt:
    """The one formatter (`domain.formatting`) for these documents: the library's display rules (mg, mL,
    mL/h resolutions) with the reader's decimal mark (the window's; the headless commands keep the point)."""

    def __init__(self, library: Library, numbers: NumberFormat = POINT) -> None:
        self.numbers = numbers
        self.clinical = ClinicalFormat.of(library, numbers)

    def mg(self, value: Decimal) -> str:
        return self.clinical.mg(value)

    def ml(self, value: Decimal) -> str:
        return self.clinical.ml(value)

    def ml_per_h(self, value: Decimal) -> str:
        return self.clinical.ml_per_h(value)

    def mg_per_h(self, value: Decimal) -> str:
        return self.clinical.mg_per_h(value)

    def dose_rate(self, value: Decimal, unit: str) -> str:
        return self.numbers.dose_rate(value, unit)

    def exact(self, value: Decimal, unit: str = "") -> str:
        return self.numbers.exact_quantity(value, unit) if unit else self.numbers.exact(value)

    def approx(self, value: Decimal, unit: str) -> str:
        return self.numbers.dose_rate(value, unit)

    def temperature(self, value: Decimal) -> str:
        return self.numbers.number(value, 1)

    def prose(self, text: str) -> str:
        return self.numbers.prose(text)


def local(at: datetime) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def _hm(at: datetime) -> str:
    return at.astimezone().strftime("%d %b %H:%M")


def _e(text: object) -> str:
    return escape(str(text))


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], raw: bool = False) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell if raw else _e(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f'<table width="100%" cellspacing="0">{"<tr>" + head + "</tr>"}{body}</table>'


def infusion_words(infusion: InfusionResult, fmt: Fmt) -> str:
    return (
        f"{fmt.ml_per_h(infusion.rate_ml_per_h)} of {fmt.exact(infusion.concentration_mg_per_ml, 'mg/mL')} = "
        f"{fmt.dose_rate(infusion.delivered_mg_per_kg_per_h, 'mg/kg/h')} = "
        f"{fmt.dose_rate(infusion.delivered_mcg_per_kg_per_min, 'mcg/kg/min')} "
        f"({fmt.mg_per_h(infusion.delivered_mg_per_h)})"
    )


def bolus_words(bolus: BolusResult, fmt: Fmt) -> str:
    return (
        f"{fmt.mg(bolus.delivered_mg)} ({fmt.dose_rate(bolus.dose_mg_per_kg, 'mg/kg')}) = "
        f"{fmt.ml(bolus.volume_ml)} of {fmt.exact(bolus.concentration_mg_per_ml, 'mg/mL')} over "
        f"{fmt.exact(bolus.over_min, 'min')}"
    )


def event_words(event: EventPayload, fmt: Fmt) -> str:
    words = EVENT_WORDS[event.kind]
    if event.infusion is not None:
        words += f" to {infusion_words(event.infusion, fmt)}"
    if event.bolus is not None:
        words += f" {bolus_words(event.bolus, fmt)}"
    if event.syringe_volume_ml is not None:
        words += f": new volume {fmt.ml(event.syringe_volume_ml)}"
    if event.reason:
        words += f". Reason: {event.reason}"
    return words


def observation_words(obs: Observation, fmt: Fmt) -> str:
    parts: list[str] = []
    if obs.respiration_rate is not None:
        parts.append(f"RR {obs.respiration_rate}")
    if obs.spo2 is not None:
        air = "" if obs.oxygen is None else (" on O2" if obs.oxygen else " air")
        parts.append(f"SpO2 {obs.spo2}%{air}")
    if obs.pulse is not None:
        parts.append(f"HR {obs.pulse}")
    if obs.systolic_bp is not None:
        parts.append(f"SBP {obs.systolic_bp}")
    if obs.poss is not None:
        parts.append(f"POSS {obs.poss}")
    if obs.rass is not None:
        parts.append(f"RASS {obs.rass:+d}" if obs.rass else "RASS 0")
    if obs.consciousness is not None:
        parts.append(f"ACVPU {obs.consciousness}")
    if obs.pain is not None:
        parts.append(f"pain {obs.pain}/10")
    if obs.temperature is not None:
        parts.append(f"temp {fmt.temperature(obs.temperature)} °C")
    parts.extend(name for name in _EFFECTS if getattr(obs, name))
    return ", ".join(parts)


_EFFECTS = ("hallucinations", "dysphoria", "nightmares", "nausea")


def _training_banner(training: bool) -> str:
    if not training:
        return ""
    return '<p class="training">TRAINING RECORD: made by the demo command, not a patient\'s.</p>'


# --- Handover -------------------------------------------------------------------------------------------


def handover_html(
    facts: HandoverFacts, library: Library, training: bool, numbers: NumberFormat = POINT
) -> str:
    fmt = Fmt(library, numbers)
    who = " ".join(x for x in (facts.bed_label, facts.patient_initials) if x)
    out = [
        _training_banner(training),
        f"<h1>Handover: {_e(who)}</h1>",
        f"<p>{_e(facts.protocol_name)} ({_e(facts.protocol_id)}), {_e(fmt.exact(facts.weight_kg, 'kg'))}; "
        f"started {_e(local(facts.started_at))}. As of {_e(local(facts.at))}.</p>",
    ]
    status = STATUS_WORDS[facts.status]
    if facts.running is not None:
        now = f"<span class='big'>{_e(fmt.ml_per_h(facts.running.rate_ml_per_h))}</span> " + _e(
            f"= {fmt.dose_rate(facts.running.delivered_mg_per_kg_per_h, 'mg/kg/h')} "
            f"= {fmt.dose_rate(facts.running.delivered_mcg_per_kg_per_min, 'mcg/kg/min')} "
            f"({fmt.mg_per_h(facts.running.delivered_mg_per_h)}, "
            f"{fmt.exact(facts.running.concentration_mg_per_ml, 'mg/mL')})"
        )
    elif facts.set_infusion is not None:
        now = _e(f"nothing running ({status}); rate set: {infusion_words(facts.set_infusion, fmt)}")
    else:
        now = _e(f"no infusion ({status})")
    out.append(f"<h2>Running now: {_e(status)}</h2><p>{now}</p>")
    out.append(
        "<h2>Ketamine given</h2>"
        + _table(
            ("", "mg", "mg/kg"),
            (
                ("Since the start", fmt.mg(facts.total_mg), fmt.approx(facts.total_mg_per_kg, "mg/kg")),
                ("Last 24 h", fmt.mg(facts.last_24h_mg), fmt.approx(facts.last_24h_mg_per_kg, "mg/kg")),
            ),
        )
    )
    if facts.syringe_remaining_ml is not None and facts.syringe_volume_ml is not None:
        empty = (
            f"empty at {local(facts.syringe_empty_at)}"
            if facts.syringe_empty_at is not None
            else "not running"
        )
        out.append(
            f"<h2>Syringe or bag</h2><p>{_e(fmt.ml(facts.syringe_remaining_ml))} left of "
            f"{_e(fmt.ml(facts.syringe_volume_ml))}; {_e(empty)}</p>"
        )
    out.append("<h2>Last observations</h2>")
    if facts.last_observations:
        out.append(
            _table(
                ("Time", "Observation", "NEWS2", "Decision", "By"),
                (
                    (
                        _hm(o.body.taken_at),
                        observation_words(o.body.observation, fmt),
                        f"{o.body.assessment.news2.total} ({o.body.assessment.news2.risk})",
                        DECISION_WORDS[o.body.assessment.infusion],
                        o.by,
                    )
                    for o in reversed(facts.last_observations)
                ),
            )
        )
    else:
        out.append("<p>None recorded.</p>")
    out.append("<h2>Open decisions and overdue checks</h2>")
    if facts.open_items:
        out.append(
            _table(
                ("Due", "Status", "What"),
                ((_hm(r.due), r.status.upper(), fmt.prose(r.text)) for r in facts.open_items),
            )
        )
    else:
        out.append("<p>Nothing open.</p>")
    out.append("<h2>Deferrals and overrides</h2>")
    rows = [
        (_hm(d.body.at), "Deferred check due " + _hm(d.body.check_due), d.body.reason, d.by)
        for d in facts.deferrals
    ]
    rows += [(_hm(o.at), fmt.prose(o.what), o.reason, o.by) for o in facts.overrides]
    out.append(_table(("When", "What", "Reason", "By"), sorted(rows)) if rows else "<p>None.</p>")
    out.append("<h2>Events of the last 12 h</h2>")
    if facts.recent_events:
        out.append(
            _table(
                ("Time", "Event", "By"),
                ((_hm(e.body.at), event_words(e.body, fmt), e.by) for e in facts.recent_events),
            )
        )
    else:
        out.append("<p>None.</p>")
    if facts.clock_jumps:
        out.append("<h2>Clock jumps</h2>")
        out.append(
            _table(("At", "What"), ((_hm(j.body.at), describe_jump(j.body)) for j in facts.clock_jumps))
        )
    out.append(
        "<h2>The record</h2>"
        f"<p>Head hash <b>{_e(facts.head_hash or '(empty)')}</b> after {facts.record_count} records. "
        "Anyone can later prove the record was not rewritten: "
        f"<tt>ketamine-desktop verify-record --expect-head {_e(facts.head_hash)}</tt>.<br/>"
        f"Library: {_e(facts.library_name)} {_e(facts.library_version)}, "
        f"SHA-256 {_e(facts.library_sha256)}.</p>"
    )
    return "".join(out)


# --- The infusion chart ---------------------------------------------------------------------------------

_FLOW = (
    ("RR", "respiration_rate"),
    ("SpO2 %", "spo2"),
    ("O2", "air_or_oxygen"),
    ("SBP", "systolic_bp"),
    ("HR", "pulse"),
    ("ACVPU", "consciousness"),
    ("Temp °C", "temperature"),
)


@dataclass(frozen=True)
class Column:
    title: str
    weight: float  # share of the page width
    wrap: bool = False  # long text: the row grows to hold it


@dataclass(frozen=True)
class Cell:
    text: str
    shade: str | None = None  # a background colour (the NEWS2 chart's)
    bold: bool = False


@dataclass(frozen=True)
class Table:
    """A table the PDF writer paints itself (QTextDocument is too slow for a 14-day flowsheet): split
    across pages by rows, its header row repeated on every page."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    title: str = ""  # printed above the table, on the page where it starts


Block = str | Table  # HTML, or a table painted row by row

# The NEWS2 chart's shading of a parameter's score (0 none, 1 yellow, 2 orange, 3 red).
SCORE_SHADES: dict[int, str | None] = {0: None, 1: "#FFF3B0", 2: "#FFC87A", 3: "#F28B82"}
RISK_SHADES: dict[str, str | None] = {
    "low": None,
    "low-medium": "#FFF3B0",
    "medium": "#FFC87A",
    "high": "#F28B82",
}


def as_html(blocks: Iterable[Block]) -> str:
    """The blocks as one HTML text (the tables as HTML tables): what the PDF says, for reading and tests."""
    out = []
    for block in blocks:
        if isinstance(block, str):
            out.append(block)
            continue
        head = "".join(f"<th>{_e(c.title)}</th>" for c in block.columns)
        rows = "".join(
            "<tr>"
            + "".join(
                (f'<td style="background: {c.shade}">' if c.shade else "<td>")
                + (f"<b>{_e(c.text)}</b>" if c.bold else _e(c.text))
                + "</td>"
                for c in row
            )
            + "</tr>"
            for row in block.rows
        )
        title = f"<h2>{_e(block.title)}</h2>" if block.title else ""
        out.append(f'{title}<table width="100%" cellspacing="0"><tr>{head}</tr>{rows}</table>')
    return "".join(out)


def _plain_table(
    title: str, header: Sequence[tuple[str, float, bool]], rows: Iterable[Sequence[str]]
) -> Table:
    return Table(
        columns=tuple(Column(name, weight, wrap) for name, weight, wrap in header),
        rows=tuple(tuple(Cell(text) for text in row) for row in rows),
        title=title,
    )


def _flow_value(obs: Observation, field: str, fmt: Fmt) -> str:
    if field == "air_or_oxygen":
        return "" if obs.oxygen is None else ("O2" if obs.oxygen else "air")
    if field == "temperature":
        return "" if obs.temperature is None else fmt.temperature(obs.temperature)
    raw = getattr(obs, field)
    return "" if raw is None else str(raw)


FLOWSHEET_TITLE = "Observations (NEWS2 scores shaded: 1 yellow, 2 orange, 3 red)"


def flowsheet(state: SessionState, fmt: Fmt) -> Table:
    """Every observation: time down, parameters across, each NEWS2 parameter shaded by its score."""
    scale = state.protocol.sedation_scale
    columns = (
        Column("Time", 1.25),
        *(Column(name, 0.55) for name, _ in _FLOW),
        Column(scale, 0.55),
        Column("Pain", 0.45),
        Column("Effects", 1.1, wrap=True),
        Column("NEWS2", 0.6),
        Column("Decision", 1.3, wrap=True),
        Column("By", 0.5),
    )
    rows = []
    for o in state.observations:
        obs = o.body.observation
        news2 = o.body.assessment.news2
        scores = news2.scores
        sedation = obs.rass if scale == "RASS" else obs.poss
        rows.append(
            (
                Cell(_hm(o.body.taken_at)),
                *(Cell(_flow_value(obs, f, fmt), SCORE_SHADES[getattr(scores, f) or 0]) for _, f in _FLOW),
                Cell("" if sedation is None else str(sedation)),
                Cell("" if obs.pain is None else str(obs.pain)),
                Cell(", ".join(n for n in _EFFECTS if getattr(obs, n))),
                Cell(str(news2.total), RISK_SHADES[news2.risk], bold=True),
                Cell(DECISION_WORDS[o.body.assessment.infusion]),
                Cell(o.by),
            )
        )
    return Table(columns, tuple(rows), FLOWSHEET_TITLE)


def chart_blocks(
    state: SessionState,
    training: bool,
    head_hash: str,
    record_count: int,
    trend: bool,
    numbers: NumberFormat = POINT,
) -> list[Block]:
    """The infusion chart: regimen and library, screening and pre-start checks, the flowsheet, the trend
    (an image named trend.png, when `trend`), every event, decision and answer, deferral and clock jump."""
    fmt = Fmt(state.library, numbers)
    start = state.start
    regimen = start.regimen
    who = " ".join(x for x in (start.bed_label, start.patient_initials) if x)
    out: list[Block] = [
        _training_banner(training)
        + f"<h1>Ketamine infusion chart: {_e(who)}</h1>"
        + f"<p>Session {_e(state.session_id)}; {_e(state.protocol.name)} ({_e(start.protocol_id)}), "
        f"{_e(fmt.exact(regimen.weight_kg, 'kg'))}. Started {_e(local(start.started_at))} "
        f"by {_e(start.started_by)}, "
        f"second checker {_e(start.double_checked_by)}. Status: {_e(STATUS_WORDS[state.status])}.</p>",
    ]
    lines = []
    if regimen.bolus is not None:
        lines.append(f"Bolus: {bolus_words(regimen.bolus, fmt)}")
    if regimen.infusion is not None:
        lines.append(f"Infusion: {infusion_words(regimen.infusion, fmt)}")
    if start.syringe_volume_ml is not None:
        lines.append(f"Syringe or bag: {fmt.ml(start.syringe_volume_ml)}")
    lines.append(
        f"Library: {regimen.library_name} {regimen.library_version}, SHA-256 {regimen.library_sha256}"
        + ("" if state.library_matches else " (NOT the library in use now)")
    )
    for finding in regimen.findings:
        if finding.level != "info":
            lines.append(f"{finding.level.upper()}: {fmt.prose(finding.message)}")
    if start.soft_limit_reason:
        lines.append(f"Reason given for the warnings: {start.soft_limit_reason}")
    screening = [
        (s.text, s.status, s.override_by or "", s.override_reason or s.message) for s in start.screening
    ]
    checks = [*start.confirmed_checklist, *start.confirmed_gates]
    out.append(
        "<h2>Regimen and library</h2><p>"
        + "<br/>".join(_e(line) for line in lines)
        + "</p><h2>Screening and pre-start checks</h2>"
        + (
            _table(("Item", "Answer", "By", "Reason or advice"), screening)
            if screening
            else "<p>No contraindication was overridden or acknowledged.</p>"
        )
        + "<p>Confirmed before the start: "
        + (_e("; ".join(checks)) if checks else "(not listed in this record)")
        + f". Started by {_e(start.started_by)}, checked by {_e(start.double_checked_by)}.</p>"
    )
    out.append(
        flowsheet(state, fmt) if state.observations else f"<h2>{FLOWSHEET_TITLE}</h2><p>None recorded.</p>"
    )
    if trend:
        out.append(
            '<h2>Trend</h2><p><img src="trend.png" width="{TREND_WIDTH}" height="{TREND_HEIGHT}"/></p>'
        )
    out.append(
        _plain_table(
            "Events",
            (("Time", 1.2, False), ("Event", 7, True), ("By", 0.6, False)),
            ((_hm(e.body.at), event_words(e.body, fmt), e.by) for e in state.events),
        )
        if state.events
        else "<h2>Events</h2><p>None.</p>"
    )
    decisions = []
    for o in state.observations:
        assessment = o.body.assessment
        if assessment.infusion == "continue" and not assessment.needs_acknowledgement:
            continue
        acks = [a for a in state.acknowledgements if a.body.observation_seq == o.seq]
        answer = [f"acknowledged by {a.by} at {_hm(a.body.at)}" for a in acks]
        following = next((e for e in state.events if e.seq > o.seq), None)
        if following is not None:
            answer.append(
                f"next event {_hm(following.body.at)}: {EVENT_WORDS[following.body.kind]} ({following.by})"
            )
        decisions.append(
            (
                _hm(o.body.taken_at),
                DECISION_WORDS[assessment.infusion]
                + ": "
                + "; ".join(fmt.prose(a.text) for a in assessment.actions),
                "; ".join(answer) or "not answered in the record",
            )
        )
    answered = "Decisions and how they were answered"
    out.append(
        _plain_table(
            answered, (("Check", 1.2, False), ("Decision", 4.5, True), ("Answer", 3, True)), decisions
        )
        if decisions
        else f"<h2>{answered}</h2><p>None: every check said continue.</p>"
    )
    out.append(
        _plain_table(
            "Deferrals",
            (
                ("At", 1.2, False),
                ("Check due", 1.2, False),
                ("Until", 1.2, False),
                ("Reason", 4, True),
                ("By", 0.6, False),
            ),
            (
                (_hm(d.body.at), _hm(d.body.check_due), _hm(d.body.until), d.body.reason, d.by)
                for d in state.deferrals
            ),
        )
        if state.deferrals
        else "<h2>Deferrals</h2><p>None.</p>"
    )
    out.append(
        _plain_table(
            "Clock jumps",
            (("At", 1.2, False), ("What", 7.6, True)),
            ((_hm(j.body.at), describe_jump(j.body)) for j in state.clock_jumps),
        )
        if state.clock_jumps
        else "<h2>Clock jumps</h2><p>None.</p>"
    )
    closing = ""
    if state.closed is not None:
        closing = (
            f"<p>Session closed {_e(local(state.closed.body.at))} by {_e(state.closed.by)}"
            + (f": {_e(state.closed.body.reason)}" if state.closed.body.reason else "")
            + ".</p>"
        )
    out.append(
        closing
        + f"<h2>The record</h2><p>Head hash <b>{_e(head_hash or '(empty)')}</b> after {record_count} records "
        f"(this session's last record: {state.last_seq}). Reminders the app raised: {len(state.raised)}; "
        f"tasks marked done: {len(state.tasks_done)}; acknowledgements: {len(state.acknowledgements)}.</p>"
    )
    return out


def chart_html(
    state: SessionState,
    training: bool,
    head_hash: str,
    record_count: int,
    trend: bool,
    numbers: NumberFormat = POINT,
) -> str:
    """The infusion chart as one HTML text (`chart_blocks` with the tables as HTML)."""
    return as_html(chart_blocks(state, training, head_hash, record_count, trend, numbers))


# --- The syringe label and the titration card -----------------------------------------------------------


def label_html(label: SyringeLabel, library: Library, training: bool, numbers: NumberFormat = POINT) -> str:
    """The syringe or bag label, in a box the size of a label (about 100 x 60 mm)."""
    fmt = Fmt(library, numbers)
    who = " ".join(x for x in (label.bed_label, label.patient_initials) if x)
    rows = (
        ("Concentration", f"<b>{_e(fmt.exact(label.concentration_mg_per_ml, 'mg/mL'))}</b>"),
        ("Contains", f"<b>{_e(fmt.mg(label.total_mg))} in {_e(fmt.ml(label.volume_ml))}</b>"),
        ("Patient", _e(who)),
        ("Route", "IV infusion"),
        ("Prepared by", _e(label.prepared_by)),
        ("Checked by", _e(label.checked_by) if label.checked_by else "________________ (sign)"),
        ("Prepared", _e(local(label.prepared_at))),
        ("Expires", f"<b>{_e(local(label.expires_at))}</b>"),
    )
    body = "".join(f"<tr><td>{_e(k)}</td><td>{v}</td></tr>" for k, v in rows)
    training_row = (
        '<tr><td colspan="2" class="training">TRAINING: NOT FOR A PATIENT</td></tr>' if training else ""
    )
    return (
        '<table width="380" cellspacing="0" cellpadding="4" style="border: 2px solid #000;">'
        f'<tr><td colspan="2"><span class="big">{_e(label.drug.upper())}</span> '
        f"{_e(fmt.exact(label.concentration_mg_per_ml, 'mg/mL'))}</td></tr>"
        f"{training_row}{body}</table>"
    )


_LIMIT_WORDS = {"soft": "reason needed", "hard": "REFUSED"}


def card_html(
    card: TitrationCard, library: Library, who: str, training: bool, numbers: NumberFormat = POINT
) -> str:
    """The bedside titration card: mL/h against mg/kg/h and mcg/kg/min, the limits marked."""
    fmt = Fmt(library, numbers)
    out = [
        _training_banner(training),
        f"<h1>Titration card: {_e(who)}</h1>",
        f"<p>{_e(card.protocol_name)} ({_e(card.protocol_id)}); "
        f"weight {_e(fmt.exact(card.weight_kg, 'kg'))}; "
        f"concentration {_e(fmt.exact(card.concentration_mg_per_ml, 'mg/mL'))}"
        + (f"; cap {_e(fmt.mg_per_h(card.cap_mg_per_h))}" if card.cap_mg_per_h is not None else "")
        + ". Pump rates rounded to what the pump delivers; the dose columns are what that rate gives.</p>",
    ]
    rows = []
    for row in card.rows:
        infusion = row.infusion
        levels = {f.level for f in row.findings}
        css = "hard" if "hard" in levels else "soft" if "soft" in levels else ""
        notes = [*row.marks, *(_LIMIT_WORDS[f.level] for f in row.findings if f.level != "info")]
        rows.append(
            f'<tr class="{css}"><td><b>{_e(fmt.ml_per_h(infusion.rate_ml_per_h))}</b></td>'
            f"<td>{_e(fmt.dose_rate(infusion.delivered_mg_per_kg_per_h, 'mg/kg/h'))}</td>"
            f"<td>{_e(fmt.dose_rate(infusion.delivered_mcg_per_kg_per_min, 'mcg/kg/min'))}</td>"
            f"<td>{_e(fmt.mg_per_h(infusion.delivered_mg_per_h))}</td>"
            f"<td>{_e(fmt.exact(row.dose.value, row.dose.unit))}</td>"
            f"<td>{'usual' if row.typical else ''}</td><td>{_e('; '.join(notes))}</td></tr>"
        )
    header = "".join(
        f"<th>{h}</th>" for h in ("Pump", "mg/kg/h", "mcg/kg/min", "mg/h", "Dose set", "Range", "Limits")
    )
    out.append(f'<table width="100%" cellspacing="0"><tr>{header}</tr>{"".join(rows)}</table>')
    out.append(
        f"<p class='muted'>Library {_e(card.library_name)} {_e(card.library_version)}, "
        f"SHA-256 {_e(card.library_sha256)}. Above the soft max a reason is needed; nothing above the "
        "hard max can be set.</p>"
    )
    return "".join(out)
