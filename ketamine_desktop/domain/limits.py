"""The finding rules: how a dose, a concentration, a duration or a weight compares with the library.

Every rule here is a pure function of library data and one number, and returns `Finding`s with their level
(`info`, `soft`: starting needs a typed reason, `hard`: refused), the library's sources and flags, and a
message in the app's own words. `regimen.py` does the arithmetic and calls these; the window and the CLI
only show what comes back.

Limit semantics (library section 4): a dose equal to a limit is within it; below the typical range is
info; above the soft max is soft; above the hard max is hard; a probable unit mix-up is hard above the soft
max and soft below the typical range.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Literal

from ketamine_desktop.domain.formatting import POINT, other_unit
from ketamine_desktop.domain.library import (
    BolusSpec,
    Cap,
    Cited,
    DoseRate,
    DoseRateUnit,
    InfusionSpec,
    Library,
    Protocol,
)
from ketamine_desktop.domain.model import FrozenModel
from ketamine_desktop.domain.units import (
    convert_dose_rate,
    round_half_up,
    significant_places,
)

__all__ = [
    "Finding",
    "Level",
    "Target",
    "approx",
    "bolus_dose_findings",
    "bolus_duration_findings",
    "cap_finding",
    "concentration_findings",
    "infusion_dose_findings",
    "note_findings",
    "rate_both_units",
    "rounded_down_finding",
    "sort_findings",
    "unsettable_finding",
    "weight_findings",
    "written",
]

Level = Literal["info", "soft", "hard"]
Target = Literal[
    "weight",
    "bolus",
    "bolus_concentration",
    "bolus_duration",
    "infusion",
    "infusion_concentration",
    "protocol",
]
ConcentrationUse = Literal["bolus", "infusion"]

_LEVEL_RANK: dict[Level, int] = {"hard": 0, "soft": 1, "info": 2}
_MCG_PER_MG = Decimal(1000)
_MIN_PER_H = Decimal(60)
# Shown and suggested numbers that the app worked out (not typed, not from the library) carry three
# significant digits: enough to tell 16.7 from 1.67, few enough to read at a glance.
_SIGNIFICANT = 3


class Finding(FrozenModel):
    """One thing the clinician must see about a regimen, at a level that decides what starting needs."""

    level: Level
    code: str
    message: str
    sources: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    target: Target
    # An infusion unit mix-up: the likely intended dose, in the protocol's display unit.
    suggestion: DoseRate | None = None
    # A bolus mg/mcg mix-up: the likely intended bolus.
    suggested_bolus_mg_per_kg: Decimal | None = None


def blocks(findings: Iterable[Finding]) -> bool:
    """A hard finding: it cannot go ahead, with or without a reason."""
    return any(f.level == "hard" for f in findings)


def needs_a_reason(findings: Iterable[Finding]) -> bool:
    """A soft finding: going ahead needs a typed reason, recorded with it."""
    return any(f.level == "soft" for f in findings)


# --- Text ---------------------------------------------------------------------------------------------


def written(value: Decimal) -> str:
    """A typed or library number with every digit it has and no more (0.35, 20, 0.125): ISMP style."""
    return POINT.exact(value)


def approx(value: Decimal) -> str:
    """A number the app worked out, to three significant digits (16.666... -> 16.7, 0.06 -> 0.06)."""
    return POINT.approx(value)


def rate_both_units(value: Decimal, unit: DoseRateUnit, *, exact: bool = True) -> str:
    """A dose rate with its value in the other unit beside it: 1 mcg/kg/min (0.06 mg/kg/h)."""
    return POINT.rate_both(value, unit, exact=exact)


def _range(low: Decimal, high: Decimal, unit: str) -> str:
    return POINT.range(low, high, unit)


def _range_both_units(low: DoseRate, high: DoseRate) -> str:
    return POINT.rate_range_both(low, high)


def _choices(values: Iterable[Decimal], unit: str) -> str:
    texts = [written(v) for v in values]
    if len(texts) == 1:
        return f"{texts[0]} {unit}"
    return f"{', '.join(texts[:-1])} or {texts[-1]} {unit}"


def _finding(level: Level, code: str, message: str, cited: Cited, target: Target) -> Finding:
    return Finding(
        level=level, code=code, message=message, sources=cited.sources, flags=cited.flags, target=target
    )


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Hard first, then soft, then info; otherwise in the order the rules produced them."""
    return tuple(sorted(findings, key=lambda f: _LEVEL_RANK[f.level]))


