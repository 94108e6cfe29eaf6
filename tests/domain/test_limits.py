"""The pure finding rules, called directly: number text, levels at the edges, the mix-up sentinel."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ketamine_desktop.domain.library import DoseRate, Library, load_library
from ketamine_desktop.domain.limits import (
    Finding,
    approx,
    bolus_dose_findings,
    bolus_duration_findings,
    cap_finding,
    concentration_findings,
    infusion_dose_findings,
    note_findings,
    rate_both_units,
    rounded_down_finding,
    sort_findings,
    unsettable_finding,
    weight_findings,
    written,
)
from tests.helpers.library_edit import DEFAULT_LIBRARY

LIBRARY: Library = load_library(DEFAULT_LIBRARY)
D = Decimal


def spec(protocol_id: str, part: str) -> Any:
    value = getattr(LIBRARY.protocol(protocol_id), part)
    assert value is not None
    return value


def levels(findings: tuple[Finding, ...]) -> list[tuple[str, str]]:
    return [(f.level, f.code) for f in findings]


# --- Number text (ISMP: leading zero, no trailing zero, mcg) ----------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("0.5", "0.5"),
        ("5.0", "5"),
        ("0.050", "0.05"),
        ("20", "20"),
        ("1E+2", "100"),
        ("0.125", "0.125"),
        ("24.675", "24.675"),
        ("0", "0"),
    ],
)
def test_written_keeps_every_significant_digit_and_no_trailing_zero(value: str, text: str) -> None:
    assert written(D(value)) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("16.66666666666666666666666667", "16.7"),
        ("0.06", "0.06"),
        ("8.333333", "8.33"),
        ("1.25", "1.25"),
        ("2100", "2100"),
        ("0.0625", "0.0625"),
        ("0.06254", "0.0625"),
        ("33.33", "33.3"),
    ],
)
def test_approx_shows_three_significant_digits(value: str, text: str) -> None:
    assert approx(D(value)) == text


def test_rate_both_units() -> None:
    assert rate_both_units(D(1), "mcg/kg/min") == "1 mcg/kg/min (0.06 mg/kg/h)"
    assert rate_both_units(D(1), "mg/kg/h") == "1 mg/kg/h (16.7 mcg/kg/min)"
    assert rate_both_units(D("20.83333333"), "mcg/kg/min", exact=False) == "20.8 mcg/kg/min (1.25 mg/kg/h)"


# --- Weight -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "flagged"), [("39.9", True), ("40", False), ("150", False), ("150.1", True)]
)
def test_weight_plausibility_edges(weight: str, flagged: bool) -> None:
    assert levels(weight_findings(LIBRARY, D(weight))) == (
        [("soft", "weight-plausibility")] if flagged else []
    )


# --- Bolus dose and duration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dose", "expected"),
    [
        ("0.149", [("info", "below-typical")]),
        ("0.15", []),
        ("0.3", []),
        ("0.301", [("soft", "soft-max")]),
        ("0.35", [("soft", "soft-max")]),
        ("0.351", [("hard", "hard-max")]),
        ("300", [("hard", "hard-max"), ("hard", "unit-mixup")]),
        ("0.0003", [("soft", "unit-mixup")]),
        # 0.3 x 1.1 = 0.33 is the top of the widened range: 330 mg/kg still reads as 0.33 mg/kg ...
        ("330", [("hard", "hard-max"), ("hard", "unit-mixup")]),
        # ... 331 does not, and 0.000134 (below 0.15 x 0.9 = 0.135 once x 1000) does not either.
        ("331", [("hard", "hard-max")]),
        ("0.000135", [("soft", "unit-mixup")]),
        ("0.000134", [("info", "below-typical")]),
    ],
)
def test_bolus_dose_classes(dose: str, expected: list[tuple[str, str]]) -> None:
    assert levels(bolus_dose_findings(LIBRARY, spec("acute-bolus", "bolus"), D(dose))) == expected


def test_bolus_findings_carry_the_bolus_sources() -> None:
    bolus = spec("acute-bolus", "bolus")
    (finding,) = bolus_dose_findings(LIBRARY, bolus, D("0.4"))
    assert finding.sources == bolus.sources
    assert finding.target == "bolus"


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        ("4.9", [("hard", "bolus-too-fast")]),
        ("5", [("soft", "bolus-too-fast")]),
        ("9.9", [("soft", "bolus-too-fast")]),
        ("10", []),
        ("60", []),
        ("60.1", [("hard", "bolus-too-slow")]),
    ],
)
def test_bolus_duration_classes(minutes: str, expected: list[tuple[str, str]]) -> None:
    # chronic-opioid-tolerant: allowed 5-60 min, advised 10 min or longer
    assert levels(bolus_duration_findings(spec("chronic-opioid-tolerant", "bolus"), D(minutes))) == expected


def test_no_soft_duration_band_where_the_advice_equals_the_allowed_minimum() -> None:
    bolus = spec("intraoperative", "bolus")
    assert levels(bolus_duration_findings(bolus, D("0.9"))) == [("hard", "bolus-too-fast")]
    assert levels(bolus_duration_findings(bolus, D("1"))) == []


# --- Infusion dose, mix-up and cap --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("0.9", "mcg/kg/min", [("info", "below-typical")]),
        ("1", "mcg/kg/min", []),
        ("2", "mcg/kg/min", []),
        ("0.12", "mg/kg/h", []),
        ("2.1", "mcg/kg/min", [("soft", "soft-max")]),
        ("0.5", "mg/kg/h", [("soft", "soft-max")]),  # 8.33 mcg/kg/min: no unit slip lands in 1-2
        ("0.51", "mg/kg/h", [("hard", "hard-max")]),
        ("1", "mg/kg/h", [("hard", "hard-max"), ("hard", "unit-mixup")]),
        ("60", "mcg/kg/min", [("hard", "hard-max"), ("hard", "unit-mixup")]),
        ("0.001", "mcg/kg/min", [("soft", "unit-mixup")]),  # mg typed as mcg: 1000 x too small
        ("0.02", "mcg/kg/min", [("soft", "unit-mixup")]),  # 60 x too small
    ],
)
def test_infusion_dose_classes(value: str, unit: str, expected: list[tuple[str, str]]) -> None:
    entered = DoseRate(value=D(value), unit=unit)  # type: ignore[arg-type]
    assert (
        levels(infusion_dose_findings(LIBRARY, spec("chronic-opioid-tolerant", "infusion"), entered))
        == expected
    )


def test_the_widened_range_edges_of_the_sentinel() -> None:
    # subanesthetic typical 1-2 mcg/kg/min, widened 10%: 0.9-2.2 mcg/kg/min. Typed as mg/kg/h, 2.2 is
    # caught (it is also above the hard max of 1 mg/kg/h); 0.9 mg/kg/h is caught though within the hard max.
    infusion = spec("subanesthetic-infusion", "infusion")
    caught = infusion_dose_findings(LIBRARY, infusion, DoseRate(value=D("0.9"), unit="mg/kg/h"))
    assert levels(caught) == [("hard", "unit-mixup")]
    assert caught[0].suggestion == DoseRate(value=D("0.9"), unit="mcg/kg/min")
    missed = infusion_dose_findings(LIBRARY, infusion, DoseRate(value=D("0.89"), unit="mg/kg/h"))
    assert levels(missed) == [("soft", "soft-max")]
    top = infusion_dose_findings(LIBRARY, infusion, DoseRate(value=D("2.2"), unit="mg/kg/h"))
    assert levels(top) == [("hard", "hard-max"), ("hard", "unit-mixup")]
    beyond = infusion_dose_findings(LIBRARY, infusion, DoseRate(value=D("2.21"), unit="mg/kg/h"))
    assert levels(beyond) == [("hard", "hard-max")]


def test_cap_edges() -> None:
    cap = spec("icu-infusion", "infusion").cap
    entered = DoseRate(value=D("1.25"), unit="mg/kg/h")
    assert cap_finding(cap, entered, D("100"), D("80")) == ()
    (finding,) = cap_finding(cap, entered, D("100.0001"), D("80.00008"))
    assert (finding.level, finding.code, finding.sources, finding.flags) == (
        "soft",
        "cap",
        ("SEED-A(1)",),
        ("unverified",),
    )


# --- Concentrations -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("use", "value", "expected"),
    [
        ("infusion", "1", []),
        ("infusion", "2", []),
        ("infusion", "5", []),
        ("infusion", "0.49", [("hard", "non-standard-concentration")]),
        ("infusion", "0.5", [("soft", "non-standard-concentration")]),
        ("infusion", "10", [("soft", "non-standard-concentration")]),
        ("infusion", "10.01", [("hard", "non-standard-concentration")]),
        ("infusion", "50", [("hard", "undiluted-vial")]),
        ("infusion", "100.0", [("hard", "undiluted-vial")]),
        ("bolus", "10", []),
        ("bolus", "1", []),
        ("bolus", "2", [("soft", "non-standard-concentration")]),
        ("bolus", "10.1", [("hard", "non-standard-concentration")]),
        ("bolus", "100", [("hard", "undiluted-vial")]),
    ],
)
def test_concentration_classes(use: str, value: str, expected: list[tuple[str, str]]) -> None:
    findings = concentration_findings(LIBRARY, use, D(value))  # type: ignore[arg-type]
    assert levels(findings) == expected
    assert all(f.target == f"{use}_concentration" for f in findings)


# --- Pump rounding and notes --------------------------------------------------------------------------


def test_pump_findings() -> None:
    zero = unsettable_finding(LIBRARY, "infusion", "pump rate", D("0.0321"), D("0.1"), "mL/h")
    assert (zero.level, zero.code, zero.sources) == (
        "hard",
        "below-pump-resolution",
        LIBRARY.document.units.sources,
    )
    assert zero.message.startswith("The pump rate would be 0.0321 mL/h")
    down = rounded_down_finding(
        LIBRARY, "bolus", "bolus volume", "6.1 mL", "6.2 mL", "hard maximum", "24.7 mg"
    )
    assert (down.level, down.code, down.target) == ("info", "rounded-down", "bolus")


def test_notes_and_advice() -> None:
    assert [f.code for f in note_findings(LIBRARY.protocol("shock"))] == ["gate"]
    assert [f.code for f in note_findings(LIBRARY.protocol("icu-infusion"))] == ["evidence-note"] * 3 + [
        "advice"
    ]
    assert [f.code for f in note_findings(LIBRARY.protocol("acute-bolus"))] == ["evidence-note"] * 3


def test_sort_findings_is_stable_within_a_level() -> None:
    made = [
        Finding(level=level, code=code, message=code, target="protocol")
        for level, code in [("info", "a"), ("hard", "b"), ("soft", "c"), ("info", "d"), ("hard", "e")]
    ]
    assert [f.code for f in sort_findings(made)] == ["b", "e", "c", "a", "d"]
