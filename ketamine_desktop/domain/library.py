"""The drug library: its schema, loading, clinical consistency checks and checksum.

The library is data (a TOML file under resources/), so a hospital pharmacy can review and replace it
without touching code. Loading is all-or-nothing: any problem, syntactic, structural or clinical, is
reported by name and place, and no half-loaded library ever reaches the rest of the app.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import tomllib
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationError

from ketamine_desktop.domain.model import FrozenModel

DoseRateUnit = Literal["mg/kg/h", "mcg/kg/min"]
Flag = Literal["derived", "unverified"]
Item = Literal[
    "respiratory_rate",
    "spo2",
    "heart_rate",
    "blood_pressure",
    "sedation",
    "consciousness",
    "pain",
    "psychotomimetic",
    "nausea",
    "temperature",
    "monitors_attached",
]
ITEMS: tuple[Item, ...] = (
    "respiratory_rate",
    "spo2",
    "heart_rate",
    "blood_pressure",
    "sedation",
    "consciousness",
    "pain",
    "psychotomimetic",
    "nausea",
    "temperature",
    "monitors_attached",
)
EventKind = Literal["bolus", "rate-increase", "rate-decrease", "pause", "resume", "stop"]
Severity = Literal["info", "warning", "urgent"]
InfusionDecision = Literal["continue", "reduce", "pause", "stop"]
ConditionField = Literal[
    "poss",
    "rass",
    "respiration_rate",
    "spo2",
    "pulse",
    "systolic_bp",
    "pain",
    "previous_pain",
    "news2_total",
    "news2_max_parameter_score",
    "psychotomimetic",
    "prior_episodes",
    "nausea",
]
News2Parameter = Literal["respiration_rate", "spo2", "systolic_bp", "pulse", "temperature"]

PositiveDecimal = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
NonNegativeDecimal = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
FiniteDecimal = Annotated[Decimal, Field(allow_inf_nan=False)]
PositiveInt = Annotated[int, Field(gt=0)]
Text = Annotated[str, Field(min_length=1)]
Identifier = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]

_SOURCE_REF = re.compile(r"^(?P<key>[A-Z][A-Z0-9-]*)(\((?P<refs>\d+(,\d+)*)\))?$")


class LibraryError(Exception):
    """A library file that cannot be used; `problems` names every problem found and where."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("; ".join(self.problems))


class Cited(FrozenModel):
    """Anything that states a clinical fact carries where it came from."""

    sources: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = ()


class LibraryInfo(FrozenModel):
    name: Text
    version: Text
    review_notice: Text


class Units(Cited):
    amount_basis: Text
    pump_resolution_ml_per_h: PositiveDecimal
    volume_resolution_ml: PositiveDecimal
    dose_resolution_mg: PositiveDecimal


class WeightRules(Cited):
    min_kg: PositiveDecimal
    max_kg: PositiveDecimal
    plausible_min_kg: PositiveDecimal
    plausible_max_kg: PositiveDecimal
    plausibility_message: Text


class Concentrations(Cited):
    infusion_standard_mg_per_ml: tuple[PositiveDecimal, ...] = Field(min_length=1)
    infusion_default_mg_per_ml: PositiveDecimal
    infusion_descriptions: tuple[Text, ...] = ()
    bolus_standard_mg_per_ml: tuple[PositiveDecimal, ...] = Field(min_length=1)
    bolus_default_mg_per_ml: PositiveDecimal
    bolus_descriptions: tuple[Text, ...] = ()
    undiluted_vial_mg_per_ml: tuple[PositiveDecimal, ...] = ()
    custom_min_mg_per_ml: PositiveDecimal
    custom_max_mg_per_ml: PositiveDecimal


class Limits(Cited):
    unit_mixup_widen_fraction: Annotated[Decimal, Field(ge=0, lt=1, allow_inf_nan=False)]


class DoseRate(FrozenModel):
    """An infusion dose as the source quotes it; `mg_per_kg_per_h` is the canonical value."""

    value: PositiveDecimal
    unit: DoseRateUnit

    @property
    def mg_per_kg_per_h(self) -> Decimal:
        if self.unit == "mg/kg/h":
            return self.value
        # x 60 / 1000 is exact in decimal arithmetic; dividing by 16.667 would not be.
        return self.value * 60 / 1000


