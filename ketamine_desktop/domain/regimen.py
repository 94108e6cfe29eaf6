"""The regimen engine: from a protocol, a weight and the user's choices to the numbers a pump is set to.

`compute_regimen` is a pure function of the library and a `RegimenRequest`. It refuses malformed input
with `InvalidInput` (nothing computed), otherwise it always computes every number, even for a regimen a
hard limit blocks, so the clinician sees what was asked for next to why it was refused.

Arithmetic is exact `Decimal`: mg = mg/kg x kg, mL = mg / (mg/mL). Only the pump-facing numbers are
rounded, to the library's resolutions, nearest step with halves up; then the app reports what the rounded
number actually delivers. Rounding never lifts a dose over the hard maximum or the cap: where the nearest
step would, the step below is used and a `rounded-down` note says so.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

from ketamine_desktop.domain.library import BolusSpec, DoseRate, InfusionSpec, Library, Protocol
from ketamine_desktop.domain.limits import (
    Finding,
    Target,
    blocks,
    bolus_dose_findings,
    bolus_duration_findings,
    cap_finding,
    concentration_findings,
    infusion_dose_findings,
    needs_a_reason,
    note_findings,
    rounded_down_finding,
    sort_findings,
    unsettable_finding,
    weight_findings,
    written,
)
from ketamine_desktop.domain.model import FrozenModel
from ketamine_desktop.domain.patient import InvalidInput, validate_weight
from ketamine_desktop.domain.units import (
    convert_dose_rate,
    round_down_to_step,
    round_half_up,
    to_mcg_per_kg_per_min,
)

__all__ = [
    "BolusResult",
    "Finding",
    "InfusionResult",
    "Regimen",
    "RegimenRequest",
    "compute_regimen",
]

_MIN_PER_H = Decimal(60)
# The same precision as units.py, so a delivered dose here and a conversion there agree to the last digit;
# products of typed numbers (a few digits each) stay exact well within it.
_CONTEXT = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


class RegimenRequest(FrozenModel):
    """What the user chose; every None means "the protocol's (or the library's) default"."""

    protocol_id: str
    weight_kg: Decimal
    # None: a bolus that is not optional is given, an optional one is not, unless a bolus option is set.
    include_bolus: bool | None = None
    bolus_mg_per_kg: Decimal | None = None
    bolus_concentration_mg_per_ml: Decimal | None = None
    bolus_over_min: Decimal | None = None
    infusion_dose: DoseRate | None = None
    infusion_concentration_mg_per_ml: Decimal | None = None


class BolusResult(FrozenModel):
    dose_mg_per_kg: Decimal
    dose_mg: Decimal
    concentration_mg_per_ml: Decimal
    volume_ml: Decimal  # to the volume resolution, from the unrounded mg
    over_min: Decimal
    rate_ml_per_h: Decimal  # to the pump resolution, from the unrounded volume
    delivered_mg: Decimal  # what the rounded volume holds
    delivered_mg_per_kg: Decimal


class InfusionResult(FrozenModel):
    entered: DoseRate
    dose_mg_per_kg_per_h: Decimal
    dose_mcg_per_kg_per_min: Decimal
    requested_mg_per_h: Decimal  # before the cap
    dose_mg_per_h: Decimal  # after the cap
    capped: bool
    cap_mg_per_h: Decimal | None
    concentration_mg_per_ml: Decimal
    rate_ml_per_h: Decimal  # to the pump resolution
    delivered_mg_per_h: Decimal  # what the rounded rate gives, unrounded
    delivered_mg_per_kg_per_h: Decimal
    delivered_mcg_per_kg_per_min: Decimal


class Regimen(FrozenModel):
    protocol_id: str
    weight_kg: Decimal
    bolus: BolusResult | None
    infusion: InfusionResult | None
    findings: tuple[Finding, ...]  # hard first, then soft, then info
    library_name: str
    library_version: str
    library_sha256: str

    @property
    def blocked(self) -> bool:
        """A hard finding: the regimen cannot be started, with or without a reason."""
        return blocks(self.findings)

    @property
    def needs_reason(self) -> bool:
        """A soft finding: starting needs a typed reason, recorded with the session."""
        return needs_a_reason(self.findings)


def compute_regimen(library: Library, request: RegimenRequest) -> Regimen:
    """The regimen and its findings; raises InvalidInput for input that cannot be computed at all."""
    try:
        protocol = library.protocol(request.protocol_id)
    except KeyError:
        known = ", ".join(p.id for p in library.document.protocols)
        raise InvalidInput(
            "protocol_id", f"unknown protocol {request.protocol_id!r} (known: {known})"
        ) from None
    weight = validate_weight(library, request.weight_kg)
    bolus_plan = _bolus_plan(protocol, request)
    infusion_spec = _infusion_spec(protocol, request)
    if bolus_plan is None and infusion_spec is None:
        raise InvalidInput(
            "include_bolus", f"{protocol.id} has no infusion: without its bolus there is nothing to give"
        )

    findings: list[Finding] = list(weight_findings(library, weight))
    bolus = None
    if bolus_plan is not None:
        bolus = _bolus(library, *bolus_plan, request, weight, findings)
    infusion = None
    if infusion_spec is not None:
        infusion = _infusion(library, infusion_spec, request, weight, findings)
    findings.extend(note_findings(protocol))
    return Regimen(
        protocol_id=protocol.id,
        weight_kg=weight,
        bolus=bolus,
        infusion=infusion,
        findings=sort_findings(findings),
        library_name=library.name,
        library_version=library.version,
        library_sha256=library.sha256,
    )


# --- Which parts the regimen has ----------------------------------------------------------------------

_BOLUS_OPTIONS = ("bolus_mg_per_kg", "bolus_concentration_mg_per_ml", "bolus_over_min")
_INFUSION_OPTIONS = ("infusion_dose", "infusion_concentration_mg_per_ml")


def _first_set(request: RegimenRequest, names: tuple[str, ...]) -> str | None:
    return next((name for name in names if getattr(request, name) is not None), None)


def _bolus_plan(protocol: Protocol, request: RegimenRequest) -> tuple[BolusSpec, Decimal] | None:
    """The protocol's bolus and its dose in mg/kg, or None when the regimen has no bolus."""
    option = _first_set(request, _BOLUS_OPTIONS)
    spec = protocol.bolus
    if spec is None:
        if request.include_bolus:
            raise InvalidInput("include_bolus", f"{protocol.id} has no bolus")
        if option is not None:
            raise InvalidInput(option, f"{protocol.id} has no bolus")
        return None
    # Setting a bolus option is asking for the bolus, also for a protocol whose bolus is optional.
    include = request.include_bolus
    if include is None:
        include = not spec.optional or option is not None
    if not include:
        if option is not None:
            raise InvalidInput(option, "the bolus is switched off")
        return None
    if request.bolus_mg_per_kg is not None:
        return spec, _positive("bolus_mg_per_kg", request.bolus_mg_per_kg)
    if spec.default_mg_per_kg is None:
        raise InvalidInput("bolus_mg_per_kg", f"{protocol.id} has no default bolus dose: enter one")
    return spec, spec.default_mg_per_kg


