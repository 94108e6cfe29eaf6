"""A normal shift from the Dosing tab to the stop (chronic-opioid-tolerant, 70 kg, bolus then infusion).

The pre-start checklist (with the syringe volume) starts the session: no second form. The baseline check is
due at once and recorded in the app; the bolus is not assumed given at Start: the header says it is still
to be given until the nurse presses "Bolus given" with the time it was given, and the checks after it
count from then. Checks chart systolic and diastolic BP and answer the oldest open check unless the nurse
picks another; an adverse event is recorded with what was done; the stop brings the after-stop checks.
"""

from __future__ import annotations

from PySide6.QtCore import QTime
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QTimeEdit

from tests.scenarios.nurse import Nurse


def test_a_normal_shift_from_dosing_to_the_stop(nurse: Nurse) -> None:
    nurse.start("chronic-opioid-tolerant", weight="70")
    header = nurse.header()
    assert header["status"] == "RUNNING" and header["rate"] == "4.2 mL/h"
    assert header["sessionPendingBolus"].startswith("Planned bolus 24.5 mg (0.35 mg/kg) = 2.5 mL of 10 mg/mL")
    assert "not yet recorded as given" in header["sessionPendingBolus"]
    assert header["next"].startswith(f"CHECK DUE NOW: due {nurse.hm(0)}")
    assert nurse.label("recordTarget") == f"Record the baseline check due {nurse.hm(0)} (DUE)"
    nurse.shoot("shift-01-started-baseline-due")

    assert nurse.record_check(sedation="1").startswith("Saved at")
    assert nurse.assessment()["decision"] == "Decision: Continue"

    # 20:05: the bolus was given at 20:03; the nurse records it with that time.
    nurse.wait_until(5)
    nurse.click("bolusGivenButton")
    nurse.dialog("eventDialog")
    given = nurse.find(QTimeEdit, "bolusGivenTimeField")
    assert given.time() == QTime(nurse.at(5).astimezone().hour, nurse.at(5).astimezone().minute)
    local = nurse.at(3).astimezone()
    given.setTime(QTime(local.hour, local.minute))
    assert nurse.label("plannedBolus").startswith("The bolus checked at the start: 24.5 mg (0.35 mg/kg)")
    nurse.type("eventByField", "AB")
    nurse.shoot("shift-02-bolus-given-dialog")
    nurse.click("confirmEventButton")
    assert not nurse.has(QLabel, "sessionPendingBolus")  # the header no longer says it is to be given
    assert not nurse.has(QPushButton, "bolusGivenButton")
    history = nurse.table("historyTable")
    assert history[0][1] == "Event" and history[0][2].startswith("Planned bolus given 24.5 mg")
    assert history[0][0] == nurse.hm(3)
    # The checks after a bolus count from 20:03: the next one is 20:18, not 20:15.
    assert nurse.header()["next"] == f"Next check in 13 min (at {nurse.hm(18)})"

    nurse.wait_until(18)
    assert nurse.banner().startswith(f"DUE: Check due {nurse.hm(18)}")
    assert nurse.record_check(sedation="1", systolic_bp="134", diastolic_bp="82").startswith("Saved at")
    assert "BP 134/82" in nurse.table("historyTable")[0][2]

    # 20:48: the 20:33 check was not recorded (overdue) and the 20:48 one is due: the form answers the
    # oldest open one unless the nurse picks another.
    nurse.wait_until(48)
    answers = nurse.find(QComboBox, "checkTargetField")
    choices = [answers.itemText(i) for i in range(answers.count())]
    assert choices == [
        f"Check due {nurse.hm(33)} (OVERDUE, 15 min late)",
        f"Check due {nurse.hm(48)} (DUE)",
        "Extra check (answers no due check)",
    ]
    assert answers.currentIndex() == 0
    nurse.shoot("shift-03-two-open-checks")
    assert nurse.record_check(sedation="2").startswith("Saved at")
    assert answers.currentText() == f"Check due {nurse.hm(48)} (DUE)"
    assert nurse.record_check(sedation="1").startswith("Saved at")
    assert nurse.banner() == ""

    # 20:50: nausea, treated: an adverse event linked to the session.
    nurse.wait_until(50)
    nurse.click("adverseEventButton")
    nurse.dialog("adverseEventDialog")
    nurse.choose("adverseEffectField", "nausea")
    assert nurse.label("adverseManagement").startswith(
        "The library's advice: Give the prescribed antiemetic."
    )
    nurse.type("adverseActionField", "Ondansetron 4 mg IV as prescribed")
    nurse.type("adverseByField", "EF")
    nurse.shoot("shift-04-adverse-event")
    nurse.click("confirmAdverseButton")
    row = nurse.table("historyTable")[0]
    assert row[1] == "Adverse event"
    assert row[2] == "Nausea and vomiting. Done: Ondansetron 4 mg IV as prescribed" and row[5] == "EF"

    nurse.wait_until(63)
    assert nurse.banner().startswith(f"DUE: Check due {nurse.hm(63)}")
    assert nurse.record_check(sedation="1").startswith("Saved at")

    # 21:10: the infusion is stopped; the after-stop checks follow.
    nurse.wait_until(70)
    nurse.click("stopButton")
    nurse.dialog("eventDialog")
    nurse.type("eventByField", "AB")
    nurse.click("confirmEventButton")
    header = nurse.header()
    assert header["status"] == "STOPPED"
    assert header["next"] == f"Next check in 1 h 00 min (at {nurse.hm(130)})"
    assert any(row[1] == nurse.hm(130) for row in nurse.timed_list())
    nurse.shoot("shift-05-stopped")
