"""Scenario 6, hallucinations twice, ward infusion. First episode: decision "pause for 1 h"; paused from
the decision; a review check 60 min after the pause; resume allowed at the review. Second episode: keep
paused, medical review before any restart; a resume then needs the reviewer's (prescriber's) name."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QLineEdit

from tests.scenarios.nurse import Nurse

REVIEW = "Follow-up: Psychotomimetic episode: review 1 h after the pause"


def test_two_episodes_a_review_after_the_pause_and_a_named_reviewer_before_restarting(nurse: Nurse) -> None:
    nurse.start("chronic-opioid-tolerant", weight="70")
    nurse.keep_up_until(90)
    nurse.record_check(hallucinations="yes")
    seen = nurse.assessment()
    assert seen["decision"] == "Decision: Pause the infusion"
    assert seen["decision_text"].startswith("Pause the infusion for 1 h.")
    assert nurse.decision() == f"PAUSE ADVISED at {nurse.hm(90)} - infusion still recorded as running"
    nurse.wait(1)
    nurse.answer("pause")
    nurse.type("eventByField", "EF")
    nurse.click("confirmEventButton")
    assert nurse.header()["status"] == "PAUSED" and nurse.decision() == ""
    review = next(row for row in nurse.timed_list() if row[1] == nurse.hm(151))
    assert review[2].startswith(
        f"{REVIEW} (resume, or medical review on a second episode) (check at {nurse.hm(90)})"
    )
    nurse.shoot("hallucinations-paused-review-listed")

    nurse.keep_up_until(151)
    nurse.record_check()  # the review: settled
    nurse.click("resumeButton")
    nurse.dialog("eventDialog")
    assert not nurse.find(QLineEdit, "eventPrescriberField").isVisible()  # 61 min after the decision
    nurse.type("eventByField", "EF")
    nurse.click("confirmEventButton")
    assert nurse.header()["status"] == "RUNNING"
    assert nurse.header()["next"] == f"Next check in 15 min (at {nurse.hm(166)})"  # re-tightened

    nurse.wait_until(166)
    nurse.record_check(nightmares="yes")
    seen = nurse.assessment()
    assert seen["decision"] == "Decision: Pause the infusion"
    assert seen["decision_text"] == (
        "A second psychotomimetic episode: keep the infusion paused; a medical review is needed before any "
        "restart."
    )
    nurse.answer("pause")
    nurse.type("eventByField", "EF")
    nurse.click("confirmEventButton")
    assert nurse.header()["status"] == "PAUSED"
    nurse.wait(20)
    nurse.click("resumeButton")
    nurse.type("eventByField", "EF")
    assert nurse.find(QLineEdit, "eventPrescriberField").isVisible()
    assert nurse.label("eventMessage") == "Name the prescriber who ordered it, and give the reason."
    assert not nurse.find(QAbstractButton, "confirmEventButton").isEnabled()
    nurse.shoot("hallucinations-second-resume-needs-reviewer")
    nurse.type("eventPrescriberField", "Dr Reed")
    nurse.type("eventReasonField", "medical review: settled, restart at the same dose")
    nurse.click("confirmEventButton")
    assert nurse.header()["status"] == "RUNNING"
