"""A syringe change to another concentration: the same dose, the pump rate computed again."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketamine_desktop.domain.library import DoseRate, Library, load_library
from ketamine_desktop.domain.limits import blocks, needs_a_reason
from ketamine_desktop.domain.patient import InvalidInput
from ketamine_desktop.domain.regimen import RegimenRequest, compute_regimen
from ketamine_desktop.domain.syringe_change import concentration_change
from tests.helpers.library_edit import DEFAULT_LIBRARY

LIBRARY: Library = load_library(DEFAULT_LIBRARY)
CONCENTRATIONS = LIBRARY.document.concentrations
RESOLUTION = LIBRARY.document.units.pump_resolution_ml_per_h


def _running(protocol_id: str = "chronic-opioid-tolerant", weight: str = "70") -> RegimenRequest:
    return RegimenRequest(protocol_id=protocol_id, weight_kg=Decimal(weight))


def test_1_to_5_mg_per_ml_keeps_the_dose_and_divides_the_rate() -> None:
    request = _running()
    current = compute_regimen(LIBRARY, request).infusion
    assert current is not None and current.rate_ml_per_h == Decimal("4.2")
    change = concentration_change(LIBRARY, request, current, Decimal(5))
    assert change.before == current
    assert change.after.concentration_mg_per_ml == 5
    assert change.after.dose_mg_per_h == current.dose_mg_per_h  # 4.2 mg/h
    assert change.after.rate_ml_per_h == Decimal("0.8")  # 4.2 / 5 = 0.84, to the pump's 0.1 mL/h
    assert change.after.delivered_mg_per_h == Decimal("4.0")
    assert change.rate_changed and change.findings == ()
    assert not blocks(change.findings) and not needs_a_reason(change.findings)


def test_a_non_standard_concentration_needs_a_reason_and_an_undiluted_vial_is_blocked() -> None:
    request = _running()
    current = compute_regimen(LIBRARY, request).infusion
    assert current is not None
    custom = concentration_change(LIBRARY, request, current, Decimal(3))
    assert [f.code for f in custom.findings] == ["non-standard-concentration"]
    assert needs_a_reason(custom.findings) and not blocks(custom.findings)
    vial = concentration_change(LIBRARY, request, current, Decimal(50))
    assert "undiluted-vial" in [f.code for f in vial.findings] and blocks(vial.findings)


def test_the_same_concentration_or_none_at_all_is_refused() -> None:
    request = _running()
    current = compute_regimen(LIBRARY, request).infusion
    assert current is not None
    with pytest.raises(ValueError, match="concentration running now"):
        concentration_change(LIBRARY, request, current, Decimal(1))
    with pytest.raises(InvalidInput):
        concentration_change(LIBRARY, request, current, Decimal(0))


def test_a_protocol_without_an_infusion_is_refused() -> None:
    infusion = compute_regimen(LIBRARY, _running()).infusion
    assert infusion is not None
    with pytest.raises(InvalidInput):
        concentration_change(LIBRARY, _running("acute-bolus"), infusion, Decimal(5))


def test_a_rate_too_small_for_the_pump_is_blocked_and_one_above_the_hard_max_steps_down() -> None:
    request = RegimenRequest(
        protocol_id="neuropathic-prolonged",
        weight_kg=Decimal(20),
        infusion_dose=DoseRate(value=Decimal("0.05"), unit="mg/kg/h"),
    )
    current = compute_regimen(LIBRARY, request).infusion
    assert current is not None  # 1 mg/h: 1 mL/h at 1 mg/mL
    tiny = concentration_change(LIBRARY, request, current, Decimal(10))  # 0.1 mL/h: settable
    assert tiny.after.rate_ml_per_h == Decimal("0.1") and not blocks(tiny.findings)
    weaning = RegimenRequest(protocol_id="opioid-weaning", weight_kg=Decimal("20.6"))
    running = compute_regimen(LIBRARY, weaning).infusion
    assert running is not None  # 10.3 mg/h = the hard maximum
    stepped = concentration_change(LIBRARY, weaning, running, Decimal(5))  # 2.06 mL/h
    assert stepped.after.rate_ml_per_h == Decimal("2.0") and "rounded-down" in [
        f.code for f in stepped.findings
    ]


def test_a_rate_that_rounds_the_same_is_not_a_change_of_rate() -> None:
    # icu-infusion 80 kg at 1.5 mg/kg/h is capped at 100 mg/h: 100 mL/h at 1 mg/mL, 50 mL/h at 2 mg/mL.
    request = RegimenRequest(
        protocol_id="icu-infusion",
        weight_kg=Decimal(80),
        infusion_dose=DoseRate(value=Decimal("1.5"), unit="mg/kg/h"),
    )
    current = compute_regimen(LIBRARY, request).infusion
    assert current is not None and current.capped
    change = concentration_change(LIBRARY, request, current, Decimal(2))
    assert change.after.capped and change.after.rate_ml_per_h == 50
    # Same concentration in another spelling is the same concentration.
    with pytest.raises(ValueError):
        concentration_change(LIBRARY, request, current, Decimal("1.00"))


infusion_protocols = st.sampled_from([p for p in LIBRARY.document.protocols if p.infusion is not None])
weights = st.decimals(
    min_value=LIBRARY.document.weight.min_kg, max_value=LIBRARY.document.weight.max_kg, places=1
)
new_concentrations = st.one_of(
    st.sampled_from(CONCENTRATIONS.infusion_standard_mg_per_ml),
    st.decimals(
        min_value=CONCENTRATIONS.custom_min_mg_per_ml, max_value=CONCENTRATIONS.custom_max_mg_per_ml, places=2
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(protocol=infusion_protocols, weight=weights, concentration=new_concentrations)
def test_the_dose_is_kept_and_the_rate_delivers_it_to_the_pumps_resolution(
    protocol: object, weight: Decimal, concentration: Decimal
) -> None:
    from ketamine_desktop.domain.library import Protocol

    assert isinstance(protocol, Protocol)
    request = RegimenRequest(protocol_id=protocol.id, weight_kg=weight)
    current = compute_regimen(LIBRARY, request).infusion
    assert current is not None
    if concentration == current.concentration_mg_per_ml:
        with pytest.raises(ValueError):
            concentration_change(LIBRARY, request, current, concentration)
        return
    change = concentration_change(LIBRARY, request, current, concentration)
    after = change.after
    assert after.dose_mg_per_h == current.dose_mg_per_h
    assert after.dose_mg_per_kg_per_h == current.dose_mg_per_kg_per_h
    assert after.concentration_mg_per_ml == concentration
    assert after.rate_ml_per_h % RESOLUTION == 0
    assert after.delivered_mg_per_h == after.rate_ml_per_h * concentration
    codes = {f.code for f in change.findings}
    if after.rate_ml_per_h == 0:
        assert "below-pump-resolution" in codes and blocks(change.findings)
    elif "rounded-down" in codes:  # never above the hard maximum or the cap
        assert after.delivered_mg_per_h <= after.dose_mg_per_h
    else:  # the nearest pump step
        assert abs(after.delivered_mg_per_h - after.dose_mg_per_h) <= RESOLUTION / 2 * concentration
    assert codes <= {"non-standard-concentration", "below-pump-resolution", "rounded-down"}
