"""Issue 9, items 6 and 7 in the record: the planned bolus recorded when given, a syringe change to
another concentration, the diastolic BP, adverse events; and records written before them still open."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from ketamine_desktop.domain.assessment import Observation
from ketamine_desktop.domain.session import (
    AdverseEventDraft,
    EventDraft,
    ObservationDraft,
    SessionError,
    adverse_event_payload,
    event_payload,
    missing_items,
    parse_record,
    preview_event,
    session_checks,
    session_state,
    start_payload,
    to_payload,
)
from ketamine_desktop.domain.session.records import EventPayload, StartPayload
from tests.helpers.builders import BOLUS_ONLY, T0, THEATRE, WARD, Ledger, library, start_draft


def test_a_new_start_waits_for_the_bolus_to_be_confirmed_given() -> None:
    ledger = Ledger(start_draft(WARD))  # chronic-opioid-tolerant: 0.35 mg/kg bolus with the infusion
    assert ledger.state.start.bolus_given == "when-confirmed"
    planned = ledger.state.start.regimen.bolus
    assert planned is not None and ledger.state.pending_bolus == planned
    assert ledger.state.events == ()  # nothing is assumed given
    ledger.at(4)
    with pytest.raises(SessionError, match=r"not recorded as given yet: record it first \(Bolus given\)"):
        preview_event(ledger.state, EventDraft(kind="bolus"), ledger.now)
    ledger.event("bolus-given", given_at=T0 + timedelta(minutes=2))
    event = ledger.state.events[-1].body
    assert (event.kind, event.at, event.start_bolus, event.bolus) == (
        "bolus",
        T0 + timedelta(minutes=2),
        True,
        planned,
    )
    assert ledger.state.pending_bolus is None
    with pytest.raises(SessionError, match="no planned bolus waiting"):
        preview_event(ledger.state, EventDraft(kind="bolus-given"), ledger.now)


def test_the_bolus_time_is_now_by_default_and_never_in_the_future_or_before_the_last_event() -> None:
    ledger = Ledger(start_draft(WARD))
    ledger.at(10)
    with pytest.raises(SessionError, match="08:11 UTC is in the future"):
        preview_event(
            ledger.state, EventDraft(kind="bolus-given", given_at=T0 + timedelta(minutes=11)), ledger.now
        )
    with pytest.raises(SessionError, match=r"07:59 UTC is before the start \(08:00 UTC\)"):
        preview_event(
            ledger.state, EventDraft(kind="bolus-given", given_at=T0 - timedelta(minutes=1)), ledger.now
        )
    ledger.event("syringe-change", syringe_volume_ml=Decimal(50))  # at 08:10
    with pytest.raises(SessionError, match=r"before the last recorded event \(08:10 UTC\)"):
        preview_event(
            ledger.state, EventDraft(kind="bolus-given", given_at=T0 + timedelta(minutes=5)), ledger.now
        )
    assert preview_event(ledger.state, EventDraft(kind="bolus-given"), ledger.now).payload.at == ledger.now


def test_the_bolus_only_grid_follows_the_time_the_bolus_was_given() -> None:
    ledger = Ledger(start_draft(BOLUS_ONLY, volume=None))
    assert ledger.state.status == "observing" and ledger.state.pending_bolus is not None
    ledger.at(20)
    ledger.event("bolus-given", given_at=T0 + timedelta(minutes=10))
    dues = [c.due for c in session_checks(ledger.state, T0 + timedelta(minutes=60))]
    # Baseline at the start, then every 15 min from the dose at 20:10 (the grid before it stays).
    assert [int((d - T0).total_seconds() // 60) for d in dues] == [0, 25, 40, 55]


def test_a_start_without_a_bolus_has_none_pending() -> None:
    ledger = Ledger(start_draft(THEATRE))  # intraoperative: the bolus is optional, off
    assert ledger.state.start.regimen.bolus is None and ledger.state.pending_bolus is None
    with pytest.raises(SessionError, match="no planned bolus"):
        preview_event(ledger.state, EventDraft(kind="bolus-given"), ledger.now)


def test_a_start_recorded_before_the_confirmation_existed_counts_its_bolus_given_at_the_start() -> None:
    payload = to_payload(start_payload(library(), start_draft(WARD), T0))
    del payload["bolus_given"]  # what the app wrote before this change
    record = parse_record(1, "session-started", payload, "AB", T0)
    assert isinstance(record.body, StartPayload) and record.body.bolus_given == "at-start"
    state = session_state(library(), "old", [record])
    assert state.pending_bolus is None
    old_event = to_payload(EventPayload(at=T0, kind="pause"))
    del old_event["start_bolus"]
    del old_event["pump_rate_confirmed"]
    assert parse_record(2, "event", old_event, "AB", T0).body == EventPayload(at=T0, kind="pause")


def test_a_syringe_change_to_another_concentration_keeps_the_dose_and_asks_for_the_pump() -> None:
    ledger = Ledger(start_draft(WARD))  # 4.2 mL/h of 1 mg/mL
    ledger.event("bolus-given")
    ledger.at(60)
    draft = EventDraft(
        kind="syringe-change", syringe_volume_ml=Decimal(40), concentration_mg_per_ml=Decimal(5)
    )
    preview = preview_event(ledger.state, draft, ledger.now)
    infusion = preview.payload.infusion
    assert infusion is not None and infusion.rate_ml_per_h == Decimal("0.8")
    assert infusion.dose_mg_per_h == Decimal("4.2") and infusion.concentration_mg_per_ml == 5
    assert not preview.blocked and not preview.needs_reason
    with pytest.raises(SessionError, match=r"confirm that the pump is set to 0.8 mL/h"):
        event_payload(ledger.state, draft, ledger.now)
    ledger.event(
        "syringe-change",
        syringe_volume_ml=Decimal(40),
        concentration_mg_per_ml=Decimal(5),
        pump_rate_confirmed=True,
    )
    state = ledger.state
    assert state.infusion is not None and state.infusion.rate_ml_per_h == Decimal("0.8")
    assert state.request.infusion_concentration_mg_per_ml == 5
    assert state.syringe is not None and state.syringe.volume_ml == 40
    assert state.syringe.delivering_ml_per_h == Decimal("0.8")
    assert session_state(library(), "session-1", ledger.records) == state
    # A later rate change keeps the new concentration.
    ledger.at(130)
    ledger.event("rate-change", infusion_dose={"value": Decimal(2), "unit": "mcg/kg/min"})
    assert ledger.state.infusion is not None and ledger.state.infusion.concentration_mg_per_ml == 5
    assert ledger.state.infusion.rate_ml_per_h == Decimal("1.7")  # 8.4 mg/h at 5 mg/mL


def test_the_same_concentration_is_a_plain_syringe_change_and_a_bad_one_is_refused() -> None:
    ledger = Ledger(start_draft(WARD))
    ledger.at(30)
    same = EventDraft(
        kind="syringe-change", syringe_volume_ml=Decimal(50), concentration_mg_per_ml=Decimal(1)
    )
    payload = event_payload(ledger.state, same, ledger.now)
    assert payload.infusion is None and not payload.pump_rate_confirmed
    vial = EventDraft(
        kind="syringe-change", syringe_volume_ml=Decimal(50), concentration_mg_per_ml=Decimal(50)
    )
    assert preview_event(ledger.state, vial, ledger.now).blocked
    with pytest.raises(SessionError, match="hard limit"):
        event_payload(ledger.state, vial, ledger.now)
    zero = EventDraft(
        kind="syringe-change", syringe_volume_ml=Decimal(50), concentration_mg_per_ml=Decimal(0)
    )
    with pytest.raises(SessionError, match="new concentration: "):
        preview_event(ledger.state, zero, ledger.now)
    custom = EventDraft(
        kind="syringe-change", syringe_volume_ml=Decimal(50), concentration_mg_per_ml=Decimal(3)
    )
    assert preview_event(ledger.state, custom, ledger.now).needs_reason
    with pytest.raises(SessionError, match="need a reason"):
        event_payload(ledger.state, custom.model_copy(update={"pump_rate_confirmed": True}), ledger.now)


def test_blood_pressure_needs_both_numbers() -> None:
    protocol = library().protocol(WARD)

    def draft(**values: int) -> ObservationDraft:
        return ObservationDraft(
            check_due=None, observation=Observation(**values), answered=("blood_pressure",)
        )

    assert missing_items(protocol, draft(systolic_bp=128), ("blood_pressure",)) == ("blood_pressure",)
    assert missing_items(protocol, draft(diastolic_bp=76), ("blood_pressure",)) == ("blood_pressure",)
    assert missing_items(protocol, draft(systolic_bp=128, diastolic_bp=76), ("blood_pressure",)) == ()


def test_an_adverse_event_names_a_library_side_effect_and_what_was_done() -> None:
    ledger = Ledger(start_draft(WARD))
    ledger.at(25)
    draft = AdverseEventDraft(side_effect_id="nausea", action_taken="  Ondansetron 4 mg IV as prescribed ")
    payload = adverse_event_payload(ledger.state, draft, "EF", ledger.now)
    assert (payload.side_effect_id, payload.action_taken, payload.at, payload.note) == (
        "nausea",
        "Ondansetron 4 mg IV as prescribed",
        ledger.now,
        None,
    )
    ledger.add(payload, "EF")
    assert [a.body.side_effect_id for a in ledger.state.adverse_events] == ["nausea"]
    assert ledger.state.adverse_events[0].by == "EF"
    assert session_state(library(), "session-1", ledger.records) == ledger.state
    with pytest.raises(SessionError, match="choose one from the library"):
        adverse_event_payload(
            ledger.state, draft.model_copy(update={"side_effect_id": "itch"}), "EF", ledger.now
        )
    with pytest.raises(SessionError, match="say what was done"):
        adverse_event_payload(ledger.state, draft.model_copy(update={"action_taken": "  "}), "EF", ledger.now)
    with pytest.raises(SessionError, match="at most 500"):
        adverse_event_payload(
            ledger.state, draft.model_copy(update={"action_taken": "x" * 501}), "EF", ledger.now
        )
    with pytest.raises(SessionError, match="recorded by"):
        adverse_event_payload(ledger.state, draft, " ", ledger.now)
    ledger.event("stop")
    from ketamine_desktop.domain.session import ClosePayload

    ledger.add(ClosePayload(at=ledger.now, reason="done"))
    with pytest.raises(SessionError, match="the session has ended"):
        adverse_event_payload(ledger.state, draft, "EF", ledger.now)
