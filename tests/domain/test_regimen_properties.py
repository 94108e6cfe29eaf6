"""Reliability recipe 15: properties of the regimen arithmetic, checked with hypothesis.

About 300 examples per property in the default run, 10,000 under `-m slow`. Requests are drawn across
every protocol, the whole accepted weight range, doses from far below to far above the limits in both
units, standard and custom concentrations, so blocked and capped regimens are exercised as much as
ordinary ones.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ketamine_desktop.domain.library import DoseRate, DoseRateUnit, Library, Protocol, load_library
from ketamine_desktop.domain.regimen import Regimen, RegimenRequest, compute_regimen
from ketamine_desktop.domain.units import convert_dose_rate
from tests.helpers.library_edit import DEFAULT_LIBRARY
from tests.helpers.runs import examples

LIBRARY: Library = load_library(DEFAULT_LIBRARY)
UNITS = LIBRARY.document.units
CONCENTRATIONS = LIBRARY.document.concentrations
RULES = LIBRARY.document.weight

EVERY_RUN = examples(300, long=10_000)

protocols = st.sampled_from(LIBRARY.document.protocols)
weights = st.decimals(min_value=RULES.min_kg, max_value=RULES.max_kg, places=2)
concentrations = st.one_of(
    st.sampled_from(CONCENTRATIONS.infusion_standard_mg_per_ml + CONCENTRATIONS.bolus_standard_mg_per_ml),
    st.decimals(
        min_value=CONCENTRATIONS.custom_min_mg_per_ml, max_value=CONCENTRATIONS.custom_max_mg_per_ml, places=2
    ),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2),
)
rate_units: st.SearchStrategy[DoseRateUnit] = st.sampled_from(["mg/kg/h", "mcg/kg/min"])
dose_rates = st.builds(
    lambda value, unit: DoseRate(value=value, unit=unit),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100"), places=3),
    rate_units,
)
bolus_doses = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("2"), places=3)
durations = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("120"), places=1)


@st.composite
def requests(draw: st.DrawFn) -> RegimenRequest:
    protocol: Protocol = draw(protocols)
    choices: dict[str, object] = {}
    if protocol.bolus is not None and draw(st.booleans()):
        choices.update(
            include_bolus=True,
            bolus_mg_per_kg=draw(bolus_doses),
            bolus_concentration_mg_per_ml=draw(concentrations),
            bolus_over_min=draw(durations),
        )
    elif protocol.infusion is not None:
        choices["include_bolus"] = False
    if protocol.infusion is not None:
        choices.update(infusion_dose=draw(dose_rates), infusion_concentration_mg_per_ml=draw(concentrations))
    return RegimenRequest(protocol_id=protocol.id, weight_kg=draw(weights), **choices)


def decimals_of(result: Regimen) -> list[Decimal]:
    values: list[Decimal] = [result.weight_kg]
    for part in (result.bolus, result.infusion):
        if part is not None:
            values += [v for v in part.model_dump().values() if isinstance(v, Decimal)]
    return values


# --- The properties ----------------------------------------------------------------------------------


def check_arithmetic(request: RegimenRequest) -> None:
    """mg/h = mg/kg/h x kg exactly; the unit round trip is exact to 1e-12; no NaN; rounding in tolerance."""
    result = compute_regimen(LIBRARY, request)
    assert all(v.is_finite() for v in decimals_of(result))
    rounded_down = {f.target for f in result.findings if f.code == "rounded-down"}
    infusion = result.infusion
    if infusion is not None:
        assert infusion.requested_mg_per_h == infusion.dose_mg_per_kg_per_h * result.weight_kg
        assert Fraction(infusion.requested_mg_per_h) == Fraction(infusion.entered.mg_per_kg_per_h) * Fraction(
            result.weight_kg
        )
        mcg = Fraction(infusion.dose_mcg_per_kg_per_min)
        assert abs(mcg * 60 / 1000 - Fraction(infusion.dose_mg_per_kg_per_h)) <= Fraction(1, 10**12)
        back = convert_dose_rate(infusion.dose_mcg_per_kg_per_min, "mcg/kg/min", "mg/kg/h")
        assert abs(back - infusion.dose_mg_per_kg_per_h) <= Decimal("1E-12")
        step = UNITS.pump_resolution_ml_per_h
        assert infusion.rate_ml_per_h % step == 0
        assert infusion.delivered_mg_per_h == infusion.rate_ml_per_h * infusion.concentration_mg_per_ml
        error = abs(infusion.delivered_mg_per_h - infusion.dose_mg_per_h)
        if "infusion" in rounded_down:
            # One step down instead of the nearest step: less than a whole step, never more than asked.
            assert infusion.delivered_mg_per_h < infusion.dose_mg_per_h
            assert error < step * infusion.concentration_mg_per_ml
        else:
            assert error <= step / 2 * infusion.concentration_mg_per_ml
        delivered_fraction = Fraction(infusion.delivered_mg_per_h) / Fraction(result.weight_kg)
        assert abs(Fraction(infusion.delivered_mg_per_kg_per_h) - delivered_fraction) <= Fraction(1, 10**20)
        assert abs(
            Fraction(infusion.delivered_mcg_per_kg_per_min) - delivered_fraction * 1000 / 60
        ) <= Fraction(1, 10**20)
        assert infusion.dose_mg_per_h == min(
            infusion.requested_mg_per_h, infusion.cap_mg_per_h or Decimal("Infinity")
        )
        assert infusion.capped == (infusion.dose_mg_per_h < infusion.requested_mg_per_h)
    bolus = result.bolus
    if bolus is not None:
        assert bolus.dose_mg == bolus.dose_mg_per_kg * result.weight_kg
        assert bolus.delivered_mg == bolus.volume_ml * bolus.concentration_mg_per_ml
        assert bolus.volume_ml % UNITS.volume_resolution_ml == 0
        assert bolus.rate_ml_per_h % UNITS.pump_resolution_ml_per_h == 0
        error = abs(bolus.delivered_mg - bolus.dose_mg)
        if "bolus" in rounded_down:
            assert bolus.delivered_mg < bolus.dose_mg
            assert error < UNITS.volume_resolution_ml * bolus.concentration_mg_per_ml
        else:
            assert error <= UNITS.volume_resolution_ml / 2 * bolus.concentration_mg_per_ml
        exact_rate = (
            Fraction(bolus.dose_mg) / Fraction(bolus.concentration_mg_per_ml) * 60 / Fraction(bolus.over_min)
        )
        assert abs(Fraction(bolus.rate_ml_per_h) - exact_rate) <= Fraction(UNITS.pump_resolution_ml_per_h) / 2


def check_never_above_a_hard_limit(request: RegimenRequest) -> None:
    """A regimen that is not blocked never asks for or delivers more than a hard maximum or the cap."""
    result = compute_regimen(LIBRARY, request)
    protocol = LIBRARY.protocol(request.protocol_id)
    infusion = result.infusion
    if infusion is not None:
        assert protocol.infusion is not None
        cap = protocol.infusion.cap
        if cap is not None:
            assert infusion.dose_mg_per_h <= cap.mg_per_h
            assert infusion.delivered_mg_per_h <= cap.mg_per_h or result.blocked
    if result.blocked:
        return
    if infusion is not None:
        assert protocol.infusion is not None
        hard = protocol.infusion.hard_max.mg_per_kg_per_h
        assert infusion.dose_mg_per_kg_per_h <= hard
        assert infusion.delivered_mg_per_h <= hard * result.weight_kg
        assert infusion.delivered_mg_per_kg_per_h <= hard
        assert infusion.rate_ml_per_h > 0
    if result.bolus is not None:
        assert protocol.bolus is not None
        hard = protocol.bolus.hard_max_mg_per_kg
        assert result.bolus.dose_mg_per_kg <= hard
        assert result.bolus.delivered_mg <= hard * result.weight_kg
        assert result.bolus.volume_ml > 0 and result.bolus.rate_ml_per_h > 0
        assert (
            protocol.bolus.over_min_allowed_min
            <= result.bolus.over_min
            <= protocol.bolus.over_min_allowed_max
        )
    for concentration in (
        result.bolus and result.bolus.concentration_mg_per_ml,
        infusion and infusion.concentration_mg_per_ml,
    ):
        if concentration is not None:
            assert CONCENTRATIONS.custom_min_mg_per_ml <= concentration <= CONCENTRATIONS.custom_max_mg_per_ml


def check_monotonic_in_weight(request: RegimenRequest, other_weight: Decimal) -> None:
    """More weight never means less drug or a slower pump (below the cap)."""
    light_weight, heavy_weight = sorted((request.weight_kg, other_weight))
    assume(light_weight < heavy_weight)
    light = compute_regimen(LIBRARY, request.model_copy(update={"weight_kg": light_weight}))
    heavy = compute_regimen(LIBRARY, request.model_copy(update={"weight_kg": heavy_weight}))
    if light.infusion is not None and heavy.infusion is not None and not heavy.infusion.capped:
        assert light.infusion.requested_mg_per_h < heavy.infusion.requested_mg_per_h
        assert light.infusion.dose_mg_per_h < heavy.infusion.dose_mg_per_h
        assert light.infusion.rate_ml_per_h <= heavy.infusion.rate_ml_per_h
        assert light.infusion.delivered_mg_per_h <= heavy.infusion.delivered_mg_per_h
    if light.bolus is not None and heavy.bolus is not None:
        assert light.bolus.dose_mg < heavy.bolus.dose_mg
        assert light.bolus.volume_ml <= heavy.bolus.volume_ml
        assert light.bolus.rate_ml_per_h <= heavy.bolus.rate_ml_per_h
        assert light.bolus.delivered_mg <= heavy.bolus.delivered_mg


@st.composite
def typical_doses_in_the_wrong_unit(draw: st.DrawFn) -> tuple[Protocol, Decimal, DoseRate]:
    """A usual dose of an infusion protocol (in its own unit), typed with the other unit."""
    protocol: Protocol = draw(st.sampled_from([p for p in LIBRARY.document.protocols if p.infusion]))
    assert protocol.infusion is not None
    low, high = protocol.infusion.typical_min.value, protocol.infusion.typical_max.value
    usual = draw(st.decimals(min_value=low, max_value=high, places=2))
    assume(usual > 0)
    other: DoseRateUnit = "mg/kg/h" if protocol.infusion.display_unit == "mcg/kg/min" else "mcg/kg/min"
    return protocol, usual, DoseRate(value=usual, unit=other)


def check_mixup_is_caught(case: tuple[Protocol, Decimal, DoseRate]) -> None:
    protocol, usual, slip = case
    assert protocol.infusion is not None
    request = RegimenRequest(
        protocol_id=protocol.id, weight_kg=Decimal(70), include_bolus=False, infusion_dose=slip
    )
    result = compute_regimen(LIBRARY, request)
    mixups = [f for f in result.findings if f.code == "unit-mixup"]
    assert len(mixups) == 1
    # The swap of the two dose-rate units is tried first, so the suggestion is the usual dose itself.
    assert mixups[0].suggestion == DoseRate(value=usual, unit=protocol.infusion.display_unit)
    assert mixups[0].level in ("soft", "hard")
    assert result.needs_reason or result.blocked


@st.composite
def typical_doses_off_by_a_factor(draw: st.DrawFn) -> tuple[Protocol, DoseRate]:
    """A usual dose x or / 60 or 1000 in the protocol's own unit: per minute for per hour, mg for mcg."""
    protocol: Protocol = draw(st.sampled_from([p for p in LIBRARY.document.protocols if p.infusion]))
    assert protocol.infusion is not None
    low, high = protocol.infusion.typical_min.value, protocol.infusion.typical_max.value
    usual = draw(st.decimals(min_value=low, max_value=high, places=2))
    factor = draw(st.sampled_from([Decimal(60), Decimal(1000)]))
    value = usual * factor if draw(st.booleans()) else usual / factor
    return protocol, DoseRate(value=value, unit=protocol.infusion.display_unit)


