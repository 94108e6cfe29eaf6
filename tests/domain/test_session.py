"""The session fold and its commands, example by example: the start (limits, reason, syringe volume,
identifiers), every event (limits through compute_regimen, the lockout, the soft-reason rule, the end
prompt), observations (items, scale, assessment), deferrals (the derived limit), acknowledgements, clock
jumps, and records that cannot belong to a session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ketamine_desktop.domain.assessment import Observation
from ketamine_desktop.domain.regimen import RegimenRequest, compute_regimen
from ketamine_desktop.domain.session import (
    ClockJumpPayload,
    ClosePayload,
    CorruptRecord,
    EventDraft,
    ObservationDraft,
    RaisePayload,
    SessionError,
    SessionRecord,
    TaskPayload,
    acknowledgement_payload,
    apply_record,
    assessment_context,
    check_key,
    clean_name,
    clock_correction,
    clock_jump_payload,
    deferral_payload,
    describe_jump,
    event_payload,
    gate_texts,
    horizon_minutes,
    live_deferral,
    missing_items,
    observation_payload,
    parse_record,
    preview_event,
    request_for,
    running_rate,
    schedule_events,
    session_state,
    start_draft_for,
    start_payload,
    syringe_empty_at,
    syringe_remaining_ml,
    to_payload,
)
from tests.helpers.builders import (
    BOLUS_ONLY,
    ICU,
    LONG,
    T0,
    THEATRE,
    WARD,
    Ledger,
    dose,
    library,
    observation_for,
    roundtrip,
    start_draft,
)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


# --- The start ------------------------------------------------------------------------------------------


def test_start_records_the_regimen_the_library_computes_and_who() -> None:
    payload = start_payload(library(), start_draft(), T0)
    assert payload.regimen == compute_regimen(library(), start_draft().request)
    assert (payload.bed_label, payload.patient_initials, payload.started_by, payload.double_checked_by) == (
        "Ward 7 bed 12",
        "JD",
        "AB",
        "CD",
    )
    assert payload.syringe_volume_ml == Decimal(50)
    state = Ledger().state
    assert state.status == "running"
    assert state.library_matches
    assert state.infusion is not None and state.infusion.rate_ml_per_h == Decimal("4.2")


def test_start_refuses_a_blocked_regimen_and_asks_a_reason_for_warnings() -> None:
    with pytest.raises(SessionError, match="hard limit"):
        start_payload(library(), start_draft(infusion_dose=dose("9")), T0)
    with pytest.raises(SessionError, match="need a reason"):
        start_payload(library(), start_draft(weight="160"), T0)
    payload = start_payload(library(), start_draft(weight="160", reason="  weighed today  "), T0)
    assert payload.soft_limit_reason == "weighed today"


def test_start_needs_a_syringe_volume_for_an_infusion_only() -> None:
    with pytest.raises(SessionError, match="volume"):
        start_payload(library(), start_draft(volume=None), T0)
    with pytest.raises(SessionError, match="greater than zero"):
        start_payload(library(), start_draft(volume="0"), T0)
    bolus_only = start_payload(library(), start_draft(BOLUS_ONLY, volume="10"), T0)
    assert bolus_only.syringe_volume_ml is None
    state = Ledger(start_draft(BOLUS_ONLY, volume=None)).state
    assert state.status == "observing" and state.syringe is None and syringe_empty_at(state) is None


def test_start_checks_names_and_initials() -> None:
    with pytest.raises(SessionError, match="bed or location: enter it"):
        start_payload(library(), start_draft(bed="  "), T0)
    with pytest.raises(SessionError, match="at most 40"):
        start_payload(library(), start_draft(bed="x" * 41), T0)
    with pytest.raises(SessionError, match="one line"):
        start_payload(library(), start_draft(bed="bed\n4"), T0)
    with pytest.raises(SessionError, match="letters only"):
        start_payload(library(), start_draft(initials="J.D."), T0)
    with pytest.raises(SessionError, match="letters only"):
        start_payload(library(), start_draft(initials="ABCDE"), T0)
    assert start_payload(library(), start_draft(initials=" jd "), T0).patient_initials == "JD"
    assert start_payload(library(), start_draft(initials=" "), T0).patient_initials is None
    assert clean_name("who", "  EF ") == "EF"


def test_start_refuses_input_the_regimen_cannot_compute() -> None:
    with pytest.raises(SessionError, match="weight_kg"):
        start_payload(library(), start_draft(weight="5"), T0)


def test_start_refuses_a_regimen_other_than_the_one_checked() -> None:
    checked = compute_regimen(library(), start_draft().request)
    other = start_draft(infusion_dose=dose("2")).model_copy(update={"expected": checked})
    with pytest.raises(SessionError, match="checklist"):
        start_payload(library(), other, T0)
    same = start_draft().model_copy(update={"expected": checked})
    assert start_payload(library(), same, T0).regimen == checked


@pytest.mark.parametrize("protocol", [WARD, ICU, THEATRE, BOLUS_ONLY, LONG, "subanesthetic-infusion"])
def test_request_for_gives_back_the_same_regimen(protocol: str) -> None:
    for include in (None, True):
        request = RegimenRequest(protocol_id=protocol, weight_kg=Decimal(70), include_bolus=include)
        if include and library().protocol(protocol).bolus is None:
            continue
        if include and library().protocol(protocol).bolus.default_mg_per_kg is None:  # type: ignore[union-attr]
            request = request.model_copy(update={"bolus_mg_per_kg": Decimal("0.2")})
        regimen = compute_regimen(library(), request)
        again = compute_regimen(library(), request_for(regimen, library().protocol(protocol)))
        assert again == regimen


# --- Records and the fold -------------------------------------------------------------------------------


def test_payloads_round_trip_exactly_through_the_store_encoding() -> None:
    ledger = Ledger()
    ledger.at(1)
    ledger.record_check(T0, temperature=Decimal("36.80"))
    stored = ledger.records[-1]
    assert stored.body.observation.temperature == Decimal("36.80")  # type: ignore[union-attr]
    assert str(stored.body.observation.temperature) == "36.80"  # type: ignore[union-attr]
    plain = to_payload(ledger.records[0].body)
    assert plain["started_at"] == "2026-11-21T08:00:00.000000Z"
    assert isinstance(plain["screening"], list)


def test_parse_record_refuses_unknown_kinds_and_bad_payloads() -> None:
    with pytest.raises(CorruptRecord, match="unknown kind"):
        parse_record(1, "mystery", {}, "AB", T0)
    with pytest.raises(CorruptRecord, match="record 2 \\(deferral\\)"):
        parse_record(2, "deferral", {"reason": "x"}, "AB", T0)


def test_the_fold_needs_a_start_first_once_and_records_in_order() -> None:
    ledger = Ledger()
    with pytest.raises(CorruptRecord, match="no records"):
        session_state(library(), "s", [])
    task = roundtrip(1, TaskPayload(key="lft:1", at=T0), "AB", T0)
    with pytest.raises(CorruptRecord, match="must begin with its start"):
        session_state(library(), "s", [task])
    with pytest.raises(CorruptRecord, match="out of order"):
        apply_record(ledger.state, roundtrip(1, TaskPayload(key="lft:1", at=T0), "AB", T0))
    with pytest.raises(CorruptRecord, match="second start"):
        apply_record(
            ledger.state, SessionRecord(seq=5, recorded_by="AB", recorded_at=T0, body=ledger.records[0].body)
        )
    assert ledger.records[0].kind == "session-started"


def test_every_kind_lands_in_the_state() -> None:
    ledger = Ledger()
    ledger.add(RaisePayload(key=check_key(T0), level="due", due=T0, at=T0), by="ketamine-desktop")
    ledger.add(TaskPayload(key="lft:1", at=T0))
    ledger.add(clock_jump_payload(T0, minutes(60), 3600.0004, "tick"), by="ketamine-desktop")
    state = ledger.state
    assert (len(state.raised), len(state.tasks_done), len(state.clock_jumps)) == (1, 1, 1)
    assert state.clock_jumps[0].body.jump_seconds == Decimal("3600")
    ledger.event("stop")
    ledger.add(ClosePayload(at=T0, reason="transfer"))
    assert ledger.state.status == "ended" and ledger.state.closed is not None


# --- Events -----------------------------------------------------------------------------------------------


def test_rate_change_goes_through_the_regimen_limits() -> None:
    ledger = Ledger()
    ledger.at(90)
    preview = preview_event(
        ledger.state, EventDraft(kind="rate-change", infusion_dose=dose("1.5")), ledger.now
    )
    assert preview.payload.kind == "rate-increase" and not preview.blocked and not preview.needs_reason
    assert preview.payload.infusion is not None and preview.payload.infusion.rate_ml_per_h == Decimal("6.3")
    blocked = preview_event(ledger.state, EventDraft(kind="rate-change", infusion_dose=dose("9")), ledger.now)
    assert blocked.blocked
    with pytest.raises(SessionError, match="hard limit"):
        event_payload(ledger.state, EventDraft(kind="rate-change", infusion_dose=dose("9")), ledger.now)
    soft = EventDraft(kind="rate-change", infusion_dose=dose("0.4", "mg/kg/h"))
    assert preview_event(ledger.state, soft, ledger.now).needs_reason
    with pytest.raises(SessionError, match="need a reason"):
        event_payload(ledger.state, soft, ledger.now)
    ledger.event("rate-change", infusion_dose=dose("0.4", "mg/kg/h"), reason="pain 9/10, reviewed")
    assert ledger.state.request.infusion_dose == dose("0.4", "mg/kg/h")
    ledger.at(200)
    ledger.event("rate-change", infusion_dose=dose("1"))
    assert ledger.state.events[-1].body.kind == "rate-decrease"
    assert ledger.state.infusion is not None and ledger.state.infusion.rate_ml_per_h == Decimal("4.2")


def test_rate_change_needs_a_new_different_dose() -> None:
    ledger = Ledger()
    with pytest.raises(SessionError, match="enter the new dose"):
        preview_event(ledger.state, EventDraft(kind="rate-change"), T0)
    with pytest.raises(SessionError, match="running now"):
        preview_event(ledger.state, EventDraft(kind="rate-change", infusion_dose=dose("0.06", "mg/kg/h")), T0)
    with pytest.raises(SessionError, match=r"weight_kg|infusion_dose|greater"):
        bad = ledger.state.model_copy(
            update={"request": ledger.state.request.model_copy(update={"weight_kg": Decimal(1)})}
        )
        preview_event(bad, EventDraft(kind="rate-change", infusion_dose=dose("2")), T0)


def test_an_increase_within_the_lockout_warns_and_needs_a_reason() -> None:
    lockout = library().document.monitoring.timed_prompts.rate_increase_lockout_min
    ledger = Ledger()
    ledger.at(lockout - 1)
    early = preview_event(ledger.state, EventDraft(kind="rate-change", infusion_dose=dose("1.5")), ledger.now)
    assert [f.code for f in early.payload.findings] == ["rate-increase-lockout"]
    assert "after the start" in early.payload.findings[0].message and early.needs_reason
    ledger.event("rate-change", infusion_dose=dose("1.5"), reason="severe pain")
    ledger.at(lockout - 1 + lockout)  # exactly the lockout after the last increase: no warning
    ok = preview_event(ledger.state, EventDraft(kind="rate-change", infusion_dose=dose("2")), ledger.now)
    assert ok.payload.findings == ()
    ledger.at(lockout - 1 + lockout - 1)
    again = preview_event(ledger.state, EventDraft(kind="rate-change", infusion_dose=dose("2")), ledger.now)
    assert "after the last increase" in again.payload.findings[0].message


def test_bolus_goes_through_the_bolus_limits() -> None:
    ledger = Ledger(start_draft(ICU))
    ledger.at(30)
    preview = preview_event(ledger.state, EventDraft(kind="bolus"), ledger.now)
    assert preview.payload.bolus is not None and preview.payload.bolus.dose_mg == Decimal("10.5")
    assert not preview.blocked
    fast = preview_event(ledger.state, EventDraft(kind="bolus", bolus_over_min=Decimal(10)), ledger.now)
    assert fast.needs_reason
    ledger.event("bolus")
    assert schedule_events(ledger.state)[-1].kind == "bolus"
    no_bolus = Ledger(start_draft(LONG))
    with pytest.raises(SessionError, match="has no bolus"):
        preview_event(no_bolus.state, EventDraft(kind="bolus"), T0)


def test_events_allowed_by_status() -> None:
    ledger = Ledger()
    with pytest.raises(SessionError, match="a resume is not possible while the infusion runs"):
        preview_event(ledger.state, EventDraft(kind="resume"), T0)
    ledger.event("pause")
    assert ledger.state.status == "paused"
    with pytest.raises(SessionError, match="a bolus is not possible while the infusion is paused"):
        preview_event(ledger.state, EventDraft(kind="bolus"), T0)
    ledger.event("resume")
    ledger.event("stop")
    with pytest.raises(SessionError, match="after the stop"):
        preview_event(ledger.state, EventDraft(kind="pause"), T0)
    observing = Ledger(start_draft(BOLUS_ONLY, volume=None))
    with pytest.raises(SessionError, match="in a bolus-only session"):
        preview_event(observing.state, EventDraft(kind="pause"), T0)
    # No infusion to stop: a stop would cut the post-dose checks short; closing (with a reason) ends it.
    with pytest.raises(SessionError, match="a stop is not possible in a bolus-only session"):
        preview_event(observing.state, EventDraft(kind="stop"), T0)
    observing.add(ClosePayload(at=T0, reason="x"))
    with pytest.raises(SessionError, match="after the session ended"):
        preview_event(observing.state, EventDraft(kind="stop"), T0)


def test_events_keep_their_order_when_the_clock_was_put_back() -> None:
    ledger = Ledger()
    ledger.at(30)
    ledger.event("pause")
    payload = preview_event(ledger.state, EventDraft(kind="resume"), minutes(-120)).payload
    assert payload.at == minutes(30)


def test_stop_carries_the_end_prompt() -> None:
    ledger = Ledger(start_draft(THEATRE))
    stop = preview_event(ledger.state, EventDraft(kind="stop", end_prompt_done=True), T0).payload
    assert stop.end_prompt == library().protocol(THEATRE).end_prompt and stop.end_prompt_done
    ward = Ledger()
    plain = preview_event(ward.state, EventDraft(kind="stop", end_prompt_done=True), T0).payload
    assert plain.end_prompt is None and not plain.end_prompt_done


def test_syringe_volume_is_tracked_through_rate_changes_pauses_and_changes() -> None:
    ledger = Ledger(start_draft(volume="10"))  # 4.2 mL/h: empty after 2 h 22 min 51 s
    assert syringe_empty_at(ledger.state) == minutes(142) + timedelta(seconds=51)
    ledger.at(60)
    ledger.event("pause")
    assert syringe_empty_at(ledger.state) is None
    ledger.at(120)
    ledger.event("resume")  # 5.8 mL left
    assert syringe_empty_at(ledger.state) == minutes(120) + timedelta(
        seconds=int(Decimal("5.8") * 3600 // Decimal("4.2"))
    )
    ledger.at(130)
    ledger.event("syringe-change", syringe_volume_ml=Decimal(50))
    syringe = ledger.state.syringe
    assert syringe is not None and syringe.volume_ml == 50 and syringe.since == minutes(130)
    with pytest.raises(SessionError, match="volume"):
        event_payload(ledger.state, EventDraft(kind="syringe-change"), ledger.now)


# --- Observations --------------------------------------------------------------------------------------------


def test_an_observation_is_assessed_with_the_sessions_context() -> None:
    ledger = Ledger()
    ledger.at(2)
    ledger.record_check(T0, pain=8, hallucinations=True)
    first = ledger.state.observations[-1].body
    assert first.assessment.psychotomimetic and first.context.prior_episodes == 0
    assert assessment_context(ledger.state).previous_pain == 8
    ledger.at(15)
    ledger.record_check(minutes(15), pain=8, hallucinations=True)
    second = ledger.state.observations[-1].body
    assert second.context.prior_episodes == 1
    assert {a.code for a in second.assessment.actions} >= {"psychotomimetic-repeat", "pain-titration"}
    assert T0 in ledger.state.recorded_dues


def test_an_observation_must_answer_every_item_of_its_check_on_the_right_scale() -> None:
    ledger = Ledger()
    items = ledger.reminders()[0].check.items  # type: ignore[union-attr]
    obs = observation_for(library(), WARD, items)
    partial = ObservationDraft(check_due=T0, observation=obs, monitors_attached=None, answered=items[:-1])
    with pytest.raises(SessionError, match=r"not yet recorded: .*monitors attached"):
        observation_payload(ledger.state, partial, "EF", T0)
    rass = obs.model_copy(update={"poss": None, "rass": 0})
    wrong = ObservationDraft(check_due=T0, observation=rass, monitors_attached=True, answered=items)
    with pytest.raises(SessionError, match="on POSS"):
        observation_payload(ledger.state, wrong, "EF", T0)
    with pytest.raises(SessionError, match="recorded by"):
        observation_payload(ledger.state, partial, " ", T0)
    with pytest.raises(SessionError, match="no check due at that time"):
        observation_payload(ledger.state, partial.model_copy(update={"check_due": minutes(7)}), "EF", T0)
    ledger.record_check(T0)
    with pytest.raises(SessionError, match="already recorded"):
        ledger.record_check(T0)
    extra = ledger.record_check(None)
    assert extra.body.check_due is None  # type: ignore[union-attr]


def test_missing_items_reads_each_item() -> None:
    ledger = Ledger(start_draft(ICU))
    empty = ObservationDraft(check_due=None, observation=Observation(), answered=())
    from ketamine_desktop.domain.library import ITEMS

    assert missing_items(ledger.state.protocol, empty, ITEMS) == ITEMS
    full = ObservationDraft(
        check_due=None,
        observation=observation_for(library(), ICU, ITEMS),
        monitors_attached=False,
        answered=ITEMS,
    )
    assert missing_items(ledger.state.protocol, full, ITEMS) == ()


def test_no_observation_after_the_session_ended() -> None:
    ledger = Ledger()
    ledger.event("stop")
    ledger.add(ClosePayload(at=T0, reason="x"))
    with pytest.raises(SessionError, match="ended"):
        ledger.record_check(None)


# --- Deferrals, acknowledgements, clock ---------------------------------------------------------------------


def test_a_deferral_lasts_at_most_its_checks_interval_and_needs_a_reason() -> None:
    ledger = Ledger()
    ledger.at(1)
    with pytest.raises(SessionError, match="say why"):
        deferral_payload(ledger.state, T0, 10, "  ", "EF", ledger.now)
    with pytest.raises(SessionError, match="deferred by"):
        deferral_payload(ledger.state, T0, 10, "x", "", ledger.now)
    with pytest.raises(SessionError, match="from 1 to 15 min"):
        deferral_payload(ledger.state, T0, 16, "in X-ray", "EF", ledger.now)
    with pytest.raises(SessionError, match="from 1 to 15 min"):
        deferral_payload(ledger.state, T0, 0, "in X-ray", "EF", ledger.now)
    with pytest.raises(SessionError, match="due or overdue"):
        deferral_payload(ledger.state, minutes(15), 5, "in X-ray", "EF", ledger.now)
    payload = deferral_payload(ledger.state, T0, 15, " in X-ray ", "EF", ledger.now)
    assert (payload.until, payload.reason) == (minutes(16), "in X-ray")
    ledger.add(payload, by="EF")
    with pytest.raises(SessionError, match="already deferred until"):
        deferral_payload(ledger.state, T0, 5, "again", "EF", ledger.now)
    assert live_deferral(ledger.state, T0, minutes(15)) is not None
    assert live_deferral(ledger.state, T0, minutes(16)) is None
    ledger.record_check(T0)
    with pytest.raises(SessionError, match="already recorded"):
        deferral_payload(ledger.state, T0, 5, "x", "EF", ledger.now)


def test_putting_the_clock_back_cannot_stretch_a_deferral() -> None:
    ledger = Ledger()
    ledger.at(1)
    ledger.add(deferral_payload(ledger.state, T0, 15, "in X-ray", "EF", ledger.now))
    ledger.at(5)
    assert live_deferral(ledger.state, T0, minutes(5)) is not None
    # At 08:10 real time the clock is put back an hour: wall 07:10. 6 min of real time later...
    ledger.add(clock_jump_payload(minutes(10), minutes(-50), -3600.0, "tick"), by="ketamine-desktop")
    assert live_deferral(ledger.state, T0, minutes(-45)) is not None  # real 08:15
    assert live_deferral(ledger.state, T0, minutes(-44)) is None  # real 08:16: over
    # A forward jump (maybe a sleep) is not taken off: the deferral ends by the wall clock.
    ledger.add(clock_jump_payload(minutes(-44), minutes(300), 20640.0, "tick"), by="ketamine-desktop")
    assert live_deferral(ledger.state, T0, minutes(-44)) is None


def test_a_raise_after_a_deferral_ends_it() -> None:
    ledger = Ledger()
    ledger.at(1)
    ledger.add(deferral_payload(ledger.state, T0, 15, "in X-ray", "EF", ledger.now))
    ledger.add(
        RaisePayload(key=check_key(T0), level="overdue", due=T0, at=minutes(16)), by="ketamine-desktop"
    )
    assert live_deferral(ledger.state, T0, minutes(2)) is None


def test_a_raised_check_can_be_deferred_after_the_clock_was_put_back() -> None:
    ledger = Ledger()
    ledger.add(RaisePayload(key=check_key(minutes(15)), level="due", due=minutes(15), at=minutes(15)))
    payload = deferral_payload(ledger.state, minutes(15), 5, "busy", "EF", minutes(-30))
    assert payload.check_due == minutes(15)


def test_an_urgent_action_is_acknowledged_once_by_someone() -> None:
    ledger = Ledger()
    ledger.at(1)
    urgent = ledger.record_check(T0, poss="4")
    normal = ledger.record_check(None)
    with pytest.raises(SessionError, match="no urgent action"):
        acknowledgement_payload(ledger.state, normal.seq, "EF", ledger.now)
    with pytest.raises(SessionError, match="no urgent action"):
        acknowledgement_payload(ledger.state, 999, "EF", ledger.now)
    with pytest.raises(SessionError, match="acknowledged by"):
        acknowledgement_payload(ledger.state, urgent.seq, "", ledger.now)
    payload = acknowledgement_payload(ledger.state, urgent.seq, "EF", ledger.now)
    assert "poss-4-stop" in payload.codes or payload.codes
    ledger.add(payload, by="EF")
    with pytest.raises(SessionError, match="already acknowledged"):
        acknowledgement_payload(ledger.state, urgent.seq, "EF", ledger.now)


def test_clock_jumps_are_described_in_words() -> None:
    forward = clock_jump_payload(T0, minutes(60), 3600.0, "tick")
    assert (
        describe_jump(forward)
        == "The wall clock moved 1 h 0 min forward (a clock change or the computer slept)."
    )
    back = clock_jump_payload(T0, minutes(-10), -600.0, "restart")
    assert describe_jump(back) == "The wall clock moved 10 min 0 s back."
    assert isinstance(back, ClockJumpPayload)


def test_horizon_covers_the_longest_grid() -> None:
    assert horizon_minutes(library(), library().protocol(WARD)) == 120
    assert horizon_minutes(library(), library().protocol(THEATRE)) == 15
    assert horizon_minutes(library(), library().protocol(ICU)) == 60


def test_instants_are_kept_in_utc() -> None:
    from datetime import timezone

    paris = datetime(2026, 11, 21, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    ledger = Ledger(now=paris)
    assert ledger.state.start.started_at == datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def test_refolding_every_record_gives_the_same_state_as_folding_one_by_one() -> None:
    ledger = Ledger()
    ledger.at(3)
    ledger.record_check(T0)
    ledger.event("pause")
    ledger.event("resume")
    assert session_state(library(), "session-1", ledger.records) == ledger.state
    observing = Ledger(start_draft(BOLUS_ONLY, volume=None))
    observing.event("bolus-given")
    observing.at(40)
    observing.event("bolus")
    assert observing.state.syringe is None
    assert session_state(library(), "session-1", observing.records) == observing.state


def test_a_repeat_bolus_sooner_than_the_protocol_allows_needs_a_reason() -> None:
    """acute-bolus: "single dose; may repeat after 30 min" (library bolus.repeat_after_min)."""
    repeat_after = library().protocol(BOLUS_ONLY).bolus.repeat_after_min  # type: ignore[union-attr]
    assert repeat_after == 30
    ledger = Ledger(start_draft(BOLUS_ONLY, volume=None))
    ledger.event("bolus-given")  # the starting dose, given at the start
    ledger.at(repeat_after - 1)  # 29 min after the starting dose
    early = preview_event(ledger.state, EventDraft(kind="bolus"), ledger.now)
    assert [f.code for f in early.payload.findings] == ["bolus-repeat-too-soon"]
    assert early.needs_reason and "29 min after the previous one" in early.payload.findings[0].message
    with pytest.raises(SessionError, match="need a reason"):
        event_payload(ledger.state, EventDraft(kind="bolus"), ledger.now)
    ledger.at(repeat_after)  # exactly 30 min: allowed without a reason
    assert preview_event(ledger.state, EventDraft(kind="bolus"), ledger.now).payload.findings == ()
    ledger.event("bolus")
    ledger.at(repeat_after + 10)  # 10 min after the repeat: counts from the last bolus
    assert [
        f.code for f in preview_event(ledger.state, EventDraft(kind="bolus"), ledger.now).payload.findings
    ] == ["bolus-repeat-too-soon"]


def test_a_protocol_without_a_repeat_interval_never_warns_about_a_repeat() -> None:
    ledger = Ledger(start_draft(ICU))
    ledger.at(5)
    assert "bolus-repeat-too-soon" not in {
        f.code for f in preview_event(ledger.state, EventDraft(kind="bolus"), ledger.now).payload.findings
    }


def test_a_first_bolus_after_a_start_without_one_is_not_a_repeat() -> None:
    """With a repeat interval on ICU's optional bolus, a first bolus 5 min after a bolus-free start is fine."""
    base = library()
    icu = base.protocol(ICU)
    bolus = icu.bolus.model_copy(update={"repeat_after_min": 30})  # type: ignore[union-attr]
    protocols = tuple(
        p.model_copy(update={"bolus": bolus}) if p.id == ICU else p for p in base.document.protocols
    )
    lib = base.model_copy(update={"document": base.document.model_copy(update={"protocols": protocols})})
    ledger = Ledger(start_draft(ICU), lib=lib)
    assert ledger.state.start.regimen.bolus is None
    ledger.at(5)
    assert preview_event(ledger.state, EventDraft(kind="bolus"), ledger.now).payload.findings == ()
    ledger.event("bolus")
    ledger.at(10)
    codes = [
        f.code for f in preview_event(ledger.state, EventDraft(kind="bolus"), ledger.now).payload.findings
    ]
    assert codes == ["bolus-repeat-too-soon"]


