"""Reliability recipe 14: boundary values generated from the library, for every protocol and every limit.

Each limit L is tried at L - e, L and L + e, with e one digit finer than L is written (0.35 -> 0.001,
20 -> 0.1: never coarser than what the window or the CLI shows) and again with e = 1E-9, so an off-by-one
comparison (`>` for `>=`) cannot hide. The expected class comes from an independent oracle written here in
exact fractions straight from the library spec's section 4, not from the code under test.

The library holds no display resolution for mg/kg, mg/kg/h, mcg/kg/min, minutes, kg or mg/mL (only mg,
mL and mL/h); hence the "one digit finer" rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import pytest

from ketamine_desktop.domain.library import (
    BolusSpec,
    DoseRate,
    InfusionSpec,
    Library,
    Protocol,
    load_library,
)
from ketamine_desktop.domain.patient import InvalidInput
from ketamine_desktop.domain.regimen import RegimenRequest, compute_regimen
from tests.helpers.library_edit import DEFAULT_LIBRARY

LIBRARY: Library = load_library(DEFAULT_LIBRARY)
TINY = Decimal("1E-9")
# Plausible weights at which mg/kg x kg is easy to check by eye; the cap cases use 100 kg so that
# mg/h / 100 is an exact mg/kg/h.
WEIGHT = Decimal(70)
CAP_WEIGHT = Decimal(100)
DOSE_CODES = {"below-typical", "soft-max", "hard-max", "unit-mixup"}
RANK = {None: 0, "info": 1, "soft": 2, "hard": 3}


def resolutions(limit: Decimal) -> tuple[Decimal, Decimal]:
    exponent = limit.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return Decimal(1).scaleb(min(exponent, 0) - 1), TINY


# --- The oracle (library spec section 4), in exact fractions -----------------------------------------

WIDEN = Fraction(LIBRARY.document.limits.unit_mixup_widen_fraction)
INFUSION_FACTORS = (Fraction(1000, 60), Fraction(60), Fraction(1000))
BOLUS_FACTORS = (Fraction(1000),)


def looks_like_mixup(dose: Fraction, low: Fraction, high: Fraction, factors: tuple[Fraction, ...]) -> bool:
    wide_low, wide_high = low * (1 - WIDEN), high * (1 + WIDEN)
    return any(wide_low <= reading <= wide_high for f in factors for reading in (dose * f, dose / f))


def dose_level(
    dose: Fraction,
    low: Fraction,
    high: Fraction,
    soft: Fraction,
    hard: Fraction,
    factors: tuple[Fraction, ...],
) -> str | None:
    if dose > hard:
        return "hard"
    if dose > soft:
        return "hard" if looks_like_mixup(dose, low, high, factors) else "soft"
    if dose < low:
        return "soft" if looks_like_mixup(dose, low, high, factors) else "info"
    return None


def mg_per_kg_per_h(rate: DoseRate) -> Fraction:
    value = Fraction(rate.value)
    return value if rate.unit == "mg/kg/h" else value * 60 / 1000


def infusion_level(spec: InfusionSpec, entered: DoseRate) -> str | None:
    return dose_level(
        mg_per_kg_per_h(entered),
        mg_per_kg_per_h(spec.typical_min),
        mg_per_kg_per_h(spec.typical_max),
        mg_per_kg_per_h(spec.soft_max),
        mg_per_kg_per_h(spec.hard_max),
        INFUSION_FACTORS,
    )


def bolus_level(spec: BolusSpec, dose: Decimal) -> str | None:
    return dose_level(
        Fraction(dose),
        Fraction(spec.typical_min_mg_per_kg),
        Fraction(spec.typical_max_mg_per_kg),
        Fraction(spec.soft_max_mg_per_kg),
        Fraction(spec.hard_max_mg_per_kg),
        BOLUS_FACTORS,
    )


def duration_level(spec: BolusSpec, minutes: Decimal) -> str | None:
    if minutes < spec.over_min_allowed_min or minutes > spec.over_min_allowed_max:
        return "hard"
    return "soft" if minutes < spec.over_min_soft_below else None


def concentration_level(use: str, value: Decimal) -> str | None:
    rules = LIBRARY.document.concentrations
    standard = rules.bolus_standard_mg_per_ml if use == "bolus" else rules.infusion_standard_mg_per_ml
    if value in rules.undiluted_vial_mg_per_ml:
        return "hard"
    if value in standard:
        return None
    return "soft" if rules.custom_min_mg_per_ml <= value <= rules.custom_max_mg_per_ml else "hard"


# --- Case generation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    request: RegimenRequest
    targets: frozenset[str]  # the finding targets this limit speaks to
    expected: str | None  # the strongest level among them, or "refused" for InvalidInput
    codes: frozenset[str] | None = field(default=None)  # only these codes count (None: any)


def around(limit: Decimal) -> Iterator[tuple[str, Decimal]]:
    for e in resolutions(limit):
        for name, value in (("L-e", limit - e), ("L", limit), ("L+e", limit + e)):
            if value > 0:
                yield f"{name}(e={e})", value


def request(protocol_id: str, weight: Decimal = WEIGHT, **choices: object) -> RegimenRequest:
    return RegimenRequest(protocol_id=protocol_id, weight_kg=weight, **choices)


def infusion_cases(protocol_id: str, spec: InfusionSpec) -> Iterator[Case]:
    for name in ("typical_min", "soft_max", "hard_max"):
        limit: DoseRate = getattr(spec, name)
        for point, value in around(limit.value):
            entered = DoseRate(value=value, unit=limit.unit)
            yield Case(
                f"{protocol_id}-infusion-{name}-{point}-{limit.unit}",
                request(protocol_id, include_bolus=False, infusion_dose=entered),
                frozenset({"infusion"}),
                infusion_level(spec, entered),
                frozenset(DOSE_CODES),
            )
    if spec.cap is not None:
        for point, amount in around(spec.cap.mg_per_h):
            yield Case(
                f"{protocol_id}-infusion-cap-{point}",
                request(
                    protocol_id,
                    CAP_WEIGHT,
                    include_bolus=False,
                    infusion_dose=DoseRate(value=amount / CAP_WEIGHT, unit="mg/kg/h"),
                ),
                frozenset({"infusion"}),
                "soft" if amount > spec.cap.mg_per_h else None,
                frozenset({"cap"}),
            )


def bolus_cases(protocol_id: str, spec: BolusSpec) -> Iterator[Case]:
    for name in ("typical_min_mg_per_kg", "soft_max_mg_per_kg", "hard_max_mg_per_kg"):
        limit: Decimal = getattr(spec, name)
        for point, value in around(limit):
            yield Case(
                f"{protocol_id}-bolus-{name}-{point}",
                request(protocol_id, include_bolus=True, bolus_mg_per_kg=value),
                frozenset({"bolus"}),
                bolus_level(spec, value),
                frozenset(DOSE_CODES),
            )
    dose = spec.default_mg_per_kg or spec.typical_min_mg_per_kg
    for name in ("over_min_allowed_min", "over_min_soft_below", "over_min_allowed_max"):
        limit = getattr(spec, name)
        for point, value in around(limit):
            yield Case(
                f"{protocol_id}-bolus-{name}-{point}",
                request(protocol_id, include_bolus=True, bolus_mg_per_kg=dose, bolus_over_min=value),
                frozenset({"bolus_duration"}),
                duration_level(spec, value),
            )


def weight_cases(protocol_id: str) -> Iterator[Case]:
    rules = LIBRARY.document.weight
    for name in ("min_kg", "max_kg"):
        limit: Decimal = getattr(rules, name)
        for point, value in around(limit):
            expected = "refused" if not rules.min_kg <= value <= rules.max_kg else None
            if expected is None and not rules.plausible_min_kg <= value <= rules.plausible_max_kg:
                expected = "soft"
            yield Case(
                f"{protocol_id}-weight-{name}-{point}",
                request(protocol_id, value),
                frozenset({"weight"}),
                expected,
            )
    for name in ("plausible_min_kg", "plausible_max_kg"):
        limit = getattr(rules, name)
        for point, value in around(limit):
            expected = "soft" if not rules.plausible_min_kg <= value <= rules.plausible_max_kg else None
            yield Case(
                f"{protocol_id}-weight-{name}-{point}",
                request(protocol_id, value),
                frozenset({"weight"}),
                expected,
            )


def concentration_cases(protocol: Protocol) -> Iterator[Case]:
    rules = LIBRARY.document.concentrations
    protocol_id = protocol.id
    uses: list[tuple[str, dict[str, object]]] = []
    if protocol.bolus is not None:
        dose = protocol.bolus.default_mg_per_kg or protocol.bolus.typical_min_mg_per_kg
        uses.append(("bolus", {"include_bolus": True, "bolus_mg_per_kg": dose}))
    if protocol.infusion is not None:
        uses.append(("infusion", {}))
    for use, extra in uses:
        option = f"{use}_concentration_mg_per_ml"
        for name in ("custom_min_mg_per_ml", "custom_max_mg_per_ml"):
            limit: Decimal = getattr(rules, name)
            for point, value in around(limit):
                yield Case(
                    f"{protocol_id}-{use}-concentration-{name}-{point}",
                    request(protocol_id, **extra, **{option: value}),
                    frozenset({f"{use}_concentration"}),
                    concentration_level(use, value),
                )


def all_cases() -> Iterator[Case]:
    for protocol in LIBRARY.document.protocols:
        if protocol.infusion is not None:
            yield from infusion_cases(protocol.id, protocol.infusion)
        if protocol.bolus is not None:
            yield from bolus_cases(protocol.id, protocol.bolus)
        yield from weight_cases(protocol.id)
        yield from concentration_cases(protocol)


CASES = list(all_cases())


def test_every_protocol_and_every_kind_of_limit_is_covered() -> None:
    kinds = {(case.id.split("-L")[0]) for case in CASES}
    for protocol in LIBRARY.document.protocols:
        if protocol.infusion is not None:
            for name in ("typical_min", "soft_max", "hard_max"):
                assert any(k.startswith(f"{protocol.id}-infusion-{name}") for k in kinds)
        if protocol.bolus is not None:
            assert any(k.startswith(f"{protocol.id}-bolus-over_min_soft_below") for k in kinds)
    assert any("-infusion-cap-" in case.id for case in CASES)
    assert len(CASES) > 500


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_boundary_class(case: Case) -> None:
    if case.expected == "refused":
        with pytest.raises(InvalidInput):
            compute_regimen(LIBRARY, case.request)
        return
    result = compute_regimen(LIBRARY, case.request)
    relevant = [
        f
        for f in result.findings
        if f.target in case.targets and (case.codes is None or f.code in case.codes)
    ]
    strongest = max((f.level for f in relevant), key=RANK.__getitem__, default=None)
    assert strongest == case.expected, [(f.level, f.code, f.message) for f in relevant]
    if case.expected == "hard":
        assert result.blocked
    if case.expected == "soft":
        assert result.needs_reason


@pytest.mark.parametrize("vial", LIBRARY.document.concentrations.undiluted_vial_mg_per_ml)
@pytest.mark.parametrize("use", ["bolus", "infusion"])
def test_undiluted_vial_strengths_are_hard(use: str, vial: Decimal) -> None:
    protocol_id = "subanesthetic-infusion"
    result = compute_regimen(LIBRARY, request(protocol_id, **{f"{use}_concentration_mg_per_ml": vial}))
    assert [(f.level, f.code) for f in result.findings if f.target == f"{use}_concentration"] == [
        ("hard", "undiluted-vial")
    ]


@pytest.mark.parametrize("use", ["bolus", "infusion"])
def test_standard_concentrations_raise_nothing(use: str) -> None:
    rules = LIBRARY.document.concentrations
    standard = rules.bolus_standard_mg_per_ml if use == "bolus" else rules.infusion_standard_mg_per_ml
    for value in standard:
        result = compute_regimen(
            LIBRARY, request("subanesthetic-infusion", **{f"{use}_concentration_mg_per_ml": value})
        )
        assert [f for f in result.findings if f.target == f"{use}_concentration"] == []
