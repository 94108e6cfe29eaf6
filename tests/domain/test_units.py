"""Tests for ketamine_desktop.domain.units: number grammar, dose-rate conversions, rounding, ISMP display.

Reliability recipes 15 (unit round trip exact to 1e-12, rounding within tolerance, no NaN) and 16 (display
rules) are checked here; recipe 12 and 13 (fuzzing, locale matrix) live in test_units_fuzz.py.
"""

from __future__ import annotations

import decimal
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketamine_desktop.domain.units import (
    MCG_PER_KG_PER_MIN_PER_MG_PER_KG_PER_H,
    NumberParseError,
    convert_dose_rate,
    format_number,
    format_quantity,
    parse_decimal,
    parse_quantity,
    round_down_to_step,
    round_half_up,
    significant_places,
    to_mcg_per_kg_per_min,
    to_mg_per_kg_per_h,
)
from tests.helpers.runs import examples

D = Decimal
# Error-prone unit spellings, escaped so that no forbidden spelling appears literally in the source.
MICRO_SIGN_G = "\u00b5g"
GREEK_MU_G = "\u03bcg"
LATIN_U_G = "\x75g"
CUBIC_CENTIMETRE = "\x63\x63"

# --- parse_decimal: table of every rule and its message -------------------------------------------------

ACCEPTED = [
    # text, keyword arguments, expected value
    ("0", {}, D("0")),
    ("5", {}, D("5")),
    ("0.5", {}, D("0.5")),
    ("70.5", {}, D("70.5")),
    ("4.20", {}, D("4.20")),
    ("1234567", {}, D("1234567")),
    ("0.0018", {}, D("0.0018")),
    ("  70.5\t\n", {}, D("70.5")),  # surrounding ASCII whitespace is padding
    ("\r\x0b\x0c5\x0c", {}, D("5")),
    ("70,5", {"decimal_separator": ","}, D("70.5")),
    ("0,06", {"decimal_separator": ","}, D("0.06")),
    ("-3", {"allow_negative": True}, D("-3")),
    ("-0.5", {"allow_negative": True}, D("-0.5")),
    ("-2,5", {"allow_negative": True, "decimal_separator": ","}, D("-2.5")),
    ("1.000", {}, D("1.000")),  # only refused when the caller asks for it (the GUI does)
    ("1,000", {"decimal_separator": ","}, D("1.000")),
    ("0.500", {"reject_ambiguous_grouping": True}, D("0.500")),  # starts with 0: cannot be a grouping
    ("1.0000", {"reject_ambiguous_grouping": True}, D("1.0000")),  # four decimals: not a grouping
    ("1.00", {"reject_ambiguous_grouping": True}, D("1.00")),
    ("1234.000", {"reject_ambiguous_grouping": True}, D("1234.000")),  # 1234.000 is no valid grouping
    ("5", {"reject_ambiguous_grouping": True}, D("5")),
]


@pytest.mark.parametrize(("text", "kwargs", "expected"), ACCEPTED)
def test_parse_decimal_accepts(text: str, kwargs: dict[str, object], expected: Decimal) -> None:
    result = parse_decimal(text, **kwargs)  # type: ignore[arg-type]
    assert result == expected
    assert result.as_tuple() == expected.as_tuple()


@pytest.mark.parametrize(("text", "separator"), [("-0", "."), ("-0.0", "."), ("-0,00", ",")])
def test_negative_zero_becomes_plain_zero(text: str, separator: str) -> None:
    result = parse_decimal(text, allow_negative=True, decimal_separator=separator)
    assert result == 0
    assert not result.is_signed()


BOTH_SIDES_POINT = "use digits on both sides of the decimal point"
BOTH_SIDES_COMMA = "use digits on both sides of the decimal comma"
NO_GROUPING = "no thousands separators"
NOT_FINITE = "not a finite number (no NaN or infinity)"
NOT_A_NUMBER = "not a number"
NO_EXPONENT = "no exponents: write the number in full"
ASCII_DIGITS = "use the digits 0-9 only"
DOT_LOCALE = "this locale uses '.' as the decimal separator"
COMMA_LOCALE = "this locale uses ',' as the decimal separator"
AMBIGUOUS = " is ambiguous: it could be read as a thousands grouping; enter "

