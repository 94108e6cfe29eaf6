"""The handover's facts: infusion stretches, the dose delivered, the syringe, overrides, what is open."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ketamine_desktop.domain.handover import (
    DOSE_WINDOW,
    EVENT_WINDOW,
    bolus_doses,
    delivered_mg,
    handover_facts,
    infusion_segments,
    overrides,
    segment_mg,
    syringe_remaining_ml,
)
from ketamine_desktop.domain.reminders import close_payload
from ketamine_desktop.domain.screening import ScreeningItemResult
from ketamine_desktop.domain.session import deferral_payload, session_state
from tests.helpers.builders import BOLUS_ONLY, ICU, T0, WARD, Ledger, dose, roundtrip, start_draft

HEAD = "ab" * 32


def _close(a: Decimal, b: Decimal) -> bool:
    """Equal to 20 decimal places (a third of an hour is not exact in decimal)."""
    return abs(a - b) < Decimal("1e-20")


def _started_before_the_bolus_was_confirmed() -> Ledger:
    """A record written before the planned bolus was confirmed separately: it counts as given at 08:00."""
    ledger = Ledger(start_draft(WARD))
    start = ledger.state.start.model_copy(update={"bolus_given": "at-start"})
    ledger.records = [roundtrip(1, start, "AB", T0)]
    ledger.state = session_state(ledger.library, "session-1", ledger.records)
    return ledger


def _shift() -> Ledger:
    """Start 08:00 (4.2 mL/h, with the protocol's bolus, an older record: given at the start), up to
    1.5 mcg/kg/min at 09:00, pause 09:30, new rate while paused 09:35, resume 09:40, syringe change 10:00,
    stop 11:00."""
    ledger = _started_before_the_bolus_was_confirmed()
    ledger.at(60)
    ledger.event("rate-change", infusion_dose=dose("1.5"), reason="pain")
    ledger.at(90)
    ledger.event("pause")
    ledger.at(95)
    ledger.event("rate-change", infusion_dose=dose("1.2"))
    ledger.at(100)
    ledger.event("resume")
    ledger.at(120)
    ledger.event("syringe-change", syringe_volume_ml="20")
    ledger.at(180)
    ledger.event("stop")
    return ledger


def test_segments_follow_rate_changes_pauses_and_the_stop() -> None:
    ledger = _shift()
    segments = infusion_segments(ledger.state)
    spans = [
        (s.start - T0, None if s.end is None else s.end - T0, s.infusion.rate_ml_per_h) for s in segments
    ]
    m = timedelta(minutes=1)
    assert spans == [
        (0 * m, 60 * m, Decimal("4.2")),
        (60 * m, 90 * m, Decimal("6.3")),
        (100 * m, 180 * m, Decimal("5.0")),  # the rate set while paused runs from the resume
    ]
    assert [s.seq for s in segments] == [1, 2, 5]


def test_delivered_dose_is_rate_times_time_plus_boluses() -> None:
    ledger = _shift()
    state = ledger.state
    bolus = state.start.regimen.bolus
    assert bolus is not None
    assert [d.seq for d in bolus_doses(state)] == [1]
    infused = Decimal("4.2") + Decimal("6.3") / 2 + Decimal("5.0") * 80 / 60
    assert _close(delivered_mg(state, None, ledger.now), infused + bolus.delivered_mg)
    # The start's bolus is at 08:00: a window opening at 08:00 leaves it out.
    assert _close(delivered_mg(state, T0, ledger.now), infused)
    assert delivered_mg(state, T0 + timedelta(hours=10), T0 + timedelta(hours=11)) == 0


def test_a_running_stretch_counts_up_to_the_window_end_and_a_later_bolus_counts() -> None:
    ledger = Ledger(start_draft(WARD))
    assert bolus_doses(ledger.state) == ()  # planned, not yet given
    ledger.event("bolus-given")  # given at 08:00
    ledger.at(30)
    ledger.event("bolus", reason="breakthrough pain")
    state = ledger.state
    assert infusion_segments(state)[-1].end is None
    [_, later] = bolus_doses(state)
    assert later.at == T0 + timedelta(minutes=30)
    end = T0 + timedelta(hours=2)
    assert delivered_mg(state, T0, end) == Decimal("8.4") + later.bolus.delivered_mg
    assert segment_mg(infusion_segments(state)[0], end, end + timedelta(hours=1)) == Decimal("4.2")
    assert segment_mg(infusion_segments(state)[0], end, end) == 0


def test_stop_while_paused_and_a_start_without_bolus() -> None:
    ledger = Ledger(start_draft(ICU, include_bolus=False))
    assert bolus_doses(ledger.state) == ()
    ledger.at(60)
    ledger.event("pause")
    ledger.at(90)
    ledger.event("stop")
    [segment] = infusion_segments(ledger.state)
    assert segment.end == T0 + timedelta(minutes=60)


def test_bolus_only_session_has_no_infusion_segments_and_no_syringe() -> None:
    ledger = Ledger(start_draft(BOLUS_ONLY, volume=None))
    ledger.event("bolus-given")
    assert infusion_segments(ledger.state) == ()
    assert syringe_remaining_ml(ledger.state, T0) is None
    assert delivered_mg(ledger.state, None, T0) == bolus_doses(ledger.state)[0].bolus.delivered_mg
    facts = handover_facts(ledger.state, T0, HEAD, 1)
    assert facts.running is None and facts.syringe_remaining_ml is None and facts.syringe_volume_ml is None


def test_syringe_left_never_goes_below_zero() -> None:
    ledger = Ledger(start_draft(WARD, volume="10"))
    state = ledger.state
    assert syringe_remaining_ml(state, T0 + timedelta(hours=1)) == Decimal("5.8")
    assert syringe_remaining_ml(state, T0 + timedelta(hours=5)) == 0
    assert syringe_remaining_ml(state, T0 - timedelta(hours=1)) == 10  # a clock put back: nothing used


def test_overrides_name_what_who_and_why() -> None:
    screening = ScreeningItemResult(
        item_id="cv",
        text="Uncontrolled cardiovascular disease",
        level="contraindicated",
        present=True,
        status="overridden",
        message="needs a senior override",
        sources=("LABEL",),
        override_by="Dr Senior",
        override_reason="pain crisis, BP controlled now",
    )
    draft = start_draft(WARD, reason="usual dose too low before", infusion_dose=dose("3"))
    ledger = Ledger(draft.model_copy(update={"screening": (screening,)}))
    ledger.at(10)
    ledger.event("rate-change", infusion_dose=dose("3.5"), reason="still in pain")
    ledger.at(15)
    ledger.event("rate-change", infusion_dose=dose("1"))
    found = overrides(ledger.state)
    assert [(o.seq, o.by, o.reason) for o in found] == [
        (1, "AB", "usual dose too low before"),
        (1, "Dr Senior", "pain crisis, BP controlled now"),
        (2, "AB", "still in pain"),
    ]
    assert found[0].what.startswith("Start despite: ")
    assert found[1].what == "Contraindication: Uncontrolled cardiovascular disease"
    assert "soft max" in found[2].what or "usual" in found[2].what or found[2].what


def test_handover_facts_at_the_end_of_a_shift() -> None:
    ledger = _shift()
    ledger.at(185)
    facts = handover_facts(ledger.state, ledger.now, HEAD, 9)
    assert (facts.bed_label, facts.patient_initials, facts.protocol_id) == ("Ward 7 bed 12", "JD", WARD)
    assert facts.status == "stopped" and facts.running is None
    assert facts.set_infusion is not None and facts.set_infusion.rate_ml_per_h == Decimal("5.0")
    assert facts.total_mg == delivered_mg(ledger.state, None, ledger.now)
    assert facts.total_mg_per_kg == facts.total_mg / 70
    assert facts.last_24h_mg == facts.total_mg  # the whole shift is inside the last 24 h
    assert facts.syringe_volume_ml == Decimal("20")
    assert [e.body.kind for e in facts.recent_events] == [
        "rate-increase",
        "pause",
        "rate-decrease",
        "resume",
        "syringe-change",
        "stop",
    ]
    assert (facts.head_hash, facts.record_count) == (HEAD, 9)
    assert facts.library_sha256 == ledger.library.sha256
    later = handover_facts(ledger.state, ledger.now + EVENT_WINDOW + DOSE_WINDOW, HEAD, 9)
    assert later.recent_events == () and later.last_24h_mg == 0


def test_handover_lists_the_running_rate_open_checks_and_deferrals() -> None:
    ledger = Ledger(start_draft(WARD))
    ledger.record_check(T0)
    ledger.at(16)
    due = T0 + timedelta(minutes=15)
    ledger.add(deferral_payload(ledger.state, due, 10, "asleep", "EF", ledger.now), "EF")
    ledger.at(50)
    facts = handover_facts(ledger.state, ledger.now, HEAD, 3)
    assert facts.running is not None and facts.running.rate_ml_per_h == Decimal("4.2")
    assert [d.body.reason for d in facts.deferrals] == ["asleep"]
    assert {r.status for r in facts.open_items} >= {"overdue"}
    assert len(facts.last_observations) == 1
    assert facts.syringe_empty_at is not None


def test_a_closed_session_has_nothing_open() -> None:
    ledger = Ledger(start_draft(WARD))
    ledger.record_check(T0)
    ledger.at(5)
    ledger.event("stop")
    ledger.add(close_payload(ledger.state, "moved to theatre", "AB", ledger.now))
    assert handover_facts(ledger.state, ledger.now, HEAD, 4).open_items == ()
    assert infusion_segments(ledger.state)[-1].end == ledger.now


@settings(max_examples=40, deadline=None)
@given(
    pause=st.integers(min_value=1, max_value=600),
    resume=st.integers(min_value=1, max_value=600),
    split=st.integers(min_value=-60, max_value=2000),
    end=st.integers(min_value=0, max_value=3000),
)
def test_windows_that_meet_add_up_and_totals_grow_with_time(
    pause: int, resume: int, split: int, end: int
) -> None:
    ledger = Ledger(start_draft(WARD))
    ledger.at(pause)
    ledger.event("pause")
    ledger.at(pause + resume)
    ledger.event("resume")
    state = ledger.state
    b = T0 + timedelta(minutes=split)
    c = T0 + timedelta(minutes=max(split, end))
    whole = delivered_mg(state, None, c)
    assert _close(delivered_mg(state, None, b) + delivered_mg(state, b, c), whole)
    assert delivered_mg(state, None, b) <= whole
    assert whole >= 0
