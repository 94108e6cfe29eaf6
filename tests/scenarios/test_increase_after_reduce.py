"""Scenario 2 (titration), ward infusion: POSS 3 at 20:15, reduced by half at 20:16; at 20:26 a rate
increase back to 1 mcg/kg/min is refused until the prescriber who ordered it is named, with a reason;
then it is saved, and re-tightens the schedule as any increase does."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QLineEdit

from tests.scenarios.nurse import Nurse


def test_an_increase_10_min_after_a_reduce_needs_the_prescribers_name(nurse: Nurse) -> None:
    nurse.start("chronic-opioid-tolerant", weight="70")
    nurse.keep_up_until(15)
    nurse.record_check(sedation="3")
    nurse.wait(1)
    nurse.answer("reduce")
    nurse.type("eventByField", "EF")
    nurse.click("confirmEventButton")
    assert nurse.header()["rate"] == "2.1 mL/h"

    nurse.wait(10)
    nurse.click("rateChangeButton")
    nurse.dialog("eventDialog")
    nurse.type("newDoseField", "1")
    assert nurse.label("newRateValue") == "New rate: 4.2 mL/h"
    assert nurse.find(QLineEdit, "eventPrescriberField").isVisible()
    nurse.type("eventByField", "EF")
    assert nurse.label("eventMessage") == "Name the prescriber who ordered it, and give the reason."
    assert not nurse.find(QAbstractButton, "confirmEventButton").isEnabled()
    findings = nurse.label("eventSummary")
    assert findings.startswith("Rate increased to 1 mcg/kg/min")
    nurse.type("eventReasonField", "pain 8/10; reviewed at the bedside")
    assert not nurse.find(QAbstractButton, "confirmEventButton").isEnabled()  # a reason alone is not enough
    nurse.shoot("increase-refused-without-prescriber")
    nurse.type("eventPrescriberField", "Dr Reed")
    nurse.click("confirmEventButton")
    header = nurse.header()
    assert header["rate"] == "4.2 mL/h"
    # The increase re-tightens: a check 15 min after it, and every 15 min for the hour.
    dues = [row[1] for row in nurse.timed_list() if row[0] == "Upcoming"]
    assert nurse.hm(41) in dues and nurse.hm(56) in dues
    assert any("prescriber Dr Reed" in row[2] for row in nurse.table("historyTable"))
