"""Scenario 7 (the early check), ward infusion in its 30-min phase: the check due 21:30 recorded at 21:17
(13 min early). The next check is due at most one interval (30 min) after it, at 21:47, not at 22:00."""

from __future__ import annotations

from tests.scenarios.nurse import Nurse


def test_a_check_recorded_13_min_early_brings_the_next_one_forward(nurse: Nurse) -> None:
    nurse.start("chronic-opioid-tolerant", weight="70")
    nurse.keep_up_until(77)
    assert nurse.label("recordTarget") == f"Record the check due {nurse.hm(90)} (Upcoming)"
    nurse.record_check()
    assert nurse.header()["next"] == f"Next check in 30 min (at {nurse.hm(107)})"
    brought = next(row for row in nurse.timed_list() if row[1] == nurse.hm(107))
    assert brought[2].startswith(
        f"Brought forward: At most one interval after the last recorded check (check at {nurse.hm(77)})"
    )
    assert any(row[1] == nurse.hm(120) for row in nurse.timed_list())  # the grid stays
    nurse.shoot("early-check")
    nurse.wait_until(107)
    assert nurse.banner().startswith(f"DUE: Check due {nurse.hm(107)}")
    nurse.record_check()
    assert nurse.header()["next"] == f"Next check in 13 min (at {nurse.hm(120)})"
