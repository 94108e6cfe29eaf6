"""PlanStore without widgets: commands in, one `changed` with what changed, domain results out."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.checklist import items_to_tick
from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import DoseRate, Library
from ketamine_desktop.domain.regimen import RegimenRequest, compute_regimen
from ketamine_desktop.domain.screening import ScreeningAnswer
from ketamine_desktop.state.plan import (
    AnswerScreening,
    ChooseProtocol,
    CompleteChecklist,
    PlanChange,
    PlanStore,
    RejectEntry,
    SetBolusIncluded,
    SetInfusionDose,
    SetNumber,
)


@pytest.fixture
def store(qtbot: QtBot, library: Library, clock: FakeClock) -> PlanStore:
    return PlanStore(library, clock)


def _all_absent(store: PlanStore, library: Library) -> None:
    for item in library.document.contraindications:
        store.apply(AnswerScreening(ScreeningAnswer(item_id=item.id, present=False)))


def _checklist(library: Library, store: PlanStore, reason: str | None = None) -> CompleteChecklist:
    regimen = store.regimen
    assert regimen is not None
    protocol = library.protocol(regimen.protocol_id)
    return CompleteChecklist(
        confirmed_items=tuple(item.id for item in items_to_tick(library, protocol)),
        names={item.id: "A. Second RN" for item in library.document.checklist if item.requires_name},
        confirmed_gates=tuple(f.message for f in regimen.findings if f.code == "gate"),
        soft_limit_reason=reason,
    )


def test_the_regimen_is_the_domains(qtbot: QtBot, store: PlanStore, library: Library) -> None:
    store.apply(ChooseProtocol("subanesthetic-infusion"))
    with qtbot.waitSignal(store.changed) as signal:
        store.apply(SetNumber("weight_kg", Decimal(70)))
    assert signal.args is not None
    assert PlanChange.REGIMEN in signal.args[0]
    expected = compute_regimen(
        library,
        RegimenRequest(
            protocol_id="subanesthetic-infusion",
            weight_kg=Decimal(70),
            include_bolus=True,
            bolus_mg_per_kg=Decimal("0.5"),
            bolus_concentration_mg_per_ml=Decimal(10),
            bolus_over_min=Decimal(5),
            infusion_dose=DoseRate(value=Decimal(1), unit="mcg/kg/min"),
            infusion_concentration_mg_per_ml=Decimal(1),
        ),
    )
    assert store.regimen == expected
    assert store.is_current


def test_no_protocol_is_assumed(store: PlanStore) -> None:
    assert store.protocol is None
    store.apply(SetNumber("weight_kg", Decimal(70)))
    assert store.regimen is None
    assert "Choose the protocol." in store.start_gate().reasons


def test_nothing_changed_emits_nothing(qtbot: QtBot, store: PlanStore) -> None:
    store.apply(ChooseProtocol("acute-bolus"))
    store.apply(SetNumber("weight_kg", Decimal(70)))
    with qtbot.assertNotEmitted(store.changed):
        store.apply(SetNumber("weight_kg", Decimal(70)))
        store.apply(ChooseProtocol("acute-bolus"))


def test_a_rejected_entry_keeps_the_regimen_and_stops_start(store: PlanStore, library: Library) -> None:
    _all_absent(store, library)
    store.apply(ChooseProtocol("acute-bolus"))
    store.apply(SetNumber("weight_kg", Decimal(70)))
    regimen = store.regimen
    assert store.start_gate().can_start
    store.apply(RejectEntry("weight_kg", "not a number"))
    assert store.regimen is regimen
    assert store.field_errors == {"weight_kg": "not a number"}
    assert not store.is_current
    assert not store.start_gate().can_start
    # Another entry changes while the weight is wrong: still nothing computed from a half-valid form.
    store.apply(SetNumber("bolus_over_min", Decimal(30)))
    assert store.regimen is regimen
    store.apply(SetNumber("weight_kg", Decimal(70)))
    assert store.is_current
    assert store.regimen is not regimen


def test_a_domain_refusal_is_an_error_on_its_field(store: PlanStore) -> None:
    store.apply(ChooseProtocol("intraoperative"))
    store.apply(SetNumber("weight_kg", Decimal(70)))
    store.apply(SetBolusIncluded(True))  # no default bolus dose in this protocol
    assert "bolus_mg_per_kg" in store.field_errors
    store.apply(SetBolusIncluded(False))
    assert store.field_errors == {}
    assert store.is_current


def test_a_zero_dose_is_refused(store: PlanStore) -> None:
    store.apply(ChooseProtocol("icu-infusion"))
    store.apply(SetInfusionDose(Decimal(0), "mg/kg/h"))
    assert store.field_errors["infusion_dose"] == "must be greater than zero"


def test_a_protocol_change_resets_the_choices_and_keeps_the_weight(
    store: PlanStore, library: Library
) -> None:
    store.apply(ChooseProtocol("icu-infusion"))
    store.apply(SetNumber("weight_kg", Decimal(80)))
    store.apply(SetInfusionDose(Decimal("1.5"), "mg/kg/h"))
    store.apply(RejectEntry("bolus_over_min", "not a number"))
    store.apply(ChooseProtocol("subanesthetic-infusion"))
    assert store.entries.weight_kg == Decimal(80)
    infusion = library.protocol("subanesthetic-infusion").infusion
    assert infusion is not None
    assert store.entries.infusion_dose == infusion.default
    assert store.field_errors == {}


def test_the_checklist_is_refused_unless_everything_is_there(store: PlanStore, library: Library) -> None:
    store.apply(ChooseProtocol("subanesthetic-infusion"))
    store.apply(SetNumber("weight_kg", Decimal(70)))
    with pytest.raises(ValueError, match="cannot start"):
        store.apply(_checklist(library, store))  # screening not answered
    _all_absent(store, library)
    complete = _checklist(library, store)
    with pytest.raises(ValueError, match="every checklist item"):
        store.apply(CompleteChecklist(complete.confirmed_items[1:], complete.names, (), None))
    with pytest.raises(ValueError, match="needs a name"):
        store.apply(CompleteChecklist(complete.confirmed_items, {}, (), None))
    store.apply(complete)
    assert store.planned is not None
    assert store.planned.checks[0].kind == "baseline"


def test_soft_findings_need_a_reason_and_gates_a_confirmation(store: PlanStore, library: Library) -> None:
    _all_absent(store, library)
    store.apply(ChooseProtocol("shock"))
    store.apply(SetNumber("weight_kg", Decimal(160)))  # outside the plausible band: soft
    assert store.start_gate().needs_reason
    complete = _checklist(library, store)
    with pytest.raises(ValueError, match="reason"):
        store.apply(complete)
    with pytest.raises(ValueError, match="gate"):
        store.apply(CompleteChecklist(complete.confirmed_items, complete.names, (), "checked twice"))
    store.apply(
        CompleteChecklist(complete.confirmed_items, complete.names, complete.confirmed_gates, " checked ")
    )
    assert store.planned is not None
    assert store.planned.soft_limit_reason == "checked"


def test_the_running_sessions_screening_is_held_while_it_is_followed(
    store: PlanStore, library: Library
) -> None:
    from ketamine_desktop.domain.screening import recorded_screening, screen
    from ketamine_desktop.state.plan import FollowSession

    first = library.document.contraindications[1]
    answers = {
        first.id: ScreeningAnswer(item_id=first.id, present=True, override_by="Dr Reed", override_reason="r")
    }
    kept = tuple(i for i in screen(library, answers).items if i.status == "overridden")
    recorded = recorded_screening(library, kept, started_under_this_library=True)
    assert store.running_screening is None
    request = RegimenRequest(
        protocol_id="subanesthetic-infusion",
        weight_kg=Decimal(70),
        include_bolus=False,
        infusion_dose=DoseRate(value=Decimal(1), unit="mcg/kg/min"),
        infusion_concentration_mg_per_ml=Decimal(1),
    )
    store.apply(FollowSession(request, None, recorded))
    assert store.running_screening == recorded
    store.apply(FollowSession(None))
    assert store.running_screening is None
