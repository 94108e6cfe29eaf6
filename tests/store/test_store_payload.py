"""Payload JSON: canonical, exact decimals, no NaN or infinity, no non-JSON types."""

import enum
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_desktop.store.payload import InvalidPayload, decode_payload, encode_payload


class Level(enum.IntEnum):
    HIGH = 3


def test_canonical_text_sorted_compact_unicode() -> None:
    text = encode_payload({"b": [1, True, None], "a": {"z": "é dose", "y": (2,)}})
    assert text == '{"a":{"y":[2],"z":"é dose"},"b":[1,true,null]}'


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0.1"), "0.1"),
        (Decimal("0.50"), "0.50"),
        (Decimal("-0"), "-0"),
        (Decimal("1E+2"), "1E+2"),
        (Decimal("1E-7"), "1E-7"),
        (Decimal("12345678901234567890.123456789"), "12345678901234567890.123456789"),
        (0.1, "0.1"),
        (1e16, "1e+16"),
        (Level.HIGH, "3"),
    ],
)
def test_numbers_are_written_exactly(value: object, text: str) -> None:
    assert encode_payload({"v": value}) == '{"v":' + text + "}"


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimals_round_trip_exactly(value: Decimal) -> None:
    decoded = decode_payload(encode_payload({"v": value}))["v"]
    assert str(decoded) == str(value)  # same digits, same exponent: not merely equal


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        float("-inf"),
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        {1, 2},
        b"bytes",
        datetime(2026, 1, 1, tzinfo=UTC),
        {"nested": [float("nan")]},
        {3: "non-text key"},
        "\ud800 lone surrogate",
        {"\udfff": 1},
    ],
)
def test_values_json_cannot_carry_are_refused(value: object) -> None:
    with pytest.raises(InvalidPayload):
        encode_payload({"v": value})


def test_the_payload_must_be_a_mapping() -> None:
    with pytest.raises(InvalidPayload, match="must be a mapping"):
        encode_payload([1, 2])  # type: ignore[arg-type]


def test_encoding_is_valid_json() -> None:
    payload = {"dose_mg_per_kg": Decimal("0.15"), "quote": 'say "stop"\n', "list": [1.5, -2]}
    assert json.loads(encode_payload(payload)) == {
        "dose_mg_per_kg": 0.15,
        "quote": 'say "stop"\n',
        "list": [1.5, -2],
    }