REJECTED = [
    # text, keyword arguments, expected message
    ("", {}, "enter a value"),
    ("   ", {}, "enter a value"),
    ("\t\n", {}, "enter a value"),
    (".5", {}, BOTH_SIDES_POINT),
    ("5.", {}, BOTH_SIDES_POINT),
    (".", {}, BOTH_SIDES_POINT),
    ("-.5", {"allow_negative": True}, BOTH_SIDES_POINT),
    (",5", {"decimal_separator": ","}, BOTH_SIDES_COMMA),
    ("5,", {"decimal_separator": ","}, BOTH_SIDES_COMMA),
    ("1.2.3", {}, "use one decimal point at most"),
    ("1,2,3", {"decimal_separator": ","}, "use one decimal comma at most"),
    ("5..0", {}, "use one decimal point at most"),
    ("007", {}, "no leading zeros"),
    ("00", {}, "no leading zeros"),
    ("00.5", {}, "no leading zeros"),
    ("-07", {"allow_negative": True}, "no leading zeros"),
    ("+5", {}, "no plus sign"),
    ("+5", {"allow_negative": True}, "no plus sign"),
    ("-5", {}, "must not be negative"),
    ("-0", {}, "must not be negative"),
    ("1e3", {}, NO_EXPONENT),
    ("0E0", {}, NO_EXPONENT),
    ("1.5e-3", {}, NO_EXPONENT),
    ("1E+2", {}, NO_EXPONENT),
    ("2e", {}, NO_EXPONENT),
    ("-1e3", {"allow_negative": True}, NO_EXPONENT),
    ("nan", {}, NOT_FINITE),
    ("NaN", {}, NOT_FINITE),
    ("NAN", {}, NOT_FINITE),
    ("sNaN", {}, NOT_FINITE),
    ("inf", {}, NOT_FINITE),
    ("INF", {}, NOT_FINITE),
    ("-Infinity", {"allow_negative": True}, NOT_FINITE),
    ("+inf", {}, NOT_FINITE),
    ("\u221e", {}, NOT_FINITE),
    ("1 000", {}, NO_GROUPING),
    ("1_000", {}, NO_GROUPING),
    ("1'000", {}, NO_GROUPING),
    ("1\u2019000", {}, NO_GROUPING),
    ("1\u00a0000", {}, NO_GROUPING),  # no-break space
    ("1\u202f000", {}, NO_GROUPING),  # narrow no-break space (French)
    ("1.000.000", {}, NO_GROUPING),
    ("1,000,000", {"decimal_separator": ","}, NO_GROUPING),
    ("1,000", {}, f"{NO_GROUPING}; {DOT_LOCALE}"),
    ("12,500.75", {}, f"{NO_GROUPING}; {DOT_LOCALE}"),
    ("1.000", {"decimal_separator": ","}, f"{NO_GROUPING}; {COMMA_LOCALE}"),
    ("70.5", {"decimal_separator": ","}, COMMA_LOCALE),
    ("0.5", {"decimal_separator": ","}, COMMA_LOCALE),
    ("70,5", {}, DOT_LOCALE),
    ("1,5.2", {}, DOT_LOCALE),
    ("\u0663", {}, ASCII_DIGITS),  # ARABIC-INDIC DIGIT THREE
    ("\u06f5", {}, ASCII_DIGITS),  # EXTENDED ARABIC-INDIC DIGIT FIVE
    ("\uff15", {}, ASCII_DIGITS),  # FULLWIDTH DIGIT FIVE
    ("1\u0967", {}, ASCII_DIGITS),  # DEVANAGARI DIGIT ONE
    ("5\u00b2", {}, ASCII_DIGITS),  # SUPERSCRIPT TWO
    ("\u00bd", {}, ASCII_DIGITS),  # VULGAR FRACTION ONE HALF
    ("abc", {}, NOT_A_NUMBER),
    ("5 mg", {}, NOT_A_NUMBER),
    ("-", {"allow_negative": True}, NOT_A_NUMBER),
    ("+", {}, NOT_A_NUMBER),
    ("--5", {"allow_negative": True}, NOT_A_NUMBER),
    ("5-", {}, NOT_A_NUMBER),
    ("0x10", {}, NOT_A_NUMBER),
    ("\u00a05", {}, NOT_A_NUMBER),  # only ASCII whitespace is stripped
    ("5\uff0e5", {}, NOT_A_NUMBER),  # FULLWIDTH FULL STOP
    ("5\u066b5", {}, NOT_A_NUMBER),  # ARABIC DECIMAL SEPARATOR
    ("\x00", {}, NOT_A_NUMBER),
    ("1.000", {"reject_ambiguous_grouping": True}, "1.000" + AMBIGUOUS + "1 or 1000"),
    ("12.500", {"reject_ambiguous_grouping": True}, "12.500" + AMBIGUOUS + "12.5 or 12500"),
    ("999.999", {"reject_ambiguous_grouping": True}, "999.999" + AMBIGUOUS + "999.999 or 999999"),
    (
        "1,050",
        {"reject_ambiguous_grouping": True, "decimal_separator": ","},
        "1,050" + AMBIGUOUS + "1,05 or 1050",
    ),
    (
        " -2.000 ",
        {"reject_ambiguous_grouping": True, "allow_negative": True},
        "-2.000" + AMBIGUOUS + "-2 or -2000",
    ),
]


