"""Helpers for tests that need a changed copy of the default library."""

from __future__ import annotations

from pathlib import Path

DEFAULT_LIBRARY = Path(__file__).resolve().parents[2] / "resources" / "library" / "default.toml"


def default_text() -> str:
    return DEFAULT_LIBRARY.read_text(encoding="utf-8")


def replaced(old: str, new: str, *, count: int = 1, text: str | None = None) -> str:
    """The default library text with `old` replaced; fails loudly if `old` is not there."""
    source = default_text() if text is None else text
    assert source.count(old) >= count, f"{old!r} not found {count} time(s) in the library"
    return source.replace(old, new, count)
