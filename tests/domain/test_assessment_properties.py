"""Properties of NEWS2 and the escalation decision over random checks (hypothesis).

- The scores agree with an independent reading of the RCP 2017 table, and the total is the sum of the
  scores present, a whole number from 0 to 20 (never NaN, never a float).
- Adding a worse finding never weakens the decision: moving any observation further from normal, recording
  a missing one, adding a symptom or an earlier episode never lowers the infusion decision, the NEWS2
  total, or the need for an urgent acknowledgement.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_desktop.domain.assessment import (
    AssessmentContext,
    Observation,
    assess,
    score_news2,
)
from ketamine_desktop.domain.library import Library, load_library
from tests.helpers.library_edit import DEFAULT_LIBRARY
from tests.helpers.runs import examples

LIBRARY: Library = load_library(DEFAULT_LIBRARY)
EVERY_RUN = examples(300, long=5000)

# Whole-number fields: (low, high, the "centre" that worse values move away from). The centres are test
# choices inside the normal NEWS2 band and between every escalation threshold.
WHOLE = {
    "respiration_rate": (0, 80, 16),
    "spo2": (50, 100, 100),
    "systolic_bp": (0, 300, 140),
    "pulse": (0, 300, 70),
    "rass": (-5, 4, 0),
    "pain": (0, 10, 0),
}
TEMPERATURE = (Decimal("25.00"), Decimal("45.00"), Decimal("37.00"))
POSS_RANK = {"S": 0, "1": 0, "2": 1, "3": 2, "4": 3}
INFUSION_RANK = {"continue": 0, "reduce": 1, "pause": 2, "stop": 3}
FLAGS = ("hallucinations", "dysphoria", "nightmares", "nausea")


def reference_score(field: str, value: Any) -> int:
    """RCP 2017, written independently of the library (default-library.md section 6)."""
    if field == "respiration_rate":
        return 3 if value <= 8 else 1 if value <= 11 else 0 if value <= 20 else 2 if value <= 24 else 3
    if field == "spo2":
        return 3 if value <= 91 else 2 if value <= 93 else 1 if value <= 95 else 0
    if field == "systolic_bp":
        return 3 if value <= 90 else 2 if value <= 100 else 1 if value <= 110 else 0 if value <= 219 else 3
    if field == "pulse":
        return (
            3
            if value <= 40
            else 1
            if value <= 50
            else 0
            if value <= 90
            else 1
            if value <= 110
            else (2 if value <= 130 else 3)
        )
    if field == "temperature":
        t = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return (
            3
            if t <= Decimal("35.0")
            else 1
            if t <= Decimal("36.0")
            else 0
            if t <= Decimal("38.0")
            else (1 if t <= Decimal("39.0") else 2)
        )
    if field == "oxygen":
        return 2 if value else 0
    assert field == "consciousness"
    return 0 if value == "A" else 3


def hundredths(low: Decimal, high: Decimal) -> st.SearchStrategy[Decimal]:
    """Temperatures from `low` to `high` in steps of 0.01 C, so the half-up edges (x.x5) come up often."""
    return st.integers(int(low * 100), int(high * 100)).map(lambda n: Decimal(n).scaleb(-2))


temperatures = hundredths(*TEMPERATURE[:2])


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


observations = st.builds(
    Observation,
    respiration_rate=optional(st.integers(0, 80)),
    spo2=optional(st.integers(50, 100)),
    oxygen=optional(st.booleans()),
    systolic_bp=optional(st.integers(0, 300)),
    pulse=optional(st.integers(0, 300)),
    consciousness=optional(st.sampled_from(["A", "C", "V", "P", "U"])),
    temperature=optional(temperatures),
    poss=optional(st.sampled_from(["S", "1", "2", "3", "4"])),
    rass=optional(st.integers(-5, 4)),
    hallucinations=st.booleans(),
    dysphoria=st.booleans(),
    nightmares=st.booleans(),
    nausea=st.booleans(),
    pain=optional(st.integers(0, 10)),
)
contexts = st.builds(
    AssessmentContext, prior_episodes=st.integers(0, 5), previous_pain=optional(st.integers(0, 10))
)

SCORE_FIELDS = {
    "respiration_rate": "respiration_rate",
    "spo2": "spo2",
    "oxygen": "air_or_oxygen",
    "systolic_bp": "systolic_bp",
    "pulse": "pulse",
    "consciousness": "consciousness",
    "temperature": "temperature",
}


def check_scores(observed: Observation) -> None:
    result = score_news2(LIBRARY, observed)
    present = []
    for field, score_name in SCORE_FIELDS.items():
        value = getattr(observed, field)
        score = getattr(result.scores, score_name)
        if value is None:
            assert score is None
        else:
            assert score == reference_score(field, value)
            present.append(score)
    assert type(result.total) is int
    assert result.total == sum(present)
    assert 0 <= result.total <= 20
    assert result.complete is (len(present) == 7)
    if result.total >= 7:
        assert result.risk == "high"
    elif result.total >= 5:
        assert result.risk == "medium"
    elif 3 in present:
        assert result.risk == "low-medium"
    else:
        assert result.risk == "low"


@pytest.mark.long_run
@EVERY_RUN
@given(observations)
def test_scores_match_the_rcp_table(observed: Observation) -> None:
    check_scores(observed)


@st.composite
def worsenings(draw: st.DrawFn) -> tuple[Observation, AssessmentContext, Observation, AssessmentContext]:
    """A check, and the same check with one finding made worse (or a missing one recorded)."""
    before = draw(observations)
    context = draw(contexts)
    field = draw(
        st.sampled_from(
            [*WHOLE, "temperature", "poss", "consciousness", "oxygen", *FLAGS, "prior", "previous_pain"]
        )
    )
    changes: dict[str, Any] = {}
    after_context = context
    value = getattr(before, field, None)
    if field in WHOLE:
        low, high, centre = WHOLE[field]
        if value is None:
            changes[field] = draw(st.integers(low, high))
        elif value >= centre:
            changes[field] = draw(st.integers(value, high))
        else:
            changes[field] = draw(st.integers(low, value))
    elif field == "temperature":
        coldest, hottest, normal = TEMPERATURE
        if value is None:
            changes[field] = draw(temperatures)
        elif value >= normal:
            changes[field] = draw(hundredths(value, hottest))
        else:
            changes[field] = draw(hundredths(coldest, value))
    elif field == "poss":
        rank = -1 if value is None else POSS_RANK[value]
        changes[field] = draw(st.sampled_from([p for p, r in POSS_RANK.items() if r >= rank]))
    elif field == "consciousness":
        changes[field] = draw(
            st.sampled_from(["A", "C", "V", "P", "U"] if value is None else [value, "C", "V", "P", "U"])
        )
    elif field == "oxygen" or field in FLAGS:
        changes[field] = True
    elif field == "prior":
        after_context = context.model_copy(
            update={"prior_episodes": context.prior_episodes + draw(st.integers(0, 3))}
        )
    else:
        previous = context.previous_pain
        after_context = context.model_copy(
            update={"previous_pain": draw(st.integers(0 if previous is None else previous, 10))}
        )
    after = before.model_copy(update=changes)
    Observation.model_validate(after.model_dump())  # still a valid observation
    return before, context, after, after_context


def check_monotone(case: tuple[Observation, AssessmentContext, Observation, AssessmentContext]) -> None:
    before, context, after, after_context = case
    first = assess(LIBRARY, before, context)
    second = assess(LIBRARY, after, after_context)
    assert INFUSION_RANK[second.infusion] >= INFUSION_RANK[first.infusion]
    assert second.news2.total >= first.news2.total
    assert second.needs_acknowledgement or not first.needs_acknowledgement
    assert second.psychotomimetic or not first.psychotomimetic
    # The decision is the strongest fired action; with none, continue.
    expected = max((INFUSION_RANK[a.infusion] for a in second.actions), default=0)
    assert INFUSION_RANK[second.infusion] == expected


@pytest.mark.long_run
@EVERY_RUN
@given(worsenings())
def test_a_worse_finding_never_weakens_the_decision(
    case: tuple[Observation, AssessmentContext, Observation, AssessmentContext],
) -> None:
    check_monotone(case)


@examples(300, long=300)
@given(observations, contexts)
def test_actions_are_sorted_and_unique(observed: Observation, context: AssessmentContext) -> None:
    result = assess(LIBRARY, observed, context)
    order = {"urgent": 0, "warning": 1, "info": 2}
    ranks = [order[a.severity] for a in result.actions]
    assert ranks == sorted(ranks)
    codes = [a.code for a in result.actions]
    assert len(codes) == len(set(codes))
    library_order = [rule.code for rule in LIBRARY.document.escalation]
    for severity in order:
        same = [c for c in codes if next(a for a in result.actions if a.code == c).severity == severity]
        assert same == sorted(same, key=library_order.index)
    assert result.needs_acknowledgement is (0 in ranks)
