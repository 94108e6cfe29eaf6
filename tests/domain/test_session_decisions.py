"""Open decisions (issue 9 item 2), the safety lockout on titration (item 5), and the follow-ups and
grid rule inside a session (items 3 and 4), on in-memory records that went through the store's encoding."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketamine_desktop.domain.reminders import reminders
from ketamine_desktop.domain.session import (
    SAFETY_LOCKOUT_CODE,
    EventDraft,
    SessionError,
    SessionState,
    event_payload,
    halved_dose,
    not_done_payload,
    open_decisions,
    preview_event,
    session_checks,
    session_state,
)
from ketamine_desktop.domain.session.fold import ANSWERED_BY
from tests.helpers.builders import BOLUS_ONLY, T0, Ledger, dose, start_draft


def open_codes(ledger: Ledger) -> list[tuple[int, str]]:
    return [(d.observation_seq, d.infusion) for d in open_decisions(ledger.state)]


def test_a_stop_decision_stays_open_through_an_acknowledgement_until_the_stop() -> None:
    from ketamine_desktop.domain.session import acknowledgement_payload

    ledger = Ledger()
    ledger.at(2)
    check = ledger.record_check(T0, poss="4")
    (decision,) = open_decisions(ledger.state)
    assert (decision.infusion, decision.code, decision.status) == ("stop", "stop-infusion", "running")
    assert decision.decided_at == ledger.now and decision.sources == ("POSS", "NEWS2", "SEED-A(8)")
    assert decision.flags == ("derived",)
    ledger.add(acknowledgement_payload(ledger.state, check.seq, "EF", ledger.now), by="EF")
    assert open_codes(ledger) == [(check.seq, "stop")]
    found = {r.key: r for r in reminders(ledger.state, ledger.now)}
    assert found[f"decision:{check.seq}"].status == "urgent"
    ledger.at(4)
    ledger.event("stop")
    assert open_decisions(ledger.state) == ()


@pytest.mark.parametrize(("event", "answers"), [("pause", True), ("stop", True), ("rate-decrease", True)])
def test_a_reduce_is_answered_by_a_decrease_or_anything_stronger(event: str, answers: bool) -> None:
    ledger = Ledger()
    ledger.at(2)
    ledger.record_check(T0, poss="3")
    assert [d.infusion for d in open_decisions(ledger.state)] == ["reduce"]
    ledger.at(5)
    if event == "rate-decrease":
        ledger.event("rate-change", infusion_dose=halved_dose(ledger.state))
    else:
        ledger.event(event)
    assert (open_decisions(ledger.state) == ()) is answers


def test_a_pause_is_not_answered_by_a_decrease_and_is_not_open_while_paused() -> None:
    ledger = Ledger()
    ledger.at(2)
    ledger.record_check(T0, hallucinations=True)
    ledger.at(3)
    ledger.event("rate-change", infusion_dose=dose("0.5"))
    assert [d.infusion for d in open_decisions(ledger.state)] == ["pause"]
    ledger.event("pause")
    assert open_decisions(ledger.state) == ()
    # A second episode while paused: keep paused; it is already paused, so nothing is open.
    ledger.at(20)
    ledger.record_check(T0 + timedelta(minutes=15), nightmares=True)
    assert open_decisions(ledger.state) == ()


def test_the_strongest_then_the_latest_comes_first() -> None:
    ledger = Ledger()
    ledger.at(2)
    reduce = ledger.record_check(T0, poss="3")
    ledger.at(15)
    stop = ledger.record_check(T0 + timedelta(minutes=15), spo2=91)
    ledger.at(16)
    later = ledger.record_check(None, poss="3")
    assert open_codes(ledger) == [(stop.seq, "stop"), (later.seq, "reduce"), (reduce.seq, "reduce")]


def test_not_done_answers_with_a_reason_and_the_deciding_clinician() -> None:
    ledger = Ledger()
    ledger.at(2)
    check = ledger.record_check(T0, poss="3")
    with pytest.raises(SessionError, match="say why"):
        not_done_payload(ledger.state, check.seq, "  ", "Dr Reed", "EF", ledger.now)
    with pytest.raises(SessionError, match="decided by: enter it"):
        not_done_payload(ledger.state, check.seq, "prescriber will hold", "", "EF", ledger.now)
    with pytest.raises(SessionError, match="no open decision"):
        not_done_payload(ledger.state, check.seq + 99, "x", "Dr Reed", "EF", ledger.now)
    payload = not_done_payload(
        ledger.state, check.seq, " prescriber holds it ", " Dr Reed ", "EF", ledger.now
    )
    assert (payload.reason, payload.decided_by, payload.outcome) == (
        "prescriber holds it",
        "Dr Reed",
        "not-done",
    )
    ledger.add(payload, by="EF")
    assert open_decisions(ledger.state) == ()
    assert ledger.state.decision_answers[0].body.decided_by == "Dr Reed"
    with pytest.raises(SessionError, match="no open decision"):
        not_done_payload(ledger.state, check.seq, "again", "Dr Reed", "EF", ledger.now)


def test_nothing_is_open_without_an_infusion_or_after_the_stop() -> None:
    bolus_only = Ledger(start_draft(BOLUS_ONLY, volume=None))
    bolus_only.at(2)
    bolus_only.record_check(T0, poss="4")
    assert open_decisions(bolus_only.state) == ()
    with pytest.raises(SessionError, match="no infusion to reduce"):
        halved_dose(bolus_only.state)


def test_half_the_dose_in_the_unit_it_was_entered_in() -> None:
    ledger = Ledger()
    assert halved_dose(ledger.state) == dose("0.5")
    ledger.at(70)
    ledger.event("rate-change", infusion_dose=dose("1.5"), reason="pain")
    assert halved_dose(ledger.state) == dose("0.75")


def test_an_increase_10_min_after_a_reduce_needs_the_prescriber_and_a_reason() -> None:
    ledger = Ledger()
    ledger.at(70)  # past the hourly lockout after the start
    ledger.record_check(None, poss="3")
    ledger.at(72)
    ledger.event("rate-change", infusion_dose=halved_dose(ledger.state))
    ledger.at(80)
    draft = EventDraft(kind="rate-change", infusion_dose=dose("1"))
    preview = preview_event(ledger.state, draft, ledger.now)
    assert preview.needs_prescriber and preview.needs_reason
    (finding,) = [f for f in preview.payload.findings if f.code == SAFETY_LOCKOUT_CODE]
    assert "10 min after a check that advised to reduce" in finding.message
    assert finding.flags == ("derived",) and finding.sources == ("NHS-HIGHLAND",)
    with pytest.raises(SessionError, match="prescriber who ordered it: enter it"):
        event_payload(ledger.state, draft.model_copy(update={"reason": "pain 8"}), ledger.now)
    with pytest.raises(SessionError, match="need a reason"):
        event_payload(ledger.state, draft.model_copy(update={"prescriber": "Dr Reed"}), ledger.now)
    payload = event_payload(
        ledger.state, draft.model_copy(update={"prescriber": "Dr Reed", "reason": "pain 8"}), ledger.now
    )
    assert payload.kind == "rate-increase" and payload.prescriber == "Dr Reed"
    # 60 min after the decision the lockout is over (the hourly increase rule still applies on its own).
    ledger.at(130)
    later = preview_event(ledger.state, draft, ledger.now)
    assert not later.needs_prescriber
    assert SAFETY_LOCKOUT_CODE not in [f.code for f in later.payload.findings]


def test_a_resume_within_the_hour_of_a_pause_decision_needs_the_prescriber() -> None:
    ledger = Ledger()
    ledger.at(2)
    ledger.record_check(T0, hallucinations=True)
    ledger.at(3)
    ledger.event("pause")
    ledger.at(40)
    preview = preview_event(ledger.state, EventDraft(kind="resume"), ledger.now)
    assert preview.needs_prescriber
    ledger.at(62)
    assert not preview_event(ledger.state, EventDraft(kind="resume"), ledger.now).needs_prescriber
    ledger.event("resume")
    assert ledger.state.status == "running"


def test_a_decrease_and_a_continue_check_need_no_prescriber() -> None:
    ledger = Ledger()
    ledger.at(2)
    ledger.record_check(T0, pain=8)
    ledger.at(70)
    increase = preview_event(
        ledger.state, EventDraft(kind="rate-change", infusion_dose=dose("1.5")), ledger.now
    )
    assert not increase.needs_prescriber
    ledger.record_check(None, poss="3")
    decrease = preview_event(
        ledger.state, EventDraft(kind="rate-change", infusion_dose=dose("0.5")), ledger.now
    )
    assert not decrease.needs_prescriber and not decrease.needs_reason


def test_a_follow_up_and_the_grid_rule_reach_the_session() -> None:
    ledger = Ledger()
    ledger.at(20)
    ledger.record_check(T0 + timedelta(minutes=15), poss="3")
    checks = {c.due: c for c in session_checks(ledger.state, T0 + timedelta(hours=2))}
    follow = checks[T0 + timedelta(minutes=35)]
    assert follow.kind == "follow-up" and follow.reasons[0].label == "POSS 3 or RASS -3"
    assert follow.reasons[0].observed_at == ledger.now
    # The follow-up can be recorded like any check.
    ledger.at(35)
    ledger.record_check(follow.due, poss="2")
    assert follow.due in ledger.state.recorded_dues
    found = {r.key: r for r in reminders(ledger.state, ledger.now)}
    assert any(
        r.check is not None and r.check.kind == "follow-up" and r.status == "done" for r in found.values()
    )


def test_an_increase_is_refused_while_a_decision_against_it_is_open() -> None:
    ledger = Ledger()
    ledger.at(70)
    check = ledger.record_check(None, poss="3")  # reduce
    ledger.at(140)  # past the hour's lockout: the open decision still refuses it
    increase = EventDraft(
        kind="rate-change", infusion_dose=dose("1.5"), reason="pain 9", prescriber="Dr Reed"
    )
    with pytest.raises(SessionError, match="advised to reduce the infusion and that decision is still open"):
        preview_event(ledger.state, increase, ledger.now)
    decrease = EventDraft(kind="rate-change", infusion_dose=dose("0.5"))
    assert preview_event(ledger.state, decrease, ledger.now).payload.kind == "rate-decrease"
    ledger.add(
        not_done_payload(ledger.state, check.seq, "pain 9; reviewed", "Dr Reed", "EF", ledger.now), by="EF"
    )
    assert preview_event(ledger.state, increase, ledger.now).payload.kind == "rate-increase"


def test_a_resume_is_refused_while_a_stop_is_open_but_not_while_a_reduce_is() -> None:
    ledger = Ledger()
    ledger.at(2)
    ledger.event("pause", reason="procedure")
    ledger.at(10)
    ledger.record_check(None, poss="3")  # reduce, while paused: the rate can be lowered once running again
    assert [d.infusion for d in open_decisions(ledger.state)] == ["reduce"]
    ledger.at(80)
    assert preview_event(ledger.state, EventDraft(kind="resume"), ledger.now).payload.kind == "resume"
    ledger.record_check(None, poss="4")  # stop
    with pytest.raises(SessionError, match="resume: a check advised to stop the infusion"):
        preview_event(ledger.state, EventDraft(kind="resume"), ledger.now)


# --- The fold keeps the undecided checks: the same as reading every check and event --------------------

DECISION_STEP = st.tuples(
    st.integers(min_value=1, max_value=30),
    st.sampled_from(["normal", "poss3", "poss4", "pause", "resume", "decrease", "stop", "not-done"]),
)


def _undecided_by_reading_everything(state: SessionState) -> list[int]:
    """The definition: a check whose decision is not continue, with no matching event after it and no
    recorded answer."""
    answered = {a.body.observation_seq for a in state.decision_answers}
    return [
        o.seq
        for o in state.observations
        if o.body.assessment.decision.infusion != "continue"
        and o.seq not in answered
        and not any(
            e.seq > o.seq and e.body.kind in ANSWERED_BY[o.body.assessment.decision.infusion]
            for e in state.events
        )
    ]


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(DECISION_STEP, max_size=14))
def test_the_folded_undecided_checks_are_what_reading_every_record_gives(
    steps: list[tuple[int, str]],
) -> None:
    ledger = Ledger()
    elapsed = 0
    for wait, action in steps:
        elapsed += wait
        ledger.at(elapsed)
        try:
            if action in ("normal", "poss3", "poss4"):
                changes = {} if action == "normal" else {"poss": action[-1]}
                ledger.record_check(None, **changes)
            elif action == "decrease":
                ledger.event("rate-change", infusion_dose=halved_dose(ledger.state))
            elif action == "not-done":
                decisions = open_decisions(ledger.state)
                if decisions:
                    seq = decisions[0].observation_seq
                    ledger.add(not_done_payload(ledger.state, seq, "reviewed", "Dr A", "EF", ledger.now))
            else:
                ledger.event(action)
        except SessionError:
            pass
        state = ledger.state
        assert [o.seq for o in state.undecided] == _undecided_by_reading_everything(state)
        assert session_state(state.library, state.session_id, ledger.records) == state


def test_a_bolus_is_refused_while_a_decision_against_it_is_open() -> None:
    from tests.helpers.builders import ICU

    ledger = Ledger(start_draft(ICU))
    ledger.at(30)
    ledger.record_check(None, rass=-3)  # reduce
    decided = [d.infusion for d in open_decisions(ledger.state)]
    assert decided, "the check must leave a decision open for this test"
    with pytest.raises(SessionError, match=f"bolus: a check advised to {decided[0]} the infusion"):
        preview_event(ledger.state, EventDraft(kind="bolus"), ledger.now)
