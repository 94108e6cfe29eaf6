"""The handover, the syringe label and the titration card as HTML: the same text on screen and on paper
(the infusion chart is in chart_html.py, built from the pieces here).

No Qt here: plain HTML for QTextDocument (the PDF writer and the window's text view render it). Every
number goes through one formatter (ISMP: leading zero, no trailing zero, "mcg", never the micro sign;
mL/h to the pump resolution, mg to the dose resolution); times are local with their zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from html import escape

from ketamine_desktop.domain.assessment import Observation
from ketamine_desktop.domain.formatting import POINT, ClinicalFormat, NumberFormat
from ketamine_desktop.domain.handover import HandoverFacts
from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.observation_words import observation_summary
from ketamine_desktop.domain.regimen import BolusResult, InfusionResult
from ketamine_desktop.domain.session import EventPayload, describe_jump
from ketamine_desktop.domain.titration import SyringeLabel, TitrationCard

__all__ = [
    "STYLE",
    "Fmt",
    "card_html",
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
        # As recorded, no trailing zero: the flowsheet says what the check's words say (36.8, 37).
        return self.numbers.exact(value)

    def prose(self, text: str) -> str:
        return self.numbers.prose(text)


def local(at: datetime) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def hm(at: datetime) -> str:
    return at.astimezone().strftime("%d %b %H:%M")


def esc(text: object) -> str:
    return escape(str(text))


def html_table(header: Sequence[str], rows: Iterable[Sequence[str]], raw: bool = False) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell if raw else esc(cell)}</td>" for cell in row) + "</tr>" for row in rows
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
    return observation_summary(obs, fmt.numbers)


def training_banner(training: bool) -> str:
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
        training_banner(training),
        f"<h1>Handover: {esc(who)}</h1>",
        f"<p>{esc(facts.protocol_name)} ({esc(facts.protocol_id)}), {esc(fmt.exact(facts.weight_kg, 'kg'))}; "
        f"started {esc(local(facts.started_at))}. As of {esc(local(facts.at))}.</p>",
    ]
    status = STATUS_WORDS[facts.status]
    if facts.running is not None:
        now = f"<span class='big'>{esc(fmt.ml_per_h(facts.running.rate_ml_per_h))}</span> " + esc(
            f"= {fmt.dose_rate(facts.running.delivered_mg_per_kg_per_h, 'mg/kg/h')} "
            f"= {fmt.dose_rate(facts.running.delivered_mcg_per_kg_per_min, 'mcg/kg/min')} "
            f"({fmt.mg_per_h(facts.running.delivered_mg_per_h)}, "
            f"{fmt.exact(facts.running.concentration_mg_per_ml, 'mg/mL')})"
        )
    elif facts.set_infusion is not None:
        now = esc(f"nothing running ({status}); rate set: {infusion_words(facts.set_infusion, fmt)}")
    else:
        now = esc(f"no infusion ({status})")
    out.append(f"<h2>Running now: {esc(status)}</h2><p>{now}</p>")
    out.append(
        "<h2>Ketamine given</h2>"
        + html_table(
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
            f"<h2>Syringe or bag</h2><p>{esc(fmt.ml(facts.syringe_remaining_ml))} left of "
            f"{esc(fmt.ml(facts.syringe_volume_ml))}; {esc(empty)}</p>"
        )
    out.append("<h2>Last observations</h2>")
    if facts.last_observations:
        out.append(
            html_table(
                ("Time", "Observation", "NEWS2", "Decision", "By"),
                (
                    (
                        hm(o.body.taken_at),
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
            html_table(
                ("Due", "Status", "What"),
                ((hm(r.due), r.status.upper(), fmt.prose(r.text)) for r in facts.open_items),
            )
        )
    else:
        out.append("<p>Nothing open.</p>")
    out.append("<h2>Deferrals and overrides</h2>")
    rows = [
        (hm(d.body.at), "Deferred check due " + hm(d.body.check_due), d.body.reason, d.by)
        for d in facts.deferrals
    ]
    rows += [(hm(o.at), fmt.prose(o.what), o.reason, o.by) for o in facts.overrides]
    out.append(html_table(("When", "What", "Reason", "By"), sorted(rows)) if rows else "<p>None.</p>")
    out.append("<h2>Events of the last 12 h</h2>")
    if facts.recent_events:
        out.append(
            html_table(
                ("Time", "Event", "By"),
                ((hm(e.body.at), event_words(e.body, fmt), e.by) for e in facts.recent_events),
            )
        )
    else:
        out.append("<p>None.</p>")
    if facts.clock_jumps:
        out.append("<h2>Clock jumps</h2>")
        out.append(
            html_table(("At", "What"), ((hm(j.body.at), describe_jump(j.body)) for j in facts.clock_jumps))
        )
    out.append(
        "<h2>The record</h2>"
        f"<p>Head hash <b>{esc(facts.head_hash or '(empty)')}</b> after {facts.record_count} records. "
        "Anyone can later prove the record was not rewritten: "
        f"<tt>ketamine-desktop verify-record --expect-head {esc(facts.head_hash)}</tt>.<br/>"
        f"Library: {esc(facts.library_name)} {esc(facts.library_version)}, "
        f"SHA-256 {esc(facts.library_sha256)}.</p>"
    )
    return "".join(out)


# --- The syringe label and the titration card -----------------------------------------------------------


def label_html(label: SyringeLabel, library: Library, training: bool, numbers: NumberFormat = POINT) -> str:
    """The syringe or bag label, in a box the size of a label (about 100 x 60 mm)."""
    fmt = Fmt(library, numbers)
    who = " ".join(x for x in (label.bed_label, label.patient_initials) if x)
    rows = (
        ("Concentration", f"<b>{esc(fmt.exact(label.concentration_mg_per_ml, 'mg/mL'))}</b>"),
        ("Contains", f"<b>{esc(fmt.mg(label.total_mg))} in {esc(fmt.ml(label.volume_ml))}</b>"),
        ("Patient", esc(who)),
        ("Route", "IV infusion"),
        ("Prepared by", esc(label.prepared_by)),
        ("Checked by", esc(label.checked_by) if label.checked_by else "________________ (sign)"),
        ("Prepared", esc(local(label.prepared_at))),
        ("Expires", f"<b>{esc(local(label.expires_at))}</b>"),
    )
    body = "".join(f"<tr><td>{esc(k)}</td><td>{v}</td></tr>" for k, v in rows)
    training_row = (
        '<tr><td colspan="2" class="training">TRAINING: NOT FOR A PATIENT</td></tr>' if training else ""
    )
    return (
        '<table width="380" cellspacing="0" cellpadding="4" style="border: 2px solid #000;">'
        f'<tr><td colspan="2"><span class="big">{esc(label.drug.upper())}</span> '
        f"{esc(fmt.exact(label.concentration_mg_per_ml, 'mg/mL'))}</td></tr>"
        f"{training_row}{body}</table>"
    )


_LIMIT_WORDS = {"soft": "reason needed", "hard": "REFUSED"}


def card_html(
    card: TitrationCard, library: Library, who: str, training: bool, numbers: NumberFormat = POINT
) -> str:
    """The bedside titration card: mL/h against mg/kg/h and mcg/kg/min, the limits marked."""
    fmt = Fmt(library, numbers)
    out = [
        training_banner(training),
        f"<h1>Titration card: {esc(who)}</h1>",
        f"<p>{esc(card.protocol_name)} ({esc(card.protocol_id)}); "
        f"weight {esc(fmt.exact(card.weight_kg, 'kg'))}; "
        f"concentration {esc(fmt.exact(card.concentration_mg_per_ml, 'mg/mL'))}"
        + (f"; cap {esc(fmt.mg_per_h(card.cap_mg_per_h))}" if card.cap_mg_per_h is not None else "")
        + ". Pump rates rounded to what the pump delivers; the dose columns are what that rate gives.</p>",
    ]
    rows = []
    for row in card.rows:
        infusion = row.infusion
        levels = {f.level for f in row.findings}
        css = "hard" if "hard" in levels else "soft" if "soft" in levels else ""
        notes = [*row.marks, *(_LIMIT_WORDS[f.level] for f in row.findings if f.level != "info")]
        rows.append(
            f'<tr class="{css}"><td><b>{esc(fmt.ml_per_h(infusion.rate_ml_per_h))}</b></td>'
            f"<td>{esc(fmt.dose_rate(infusion.delivered_mg_per_kg_per_h, 'mg/kg/h'))}</td>"
            f"<td>{esc(fmt.dose_rate(infusion.delivered_mcg_per_kg_per_min, 'mcg/kg/min'))}</td>"
            f"<td>{esc(fmt.mg_per_h(infusion.delivered_mg_per_h))}</td>"
            f"<td>{esc(fmt.exact(row.dose.value, row.dose.unit))}</td>"
            f"<td>{'usual' if row.typical else ''}</td><td>{esc('; '.join(notes))}</td></tr>"
        )
    header = "".join(
        f"<th>{h}</th>" for h in ("Pump", "mg/kg/h", "mcg/kg/min", "mg/h", "Dose set", "Range", "Limits")
    )
    out.append(f'<table width="100%" cellspacing="0"><tr>{header}</tr>{"".join(rows)}</table>')
    out.append(
        f"<p class='muted'>Library {esc(card.library_name)} {esc(card.library_version)}, "
        f"SHA-256 {esc(card.library_sha256)}. Above the soft max a reason is needed; nothing above the "
        "hard max can be set.</p>"
    )
    return "".join(out)
