"""What every headless command shares: one-line input errors, strict numbers, the library, JSON output."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import NoReturn, TextIO

from ketamine_desktop import json_text
from ketamine_desktop.domain.library import Library, load_library
from ketamine_desktop.resources import resource_path

EXIT_OK = 0
EXIT_FAILED = 1  # verify-record: the chain is broken
EXIT_INVALID_INPUT = 2
EXIT_REFUSED = 3  # a hard limit refused the regimen


class InputError(Exception):
    """Invalid input: becomes exactly one line on stderr, naming the field and why, and exit 2."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class StrictParser(argparse.ArgumentParser):
    """argparse that reports one line through InputError instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise InputError(self.prog, message)


@dataclass(frozen=True)
class Streams:
    out: TextIO
    err: TextIO

    @classmethod
    def standard(cls) -> Streams:
        return cls(sys.stdout, sys.stderr)


def default_library_path() -> Path:
    return resource_path("library", "default.toml")


def load_default_library() -> Library:
    """The app's own library: it must carry its pharmacy approval (the SHA-256 file beside it)."""
    return load_library(default_library_path(), require_approval=True)


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
    return value


def write_json(value: object, out: TextIO) -> None:
    out.write(json_text.dumps(value))
    out.write("\n")


def library_identity(library: Library) -> dict[str, str]:
    return {"name": library.name, "version": library.version, "sha256": library.sha256}
