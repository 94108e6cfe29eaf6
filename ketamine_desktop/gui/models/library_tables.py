"""Table models over the library's side effects and escalation rules, with triggers put into words."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QObject

from ketamine_desktop.domain.library import Condition, EscalationRule, Library, SideEffect
from ketamine_desktop.gui import numbers
from ketamine_desktop.gui.models.table import Column, TupleTableModel
from ketamine_desktop.gui.theme import SEVERITY_LEVEL, SEVERITY_WORD, level_icon
from ketamine_desktop.gui.widgets.sources import flags_text, sources_html

# How each condition field reads in a sentence, with its unit where it has one.
_FIELD_WORDS: dict[str, tuple[str, str]] = {
    "poss": ("POSS sedation score", ""),
    "rass": ("RASS score", ""),
    "respiration_rate": ("respiratory rate", "/min"),
    "spo2": ("SpO2", "%"),
    "pulse": ("pulse", "/min"),
    "systolic_bp": ("systolic BP", "mmHg"),
    "pain": ("pain score", ""),
    "previous_pain": ("the previous pain score", ""),
    "news2_total": ("NEWS2 total", ""),
    "news2_max_parameter_score": ("any single NEWS2 parameter score", ""),
    "psychotomimetic": ("psychotomimetic effects (hallucinations, dysphoria, nightmares)", ""),
    "prior_episodes": ("earlier psychotomimetic episodes in this infusion", ""),
    "nausea": ("nausea or vomiting", ""),
}
_INFUSION_WORDS: dict[str, str] = {
    "continue": "Continue",
    "reduce": "Reduce",
    "pause": "Pause",
    "stop": "STOP",
}


def _number(value: Decimal, signed: bool) -> str:
    text = numbers.exact(value)
    return f"+{text}" if signed and value > 0 else text


def condition_words(condition: Condition) -> str:
    """One condition in words; min and max are inclusive, as the library defines them."""
    label, unit = _FIELD_WORDS.get(condition.field, (condition.field.replace("_", " "), ""))
    signed = condition.field == "rass"
    # "/min" and "%" attach to the number; a word unit such as mmHg takes a space.
    suffix = unit if unit.startswith(("/", "%")) else f" {unit}" if unit else ""

    def n(value: Decimal) -> str:
        return _number(value, signed)

    if condition.is_true is not None:
        return f"{label} present" if condition.is_true else f"no {label}"
    if condition.equals is not None:
        return f"{label} {' or '.join(condition.equals)}"
    low, high = condition.min, condition.max
    if low is not None and high is not None:
        return f"{label} {n(low)}{suffix}" if low == high else f"{label} {n(low)} to {n(high)}{suffix}"
    if low is not None:
        return f"{label} {n(low)}{suffix} or more"
    if high is not None and high == 0 and not signed:
        return f"no {label}"
    if high is not None:
        return f"{label} {n(high)}{suffix} or less"
    return label


def trigger_words(rule: EscalationRule) -> str:
    """Groups joined by "or", conditions within a group by "and", capitalised as a sentence."""
    groups = [" and ".join(condition_words(c) for c in group) for group in rule.when]
    text = "; or ".join(groups)
    return text[:1].upper() + text[1:]


def _refs(sources: tuple[str, ...], flags: tuple[str, ...]) -> str:
    text = ", ".join(sources) or "none listed"
    extra = flags_text(flags)
    return f"{text} {extra}" if extra else text


def side_effects_model(library: Library, parent: QObject | None = None) -> TupleTableModel[SideEffect]:
    def tip(effect: SideEffect) -> str:
        return sources_html(library, effect.sources, effect.flags, title=effect.name)

    columns: tuple[Column[SideEffect], ...] = (
        Column("Side effect: how it looks", lambda e: e.name, tip),
        Column("How common", lambda e: e.frequency, tip),
        Column("What to do", lambda e: e.management, tip),
        Column("Sources", lambda e: _refs(e.sources, e.flags), tip),
    )
    return TupleTableModel(columns, library.document.side_effects, parent)


def escalation_model(library: Library, parent: QObject | None = None) -> TupleTableModel[EscalationRule]:
    def tip(rule: EscalationRule) -> str:
        return sources_html(library, rule.sources, rule.flags, title=trigger_words(rule))

    columns: tuple[Column[EscalationRule], ...] = (
        Column(
            "Severity",
            lambda r: SEVERITY_WORD[r.severity],
            tip,
            lambda r: level_icon(SEVERITY_LEVEL[r.severity]),
        ),
        Column("When (trigger)", trigger_words, tip),
        Column("Infusion", lambda r: _INFUSION_WORDS[r.infusion], tip),
        Column("What to do", lambda r: r.text, tip),
        Column("Sources", lambda r: _refs(r.sources, r.flags), tip),
    )
    return TupleTableModel(columns, library.document.escalation, parent)