def _infusion_spec(protocol: Protocol, request: RegimenRequest) -> InfusionSpec | None:
    option = _first_set(request, _INFUSION_OPTIONS)
    if protocol.infusion is None and option is not None:
        raise InvalidInput(option, f"{protocol.id} has no infusion")
    return protocol.infusion


# Input sanity, not clinical limits: a number a billion or more, or below one millionth, is a typing
# accident whatever the field (a dose, a concentration, a duration); refusing it keeps every derived
# number displayable instead of failing deep inside a message.
_ABSURD_ABOVE = Decimal("1E9")
_ABSURD_BELOW = Decimal("1E-6")


def _positive(field: str, value: Decimal) -> Decimal:
    if value <= 0:
        raise InvalidInput(field, "must be greater than zero")
    if value >= _ABSURD_ABOVE or value < _ABSURD_BELOW:
        raise InvalidInput(field, "is not a plausible number: check the digits")
    return value


def _chosen(field: str, value: Decimal | None, default: Decimal) -> Decimal:
    """The user's value (which must be positive) or, when there is none, the library's default."""
    return default if value is None else _positive(field, value)


# --- Pump rounding ------------------------------------------------------------------------------------


def _pump_round(
    amount: Decimal, concentration: Decimal, step: Decimal, limit: Decimal
) -> tuple[Decimal, bool]:
    """The volume (mg -> mL) or rate (mg/h -> mL/h) for `amount`, to the nearest `step` with halves up.

    When that step would hold more than `limit` (mg or mg/h) although `amount` itself does not, the step
    below is used instead. Returns the value and whether it was stepped down.
    """
    unrounded = amount / concentration
    nearest = round_half_up(unrounded, step)
    if nearest * concentration > limit >= amount:
        return round_down_to_step(unrounded, step), True
    return nearest, False


# --- Bolus --------------------------------------------------------------------------------------------


