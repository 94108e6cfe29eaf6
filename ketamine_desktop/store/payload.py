"""Record payloads as canonical JSON text, with exact decimals.

A payload is a mapping with string keys whose values are None, bool, int, float, Decimal, str, lists,
tuples and mappings of the same. Encoding is canonical (sorted keys, no spaces, UTF-8 text) because the
stored text is what the hash chain covers.

Decimals are written as JSON numbers using their exact decimal text (`str(Decimal("0.50"))` is `0.50`):
never through float, so a dose of 0.1 mg/kg is stored as 0.1, not 0.1000000000000000055511151231257827.
On reading, every number with a fraction or exponent comes back as a Decimal (integers as int), so a
Decimal round-trips exactly, trailing zeros included. NaN and infinities (float or Decimal) are refused,
as is any value that is not one of the types above: JSON cannot carry them faithfully.
"""

import json
import math
from collections.abc import Mapping
from decimal import Decimal

from ketamine_desktop.store.connection import StoreError


class InvalidPayload(StoreError):
    """The payload cannot be stored as JSON (NaN, infinity, or a type JSON does not have)."""


def encode_payload(payload: Mapping[str, object]) -> str:
    """Canonical JSON text for a payload mapping; raises InvalidPayload."""
    if not isinstance(payload, Mapping):
        raise InvalidPayload(f"A record payload must be a mapping, not {type(payload).__name__}.")
    return _encode(payload, "payload")


def decode_payload(text: str) -> dict[str, object]:
    """The payload mapping from its stored text; non-integer numbers become Decimal."""
    value: dict[str, object] = json.loads(text, parse_float=Decimal)
    return value


def _encode(value: object, where: str) -> str:
    # bool before int: bool is a subclass of int.
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return int.__repr__(value)  # an IntEnum's repr/str would be its name
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidPayload(f"{where} is {value}, which cannot be stored.")
        return float.__repr__(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidPayload(f"{where} is {value}, which cannot be stored.")
        return str(value)
    if isinstance(value, str):
        return _encode_text(value, where)
    if isinstance(value, Mapping):
        pairs: list[tuple[str, object]] = []
        for key, item in value.items():
            # JSON would silently turn 1 into "1", and two keys could then collide.
            if not isinstance(key, str):
                raise InvalidPayload(f"{where} has a key {key!r} that is not text.")
            pairs.append((key, item))
        pairs.sort(key=lambda pair: pair[0])
        fields = (f"{_encode_text(k, where)}:{_encode(v, f'{where}.{k}')}" for k, v in pairs)
        return "{" + ",".join(fields) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(item, f"{where}[{i}]") for i, item in enumerate(value)) + "]"
    raise InvalidPayload(f"{where} is a {type(value).__name__}, which cannot be stored as JSON.")


def _encode_text(text: str, where: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: not valid text, SQLite could not store it
        raise InvalidPayload(f"{where} contains text that is not valid Unicode.") from exc
    return json.dumps(text, ensure_ascii=False)
