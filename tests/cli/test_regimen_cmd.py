"""`ketamine-desktop regimen`: the contract's worked examples, its JSON fields and exit statuses, one-line
errors for every class of invalid input, and a table a nurse can read.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ketamine_desktop.cli import run
from ketamine_desktop.cli.common import Streams

ROOT = Path(__file__).resolve().parents[2]
D = Decimal


def call(*argv: str) -> tuple[int | None, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(["regimen", *argv], Streams(out, err))
    return status, out.getvalue(), err.getvalue()


def call_json(*argv: str) -> tuple[int | None, dict[str, Any]]:
    status, out, err = call(*argv, "--json")
    assert err == ""
    # Exact decimals: a float would turn 0.06 into 0.06 by luck and 4.2 x 3 into 12.600000000000001.
    data: dict[str, Any] = json.loads(out, parse_float=Decimal, parse_int=Decimal)
    return status, data


def codes(data: dict[str, Any], level: str | None = None) -> list[str]:
    return [f["code"] for f in data["findings"] if level is None or f["level"] == level]


# --- Worked examples (cli-contract) -------------------------------------------------------------------


def test_subanesthetic_70_kg_defaults() -> None:
    status, data = call_json("--protocol", "subanesthetic-infusion", "--weight-kg", "70")
    assert status == 0
    assert data["protocol"] == "subanesthetic-infusion"
    assert data["weight_kg"] == 70
    assert data["bolus"] == {
        "dose_mg_per_kg": D("0.5"),
        "dose_mg": 35,
        "concentration_mg_per_ml": 10,
        "volume_ml": D("3.5"),
        "over_min": 5,
        "rate_ml_per_h": 42,
        "delivered_mg": 35,
        "delivered_mg_per_kg": D("0.5"),
    }
    infusion = data["infusion"]
    contract = {
        "dose_mg_per_kg_per_h": D("0.06"),
        "dose_mcg_per_kg_per_min": 1,
        "requested_mg_per_h": D("4.2"),
        "dose_mg_per_h": D("4.2"),
        "capped": False,
        "concentration_mg_per_ml": 1,
        "rate_ml_per_h": D("4.2"),
        "delivered_mg_per_h": D("4.2"),
        "delivered_mg_per_kg_per_h": D("0.06"),
    }
    assert {key: infusion[key] for key in contract} == contract
    assert infusion["entered"] == {"value": 1, "unit": "mcg/kg/min"}
    assert infusion["delivered_mcg_per_kg_per_min"] == 1
    assert infusion["cap_mg_per_h"] is None
    assert data["blocked"] is False
    assert data["needs_reason"] is False
    assert set(data["library"]) == {"name", "version", "sha256"}
    assert data["library"]["name"] == "Default ketamine library"
    assert len(data["library"]["sha256"]) == 64
    assert codes(data) == ["evidence-note"] * 3
    first = data["findings"][0]
    assert set(first) >= {"level", "code", "message", "sources"}
    assert first["sources"] == ["ASRA-ACUTE"]
    assert first["target"] == "protocol"


def test_json_prints_full_precision_and_rounds_only_volume_and_rates() -> None:
    _, out, _ = call(
        "--protocol", "icu-infusion", "--weight-kg", "80", "--infusion-mg-per-kg-per-h", "1.5", "--json"
    )
    assert '"delivered_mcg_per_kg_per_min": 20.83333333333333333333333333' in out
    assert '"rate_ml_per_h": 100,' in out
    _, data = call_json("--protocol", "acute-bolus", "--weight-kg", "70.3")
    # 0.15 x 70.3 = 10.545 mg (full precision) = 1.0545 mL -> 1.1 mL; over 20 min = 3.1635 mL/h -> 3.2 mL/h
    assert data["bolus"]["dose_mg"] == D("10.545")
    assert data["bolus"]["volume_ml"] == D("1.1")
    assert data["bolus"]["rate_ml_per_h"] == D("3.2")


def test_icu_80_kg_1_5_mg_per_kg_per_h_is_capped() -> None:
    status, data = call_json(
        "--protocol", "icu-infusion", "--weight-kg", "80", "--infusion-mg-per-kg-per-h", "1.5"
    )
    assert status == 0
    infusion = data["infusion"]
    assert infusion["requested_mg_per_h"] == 120
    assert infusion["dose_mg_per_h"] == 100
    assert infusion["capped"] is True
    assert infusion["rate_ml_per_h"] == 100
    assert infusion["delivered_mg_per_kg_per_h"] == D("1.25")
    assert codes(data, "soft") == ["cap"]
    assert data["needs_reason"] is True and data["blocked"] is False
    assert data["bolus"] is None


def test_acute_bolus_0_4_is_blocked_exit_3_with_json_still_printed() -> None:
    status, data = call_json("--protocol", "acute-bolus", "--weight-kg", "70", "--bolus-mg-per-kg", "0.4")
    assert status == 3
    assert data["blocked"] is True
    assert codes(data, "hard") == ["hard-max"]
    assert data["infusion"] is None
    assert data["bolus"]["dose_mg"] == 28


def test_chronic_2_mg_per_kg_per_h_is_blocked_exit_3() -> None:
    status, data = call_json(
        "--protocol", "chronic-opioid-tolerant", "--weight-kg", "70", "--infusion-mg-per-kg-per-h", "2"
    )
    assert status == 3
    assert data["blocked"] is True
    assert "hard-max" in codes(data, "hard")
    mixup = next(f for f in data["findings"] if f["code"] == "unit-mixup")
    assert mixup["suggestion"] == {"value": 2, "unit": "mcg/kg/min"}


def test_chronic_0_03_mg_per_kg_per_h_is_below_typical_exit_0_at_2_1_mg_per_h() -> None:
    status, data = call_json(
        "--protocol", "chronic-opioid-tolerant", "--weight-kg", "70", "--infusion-mg-per-kg-per-h", "0.03"
    )
    assert status == 0
    assert data["infusion"]["dose_mcg_per_kg_per_min"] == D("0.5")
    assert data["infusion"]["dose_mg_per_h"] == D("2.1")
    assert codes(data, "info")[0] == "below-typical"
    assert codes(data, "soft") == codes(data, "hard") == []


def test_the_two_infusion_units_give_the_same_regimen() -> None:
    _, by_mg = call_json("--protocol", "shock", "--weight-kg", "70", "--infusion-mg-per-kg-per-h", "0.09")
    _, by_mcg = call_json("--protocol", "shock", "--weight-kg", "70", "--infusion-mcg-per-kg-per-min", "1.5")
    for key in ("dose_mg_per_kg_per_h", "dose_mg_per_h", "rate_ml_per_h", "delivered_mg_per_h"):
        assert by_mg["infusion"][key] == by_mcg["infusion"][key]
    assert (
        by_mg["infusion"]["dose_mcg_per_kg_per_min"]
        == by_mcg["infusion"]["dose_mcg_per_kg_per_min"]
        == D("1.5")
    )


# --- Options ------------------------------------------------------------------------------------------


def test_no_bolus_drops_the_bolus() -> None:
    status, data = call_json("--protocol", "subanesthetic-infusion", "--weight-kg", "70", "--no-bolus")
    assert status == 0 and data["bolus"] is None and data["infusion"] is not None


def test_bolus_asks_for_an_optional_bolus_at_its_default() -> None:
    _, data = call_json("--protocol", "icu-infusion", "--weight-kg", "70", "--bolus")
    assert data["bolus"]["dose_mg_per_kg"] == D("0.15")
    assert data["bolus"]["over_min"] == 20


def test_bolus_options_are_used() -> None:
    status, data = call_json(
        "--protocol", "acute-bolus", "--weight-kg", "70", "--bolus-mg-per-kg", "0.2",
        "--bolus-concentration-mg-per-ml", "1", "--bolus-over-min", "15",
    )  # fmt: skip
    assert status == 0
    assert data["bolus"]["dose_mg"] == 14
    assert data["bolus"]["volume_ml"] == 14
    assert data["bolus"]["rate_ml_per_h"] == 56
    assert data["needs_reason"] is False


def test_infusion_concentration_option() -> None:
    _, data = call_json("--protocol", "icu-infusion", "--weight-kg", "70", "--concentration-mg-per-ml", "5")
    assert data["infusion"]["rate_ml_per_h"] == 7  # 0.5 mg/kg/h x 70 kg = 35 mg/h at 5 mg/mL


# --- Invalid input: exit 2, one line naming the field, nothing else -----------------------------------

BASE = ("--protocol", "subanesthetic-infusion", "--weight-kg", "70")


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (("--protocol", "subanesthetic-infusion", "--weight-kg", "1,000"), "--weight-kg"),
        (("--protocol", "subanesthetic-infusion", "--weight-kg", "70,5"), "--weight-kg"),
        (("--protocol", "subanesthetic-infusion", "--weight-kg", "nan"), "--weight-kg"),
        (("--protocol", "subanesthetic-infusion", "--weight-kg", "inf"), "--weight-kg"),
        (("--protocol", "subanesthetic-infusion", "--weight-kg", "7e1"), "--weight-kg"),
        (("--protocol", "subanesthetic-infusion", "--weight-kg", "1_000"), "--weight-kg"),
        (("--protocol", "subanesthetic-infusion", "--weight-kg", "70 000"), "--weight-kg"),
        (("--protocol", "subanesthetic-infusion", "--weight-kg", ".5"), "--weight-kg"),
        (("--protocol", "subanesthetic-infusion", "--weight-kg", "70."), "--weight-kg"),
        (("--protocol", "subanesthetic-infusion", "--weight-kg", "+70"), "--weight-kg"),
        (("--protocol", "subanesthetic-infusion", "--weight-kg", "\u0667\u0660"), "--weight-kg"),
        (("--protocol", "subanesthetic-infusion", "--weight-kg", ""), "--weight-kg"),
        (("--protocol", "subanesthetic-infusion", "--weight-kg", "0"), "--weight-kg"),
        (("--protocol", "subanesthetic-infusion", "--weight-kg", "-70"), "--weight-kg"),
        (("--protocol", "subanesthetic-infusion", "--weight-kg", "19.9"), "--weight-kg"),
        (("--protocol", "subanesthetic-infusion", "--weight-kg", "350.1"), "--weight-kg"),
        (("--protocol", "subanesthetic-infusion", "--weight-kg", "70000"), "--weight-kg"),
        ((*BASE, "--bolus-mg-per-kg", "1e3"), "--bolus-mg-per-kg"),
        ((*BASE, "--bolus-mg-per-kg", "0"), "--bolus-mg-per-kg"),
        ((*BASE, "--bolus-mg-per-kg", "-0.5"), "--bolus-mg-per-kg"),
        ((*BASE, "--bolus-concentration-mg-per-ml", "0"), "--bolus-concentration-mg-per-ml"),
        ((*BASE, "--bolus-over-min", "0"), "--bolus-over-min"),
        ((*BASE, "--bolus-over-min", "NaN"), "--bolus-over-min"),
        ((*BASE, "--concentration-mg-per-ml", "0.0"), "--concentration-mg-per-ml"),
        ((*BASE, "--concentration-mg-per-ml", "1,5"), "--concentration-mg-per-ml"),
        ((*BASE, "--infusion-mg-per-kg-per-h", "0"), "--infusion-mg-per-kg-per-h"),
        ((*BASE, "--infusion-mcg-per-kg-per-min", "-1"), "--infusion-mcg-per-kg-per-min"),
        ((*BASE, "--infusion-mcg-per-kg-per-min", "Infinity"), "--infusion-mcg-per-kg-per-min"),
        ((*BASE, "--infusion-mg-per-kg-per-h", "0.1", "--infusion-mcg-per-kg-per-min", "1"), "--infusion-m"),
        ((*BASE, "--no-bolus", "--bolus-mg-per-kg", "0.5"), "--no-bolus"),
        ((*BASE, "--no-bolus", "--bolus-over-min", "5"), "--no-bolus"),
        ((*BASE, "--no-bolus", "--bolus-concentration-mg-per-ml", "10"), "--no-bolus"),
        ((*BASE, "--no-bolus", "--bolus"), "--bolus"),
        (("--protocol", "no-such-protocol", "--weight-kg", "70"), "--protocol"),
        (
            ("--protocol", "acute-bolus", "--weight-kg", "70", "--infusion-mg-per-kg-per-h", "0.1"),
            "--infusion-mg-per-kg-per-h",
        ),
        (
            ("--protocol", "acute-bolus", "--weight-kg", "70", "--infusion-mcg-per-kg-per-min", "1"),
            "--infusion-mcg-per-kg-per-min",
        ),
        (
            ("--protocol", "acute-bolus", "--weight-kg", "70", "--concentration-mg-per-ml", "1"),
            "--concentration-mg-per-ml",
        ),
        (("--protocol", "acute-bolus", "--weight-kg", "70", "--no-bolus"), "--no-bolus"),
        (("--protocol", "opioid-weaning", "--weight-kg", "70", "--bolus"), "--bolus"),
        (
            ("--protocol", "opioid-weaning", "--weight-kg", "70", "--bolus-mg-per-kg", "0.2"),
            "--bolus-mg-per-kg",
        ),
        (
            ("--protocol", "opioid-weaning", "--weight-kg", "70", "--bolus-concentration-mg-per-ml", "10"),
            "--bolus-concentration-mg-per-ml",
        ),
        (("--protocol", "opioid-weaning", "--weight-kg", "70", "--bolus-over-min", "5"), "--bolus-over-min"),
        (("--protocol", "intraoperative", "--weight-kg", "70", "--bolus"), "--bolus-mg-per-kg"),
        (("--weight-kg", "70"), "--protocol"),
        (("--protocol", "acute-bolus"), "--weight-kg"),
        (("--protocol", "acute-bolus", "--weight-kg"), "--weight-kg"),
        ((*BASE, "--weight-lb", "154"), "--weight-lb"),
    ],
)
def test_invalid_input_is_one_line_naming_the_field_and_exit_2(argv: tuple[str, ...], field: str) -> None:
    for extra in ((), ("--json",)):
        status, out, err = call(*argv, *extra)
        assert status == 2
        assert out == ""
        assert err.endswith("\n") and err.count("\n") == 1, err
        assert err.startswith("error: ")
        assert field in err
        assert "Traceback" not in err


def test_invalid_input_messages_say_why() -> None:
    assert call("--protocol", "acute-bolus", "--weight-kg", "19.9")[2] == (
        "error: --weight-kg: must be from 20 to 350 kg\n"
    )
    assert call("--protocol", "acute-bolus", "--weight-kg", "0")[2] == (
        "error: --weight-kg: must be greater than zero ('0')\n"
    )
    assert "unknown protocol 'x'" in call("--protocol", "x", "--weight-kg", "70")[2]
    assert call("--protocol", "acute-bolus", "--weight-kg", "70", "--infusion-mg-per-kg-per-h", "0.1")[2] == (
        "error: --infusion-mg-per-kg-per-h: acute-bolus has no infusion\n"
    )
    assert call(*BASE, "--no-bolus", "--bolus-mg-per-kg", "0.5")[2] == (
        "error: --no-bolus: cannot be combined with --bolus-mg-per-kg\n"
    )
    assert "thousands" in call("--protocol", "acute-bolus", "--weight-kg", "1,000")[2]


# --- The table for people -----------------------------------------------------------------------------


def test_table_shows_the_pump_rate_and_both_units() -> None:
    status, out, err = call(*BASE)
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert ">>> PUMP RATE   42 mL/h <<<" in lines[lines.index("BOLUS") + 3]
    assert ">>> PUMP RATE   4.2 mL/h <<<" in out
    assert "1 mcg/kg/min | 0.06 mg/kg/h = 4.2 mg/h" in out
    assert "0.5 mg/kg = 35 mg" in out
    assert "10 mg/mL: 3.5 mL over 5 min" in out
    assert "delivers        4.2 mg/h = 1 mcg/kg/min | 0.06 mg/kg/h" in out
    assert "info                  evidence-note: A 0.5 mg/kg bolus" in out
    assert "Default ketamine library 1.0.0" in out
    assert "RESULT    Within the library's limits" in out
    assert not re.search("\u00b5|\u03bc|[0-9] ?ug\\b|\\bcc\\b", out)


def test_table_rounds_for_display_by_the_library_rules() -> None:
    _, out, _ = call("--protocol", "acute-bolus", "--weight-kg", "70.3")
    # 10.545 mg -> 10.5 mg to 0.1 mg
    assert "0.15 mg/kg = 10.5 mg" in out
    _, out, _ = call("--protocol", "icu-infusion", "--weight-kg", "73", "--concentration-mg-per-ml", "2")
    # 0.5 mg/kg/h x 73 kg = 36.5 mg/h = 18.25 mL/h -> 18.3 mL/h, delivering 36.6 mg/h = 0.501 mg/kg/h
    assert ">>> PUMP RATE   18.3 mL/h <<<" in out
    assert "delivers        36.6 mg/h = 0.501 mg/kg/h | 8.36 mcg/kg/min" in out


def test_table_says_the_levels_in_words() -> None:
    status, out, _ = call("--protocol", "acute-bolus", "--weight-kg", "70", "--bolus-mg-per-kg", "0.4")
    assert status == 3
    assert "HARD (blocked)        hard-max: A bolus of 0.4 mg/kg" in out
    assert "RESULT    BLOCKED" in out
    status, out, _ = call(
        "--protocol", "icu-infusion", "--weight-kg", "80", "--infusion-mg-per-kg-per-h", "1.5"
    )
    assert status == 0
    assert "SOFT (reason needed)  cap:" in out
    assert "[SEED-A(1), (unverified)]" in out
    assert "120 mg/h asked, CAPPED at 100 mg/h" in out
    assert ">>> PUMP RATE   100 mL/h <<<" in out
    assert "RESULT    WARNING: starting needs a typed reason" in out


def test_table_without_any_bolus() -> None:
    _, out, _ = call("--protocol", "opioid-weaning", "--weight-kg", "70")
    assert "BOLUS" not in out
    assert "0.5 mg/kg/h | 8.33 mcg/kg/min = 35 mg/h" in out


# --- A real process -----------------------------------------------------------------------------------


def test_subprocess_run() -> None:
    command = [sys.executable, "-m", "ketamine_desktop", "regimen", "--protocol", "acute-bolus"]
    done = subprocess.run(
        [*command, "--weight-kg", "70", "--bolus-mg-per-kg", "0.4", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 3
    assert done.stderr == ""
    assert json.loads(done.stdout)["blocked"] is True
    bad = subprocess.run(
        [*command, "--weight-kg", "1e3"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and "--weight-kg" in bad.stderr and "Traceback" not in bad.stderr


def test_table_shows_what_the_rounded_bolus_volume_holds() -> None:
    """0.35 mg/kg x 70 kg = 24.5 mg = 2.45 mL, rounded to 2.5 mL: the checker must see 25 mg, not 24.5."""
    status, out, _ = call("--protocol", "chronic-opioid-tolerant", "--weight-kg", "70")
    assert status == 0
    assert "2.5 mL over 15 min" in out
    assert "delivers        2.5 mL holds 25 mg = 0.357 mg/kg" in out