@pytest.mark.parametrize(("text", "kwargs", "message"), REJECTED)
def test_parse_decimal_rejects_with_message(text: str, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(NumberParseError) as caught:
        parse_decimal(text, **kwargs)  # type: ignore[arg-type]
    assert caught.value.message == message
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_parse_decimal_refuses_non_str() -> None:
    with pytest.raises(TypeError):
        parse_decimal(5)  # type: ignore[arg-type]


@pytest.mark.parametrize("separator", ["", ";", "\u066b", ".."])
def test_parse_decimal_refuses_unknown_separator(separator: str) -> None:
    with pytest.raises(ValueError, match="decimal_separator") as caught:
        parse_decimal("5", decimal_separator=separator)
    assert not isinstance(caught.value, NumberParseError)  # a programming error, not a user's mistake


def test_parse_decimal_handles_very_long_input() -> None:
    assert parse_decimal("1" * 5000) == Decimal("1" * 5000)
    with pytest.raises(NumberParseError):
        parse_decimal("1" * 5000 + "x")


# --- Conversions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mg_per_kg_per_h", "mcg_per_kg_per_min"),
    [
        (D("0.06"), D("1")),  # the default subanaesthetic infusion
        (D("0.12"), D("2")),
        (D("0.03"), D("0.5")),
        (D("1.5"), D("25")),
        (D("0.6"), D("10")),
        (D("0"), D("0")),
    ],
)
def test_known_conversions_are_exact(mg_per_kg_per_h: Decimal, mcg_per_kg_per_min: Decimal) -> None:
    assert to_mcg_per_kg_per_min(mg_per_kg_per_h) == mcg_per_kg_per_min
    assert to_mg_per_kg_per_h(mcg_per_kg_per_min) == mg_per_kg_per_h
    assert convert_dose_rate(mg_per_kg_per_h, "mg/kg/h", "mcg/kg/min") == mcg_per_kg_per_min
    assert convert_dose_rate(mcg_per_kg_per_min, "mcg/kg/min", "mg/kg/h") == mg_per_kg_per_h


def test_conversion_of_thirds_is_correct_to_28_digits() -> None:
    assert to_mcg_per_kg_per_min(D("0.5")) == D("8.333333333333333333333333333")
    assert to_mcg_per_kg_per_min(D("1")) == MCG_PER_KG_PER_MIN_PER_MG_PER_KG_PER_H
    assert to_mcg_per_kg_per_min(D("2")) == D("33.33333333333333333333333333")


