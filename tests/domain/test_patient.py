"""The weight check: the library's accepted range, inclusive at both ends; everything else refused by name."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ketamine_desktop.domain.library import Library, load_library
from ketamine_desktop.domain.patient import InvalidInput, validate_weight
from tests.helpers.library_edit import DEFAULT_LIBRARY

LIBRARY: Library = load_library(DEFAULT_LIBRARY)


@pytest.mark.parametrize("text", ["20", "20.0", "70", "70.5", "349.99", "350"])
def test_weights_in_the_accepted_range_pass_unchanged(text: str) -> None:
    assert validate_weight(LIBRARY, Decimal(text)) == Decimal(text)


@pytest.mark.parametrize("text", ["19.99", "19.9", "0", "-70", "350.01", "351", "7000", "70000"])
def test_weights_outside_the_range_are_refused_with_the_library_bounds(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_weight(LIBRARY, Decimal(text))
    assert caught.value.field == "weight_kg"
    assert caught.value.message == "must be from 20 to 350 kg"
    assert str(caught.value) == "weight_kg: must be from 20 to 350 kg"


@pytest.mark.parametrize(
    "value", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity")]
)
def test_non_finite_weights_are_refused(value: Decimal) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_weight(LIBRARY, value)
    assert caught.value.field == "weight_kg"
    assert "finite" in caught.value.message


def test_a_float_weight_is_refused_rather_than_rounded_through_binary() -> None:
    with pytest.raises(InvalidInput):
        validate_weight(LIBRARY, 70.1)  # type: ignore[arg-type]


def test_invalid_input_is_a_value_error() -> None:
    assert issubclass(InvalidInput, ValueError)
