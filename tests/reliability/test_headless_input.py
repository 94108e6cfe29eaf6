"""Hostile headless input (issue 13): abbreviated options, control characters, absurd dates and spans,
endless counts. Each is refused with one line naming the option, exit 2, and nothing computed."""

from __future__ import annotations

import io
import time

import pytest

from ketamine_desktop.cli import run
from ketamine_desktop.cli.common import Streams

REGIMEN = ("regimen", "--protocol", "subanesthetic-infusion")
SCHEDULE = ("schedule", "--protocol", "subanesthetic-infusion")


def refused(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), Streams(out, err))
    assert status == 2, (status, out.getvalue(), err.getvalue())
    assert out.getvalue() == "" and len(err.getvalue().splitlines()) == 1
    return err.getvalue()


def accepted(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), Streams(out, err))
    assert (status, err.getvalue()) == (0, ""), (status, err.getvalue())
    return out.getvalue()


def test_an_abbreviated_option_is_not_accepted() -> None:
    assert "unrecognized arguments: --weight 150" in refused(*REGIMEN, "--weight-kg", "70", "--weight", "150")
    assert "required: --weight-kg" in refused(*REGIMEN, "--weight", "70")
    assert "--jso" in refused("library", "--jso")
    assert "invalid choice" in refused("--data", "/tmp", "verify-record")  # not --data-dir


@pytest.mark.parametrize("char", ["\x00", "\n", "\x1b", "\x7f", "\x85", "\t"])
def test_control_characters_are_refused_in_any_argument(char: str) -> None:
    err = refused(*SCHEDULE, "--start", f"2026-11-21T08:00:00{char}Z")
    assert err.startswith("error: --start: contains a control character (U+")
    err = refused(*SCHEDULE, f"--start=2026-11-21T08:00{char}:00Z")
    assert err.startswith("error: --start: contains a control character")
    assert "control character" in refused("library", f"--fi{char}le", "x")


@pytest.mark.parametrize(
    "start",
    [
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z",
        "1999-12-31T23:59:59Z",
        "2101-01-01T00:00:00Z",
        "2100-12-31T23:00:00-05:00",
        "2000-01-01T00:30:00+01:00",
    ],
)
def test_dates_outside_2000_to_2100_are_implausible(start: str) -> None:
    err = refused(*SCHEDULE, "--start", start)
    assert "--start: implausible date: must be from 2000 to 2100" in err


def test_the_edges_of_the_plausible_years_are_accepted() -> None:
    accepted(*SCHEDULE, "--start", "2000-01-01T00:00:00Z", "--until", "2000-01-01T01:00:00Z")
    accepted(*SCHEDULE, "--start", "2100-12-31T22:00:00Z", "--until", "2100-12-31T23:59:59Z")


def test_events_and_until_dates_are_checked_too() -> None:
    assert "--event: implausible date" in refused(
        *SCHEDULE, "--start", "2026-11-21T08:00:00Z", "--event", "9999-01-01T00:00:00Z=bolus"
    )
    assert "--until: implausible date" in refused(
        *SCHEDULE, "--start", "2026-11-21T08:00:00Z", "--until", "2126-11-21T08:00:00Z"
    )


def test_until_is_at_most_31_days_after_the_start_and_answers_quickly() -> None:
    assert "--until: at most 31 days after --start" in refused(
        *SCHEDULE, "--start", "2026-11-01T08:00:00Z", "--until", "2026-12-02T08:00:01Z"
    )
    began = time.monotonic()
    out = accepted(*SCHEDULE, "--start", "2026-11-01T08:00:00Z", "--until", "2026-12-02T08:00:00Z", "--json")
    assert time.monotonic() - began < 10 and '"checks"' in out


def test_counts_are_bounded() -> None:
    assert "--prior-episodes: must be from 0 to 1000" in refused("assess", "--prior-episodes", "9" * 400)
    assert "--prior-episodes: must be from 0 to 1000" in refused("assess", "--prior-episodes", "1001")
    assert "--prior-episodes: must be a whole number" in refused("assess", "--prior-episodes", "1.5")
    accepted("assess", "--prior-episodes", "1000")