def test_conversion_factor() -> None:
    assert Decimal(1000) / Decimal(60) == MCG_PER_KG_PER_MIN_PER_MG_PER_KG_PER_H
    assert round_half_up(MCG_PER_KG_PER_MIN_PER_MG_PER_KG_PER_H, D("0.001")) == D("16.667")


def test_conversion_ignores_the_callers_decimal_context() -> None:
    with decimal.localcontext() as context:
        context.prec = 3
        context.rounding = decimal.ROUND_FLOOR
        assert to_mcg_per_kg_per_min(D("0.5")) == D("8.333333333333333333333333333")


@pytest.mark.parametrize("unit", ["mg/kg/h", "mcg/kg/min"])
def test_convert_to_same_unit_is_identity(unit: str) -> None:
    assert convert_dose_rate(D("0.35"), unit, unit) == D("0.35")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("from_unit", "to_unit"),
    [("mg/kg/hr", "mg/kg/h"), ("mg/kg/h", "mcg/kg/hr"), (LATIN_U_G + "/kg/min", "mg/kg/h"), ("", "")],
)
def test_convert_refuses_unknown_units(from_unit: str, to_unit: str) -> None:
    with pytest.raises(ValueError, match="unknown dose-rate unit"):
        convert_dose_rate(D("1"), from_unit, to_unit)  # type: ignore[arg-type]


NON_FINITE = [D("NaN"), D("sNaN"), D("Infinity"), D("-Infinity"), D("-NaN")]


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize(
    "function",
    [
        to_mcg_per_kg_per_min,
        to_mg_per_kg_per_h,
        lambda v: convert_dose_rate(v, "mg/kg/h", "mcg/kg/min"),
        lambda v: convert_dose_rate(v, "mcg/kg/min", "mg/kg/h"),
        lambda v: convert_dose_rate(v, "mg/kg/h", "mg/kg/h"),
        lambda v: round_half_up(v, D("0.1")),
        lambda v: round_half_up(D("1"), v),
        lambda v: round_down_to_step(v, D("0.1")),
        lambda v: round_down_to_step(D("1"), v),
        format_number,
        lambda v: format_quantity(v, "mg"),
        significant_places,
    ],
)
def test_non_finite_values_are_refused(function: object, value: Decimal) -> None:
    with pytest.raises(ValueError, match="finite"):
        function(value)  # type: ignore[operator]


