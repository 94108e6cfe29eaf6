"""How the window shows and reads numbers: the domain's ISMP formatting with the user's decimal mark.

Every clinical number on screen goes through `units.format_quantity` here, and every number typed in goes
through `units.parse_decimal` with the same decimal mark, so the window never shows "1.5" while expecting
"1,5" to be typed.
"""

from __future__ import annotations

import re
from decimal import Decimal

from PySide6.QtCore import QLocale

from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.units import format_number, format_quantity, parse_decimal, significant_places

_UNIT_AFTER_NUMBER = re.compile(r"(?<=[0-9]) (?=(?:mg|mcg|mL|kg|min|h)\b)")
_WORD_JOINER = "\u2060"
_NO_BREAK_SPACE = "\u00a0"


def unbroken_units(text: str) -> str:
    """Text for a wrapping label in which no line ends inside "mg/kg/h" or between "0.5" and "mg".

    A line that ends in "0.06 mg/kg/" with "h" below is a misreading waiting to happen; Qt would break
    after any slash. Only what is painted changes: a word joiner after each slash, a no-break space
    between a number and its unit.
    """
    return _UNIT_AFTER_NUMBER.sub(_NO_BREAK_SPACE, text).replace("/", "/" + _WORD_JOINER)


def plain(text: str) -> str:
    """`unbroken_units` undone (for comparing what is shown with the domain's words)."""
    return text.replace(_WORD_JOINER, "").replace(_NO_BREAK_SPACE, " ")


def decimal_separator() -> str:
    """The locale's decimal mark when the app's grammar knows it ("." or ","), else "."."""
    mark = QLocale().decimalPoint()
    return mark if mark in (".", ",") else "."


def parse_entry(text: str) -> Decimal:
    """A typed number by the app's grammar; raises units.NumberParseError with a message for the user."""
    return parse_decimal(text, decimal_separator=decimal_separator(), reject_ambiguous_grouping=True)


def places_for_step(step: Decimal) -> int:
    """Decimals needed to show a multiple of `step` exactly: 0.1 -> 1, 1 -> 0, 0.25 -> 2."""
    exponent = step.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def exact(value: Decimal) -> str:
    """A number as typed into a field: every significant digit, no trailing zero."""
    return format_number(value, places=places_for_step(value), decimal_separator=decimal_separator())


def quantity(value: Decimal, unit: str, places: int) -> str:
    return format_quantity(value, unit, places=places, decimal_separator=decimal_separator())


def dose_rate(value: Decimal, unit: str) -> str:
    """A weight-based dose rate to three significant figures: 0.06 mg/kg/h, 16.7 mcg/kg/min."""
    return quantity(value, unit, significant_places(value))


def dose_rate_number(value: Decimal) -> str:
    """The number alone, as it goes back into a dose field (three significant figures)."""
    return format_number(value, places=significant_places(value), decimal_separator=decimal_separator())


class Display:
    """The library's display rules: mg to the dose resolution, mL to the volume resolution, mL/h to the
    pump resolution (units section of the library)."""

    def __init__(self, library: Library) -> None:
        rules = library.document.units
        self._mg_places = places_for_step(rules.dose_resolution_mg)
        self._ml_places = places_for_step(rules.volume_resolution_ml)
        self._rate_places = places_for_step(rules.pump_resolution_ml_per_h)

    def mg(self, value: Decimal) -> str:
        return quantity(value, "mg", self._mg_places)

    def mg_per_h(self, value: Decimal) -> str:
        return quantity(value, "mg/h", self._mg_places)

    def ml(self, value: Decimal) -> str:
        return quantity(value, "mL", self._ml_places)

    def ml_per_h(self, value: Decimal) -> str:
        return quantity(value, "mL/h", self._rate_places)

    def ml_per_h_number(self, value: Decimal) -> str:
        return format_number(value, places=self._rate_places, decimal_separator=decimal_separator())

    def mg_per_kg(self, value: Decimal) -> str:
        return quantity(value, "mg/kg", significant_places(value))

    def mg_per_ml(self, value: Decimal) -> str:
        return quantity(value, "mg/mL", places_for_step(value))

    def minutes(self, value: Decimal) -> str:
        return quantity(value, "min", places_for_step(value))

    def kg(self, value: Decimal) -> str:
        return quantity(value, "kg", places_for_step(value))