class BolusSpec(Cited):
    optional: bool
    default_mg_per_kg: PositiveDecimal | None = None
    typical_min_mg_per_kg: PositiveDecimal
    typical_max_mg_per_kg: PositiveDecimal
    soft_max_mg_per_kg: PositiveDecimal
    hard_max_mg_per_kg: PositiveDecimal
    over_min_default: PositiveDecimal
    over_min_allowed_min: PositiveDecimal
    over_min_allowed_max: PositiveDecimal
    over_min_soft_below: PositiveDecimal
    repeat_after_min: PositiveInt | None = None  # a repeat dose sooner than this needs a reason


class Cap(Cited):
    mg_per_h: PositiveDecimal


class InfusionSpec(Cited):
    default: DoseRate
    typical_min: DoseRate
    typical_max: DoseRate
    soft_max: DoseRate
    hard_max: DoseRate
    cap: Cap | None = None
    advice: Text | None = None

    @property
    def display_unit(self) -> DoseRateUnit:
        """The unit the protocol's usual dose is quoted in: the unit to enter and think in."""
        return self.typical_min.unit


class Note(Cited):
    kind: Literal["gate", "evidence"]
    text: Text


class Protocol(Cited):
    id: Identifier
    name: Text
    setting: Text
    schedule: Identifier
    after_stop_schedule: Identifier | None = None
    sedation_scale: Literal["POSS", "RASS"]
    duration: Text
    duration_max_h: PositiveDecimal | None = None
    duration_flags: tuple[Flag, ...] = ()
    end_prompt: Text | None = None
    bolus: BolusSpec | None = None
    infusion: InfusionSpec | None = None
    notes: tuple[Note, ...] = ()


class Phase(FrozenModel):
    every_min: PositiveInt
    until_min: PositiveInt | None = None  # None: until the infusion stops


class Track(FrozenModel):
    items: tuple[Item, ...] = Field(min_length=1)
    phases: tuple[Phase, ...] = Field(min_length=1)


class Schedule(Cited):
    id: Identifier
    name: Text
    baseline: bool
    retighten_on: tuple[EventKind, ...] = ()
    tracks: tuple[Track, ...] = Field(min_length=1)
    retighten: tuple[Track, ...] = ()


class Grace(FrozenModel):
    interval_max_min: PositiveInt | None = None  # None: any longer interval
    grace_min: PositiveInt


class Companion(FrozenModel):
    item: Item
    with_item: Item | None = None
    with_every_check: bool = False
    at_baseline: bool = False
    every_min_from_start: PositiveInt | None = None


class TimedPrompts(FrozenModel):
    rate_increase_lockout_min: PositiveInt
    rate_increase_lockout_sources: tuple[str, ...]
    syringe_change_every_h: PositiveInt
    syringe_change_sources: tuple[str, ...]
    syringe_empty_warning_min: PositiveInt
    syringe_empty_sources: tuple[str, ...]
    syringe_empty_flags: tuple[Flag, ...] = ()
    lft_every_h: PositiveInt
    lft_when_planned_over_h: PositiveInt
    lft_sources: tuple[str, ...]
    lft_flags: tuple[Flag, ...] = ()


class Monitoring(Cited):
    core_items: tuple[Item, ...] = Field(min_length=1)
    grace: tuple[Grace, ...] = Field(min_length=1)
    grace_sources: tuple[str, ...] = ()
    grace_flags: tuple[Flag, ...] = ()
    companions: tuple[Companion, ...] = ()
    timed_prompts: TimedPrompts


class Band(FrozenModel):
    min: FiniteDecimal | None = None
    max: FiniteDecimal | None = None
    score: Annotated[int, Field(ge=0, le=3)]


class News2Band(FrozenModel):
    id: News2Parameter
    resolution: PositiveDecimal
    bands: tuple[Band, ...] = Field(min_length=1)


class News2Risk(FrozenModel):
    level: Literal["low", "low-medium", "medium", "high"]
    total_min: Annotated[int, Field(ge=0)] | None = None
    any_parameter_score: Annotated[int, Field(ge=0, le=3)] | None = None
    text: Text


class AirOrOxygen(FrozenModel):
    air: Annotated[int, Field(ge=0, le=3)]
    oxygen: Annotated[int, Field(ge=0, le=3)]


class Consciousness(FrozenModel):
    A: Annotated[int, Field(ge=0, le=3)]
    C: Annotated[int, Field(ge=0, le=3)]
    V: Annotated[int, Field(ge=0, le=3)]
    P: Annotated[int, Field(ge=0, le=3)]
    U: Annotated[int, Field(ge=0, le=3)]


