"""Escalation: every rule of default-library.md section 6 at both sides of its edges, action order, the
infusion decision's precedence, and libraries whose rules could never fire as meant."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, get_args

import pytest

from ketamine_desktop.domain.assessment import (
    Action,
    Assessment,
    AssessmentContext,
    News2Result,
    News2Scores,
    Observation,
    assess,
    escalation_problems,
)
from ketamine_desktop.domain.library import (
    FIELD_KINDS,
    Condition,
    ConditionField,
    EscalationRule,
    Library,
    SedationScale,
)


def codes(library: Library, context: AssessmentContext | None = None, /, **observed: Any) -> tuple[str, ...]:
    result = assess(library, Observation(**observed), context or AssessmentContext())
    return tuple(action.code for action in result.actions)


def decision(library: Library, context: AssessmentContext | None = None, /, **observed: Any) -> str:
    return assess(library, Observation(**observed), context or AssessmentContext()).infusion


def test_nothing_recorded_means_no_action(library: Library) -> None:
    result = assess(library, Observation())
    assert result.actions == ()
    assert result.infusion == "continue"
    assert result.needs_acknowledgement is False
    assert result.psychotomimetic is False


def test_all_normal_means_no_action(library: Library) -> None:
    observed = Observation(
        respiration_rate=16,
        spo2=98,
        oxygen=False,
        systolic_bp=130,
        pulse=70,
        consciousness="A",
        temperature=Decimal("37.0"),
        poss="2",
        rass=0,
        pain=6,
    )
    result = assess(library, observed, AssessmentContext(previous_pain=8, prior_episodes=2))
    assert result.actions == ()
    assert result.infusion == "continue"


# --- stop / reduce: sedation and breathing --------------------------------------------------------------


@pytest.mark.parametrize(
    ("poss", "expected", "infusion"),
    [
        ("S", (), "continue"),
        ("1", (), "continue"),
        ("2", (), "continue"),
        ("3", ("reduce-infusion",), "reduce"),
        ("4", ("stop-infusion",), "stop"),
    ],
)
def test_poss(library: Library, poss: str, expected: tuple[str, ...], infusion: str) -> None:
    assert codes(library, poss=poss) == expected
    assert decision(library, poss=poss) == infusion


@pytest.mark.parametrize(
    ("rass", "expected", "infusion"),
    [
        (-5, ("stop-infusion",), "stop"),
        (-4, ("stop-infusion",), "stop"),
        (-3, ("reduce-infusion",), "reduce"),
        (-2, (), "continue"),
        (0, (), "continue"),
        (1, (), "continue"),
        (2, ("psychotomimetic-first",), "pause"),
        (4, ("psychotomimetic-first",), "pause"),
    ],
)
def test_rass(library: Library, rass: int, expected: tuple[str, ...], infusion: str) -> None:
    assert codes(library, rass=rass) == expected
    assert decision(library, rass=rass) == infusion


@pytest.mark.parametrize(
    ("rr", "expected"),
    [
        (0, ("stop-infusion", "news2-review")),
        (8, ("stop-infusion", "news2-review")),  # RR 8 also scores 3 in NEWS2
        (9, ("notify-respiratory",)),
        (11, ("notify-respiratory",)),
        (12, ()),
        (20, ()),
    ],
)
def test_respiration_rate(library: Library, rr: int, expected: tuple[str, ...]) -> None:
    assert codes(library, respiration_rate=rr) == expected


@pytest.mark.parametrize(
    ("spo2", "expected"),
    [
        (91, ("stop-infusion", "news2-review")),
        (92, ("notify-respiratory",)),
        (93, ("notify-respiratory",)),
        (94, ()),
        (96, ()),
    ],
)
def test_spo2(library: Library, spo2: int, expected: tuple[str, ...]) -> None:
    assert codes(library, spo2=spo2) == expected


def test_stop_action_content_is_the_library_rule(library: Library) -> None:
    result = assess(library, Observation(poss="4"))
    rule = library.document.escalation[0]
    assert result.actions == (
        Action(
            code="stop-infusion",
            severity="urgent",
            text=rule.text,
            sources=("POSS", "NEWS2", "SEED-A(8)"),
            flags=("derived",),
            infusion="stop",
        ),
    )
    assert result.needs_acknowledgement is True


# --- blood pressure and pulse ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sbp", "expected", "infusion"),
    [
        (0, ("hypotension", "news2-review"), "continue"),
        (90, ("hypotension", "news2-review"), "continue"),
        (91, (), "continue"),
        (179, (), "continue"),
        (180, ("haemodynamic-high",), "pause"),
        (219, ("haemodynamic-high",), "pause"),
        (220, ("news2-review", "haemodynamic-high"), "pause"),  # SBP 220 scores 3 too
    ],
)
def test_systolic_bp(library: Library, sbp: int, expected: tuple[str, ...], infusion: str) -> None:
    assert codes(library, systolic_bp=sbp) == expected
    assert decision(library, systolic_bp=sbp) == infusion


def test_hypotension_is_urgent_but_leaves_the_infusion(library: Library) -> None:
    result = assess(library, Observation(systolic_bp=85))
    assert result.actions[0].severity == "urgent"
    assert result.infusion == "continue"
    assert result.needs_acknowledgement is True


@pytest.mark.parametrize(
    ("pulse", "expected", "infusion"),
    [
        (110, (), "continue"),
        (130, (), "continue"),  # scores 2 in NEWS2, below every rule
        (131, ("news2-review", "haemodynamic-high"), "pause"),
        (300, ("news2-review", "haemodynamic-high"), "pause"),
    ],
)
def test_pulse(library: Library, pulse: int, expected: tuple[str, ...], infusion: str) -> None:
    assert codes(library, pulse=pulse) == expected
    assert decision(library, pulse=pulse) == infusion


# --- NEWS2 totals ---------------------------------------------------------------------------------------


def test_news2_total_4_without_a_three_is_no_action(library: Library) -> None:
    assert codes(library, respiration_rate=21, oxygen=True) == ()


@pytest.mark.parametrize("changes", [{"pulse": 91}, {"temperature": Decimal("38.5")}])
def test_news2_total_5_and_6_are_review(library: Library, changes: dict[str, Any]) -> None:
    base = {"respiration_rate": 21, "oxygen": True}
    assert codes(library, **base, **changes) == ("news2-review",)
    assert codes(library, **base, pulse=91, temperature=Decimal("38.5")) == ("news2-review",)


def test_news2_total_7_is_high(library: Library) -> None:
    observed = {
        "respiration_rate": 21,
        "oxygen": True,
        "pulse": 91,
        "temperature": Decimal("38.5"),
        "spo2": 95,
    }
    assert codes(library, **observed) == ("news2-high",)
    result = assess(library, Observation(**observed))
    assert result.news2.total == 7
    assert result.infusion == "continue"
    assert result.needs_acknowledgement is True


def test_news2_high_and_a_single_three_both_fire(library: Library) -> None:
    found = codes(library, respiration_rate=25, oxygen=True, pulse=111)  # 3 + 2 + 2
    assert found == ("news2-high", "news2-review")


@pytest.mark.parametrize("level", ["C", "V", "P", "U"])
def test_a_single_three_from_consciousness_is_review(library: Library, level: str) -> None:
    assert codes(library, consciousness=level) == ("news2-review",)


def test_an_incomplete_total_that_reaches_a_threshold_still_fires(library: Library) -> None:
    result = assess(library, Observation(respiration_rate=22, pulse=120, oxygen=True))
    assert result.news2.complete is False
    assert tuple(a.code for a in result.actions) == ("news2-review",)


# --- psychotomimetic episodes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "symptom",
    [{"hallucinations": True}, {"dysphoria": True}, {"nightmares": True}, {"rass": 2}, {"rass": 3}],
)
def test_psychotomimetic_first_episode_pauses(library: Library, symptom: dict[str, Any]) -> None:
    result = assess(library, Observation(**symptom), AssessmentContext(prior_episodes=0))
    assert tuple(a.code for a in result.actions) == ("psychotomimetic-first",)
    assert result.actions[0].severity == "warning"
    assert result.infusion == "pause"
    assert result.psychotomimetic is True
    assert result.needs_acknowledgement is False


@pytest.mark.parametrize("prior", [1, 2, 10])
def test_psychotomimetic_repeat_keeps_paused_and_is_urgent(library: Library, prior: int) -> None:
    result = assess(library, Observation(dysphoria=True), AssessmentContext(prior_episodes=prior))
    assert tuple(a.code for a in result.actions) == ("psychotomimetic-repeat",)
    assert result.actions[0].severity == "urgent"
    assert result.infusion == "pause"
    assert result.needs_acknowledgement is True


def test_prior_episodes_alone_is_not_an_episode(library: Library) -> None:
    result = assess(library, Observation(rass=1), AssessmentContext(prior_episodes=3))
    assert result.actions == ()
    assert result.psychotomimetic is False


def test_several_symptoms_are_one_action(library: Library) -> None:
    assert codes(library, hallucinations=True, dysphoria=True, nightmares=True, rass=4) == (
        "psychotomimetic-first",
    )


# --- nausea and pain ------------------------------------------------------------------------------------


def test_nausea(library: Library) -> None:
    result = assess(library, Observation(nausea=True))
    assert tuple(a.code for a in result.actions) == ("nausea",)
    assert result.actions[0].severity == "info"
    assert result.infusion == "continue"
    assert result.needs_acknowledgement is False


@pytest.mark.parametrize(
    ("pain", "previous", "fires"),
    [
        (7, 7, True),
        (10, 10, True),
        (7, 10, True),
        (6, 7, False),
        (7, 6, False),
        (7, None, False),  # only once: no previous score
        (None, 8, False),
        (10, 0, False),
    ],
)
def test_pain_titration_needs_two_checks_in_a_row(
    library: Library, pain: int | None, previous: int | None, fires: bool
) -> None:
    found = codes(library, AssessmentContext(previous_pain=previous), pain=pain)
    assert found == (("pain-titration",) if fires else ())


# --- order and precedence -------------------------------------------------------------------------------


def test_actions_are_urgent_first_then_library_order(library: Library) -> None:
    result = assess(
        library,
        Observation(nausea=True, pulse=131, systolic_bp=85, respiration_rate=8),
        AssessmentContext(previous_pain=9),
    )
    assert tuple(a.code for a in result.actions) == (
        "stop-infusion",
        "news2-high",  # 3 + 3 + 3 = 9
        "hypotension",
        "news2-review",
        "haemodynamic-high",
        "nausea",
    )
    assert [a.severity for a in result.actions] == ["urgent"] * 3 + ["warning"] * 2 + ["info"]
    assert result.infusion == "stop"


@pytest.mark.parametrize(
    ("observed", "infusion"),
    [
        ({"poss": "4", "pulse": 131}, "stop"),  # stop > pause
        ({"poss": "4", "rass": -3}, "stop"),  # stop > reduce
        ({"rass": -3, "pulse": 131}, "pause"),  # pause > reduce
        ({"poss": "3", "hallucinations": True}, "pause"),
        ({"poss": "3", "nausea": True}, "reduce"),  # reduce > continue
        ({"nausea": True}, "continue"),
        ({"rass": -4, "poss": "3", "systolic_bp": 200, "nausea": True}, "stop"),
    ],
)
def test_infusion_decision_precedence(library: Library, observed: dict[str, Any], infusion: str) -> None:
    assert decision(library, **observed) == infusion


def test_contract_reduce_and_repeat_examples(library: Library) -> None:
    # cli-contract.md: "POSS 3 or RASS -3 means reduce; a psychotomimetic episode with --prior-episodes 1
    # or more keeps the infusion paused and adds an urgent action".
    assert decision(library, poss="3") == "reduce"
    assert decision(library, rass=-3) == "reduce"
    repeat = assess(library, Observation(hallucinations=True), AssessmentContext(prior_episodes=1))
    assert repeat.infusion == "pause"
    assert any(a.severity == "urgent" for a in repeat.actions)


def test_needs_acknowledgement_is_any_urgent() -> None:
    scores = News2Scores(
        respiration_rate=None,
        spo2=None,
        air_or_oxygen=None,
        systolic_bp=None,
        pulse=None,
        consciousness=None,
        temperature=None,
    )
    news2 = News2Result(total=0, complete=False, risk="low", risk_text="x", scores=scores)

    def action(severity: Any) -> Action:
        return Action(code="x", severity=severity, text="x", sources=(), flags=(), infusion="continue")

    def made(*severities: str) -> Assessment:
        return Assessment(
            news2=news2,
            actions=tuple(action(s) for s in severities),
            infusion="continue",
            psychotomimetic=False,
        )

    assert made().needs_acknowledgement is False
    assert made("info", "warning").needs_acknowledgement is False
    assert made("info", "urgent").needs_acknowledgement is True


# --- library variations ---------------------------------------------------------------------------------


def _with(library: Library, **update: Any) -> Library:
    return library.model_copy(update={"document": library.document.model_copy(update=update)})


def _rule(*groups: tuple[Condition, ...], code: str = "custom") -> EscalationRule:
    return EscalationRule(code=code, severity="info", infusion="continue", text="custom", when=groups)


def test_the_default_library_rules_are_well_formed(library: Library) -> None:
    assert escalation_problems(library) == ()


def test_every_condition_field_has_a_kind() -> None:
    assert set(get_args(ConditionField)) == set(FIELD_KINDS)


def test_a_rule_on_every_field_can_be_evaluated(library: Library) -> None:
    tests: dict[str, dict[str, Any]] = {
        "poss": {"equals": ("2",)},
        "psychotomimetic": {"is_true": False},
        "nausea": {"is_true": False},
    }
    rules = tuple(
        _rule(
            (Condition(field=name, **tests.get(name, {"min": Decimal(0)})),),
            code=f"on-{name.replace('_', '-')}",
        )
        for name in get_args(ConditionField)
    )
    custom = _with(library, escalation=rules)
    assert escalation_problems(custom) == ()
    observed = Observation(
        respiration_rate=16,
        spo2=98,
        oxygen=False,
        systolic_bp=130,
        pulse=70,
        consciousness="A",
        temperature=Decimal("37.0"),
        poss="2",
        rass=0,
        pain=1,
    )
    fired = assess(custom, observed, AssessmentContext(previous_pain=1))
    assert len(fired.actions) == len(rules)


def test_is_true_false_matches_the_absence_of_a_finding(library: Library) -> None:
    custom = _with(library, escalation=(_rule((Condition(field="nausea", is_true=False),)),))
    assert codes(custom) == ("custom",)
    assert codes(custom, nausea=True) == ()


def test_news2_facts_are_missing_when_nothing_is_scored(library: Library) -> None:
    custom = _with(
        library,
        escalation=(
            _rule((Condition(field="news2_total", max=Decimal(0)),), code="zero-total"),
            _rule((Condition(field="news2_max_parameter_score", max=Decimal(0)),), code="zero-max"),
        ),
    )
    assert codes(custom) == ()
    assert codes(custom, pulse=70) == ("zero-total", "zero-max")


def test_a_rule_fires_only_when_a_whole_group_matches(library: Library) -> None:
    custom = _with(
        library,
        escalation=(
            _rule(
                (Condition(field="pulse", min=Decimal(100)), Condition(field="spo2", max=Decimal(94))),
                (Condition(field="poss", equals=("3", "4")),),
            ),
        ),
    )
    assert codes(custom, pulse=100, spo2=94) == ("custom",)
    assert codes(custom, pulse=100, spo2=95) == ()
    assert codes(custom, pulse=99, spo2=94) == ()
    assert codes(custom, pulse=100) == ()  # SpO2 not recorded: that condition does not hold
    assert codes(custom, poss="4") == ("custom",)
    assert codes(custom, poss="2") == ()


def test_without_a_rass_scale_agitation_is_not_psychotomimetic(library: Library) -> None:
    poss_only = _with(library, sedation_scales=(library.sedation_scale("POSS"),))
    assert assess(poss_only, Observation(rass=4)).psychotomimetic is False
    assert assess(poss_only, Observation(nightmares=True)).psychotomimetic is True


def test_a_rass_scale_without_a_threshold(library: Library) -> None:
    rass: SedationScale = library.sedation_scale("RASS").model_copy(
        update={"psychotomimetic_at_or_above": None}
    )
    custom = _with(library, sedation_scales=(library.sedation_scale("POSS"), rass))
    assert assess(custom, Observation(rass=4)).psychotomimetic is False


def test_the_rass_threshold_comes_from_the_library(library: Library) -> None:
    rass = library.sedation_scale("RASS").model_copy(update={"psychotomimetic_at_or_above": 1})
    custom = _with(library, sedation_scales=(library.sedation_scale("POSS"), rass))
    assert assess(custom, Observation(rass=1)).psychotomimetic is True
    assert assess(library, Observation(rass=1)).psychotomimetic is False


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        (Condition(field="spo2", equals=("91",)), "spo2 is a number: test it with min and max"),
        (Condition(field="spo2", is_true=True), "spo2 is a number: test it with min and max"),
        (Condition(field="spo2"), "states no test (min, max)"),
        (Condition(field="spo2", min=Decimal(95), max=Decimal(90)), "min 95 is above max 90"),
        (Condition(field="poss", min=Decimal(3)), "poss is a scale level: test it with equals"),
        (Condition(field="poss", is_true=True), "poss is a scale level: test it with equals"),
        (Condition(field="poss"), "poss is a scale level: test it with equals"),
        (Condition(field="poss", equals=("3", "5")), "'5' is not a poss level (S, 1, 2, 3, 4)"),
        (Condition(field="nausea", min=Decimal(1)), "nausea is yes or no: test it with is_true"),
        (Condition(field="nausea", equals=("true",)), "nausea is yes or no: test it with is_true"),
        (Condition(field="nausea"), "nausea is yes or no: test it with is_true"),
        (Condition.model_construct(field="temperature", min=Decimal(38)), "unknown field 'temperature'"),  # type: ignore[arg-type]
    ],
)
def test_malformed_conditions_are_refused(library: Library, condition: Condition, problem: str) -> None:
    custom = _with(library, escalation=(_rule((condition,)),))
    problems = escalation_problems(custom)
    assert problems == (f"escalation[0] (custom).when[0][0]: {problem}",)
    with pytest.raises(ValueError, match="custom"):
        assess(custom, Observation())


def test_an_empty_group_is_refused(library: Library) -> None:
    custom = _with(library, escalation=(*library.document.escalation, _rule((), code="always")))
    assert escalation_problems(custom) == (
        "escalation[11] (always).when[0]: an empty group would fire on every check",
    )
    with pytest.raises(ValueError, match="empty group"):
        assess(custom, Observation())