def test_the_running_rate_says_when_and_why_it_was_set() -> None:
    ledger = Ledger()
    first = running_rate(ledger.state)
    assert first is not None and (first.change, first.since, first.reason) == ("start", T0, None)
    assert first.infusion == ledger.state.infusion and first.status == "running"
    ledger.at(90)
    ledger.event("rate-change", infusion_dose=dose("1.5"))
    up = running_rate(ledger.state)
    assert up is not None and (up.change, up.since) == ("rate-increase", minutes(90))
    assert up.infusion.rate_ml_per_h == Decimal("6.3")
    ledger.at(120)
    ledger.event("pause")
    ledger.at(130)
    ledger.event("resume")
    ledger.at(200)
    ledger.event("rate-change", infusion_dose=dose("1"), reason="drowsy")
    down = running_rate(ledger.state)
    assert down is not None and (down.change, down.since, down.reason) == (
        "rate-decrease",
        minutes(200),
        "drowsy",
    )
    assert running_rate(Ledger(start_draft(BOLUS_ONLY, volume=None)).state) is None


def test_what_is_left_in_the_syringe_is_rounded_down_and_never_below_zero() -> None:
    ledger = Ledger(start_draft(volume="10"))  # 4.2 mL/h
    assert syringe_remaining_ml(ledger.state, T0 - timedelta(minutes=5)) == Decimal(10)
    assert syringe_remaining_ml(ledger.state, minutes(60)) == Decimal("5.8")
    assert syringe_remaining_ml(ledger.state, minutes(61)) == Decimal("5.7")  # 5.73 rounds down
    assert syringe_remaining_ml(ledger.state, minutes(600)) == 0
    assert syringe_remaining_ml(Ledger(start_draft(BOLUS_ONLY, volume=None)).state, T0) is None


