"""One recorded check: its NEWS2 score and the escalation actions the library prescribes for it.

Pure functions over the library. Every band, risk level, threshold and action comes from the library's
`[news2]`, `[[escalation]]` and `[[sedation_scales]]` sections, so a pharmacy can change them without code.
The only numbers written here are the plausible input ranges of the CLI contract (`OBSERVATION_RANGES`):
they reject typing errors, they are not clinical thresholds.

Semantics, in brief:
- NEWS2 is scored from the parameters present; `complete` is false when any of the seven is missing. Each
  value is first rounded half up to its parameter's `resolution` (temperature 0.1 C, the others 1).
- A rule fires when any one of its `when` groups matches; a group matches when all its conditions hold;
  `min` and `max` are inclusive; a condition on a value that was not recorded does not hold.
- The infusion decision is the strongest decision of the fired rules: stop > pause > reduce > continue.
  The first fired rule (urgent first, then library order) that says it is *the* decision; an action whose
  infusion instruction conflicts with it (halve when stopping, pause when stopping) is superseded by it:
  kept, with `superseded_by`, shown as "also triggered", never as an instruction. Of the rules of one
  `family` that fire together only the first in library order is shown; the others are superseded by it.
  What the superseded actions still ask that does not touch the infusion (their `steps`: notify, recheck)
  stays in the numbered list of instructions under the decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import Field, Strict, ValidationInfo, field_validator, model_validator

from ketamine_desktop.domain.library import (
    Condition,
    EscalationRule,
    InfusionDecision,
    Library,
    News2,
    News2Band,
    News2Risk,
    Severity,
    rule_problems,
)
from ketamine_desktop.domain.model import FrozenModel
from ketamine_desktop.domain.units import round_half_up

__all__ = [
    "CONTINUE_CODE",
    "NEWS2_PARAMETER_WORDS",
    "OBSERVATION_RANGES",
    "Action",
    "Assessment",
    "AssessmentContext",
    "ConsciousnessLevel",
    "Decision",
    "News2Result",
    "News2Scores",
    "Observation",
    "ObservationRange",
    "PossLevel",
    "RiskLevel",
    "assess",
    "assess_series",
    "blood_pressure_problem",
    "escalation_problems",
    "score_news2",
]

ConsciousnessLevel = Literal["A", "C", "V", "P", "U"]
PossLevel = Literal["S", "1", "2", "3", "4"]
RiskLevel = Literal["low", "low-medium", "medium", "high"]

# Orders, not clinical numbers: how to sort actions and which decision wins.
_SEVERITY_ORDER: tuple[Severity, ...] = ("urgent", "warning", "info")
_INFUSION_ORDER: tuple[InfusionDecision, ...] = ("continue", "reduce", "pause", "stop")

_Fact = Decimal | str | bool | None
# The decision when no fired rule changes the infusion (words, not a clinical number).
CONTINUE_CODE = "continue"
_CONTINUE_TEXT = "No rule asks to change the infusion: continue."


class ObservationRange(FrozenModel):
    """The plausible range of one typed observation (input validation from the CLI contract)."""

    label: str
    low: Decimal
    high: Decimal
    whole: bool

    @property
    def message(self) -> str:
        return f"must be from {self.low} to {self.high}"

    def problem(self, value: Decimal) -> str | None:
        """Why `value` is not acceptable, in the words the CLI and the window both show; None if fine."""
        if self.whole and value != value.to_integral_value():
            return "must be a whole number"
        if not self.low <= value <= self.high:
            return self.message
        return None


def _range(label: str, low: str, high: str, *, whole: bool = True) -> ObservationRange:
    return ObservationRange(label=label, low=Decimal(low), high=Decimal(high), whole=whole)


# Keyed by Observation / AssessmentContext field name. From cli-contract.md ("Ranges (outside: exit 2)").
OBSERVATION_RANGES: Mapping[str, ObservationRange] = MappingProxyType(
    {
        "respiration_rate": _range("respiration rate", "0", "80"),
        "spo2": _range("SpO2", "50", "100"),
        "pulse": _range("pulse", "0", "300"),
        "systolic_bp": _range("systolic blood pressure", "0", "300"),
        "diastolic_bp": _range("diastolic blood pressure", "0", "300"),
        "temperature": _range("temperature", "25.0", "45.0", whole=False),
        "pain": _range("pain score", "0", "10"),
        "previous_pain": _range("previous pain score", "0", "10"),
        "rass": _range("RASS", "-5", "4"),
    }
)


def _check_range(field: str, value: Decimal) -> None:
    problem = OBSERVATION_RANGES[field].problem(value)
    if problem is not None:
        raise ValueError(problem)


_StrictInt = Annotated[int, Strict()]
_StrictBool = Annotated[bool, Strict()]


class Observation(FrozenModel):
    """One check as recorded. None means "not recorded"; `oxygen` False means breathing air."""

    respiration_rate: _StrictInt | None = None
    spo2: _StrictInt | None = None
    oxygen: _StrictBool | None = None
    systolic_bp: _StrictInt | None = None
    diastolic_bp: _StrictInt | None = None  # charted with the systolic; NEWS2 scores the systolic only
    pulse: _StrictInt | None = None
    consciousness: ConsciousnessLevel | None = None
    temperature: Annotated[Decimal, Field(allow_inf_nan=False)] | None = None
    poss: PossLevel | None = None
    rass: _StrictInt | None = None
    hallucinations: _StrictBool = False
    dysphoria: _StrictBool = False
    nightmares: _StrictBool = False
    nausea: _StrictBool = False
    pain: _StrictInt | None = None

    @field_validator("respiration_rate", "spo2", "systolic_bp", "diastolic_bp", "pulse", "rass", "pain")
    @classmethod
    def _whole_in_range(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None:
            _check_range(info.field_name or "", Decimal(value))
        return value

    @field_validator("temperature", mode="before")
    @classmethod
    def _no_binary_float(cls, value: object) -> object:
        # A float has already lost the typed digits (36.05 is 36.04999...); rounding it half up to 0.1
        # could then score the wrong band. Decimal or text only.
        if isinstance(value, float):
            raise ValueError("give the temperature as a Decimal or text, not a float")
        return value

    @field_validator("temperature")
    @classmethod
    def _temperature_in_range(cls, value: Decimal | None) -> Decimal | None:
        if value is not None:
            _check_range("temperature", value)
        return value

    @model_validator(mode="after")
    def _diastolic_not_above_systolic(self) -> Observation:
        problem = blood_pressure_problem(self.systolic_bp, self.diastolic_bp)
        if problem is not None:
            raise ValueError(problem)
        return self


def blood_pressure_problem(systolic: int | None, diastolic: int | None) -> str | None:
    """Why a systolic/diastolic pair cannot be right (a typing error, not a clinical threshold); None if
    fine. A diastolic above the systolic is a swapped or mistyped pair."""
    if systolic is not None and diastolic is not None and diastolic > systolic:
        return f"diastolic {diastolic} is above the systolic {systolic}: check the order"
    return None


class AssessmentContext(FrozenModel):
    """What the check needs from earlier checks of the same infusion."""

    prior_episodes: Annotated[_StrictInt, Field(ge=0)] = 0
    previous_pain: _StrictInt | None = None

    @field_validator("previous_pain")
    @classmethod
    def _previous_pain_in_range(cls, value: int | None) -> int | None:
        if value is not None:
            _check_range("previous_pain", Decimal(value))
        return value


# The seven NEWS2 parameters in words, for every place that names a missing or scored one.
NEWS2_PARAMETER_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "respiration_rate": "respiration rate",
        "spo2": "SpO2",
        "air_or_oxygen": "air or oxygen",
        "systolic_bp": "systolic BP",
        "pulse": "pulse",
        "consciousness": "consciousness",
        "temperature": "temperature",
    }
)


class News2Scores(FrozenModel):
    """The score of each of the seven NEWS2 parameters; None when the parameter was not recorded."""

    respiration_rate: int | None
    spo2: int | None
    air_or_oxygen: int | None
    systolic_bp: int | None
    pulse: int | None
    consciousness: int | None
    temperature: int | None

    def present(self) -> tuple[int, ...]:
        return tuple(score for score in self.model_dump().values() if score is not None)

    def missing(self) -> tuple[str, ...]:
        return tuple(name for name, score in self.model_dump().items() if score is None)


class News2Result(FrozenModel):
    total: int
    complete: bool
    risk: RiskLevel
    risk_text: str
    scores: News2Scores


class Action(FrozenModel):
    code: str
    severity: Severity
    text: str
    sources: tuple[str, ...]
    flags: tuple[str, ...]
    infusion: InfusionDecision
    # Records written before decisions existed have neither: nothing superseded, no steps.
    superseded_by: str | None = None
    steps: tuple[str, ...] = ()


class Decision(FrozenModel):
    """The one thing to do about the infusion after a check."""

    infusion: InfusionDecision
    code: str  # the deciding action's code, or CONTINUE_CODE when no rule changes the infusion
    text: str
    severity: Severity | None  # the deciding action's; None for a plain continue


class Assessment(FrozenModel):
    news2: News2Result
    actions: tuple[Action, ...]  # urgent first, then warning, then info; library order within each
    infusion: InfusionDecision
    psychotomimetic: bool  # this check counts as a psychotomimetic episode (for the next prior_episodes)

    @property
    def needs_acknowledgement(self) -> bool:
        return any(action.severity == "urgent" for action in self.actions)

    @property
    def decision(self) -> Decision:
        deciding = _deciding(self.actions, self.infusion)
        if deciding is None:
            return Decision(infusion=self.infusion, code=CONTINUE_CODE, text=_CONTINUE_TEXT, severity=None)
        return Decision(
            infusion=deciding.infusion, code=deciding.code, text=deciding.text, severity=deciding.severity
        )

    @property
    def shown_actions(self) -> tuple[Action, ...]:
        """The actions that are instructions: not superseded, the deciding one first."""
        deciding = _deciding(self.actions, self.infusion)
        rest = tuple(a for a in self.actions if a.superseded_by is None and a is not deciding)
        return rest if deciding is None else (deciding, *rest)

    @property
    def superseded(self) -> tuple[Action, ...]:
        """The actions that fired but are not instructions ("also triggered")."""
        return tuple(a for a in self.actions if a.superseded_by is not None)

    @property
    def instructions(self) -> tuple[str, ...]:
        """The short numbered list under the decision: the other actions' texts, then what the superseded
        ones still ask that does not touch the infusion; each once."""
        texts = [a.text for a in self.shown_actions if a.code != self.decision.code]
        texts.extend(step for a in self.superseded for step in a.steps)
        return tuple(dict.fromkeys(texts))


def _deciding(actions: tuple[Action, ...], infusion: InfusionDecision) -> Action | None:
    if infusion == "continue":
        return None
    return next((a for a in actions if a.infusion == infusion and a.superseded_by is None), None)


# --- NEWS2 ---------------------------------------------------------------------------------------------


def _band_score(parameter: News2Band, value: Decimal) -> int:
    rounded = round_half_up(value, parameter.resolution)
    for band in parameter.bands:
        if (band.min is None or rounded >= band.min) and (band.max is None or rounded <= band.max):
            return band.score
    # Unreachable for a library that passed load_library (its bands are checked to follow on).
    raise ValueError(f"news2.parameters ({parameter.id}): no band holds {rounded}")


def _risk(news2: News2, total: int, present: tuple[int, ...]) -> News2Risk:
    for risk in news2.risks:
        if risk.total_min is not None and total < risk.total_min:
            continue
        # "Any single parameter scoring 3": at least that score, so a lower setting reads "or more".
        if risk.any_parameter_score is not None and not any(s >= risk.any_parameter_score for s in present):
            continue
        return risk
    raise ValueError(f"news2.risks: no risk level covers a total of {total}")


def score_news2(library: Library, obs: Observation) -> News2Result:
    """The NEWS2 score of `obs` from the library's bands, over the parameters present."""
    news2 = library.document.news2
    scores: dict[str, int | None] = {}
    for parameter in news2.parameters:
        value = getattr(obs, parameter.id)
        scores[parameter.id] = None if value is None else _band_score(parameter, Decimal(value))
    if obs.oxygen is None:
        scores["air_or_oxygen"] = None
    else:
        scores["air_or_oxygen"] = news2.air_or_oxygen.oxygen if obs.oxygen else news2.air_or_oxygen.air
    scores["consciousness"] = (
        None if obs.consciousness is None else getattr(news2.consciousness, obs.consciousness)
    )
    table = News2Scores.model_validate(scores)
    present = table.present()
    total = sum(present)
    risk = _risk(news2, total, present)
    return News2Result(
        total=total,
        complete=not table.missing(),
        risk=risk.level,
        risk_text=risk.text,
        scores=table,
    )