def _bolus(
    library: Library,
    spec: BolusSpec,
    dose_mg_per_kg: Decimal,
    request: RegimenRequest,
    weight: Decimal,
    findings: list[Finding],
) -> BolusResult:
    concentration = _chosen(
        "bolus_concentration_mg_per_ml",
        request.bolus_concentration_mg_per_ml,
        library.document.concentrations.bolus_default_mg_per_ml,
    )
    over_min = _chosen("bolus_over_min", request.bolus_over_min, spec.over_min_default)
    units = library.document.units
    with decimal.localcontext(_CONTEXT):
        dose_mg = dose_mg_per_kg * weight
        hard_max_mg = spec.hard_max_mg_per_kg * weight
        volume, stepped_down = _pump_round(dose_mg, concentration, units.volume_resolution_ml, hard_max_mg)
        # The rate is worked out from the unrounded volume (contract): rounding twice would drift.
        unrounded_rate = dose_mg * _MIN_PER_H / (concentration * over_min)
        rate = round_half_up(unrounded_rate, units.pump_resolution_ml_per_h)
        delivered_mg = volume * concentration
        delivered_mg_per_kg = delivered_mg / weight

    findings.extend(bolus_dose_findings(library, spec, dose_mg_per_kg))
    findings.extend(concentration_findings(library, "bolus", concentration))
    findings.extend(bolus_duration_findings(spec, over_min))
    target: Target = "bolus"
    if volume.is_zero():
        unrounded_volume = dose_mg / concentration
        findings.append(
            unsettable_finding(
                library, target, "bolus volume", unrounded_volume, units.volume_resolution_ml, "mL"
            )
        )
    elif rate.is_zero():
        findings.append(
            unsettable_finding(
                library, target, "bolus rate", unrounded_rate, units.pump_resolution_ml_per_h, "mL/h"
            )
        )
    if stepped_down:
        nearest = volume + units.volume_resolution_ml
        findings.append(
            rounded_down_finding(
                library,
                target,
                "bolus volume",
                f"{written(volume)} mL",
                f"{written(nearest)} mL",
                "hard maximum",
                f"{written(hard_max_mg)} mg ({written(spec.hard_max_mg_per_kg)} mg/kg)",
            )
        )
    return BolusResult(
        dose_mg_per_kg=dose_mg_per_kg,
        dose_mg=dose_mg,
        concentration_mg_per_ml=concentration,
        volume_ml=volume,
        over_min=over_min,
        rate_ml_per_h=rate,
        delivered_mg=delivered_mg,
        delivered_mg_per_kg=delivered_mg_per_kg,
    )


# --- Infusion -----------------------------------------------------------------------------------------


def _infusion(
    library: Library, spec: InfusionSpec, request: RegimenRequest, weight: Decimal, findings: list[Finding]
) -> InfusionResult:
    entered = request.infusion_dose or spec.default
    _positive("infusion_dose", entered.value)  # DoseRate already refuses zero; this refuses the absurd
    concentration = _chosen(
        "infusion_concentration_mg_per_ml",
        request.infusion_concentration_mg_per_ml,
        library.document.concentrations.infusion_default_mg_per_ml,
    )
    units = library.document.units
    cap = spec.cap.mg_per_h if spec.cap is not None else None
    with decimal.localcontext(_CONTEXT):
        dose_mg_per_kg_per_h = entered.mg_per_kg_per_h
        requested = dose_mg_per_kg_per_h * weight
        dose_mg_per_h, capped = requested, False
        if cap is not None and requested > cap:
            dose_mg_per_h, capped = cap, True
        hard_max_mg_per_h = spec.hard_max.mg_per_kg_per_h * weight
        # The pump must not give more than the lower of the hard maximum and the cap.
        limit, limit_name = hard_max_mg_per_h, "hard maximum"
        if cap is not None and cap <= limit:
            limit, limit_name = cap, "cap"
        rate, stepped_down = _pump_round(dose_mg_per_h, concentration, units.pump_resolution_ml_per_h, limit)
        delivered_mg_per_h = rate * concentration
        delivered_mg_per_kg_per_h = delivered_mg_per_h / weight

    findings.extend(infusion_dose_findings(library, spec, entered))
    if spec.cap is not None:
        findings.extend(cap_finding(spec.cap, entered, requested, weight))
    findings.extend(concentration_findings(library, "infusion", concentration))
    target: Target = "infusion"
    if rate.is_zero():
        unrounded_rate = dose_mg_per_h / concentration
        findings.append(
            unsettable_finding(
                library, target, "pump rate", unrounded_rate, units.pump_resolution_ml_per_h, "mL/h"
            )
        )
    if stepped_down:
        nearest = rate + units.pump_resolution_ml_per_h
        findings.append(
            rounded_down_finding(
                library,
                target,
                "pump rate",
                f"{written(rate)} mL/h",
                f"{written(nearest)} mL/h",
                limit_name,
                f"{written(limit)} mg/h",
            )
        )
    return InfusionResult(
        entered=entered,
        dose_mg_per_kg_per_h=dose_mg_per_kg_per_h,
        dose_mcg_per_kg_per_min=convert_dose_rate(entered.value, entered.unit, "mcg/kg/min"),
        requested_mg_per_h=requested,
        dose_mg_per_h=dose_mg_per_h,
        capped=capped,
        cap_mg_per_h=cap,
        concentration_mg_per_ml=concentration,
        rate_ml_per_h=rate,
        delivered_mg_per_h=delivered_mg_per_h,
        delivered_mg_per_kg_per_h=delivered_mg_per_kg_per_h,
        delivered_mcg_per_kg_per_min=to_mcg_per_kg_per_min(delivered_mg_per_kg_per_h),
    )