def test_the_plan_to_session_hand_off_gives_a_start_the_domain_accepts() -> None:
    lib = library()
    regimen = compute_regimen(lib, start_draft(THEATRE).request)
    named = [item.id for item in lib.document.checklist if item.requires_name]
    draft = start_draft_for(
        lib,
        regimen,
        names={item_id: "B. Checker" for item_id in named},
        soft_limit_reason=None,
        screening=(),
        bed="Theatre 3",
        initials="",
        volume_ml=Decimal(50),
        started_by="AB",
    )
    assert draft.expected == regimen and draft.patient_initials is None
    assert draft.double_checked_by == "; ".join("B. Checker" for _ in named)
    assert draft.confirmed_checklist == tuple(item.id for item in lib.document.checklist)
    assert draft.confirmed_gates == gate_texts(regimen)
    assert start_payload(lib, draft, T0).regimen == regimen


def test_a_corrected_clock_jump_moves_the_time_line_and_not_the_deferral() -> None:
    ledger = Ledger()
    ledger.at(1)
    ledger.add(deferral_payload(ledger.state, T0, 15, "in X-ray", "EF", ledger.now))
    assert clock_correction(ledger.state) == timedelta(0)
    # Put back an hour at 08:10 and corrected for: the session's time line stays on real time, so the
    # deferral runs out at 08:16 session time, with nothing added for the jump.
    jump = clock_jump_payload(
        minutes(10), minutes(10), -3600.0, "tick", corrected=True, wall_at=minutes(-50), real_time_s=1600.25
    )
    ledger.add(jump, by="ketamine-desktop")
    assert jump.real_time_s == Decimal("1600.25") and jump.wall_at == minutes(-50)
    assert clock_correction(ledger.state) == timedelta(hours=-1)
    assert live_deferral(ledger.state, T0, minutes(15)) is not None
    assert live_deferral(ledger.state, T0, minutes(16)) is None
    assert (
        describe_jump(jump) == "The wall clock was changed 1 h 0 min back; checks kept to real elapsed time."
    )
    forward = clock_jump_payload(minutes(20), minutes(20), 600.0, "tick", corrected=True)
    assert describe_jump(forward).startswith("The wall clock was changed 10 min 0 s forward;")
