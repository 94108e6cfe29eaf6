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


def test_an_increase_waits_until_the_open_reduce_is_answered(nurse: Nurse) -> None:
    """POSS 3 advises a reduce; the nurse does not do it. 70 min later (past the hour's lockout) an
    increase is still refused while that decision is open; recording it as not done, with the reason and
    the prescriber who decided, lets the increase through."""
    nurse.start("chronic-opioid-tolerant", weight="70")
    nurse.keep_up_until(15)
    nurse.record_check(sedation="3")
    nurse.wait(70)
    nurse.click("rateChangeButton")
    nurse.dialog("eventDialog")
    nurse.type("newDoseField", "1.5")
    nurse.type("eventByField", "EF")
    nurse.type("eventReasonField", "pain 9/10")
    nurse.type("eventPrescriberField", "Dr Reed")
    assert nurse.label("eventMessage") == (
        "rate increase: a check advised to reduce the infusion and that decision is still open; answer it "
        "first (do it, or record it as not done with the reason and who decided)"
    )
    assert not nurse.find(QAbstractButton, "confirmEventButton").isEnabled()
    nurse.shoot("increase-refused-while-reduce-open")
    nurse.click("cancelEventButton")
    nurse.answer("not-done")
    nurse.dialog("notDoneDialog")
    nurse.type("notDoneByField", "EF")
    nurse.type("notDoneReasonField", "POSS 1 on recheck; pain 9/10")
    nurse.type("notDoneClinicianField", "Dr Reed")
    nurse.click("confirmNotDoneButton")
    nurse.click("rateChangeButton")
    nurse.dialog("eventDialog")
    nurse.type("newDoseField", "1.5")
    nurse.type("eventByField", "EF")
    nurse.type("eventReasonField", "pain 9/10")
    nurse.click("confirmEventButton")
    assert nurse.header()["rate"] == "6.3 mL/h"
