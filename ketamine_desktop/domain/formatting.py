"""The one formatter: every clinical number the app shows or exports, written once, with one decimal mark.

`NumberFormat` turns numbers into text by the ISMP rules of `units.format_number` (leading zero, no
trailing zero, never an exponent, "mcg" and never the micro sign) with the decimal mark the reader's number
fields accept, so one screen never shows "0,06" beside "0.5". `ClinicalFormat` adds the library's display
rules (mg to the dose resolution, mL to the volume resolution, mL/h to the pump resolution).

Words the domain and the library write (finding messages, notes, advice) are in the record's canonical form,
with a decimal point; `NumberFormat.prose` gives them the reader's mark. The CLI and the record keep the
point (`POINT`).

Pure and Qt-free: the window asks Qt for the locale's mark once and passes it in.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Literal, TypeAlias

from ketamine_desktop.domain.library import BolusSpec, DoseRate, DoseRateUnit, InfusionSpec, Library, Units
from ketamine_desktop.domain.model import FrozenModel
from ketamine_desktop.domain.units import (
    convert_dose_rate,
    format_number,
    format_quantity,
    significant_places,
)

__all__ = [
    "COMMA",
    "POINT",
    "ClinicalFormat",
    "DecimalMark",
    "NumberFormat",
    "bolus_dose_hint",
    "bolus_over_hint",
    "clock_time",
    "in_both_units",
    "infusion_dose_hint",
    "other_unit",
    "places_for_step",
    "zone_words",
]

DecimalMark: TypeAlias = Literal[".", ","]

# Numbers the app worked out (not typed, not from the library) carry three significant digits: enough to
# tell 16.7 from 1.67, few enough to read at a glance.
_SIGNIFICANT = 3

# A decimal number in prose: digits, one point, digits, standing alone. Not part of a dotted sequence
# (a version such as 1.0.0, a DOI such as 10.1097/AAP) and not glued to letters (v6.0).
_PROSE_DECIMAL = re.compile(r"(?<![\w./])([0-9]+)\.([0-9]+)(?![\w/])(?!\.[0-9])")


def other_unit(unit: DoseRateUnit) -> DoseRateUnit:
    """The other weight-based dose-rate unit: mg/kg/h <-> mcg/kg/min."""
    return "mcg/kg/min" if unit == "mg/kg/h" else "mg/kg/h"


def in_both_units(value: Decimal, unit: DoseRateUnit) -> dict[DoseRateUnit, Decimal]:
    """A dose rate in mg/kg/h and mcg/kg/min (the unit given keeps its exact value)."""
    return {unit: value, other_unit(unit): convert_dose_rate(value, unit, other_unit(unit))}


def places_for_step(step: Decimal) -> int:
    """Decimals needed to show a multiple of `step` exactly: 0.1 -> 1, 1 -> 0, 0.25 -> 2, 20 -> 0."""
    exponent = step.normalize().as_tuple().exponent
    if not isinstance(exponent, int):
        raise ValueError(f"step must be a finite number, got {step}")
    return max(0, -exponent)


class NumberFormat(FrozenModel):
    """Numbers as text with one decimal mark ("." or ","); the same mark the number fields accept."""

    decimal_mark: DecimalMark = "."

    # --- numbers ---

    def number(self, value: Decimal, places: int) -> str:
        """At most `places` decimals, halves up, no trailing zero: 4.25 (1 place) -> "4.3"."""
        return format_number(value, places=places, decimal_separator=self.decimal_mark)

    def exact(self, value: Decimal) -> str:
        """Every digit the number has and no more (a typed or library number): 0.35, 20, 0.125."""
        return self.number(value, places_for_step(value))

    def approx(self, value: Decimal) -> str:
        """A worked-out number to three significant digits: 16.666... -> 16.7, 0.06 -> 0.06."""
        return self.number(value, significant_places(value, _SIGNIFICANT))

    # --- quantities ---

    def quantity(self, value: Decimal, unit: str, places: int) -> str:
        """A number and its unit with one space: "4.2 mL/h"; refuses error-prone units."""
        return format_quantity(value, unit, places=places, decimal_separator=self.decimal_mark)

    def exact_quantity(self, value: Decimal, unit: str) -> str:
        return self.quantity(value, unit, places_for_step(value))

    def dose_rate(self, value: Decimal, unit: str) -> str:
        """A weight-based dose rate to three significant digits: 0.06 mg/kg/h, 16.7 mcg/kg/min."""
        return self.quantity(value, unit, significant_places(value, _SIGNIFICANT))

    def range(self, low: Decimal, high: Decimal, unit: str) -> str:
        """ "0.1-0.5 mg/kg", or one number when both ends are equal."""
        if low == high:
            return self.exact_quantity(low, unit)
        return f"{self.exact(low)}-{self.exact_quantity(high, unit)}"

    def rate_both(self, value: Decimal, unit: DoseRateUnit, *, exact: bool = True) -> str:
        """A dose rate with the other unit beside it: "1 mcg/kg/min (0.06 mg/kg/h)"."""
        other = other_unit(unit)
        first = self.exact_quantity(value, unit) if exact else self.dose_rate(value, unit)
        return f"{first} ({self.dose_rate(convert_dose_rate(value, unit, other), other)})"

    def rate_equals(self, mg_per_kg_per_h: Decimal, mcg_per_kg_per_min: Decimal) -> str:
        """Both units of one worked-out dose rate: "0.12 mg/kg/h = 2 mcg/kg/min"."""
        return (
            f"{self.dose_rate(mg_per_kg_per_h, 'mg/kg/h')} = "
            f"{self.dose_rate(mcg_per_kg_per_min, 'mcg/kg/min')}"
        )

    def rate_range_both(self, low: DoseRate, high: DoseRate) -> str:
        """A dose-rate range with the other unit beside it: "0.5-2 mg/kg/h (8.33-33.3 mcg/kg/min)"."""
        other = other_unit(low.unit)
        low_other = convert_dose_rate(low.value, low.unit, other)
        high_other = convert_dose_rate(high.value, high.unit, other)
        converted = (
            self.dose_rate(low_other, other)
            if low == high
            else f"{self.approx(low_other)}-{self.dose_rate(high_other, other)}"
        )
        return f"{self.range(low.value, high.value, low.unit)} ({converted})"

    # --- words ---

    def prose(self, text: str) -> str:
        """Domain or library words (written with a decimal point) with this mark: "0.5 mg/kg" -> "0,5 mg/kg".

        Only a number standing alone changes; a version (1.0.0), a DOI (10.1097/AAP) or a code (v6.0)
        keeps its points.
        """
        if self.decimal_mark == ".":
            return text
        return _PROSE_DECIMAL.sub(rf"\1{self.decimal_mark}\2", text)


POINT = NumberFormat(decimal_mark=".")
COMMA = NumberFormat(decimal_mark=",")


class ClinicalFormat(FrozenModel):
    """The library's display rules with one decimal mark: mg to the dose resolution, mL to the volume
    resolution, mL/h to the pump resolution (library section "units")."""

    units: Units
    numbers: NumberFormat = POINT

    @classmethod
    def of(cls, library: Library, numbers: NumberFormat = POINT) -> ClinicalFormat:
        return cls(units=library.document.units, numbers=numbers)

    def mg(self, value: Decimal) -> str:
        return self.numbers.quantity(value, "mg", places_for_step(self.units.dose_resolution_mg))

    def mg_per_h(self, value: Decimal) -> str:
        return self.numbers.quantity(value, "mg/h", places_for_step(self.units.dose_resolution_mg))

    def ml(self, value: Decimal) -> str:
        return self.numbers.quantity(value, "mL", places_for_step(self.units.volume_resolution_ml))

    def ml_per_h(self, value: Decimal) -> str:
        return self.numbers.quantity(value, "mL/h", places_for_step(self.units.pump_resolution_ml_per_h))

    def ml_per_h_number(self, value: Decimal) -> str:
        return self.numbers.number(value, places_for_step(self.units.pump_resolution_ml_per_h))

    def mg_per_kg(self, value: Decimal) -> str:
        return self.numbers.dose_rate(value, "mg/kg")

    def mg_per_ml(self, value: Decimal) -> str:
        return self.numbers.exact_quantity(value, "mg/mL")

    def minutes(self, value: Decimal) -> str:
        return self.numbers.exact_quantity(value, "min")

    def kg(self, value: Decimal) -> str:
        return self.numbers.exact_quantity(value, "kg")


# --- The limits beside a dose field -----------------------------------------------------------------------


def bolus_dose_hint(spec: BolusSpec, numbers: NumberFormat = POINT) -> str:
    """ "Usual 0.1-0.3 mg/kg; soft max 0.35 mg/kg; hard max 0.5 mg/kg"."""
    return (
        f"Usual {numbers.range(spec.typical_min_mg_per_kg, spec.typical_max_mg_per_kg, 'mg/kg')}; "
        f"soft max {numbers.exact_quantity(spec.soft_max_mg_per_kg, 'mg/kg')}; "
        f"hard max {numbers.exact_quantity(spec.hard_max_mg_per_kg, 'mg/kg')}"
    )


def bolus_over_hint(spec: BolusSpec, numbers: NumberFormat = POINT) -> str:
    """ "Allowed 5-30 min; advised 10 min or longer"."""
    return (
        f"Allowed {numbers.range(spec.over_min_allowed_min, spec.over_min_allowed_max, 'min')}; "
        f"advised {numbers.exact_quantity(spec.over_min_soft_below, 'min')} or longer"
    )


def infusion_dose_hint(spec: InfusionSpec, numbers: NumberFormat = POINT) -> str:
    """The usual range, soft and hard maximum, each in both units and one a line, then the advice.

    One limit a line: a unit split across lines ("mg/kg/" + "h") is a misreading waiting to happen.
    """
    lines = [
        f"Usual {numbers.rate_range_both(spec.typical_min, spec.typical_max)}",
        f"Soft max {numbers.rate_both(spec.soft_max.value, spec.soft_max.unit)}",
        f"Hard max {numbers.rate_both(spec.hard_max.value, spec.hard_max.unit)}",
    ]
    if spec.advice:
        lines.append(numbers.prose(spec.advice))
    return "\n".join(lines)


# --- Clock times -------------------------------------------------------------------------------------------
# The screen shows local wall-clock time, the zone said once (`zone_words`, in the status bar); the record
# and the exports keep UTC.


def clock_time(instant: datetime, zone: tzinfo | None = None, *, seconds: bool = False) -> str:
    """Local wall-clock time of an aware instant: "08:15" (or "08:15:07"). `zone` None: this computer's."""
    return instant.astimezone(zone).strftime("%H:%M:%S" if seconds else "%H:%M")


def zone_words(instant: datetime, zone: tzinfo | None = None) -> str:
    """Which clock the screen's times are on: "local time, AEDT (UTC+11:00)"."""
    local = instant.astimezone(zone)
    offset = local.strftime("%z")
    name = local.tzname() or ""
    utc = f"UTC{offset[:3]}:{offset[3:]}"
    # A named zone ("AEDT") is said with its offset; a bare offset ("UTC+11:00", "+11") is said once.
    if name.isalpha() and not name.startswith("UTC"):
        return f"local time, {name} ({utc})"
    return f"local time, {utc}"
