"""Scenario 2, too sleepy (POSS 3), ward infusion, chronic-opioid-tolerant, 70 kg, 1 mcg/kg/min = 4.2 mL/h.

One decision, largest: reduce by half; under it nothing contradicts it. A follow-up check appears at +15
with its reason. The decision stays open in the header, over every tab and after a restart; reading it
(acknowledging) does not answer it. "Reduce by half" opens the rate dialog at half the dose, the new rate
shown; saved, the header and the Dosing tab show the new rate at once and the decision is answered."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from tests.scenarios.nurse import Nurse


def test_poss_3_one_decision_a_follow_up_open_across_a_restart_then_reduce_by_half(nurse: Nurse) -> None:
    nurse.start("chronic-opioid-tolerant", weight="70")
    nurse.keep_up_until(15)
    assert nurse.record_check(sedation="3").startswith("Saved at")

    seen = nurse.assessment()
    assert seen["decision"] == "Decision: Reduce the infusion"
    assert seen["decision_text"].startswith("Halve the infusion rate")
    assert seen["actions"] == [] and seen["also"] == ""  # one instruction, nothing beside it
    advised = f"REDUCE BY HALF ADVISED at {nurse.hm(15)} - infusion still recorded as running"
    assert nurse.decision() == advised
    assert nurse.banner().startswith(advised)
    rows = nurse.timed_list()
    assert rows[0][0] == "URGENT" and rows[0][2].startswith("Decision open: Halve the infusion rate")
    follow = [row for row in rows if row[2].startswith("Follow-up: POSS 3 or RASS -3")]
    assert [row[1] for row in follow] == [nurse.hm(30)]
    assert f"(check at {nurse.hm(15)})" in follow[0][2]
    nurse.shoot("too-sleepy-decision")

    # Over every tab, and after the app was closed and reopened.
    nurse.show_tab("side effects")
    assert nurse.banner().startswith(advised)
    nurse.restart(closed_for_min=3)
    assert nurse.banner().startswith(advised)
    nurse.show_tab("monitoring")
    assert nurse.decision() == advised
    # Reading it is not doing it.
    nurse.type("acknowledgedByField", "EF")
    nurse.click("acknowledgeButton")
    assert nurse.decision() == advised and nurse.banner().startswith(advised)

    nurse.answer("reduce")
    nurse.dialog("eventDialog")
    assert nurse.find(QLineEdit, "newDoseField").text() == "0.5"
    summary = nurse.label("eventSummary")
    assert "2.1 mL/h" in summary and "0.5 mcg/kg/min" in summary, summary
    nurse.shoot("too-sleepy-reduce-dialog")
    nurse.type("eventByField", "EF")
    nurse.click("confirmEventButton")
    assert nurse.header()["rate"] == "2.1 mL/h"
    assert nurse.decision() == "" and not nurse.banner().startswith("REDUCE")
    assert nurse.assessment()["answer"].startswith(f"Done: rate reduced at {nurse.hm(18)}")
    nurse.show_tab("dosing")
    assert nurse.label("pumpRateValue") == "2.1 mL/h"
    nurse.show_tab("monitoring")
    nurse.shoot("too-sleepy-reduced")