def check_factor_slip_is_caught(case: tuple[Protocol, DoseRate]) -> None:
    protocol, slip = case
    request = RegimenRequest(
        protocol_id=protocol.id, weight_kg=Decimal(70), include_bolus=False, infusion_dose=slip
    )
    result = compute_regimen(LIBRARY, request)
    assert [f.level for f in result.findings if f.code == "unit-mixup"] in (["soft"], ["hard"])


@st.composite
def bolus_doses_in_mcg(draw: st.DrawFn) -> tuple[Protocol, Decimal]:
    protocol: Protocol = draw(st.sampled_from([p for p in LIBRARY.document.protocols if p.bolus]))
    assert protocol.bolus is not None
    usual = draw(
        st.decimals(
            min_value=protocol.bolus.typical_min_mg_per_kg,
            max_value=protocol.bolus.typical_max_mg_per_kg,
            places=3,
        )
    )
    return protocol, usual


def check_bolus_slip_is_caught(case: tuple[Protocol, Decimal]) -> None:
    protocol, usual = case
    for typed in (usual * 1000, usual / 1000):
        request = RegimenRequest(protocol_id=protocol.id, weight_kg=Decimal(70), bolus_mg_per_kg=typed)
        mixups = [f for f in compute_regimen(LIBRARY, request).findings if f.code == "unit-mixup"]
        assert len(mixups) == 1
        assert mixups[0].suggested_bolus_mg_per_kg == usual.normalize()


