"""How the window shows and reads numbers: the domain's one formatter with the locale's decimal mark.

Every clinical number on screen goes through `domain.formatting` (here given the locale's mark), and every
number typed in goes through `units.parse_decimal` with the same mark, so the window never shows "1.5"
while expecting "1,5" to be typed. Domain and library words go through `prose` for the same reason.
"""

from __future__ import annotations

import re
from decimal import Decimal

from PySide6.QtCore import QLocale

from ketamine_desktop.domain.formatting import (
    COMMA,
    POINT,
    ClinicalFormat,
    DecimalMark,
    NumberFormat,
)
from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.units import parse_decimal

__all__ = [
    "Display",
    "decimal_separator",
    "dose_rate",
    "dose_rate_number",
    "exact",
    "number_format",
    "nurse_words",
    "parse_entry",
    "plain",
    "prose",
    "unbroken_units",
]

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


def decimal_separator() -> DecimalMark:
    """The locale's decimal mark when the app's grammar knows it ("." or ","), else "."."""
    return "," if QLocale().decimalPoint() == "," else "."


def number_format() -> NumberFormat:
    """The one formatter, with the decimal mark the number fields accept."""
    return COMMA if decimal_separator() == "," else POINT


def parse_entry(text: str) -> Decimal:
    """A typed number by the app's grammar; raises units.NumberParseError with a message for the user."""
    return parse_decimal(text, decimal_separator=decimal_separator(), reject_ambiguous_grouping=True)


_PLAIN_WORDS = (
    ("not a finite number (no NaN or infinity)", "that is not a number"),
    ("no exponents: write the number in full", "write the number in full, digits only"),
    ("enter a value", "the field is empty"),
)
_LOCALE_WORDS = re.compile(r"this locale uses '(.)' as the decimal separator")


def nurse_words(message: str) -> str:
    """The grammar's refusal in a nurse's words (no "locale", "exponent" or "NaN")."""
    words = _LOCALE_WORDS.sub(r"the decimal mark here is '\1'", message)
    for technical, plain in _PLAIN_WORDS:
        words = words.replace(technical, plain)
    return words


def exact(value: Decimal) -> str:
    """A number as typed into a field: every significant digit, no trailing zero."""
    return number_format().exact(value)


def dose_rate(value: Decimal, unit: str) -> str:
    """A weight-based dose rate to three significant figures: 0.06 mg/kg/h, 16.7 mcg/kg/min."""
    return number_format().dose_rate(value, unit)


def dose_rate_number(value: Decimal) -> str:
    """The number alone, as it goes back into a dose field (three significant figures)."""
    return number_format().approx(value)


def prose(text: str) -> str:
    """Domain or library words (findings, notes, advice) with the screen's decimal mark."""
    return number_format().prose(text)


class Display(ClinicalFormat):
    """The library's display rules (`domain.formatting.ClinicalFormat`) with the locale's decimal mark."""

    def __init__(self, library: Library) -> None:
        super().__init__(units=library.document.units, numbers=number_format())
