"""`ketamine-desktop assess`: the contract's JSON shape, the table, exit codes and one-line input errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ketamine_desktop.cli import assess_cmd, run
from ketamine_desktop.cli.common import Streams
from ketamine_desktop.domain.library import LibraryError

NORMAL = (
    "--rr",
    "16",
    "--spo2",
    "97",
    "--sbp",
    "120",
    "--hr",
    "70",
    "--consciousness",
    "A",
    "--temp",
    "37.0",
)
SEVEN = ["respiration_rate", "spo2", "air_or_oxygen", "systolic_bp", "pulse", "consciousness", "temperature"]


def call(*argv: str) -> tuple[int | None, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(["assess", *argv], Streams(out, err))
    return status, out.getvalue(), err.getvalue()


def assess_json(*argv: str) -> dict[str, Any]:
    status, out, err = call(*argv, "--json")
    assert (status, err) == (0, "")
    data: dict[str, Any] = json.loads(out, parse_float=Decimal)
    return data


def codes(data: dict[str, Any]) -> list[str]:
    return [action["code"] for action in data["actions"]]


# --- the contract's shape -------------------------------------------------------------------------------


def test_contract_example_shape() -> None:
    # The contract's example: pulse scoring 1 and temperature 2, total 3.
    data = assess_json(
        "--rr", "16", "--spo2", "97", "--sbp", "120", "--hr", "95", "--consciousness", "A", "--temp", "39.1"
    )
    assert set(data) >= {"news2", "actions", "infusion"}
    assert set(data["news2"]) >= {"total", "complete", "risk", "scores"}
    assert list(data["news2"]["scores"]) == SEVEN
    assert data["news2"]["scores"] == {
        "respiration_rate": 0,
        "spo2": 0,
        "air_or_oxygen": 0,
        "systolic_bp": 0,
        "pulse": 1,
        "consciousness": 0,
        "temperature": 2,
    }
    assert data["news2"]["total"] == 3
    assert data["news2"]["complete"] is True
    assert data["news2"]["risk"] == "low"
    assert data["actions"] == []
    assert data["infusion"] == "continue"
    assert data["library"]["version"] == "1.0.0"
    assert len(data["library"]["sha256"]) == 64


def test_action_fields() -> None:
    data = assess_json("--poss", "4")
    assert data["actions"] == [
        {
            "code": "stop-infusion",
            "severity": "urgent",
            "text": data["actions"][0]["text"],
            "sources": ["POSS", "NEWS2", "SEED-A(8)"],
            "flags": ["derived"],
            "infusion": "stop",
            "superseded_by": None,
        }
    ]
    assert data["actions"][0]["text"].startswith("Stop the ketamine infusion.")
    assert data["infusion"] == "stop"
    assert data["needs_acknowledgement"] is True


def test_no_observation_is_required() -> None:
    data = assess_json()
    assert data["news2"]["complete"] is False
    assert data["news2"]["total"] == 0
    assert data["news2"]["risk"] == "low"
    # Without --oxygen the patient breathes air: that parameter is always scored.
    assert data["news2"]["scores"]["air_or_oxygen"] == 0
    assert data["news2"]["missing"] == [name for name in SEVEN if name != "air_or_oxygen"]
    assert data["actions"] == []
    assert data["infusion"] == "continue"


def test_oxygen_flag() -> None:
    data = assess_json(*NORMAL, "--oxygen")
    assert data["news2"]["scores"]["air_or_oxygen"] == 2
    assert data["news2"]["total"] == 2
    assert data["news2"]["complete"] is True


def test_incomplete_without_temperature() -> None:
    data = assess_json(*NORMAL[:-2])
    assert data["news2"]["complete"] is False
    assert data["news2"]["scores"]["temperature"] is None
    assert data["news2"]["missing"] == ["temperature"]


@pytest.mark.parametrize(
    ("temp", "score"), [("35.04", 3), ("35.05", 1), ("36.05", 0), ("38.05", 1), ("39.05", 2)]
)
def test_temperature_rounds_half_up(temp: str, score: int) -> None:
    assert assess_json("--temp", temp)["news2"]["scores"]["temperature"] == score


@pytest.mark.parametrize(
    ("argv", "infusion", "expected_codes"),
    [
        (("--poss", "3"), "reduce", ["reduce-infusion"]),
        (("--rass", "-3"), "reduce", ["reduce-infusion"]),
        (("--rass=-3",), "reduce", ["reduce-infusion"]),
        (("--rass", "-4"), "stop", ["stop-infusion"]),
        (("--rass", "2"), "pause", ["psychotomimetic-first"]),
        (("--hallucinations",), "pause", ["psychotomimetic-first"]),
        (("--dysphoria", "--prior-episodes", "1"), "pause", ["psychotomimetic-repeat"]),
        (("--nightmares", "--prior-episodes", "0"), "pause", ["psychotomimetic-first"]),
        (("--nausea",), "continue", ["nausea"]),
        (("--pain", "7", "--previous-pain", "7"), "continue", ["pain-titration"]),
        (("--pain", "7"), "continue", []),
        (("--sbp", "180"), "pause", ["haemodynamic-high"]),
        (("--hr", "131"), "pause", ["news2-review", "haemodynamic-high"]),
        (("--spo2", "92"), "continue", ["notify-respiratory"]),
        (("--rr", "8", "--hr", "131"), "stop", ["stop-infusion", "news2-review", "haemodynamic-high"]),
    ],
)
def test_decisions(argv: tuple[str, ...], infusion: str, expected_codes: list[str]) -> None:
    data = assess_json(*argv)
    assert data["infusion"] == infusion
    assert codes(data) == expected_codes


def test_repeat_episode_adds_an_urgent_action() -> None:
    data = assess_json("--hallucinations", "--prior-episodes", "2")
    assert data["actions"][0]["severity"] == "urgent"
    assert data["needs_acknowledgement"] is True
    assert data["psychotomimetic"] is True


@pytest.mark.parametrize(
    "argv",
    [
        ("--rr", "0"),
        ("--rr", "80"),
        ("--spo2", "50"),
        ("--spo2", "100"),
        ("--hr", "0"),
        ("--hr", "300"),
        ("--sbp", "0"),
        ("--sbp", "300"),
        ("--temp", "25.0"),
        ("--temp", "45.0"),
        ("--temp", "45"),
        ("--pain", "0"),
        ("--pain", "10"),
        ("--rass", "-5"),
        ("--rass", "4"),
        ("--rass", "0"),
        ("--rass", "-0"),
        ("--prior-episodes", "0"),
        ("--prior-episodes", "25"),
        ("--previous-pain", "10"),
        ("--rr", "12.0"),  # a whole value written with decimals, as parse_whole takes it
        ("--consciousness", "U"),
        ("--poss", "S"),
    ],
)
def test_range_edges_are_accepted(argv: tuple[str, ...]) -> None:
    status, out, err = call(*argv, "--json")
    assert (status, err) == (0, "")
    json.loads(out)


# --- invalid input: exit 2, one line naming the field, nothing on stdout ---------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--rr", "81"), "--rr: must be from 0 to 80 ('81')"),
        (("--rr", "-1"), "--rr: must not be negative ('-1')"),
        (("--rr", "12.5"), "--rr: must be a whole number ('12.5')"),
        (("--spo2", "49"), "--spo2: must be from 50 to 100 ('49')"),
        (("--spo2", "101"), "--spo2: must be from 50 to 100 ('101')"),
        (("--hr", "301"), "--hr: must be from 0 to 300 ('301')"),
        (("--sbp", "301"), "--sbp: must be from 0 to 300 ('301')"),
        (("--temp", "24.9"), "--temp: must be from 25.0 to 45.0 ('24.9')"),
        (("--temp", "45.01"), "--temp: must be from 25.0 to 45.0 ('45.01')"),
        (("--temp", "-37"), "--temp: must not be negative ('-37')"),
        (("--pain", "11"), "--pain: must be from 0 to 10 ('11')"),
        (("--pain", "7.5"), "--pain: must be a whole number ('7.5')"),
        (("--previous-pain", "11"), "--previous-pain: must be from 0 to 10 ('11')"),
        (("--rass", "-6"), "--rass: must be from -5 to 4 ('-6')"),
        (("--rass", "5"), "--rass: must be from -5 to 4 ('5')"),
        (("--rass", "+2"), "--rass: no plus sign ('+2')"),
        (("--rass", "-2.5"), "--rass: must be a whole number ('-2.5')"),
        (("--prior-episodes", "-1"), "--prior-episodes: must not be negative ('-1')"),
        (("--prior-episodes", "1.5"), "--prior-episodes: must be a whole number ('1.5')"),
        (("--consciousness", "a"), "--consciousness: must be one of A, C, V, P, U ('a')"),
        (("--consciousness", "alert"), "--consciousness: must be one of A, C, V, P, U ('alert')"),
        (("--poss", "5"), "--poss: must be one of S, 1, 2, 3, 4 ('5')"),
        (("--poss", "s"), "--poss: must be one of S, 1, 2, 3, 4 ('s')"),
        (("--rr", "12", "--rr", "14"), "--rr: given more than once"),
        (("--oxygen", "--oxygen"), "--oxygen: given more than once"),
    ],
)
def test_invalid_input_is_one_exact_line(argv: tuple[str, ...], message: str) -> None:
    status, out, err = call(*argv, "--json")
    assert status == 2
    assert out == ""
    assert err == f"error: {message}\n"


@pytest.mark.parametrize(
    ("option", "text"),
    [
        ("--rr", "1e1"),
        ("--rr", "nan"),
        ("--spo2", "inf"),
        ("--sbp", "1,000"),
        ("--sbp", "1_000"),
        ("--sbp", "1 000"),
        ("--hr", "\u0667\u0660"),  # Arabic-Indic digits
        ("--temp", "37,5"),
        ("--temp", ".5"),
        ("--temp", "37."),
        ("--temp", ""),
        ("--temp", "37.5.1"),
        ("--pain", "07"),
        ("--rr", "twelve"),
    ],
)
def test_number_grammar(option: str, text: str) -> None:
    status, out, err = call(option, text)
    assert status == 2
    assert out == ""
    assert err.startswith(f"error: {option}: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [("--bogus",), ("--rr",), ("extra",), ("--rass",), ("--consciousness",)],
)
def test_malformed_options_are_one_line(argv: tuple[str, ...]) -> None:
    status, out, err = call(*argv)
    assert status == 2
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1


def test_a_bad_library_names_each_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise LibraryError(["default.toml: first problem", "default.toml: second problem"])

    monkeypatch.setattr(assess_cmd, "load_default_library", broken)
    status, out, err = call("--rr", "12")
    assert status == 2
    assert out == ""
    assert err == "error: default.toml: first problem\nerror: default.toml: second problem\n"


def test_input_errors_come_before_the_library_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def never() -> None:
        raise AssertionError("the library must not be loaded for invalid input")

    monkeypatch.setattr(assess_cmd, "load_default_library", never)
    status, _, err = call("--rr", "99")
    assert status == 2
    assert err == "error: --rr: must be from 0 to 80 ('99')\n"


# --- the readable table ---------------------------------------------------------------------------------


def test_table_complete() -> None:
    status, out, err = call(*NORMAL, "--poss", "3", "--nausea")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "NEWS2 0 (complete), risk low: Continue routine monitoring."
    assert "  respiration rate 0" in lines
    assert "Infusion: REDUCE" in lines
    assert "Urgent: acknowledge the urgent actions below." in lines
    assert any(line.startswith("  [urgent] reduce-infusion: Halve the infusion rate") for line in lines)
    assert lines[-1].startswith("  [info] nausea: Give the prescribed antiemetic and continue. (ED-PROTOCOL)")
    assert "\u00b5" not in out


def test_table_incomplete_and_quiet() -> None:
    status, out, _ = call("--rr", "16")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == (
        "NEWS2 0 (incomplete: SpO2, systolic BP, pulse, consciousness, temperature), "
        "risk low: Continue routine monitoring."
    )
    assert "  temperature      -" in lines
    assert "Infusion: CONTINUE" in lines
    assert lines[-1] == "No escalation action."
    assert not any(line.startswith("Urgent") for line in lines)


def test_table_cites_sources_and_flags() -> None:
    _, out, _ = call("--spo2", "91")
    assert "(POSS, NEWS2, SEED-A(8), derived)" in out
    assert "risk low-medium: Urgent ward-based review." in out


# --- a real process -------------------------------------------------------------------------------------


def test_subprocess_run() -> None:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ketamine_desktop",
            "assess",
            "--rr",
            "8",
            "--spo2",
            "95",
            "--hr",
            "95",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    data = json.loads(done.stdout)
    assert data["news2"]["total"] == 3 + 1 + 1
    assert data["news2"]["risk"] == "medium"
    assert data["infusion"] == "stop"
    assert [a["code"] for a in data["actions"]] == ["stop-infusion", "news2-review"]

    bad = subprocess.run(
        [sys.executable, "-m", "ketamine_desktop", "assess", "--spo2", "101"],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=60,
        check=False,
    )
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr == "error: --spo2: must be from 50 to 100 ('101')\n"


def test_one_decision_and_what_it_supersedes() -> None:
    """The issue's check (RR 9, SpO2 91, RASS -3, voice): the decision is stop; halve is superseded by it;
    of the NEWS2 family only the higher rule is an instruction."""
    data = assess_json("--rr", "9", "--spo2", "91", "--rass", "-3", "--consciousness", "V")
    assert data["decision"] == {
        "infusion": "stop",
        "code": "stop-infusion",
        "text": data["actions"][0]["text"],
    }
    assert {a["code"]: a["superseded_by"] for a in data["actions"]} == {
        "stop-infusion": None,
        "reduce-infusion": "stop-infusion",
        "news2-high": None,
        "notify-respiratory": None,
        "news2-review": "news2-high",
    }
    assert not any("Halve" in text for text in data["instructions"])
    status, out, _err = call("--rr", "9", "--spo2", "91", "--rass", "-3", "--consciousness", "V")
    assert status == 0
    assert "Decision: Stop the ketamine infusion." in out
    assert "1. NEWS2 7 or more" in out
    assert "[also triggered: superseded by stop-infusion]" in out


def test_a_quiet_check_decides_continue() -> None:
    data = assess_json(*NORMAL)
    assert data["decision"]["infusion"] == "continue" and data["decision"]["code"] == "continue"
    assert data["instructions"] == []