# --- Escalation ----------------------------------------------------------------------------------------


def escalation_problems(library: Library) -> tuple[str, ...]:
    """Rules that could never fire as meant; the loader refuses such a library, this guards any other."""
    return tuple(rule_problems(library.document))


def _rass_psychotomimetic_threshold(library: Library) -> int | None:
    for scale in library.document.sedation_scales:
        if scale.id == "RASS":
            return scale.psychotomimetic_at_or_above
    return None


def _is_psychotomimetic(library: Library, obs: Observation) -> bool:
    threshold = _rass_psychotomimetic_threshold(library)
    agitated = obs.rass is not None and threshold is not None and obs.rass >= threshold
    return obs.hallucinations or obs.dysphoria or obs.nightmares or agitated


def _number(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _facts(
    obs: Observation, context: AssessmentContext, news2: News2Result, psychotomimetic: bool
) -> dict[str, _Fact]:
    present = news2.scores.present()
    return {
        "poss": obs.poss,
        "rass": _number(obs.rass),
        "respiration_rate": _number(obs.respiration_rate),
        "spo2": _number(obs.spo2),
        "pulse": _number(obs.pulse),
        "systolic_bp": _number(obs.systolic_bp),
        "pain": _number(obs.pain),
        "previous_pain": _number(context.previous_pain),
        # With nothing scored there is no total to compare; a partial total is a lower bound, so a
        # threshold it already reaches holds whatever the missing parameters would add.
        "news2_total": Decimal(news2.total) if present else None,
        "news2_max_parameter_score": Decimal(max(present)) if present else None,
        "psychotomimetic": psychotomimetic,
        "prior_episodes": Decimal(context.prior_episodes),
        "nausea": obs.nausea,
    }


def _holds(condition: Condition, value: _Fact) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value is condition.is_true
    if isinstance(value, str):
        return condition.equals is not None and value in condition.equals
    return (condition.min is None or value >= condition.min) and (
        condition.max is None or value <= condition.max
    )


def _fires(rule: EscalationRule, facts: Mapping[str, _Fact]) -> bool:
    return any(all(_holds(c, facts[c.field]) for c in group) for group in rule.when)


def _action(rule: EscalationRule, superseded_by: str | None) -> Action:
    return Action(
        code=rule.code,
        severity=rule.severity,
        text=rule.text,
        sources=rule.sources,
        flags=rule.flags,
        infusion=rule.infusion,
        superseded_by=superseded_by,
        steps=rule.steps,
    )


def _superseding(fired: list[EscalationRule], infusion: InfusionDecision) -> dict[str, str]:
    """Which fired rule supersedes which: the first of a family the rest of it; then the deciding rule
    every rule whose infusion instruction conflicts with the decision."""
    by: dict[str, str] = {}
    first_of: dict[str, str] = {}
    for rule in fired:
        if rule.family is None:
            continue
        if rule.family in first_of:
            by[rule.code] = first_of[rule.family]
        else:
            first_of[rule.family] = rule.code
    ranked = sorted(fired, key=lambda rule: _SEVERITY_ORDER.index(rule.severity))
    deciding = next((r for r in ranked if r.infusion == infusion and r.code not in by), None)
    if deciding is not None and infusion != "continue":
        for rule in fired:
            if rule.infusion not in ("continue", infusion):
                by.setdefault(rule.code, deciding.code)
    return by


def assess(
    library: Library,
    obs: Observation,
    context: AssessmentContext = AssessmentContext(),  # noqa: B008 (frozen, so one shared default is safe)
) -> Assessment:
    """Score NEWS2 and apply every escalation rule of the library to one check.

    Raises ValueError when the library's escalation rules are malformed (see `escalation_problems`):
    a rule that silently never fires would be worse than an error.
    """
    problems = escalation_problems(library)
    if problems:
        raise ValueError("; ".join(problems))
    news2 = score_news2(library, obs)
    psychotomimetic = _is_psychotomimetic(library, obs)
    facts = _facts(obs, context, news2, psychotomimetic)
    rules = [rule for rule in library.document.escalation if _fires(rule, facts)]
    infusion = max((rule.infusion for rule in rules), key=_INFUSION_ORDER.index, default=_INFUSION_ORDER[0])
    superseded = _superseding(rules, infusion)
    fired = [_action(rule, superseded.get(rule.code)) for rule in rules]
    # sorted() is stable, so library order survives within each severity.
    actions = tuple(sorted(fired, key=lambda action: _SEVERITY_ORDER.index(action.severity)))
    return Assessment(news2=news2, actions=actions, infusion=infusion, psychotomimetic=psychotomimetic)


def assess_series(library: Library, observations: Sequence[Observation]) -> tuple[Assessment, ...]:
    """Assess the checks of one infusion in order, each with what the earlier ones tell it: the
    psychotomimetic episodes so far and the last pain score recorded."""
    assessments: list[Assessment] = []
    episodes = 0
    previous_pain: int | None = None
    for obs in observations:
        context = AssessmentContext(prior_episodes=episodes, previous_pain=previous_pain)
        assessment = assess(library, obs, context)
        assessments.append(assessment)
        episodes += assessment.psychotomimetic
        previous_pain = obs.pain if obs.pain is not None else previous_pain
    return tuple(assessments)
