"""The one formatter: ISMP display (leading zero, no trailing zero, mcg), one decimal mark, limit hints."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_desktop.domain.formatting import (
    COMMA,
    POINT,
    ClinicalFormat,
    NumberFormat,
    bolus_dose_hint,
    bolus_over_hint,
    clock_time,
    in_both_units,
    infusion_dose_hint,
    other_unit,
    places_for_step,
    zone_words,
)
from ketamine_desktop.domain.library import DoseRate, Library
from ketamine_desktop.domain.units import parse_decimal

D = Decimal
MICRO_SIGN = "\u00b5"
GREEK_MU = "\u03bc"


@pytest.mark.parametrize(
    ("value", "places", "point", "comma"),
    [
        (D("0.5"), 2, "0.5", "0,5"),  # leading zero
        (D(".5"), 2, "0.5", "0,5"),
        (D("5.0"), 2, "5", "5"),  # no trailing zero
        (D("4.20"), 2, "4.2", "4,2"),
        (D("4.25"), 1, "4.3", "4,3"),  # halves up
        (D("1E+2"), 0, "100", "100"),  # never an exponent
        (D("-0.001"), 2, "0", "0"),  # never "-0"
        (D("1234.5"), 1, "1234.5", "1234,5"),  # no grouping
    ],
)
def test_number_has_a_leading_zero_no_trailing_zero_and_one_mark(
    value: Decimal, places: int, point: str, comma: str
) -> None:
    assert POINT.number(value, places) == point
    assert COMMA.number(value, places) == comma


def test_exact_keeps_every_digit_and_approx_keeps_three() -> None:
    assert POINT.exact(D("0.125")) == "0.125"
    assert POINT.exact(D("20")) == "20"
    assert POINT.exact(D("2E+1")) == "20"
    assert COMMA.exact(D("0.35")) == "0,35"
    assert POINT.approx(D(1000) / D(60)) == "16.7"
    assert COMMA.approx(D("0.06")) == "0,06"
    assert POINT.approx(D("1234")) == "1234"


def test_quantities_write_mcg_and_refuse_the_micro_sign() -> None:
    assert COMMA.dose_rate(D("16.666"), "mcg/kg/min") == "16,7 mcg/kg/min"
    assert POINT.exact_quantity(D("0.5"), "mg/kg") == "0.5 mg/kg"
    for unit in (MICRO_SIGN + "g/kg/min", GREEK_MU + "g", "\x75g/kg/min"):
        with pytest.raises(ValueError, match="mcg"):
            POINT.quantity(D(1), unit, 0)


def test_ranges_and_both_units() -> None:
    assert POINT.range(D("0.1"), D("0.5"), "mg/kg") == "0.1-0.5 mg/kg"
    assert COMMA.range(D("0.3"), D("0.3"), "mg/kg") == "0,3 mg/kg"
    assert POINT.rate_both(D(1), "mcg/kg/min") == "1 mcg/kg/min (0.06 mg/kg/h)"
    assert COMMA.rate_both(D("0.06"), "mg/kg/h") == "0,06 mg/kg/h (1 mcg/kg/min)"
    assert POINT.rate_both(D(1) / D(3), "mg/kg/h", exact=False) == "0.333 mg/kg/h (5.56 mcg/kg/min)"
    assert COMMA.rate_equals(D("0.12"), D(2)) == "0,12 mg/kg/h = 2 mcg/kg/min"
    low = DoseRate(value=D("0.5"), unit="mg/kg/h")
    high = DoseRate(value=D(2), unit="mg/kg/h")
    assert POINT.rate_range_both(low, high) == "0.5-2 mg/kg/h (8.33-33.3 mcg/kg/min)"
    assert COMMA.rate_range_both(low, low) == "0,5 mg/kg/h (8,33 mcg/kg/min)"


def test_other_unit_and_both_units() -> None:
    assert other_unit("mg/kg/h") == "mcg/kg/min"
    assert other_unit("mcg/kg/min") == "mg/kg/h"
    assert in_both_units(D("0.06"), "mg/kg/h") == {"mg/kg/h": D("0.06"), "mcg/kg/min": D(1)}
    assert in_both_units(D(1), "mcg/kg/min") == {"mcg/kg/min": D(1), "mg/kg/h": D("0.06")}


def test_places_for_step() -> None:
    assert places_for_step(D("0.1")) == 1
    assert places_for_step(D("0.25")) == 2
    assert places_for_step(D("20")) == 0
    assert places_for_step(D("1.50")) == 1
    with pytest.raises(ValueError, match="finite"):
        places_for_step(D("Infinity"))


def test_prose_changes_decimals_only() -> None:
    text = (
        "A 0.5 mg/kg bolus is above 0.35 mg/kg. Library 1.0.0, doi:10.1097/AAP.0000000000000806, "
        "guideline v6.0, ranges 0.06-0.12 mg/kg/h; ends at 1.5."
    )
    assert COMMA.prose(text) == (
        "A 0,5 mg/kg bolus is above 0,35 mg/kg. Library 1.0.0, doi:10.1097/AAP.0000000000000806, "
        "guideline v6.0, ranges 0,06-0,12 mg/kg/h; ends at 1,5."
    )
    assert POINT.prose(text) == text


@given(st.decimals(min_value=0, max_value=10**9, allow_nan=False, allow_infinity=False, places=6))
def test_what_is_shown_reads_back_in_the_same_mark(value: Decimal) -> None:
    for fmt in (POINT, COMMA):
        shown = fmt.exact(value)
        other = "." if fmt.decimal_mark == "," else ","
        assert other not in shown
        assert not re.search(r"[eE]|^\.|\.$|,$|^,", shown)
        if fmt.decimal_mark in shown:
            assert not shown.endswith("0")
        assert parse_decimal(shown, decimal_separator=fmt.decimal_mark) == value


def test_number_format_is_frozen_and_strict() -> None:
    with pytest.raises(ValueError):
        NumberFormat.model_validate({"decimal_mark": ";"})


def test_clinical_format_uses_the_library_resolutions(library: Library) -> None:
    units = library.document.units
    d = ClinicalFormat.of(library, COMMA)
    assert (
        d.ml_per_h(D("4.25"))
        == f"{COMMA.number(D('4.25'), places_for_step(units.pump_resolution_ml_per_h))} mL/h"
    )
    assert d.ml_per_h_number(D("4.2")) == "4,2"
    assert d.mg(D("24.5")).endswith(" mg")
    assert d.mg_per_h(D("10")) == "10 mg/h"
    assert d.ml(D("2.5")) == "2,5 mL"
    assert d.mg_per_kg(D("0.35")) == "0,35 mg/kg"
    assert d.mg_per_ml(D("10")) == "10 mg/mL"
    assert d.minutes(D("15")) == "15 min"
    assert d.kg(D("72.5")) == "72,5 kg"
    assert ClinicalFormat.of(library).numbers is POINT


def test_limit_hints(library: Library) -> None:
    with_bolus = next(p for p in library.document.protocols if p.bolus is not None)
    with_infusion = next(p for p in library.document.protocols if p.infusion is not None)
    assert with_bolus.bolus is not None and with_infusion.infusion is not None
    spec = with_bolus.bolus
    assert bolus_dose_hint(spec) == (
        f"Usual {POINT.range(spec.typical_min_mg_per_kg, spec.typical_max_mg_per_kg, 'mg/kg')}; "
        f"soft max {POINT.exact(spec.soft_max_mg_per_kg)} mg/kg; hard max {POINT.exact(spec.hard_max_mg_per_kg)} mg/kg"
    )
    assert bolus_over_hint(spec, COMMA).startswith("Allowed ")
    assert "." not in re.sub(r"[^0-9.,]", "", bolus_dose_hint(spec, COMMA))
    infusion = with_infusion.infusion
    lines = infusion_dose_hint(infusion, COMMA).split("\n")
    assert lines[0].startswith("Usual ") and "mcg/kg/min" in lines[0] and "mg/kg/h" in lines[0]
    assert lines[1] == f"Soft max {COMMA.rate_both(infusion.soft_max.value, infusion.soft_max.unit)}"
    assert lines[2] == f"Hard max {COMMA.rate_both(infusion.hard_max.value, infusion.hard_max.unit)}"
    advised = [p.infusion for p in library.document.protocols if p.infusion is not None and p.infusion.advice]
    plain = [
        p.infusion for p in library.document.protocols if p.infusion is not None and not p.infusion.advice
    ]
    assert advised and plain
    assert len(infusion_dose_hint(advised[0]).split("\n")) == 4
    assert len(infusion_dose_hint(plain[0]).split("\n")) == 3


def test_clock_times_are_local_and_the_zone_is_said_once() -> None:
    sydney = ZoneInfo("Australia/Sydney")
    instant = datetime(2026, 12, 2, 2, 40, 7, tzinfo=UTC)  # 13:40 in Sydney (summer, UTC+11)
    assert clock_time(instant, sydney) == "13:40"
    assert clock_time(instant, sydney, seconds=True) == "13:40:07"
    assert zone_words(instant, sydney) == "local time, AEDT (UTC+11:00)"
    assert zone_words(instant, timezone(timedelta(hours=-3))) == "local time, UTC-03:00"
    assert zone_words(instant, UTC) == "local time, UTC+00:00"
    assert clock_time(instant, UTC) == "02:40"