@pytest.mark.parametrize("value", [0.06, 1, "0.06", None])
def test_non_decimal_values_are_refused(value: object) -> None:
    with pytest.raises(TypeError, match="Decimal"):
        to_mcg_per_kg_per_min(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Decimal"):
        format_number(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("function", [to_mcg_per_kg_per_min, to_mg_per_kg_per_h])
def test_conversion_overflow_is_a_value_error(function: object) -> None:
    with pytest.raises(ValueError, match="out of range"):
        function(D(f"9E+{decimal.MAX_EMAX}"))  # type: ignore[operator]


@st.composite
def _moderate_decimals(draw: st.DrawFn) -> Decimal:
    """Signed values up to 1e6 with up to 12 decimals: far beyond any dose, still within 28 digits."""
    places = draw(st.integers(min_value=0, max_value=12))
    bound = 10 ** (6 + places)
    return Decimal(draw(st.integers(min_value=-bound, max_value=bound))).scaleb(-places)


TOLERANCE = D("1e-12")


def _check_round_trip(value: Decimal) -> None:
    there_and_back = to_mg_per_kg_per_h(to_mcg_per_kg_per_min(value))
    assert abs(there_and_back - value) <= TOLERANCE
    back_and_there = to_mcg_per_kg_per_min(to_mg_per_kg_per_h(value))
    assert abs(back_and_there - value) <= TOLERANCE
    # x 60 / 1000 is exact in decimal, so this direction has no error at all.
    assert to_mg_per_kg_per_h(value) == value * D("0.06")
    assert convert_dose_rate(value, "mg/kg/h", "mcg/kg/min") == to_mcg_per_kg_per_min(value)


@pytest.mark.long_run
@examples(300, long=10_000)
@given(_moderate_decimals())
def test_unit_round_trip_within_tolerance(value: Decimal) -> None:
    _check_round_trip(value)


@settings(max_examples=300, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_unit_round_trip_relative_error_at_any_magnitude(value: Decimal) -> None:
    # 28 significant digits: the relative error of a round trip stays far below anything clinical.
    there_and_back = to_mg_per_kg_per_h(to_mcg_per_kg_per_min(value))
    assert abs(there_and_back - value) <= abs(value) * D("1e-26")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_multiples_of_0_06_give_whole_mcg(count: int) -> None:
    assert to_mcg_per_kg_per_min(D("0.06") * count) == count


@settings(max_examples=300, deadline=None)
@given(_moderate_decimals(), _moderate_decimals())
def test_conversion_is_monotonic(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    assert to_mcg_per_kg_per_min(low) <= to_mcg_per_kg_per_min(high)
    assert to_mg_per_kg_per_h(low) <= to_mg_per_kg_per_h(high)


# --- Rounding -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [
        (D("4.2"), D("0.1"), D("4.2")),
        (D("4.25"), D("0.1"), D("4.3")),  # halves up
        (D("4.249999"), D("0.1"), D("4.2")),
        (D("4.15"), D("0.1"), D("4.2")),  # not banker's rounding
        (D("-4.25"), D("0.1"), D("-4.3")),  # halves away from zero
        (D("-4.24"), D("0.1"), D("-4.2")),
        (D("-0.04"), D("0.1"), D("0.0")),
        (D("0"), D("0.1"), D("0.0")),
        (D("3.5"), D("1"), D("4")),
        (D("2.5"), D("1"), D("3")),
        (D("41.666"), D("0.1"), D("41.7")),
        (D("7.3"), D("0.5"), D("7.5")),
        (D("7.25"), D("0.5"), D("7.5")),
        (D("7.24"), D("0.5"), D("7.0")),
        (D("12"), D("5"), D("10")),
        (D("12.5"), D("5"), D("15")),
        (D("0.45"), D("0.3"), D("0.6")),
        (D("1E+2"), D("0.1"), D("100.0")),
    ],
)
def test_round_half_up_table(value: Decimal, step: Decimal, expected: Decimal) -> None:
    result = round_half_up(value, step)
    assert result == expected
    assert not result.is_signed() or result < 0


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [
        (D("4.29"), D("0.1"), D("4.2")),
        (D("4.2"), D("0.1"), D("4.2")),
        (D("0.09"), D("0.1"), D("0.0")),
        (D("-4.21"), D("0.1"), D("-4.3")),  # a floor, not a truncation
        (D("-4.2"), D("0.1"), D("-4.2")),
        (D("-0"), D("0.1"), D("0.0")),
        (D("100"), D("0.5"), D("100.0")),
        (D("99.99"), D("0.5"), D("99.5")),
    ],
)
def test_round_down_to_step_table(value: Decimal, step: Decimal, expected: Decimal) -> None:
    result = round_down_to_step(value, step)
    assert result == expected
    assert not result.is_signed() or result < 0


@pytest.mark.parametrize("function", [round_half_up, round_down_to_step])
@pytest.mark.parametrize("step", [D("0"), D("-0.1"), D("-0")])
def test_rounding_refuses_non_positive_step(function: object, step: Decimal) -> None:
    with pytest.raises(ValueError, match="step must be positive"):
        function(D("1"), step)  # type: ignore[operator]


@pytest.mark.parametrize("function", [round_half_up, round_down_to_step])
@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [
        (D("1E+100"), D("0.3"), D("9" * 100 + ".9")),  # needs 104 digits, which it gets
        (D("1" * 59 + ".3"), D("0.25"), D("1" * 59 + ".25")),
        (D("4.116331086977432105375039829656845833855998575169064996498886E-7"), D("1"), D("0")),
    ],
)
def test_rounding_stays_exact_with_many_digits(
    function: object, value: Decimal, step: Decimal, expected: Decimal
) -> None:
    assert function(value, step) == expected  # type: ignore[operator]


