"""Scenario 3, not breathing well (RR 9, SpO2 91, RASS -3, voice), the issue's own check: sub-anaesthetic
infusion, 70 kg. One decision, STOP; "halve" is nowhere an instruction, only "also triggered"; the NEWS2
5-6 line is not shown beside NEWS2 7. The nurse records "not done", with the reason and the deciding
clinician's name; the decision then stays visible as answered."""

from __future__ import annotations

from tests.scenarios.nurse import Nurse


def test_the_issue_check_gives_one_stop_decision_and_not_done_needs_a_reason_and_a_name(nurse: Nurse) -> None:
    nurse.start("subanesthetic-infusion", weight="70")
    nurse.keep_up_until(15, sedation="0")
    nurse.record_check(sedation="-3", respiration_rate="9", spo2="91", consciousness="V")

    seen = nurse.assessment()
    assert seen["decision"] == "Decision: STOP the infusion"
    assert seen["decision_text"].startswith("Stop the ketamine infusion. Stay with the patient")
    assert [row.split(" ", 2)[:2] for row in seen["actions"]] == [
        ["1.", "Urgent"],
        ["2.", "Warning"],
        ["3.", "Urgent"],
        ["4.", "Urgent"],
    ]
    instructions = " | ".join(seen["actions"])
    assert "NEWS2 7 or more: emergency assessment" in instructions
    assert "Notify the prescriber." in instructions and "Recheck in 15" in instructions
    assert "Halve" not in instructions and "NEWS2 5-6" not in instructions
    assert "Halve the infusion rate" in seen["also"] and "superseded by stop-infusion" in seen["also"]
    assert "NEWS2 5-6" in seen["also"]
    advised = f"STOP ADVISED at {nurse.hm(15)} - infusion still recorded as running"
    assert nurse.decision() == advised and nurse.banner().startswith(advised)
    assert not any(
        "Halve" in row[2] for row in nurse.timed_list() if row[0] == "URGENT" and "Decision" in row[2]
    )
    nurse.shoot("stop-decision")

    nurse.wait(2)
    nurse.answer("not-done")
    nurse.dialog("notDoneDialog")
    nurse.type("notDoneByField", "EF")
    nurse.click("confirmNotDoneButton")  # no reason, no clinician: refused, nothing saved
    assert "needed" in nurse.label("notDoneMessage") and nurse.decision() == advised
    nurse.type("notDoneReasonField", "RR 14 and SpO2 95 on recheck with the anaesthetist at the bedside")
    nurse.type("notDoneClinicianField", "Dr Reed, anaesthetist")
    nurse.shoot("stop-not-done-dialog")
    nurse.click("confirmNotDoneButton")
    assert nurse.decision() == ""
    assert not nurse.banner().startswith("STOP ADVISED")
    seen = nurse.assessment()
    assert seen["decision"] == "Decision: STOP the infusion"  # still visible, as answered
    assert seen["answer"] == (
        f"Not done ({nurse.hm(17)}, recorded by EF): RR 14 and SpO2 95 on recheck with the anaesthetist at "
        "the bedside; decided by Dr Reed, anaesthetist"
    )
    assert nurse.header()["status"] == "RUNNING"
    # The stop rule still asks for its 15-min follow-up.
    assert any(
        row[1] == nurse.hm(30) and row[2].startswith("Follow-up: POSS 4") for row in nurse.timed_list()
    )
    nurse.restart()
    nurse.show_tab("monitoring")
    assert nurse.decision() == "" and nurse.assessment()["answer"].startswith("Not done")
    nurse.shoot("stop-not-done-answered")
