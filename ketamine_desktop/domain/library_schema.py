"""The drug library's schema: every section of the TOML file as a frozen pydantic model.

Field by field only; the checks that need more than one field are in `library_checks.py`, loading and the
checksum in `library.py` (import everything from there).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal, get_args

from pydantic import Field

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
ITEMS: tuple[Item, ...] = get_args(Item)  # every item, in the order above
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

SOURCE_REF = re.compile(r"^(?P<key>[A-Z][A-Z0-9-]*)(\((?P<refs>\d+(,\d+)*)\))?$")


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
    # Rules of one family that fire together show only the first of them in library order (the higher).
    family: Identifier | None = None
    # What stays to do when this rule's infusion instruction is superseded by a stronger decision
    # (notify, recheck): the parts of `text` that do not touch the infusion.
    steps: tuple[Text, ...] = ()


FollowUpUntil = Literal["once", "rule-clears"]
FollowUpAnchor = Literal["observation", "pause"]


class FollowUp(Cited):
    """The checks an escalation rule raises after the check at which it fired.

    `once`: one check `every_min` after the anchor. `rule-clears`: a check `every_min` after each check at
    which the rule fires, until a check at which it no longer does. The anchor is the check itself, or
    (`pause`) the first pause recorded after it before the check falls due, where there is one.
    """

    rules: tuple[Identifier, ...] = Field(min_length=1)
    label: Text
    every_min: PositiveInt
    until: FollowUpUntil
    anchor: FollowUpAnchor = "observation"
    # "At least" this often: no extra check where another is already due within `every_min`.
    at_least: bool = False


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
    """One pre-start item. `done_in_app` names what the app itself records for it: "baseline-check" is the
    schedule's baseline check, due at once when the session starts, so the item is not ticked beforehand."""

    id: Identifier
    text: Text
    requires_name: bool = False
    done_in_app: Literal["baseline-check"] | None = None


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
    follow_ups: tuple[FollowUp, ...] = ()
    sedation_scales: tuple[SedationScale, ...] = Field(min_length=1)
    checklist: tuple[ChecklistItem, ...] = Field(min_length=1)
    screening: Screening
    contraindications: tuple[Contraindication, ...] = ()
    side_effects: tuple[SideEffect, ...] = ()
    evidence_notes: tuple[Note, ...] = ()
    sources: tuple[Source, ...] = Field(min_length=1)