@pytest.mark.parametrize("function", [round_half_up, round_down_to_step])
@pytest.mark.parametrize(("value", "step"), [(D("1E+999"), D("0.1")), (D("1"), D("1E-999"))])
def test_rounding_refuses_absurd_digit_counts(function: object, value: Decimal, step: Decimal) -> None:
    with pytest.raises(ValueError, match="too many digits"):
        function(value, step)  # type: ignore[operator]


STEPS = st.sampled_from(
    [D("0.1"), D("0.01"), D("0.5"), D("0.05"), D("1"), D("0.25"), D("2.5"), D("10"), D("0.3")]
)


def _oracle_half_up(value: Decimal, step: Decimal) -> Decimal:
    """An independent reference: divide in a very wide context and let quantize round halves up."""
    with decimal.localcontext() as context:
        context.prec = 200
        return (value / step).quantize(D(1), rounding=ROUND_HALF_UP) * step


@settings(max_examples=500, deadline=None)
@given(_moderate_decimals(), STEPS)
def test_round_half_up_properties(value: Decimal, step: Decimal) -> None:
    result = round_half_up(value, step)
    assert result % step == 0
    assert abs(result - value) <= step / 2
    if abs(result - value) == step / 2:
        assert abs(result) > abs(value)  # halves go up (away from zero)
    assert result == _oracle_half_up(value, step)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(10**9), max_value=10**9), STEPS)
def test_exact_halves_go_up(count: int, step: Decimal) -> None:
    half_above = count * step + step / 2
    expected = (count + 1) * step if half_above > 0 else count * step
    assert round_half_up(half_above, step) == expected


@settings(max_examples=500, deadline=None)
@given(_moderate_decimals(), STEPS)
def test_round_down_to_step_properties(value: Decimal, step: Decimal) -> None:
    result = round_down_to_step(value, step)
    assert result % step == 0
    assert result <= value < result + step


# --- Formatting (ISMP) ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (D("0.5"), 2, "0.5"),  # leading zero
        (D(".5"), 2, "0.5"),
        (D("5.0"), 2, "5"),  # no trailing zero
        (D("5.00"), 2, "5"),
        (D("5"), 0, "5"),
        (D("4.20"), 2, "4.2"),
        (D("0.06"), 2, "0.06"),
        (D("16.6667"), 1, "16.7"),
        (D("16.65"), 1, "16.7"),  # halves up
        (D("16.64999"), 1, "16.6"),
        (D("9.995"), 2, "10"),  # a carry into a new digit
        (D("999.95"), 1, "1000"),
        (D("1E+2"), 2, "100"),  # never exponent notation
        (D("1E+27"), 0, "1000000000000000000000000000"),
        (D("1.5E-7"), 2, "0"),
        (D("0.0018"), 2, "0"),
        (D("0.0018"), 5, "0.0018"),
        (D("-0.001"), 2, "0"),  # never "-0"
        (D("-0"), 2, "0"),
        (D("-0.00"), 0, "0"),
        (D("-4.25"), 1, "-4.3"),
        (D("-2"), 2, "-2"),
        (D("0"), 2, "0"),
        (D("0E-10"), 2, "0"),
        (D("123.456"), 0, "123"),
        (D("35"), 2, "35"),
        (D("3.50"), 2, "3.5"),
    ],
)
def test_format_number_table(value: Decimal, places: int, expected: str) -> None:
    assert format_number(value, places=places) == expected


def test_format_number_default_places_is_two() -> None:
    assert format_number(D("4.2049")) == "4.2"
    assert format_number(D("4.205")) == "4.21"


def test_format_number_with_decimal_comma() -> None:
    assert format_number(D("70.50"), decimal_separator=",") == "70,5"
    assert format_number(D("1E+2"), decimal_separator=",") == "100"


def test_format_number_refusals() -> None:
    with pytest.raises(ValueError, match="places"):
        format_number(D("1"), places=-1)
    with pytest.raises(ValueError, match="decimal_separator"):
        format_number(D("1"), decimal_separator=";")
    with pytest.raises(ValueError, match="too large"):
        format_number(D("1E+28"))
    with pytest.raises(ValueError, match="too large"):
        format_number(D("-1E+999999"))


