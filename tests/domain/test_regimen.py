"""The regimen engine: the worked examples of the contract and the library spec, exactly; the defaults
raise no alert; malformed requests are refused by field; pump rounding never lifts a dose over a limit.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from ketamine_desktop.domain.library import DoseRate, Library, load_library, parse_library
from ketamine_desktop.domain.patient import InvalidInput
from ketamine_desktop.domain.regimen import Finding, Regimen, RegimenRequest, compute_regimen
from tests.helpers.library_edit import DEFAULT_LIBRARY, replaced

LIBRARY: Library = load_library(DEFAULT_LIBRARY)
D = Decimal


def regimen(protocol_id: str, weight: str = "70", **choices: object) -> Regimen:
    return compute_regimen(LIBRARY, RegimenRequest(protocol_id=protocol_id, weight_kg=D(weight), **choices))


def mg_per_kg_per_h(value: str) -> DoseRate:
    return DoseRate(value=D(value), unit="mg/kg/h")


def mcg_per_kg_per_min(value: str) -> DoseRate:
    return DoseRate(value=D(value), unit="mcg/kg/min")


def codes(result: Regimen, level: str | None = None) -> list[str]:
    return [f.code for f in result.findings if level is None or f.level == level]


def only(result: Regimen, code: str) -> Finding:
    found = [f for f in result.findings if f.code == code]
    assert len(found) == 1, f"expected one {code!r} finding, got {codes(result)}"
    return found[0]


# --- Worked examples (cli-contract "regimen", default-library section 4) ------------------------------


def test_subanesthetic_70_kg_defaults() -> None:
    result = regimen("subanesthetic-infusion")
    bolus, infusion = result.bolus, result.infusion
    assert bolus is not None and infusion is not None
    # bolus 35 mg = 3.5 mL of 10 mg/mL over 5 min (42 mL/h)
    assert bolus.dose_mg_per_kg == D("0.5")
    assert bolus.dose_mg == D("35")
    assert bolus.concentration_mg_per_ml == D("10")
    assert bolus.volume_ml == D("3.5")
    assert bolus.over_min == D("5")
    assert bolus.rate_ml_per_h == D("42")
    assert bolus.delivered_mg == D("35")
    assert bolus.delivered_mg_per_kg == D("0.5")
    # infusion 1 mcg/kg/min = 0.06 mg/kg/h = 4.2 mg/h = 4.2 mL/h at 1 mg/mL
    assert infusion.entered == mcg_per_kg_per_min("1")
    assert infusion.dose_mcg_per_kg_per_min == D("1")
    assert infusion.dose_mg_per_kg_per_h == D("0.06")
    assert infusion.requested_mg_per_h == D("4.2")
    assert infusion.dose_mg_per_h == D("4.2")
    assert infusion.capped is False
    assert infusion.cap_mg_per_h is None
    assert infusion.concentration_mg_per_ml == D("1")
    assert infusion.rate_ml_per_h == D("4.2")
    assert infusion.delivered_mg_per_h == D("4.2")
    assert infusion.delivered_mg_per_kg_per_h == D("0.06")
    assert infusion.delivered_mcg_per_kg_per_min == D("1")
    assert not result.blocked
    assert not result.needs_reason
    assert codes(result) == ["evidence-note"] * 3
    assert result.protocol_id == "subanesthetic-infusion"
    assert result.weight_kg == D("70")
    assert (result.library_name, result.library_version, result.library_sha256) == (
        LIBRARY.name,
        LIBRARY.version,
        LIBRARY.sha256,
    )


def test_icu_80_kg_at_1_5_mg_per_kg_per_h_is_capped_at_100_mg_per_h() -> None:
    result = regimen("icu-infusion", "80", infusion_dose=mg_per_kg_per_h("1.5"))
    infusion = result.infusion
    assert infusion is not None
    assert result.bolus is None  # the ICU bolus is optional: off unless asked for
    assert infusion.requested_mg_per_h == D("120")
    assert infusion.dose_mg_per_h == D("100")
    assert infusion.capped is True
    assert infusion.cap_mg_per_h == D("100")
    assert infusion.rate_ml_per_h == D("100")
    assert infusion.delivered_mg_per_h == D("100")
    assert infusion.delivered_mg_per_kg_per_h == D("1.25")
    assert infusion.delivered_mcg_per_kg_per_min == D("1.25") * 1000 / 60
    assert infusion.dose_mcg_per_kg_per_min == D("25")
    cap = only(result, "cap")
    assert cap.level == "soft"
    assert cap.target == "infusion"
    assert cap.sources == ("SEED-A(1)",)
    assert cap.flags == ("unverified",)
    assert cap.message == (
        "1.5 mg/kg/h (25 mcg/kg/min) at 80 kg is 120 mg/h, above this protocol's cap of 100 mg/h: "
        "the rate is held at 100 mg/h, which is 1.25 mg/kg/h (20.8 mcg/kg/min)."
    )
    assert codes(result, "soft") == ["cap"]
    assert codes(result, "hard") == []
    assert result.needs_reason and not result.blocked


def test_acute_bolus_0_4_mg_per_kg_is_above_the_hard_max_and_blocked() -> None:
    result = regimen("acute-bolus", bolus_mg_per_kg=D("0.4"))
    assert result.blocked
    assert codes(result, "hard") == ["hard-max"]
    finding = only(result, "hard-max")
    assert finding.target == "bolus"
    assert finding.message == (
        "A bolus of 0.4 mg/kg is above this protocol's hard maximum of 0.35 mg/kg: it cannot be given."
    )
    assert result.infusion is None
    assert result.bolus is not None and result.bolus.dose_mg == D("28")


def test_chronic_2_mg_per_kg_per_h_is_above_the_hard_max_and_blocked() -> None:
    result = regimen("chronic-opioid-tolerant", infusion_dose=mg_per_kg_per_h("2"))
    assert result.blocked
    assert only(result, "hard-max").level == "hard"
    # 2 mg/kg/h is also the classic slip for 2 mcg/kg/min, the top of this protocol's usual range.
    mixup = only(result, "unit-mixup")
    assert mixup.level == "hard"
    assert mixup.suggestion == mcg_per_kg_per_min("2")
    assert result.infusion is not None and result.infusion.requested_mg_per_h == D("140")


def test_chronic_0_03_mg_per_kg_per_h_is_below_typical_only() -> None:
    result = regimen("chronic-opioid-tolerant", infusion_dose=mg_per_kg_per_h("0.03"))
    infusion = result.infusion
    assert infusion is not None
    assert infusion.dose_mcg_per_kg_per_min == D("0.5")
    assert infusion.dose_mg_per_h == D("2.1")
    assert infusion.rate_ml_per_h == D("2.1")
    below = only(result, "below-typical")
    assert below.level == "info"
    assert below.message == (
        "0.03 mg/kg/h (0.5 mcg/kg/min) is below this protocol's usual range of "
        "1-2 mcg/kg/min (0.06-0.12 mg/kg/h)."
    )
    assert not result.blocked
    assert not result.needs_reason


def test_the_library_spec_mixup_example_reads_exactly() -> None:
    result = regimen("subanesthetic-infusion", infusion_dose=mg_per_kg_per_h("1"))
    mixup = only(result, "unit-mixup")
    assert mixup.level == "hard"
    assert mixup.message == (
        "1 mg/kg/h is 16.7 mcg/kg/min; this protocol's usual dose is 1-2 mcg/kg/min: "
        "did you mean 1 mcg/kg/min?"
    )
    assert mixup.suggestion == mcg_per_kg_per_min("1")
    assert mixup.sources == ("ISMP",)
    assert mixup.flags == ("derived",)
    # 1 mg/kg/h is exactly the hard max: the refusal comes from the mix-up, not from the plain limits.
    assert codes(result, "hard") == ["unit-mixup"]
    assert "soft-max" not in codes(result)


# --- Alert fatigue: the default regimen of every protocol raises no soft or hard finding -------------


@pytest.mark.parametrize("protocol_id", [p.id for p in LIBRARY.document.protocols])
def test_every_default_regimen_at_70_kg_is_free_of_soft_and_hard_findings(protocol_id: str) -> None:
    result = regimen(protocol_id)
    assert [f for f in result.findings if f.level != "info"] == []
    protocol = LIBRARY.protocol(protocol_id)
    assert (result.bolus is not None) == (protocol.bolus is not None and not protocol.bolus.optional)
    assert (result.infusion is not None) == (protocol.infusion is not None)


@pytest.mark.parametrize(
    "protocol_id", [p.id for p in LIBRARY.document.protocols if p.bolus and p.bolus.default_mg_per_kg]
)
def test_every_default_bolus_asked_for_at_70_kg_is_free_of_soft_and_hard_findings(protocol_id: str) -> None:
    result = regimen(protocol_id, include_bolus=True)
    assert result.bolus is not None
    assert [f for f in result.findings if f.level != "info"] == []


# --- Findings carried from the library -------------------------------------------------------------


def test_gates_and_evidence_notes_come_from_the_protocol_with_their_sources_and_flags() -> None:
    result = regimen("neuropathic-prolonged")
    notes = [f for f in result.findings if f.target == "protocol"]
    protocol = LIBRARY.protocol("neuropathic-prolonged")
    assert [(f.code, f.message, f.sources, f.flags) for f in notes] == [
        ("gate" if n.kind == "gate" else "evidence-note", n.text, n.sources, n.flags) for n in protocol.notes
    ]
    assert {f.level for f in notes} == {"info"}
    assert codes(result).count("gate") == 2


def test_infusion_advice_is_an_info_finding() -> None:
    advice = only(regimen("icu-infusion"), "advice")
    assert (advice.level, advice.target, advice.message) == (
        "info",
        "infusion",
        "Use the lowest effective dose.",
    )


def test_findings_are_ordered_hard_then_soft_then_info() -> None:
    result = regimen(
        "acute-bolus",
        "30",
        bolus_mg_per_kg=D("0.4"),
        bolus_over_min=D("10"),
        bolus_concentration_mg_per_ml=D("2"),
    )
    levels = [f.level for f in result.findings]
    assert levels == sorted(levels, key=["hard", "soft", "info"].index)
    assert levels[0] == "hard" and "soft" in levels and levels[-1] == "info"
    assert set(codes(result, "soft")) == {
        "weight-plausibility",
        "bolus-too-fast",
        "non-standard-concentration",
    }


def test_weight_plausibility_uses_the_library_message() -> None:
    finding = only(regimen("opioid-weaning", "39.9"), "weight-plausibility")
    assert finding.level == "soft"
    assert finding.target == "weight"
    assert finding.message == (
        "39.9 kg is outside the usual range of 40-150 kg. "
        "Confirm the weight: this library doses on actual body weight."
    )
    assert finding.sources == ("ISMP", "FMF-135")


# --- Unit mix-up sentinel --------------------------------------------------------------------------


def test_mcg_typed_as_mg_per_kg_per_h_on_an_mg_protocol_is_a_soft_mixup() -> None:
    result = regimen("icu-infusion", infusion_dose=mcg_per_kg_per_min("1"))
    mixup = only(result, "unit-mixup")
    assert mixup.level == "soft"
    assert mixup.suggestion == mg_per_kg_per_h("1")
    assert mixup.message == (
        "1 mcg/kg/min is 0.06 mg/kg/h; this protocol's usual dose is 0.5-2 mg/kg/h: did you mean 1 mg/kg/h?"
    )
    assert "below-typical" not in codes(result)  # the mix-up replaces the plain note


def test_a_suggestion_that_is_not_the_typed_number_shows_the_typed_number_too() -> None:
    mixup = only(regimen("icu-infusion", infusion_dose=mg_per_kg_per_h("30")), "unit-mixup")
    assert mixup.level == "hard"
    assert mixup.suggestion == mg_per_kg_per_h("1.8")
    assert mixup.message == (
        "30 mg/kg/h is 500 mcg/kg/min; this protocol's usual dose is 0.5-2 mg/kg/h: "
        "did you mean 1.8 mg/kg/h (30 mcg/kg/min)?"
    )


def test_per_hour_for_per_minute_is_caught_and_suggested_in_three_digits() -> None:
    # 60 mcg/kg/min = 3.6 mg/kg/h: above the hard max, and 60 times the usual 1 mcg/kg/min.
    result = regimen("subanesthetic-infusion", infusion_dose=mcg_per_kg_per_min("60"))
    assert codes(result, "hard") == ["hard-max", "unit-mixup"]
    assert only(result, "unit-mixup").suggestion == mcg_per_kg_per_min("1")
    # 100 mg/kg/h / 60 = 1.666... mg/kg/h: offered as 1.67 mg/kg/h
    suggestion = only(regimen("icu-infusion", infusion_dose=mg_per_kg_per_h("100")), "unit-mixup").suggestion
    assert suggestion == mg_per_kg_per_h("1.67")


def test_a_thousandfold_bolus_is_a_hard_mixup_naming_the_intended_dose() -> None:
    result = regimen("acute-bolus", bolus_mg_per_kg=D("150"))
    assert codes(result, "hard") == ["hard-max", "unit-mixup"]
    mixup = only(result, "unit-mixup")
    assert mixup.suggested_bolus_mg_per_kg == D("0.15")
    assert mixup.suggestion is None
    assert mixup.target == "bolus"
    assert mixup.message == (
        "150 mg/kg looks like a mg/mcg mix-up; this protocol's usual bolus is 0.15-0.3 mg/kg: "
        "did you mean 0.15 mg/kg?"
    )


def test_a_thousandfold_small_bolus_is_a_soft_mixup() -> None:
    result = regimen("chronic-opioid-tolerant", bolus_mg_per_kg=D("0.00035"))
    mixup = only(result, "unit-mixup")
    assert (mixup.level, mixup.suggested_bolus_mg_per_kg) == ("soft", D("0.35"))
    assert "below-typical" not in codes(result)


def test_a_bolus_between_soft_and_hard_max_as_mixup_is_hard_instead_of_soft() -> None:
    # A library where 0.4 mg/kg is both above the soft max and 1000 x a usual dose read as mg.
    text = replaced(
        "hard_max_mg_per_kg = 0.35\nover_min_default = 20", "hard_max_mg_per_kg = 500\nover_min_default = 20"
    )
    library = parse_library(text.encode())
    result = compute_regimen(
        library, RegimenRequest(protocol_id="acute-bolus", weight_kg=D("70"), bolus_mg_per_kg=D("200"))
    )
    assert codes(result, "hard") == ["unit-mixup"]
    assert "soft-max" not in codes(result)


def test_above_soft_max_without_mixup_is_soft() -> None:
    result = regimen("neuropathic-prolonged", infusion_dose=mg_per_kg_per_h("0.4"))
    finding = only(result, "soft-max")
    assert finding.message == (
        "0.4 mg/kg/h (6.67 mcg/kg/min) is above this protocol's usual maximum of "
        "0.35 mg/kg/h (5.83 mcg/kg/min): "
        "starting needs a recorded reason."
    )
    assert result.needs_reason and not result.blocked


def test_below_typical_message_with_a_single_usual_dose() -> None:
    finding = only(regimen("opioid-weaning", infusion_dose=mg_per_kg_per_h("0.4")), "below-typical")
    assert finding.message == (
        "0.4 mg/kg/h (6.67 mcg/kg/min) is below this protocol's usual range of 0.5 mg/kg/h (8.33 mcg/kg/min)."
    )


def test_bolus_soft_max_and_below_typical() -> None:
    soft = only(regimen("acute-bolus", bolus_mg_per_kg=D("0.32")), "soft-max")
    assert soft.message == (
        "A bolus of 0.32 mg/kg is above this protocol's usual maximum of 0.3 mg/kg: "
        "starting needs a recorded reason."
    )
    info = only(regimen("acute-bolus", bolus_mg_per_kg=D("0.1")), "below-typical")
    assert (info.level, info.message) == (
        "info",
        "A bolus of 0.1 mg/kg is below this protocol's usual bolus of 0.15-0.3 mg/kg.",
    )


# --- Concentrations and bolus duration ------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "level", "code"),
    [
        ("infusion_concentration_mg_per_ml", "50", "hard", "undiluted-vial"),
        ("infusion_concentration_mg_per_ml", "100", "hard", "undiluted-vial"),
        ("infusion_concentration_mg_per_ml", "10", "soft", "non-standard-concentration"),
        ("infusion_concentration_mg_per_ml", "0.4", "hard", "non-standard-concentration"),
        ("bolus_concentration_mg_per_ml", "50", "hard", "undiluted-vial"),
        ("bolus_concentration_mg_per_ml", "5", "soft", "non-standard-concentration"),
        ("bolus_concentration_mg_per_ml", "20", "hard", "non-standard-concentration"),
    ],
)
def test_concentration_classes(option: str, value: str, level: str, code: str) -> None:
    result = regimen("subanesthetic-infusion", **{option: D(value)})
    finding = only(result, code)
    assert finding.level == level
    assert finding.target == option.removesuffix("_mg_per_ml")
    assert finding.sources == LIBRARY.document.concentrations.sources


def test_concentration_messages() -> None:
    undiluted = only(
        regimen("subanesthetic-infusion", infusion_concentration_mg_per_ml=D("50")), "undiluted-vial"
    )
    assert undiluted.message == (
        "50 mg/mL is an undiluted vial strength: dilute first "
        "(standard infusion concentrations: 1, 2 or 5 mg/mL)."
    )
    custom = only(
        regimen("subanesthetic-infusion", bolus_concentration_mg_per_ml=D("5")), "non-standard-concentration"
    )
    assert custom.message == (
        "5 mg/mL is not a standard bolus concentration (10 or 1 mg/mL): check the label; "
        "starting needs a recorded reason."
    )
    outside = only(
        regimen("icu-infusion", infusion_concentration_mg_per_ml=D("0.25")), "non-standard-concentration"
    )
    assert (
        outside.message
        == "0.25 mg/mL is outside the range allowed for a custom concentration (0.5-10 mg/mL)."
    )


def test_a_single_standard_concentration_is_named_alone() -> None:
    text = replaced("infusion_standard_mg_per_ml = [1, 2, 5]", "infusion_standard_mg_per_ml = [1]")
    library = parse_library(text.encode())
    request = RegimenRequest(
        protocol_id="icu-infusion", weight_kg=D("70"), infusion_concentration_mg_per_ml=D("50")
    )
    message = only(compute_regimen(library, request), "undiluted-vial").message
    assert message.endswith("(standard infusion concentrations: 1 mg/mL).")


@pytest.mark.parametrize(
    ("over", "level", "code"),
    [
        ("4", "hard", "bolus-too-fast"),
        ("14", "soft", "bolus-too-fast"),
        ("15", None, None),
        ("61", "hard", "bolus-too-slow"),
    ],
)
def test_bolus_duration_classes(over: str, level: str | None, code: str | None) -> None:
    result = regimen("acute-bolus", bolus_over_min=D(over))
    found = [f for f in result.findings if f.target == "bolus_duration"]
    assert [(f.level, f.code) for f in found] == ([] if code is None else [(level, code)])


def test_bolus_duration_messages() -> None:
    fast = only(regimen("acute-bolus", bolus_over_min=D("2")), "bolus-too-fast")
    assert fast.message == "A bolus over 2 min is too fast: give it over 5-60 min."
    soft = only(regimen("acute-bolus", bolus_over_min=D("10")), "bolus-too-fast")
    assert soft.message == (
        "A bolus over 10 min is faster than advised (15 min or longer): starting needs a recorded reason."
    )
    slow = only(regimen("acute-bolus", bolus_over_min=D("90")), "bolus-too-slow")
    assert slow.message == "A bolus over 90 min is too slow for this protocol: give it over 5-60 min."


# --- Pump rounding -----------------------------------------------------------------------------------


def test_rates_round_to_the_nearest_step_with_halves_up() -> None:
    # acute bolus 0.15 mg/kg x 70 kg = 10.5 mg = 1.05 mL -> 1.1 mL; over 20 min = 3.15 mL/h -> 3.2 mL/h
    bolus = regimen("acute-bolus").bolus
    assert bolus is not None
    assert (bolus.dose_mg, bolus.volume_ml, bolus.rate_ml_per_h) == (D("10.5"), D("1.1"), D("3.2"))
    assert bolus.delivered_mg == D("11")
    # 0.25 mg/kg/h x 70.2 kg = 17.55 mg/h at 2 mg/mL = 8.775 mL/h -> 8.8 mL/h, delivering 17.6 mg/h
    infusion = regimen("intraoperative", "70.2", infusion_concentration_mg_per_ml=D("2")).infusion
    assert infusion is not None
    assert (infusion.rate_ml_per_h, infusion.delivered_mg_per_h) == (D("8.8"), D("17.6"))
    assert infusion.delivered_mg_per_kg_per_h == D("17.6") / D("70.2")


def test_the_pump_rate_is_stepped_down_rather_than_exceed_the_hard_max() -> None:
    # 0.5 mg/kg/h (the hard max) x 73 kg = 36.5 mg/h at 2 mg/mL = 18.25 mL/h; 18.3 mL/h would give
    # 36.6 mg/h, above the hard max, so the pump gets 18.2 mL/h (36.4 mg/h).
    result = regimen(
        "neuropathic-prolonged",
        "73",
        infusion_dose=mg_per_kg_per_h("0.5"),
        infusion_concentration_mg_per_ml=D("2"),
    )
    infusion = result.infusion
    assert infusion is not None
    assert infusion.rate_ml_per_h == D("18.2")
    assert infusion.delivered_mg_per_h == D("36.4")
    note = only(result, "rounded-down")
    assert (note.level, note.target) == ("info", "infusion")
    assert note.message == (
        "The pump rate is 18.2 mL/h, one step below the nearest 18.3 mL/h, which would give more than this "
        "protocol's hard maximum of 36.5 mg/h."
    )
    assert not result.blocked


def test_the_pump_rate_is_stepped_down_rather_than_exceed_the_cap() -> None:
    # capped at 100 mg/h; at 2.4 mg/mL that is 41.666... mL/h -> 41.7 mL/h would give 100.08 mg/h
    result = regimen(
        "icu-infusion", "80", infusion_dose=mg_per_kg_per_h("1.5"), infusion_concentration_mg_per_ml=D("2.4")
    )
    infusion = result.infusion
    assert infusion is not None
    assert infusion.rate_ml_per_h == D("41.6")
    assert infusion.delivered_mg_per_h == D("99.84")
    assert "cap of 100 mg/h" in only(result, "rounded-down").message


def test_the_hard_max_is_named_when_it_is_below_the_cap() -> None:
    # A library whose ICU cap (1000 mg/h) is above the hard max at this weight (2 mg/kg/h x 73 kg).
    library = parse_library(replaced("mg_per_h = 100", "mg_per_h = 1000").encode())
    request = RegimenRequest(
        protocol_id="icu-infusion",
        weight_kg=D("73.1"),
        infusion_dose=mg_per_kg_per_h("2"),
        infusion_concentration_mg_per_ml=D("3"),
    )
    result = compute_regimen(library, request)
    infusion = result.infusion
    assert infusion is not None and not infusion.capped
    assert infusion.rate_ml_per_h == D("48.7")  # 146.2 / 3 = 48.7333 -> 48.7: no step down needed
    request = request.model_copy(update={"weight_kg": D("73.15")})  # 146.3 / 3 = 48.7666 -> 48.8 gives 146.4
    result = compute_regimen(library, request)
    assert result.infusion is not None and result.infusion.rate_ml_per_h == D("48.7")
    assert "hard maximum of 146.3 mg/h" in only(result, "rounded-down").message


def test_the_bolus_volume_is_stepped_down_rather_than_exceed_the_hard_max() -> None:
    # 0.35 mg/kg (the hard max) x 70 kg = 24.5 mg at 5 mg/mL = 4.9 mL: exact, nothing to step down
    result = regimen("acute-bolus", bolus_mg_per_kg=D("0.35"), bolus_concentration_mg_per_ml=D("5"))
    bolus = result.bolus
    assert bolus is not None
    assert (bolus.volume_ml, bolus.delivered_mg) == (D("4.9"), D("24.5"))
    result = regimen("acute-bolus", "71", bolus_mg_per_kg=D("0.35"), bolus_concentration_mg_per_ml=D("2"))
    bolus = result.bolus
    assert bolus is not None
    # 24.85 mg at 2 mg/mL = 12.425 mL -> 12.4 mL by plain rounding: no step needed
    assert bolus.volume_ml == D("12.4")
    result = regimen("acute-bolus", "70.5", bolus_mg_per_kg=D("0.35"), bolus_concentration_mg_per_ml=D("4"))
    bolus = result.bolus
    assert bolus is not None
    # 24.675 mg at 4 mg/mL = 6.16875 mL -> 6.2 mL would hold 24.8 mg > 24.675 mg: 6.1 mL instead
    assert (bolus.volume_ml, bolus.delivered_mg) == (D("6.1"), D("24.4"))
    note = only(result, "rounded-down")
    assert note.target == "bolus"
    assert note.message == (
        "The bolus volume is 6.1 mL, one step below the nearest 6.2 mL, which would give more than this "
        "protocol's hard maximum of 24.675 mg (0.35 mg/kg)."
    )


def test_no_step_down_when_the_dose_is_already_above_the_limit() -> None:
    # Blocked anyway: the numbers shown are the plain rounding of what was asked for.
    result = regimen("acute-bolus", bolus_mg_per_kg=D("0.36"), bolus_concentration_mg_per_ml=D("4"))
    assert result.bolus is not None and result.bolus.volume_ml == D("6.3")  # 25.2 / 4 = 6.3
    assert "rounded-down" not in codes(result)


def test_a_rate_that_rounds_to_zero_is_refused() -> None:
    result = regimen(
        "intraoperative",
        "20",
        infusion_dose=mg_per_kg_per_h("0.001"),
        infusion_concentration_mg_per_ml=D("1"),
    )
    finding = only(result, "below-pump-resolution")
    assert (finding.level, finding.target) == ("hard", "infusion")
    assert finding.message == (
        "The pump rate would be 0.02 mL/h, which rounds to 0 at the pump's resolution of 0.1 mL/h: "
        "use a weaker concentration."
    )
    assert result.blocked


def test_a_bolus_volume_that_rounds_to_zero_is_refused() -> None:
    result = regimen("acute-bolus", "20", bolus_mg_per_kg=D("0.002"))
    finding = only(result, "below-pump-resolution")
    assert (finding.level, finding.target) == ("hard", "bolus")
    assert finding.message.startswith("The bolus volume would be 0.004 mL")


def test_a_bolus_rate_that_rounds_to_zero_is_refused() -> None:
    # 0.1 mL over 600 min = 0.01 mL/h
    result = regimen("acute-bolus", "20", bolus_mg_per_kg=D("0.05"), bolus_over_min=D("600"))
    finding = only(result, "below-pump-resolution")
    assert finding.message.startswith("The bolus rate would be 0.01 mL/h")


# --- Choosing the parts of the regimen -----------------------------------------------------------


def test_an_optional_bolus_is_given_when_asked_for_at_its_default() -> None:
    result = regimen("icu-infusion", include_bolus=True)
    assert result.bolus is not None and result.bolus.dose_mg_per_kg == D("0.15")
    assert result.bolus.over_min == D("20")


def test_a_bolus_option_asks_for_an_optional_bolus() -> None:
    result = regimen("intraoperative", bolus_mg_per_kg=D("0.2"))
    assert result.bolus is not None and result.bolus.dose_mg == D("14")


def test_no_bolus_leaves_the_infusion() -> None:
    result = regimen("subanesthetic-infusion", include_bolus=False)
    assert result.bolus is None and result.infusion is not None


def test_include_bolus_false_on_a_protocol_without_a_bolus_is_fine() -> None:
    assert regimen("opioid-weaning", include_bolus=False).bolus is None


@pytest.mark.parametrize(
    ("protocol_id", "choices", "field", "message"),
    [
        ("no-such-protocol", {}, "protocol_id", "unknown protocol 'no-such-protocol'"),
        ("acute-bolus", {"include_bolus": False}, "include_bolus", "acute-bolus has no infusion"),
        ("opioid-weaning", {"include_bolus": True}, "include_bolus", "opioid-weaning has no bolus"),
        ("opioid-weaning", {"bolus_mg_per_kg": D("0.2")}, "bolus_mg_per_kg", "opioid-weaning has no bolus"),
        ("opioid-weaning", {"bolus_over_min": D("5")}, "bolus_over_min", "opioid-weaning has no bolus"),
        (
            "subanesthetic-infusion",
            {"include_bolus": False, "bolus_concentration_mg_per_ml": D("10")},
            "bolus_concentration_mg_per_ml",
            "the bolus is switched off",
        ),
        (
            "intraoperative",
            {"include_bolus": True},
            "bolus_mg_per_kg",
            "intraoperative has no default bolus dose",
        ),
        (
            "acute-bolus",
            {"infusion_dose": DoseRate(value=D("1"), unit="mg/kg/h")},
            "infusion_dose",
            "acute-bolus has no infusion",
        ),
        (
            "acute-bolus",
            {"infusion_concentration_mg_per_ml": D("1")},
            "infusion_concentration_mg_per_ml",
            "acute-bolus has no infusion",
        ),
        ("acute-bolus", {"bolus_mg_per_kg": D("0")}, "bolus_mg_per_kg", "must be greater than zero"),
        ("acute-bolus", {"bolus_mg_per_kg": D("-0.2")}, "bolus_mg_per_kg", "must be greater than zero"),
        (
            "acute-bolus",
            {"bolus_concentration_mg_per_ml": D("0")},
            "bolus_concentration_mg_per_ml",
            "must be greater than zero",
        ),
        ("acute-bolus", {"bolus_over_min": D("-5")}, "bolus_over_min", "must be greater than zero"),
        (
            "icu-infusion",
            {"infusion_concentration_mg_per_ml": D("0")},
            "infusion_concentration_mg_per_ml",
            "must be greater than zero",
        ),
    ],
)
def test_requests_that_cannot_be_computed_are_refused_by_field(
    protocol_id: str, choices: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        regimen(protocol_id, **choices)
    assert caught.value.field == field
    assert message in caught.value.message


@pytest.mark.parametrize("weight", ["19.9", "350.1", "0", "-70"])
def test_a_weight_outside_the_accepted_range_is_refused(weight: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        regimen("acute-bolus", weight)
    assert (caught.value.field, caught.value.message) == ("weight_kg", "must be from 20 to 350 kg")


def test_the_protocol_is_checked_before_the_weight() -> None:
    with pytest.raises(InvalidInput) as caught:
        regimen("nope", "1")
    assert caught.value.field == "protocol_id"


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_requests_refuse_non_finite_numbers(bad: str) -> None:
    with pytest.raises(ValidationError):
        RegimenRequest(protocol_id="acute-bolus", weight_kg=D(bad))
    with pytest.raises(ValidationError):
        RegimenRequest(protocol_id="acute-bolus", weight_kg=D("70"), bolus_mg_per_kg=D(bad))


def test_models_are_frozen_and_closed() -> None:
    result = regimen("subanesthetic-infusion")
    with pytest.raises(ValidationError):
        result.weight_kg = D("80")  # type: ignore[misc]
    with pytest.raises(ValidationError):
        RegimenRequest(protocol_id="acute-bolus", weight_kg=D("70"), weight_lb=D("154"))  # type: ignore[call-arg]


def test_blocked_and_needs_reason_follow_the_levels() -> None:
    info = Finding(level="info", code="gate", message="m", target="protocol")
    soft = info.model_copy(update={"level": "soft"})
    hard = info.model_copy(update={"level": "hard"})
    base = regimen("opioid-weaning")
    assert (base.blocked, base.needs_reason) == (False, False)
    with_soft = base.model_copy(update={"findings": (soft, info)})
    assert (with_soft.blocked, with_soft.needs_reason) == (False, True)
    with_hard = base.model_copy(update={"findings": (hard,)})
    assert (with_hard.blocked, with_hard.needs_reason) == (True, False)


def test_a_dose_exactly_at_the_cap_is_not_capped() -> None:
    result = regimen("icu-infusion", "80", infusion_dose=mg_per_kg_per_h("1.25"))
    infusion = result.infusion
    assert infusion is not None
    assert (infusion.requested_mg_per_h, infusion.dose_mg_per_h, infusion.capped) == (
        D("100"),
        D("100"),
        False,
    )
    assert "cap" not in codes(result)


def test_when_cap_and_hard_max_agree_the_step_down_names_the_cap() -> None:
    # 2 mg/kg/h (hard max) x 50 kg = 100 mg/h = the cap; at 2.4 mg/mL, 41.666... mL/h -> 41.6 mL/h
    result = regimen(
        "icu-infusion", "50", infusion_dose=mg_per_kg_per_h("2"), infusion_concentration_mg_per_ml=D("2.4")
    )
    assert result.infusion is not None and result.infusion.rate_ml_per_h == D("41.6")
    assert "this protocol's cap of 100 mg/h" in only(result, "rounded-down").message


def test_a_dose_exactly_at_the_soft_max_is_never_read_as_a_mixup() -> None:
    # With a usual range of 0.1-2 mg/kg/h, 2 mg/kg/h / 16.67 = 0.12 mg/kg/h would fit it: but a dose at the
    # soft max is within the limits, so the sentinel does not look at it.
    text = replaced(
        'typical_min = { value = 0.5, unit = "mg/kg/h" }\ntypical_max = { value = 2',
        'typical_min = { value = 0.1, unit = "mg/kg/h" }\ntypical_max = { value = 2',
    )
    library = parse_library(text.encode())
    request = RegimenRequest(
        protocol_id="icu-infusion", weight_kg=D("40"), infusion_dose=mg_per_kg_per_h("2")
    )
    assert [f.code for f in compute_regimen(library, request).findings if f.target == "infusion"] == [
        "advice"
    ]
    above = request.model_copy(update={"infusion_dose": mg_per_kg_per_h("2.001")})
    found = [f.code for f in compute_regimen(library, above).findings if f.level == "hard"]
    assert found == ["hard-max", "unit-mixup"]


@pytest.mark.parametrize(
    ("field", "update"),
    [
        (
            "infusion_dose",
            {"infusion_dose": DoseRate(value=Decimal("9999999999999999999999999999"), unit="mg/kg/h")},
        ),
        ("infusion_dose", {"infusion_dose": DoseRate(value=Decimal("1E9"), unit="mcg/kg/min")}),
        ("bolus_mg_per_kg", {"bolus_mg_per_kg": Decimal("99999999999999999999999999999999")}),
        ("infusion_concentration_mg_per_ml", {"infusion_concentration_mg_per_ml": Decimal("1E-27")}),
        ("bolus_over_min", {"bolus_over_min": Decimal("0.0000009")}),
    ],
)
def test_absurd_numbers_are_refused_as_input_not_crashes(field: str, update: dict[str, object]) -> None:
    """A typing accident (28 nines) must be a message beside the field, never a crash in a message."""
    request = RegimenRequest(protocol_id="icu-infusion", weight_kg=Decimal(70), include_bolus=True, **update)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as caught:
        compute_regimen(LIBRARY, request)
    assert caught.value.field == field
    assert "not a plausible number" in caught.value.message
