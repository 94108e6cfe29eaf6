"""The library's consistency checks: what no single field can check on its own (duplicate ids, limits in
order, known schedules and sources, NEWS2 bands without gaps, escalation rules that can fire).

`consistency_problems(document)` yields every problem in words with its place; `library.parse_library`
refuses a library with any.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Literal, get_args

from pydantic import BaseModel

from ketamine_desktop.domain.library_schema import (
    SOURCE_REF,
    BolusSpec,
    Concentrations,
    Condition,
    ConditionField,
    Grace,
    InfusionSpec,
    LibraryDocument,
    News2,
    News2Parameter,
    Schedule,
    WeightRules,
)


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
    yield from _follow_up_problems(doc)
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


def _follow_up_problems(doc: LibraryDocument) -> Iterator[str]:
    """Follow-ups name rules that exist, each rule at most once, and say where their numbers come from."""
    codes = {rule.code for rule in doc.escalation}
    seen: set[str] = set()
    for index, follow_up in enumerate(doc.follow_ups):
        place = f"follow_ups[{index}]"
        for code in follow_up.rules:
            if code not in codes:
                yield f"{place}.rules: unknown escalation rule {code!r}"
            elif code in seen:
                yield f"{place}.rules: {code!r} already has a follow-up"
            seen.add(code)
        if not follow_up.sources and not follow_up.flags:
            yield f"{place}: give its sources, or flag it derived"


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
    for missing in sorted(set(get_args(News2Parameter)) - set(ids)):
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
        match = SOURCE_REF.match(ref)
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