@pytest.mark.parametrize(
    ("value", "unit", "places", "expected"),
    [
        (D("0.5"), "mg", 2, "0.5 mg"),
        (D("35.0"), "mg", 2, "35 mg"),
        (D("4.2"), "mL/h", 1, "4.2 mL/h"),
        (D("1.00"), "mcg/kg/min", 2, "1 mcg/kg/min"),
        (D("0.06"), "mg/kg/h", 2, "0.06 mg/kg/h"),
        (D("16.6667"), "mcg/kg/min", 1, "16.7 mcg/kg/min"),
        (D("70"), "kg", 1, "70 kg"),
        (D("10"), "mg/mL", 2, "10 mg/mL"),
        (D("2"), "units/h", 2, "2 units/h"),
        (D("96"), "%", 0, "96 %"),
    ],
)
def test_format_quantity_table(value: Decimal, unit: str, places: int, expected: str) -> None:
    assert format_quantity(value, unit, places=places) == expected


def test_format_quantity_default_places_and_comma() -> None:
    assert format_quantity(D("4.205"), "mg/h") == "4.21 mg/h"
    assert format_quantity(D("4.20"), "mL/h", decimal_separator=",") == "4,2 mL/h"


@pytest.mark.parametrize(
    ("unit", "reason"),
    [
        (MICRO_SIGN_G, "write mcg"),
        (MICRO_SIGN_G + "/kg/min", "write mcg"),
        (GREEK_MU_G + "/kg/min", "write mcg"),
        (LATIN_U_G, "write mcg"),
        (LATIN_U_G.upper() + "/kg/min", "write mcg"),
        ("mg/" + LATIN_U_G, "write mcg"),
        (CUBIC_CENTIMETRE, "write mL"),
        (CUBIC_CENTIMETRE.upper() + "/h", "write mL"),
        ("U", "write units in full"),
        ("U/h", "write units in full"),
        ("IU/kg", "write units in full"),
        ("lb", "kg only"),
        ("lbs", "kg only"),
        ("", "one word"),
        (" mg", "one word"),
        ("mg ", "one word"),
        ("mg kg", "one word"),
        ("mg\u00a0", "one word"),
    ],
)
def test_format_quantity_refuses_error_prone_units(unit: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        format_quantity(D("1"), unit)


ISMP_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?")


def _display_decimals() -> st.SearchStrategy[Decimal]:
    return st.one_of(
        _moderate_decimals(),
        st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**20), max_value=10**20),
    )


@settings(max_examples=500, deadline=None)
@given(_display_decimals(), st.integers(min_value=0, max_value=8))
def test_format_parse_round_trip(value: Decimal, places: int) -> None:
    text = format_number(value, places=places)
    # Recipe 16: leading zero, no trailing zero, no exponent, never "-0".
    assert ISMP_NUMBER.fullmatch(text), text
    assert text != "-0"
    # What is shown is exactly the value rounded half up to the displayed resolution.
    assert parse_decimal(text, allow_negative=True) == round_half_up(value, D(1).scaleb(-places))
    comma_text = format_number(value, places=places, decimal_separator=",")
    assert comma_text == text.replace(".", ",")
    assert parse_decimal(comma_text, allow_negative=True, decimal_separator=",") == parse_decimal(
        text, allow_negative=True
    )


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=6))
def test_values_with_few_decimals_survive_format_and_parse(count: int, places: int) -> None:
    value = Decimal(count).scaleb(-places)
    assert parse_decimal(format_number(value, places=places)) == value


@settings(max_examples=300, deadline=None)
@given(_display_decimals(), st.sampled_from(["mg", "mL/h", "mcg/kg/min", "mg/kg/h", "kg"]))
def test_format_quantity_has_one_space_and_allowed_units(value: Decimal, unit: str) -> None:
    text = format_quantity(value, unit)
    number, unit_part = text.split(" ")
    assert unit_part == unit
    assert number == format_number(value)
    lowered = text.casefold()
    assert MICRO_SIGN_G not in lowered
    assert GREEK_MU_G not in lowered
    assert not re.search(rf"\b({LATIN_U_G}|{CUBIC_CENTIMETRE}|u|iu)\b", lowered)