class News2(Cited):
    parameters: tuple[News2Band, ...]
    air_or_oxygen: AirOrOxygen
    consciousness: Consciousness
    risks: tuple[News2Risk, ...] = Field(min_length=1)


class Condition(FrozenModel):
    field: ConditionField
    min: FiniteDecimal | None = None
    max: FiniteDecimal | None = None
    equals: tuple[str, ...] | None = None
    is_true: bool | None = None


class EscalationRule(Cited):
    code: Identifier
    severity: Severity
    infusion: InfusionDecision
    text: Text
    when: tuple[tuple[Condition, ...], ...] = Field(min_length=1)


class SedationLevel(FrozenModel):
    value: Text
    label: Text
    acceptable: bool


class SedationScale(Cited):
    id: Literal["POSS", "RASS"]
    name: Text
    note: Text
    psychotomimetic_at_or_above: int | None = None
    levels: tuple[SedationLevel, ...] = Field(min_length=1)


class ChecklistItem(Cited):
    id: Identifier
    text: Text
    requires_name: bool = False


class Screening(FrozenModel):
    grading_note: Text
    grading_sources: tuple[str, ...] = ()


class Contraindication(Cited):
    id: Identifier
    text: Text
    level: Literal["absolute", "contraindicated", "caution"]
    advice: Text | None = None


class SideEffect(Cited):
    id: Identifier
    name: Text
    frequency: Text
    management: Text


class Source(FrozenModel):
    key: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9-]*$")]
    citation: Text


class LibraryDocument(FrozenModel):
    """The file's content, validated field by field."""

    library: LibraryInfo
    units: Units
    weight: WeightRules
    concentrations: Concentrations
    limits: Limits
    protocols: tuple[Protocol, ...] = Field(min_length=1)
    monitoring: Monitoring
    schedules: tuple[Schedule, ...] = Field(min_length=1)
    news2: News2
    escalation: tuple[EscalationRule, ...] = Field(min_length=1)
    sedation_scales: tuple[SedationScale, ...] = Field(min_length=1)
    checklist: tuple[ChecklistItem, ...] = Field(min_length=1)
    screening: Screening
    contraindications: tuple[Contraindication, ...] = ()
    side_effects: tuple[SideEffect, ...] = ()
    evidence_notes: tuple[Note, ...] = ()
    sources: tuple[Source, ...] = Field(min_length=1)


class Library(FrozenModel):
    """A loaded, consistent library with its identity (name, version, SHA-256 of the file's bytes)."""

    document: LibraryDocument
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]

    @property
    def name(self) -> str:
        return self.document.library.name

    @property
    def version(self) -> str:
        return self.document.library.version

    @property
    def short_sha256(self) -> str:
        return self.sha256[:12]

    def protocol(self, protocol_id: str) -> Protocol:
        for protocol in self.document.protocols:
            if protocol.id == protocol_id:
                return protocol
        raise KeyError(protocol_id)

    def schedule(self, schedule_id: str) -> Schedule:
        for schedule in self.document.schedules:
            if schedule.id == schedule_id:
                return schedule
        raise KeyError(schedule_id)

    def sedation_scale(self, scale_id: str) -> SedationScale:
        for scale in self.document.sedation_scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(scale_id)

    def citation(self, source_ref: str) -> str:
        """The full reference for a source key such as "SEED-A(1,3)"; flags pass through as written."""
        match = _SOURCE_REF.match(source_ref)
        key = match.group("key") if match else source_ref
        for source in self.document.sources:
            if source.key == key:
                return source.citation
        raise KeyError(source_ref)


def approval_path(path: Path) -> Path:
    """Where the pharmacy's approval of a library file lives: `<file>.sha256`, as `sha256sum` writes it."""
    return path.with_name(path.name + ".sha256")