# --- Default runs and full (slow) runs ----------------------------------------------------------------


@pytest.mark.long_run
@EVERY_RUN
@given(requests())
def test_arithmetic(request: RegimenRequest) -> None:
    check_arithmetic(request)


@pytest.mark.long_run
@EVERY_RUN
@given(requests())
def test_never_above_a_hard_limit(request: RegimenRequest) -> None:
    check_never_above_a_hard_limit(request)


@pytest.mark.long_run
@EVERY_RUN
@given(requests(), weights)
def test_monotonic_in_weight(request: RegimenRequest, other_weight: Decimal) -> None:
    check_monotonic_in_weight(request, other_weight)


@pytest.mark.long_run
@EVERY_RUN
@given(typical_doses_in_the_wrong_unit())
def test_typical_doses_in_the_wrong_unit_are_caught(case: tuple[Protocol, Decimal, DoseRate]) -> None:
    check_mixup_is_caught(case)


@pytest.mark.long_run
@EVERY_RUN
@given(typical_doses_off_by_a_factor())
def test_typical_doses_off_by_60_or_1000_are_caught(case: tuple[Protocol, DoseRate]) -> None:
    check_factor_slip_is_caught(case)


@pytest.mark.long_run
@EVERY_RUN
@given(bolus_doses_in_mcg())
def test_typical_boluses_off_by_1000_are_caught(case: tuple[Protocol, Decimal]) -> None:
    check_bolus_slip_is_caught(case)


def test_every_infusion_protocol_catches_the_edges_of_its_usual_range_in_the_wrong_unit() -> None:
    # The explicit corners, so that a shrinking strategy can never skip them.
    for protocol in LIBRARY.document.protocols:
        if protocol.infusion is None:
            continue
        for usual in (protocol.infusion.typical_min.value, protocol.infusion.typical_max.value):
            other: DoseRateUnit = (
                "mg/kg/h" if protocol.infusion.display_unit == "mcg/kg/min" else "mcg/kg/min"
            )
            check_mixup_is_caught((protocol, usual, DoseRate(value=usual, unit=other)))
