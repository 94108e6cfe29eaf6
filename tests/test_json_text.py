"""Exact-decimal JSON: what the contract's consumers read."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from ketamine_desktop.json_text import decimal_text, dumps


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("4.2"), "4.2"),
        (Decimal("35.0"), "35"),
        (Decimal("100"), "100"),
        (Decimal("1E+2"), "100"),
        (Decimal("0.060"), "0.06"),
        (Decimal("-0"), "0"),
        (Decimal("0.000"), "0"),
        (Decimal("-1.50"), "-1.5"),
    ],
)
def test_decimal_text(value: Decimal, text: str) -> None:
    assert decimal_text(value) == text


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_non_finite_refused(value: Decimal) -> None:
    with pytest.raises(ValueError):
        decimal_text(value)


def test_dumps_round_trips_through_json() -> None:
    value = {
        "a": [Decimal("4.2"), 1, True, None, "mcg/kg/min", 0.5],
        "b": {},
        "c": [],
        "d": {"e": Decimal("0.06")},
    }
    for indent in (None, 2):
        text = dumps(value, indent=indent)
        assert json.loads(text, parse_float=Decimal) == {
            "a": [Decimal("4.2"), 1, True, None, "mcg/kg/min", Decimal("0.5")],
            "b": {},
            "c": [],
            "d": {"e": Decimal("0.06")},
        }
    assert dumps({"x": Decimal("4.20")}, indent=None) == '{"x": 4.2}'


def test_dumps_refuses_unknown_types_and_nan() -> None:
    with pytest.raises(TypeError):
        dumps({"x": object()})
    with pytest.raises(ValueError):
        dumps([float("nan")])
