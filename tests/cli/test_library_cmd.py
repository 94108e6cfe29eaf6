"""`ketamine-desktop library`: identity, protocols, and every problem of a bad file named."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ketamine_desktop.cli import run
from ketamine_desktop.cli.common import Streams
from tests.helpers.library_edit import DEFAULT_LIBRARY, replaced


def call(*argv: str) -> tuple[int | None, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), Streams(out, err))
    return status, out.getvalue(), err.getvalue()


def test_library_json() -> None:
    status, out, err = call("library", "--json")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert data["name"] == "Default ketamine library"
    assert data["version"] == "1.0.0"
    assert len(data["sha256"]) == 64
    assert [p["id"] for p in data["protocols"]][:2] == ["acute-bolus", "subanesthetic-infusion"]
    sub = data["protocols"][1]
    assert sub["setting"] and sub["infusion"]["default_mg_per_kg_per_h"] == 0.06
    assert data["protocols"][0]["infusion"] is None
    assert data["protocols"][6]["bolus"] is None


def test_library_table() -> None:
    status, out, _ = call("library")
    assert status == 0
    assert "Default ketamine library 1.0.0" in out
    assert "subanesthetic-infusion" in out and "1 mcg/kg/min" in out
    assert "optional 0.15 mg/kg" in out  # icu-infusion
    assert "optional no default" in out  # intraoperative


def test_library_file_with_problems_names_each(tmp_path: Path) -> None:
    text = replaced('id = "shock"', 'id = "acute-bolus"')
    text = replaced('schedule = "bolus-only"', 'schedule = "bolus-once"', text=text)
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    status, out, err = call("library", "--file", str(path))
    assert status == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"error: {path}: ") for line in lines)
    assert "Traceback" not in err


def test_library_file_under_review_needs_no_approval(tmp_path: Path) -> None:
    path = tmp_path / "candidate.toml"
    path.write_bytes(DEFAULT_LIBRARY.read_bytes())
    status, out, _ = call("library", "--file", str(path), "--json")
    assert status == 0 and json.loads(out)["version"] == "1.0.0"


def test_unknown_option_is_one_line() -> None:
    status, out, err = call("library", "--colour")
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and "unrecognized arguments: --colour" in err


def test_version() -> None:
    status, out, _ = call("--version")
    assert status == 0 and out.startswith("ketamine-desktop ")


def test_real_process_syntax_error_exits_2_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[library\nname = 1\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ketamine_desktop", "library", "--file", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "TOML syntax error" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["regimen", "--protocol", "icu-infusion", "--weight-kg", "70", "--weight-kg", "150"],
        [
            "regimen",
            "--protocol",
            "icu-infusion",
            "--weight-kg",
            "70",
            "--infusion-mg-per-kg-per-h",
            "0.5",
            "--infusion-mg-per-kg-per-h=2",
        ],
        [
            "schedule",
            "--protocol",
            "intraoperative",
            "--protocol",
            "acute-bolus",
            "--start",
            "2026-11-21T08:00:00Z",
        ],
        ["library", "--json", "--json"],
    ],
)
def test_an_option_given_twice_is_refused_not_last_wins(argv: list[str]) -> None:
    status, out, err = call(*argv)
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and "given more than once" in err


def test_repeatable_event_option_is_accepted() -> None:
    status, _, err = call(
        "schedule",
        "--protocol",
        "chronic-opioid-tolerant",
        "--start",
        "2026-11-21T08:00:00Z",
        "--event",
        "2026-11-21T09:00:00Z=pause",
        "--event",
        "2026-11-21T09:30:00Z=resume",
        "--json",
    )
    assert (status, err) == (0, "")
