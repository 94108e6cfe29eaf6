"""`ketamine-desktop schedule`: the contract's example exactly, events on the command line, the readable
table, and one line on stderr with exit 2 for every kind of invalid input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ketamine_desktop.cli import run
from ketamine_desktop.cli.common import Streams

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ("schedule", "--protocol", "chronic-opioid-tolerant", "--start", "2026-11-21T08:00:00Z")


def call(*argv: str) -> tuple[int | None, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), Streams(out, err))
    return status, out.getvalue(), err.getvalue()


def checks_of(*argv: str) -> list[dict[str, object]]:
    status, out, err = call(*argv, "--json")
    assert (status, err) == (0, "")
    checks: list[dict[str, object]] = json.loads(out)["checks"]
    return checks


def test_contract_example_json_exactly() -> None:
    checks = checks_of(*EXAMPLE, "--until", "2026-11-21T12:00:00Z")
    assert [c["due"] for c in checks] == [
        f"2026-11-21T{hhmm}:00Z"
        for hhmm in ("08:00", "08:15", "08:30", "08:45", "09:00", "09:30", "10:00", "10:30", "11:00", "12:00")
    ]
    assert [c["kind"] for c in checks] == ["baseline"] + ["routine"] * 9
    assert checks[0]["items"] == [
        "respiratory_rate",
        "spo2",
        "heart_rate",
        "blood_pressure",
        "sedation",
        "consciousness",
        "pain",
        "psychotomimetic",
        "nausea",
        "temperature",
        "monitors_attached",
    ]
    assert checks[1] == {
        "due": "2026-11-21T08:15:00Z",
        "kind": "routine",
        "items": [
            "respiratory_rate",
            "spo2",
            "heart_rate",
            "blood_pressure",
            "sedation",
            "consciousness",
            "pain",
            "psychotomimetic",
            "nausea",
            "monitors_attached",
        ],
        "interval_min": 15,
        "grace_min": 5,
        "overdue_at": "2026-11-21T08:20:00Z",
        "reason": None,
    }
    assert [c["grace_min"] for c in checks] == [5] * 5 + [10] * 4 + [15]


def test_json_header_and_default_until() -> None:
    status, out, _ = call(*EXAMPLE, "--json")
    assert status == 0
    data = json.loads(out)
    assert data["protocol"] == "chronic-opioid-tolerant"
    assert data["schedule"] == "ward-infusion"
    assert (data["start"], data["until"]) == ("2026-11-21T08:00:00Z", "2026-11-22T08:00:00Z")
    assert set(data["library"]) == {"name", "version", "sha256"}
    assert data["checks"][-1]["due"] == "2026-11-22T08:00:00Z"


def test_events_and_offsets_on_the_command_line() -> None:
    checks = checks_of(
        "schedule",
        "--protocol",
        "chronic-opioid-tolerant",
        "--start",
        "2026-11-21T09:00:00+01:00",
        "--event",
        "2026-11-21T08:40:00Z=rate-increase",
        "--event",
        "2026-11-21T13:20:00+01:00=stop",
        "--until",
        "2026-11-21T20:00:00Z",
    )
    assert [(c["due"][11:16], c["kind"]) for c in checks] == [
        ("08:00", "baseline"),
        ("08:15", "routine"),
        ("08:30", "routine"),
        ("08:55", "after-change"),
        ("09:10", "after-change"),
        ("09:25", "after-change"),
        ("09:40", "after-change"),
        ("10:10", "after-change"),
        ("10:40", "after-change"),
        ("11:10", "after-change"),
        ("11:40", "after-change"),
        ("12:00", "routine"),
        ("13:20", "after-stop"),
        ("14:20", "after-stop"),
        ("15:20", "after-stop"),
        ("16:20", "after-stop"),
    ]


def test_seconds_are_kept_exactly() -> None:
    checks = checks_of(*EXAMPLE, "--event", "2026-11-21T10:07:23.5Z=bolus", "--until", "2026-11-21T10:30:00Z")
    assert [c["due"] for c in checks][-2:] == ["2026-11-21T10:00:00Z", "2026-11-21T10:22:23.500000Z"]


def test_readable_table() -> None:
    status, out, err = call(
        *EXAMPLE, "--until", "2026-11-21T12:00:00Z", "--event", "2026-11-21T10:07:23Z=pause"
    )
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        "chronic-opioid-tolerant: schedule ward-infusion, "
        "2026-11-21T08:00:00Z to 2026-11-21T12:00:00Z, 10 checks"
    )
    assert lines[2].split() == ["due", "(UTC)", "from", "start", "kind", "grace", "items"]
    assert lines[3].split()[:5] == ["2026-11-21T08:00:00Z", "+0:00", "baseline", "5", "min"]
    assert lines[-1].split()[:5] == ["2026-11-21T12:00:00Z", "+4:00", "routine", "15", "min"]
    assert "temperature" in lines[-1] and "temperature" not in lines[-2]
    assert len(lines) == 13


def test_readable_table_with_seconds() -> None:
    status, out, _ = call(
        *EXAMPLE, "--event", "2026-11-21T08:07:23Z=bolus", "--until", "2026-11-21T08:30:00Z"
    )
    assert status == 0
    assert out.splitlines()[-1].split()[:3] == ["2026-11-21T08:22:23Z", "+0:22:23", "after-change"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((*EXAMPLE[:3], "--start", "2026-11-21T08:00:00"), "--start: needs a time zone"),
        ((*EXAMPLE, "--until", "2026-11-21T12:00:00"), "--until: needs a time zone"),
        ((*EXAMPLE, "--event", "2026-11-21T09:00:00=bolus"), "--event: needs a time zone"),
        (
            (*EXAMPLE, "--event", "2026-11-21T07:59:00Z=bolus"),
            "--event: bolus at 2026-11-21T07:59:00Z is before",
        ),
        ((*EXAMPLE, "--until", "2026-11-21T07:00:00Z"), "--until: 2026-11-21T07:00:00Z is before the start"),
        ((*EXAMPLE, "--event", "2026-11-21T09:00:00Z=explode"), "--event: unknown kind 'explode'"),
        ((*EXAMPLE, "--event", "2026-11-21T09:00:00Z"), "--event: expected ISO=KIND"),
        ((*EXAMPLE, "--event", "2026-11-21T09:00:00Z=bolus=stop"), "--event: expected ISO=KIND"),
        ((*EXAMPLE, "--event", "tomorrow=bolus"), "--event: not an ISO 8601 date and time"),
        ((*EXAMPLE, "--start", "yesterday"), "--start: given more than once"),
        (
            ("schedule", "--protocol", "chronic-opioid-tolerant", "--start", "yesterday"),
            "--start: not an ISO 8601 date and time",
        ),
        (
            ("schedule", "--protocol", "no-such", "--start", "2026-11-21T08:00:00Z"),
            "--protocol: unknown protocol",
        ),
        (("schedule", "--start", "2026-11-21T08:00:00Z"), "required: --protocol"),
        (
            (*EXAMPLE, "--event", "2026-11-21T09:00:00Z=stop", "--event", "2026-11-21T10:00:00Z=bolus"),
            "--event: bolus at 2026-11-21T10:00:00Z comes after the stop",
        ),
    ],
)
def test_invalid_input_is_one_line_and_exit_2(argv: tuple[str, ...], message: str) -> None:
    status, out, err = call(*argv)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: ")
    assert message in err


def test_real_subprocess_run() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "ketamine_desktop", *EXAMPLE, "--until", "2026-11-21T12:00:00Z", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (completed.returncode, completed.stderr) == (0, "")
    dues = [c["due"] for c in json.loads(completed.stdout)["checks"]]
    assert dues[0] == "2026-11-21T08:00:00Z" and dues[-1] == "2026-11-21T12:00:00Z" and len(dues) == 10


WARD_FROM_8 = ("schedule", "--protocol", "chronic-opioid-tolerant", "--start", "2026-11-21T08:00:00Z")


def test_the_issue_example_poss_3_at_9_lists_a_follow_up_at_9_15() -> None:
    checks = checks_of(
        *WARD_FROM_8, "--observation", "2026-11-21T09:00:00Z=poss:3", "--until", "2026-11-21T10:00:00Z"
    )
    follow = [c for c in checks if c["kind"] == "follow-up"]
    assert [c["due"] for c in follow] == ["2026-11-21T09:15:00Z"]
    assert follow[0]["reason"] == "POSS 3 or RASS -3 (check at 2026-11-21T09:00:00Z)"
    assert follow[0]["interval_min"] == 15 and follow[0]["grace_min"] == 5
    assert all(c["reason"] is None for c in checks if c["kind"] != "follow-up")


def test_rr_10_then_10_then_14_gives_15_min_follow_ups_that_stop() -> None:
    checks = checks_of(
        *WARD_FROM_8,
        "--observation",
        "2026-11-21T10:00:00Z=rr:10,spo2:96,oxygen:no",
        "--observation",
        "2026-11-21T10:15:00Z=rr:10",
        "--observation",
        "2026-11-21T10:30:00Z=rr:14",
        "--until",
        "2026-11-21T12:00:00Z",
    )
    assert [(c["due"], c["kind"]) for c in checks if c["due"] >= "2026-11-21T10:00:00Z"] == [  # type: ignore[operator]
        ("2026-11-21T10:00:00Z", "routine"),
        ("2026-11-21T10:15:00Z", "follow-up"),
        ("2026-11-21T10:30:00Z", "follow-up"),
        ("2026-11-21T11:00:00Z", "routine"),
        ("2026-11-21T12:00:00Z", "routine"),
    ]


def test_the_readable_table_says_why() -> None:
    status, out, err = call(
        *WARD_FROM_8,
        "--observation",
        "2026-11-21T09:00:00Z=rass:-3,poss:3",
        "--until",
        "2026-11-21T09:30:00Z",
    )
    assert (status, err) == (0, "")
    assert "follow-up" in out and "because: POSS 3 or RASS -3 (check at 2026-11-21T09:00:00Z)" in out


@pytest.mark.parametrize(
    ("observation", "message"),
    [
        ("2026-11-21T09:00:00Z", "expected ISO=key:value"),
        ("2026-11-21T09:00:00Z=", "expected ISO=key:value"),
        ("2026-11-21T09:00:00=poss:3", "needs a time zone"),
        ("2026-11-21T07:00:00Z=poss:3", "is not after the start"),
        ("2026-11-21T09:00:00Z=poss", "expected key:value ('poss')"),
        ("2026-11-21T09:00:00Z=poss:5", "poss must be one of S, 1, 2, 3, 4 ('5')"),
        ("2026-11-21T09:00:00Z=oxygen:maybe", "oxygen takes yes or no ('maybe')"),
        ("2026-11-21T09:00:00Z=bp:120", "unknown key 'bp'"),
        ("2026-11-21T09:00:00Z=rr:12,rr:14", "rr given twice"),
        ("2026-11-21T09:00:00Z=rr:12.5", "rr must be a whole number"),
        ("2026-11-21T09:00:00Z=spo2:101", "spo2 must be from 50 to 100"),
        ("2026-11-21T09:00:00Z=dbp:301", "dbp must be from 0 to 300"),
        ("2026-11-21T09:00:00Z=rr:1e2", "--observation"),
    ],
)
def test_invalid_observations_exit_2_with_one_line(observation: str, message: str) -> None:
    status, out, err = call(*WARD_FROM_8, "--observation", observation)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and message in err, err