# --- significant_places ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "significant", "expected_places", "shown"),
    [
        (D("0.0018"), 3, 5, "0.0018"),
        (D("0.00184321"), 3, 5, "0.00184"),
        (D("0.06"), 3, 4, "0.06"),
        (D("16.6667"), 3, 1, "16.7"),
        (D("1.5"), 3, 2, "1.5"),
        (D("123.4"), 3, 0, "123"),
        (D("12345"), 3, 0, "12345"),
        (D("-0.0018"), 3, 5, "-0.0018"),
        (D("0.0018"), 1, 3, "0.002"),
        (D("0"), 3, 0, "0"),
        (D("0.000"), 3, 0, "0"),
    ],
)
def test_significant_places(value: Decimal, significant: int, expected_places: int, shown: str) -> None:
    places = significant_places(value, significant)
    assert places == expected_places
    assert format_number(value, places=places) == shown


def test_significant_places_default_and_refusal() -> None:
    assert significant_places(D("0.0018")) == 5
    with pytest.raises(ValueError, match="significant"):
        significant_places(D("1"), 0)


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=D("1e-9"), max_value=D("1e9"), allow_nan=False, allow_infinity=False),
    st.integers(min_value=1, max_value=6),
)
def test_significant_places_shows_enough_digits(value: Decimal, significant: int) -> None:
    places = significant_places(value, significant)
    shown = parse_decimal(format_number(value, places=places))
    # The displayed value is within half a unit of the last requested significant digit.
    assert abs(shown - value) <= D(1).scaleb(value.adjusted() - significant + 1) / 2


# --- parse_quantity -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 mcg/kg/min", (D("1"), "mcg/kg/min")),
        ("0.5 mg/kg", (D("0.5"), "mg/kg")),
        ("0.06 mg/kg/h", (D("0.06"), "mg/kg/h")),
        ("100 mg/h", (D("100"), "mg/h")),
        ("10 mg/mL", (D("10"), "mg/mL")),
        ("0.1 mL/h", (D("0.1"), "mL/h")),
    ],
)
def test_parse_quantity_accepts(text: str, expected: tuple[Decimal, str]) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1mg", "one space"),
        ("1  mg", "one space"),
        (" 1 mg", "one space"),
        ("1 mg ", "one space"),
        ("1\tmg", "one space"),
        ("1 mg kg", "one space"),
        ("1\u00a0mg", "one space"),
        ("1 ", "one word"),
        ("", "one space"),
        (".5 mg", "both sides"),
        ("1,5 mg", "this locale uses '.'"),
        ("1.000 mg", "ambiguous"),
        ("-1 mg", "negative"),
        ("nan mg", "finite"),
        ("1e3 mg", "exponent"),
        ("1 " + MICRO_SIGN_G + "/kg/min", "write mcg"),
        ("1 " + LATIN_U_G + "/kg/min", "write mcg"),
        ("1 " + CUBIC_CENTIMETRE, "write mL"),
        ("4 U/h", "units in full"),
        ("150 lb", "kg only"),
    ],
)
def test_parse_quantity_rejects(text: str, message: str) -> None:
    with pytest.raises(NumberParseError) as caught:
        parse_quantity(text)
    assert message in caught.value.message


def test_parse_quantity_refuses_non_str() -> None:
    with pytest.raises(TypeError):
        parse_quantity(b"1 mg")  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from(["mg", "mg/kg", "mg/kg/h", "mcg/kg/min", "mL/h", "mg/mL"]),
)
def test_format_quantity_parse_quantity_round_trip(value: Decimal, unit: str) -> None:
    text = format_quantity(value, unit, places=3)
    try:
        parsed, parsed_unit = parse_quantity(text)
    except NumberParseError as error:
        # Only a display like "1.25" is fine; "12.125" reads as a possible grouping and is refused.
        assert "ambiguous" in error.message
        return
    assert (parsed, parsed_unit) == (value, unit)
