"""Contraindication screening: every level and status, the one-line summary, incomplete answers."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ketamine_desktop.domain.library import Contraindication, Library, load_library
from ketamine_desktop.domain.screening import ScreeningAnswer, ScreeningResult, screen
from tests.helpers.library_edit import DEFAULT_LIBRARY
from tests.helpers.runs import examples

LIBRARY: Library = load_library(DEFAULT_LIBRARY)
ITEMS = {item.id: item for item in LIBRARY.document.contraindications}
ABSOLUTE = "hypersensitivity"
CONTRAINDICATED = (
    "uncontrolled-cardiovascular",
    "pregnancy",
    "active-psychosis",
    "severe-hepatic",
    "raised-icp",
)
CAUTIONS = (
    "raised-iop",
    "moderate-hepatic",
    "substance-use",
    "history-psychosis",
    "catecholamine-depleted-shock",
    "interacting-drugs",
    "age-over-75",
)


def answer(item_id: str, present: bool = True, **extra: Any) -> ScreeningAnswer:
    return ScreeningAnswer(item_id=item_id, present=present, **extra)


def all_absent(**replacements: ScreeningAnswer) -> dict[str, ScreeningAnswer]:
    answers = {item_id: answer(item_id, present=False) for item_id in ITEMS}
    answers.update({a.item_id: a for a in replacements.values()})
    return answers


def run(*changed: ScreeningAnswer) -> ScreeningResult:
    answers = {item_id: answer(item_id, present=False) for item_id in ITEMS}
    answers.update({a.item_id: a for a in changed})
    return screen(LIBRARY, answers)


def status(result: ScreeningResult, item_id: str) -> str:
    return next(item.status for item in result.items if item.item_id == item_id)


def test_the_library_levels_are_the_clinical_spec() -> None:
    levels = {item.id: item.level for item in LIBRARY.document.contraindications}
    assert levels == {ABSOLUTE: "absolute"} | dict.fromkeys(
        CONTRAINDICATED, "contraindicated"
    ) | dict.fromkeys(CAUTIONS, "caution")


def test_nothing_present_can_start() -> None:
    result = run()
    assert result.complete is True
    assert result.can_start is True
    assert {item.status for item in result.items} == {"clear"}
    assert result.summary == "Screening: no contraindication or caution present"
    assert [item.item_id for item in result.items] == list(ITEMS)  # library order
    first = result.items[0]
    assert first.present is False
    assert first.message == "Not present."
    assert first.text == "Known hypersensitivity to ketamine"
    assert first.level == "absolute"
    assert first.sources == ("LABEL",)


def test_absolute_blocks_and_cannot_be_overridden() -> None:
    result = run(answer(ABSOLUTE, override_by="Dr A Smith", override_reason="life-saving", acknowledged=True))
    item = result.items[0]
    assert item.status == "blocks"
    assert item.present is True
    assert item.message == "Absolute contraindication: ketamine cannot be started."
    assert item.override_by is None
    assert result.can_start is False
    assert result.complete is True
    assert result.summary == "Cannot start: known hypersensitivity to ketamine"


def test_a_block_outranks_pending_items_in_the_summary() -> None:
    result = screen(LIBRARY, {ABSOLUTE: answer(ABSOLUTE), "pregnancy": answer("pregnancy")})
    assert result.summary == "Cannot start: known hypersensitivity to ketamine"
    assert result.complete is False


@pytest.mark.parametrize("item_id", CONTRAINDICATED)
def test_contraindicated_needs_a_named_override_with_a_reason(item_id: str) -> None:
    pending = run(answer(item_id))
    assert status(pending, item_id) == "needs-override"
    assert pending.can_start is False
    assert pending.summary == "Cannot start yet: 1 contraindication needs a senior override"
    done = run(answer(item_id, override_by="  Dr A Smith ", override_reason=" Benefit outweighs risk "))
    item = next(i for i in done.items if i.item_id == item_id)
    assert item.status == "overridden"
    assert item.override_by == "Dr A Smith"
    assert item.override_reason == "Benefit outweighs risk"
    assert item.message == "Contraindicated; overridden by Dr A Smith: Benefit outweighs risk"
    assert done.can_start is True
    assert done.summary == "Screening: 1 contraindication overridden by Dr A Smith"


@pytest.mark.parametrize(
    ("by", "reason"),
    [
        (None, None),
        ("Dr A Smith", None),
        (None, "reason"),
        ("Dr A Smith", ""),
        ("", "reason"),
        ("   ", "reason"),
        ("Dr A Smith", " \t "),
    ],
)
def test_an_override_needs_both_a_name_and_a_reason(by: str | None, reason: str | None) -> None:
    result = run(answer("pregnancy", override_by=by, override_reason=reason))
    item = next(i for i in result.items if i.item_id == "pregnancy")
    assert item.status == "needs-override"
    assert item.override_by is None
    assert item.override_reason is None
    assert (
        item.message == "Contraindicated: a named senior clinician must override it, with a reason, to start."
    )
    assert result.can_start is False


def test_acknowledging_a_contraindication_is_not_an_override() -> None:
    result = run(answer("raised-icp", acknowledged=True))
    assert status(result, "raised-icp") == "needs-override"
    assert result.can_start is False


@pytest.mark.parametrize("item_id", CAUTIONS)
def test_a_caution_needs_acknowledgement(item_id: str) -> None:
    pending = run(answer(item_id))
    assert status(pending, item_id) == "needs-acknowledgement"
    assert pending.can_start is False
    assert pending.summary == "Cannot start yet: 1 caution needs acknowledgement"
    done = run(answer(item_id, acknowledged=True))
    assert status(done, item_id) == "acknowledged"
    assert done.can_start is True
    assert done.summary == "Screening: 1 caution acknowledged"


def test_caution_messages_carry_the_library_advice() -> None:
    with_advice = run(answer("moderate-hepatic"), answer("raised-iop", acknowledged=True))
    messages = {item.item_id: item.message for item in with_advice.items}
    assert (
        messages["moderate-hepatic"]
        == "Caution: acknowledge it to start. Check liver tests during the infusion."
    )
    assert messages["raised-iop"] == "Caution acknowledged. Acknowledge before starting."
    without = run(answer("history-psychosis"), answer("age-over-75", acknowledged=True))
    messages = {item.item_id: item.message for item in without.items}
    assert messages["history-psychosis"] == "Caution: acknowledge it to start."
    assert messages["age-over-75"] == "Caution acknowledged."


def test_an_override_on_a_caution_is_not_an_acknowledgement() -> None:
    result = run(answer("age-over-75", override_by="Dr A Smith", override_reason="fine"))
    assert status(result, "age-over-75") == "needs-acknowledgement"


def test_summary_of_overrides_and_acknowledgements() -> None:
    result = run(
        answer("pregnancy", override_by="Dr A Smith", override_reason="r"),
        answer("raised-iop", acknowledged=True),
        answer("age-over-75", acknowledged=True),
    )
    assert result.can_start is True
    assert result.summary == "Screening: 1 contraindication overridden by Dr A Smith; 2 cautions acknowledged"


def test_summary_names_each_overriding_clinician_once() -> None:
    result = run(
        answer("pregnancy", override_by="Dr A Smith", override_reason="r"),
        answer("raised-icp", override_by="Dr B Jones", override_reason="r"),
        answer("severe-hepatic", override_by="Dr A Smith", override_reason="r"),
    )
    assert result.summary == "Screening: 3 contraindications overridden by Dr A Smith, Dr B Jones"


def test_summary_of_everything_pending() -> None:
    answers = {
        "pregnancy": answer("pregnancy"),
        "raised-icp": answer("raised-icp"),
        "raised-iop": answer("raised-iop"),
        "age-over-75": answer("age-over-75", acknowledged=True),
    }
    result = screen(LIBRARY, answers)
    assert result.summary == (
        "Cannot start yet: 2 contraindications need a senior override; 1 caution needs acknowledgement; "
        "9 items not answered"
    )
    assert result.complete is False
    assert result.can_start is False


def test_no_answers_is_incomplete() -> None:
    result = screen(LIBRARY, {})
    assert result.complete is False
    assert result.can_start is False
    assert {item.status for item in result.items} == {"unanswered"}
    assert {item.present for item in result.items} == {None}
    assert result.items[0].message == "Not answered yet."
    assert result.summary == "Cannot start yet: 13 items not answered"


def test_one_unanswered_item_keeps_it_from_starting() -> None:
    answers = all_absent()
    del answers["age-over-75"]
    result = screen(LIBRARY, answers)
    assert result.complete is False
    assert result.can_start is False
    assert result.summary == "Cannot start yet: 1 item not answered"


def test_answers_must_be_filed_under_their_own_id() -> None:
    with pytest.raises(ValueError, match="answer for 'pregnancy' is filed under 'raised-icp'"):
        screen(LIBRARY, {"raised-icp": answer("pregnancy")})


def test_answers_for_items_the_library_lacks_are_refused() -> None:
    with pytest.raises(ValueError, match="no screening item 'smoking'"):
        screen(LIBRARY, {"smoking": answer("smoking")})


def test_answer_models_are_frozen_and_closed() -> None:
    item = answer("pregnancy")
    with pytest.raises(ValidationError):
        item.present = False  # type: ignore[misc]
    with pytest.raises(ValidationError):
        ScreeningAnswer(item_id="pregnancy", present=True, reason="x")  # type: ignore[call-arg]


def _library_with(*items: Contraindication) -> Library:
    document = LIBRARY.document.model_copy(update={"contraindications": items})
    return LIBRARY.model_copy(update={"document": document})


def test_several_blocks_are_listed_and_acronyms_keep_their_case() -> None:
    custom = _library_with(
        Contraindication(id="a", text="Known hypersensitivity to ketamine", level="absolute"),
        Contraindication(id="b", text="MAOI taken in the last 14 days", level="absolute"),
        Contraindication(id="c", text="x", level="absolute"),
    )
    answers = {key: answer(key) for key in ("a", "b", "c")}
    result = screen(custom, answers)
    assert (
        result.summary
        == "Cannot start: known hypersensitivity to ketamine; MAOI taken in the last 14 days; x"
    )


def test_a_library_without_items_can_start() -> None:
    result = screen(_library_with(), {})
    assert result.items == ()
    assert result.complete is True
    assert result.can_start is True


# --- property: can_start is exactly "every item answered and every present one resolved" ---------------

answer_options: st.SearchStrategy[dict[str, Any] | None] = st.one_of(
    st.none(),
    st.builds(
        dict,
        present=st.booleans(),
        override_by=st.sampled_from([None, "", "  ", "Dr A Smith"]),
        override_reason=st.sampled_from([None, "", " ", "benefit outweighs risk"]),
        acknowledged=st.booleans(),
    ),
)


answer_sets = st.fixed_dictionaries({item_id: answer_options for item_id in ITEMS})


@pytest.mark.long_run
@examples(300, long=5000)
@given(answer_sets)
def test_can_start_is_exactly_every_item_resolved(options: dict[str, dict[str, Any] | None]) -> None:
    check_can_start(options)


def check_can_start(options: dict[str, dict[str, Any] | None]) -> None:
    answers = {key: answer(key, **value) for key, value in options.items() if value is not None}
    result = screen(LIBRARY, answers)

    def resolved(item_id: str) -> bool:
        given_answer = answers.get(item_id)
        if given_answer is None:
            return False
        if not given_answer.present:
            return True
        level = ITEMS[item_id].level
        if level == "absolute":
            return False
        if level == "contraindicated":
            return bool(
                (given_answer.override_by or "").strip() and (given_answer.override_reason or "").strip()
            )
        return given_answer.acknowledged

    assert result.complete is (len(answers) == len(ITEMS))
    assert result.can_start is all(resolved(item_id) for item_id in ITEMS)
    assert result.summary.startswith("Screening: " if result.can_start else "Cannot start")
    assert "\n" not in result.summary


def test_a_recorded_screening_under_the_same_library_lists_every_item(library: Library) -> None:
    """The start record keeps the overridden and acknowledged items; every other item of the same
    library was answered not present (a start needs every item answered)."""
    from ketamine_desktop.domain.screening import recorded_screening

    items = library.document.contraindications
    contraindicated = next(i for i in items if i.level == "contraindicated")
    answers = {
        i.id: ScreeningAnswer(
            item_id=i.id,
            present=i.id == contraindicated.id,
            override_by="Dr Reed" if i.id == contraindicated.id else None,
            override_reason="benefit outweighs" if i.id == contraindicated.id else None,
        )
        for i in items
    }
    full = screen(library, answers).items
    kept = tuple(i for i in full if i.status in ("overridden", "acknowledged"))
    recorded = recorded_screening(library, kept, started_under_this_library=True)
    assert recorded.complete and recorded.items == full
    assert [i.message for i in recorded.items if i.item_id != contraindicated.id] == ["Not present."] * (
        len(items) - 1
    )


def test_under_another_library_only_the_kept_items_are_listed(library: Library) -> None:
    from ketamine_desktop.domain.screening import recorded_screening

    kept = screen(library, {}).items[:1]
    recorded = recorded_screening(library, kept, started_under_this_library=False)
    assert not recorded.complete and recorded.items == kept
