"""Reminders, example by example: checks going upcoming -> due -> overdue -> done, deferrals and their
limit, raised levels that the clock cannot lower, the syringe's time to empty, the 24-hour change, liver
tests for long infusions, the end prompt, urgent acknowledgements, tasks and the close."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from ketamine_desktop.domain.reminders import (
    END_PROMPT_KEY,
    Reminder,
    active,
    close_payload,
    latched_levels,
    next_check,
    raise_payloads,
    reminders,
    task_payload,
)
from ketamine_desktop.domain.session import (
    ClosePayload,
    RaisePayload,
    SessionError,
    check_key,
    checks_until,
    clock_jump_payload,
    deferral_payload,
    session_checks,
)
from tests.helpers.builders import BOLUS_ONLY, LONG, T0, THEATRE, Ledger, library, start_draft


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def find(found: tuple[Reminder, ...], key: str) -> Reminder:
    return next(r for r in found if r.key == key)


def test_a_check_goes_upcoming_due_overdue_then_done() -> None:
    ledger = Ledger()
    key = check_key(minutes(15))
    assert find(reminders(ledger.state, minutes(14)), key).status == "upcoming"
    assert find(reminders(ledger.state, minutes(15)), key).status == "due"
    assert find(reminders(ledger.state, minutes(19)), key).status == "due"
    assert find(reminders(ledger.state, minutes(20)), key).status == "overdue"  # 15-min grid: 5 min grace
    ledger.at(25)
    ledger.record_check(minutes(15))
    done = find(ledger.reminders(), key)
    assert (done.status, done.late, done.done_at) == ("done", True, minutes(25))
    assert not done.active and done.level is None


def test_the_list_reaches_one_horizon_ahead_and_names_the_next_check() -> None:
    ledger = Ledger()
    found = reminders(ledger.state, minutes(16))
    checks = [r for r in found if r.kind == "check"]
    assert checks[-1].due <= minutes(16 + 120)
    upcoming = next_check(found)
    assert upcoming is not None and upcoming.due == minutes(30)
    assert [r.key for r in active(found)] == [check_key(T0), check_key(minutes(15))]
    assert active(found)[0].status == "overdue"


def test_precomputed_checks_beyond_the_reach_are_not_listed() -> None:
    ledger = Ledger()
    far = session_checks(ledger.state, minutes(24 * 60))
    assert reminders(ledger.state, minutes(16), far) == reminders(ledger.state, minutes(16))


def test_raised_levels_hold_when_the_wall_clock_is_put_back() -> None:
    ledger = Ledger()
    found = reminders(ledger.state, minutes(21))
    raises = raise_payloads(ledger.state, found, minutes(21))
    assert [(r.key, r.level) for r in raises] == [
        (check_key(T0), "overdue"),
        (check_key(minutes(15)), "overdue"),
    ]
    for payload in raises:
        ledger.add(payload, by="ketamine-desktop")
    assert raise_payloads(ledger.state, reminders(ledger.state, minutes(21)), minutes(21)) == ()
    back = reminders(ledger.state, minutes(-39))  # an hour back
    assert find(back, check_key(minutes(15))).status == "overdue"
    assert latched_levels(ledger.state)[check_key(T0)] == "overdue"
    # A check raised further ahead than the clock now reaches is still listed.
    assert checks_until(ledger.state, minutes(-39)) == minutes(15 + 120)


def test_a_live_deferral_clears_the_reminder_and_its_end_raises_it_again() -> None:
    ledger = Ledger()
    ledger.at(21)
    for payload in raise_payloads(ledger.state, ledger.reminders(), ledger.now):
        ledger.add(payload)
    ledger.add(deferral_payload(ledger.state, T0, 15, "patient in X-ray", "EF", ledger.now), by="EF")
    deferred = find(ledger.reminders(), check_key(T0))
    assert deferred.status == "deferred" and deferred.deferral is not None and deferred.deferred_by == "EF"
    assert not deferred.active
    assert latched_levels(ledger.state).get(check_key(T0)) is None
    ledger.at(36)
    again = find(ledger.reminders(), check_key(T0))
    assert again.status == "overdue"
    raised = raise_payloads(ledger.state, ledger.reminders(), ledger.now)
    assert (check_key(T0), "overdue") in [(r.key, r.level) for r in raised]


def test_syringe_reminders_from_the_library() -> None:
    prompts = library().document.monitoring.timed_prompts
    ledger = Ledger(start_draft(volume="10"))
    empty_at = minutes(142) + timedelta(seconds=51)
    warning = empty_at - timedelta(minutes=prompts.syringe_empty_warning_min)
    empty = find(reminders(ledger.state, warning - timedelta(seconds=1)), "syringe-empty:1")
    assert (empty.status, empty.due, empty.overdue_at) == ("upcoming", warning, empty_at)
    assert find(reminders(ledger.state, warning), "syringe-empty:1").status == "due"
    assert find(reminders(ledger.state, empty_at), "syringe-empty:1").status == "overdue"
    change = find(ledger.reminders(), "syringe-change:1")
    assert change.due == T0 + timedelta(hours=prompts.syringe_change_every_h) and change.overdue_at is None
    assert find(reminders(ledger.state, change.due + timedelta(hours=5)), "syringe-change:1").status == "due"
    ledger.at(60)
    ledger.event("pause")
    keys = [r.key for r in ledger.reminders()]
    assert "syringe-change:1" in keys and not any(k.startswith("syringe-empty") for k in keys)
    ledger.event("resume")
    ledger.event("syringe-change", syringe_volume_ml=Decimal(50))
    keys = [r.key for r in ledger.reminders()]
    assert f"syringe-change:{ledger.state.last_seq}" in keys and "syringe-change:1" not in keys
    ledger.event("stop")
    assert not any(r.kind.startswith("syringe") for r in ledger.reminders())


def test_liver_tests_for_infusions_planned_longer_than_the_threshold() -> None:
    prompts = library().document.monitoring.timed_prompts
    every = timedelta(hours=prompts.lft_every_h)
    ledger = Ledger(start_draft(LONG))
    first = [r for r in ledger.reminders() if r.kind == "lft"]
    assert [(r.key, r.due, r.status) for r in first] == [("lft:1", T0 + every, "upcoming")]
    ledger.now = T0 + every * 2 + timedelta(minutes=1)
    lfts = [r for r in ledger.reminders() if r.kind == "lft"]
    assert [(r.key, r.status) for r in lfts] == [("lft:1", "due"), ("lft:2", "due"), ("lft:3", "upcoming")]
    ledger.add(task_payload(ledger.state, "lft:1", "EF", ledger.now), by="EF")
    assert find(ledger.reminders(), "lft:1").status == "done"
    with pytest.raises(SessionError, match="not due"):
        task_payload(ledger.state, "lft:1", "EF", ledger.now)
    with pytest.raises(SessionError, match="not due"):
        task_payload(ledger.state, "lft:3", "EF", ledger.now)
    ledger.event("stop")
    lfts = [r.key for r in ledger.reminders() if r.kind == "lft"]
    assert lfts == ["lft:1", "lft:2"]  # none after the stop; the one outstanding stays
    assert not [r for r in Ledger().reminders() if r.kind == "lft"]  # 48 h planned: none
    assert not [r for r in Ledger(start_draft(BOLUS_ONLY, volume=None)).reminders() if r.kind == "lft"]


def test_liver_tests_need_a_planned_duration(monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = Ledger(start_draft(THEATRE))  # "until the end of the procedure": no planned hours
    assert library().protocol(THEATRE).duration_max_h is None
    assert not [r for r in ledger.reminders() if r.kind == "lft"]


def test_the_end_prompt_stays_until_done() -> None:
    ledger = Ledger(start_draft(THEATRE))
    ledger.at(20)
    ledger.event("stop")
    prompt = find(ledger.reminders(), END_PROMPT_KEY)
    assert prompt.status == "due" and prompt.text == library().protocol(THEATRE).end_prompt
    ledger.add(task_payload(ledger.state, END_PROMPT_KEY, "EF", ledger.now), by="EF")
    assert find(ledger.reminders(), END_PROMPT_KEY).status == "done"
    done_at_stop = Ledger(start_draft(THEATRE))
    done_at_stop.event("stop", end_prompt_done=True)
    assert find(done_at_stop.reminders(), END_PROMPT_KEY).status == "done"
    ward = Ledger()
    ward.event("stop")
    assert not [r for r in ward.reminders() if r.kind == "end-prompt"]


def test_an_urgent_action_waits_for_its_acknowledgement() -> None:
    from ketamine_desktop.domain.session import acknowledgement_payload

    ledger = Ledger()
    ledger.at(2)
    urgent = ledger.record_check(T0, poss="4")
    ledger.record_check(None, pain=2)
    ack = find(ledger.reminders(), f"acknowledge:{urgent.seq}")
    assert ack.status == "urgent" and ack.observation_seq == urgent.seq and ack.level == "urgent"
    assert "stop" in ack.text.lower()
    # The open decision first, then the acknowledgement; acknowledging does not answer the decision.
    assert [r.key for r in active(ledger.reminders())][:2] == [f"decision:{urgent.seq}", ack.key]
    ledger.add(acknowledgement_payload(ledger.state, urgent.seq, "EF", ledger.now), by="EF")
    assert not [r for r in ledger.reminders() if r.kind == "acknowledge"]
    assert active(ledger.reminders())[0].key == f"decision:{urgent.seq}"


def test_close_needs_a_stop_and_a_reason_while_anything_is_open() -> None:
    ledger = Ledger()
    with pytest.raises(SessionError, match="stop the infusion"):
        close_payload(ledger.state, None, "EF", T0)
    ledger.at(5)
    ledger.event("stop")
    with pytest.raises(SessionError, match="still open"):
        close_payload(ledger.state, " ", "EF", ledger.now)
    assert close_payload(ledger.state, "moved to ICU", "EF", ledger.now).reason == "moved to ICU"
    theatre = Ledger(start_draft(THEATRE))
    theatre.at(2)
    theatre.record_check(T0)
    theatre.event("stop", end_prompt_done=True)
    assert close_payload(theatre.state, None, "EF", theatre.now) == ClosePayload(at=theatre.now)
    theatre.add(ClosePayload(at=theatre.now))
    assert reminders(theatre.state, theatre.now) == ()


def test_after_the_stop_the_after_stop_checks_run() -> None:
    ledger = Ledger()
    ledger.at(40)
    ledger.event("stop")
    kinds = {r.check.kind for r in reminders(ledger.state, minutes(40 + 200)) if r.check is not None}
    assert "after-stop" in kinds


def test_raises_and_latches_ignore_a_check_that_no_longer_exists() -> None:
    ledger = Ledger()
    ledger.add(RaisePayload(key=check_key(minutes(7)), level="due", due=minutes(7), at=minutes(7)))
    assert check_key(minutes(7)) not in {r.key for r in ledger.reminders()}


def test_clock_jump_records_do_not_change_the_list() -> None:
    ledger = Ledger()
    before = reminders(ledger.state, minutes(3))
    ledger.add(clock_jump_payload(T0, minutes(3), 120.0, "tick"))
    assert reminders(ledger.state, minutes(3)) == before


def test_checks_done_more_than_a_horizon_ago_leave_the_list() -> None:
    ledger = Ledger(start_draft(THEATRE))  # a 15-min grid: the horizon is 15 min
    ledger.at(2)
    ledger.record_check(T0)
    assert check_key(T0) in {r.key for r in reminders(ledger.state, minutes(15))}
    assert check_key(T0) not in {r.key for r in reminders(ledger.state, minutes(16))}


def test_the_fold_keeps_the_highest_level_and_the_latest_raised_check() -> None:
    """The fold's indexes (latched levels, latest raised check, last pain) as the records say."""
    from ketamine_desktop.domain.session import RaisePayload, session_state

    ledger = Ledger()
    key = check_key(T0)
    later = T0 + timedelta(minutes=15)
    ledger.add(RaisePayload(key=key, level="overdue", due=later, at=T0), by="ketamine-desktop")
    ledger.add(RaisePayload(key=key, level="due", due=T0, at=T0), by="ketamine-desktop")  # lower: kept
    ledger.add(RaisePayload(key="syringe-change:1", level="due", due=T0, at=T0), by="ketamine-desktop")
    state = ledger.state
    assert state.latched == {key: "overdue", "syringe-change:1": "due"}
    assert state.latest_raised_check == later  # the later due, not the last written; checks only
    assert state.held_checks == {T0, later}  # every check raised (the schedule never drops one)
    assert session_state(state.library, state.session_id, ledger.records) == state  # one fold, same state
    ledger.add(RaisePayload(key=key, level="overdue", due=T0, at=T0), by="ketamine-desktop")  # held already
    assert ledger.state.held_checks == {T0, later}


def test_the_last_pain_is_the_last_one_recorded() -> None:
    from ketamine_desktop.domain.session import ObservationDraft, assessment_context, observation_payload
    from tests.helpers.builders import WARD, observation_for

    ledger = Ledger()
    for pain in (5, None):
        observation = observation_for(ledger.library, WARD, (), pain=pain)
        draft = ObservationDraft(check_due=None, observation=observation, answered=())
        ledger.add(observation_payload(ledger.state, draft, "AB", T0))
    assert ledger.state.last_pain == 5  # an extra check without a pain score keeps the last one
    assert assessment_context(ledger.state).previous_pain == 5