def load_library(path: Path, *, require_approval: bool = False) -> Library:
    """Load and validate a library file; raise LibraryError naming every problem.

    When an approval file sits beside the library, the file's SHA-256 must match it: a flipped byte in
    a comment or a citation is invisible to the schema but not to the checksum. The app's own library
    requires the approval file (`require_approval`); a file under review may not have one yet.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LibraryError([f"{path}: cannot read the file ({exc.strerror or exc})"]) from exc
    approved = _approved_sha256(approval_path(path), required=require_approval)
    library = parse_library(data, origin=str(path))
    if approved is not None and approved != library.sha256:
        raise LibraryError(
            [
                f"{path}: SHA-256 {library.sha256[:12]} does not match the approved {approved[:12]} in "
                f"{approval_path(path).name}: the file was changed or corrupted since it was approved"
            ]
        )
    return library


def _approved_sha256(path: Path, *, required: bool) -> str | None:
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        if required:
            raise LibraryError([f"{path}: the library has no approval file (its approved SHA-256)"]) from None
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise LibraryError([f"{path}: cannot read the approval file ({exc})"]) from exc
    digest = text.split()[0].lower() if text.split() else ""
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise LibraryError([f"{path}: not a SHA-256 approval (expected 64 hex digits)"])
    return digest


def parse_library(data: bytes, *, origin: str = "library") -> Library:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LibraryError([f"{origin}: not UTF-8 text (byte {exc.start})"]) from exc
    try:
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise LibraryError([f"{origin}: TOML syntax error: {exc}"]) from exc
    try:
        document = LibraryDocument.model_validate(raw)
    except ValidationError as exc:
        raise LibraryError(_describe_validation_errors(origin, exc)) from exc
    problems = list(consistency_problems(document))
    if problems:
        raise LibraryError(f"{origin}: {problem}" for problem in problems)
    return Library(document=document, sha256=hashlib.sha256(data).hexdigest())


def _describe_validation_errors(origin: str, exc: ValidationError) -> list[str]:
    problems = []
    for error in exc.errors(include_url=False):
        place = ".".join(str(part) for part in error["loc"]) or "(top level)"
        problems.append(f"{origin}: {place}: {error['msg']}")
    return problems


def _duplicates(ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for identifier in ids:
        if identifier in seen and identifier not in repeated:
            repeated.append(identifier)
        seen.add(identifier)
    return repeated


def consistency_problems(doc: LibraryDocument) -> Iterator[str]:
    """Clinical and referential consistency that no single field can check on its own."""
    for section, ids in (
        ("protocols", [p.id for p in doc.protocols]),
        ("schedules", [s.id for s in doc.schedules]),
        ("escalation", [r.code for r in doc.escalation]),
        ("sedation_scales", [s.id for s in doc.sedation_scales]),
        ("checklist", [c.id for c in doc.checklist]),
        ("contraindications", [c.id for c in doc.contraindications]),
        ("side_effects", [s.id for s in doc.side_effects]),
        ("sources", [s.key for s in doc.sources]),
    ):
        for duplicate in _duplicates(ids):
            yield f"{section}: duplicate id {duplicate!r}"

    yield from _weight_problems(doc.weight)
    yield from _concentration_problems(doc.concentrations)
    schedule_ids = {s.id for s in doc.schedules}
    scale_ids = {s.id for s in doc.sedation_scales}
    for index, protocol in enumerate(doc.protocols):
        place = f"protocols[{index}] ({protocol.id})"
        if protocol.bolus is None and protocol.infusion is None:
            yield f"{place}: has neither a bolus nor an infusion"
        if protocol.schedule not in schedule_ids:
            yield f"{place}.schedule: unknown schedule {protocol.schedule!r}"
        if protocol.after_stop_schedule is not None and protocol.after_stop_schedule not in schedule_ids:
            yield f"{place}.after_stop_schedule: unknown schedule {protocol.after_stop_schedule!r}"
        if protocol.sedation_scale not in scale_ids:
            yield f"{place}.sedation_scale: unknown scale {protocol.sedation_scale!r}"
        if protocol.bolus is not None:
            yield from _bolus_problems(f"{place}.bolus", protocol.bolus)
        if protocol.infusion is not None:
            yield from _infusion_problems(f"{place}.infusion", protocol.infusion)
    for index, schedule in enumerate(doc.schedules):
        yield from _schedule_problems(f"schedules[{index}] ({schedule.id})", schedule)
    yield from _grace_problems(doc.monitoring.grace)
    yield from rule_problems(doc)
    yield from _news2_problems(doc.news2)
    yield from _source_problems(doc)


def _weight_problems(w: WeightRules) -> Iterator[str]:
    if not w.min_kg <= w.plausible_min_kg <= w.plausible_max_kg <= w.max_kg:
        yield "weight: expected min_kg <= plausible_min_kg <= plausible_max_kg <= max_kg"


def _concentration_problems(c: Concentrations) -> Iterator[str]:
    if c.custom_min_mg_per_ml >= c.custom_max_mg_per_ml:
        yield "concentrations: custom_min_mg_per_ml must be below custom_max_mg_per_ml"
    if c.infusion_default_mg_per_ml not in c.infusion_standard_mg_per_ml:
        yield "concentrations.infusion_default_mg_per_ml: not one of the standard infusion concentrations"
    if c.bolus_default_mg_per_ml not in c.bolus_standard_mg_per_ml:
        yield "concentrations.bolus_default_mg_per_ml: not one of the standard bolus concentrations"
    for vial in c.undiluted_vial_mg_per_ml:
        if vial in c.infusion_standard_mg_per_ml or vial in c.bolus_standard_mg_per_ml:
            yield f"concentrations.undiluted_vial_mg_per_ml: {vial} mg/mL is also listed as standard"


def _limit_order(
    place: str,
    unit: str,
    default: Decimal | None,
    typical_min: Decimal,
    typical_max: Decimal,
    soft_max: Decimal,
    hard_max: Decimal,
) -> Iterator[str]:
    if soft_max > hard_max:
        yield f"{place}: soft max {soft_max} {unit} is above hard max {hard_max} {unit}"
    if typical_min > typical_max:
        yield f"{place}: typical range {typical_min}-{typical_max} {unit} is reversed"
    if typical_max > soft_max:
        yield f"{place}: typical max {typical_max} {unit} is above soft max {soft_max} {unit}"
    if default is not None and default > hard_max:
        yield f"{place}: default {default} {unit} is above hard max {hard_max} {unit}"
    elif default is not None and not typical_min <= default <= typical_max:
        # A default outside the usual range would raise a finding on every untouched regimen.
        typical = f"{typical_min}-{typical_max} {unit}"
        yield f"{place}: default {default} {unit} is outside the typical range {typical}"


def _bolus_problems(place: str, b: BolusSpec) -> Iterator[str]:
    yield from _limit_order(
        place,
        "mg/kg",
        b.default_mg_per_kg,
        b.typical_min_mg_per_kg,
        b.typical_max_mg_per_kg,
        b.soft_max_mg_per_kg,
        b.hard_max_mg_per_kg,
    )
    if b.default_mg_per_kg is None and not b.optional:
        yield f"{place}: a bolus that is not optional needs default_mg_per_kg"
    if not b.over_min_allowed_min <= b.over_min_default <= b.over_min_allowed_max:
        yield f"{place}: over_min_default {b.over_min_default} is outside the allowed duration"
    if not b.over_min_allowed_min <= b.over_min_soft_below <= b.over_min_allowed_max:
        yield f"{place}: over_min_soft_below {b.over_min_soft_below} is outside the allowed duration"


def _infusion_problems(place: str, i: InfusionSpec) -> Iterator[str]:
    yield from _limit_order(
        place,
        "mg/kg/h",
        i.default.mg_per_kg_per_h,
        i.typical_min.mg_per_kg_per_h,
        i.typical_max.mg_per_kg_per_h,
        i.soft_max.mg_per_kg_per_h,
        i.hard_max.mg_per_kg_per_h,
    )
    if i.typical_min.unit != i.typical_max.unit:
        yield f"{place}: typical_min and typical_max must be quoted in the same unit"


def _schedule_problems(place: str, s: Schedule) -> Iterator[str]:
    for group, tracks in (("tracks", s.tracks), ("retighten", s.retighten)):
        for t_index, track in enumerate(tracks):
            previous = 0
            for p_index, phase in enumerate(track.phases):
                where = f"{place}.{group}[{t_index}].phases[{p_index}]"
                if phase.until_min is None:
                    if p_index != len(track.phases) - 1:
                        yield f"{where}: only the last phase may run until the infusion stops"
                    continue
                if phase.until_min <= previous:
                    yield f"{where}: until_min {phase.until_min} does not come after {previous}"
                elif (phase.until_min - previous) % phase.every_min:
                    yield f"{where}: {phase.every_min}-min steps do not reach until_min {phase.until_min}"
                previous = phase.until_min
    if s.retighten_on and not s.retighten:
        yield f"{place}: retighten_on is set but there are no retighten phases"
    for t_index, track in enumerate(s.retighten):
        if track.phases[-1].until_min is None:
            yield f"{place}.retighten[{t_index}]: a re-tightening window must end"


def _grace_problems(grace: tuple[Grace, ...]) -> Iterator[str]:
    bounded = [g.interval_max_min for g in grace if g.interval_max_min is not None]
    if bounded != sorted(set(bounded)):
        yield "monitoring.grace: bounded entries must rise strictly by interval_max_min"
    if grace[-1].interval_max_min is not None or len(bounded) != len(grace) - 1:
        yield "monitoring.grace: exactly one entry, the last, must be open-ended (no interval_max_min)"


# What kind of value each escalation field holds, so a rule that tests it the wrong way (a `min` on POSS,
# `is_true` on a number) is refused at load instead of silently never firing.
FIELD_KINDS: dict[ConditionField, Literal["number", "text", "flag"]] = {
    "poss": "text",
    "rass": "number",
    "respiration_rate": "number",
    "spo2": "number",
    "pulse": "number",
    "systolic_bp": "number",
    "pain": "number",
    "previous_pain": "number",
    "news2_total": "number",
    "news2_max_parameter_score": "number",
    "psychotomimetic": "flag",
    "prior_episodes": "number",
    "nausea": "flag",
}


def rule_problems(doc: LibraryDocument) -> Iterator[str]:
    """Rules that could never fire as meant: a wrong kind of test, an empty group, an unknown level."""
    levels = {scale.id.lower(): tuple(level.value for level in scale.levels) for scale in doc.sedation_scales}
    for index, rule in enumerate(doc.escalation):
        for g_index, group in enumerate(rule.when):
            place = f"escalation[{index}] ({rule.code}).when[{g_index}]"
            if not group:
                yield f"{place}: an empty group would fire on every check"
            for c_index, condition in enumerate(group):
                yield from _condition_problems(f"{place}[{c_index}]", condition, levels)


def _condition_problems(
    place: str, condition: Condition, levels: dict[str, tuple[str, ...]]
) -> Iterator[str]:
    kind = FIELD_KINDS.get(condition.field)
    if kind is None:
        yield f"{place}: unknown field {condition.field!r}"
        return
    numeric = condition.min is not None or condition.max is not None
    if kind == "number":
        if condition.equals is not None or condition.is_true is not None:
            yield f"{place}: {condition.field} is a number: test it with min and max"
        elif not numeric:
            yield f"{place}: states no test (min, max)"
        elif condition.min is not None and condition.max is not None and condition.min > condition.max:
            yield f"{place}: min {condition.min} is above max {condition.max}"
    elif kind == "text":
        allowed = levels.get(condition.field, ())
        if numeric or condition.is_true is not None or condition.equals is None:
            yield f"{place}: {condition.field} is a scale level: test it with equals"
        else:
            for value in condition.equals:
                if value not in allowed:
                    yield f"{place}: {value!r} is not a {condition.field} level ({', '.join(allowed)})"
    elif numeric or condition.equals is not None or condition.is_true is None:
        yield f"{place}: {condition.field} is yes or no: test it with is_true"


def _news2_problems(n: News2) -> Iterator[str]:
    ids = [p.id for p in n.parameters]
    for duplicate in _duplicates(ids):
        yield f"news2.parameters: duplicate id {duplicate!r}"
    for missing in sorted(set(News2Parameter.__args__) - set(ids)):  # type: ignore[attr-defined]
        yield f"news2.parameters: missing {missing!r}"
    for parameter in n.parameters:
        place = f"news2.parameters ({parameter.id})"
        bands = parameter.bands
        if bands[0].min is not None:
            yield f"{place}: the first band must be open below"
        if bands[-1].max is not None:
            yield f"{place}: the last band must be open above"
        for before, after in itertools.pairwise(bands):
            if before.max is None or after.min is None or after.min != before.max + parameter.resolution:
                yield f"{place}: bands must follow on without gap or overlap at {parameter.resolution}"
            elif after.max is not None and after.max < after.min:
                yield f"{place}: band {after.min}-{after.max} is reversed"


def _source_problems(doc: LibraryDocument) -> Iterator[str]:
    keys = {s.key for s in doc.sources}
    for place, ref in _source_refs(doc):
        match = _SOURCE_REF.match(ref)
        if match is None:
            yield f"{place}: malformed source reference {ref!r}"
        elif match.group("key") not in keys:
            yield f"{place}: unknown source {ref!r}"


def _source_refs(doc: LibraryDocument) -> Iterator[tuple[str, str]]:
    def walk(value: object, place: str) -> Iterator[tuple[str, str]]:
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                child = getattr(value, name)
                if (name == "sources" or name.endswith("_sources")) and not isinstance(
                    value, LibraryDocument
                ):
                    for ref in child:
                        yield f"{place}.{name}", ref
                else:
                    yield from walk(child, f"{place}.{name}")
        elif isinstance(value, tuple):
            for index, child in enumerate(value):
                yield from walk(child, f"{place}[{index}]")

    yield from walk(doc, "library")
