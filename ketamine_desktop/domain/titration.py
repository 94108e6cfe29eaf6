"""The bedside titration card and the syringe label, as values.

`titration_rows` lays the protocol's doses out for one patient and one concentration: from the bottom of
the usual (typical) range up to the hard maximum, every row through `compute_regimen` itself, so the card
says exactly what the Dosing tab would (pump rate rounded to the pump, the cap, the dose the rounded rate
delivers) and carries the same findings. The limits themselves are rows of their own, and the dose
running now is added when given. The spacing of the other rows is a layout choice (a round step giving at
most `MAX_STEPS` steps across the range), not a clinical number.

`syringe_label` is the label of the syringe or bag running now: drug, concentration, total mg in total mL,
bed and initials, who prepared and checked it, when, and when it expires (the library's syringe-change
interval).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from ketamine_desktop.domain.library import DoseRate, DoseRateUnit, Library
from ketamine_desktop.domain.limits import Finding
from ketamine_desktop.domain.model import FrozenModel
from ketamine_desktop.domain.regimen import InfusionResult, RegimenRequest, compute_regimen
from ketamine_desktop.domain.session import SessionState
from ketamine_desktop.domain.units import convert_dose_rate

__all__ = [
    "DRUG_NAME",
    "MAX_STEPS",
    "SyringeLabel",
    "TitrationCard",
    "TitrationRow",
    "round_step",
    "syringe_label",
    "titration_card",
]

DRUG_NAME = "Ketamine"
MAX_STEPS = 10
_STEP_MANTISSAS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))
_MARKS: tuple[tuple[str, str], ...] = (
    ("typical_min", "usual range starts"),
    ("typical_max", "usual range ends"),
    ("soft_max", "soft max: reason needed above"),
    ("hard_max", "hard max"),
)


class TitrationRow(FrozenModel):
    dose: DoseRate  # in the protocol's own unit
    infusion: InfusionResult
    findings: tuple[Finding, ...]  # the infusion's findings (hard first)
    marks: tuple[str, ...]  # which limits this row is, and "running now"
    typical: bool  # inside the usual range


class TitrationCard(FrozenModel):
    protocol_id: str
    protocol_name: str
    weight_kg: Decimal
    concentration_mg_per_ml: Decimal
    unit: DoseRateUnit
    rows: tuple[TitrationRow, ...]
    cap_mg_per_h: Decimal | None
    library_name: str
    library_version: str
    library_sha256: str


def round_step(span: Decimal, max_steps: int = MAX_STEPS) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 x 10^k that crosses `span` (> 0) in at most `max_steps` steps."""
    exponent = (span / max_steps).adjusted()
    while True:
        for mantissa in _STEP_MANTISSAS:
            step = mantissa.scaleb(exponent)
            if span / step <= max_steps:
                return step
        exponent += 1


def titration_card(
    library: Library,
    protocol_id: str,
    weight_kg: Decimal,
    concentration_mg_per_ml: Decimal,
    running: DoseRate | None = None,
) -> TitrationCard:
    """The card for one patient; raises KeyError for an unknown protocol and ValueError for one without
    an infusion (InvalidInput, a ValueError, for a weight or concentration the regimen refuses)."""
    protocol = library.protocol(protocol_id)
    spec = protocol.infusion
    if spec is None:
        raise ValueError(f"{protocol_id} has no infusion: there is no titration card")
    unit = spec.display_unit
    limits: dict[str, DoseRate] = {name: getattr(spec, name) for name, _ in _MARKS}
    # Keyed by mg/kg/h, the canonical value; a limit keeps the unit its source quotes it in.
    doses = {dose.mg_per_kg_per_h: dose for dose in limits.values()}
    low, high = _in(limits["typical_min"], unit), _in(limits["hard_max"], unit)
    if high > low:
        step = round_step(high - low)
        value = (low / step).to_integral_value(rounding="ROUND_CEILING") * step
        while value < high:
            dose = DoseRate(value=value.normalize(), unit=unit)
            doses.setdefault(dose.mg_per_kg_per_h, dose)
            value += step
    if running is not None:
        doses.setdefault(running.mg_per_kg_per_h, running)
    rows = []
    for key in sorted(doses):
        dose = doses[key]
        regimen = compute_regimen(
            library,
            RegimenRequest(
                protocol_id=protocol_id,
                weight_kg=weight_kg,
                include_bolus=False if protocol.bolus is not None and protocol.bolus.optional else None,
                bolus_mg_per_kg=None,
                infusion_dose=dose,
                infusion_concentration_mg_per_ml=concentration_mg_per_ml,
            ),
        )
        infusion = regimen.infusion
        assert infusion is not None  # the protocol has an infusion
        marks = [words for name, words in _MARKS if limits[name].mg_per_kg_per_h == key]
        if running is not None and running.mg_per_kg_per_h == key:
            marks.append("running now")
        rows.append(
            TitrationRow(
                dose=dose,
                infusion=infusion,
                findings=tuple(f for f in regimen.findings if f.target == "infusion"),
                marks=tuple(marks),
                typical=limits["typical_min"].mg_per_kg_per_h <= key <= limits["typical_max"].mg_per_kg_per_h,
            )
        )
    return TitrationCard(
        protocol_id=protocol.id,
        protocol_name=protocol.name,
        weight_kg=weight_kg,
        concentration_mg_per_ml=concentration_mg_per_ml,
        unit=unit,
        rows=tuple(rows),
        cap_mg_per_h=spec.cap.mg_per_h if spec.cap is not None else None,
        library_name=library.name,
        library_version=library.version,
        library_sha256=library.sha256,
    )


def _in(dose: DoseRate, unit: DoseRateUnit) -> Decimal:
    return convert_dose_rate(dose.value, dose.unit, unit).normalize()


class SyringeLabel(FrozenModel):
    drug: str
    concentration_mg_per_ml: Decimal
    total_mg: Decimal
    volume_ml: Decimal
    bed_label: str
    patient_initials: str | None
    prepared_by: str
    checked_by: str | None  # None: the record names no second checker for this syringe (sign by hand)
    prepared_at: datetime
    expires_at: datetime
    protocol_id: str


def syringe_label(state: SessionState) -> SyringeLabel | None:
    """The label of the syringe or bag running now; None for a session without one."""
    syringe, infusion = state.syringe, state.infusion
    if syringe is None or infusion is None:
        return None
    start = state.start
    if syringe.seq == state.start_seq:
        prepared_by, checked_by = start.started_by, start.double_checked_by
    else:
        change = next(e for e in state.events if e.seq == syringe.seq)
        prepared_by, checked_by = change.by, None
    hours = state.library.document.monitoring.timed_prompts.syringe_change_every_h
    concentration = infusion.concentration_mg_per_ml
    return SyringeLabel(
        drug=DRUG_NAME,
        concentration_mg_per_ml=concentration,
        total_mg=concentration * syringe.volume_ml,
        volume_ml=syringe.volume_ml,
        bed_label=start.bed_label,
        patient_initials=start.patient_initials,
        prepared_by=prepared_by,
        checked_by=checked_by,
        prepared_at=syringe.since,
        expires_at=syringe.since + timedelta(hours=hours),
        protocol_id=start.protocol_id,
    )