# --- Weight -------------------------------------------------------------------------------------------


def weight_findings(library: Library, weight_kg: Decimal) -> tuple[Finding, ...]:
    """A weight inside the accepted range but outside the plausible band needs confirming (soft)."""
    rules = library.document.weight
    if rules.plausible_min_kg <= weight_kg <= rules.plausible_max_kg:
        return ()
    message = (
        f"{written(weight_kg)} kg is outside the usual range of "
        f"{_range(rules.plausible_min_kg, rules.plausible_max_kg, 'kg')}. {rules.plausibility_message}"
    )
    return (_finding("soft", "weight-plausibility", message, rules, "weight"),)


# --- Unit mix-up sentinel -----------------------------------------------------------------------------


def _widened(library: Library, low: Decimal, high: Decimal) -> tuple[Decimal, Decimal]:
    fraction = library.document.limits.unit_mixup_widen_fraction
    return low * (1 - fraction), high * (1 + fraction)


def _mixup_candidates(value: Decimal, factors: Iterable[tuple[Decimal, Decimal]]) -> Iterator[Decimal]:
    """`value` divided and multiplied by each factor (given as numerator/denominator, kept exact)."""
    for numerator, denominator in factors:
        yield value * denominator / numerator
        yield value * numerator / denominator


def _mixup(library: Library, value: Decimal, low: Decimal, high: Decimal, *, bolus: bool) -> Decimal | None:
    """The first reading of `value` under a unit slip that lands in the widened typical range, if any."""
    # Order matters when more than one reading fits: the mg/kg/h vs mcg/kg/min swap is the classic error.
    factors: tuple[tuple[Decimal, Decimal], ...] = (
        ((_MCG_PER_MG, Decimal(1)),)
        if bolus
        else ((_MCG_PER_MG, _MIN_PER_H), (_MIN_PER_H, Decimal(1)), (_MCG_PER_MG, Decimal(1)))
    )
    wide_low, wide_high = _widened(library, low, high)
    for candidate in _mixup_candidates(value, factors):
        if wide_low <= candidate <= wide_high:
            return candidate
    return None


def _three_significant(value: Decimal) -> Decimal:
    """A suggested dose, rounded (halves up) to the three significant digits the message shows."""
    return round_half_up(value, Decimal(1).scaleb(-significant_places(value, _SIGNIFICANT))).normalize()


# --- Bolus --------------------------------------------------------------------------------------------


def bolus_dose_findings(library: Library, spec: BolusSpec, dose_mg_per_kg: Decimal) -> tuple[Finding, ...]:
    """Typical range (info below), soft max, hard max, and the mg/mcg mix-up (bolus: x or / 1000 only)."""
    dose = dose_mg_per_kg
    shown = f"{written(dose)} mg/kg"
    typical = _range(spec.typical_min_mg_per_kg, spec.typical_max_mg_per_kg, "mg/kg")
    mixup = None
    if dose < spec.typical_min_mg_per_kg or dose > spec.soft_max_mg_per_kg:
        mixup = _mixup(library, dose, spec.typical_min_mg_per_kg, spec.typical_max_mg_per_kg, bolus=True)
    findings: list[Finding] = []
    if dose > spec.hard_max_mg_per_kg:
        message = (
            f"A bolus of {shown} is above this protocol's hard maximum of "
            f"{written(spec.hard_max_mg_per_kg)} mg/kg: it cannot be given."
        )
        findings.append(_finding("hard", "hard-max", message, spec, "bolus"))
    elif dose > spec.soft_max_mg_per_kg and mixup is None:
        message = (
            f"A bolus of {shown} is above this protocol's usual maximum of "
            f"{written(spec.soft_max_mg_per_kg)} mg/kg: starting needs a recorded reason."
        )
        findings.append(_finding("soft", "soft-max", message, spec, "bolus"))
    elif dose < spec.typical_min_mg_per_kg and mixup is None:
        message = f"A bolus of {shown} is below this protocol's usual bolus of {typical}."
        findings.append(_finding("info", "below-typical", message, spec, "bolus"))
    if mixup is not None:
        suggested = _three_significant(mixup)
        message = (
            f"{shown} looks like a mg/mcg mix-up; this protocol's usual bolus is {typical}: "
            f"did you mean {written(suggested)} mg/kg?"
        )
        finding = _finding(
            "hard" if dose > spec.soft_max_mg_per_kg else "soft",
            "unit-mixup",
            message,
            library.document.limits,
            "bolus",
        )
        findings.append(finding.model_copy(update={"suggested_bolus_mg_per_kg": suggested}))
    return tuple(findings)


