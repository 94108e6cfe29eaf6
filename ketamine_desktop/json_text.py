"""JSON text with exact decimals: a Decimal is written as its own digits, never through a float.

Clinical numbers are Decimals end to end; `json.dumps` cannot write them, and converting to float first
would print 4.199999999999999 for 4.2. This writer handles the plain JSON types plus Decimal, and
refuses NaN and infinity.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal


def decimal_text(value: Decimal) -> str:
    """The shortest exact decimal text for a finite Decimal: no exponent, no trailing zeros."""
    if not value.is_finite():
        raise ValueError(f"not a finite number: {value}")
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def dumps(value: object, *, indent: int | None = 2) -> str:
    return "".join(_encode(value, indent, 0))


def _encode(value: object, indent: int | None, level: int) -> list[str]:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return [json.dumps(value, ensure_ascii=False)]
    if isinstance(value, int):
        return [str(value)]
    if isinstance(value, Decimal):
        return [decimal_text(value)]
    if isinstance(value, float):
        return [json.dumps(value, allow_nan=False)]
    if isinstance(value, Mapping):
        items = [(json.dumps(str(k), ensure_ascii=False), v) for k, v in value.items()]
        return _container(
            "{", "}", [[k, ": ", *_encode(v, indent, level + 1)] for k, v in items], indent, level
        )
    if isinstance(value, Sequence):
        return _container("[", "]", [_encode(v, indent, level + 1) for v in value], indent, level)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _container(open_: str, close: str, parts: list[list[str]], indent: int | None, level: int) -> list[str]:
    if not parts:
        return [open_ + close]
    if indent is None:
        return [open_, ", ".join("".join(p) for p in parts), close]
    pad = "\n" + " " * (indent * (level + 1))
    return [open_, pad, ("," + pad).join("".join(p) for p in parts), "\n" + " " * (indent * level), close]
