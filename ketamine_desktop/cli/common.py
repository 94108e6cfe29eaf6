"""What every headless command shares: one-line input errors, strict numbers, the library, JSON output."""

from __future__ import annotations

import argparse
import hashlib
import sys
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from ketamine_desktop import json_text

if TYPE_CHECKING:  # pydantic and the library's models: imported when a library is loaded, not before
    from ketamine_desktop.domain.library import Library
    from ketamine_desktop.library_trust import SignatureInfo

EXIT_OK = 0
EXIT_FAILED = 1  # verify-record: the chain is broken
EXIT_INVALID_INPUT = 2
EXIT_REFUSED = 3  # a hard limit refused the regimen

# Dates outside these years are implausible for a bedside record (and far dates overflow date arithmetic).
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
# Whole-number counts given on the command line (episodes, days, sessions) stay below this.
MAX_COUNT = 1000


class InputError(Exception):
    """Invalid input: becomes exactly one line on stderr, naming the field and why, and exit 2."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class StrictParser(argparse.ArgumentParser):
    """argparse that reports one line through InputError instead of printing usage and exiting, and never
    accepts an abbreviated option: `--weight 150` must not quietly stand for `--weight-kg 150`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise InputError(self.prog, message)


@dataclass(frozen=True)
class Streams:
    out: TextIO
    err: TextIO

    @classmethod
    def standard(cls) -> Streams:
        return cls(sys.stdout, sys.stderr)


def bundled_library_path() -> Path:
    from ketamine_desktop.library_trust import bundled_library_path as bundled

    return bundled()


def default_library_path() -> Path:
    """The library the app uses: the hospital's, when IT installed one in the system directory, else the
    default library shipped with the app (`library_trust.library_path`; a seam the tests redirect)."""
    from ketamine_desktop.library_trust import library_path

    return library_path()


def load_default_library(*, check_signature: bool = True) -> Library:
    """The app's library; refused (LibraryError) unless a trusted key signed exactly its bytes.

    The window loads it just after its first paint (app.run_app), before its Dosing tab exists.
    `check_signature=False` is for tools that check the signature themselves (`check_library`).
    """
    # Imported here: pydantic and the library's models are for the commands that compute, not for
    # `verify-record` or the entry point.
    from ketamine_desktop.domain.library import parse_library, read_library_bytes

    path = default_library_path()
    data = read_library_bytes(path)
    if check_signature:
        check_library(path, hashlib.sha256(data).hexdigest())
    return parse_library(data, origin=str(path))


def check_library(path: Path, sha256: str) -> SignatureInfo:
    """The trusted signature over the library's bytes; raises LibraryError naming the file and why."""
    from ketamine_desktop.library_trust import verify_signature

    return verify_signature(path, sha256)


def parse_number(field: str, text: str, *, allow_negative: bool = False, positive: bool = False) -> Decimal:
    """A number in the contract's grammar; `positive` also refuses zero."""
    from ketamine_desktop.domain.units import NumberParseError, parse_decimal

    try:
        value = parse_decimal(text, allow_negative=allow_negative)
    except NumberParseError as exc:
        raise InputError(field, f"{exc.message} ({text!r})") from exc
    if positive and value <= 0:
        raise InputError(field, f"must be greater than zero ({text!r})")
    return value


def parse_whole(field: str, text: str, low: int, high: int, *, allow_negative: bool = False) -> int:
    value = parse_number(field, text, allow_negative=allow_negative)
    if value != value.to_integral_value():
        raise InputError(field, f"must be a whole number ({text!r})")
    if not low <= value <= high:
        raise InputError(field, f"must be from {low} to {high} ({text!r})")
    return int(value)


def parse_instant(field: str, text: str) -> datetime:
    """An ISO 8601 date and time with a zone (Z or +01:00); naive times are refused."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(field, f"not an ISO 8601 date and time ({text!r})") from exc
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(field, f"needs a time zone, e.g. Z or +01:00 ({text!r})")
    # The year as written and in UTC: 2100-12-31T23:00-05:00 is already 2101 in UTC.
    plausible = EARLIEST_YEAR <= value.year <= LATEST_YEAR  # checked first: year 1 would overflow in UTC
    if not (plausible and EARLIEST_YEAR <= value.astimezone(UTC).year <= LATEST_YEAR):
        raise InputError(field, f"implausible date: must be from {EARLIEST_YEAR} to {LATEST_YEAR} ({text!r})")
    return value


def control_character(text: str) -> str | None:
    """The first control character in `text` (NUL, newline, escape, ...), as U+XXXX, or None."""
    for char in text:
        if unicodedata.category(char) == "Cc":
            return f"U+{ord(char):04X}"
    return None


def write_json(value: object, out: TextIO) -> None:
    out.write(json_text.dumps(value))
    out.write("\n")


def library_identity(library: Library) -> dict[str, str]:
    return {"name": library.name, "version": library.version, "sha256": library.sha256}