def bolus_duration_findings(spec: BolusSpec, over_min: Decimal) -> tuple[Finding, ...]:
    """Faster than allowed: hard; faster than advised: soft; slower than allowed: hard."""
    allowed = _range(spec.over_min_allowed_min, spec.over_min_allowed_max, "min")
    shown = f"{written(over_min)} min"
    if over_min < spec.over_min_allowed_min:
        message = f"A bolus over {shown} is too fast: give it over {allowed}."
        return (_finding("hard", "bolus-too-fast", message, spec, "bolus_duration"),)
    if over_min < spec.over_min_soft_below:
        message = (
            f"A bolus over {shown} is faster than advised ({written(spec.over_min_soft_below)} min or "
            f"longer): starting needs a recorded reason."
        )
        return (_finding("soft", "bolus-too-fast", message, spec, "bolus_duration"),)
    if over_min > spec.over_min_allowed_max:
        message = f"A bolus over {shown} is too slow for this protocol: give it over {allowed}."
        return (_finding("hard", "bolus-too-slow", message, spec, "bolus_duration"),)
    return ()


# --- Infusion -----------------------------------------------------------------------------------------


def infusion_dose_findings(library: Library, spec: InfusionSpec, entered: DoseRate) -> tuple[Finding, ...]:
    """Typical range (info below), soft max, hard max and the unit mix-up sentinel, compared in mg/kg/h."""
    dose = entered.mg_per_kg_per_h
    low, high = spec.typical_min.mg_per_kg_per_h, spec.typical_max.mg_per_kg_per_h
    soft, hard = spec.soft_max.mg_per_kg_per_h, spec.hard_max.mg_per_kg_per_h
    shown = rate_both_units(entered.value, entered.unit)
    mixup = _mixup(library, dose, low, high, bolus=False) if dose < low or dose > soft else None
    findings: list[Finding] = []
    if dose > hard:
        message = (
            f"{shown} is above this protocol's hard maximum of "
            f"{rate_both_units(spec.hard_max.value, spec.hard_max.unit)}: it cannot be given."
        )
        findings.append(_finding("hard", "hard-max", message, spec, "infusion"))
    elif dose > soft and mixup is None:
        message = (
            f"{shown} is above this protocol's usual maximum of "
            f"{rate_both_units(spec.soft_max.value, spec.soft_max.unit)}: starting needs a recorded reason."
        )
        findings.append(_finding("soft", "soft-max", message, spec, "infusion"))
    elif dose < low and mixup is None:
        message = (
            f"{shown} is below this protocol's usual range of "
            f"{_range_both_units(spec.typical_min, spec.typical_max)}."
        )
        findings.append(_finding("info", "below-typical", message, spec, "infusion"))
    if mixup is not None:
        findings.append(_infusion_mixup_finding(library, spec, entered, mixup, hard=dose > soft))
    return tuple(findings)


def _infusion_mixup_finding(
    library: Library, spec: InfusionSpec, entered: DoseRate, intended_mg_per_kg_per_h: Decimal, *, hard: bool
) -> Finding:
    unit = spec.display_unit
    other = other_unit(entered.unit)
    suggested = _three_significant(convert_dose_rate(intended_mg_per_kg_per_h, "mg/kg/h", unit))
    question = f"did you mean {written(suggested)} {unit}"
    if suggested != entered.value:
        # The user's own number is not in the suggestion: show it in the other unit so the slip is plain.
        question += f" ({approx(convert_dose_rate(suggested, unit, other_unit(unit)))} {other_unit(unit)})"
    converted = approx(convert_dose_rate(entered.value, entered.unit, other))
    message = (
        f"{written(entered.value)} {entered.unit} is {converted} {other}; this protocol's usual dose is "
        f"{_range(spec.typical_min.value, spec.typical_max.value, unit)}: {question}?"
    )
    finding = _finding("hard" if hard else "soft", "unit-mixup", message, library.document.limits, "infusion")
    return finding.model_copy(update={"suggestion": DoseRate(value=suggested, unit=unit)})


