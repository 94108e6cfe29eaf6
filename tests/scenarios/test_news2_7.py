"""Scenario 5, NEWS2 7 (RR 25, SpO2 95 on oxygen, pulse 91), ward infusion: one decision (continue: no
rule changes the infusion), the emergency-assessment instruction, no NEWS2 5-6 line beside it (it is
"also triggered"), and 15-min follow-ups until NEWS2 is below 7."""

from __future__ import annotations

from tests.scenarios.nurse import Nurse

SEVEN = {"respiration_rate": "25", "spo2": "95", "oxygen": "oxygen", "pulse": "91"}


def test_news2_7_asks_for_emergency_assessment_and_15_min_checks_until_below_7(nurse: Nurse) -> None:
    nurse.start("chronic-opioid-tolerant", weight="70")
    nurse.keep_up_until(90)
    nurse.record_check(**SEVEN)
    seen = nurse.assessment()
    assert seen["news2"].startswith("NEWS2 7 (high)")
    assert seen["decision"] == "Decision: Continue"
    assert seen["decision_text"] == "No rule asks to change the infusion: continue."
    assert len(seen["actions"]) == 1
    assert seen["actions"][0].startswith("1. Urgent NEWS2 7 or more: emergency assessment")
    assert "NEWS2 5-6" not in seen["actions"][0] and "NEWS2 5-6" in seen["also"]
    assert nurse.decision() == ""  # nothing to do to the infusion: no open decision
    assert nurse.banner().startswith("URGENT: acknowledge: NEWS2 7 or more")
    follow = next(row for row in nurse.timed_list() if row[1] == nurse.hm(105))
    assert follow[2].startswith(f"Follow-up: NEWS2 7 or more (check at {nurse.hm(90)})")
    nurse.shoot("news2-7")

    nurse.wait_until(105)
    nurse.record_check(**SEVEN)
    again = next(row for row in nurse.timed_list() if row[1] == nurse.hm(120))
    assert again[2].startswith(f"Follow-up: NEWS2 7 or more (check at {nurse.hm(105)})")
    nurse.wait_until(120)
    nurse.record_check(respiration_rate="18")
    assert nurse.assessment()["news2"].startswith("NEWS2 0")
    upcoming = [row for row in nurse.timed_list() if row[0] == "Upcoming"]
    assert not any(row[2].startswith("Follow-up") for row in upcoming)
