"""Scenario 4, breathing slow then better (RR 10, then RR 10, then RR 14), ward infusion in its 30-min
phase: follow-up checks every 15 min with the reason "RR 9-11"; the first check with RR 14 ends them."""

from __future__ import annotations

from tests.scenarios.nurse import Nurse

RESP = "Follow-up: RR 9-11 or SpO2 92-93%"


def test_rr_10_raises_15_min_follow_ups_until_a_normal_rr(nurse: Nurse) -> None:
    nurse.start("chronic-opioid-tolerant", weight="70")
    nurse.keep_up_until(90)
    nurse.record_check(respiration_rate="10")
    assert nurse.assessment()["decision"] == "Decision: Continue"
    assert nurse.header()["next"] == f"Next check in 15 min (at {nurse.hm(105)})"
    first = next(row for row in nurse.timed_list() if row[1] == nurse.hm(105))
    assert first[0] == "Upcoming" and first[2].startswith(f"{RESP} (check at {nurse.hm(90)})")
    nurse.shoot("slow-breathing-follow-up")

    nurse.wait_until(105)
    assert nurse.banner().startswith(f"DUE: Check due {nurse.hm(105)}")
    nurse.record_check(respiration_rate="10")
    second = next(row for row in nurse.timed_list() if row[1] == nurse.hm(120))
    assert second[2].startswith(f"{RESP} (check at {nurse.hm(105)})")

    nurse.wait_until(120)
    nurse.record_check(respiration_rate="14")
    upcoming = [row for row in nurse.timed_list() if row[0] == "Upcoming"]
    assert not any(row[2].startswith("Follow-up") for row in upcoming)
    assert nurse.header()["next"] == f"Next check in 30 min (at {nurse.hm(150)})"
