"""The infusion chart as HTML and as tables for the PDF writer: the flowsheet of observations with their
NEWS2 shading, the events, the trend, the record's identity. No Qt here (the PDF writer paints it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ketamine_desktop.domain.assessment import Observation
from ketamine_desktop.domain.formatting import POINT, NumberFormat
from ketamine_desktop.domain.observation_words import side_effects_recorded
from ketamine_desktop.domain.session import SessionState, describe_jump
from ketamine_desktop.export.report_html import (
    DECISION_WORDS,
    EVENT_WORDS,
    STATUS_WORDS,
    Fmt,
    bolus_words,
    esc,
    event_words,
    hm,
    html_table,
    infusion_words,
    local,
    training_banner,
)

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
        head = "".join(f"<th>{esc(c.title)}</th>" for c in block.columns)
        rows = "".join(
            "<tr>"
            + "".join(
                (f'<td style="background: {c.shade}">' if c.shade else "<td>")
                + (f"<b>{esc(c.text)}</b>" if c.bold else esc(c.text))
                + "</td>"
                for c in row
            )
            + "</tr>"
            for row in block.rows
        )
        title = f"<h2>{esc(block.title)}</h2>" if block.title else ""
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
                Cell(hm(o.body.taken_at)),
                *(Cell(_flow_value(obs, f, fmt), SCORE_SHADES[getattr(scores, f) or 0]) for _, f in _FLOW),
                Cell("" if sedation is None else str(sedation)),
                Cell("" if obs.pain is None else str(obs.pain)),
                Cell(", ".join(side_effects_recorded(obs))),
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
        training_banner(training)
        + f"<h1>Ketamine infusion chart: {esc(who)}</h1>"
        + f"<p>Session {esc(state.session_id)}; {esc(state.protocol.name)} ({esc(start.protocol_id)}), "
        f"{esc(fmt.exact(regimen.weight_kg, 'kg'))}. Started {esc(local(start.started_at))} "
        f"by {esc(start.started_by)}, "
        f"second checker {esc(start.double_checked_by)}. Status: {esc(STATUS_WORDS[state.status])}.</p>",
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
        + "<br/>".join(esc(line) for line in lines)
        + "</p><h2>Screening and pre-start checks</h2>"
        + (
            html_table(("Item", "Answer", "By", "Reason or advice"), screening)
            if screening
            else "<p>No contraindication was overridden or acknowledged.</p>"
        )
        + "<p>Confirmed before the start: "
        + (esc("; ".join(checks)) if checks else "(not listed in this record)")
        + f". Started by {esc(start.started_by)}, checked by {esc(start.double_checked_by)}.</p>"
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
            ((hm(e.body.at), event_words(e.body, fmt), e.by) for e in state.events),
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
        answer = [f"acknowledged by {a.by} at {hm(a.body.at)}" for a in acks]
        following = next((e for e in state.events if e.seq > o.seq), None)
        if following is not None:
            answer.append(
                f"next event {hm(following.body.at)}: {EVENT_WORDS[following.body.kind]} ({following.by})"
            )
        decisions.append(
            (
                hm(o.body.taken_at),
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
                (hm(d.body.at), hm(d.body.check_due), hm(d.body.until), d.body.reason, d.by)
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
            ((hm(j.body.at), describe_jump(j.body)) for j in state.clock_jumps),
        )
        if state.clock_jumps
        else "<h2>Clock jumps</h2><p>None.</p>"
    )
    closing = ""
    if state.closed is not None:
        closing = (
            f"<p>Session closed {esc(local(state.closed.body.at))} by {esc(state.closed.by)}"
            + (f": {esc(state.closed.body.reason)}" if state.closed.body.reason else "")
            + ".</p>"
        )
    out.append(
        closing
        + "<h2>The record</h2>"
        + f"<p>Head hash <b>{esc(head_hash or '(empty)')}</b> after {record_count} records "
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