def cap_finding(
    cap: Cap, entered: DoseRate, requested_mg_per_h: Decimal, weight_kg: Decimal
) -> tuple[Finding, ...]:
    """Above the absolute cap (mg/h) the rate is held at the cap (soft: starting needs a reason)."""
    if requested_mg_per_h <= cap.mg_per_h:
        return ()
    held = convert_dose_rate(cap.mg_per_h / weight_kg, "mg/kg/h", entered.unit)
    message = (
        f"{rate_both_units(entered.value, entered.unit)} at {written(weight_kg)} kg is "
        f"{written(requested_mg_per_h)} mg/h, above this protocol's cap of {written(cap.mg_per_h)} mg/h: "
        f"the rate is held at {written(cap.mg_per_h)} mg/h, which is "
        f"{rate_both_units(held, entered.unit, exact=False)}."
    )
    return (_finding("soft", "cap", message, cap, "infusion"),)


# --- Concentrations -----------------------------------------------------------------------------------


def concentration_findings(
    library: Library, use: ConcentrationUse, concentration_mg_per_ml: Decimal
) -> tuple[Finding, ...]:
    """Standard: fine; an undiluted vial strength: hard; custom within range: soft; outside: hard."""
    rules = library.document.concentrations
    standard = rules.bolus_standard_mg_per_ml if use == "bolus" else rules.infusion_standard_mg_per_ml
    target: Target = "bolus_concentration" if use == "bolus" else "infusion_concentration"
    shown = f"{written(concentration_mg_per_ml)} mg/mL"
    choices = _choices(standard, "mg/mL")
    if concentration_mg_per_ml in rules.undiluted_vial_mg_per_ml:
        message = (
            f"{shown} is an undiluted vial strength: dilute first (standard {use} concentrations: {choices})."
        )
        return (_finding("hard", "undiluted-vial", message, rules, target),)
    if concentration_mg_per_ml in standard:
        return ()
    custom = _range(rules.custom_min_mg_per_ml, rules.custom_max_mg_per_ml, "mg/mL")
    if rules.custom_min_mg_per_ml <= concentration_mg_per_ml <= rules.custom_max_mg_per_ml:
        message = (
            f"{shown} is not a standard {use} concentration ({choices}): check the label; "
            f"starting needs a recorded reason."
        )
        return (_finding("soft", "non-standard-concentration", message, rules, target),)
    message = f"{shown} is outside the range allowed for a custom concentration ({custom})."
    return (_finding("hard", "non-standard-concentration", message, rules, target),)


# --- Pump rounding ------------------------------------------------------------------------------------


def unsettable_finding(
    library: Library, target: Target, what: str, unrounded: Decimal, resolution: Decimal, unit: str
) -> Finding:
    """A volume or rate that rounds to zero at the pump's resolution cannot be given (hard)."""
    message = (
        f"The {what} would be {approx(unrounded)} {unit}, which rounds to 0 at the pump's resolution of "
        f"{written(resolution)} {unit}: use a weaker concentration."
    )
    return _finding("hard", "below-pump-resolution", message, library.document.units, target)


def rounded_down_finding(
    library: Library,
    target: Target,
    what: str,
    shown: str,
    nearest: str,
    limit_name: str,
    limit: str,
) -> Finding:
    """Why the app shows the step below the nearest one: the nearest would go past a limit (info).

    Said out loud because a second checker who rounds by hand gets the nearest step and must not be left
    wondering which of the two numbers is right.
    """
    message = (
        f"The {what} is {shown}, one step below the nearest {nearest}, which would give more than this "
        f"protocol's {limit_name} of {limit}."
    )
    return _finding("info", "rounded-down", message, library.document.units, target)


# --- Notes --------------------------------------------------------------------------------------------


def note_findings(protocol: Protocol) -> tuple[Finding, ...]:
    """The protocol's gates (confirm before starting) and evidence notes, as info findings."""
    findings = [
        _finding("info", "gate" if note.kind == "gate" else "evidence-note", note.text, note, "protocol")
        for note in protocol.notes
    ]
    if protocol.infusion is not None and protocol.infusion.advice is not None:
        findings.append(_finding("info", "advice", protocol.infusion.advice, protocol.infusion, "infusion"))
    return tuple(findings)
