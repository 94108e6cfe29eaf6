"""Scenario 3 (stopping), ward infusion: POSS 4 at the 20:15 check. STOP ADVISED; "Stop now" records the
stop; the header says STOPPED, the decision is answered, the 15-min follow-up of the stop rule and the
protocol's hourly after-stop checks (4 h) are listed; a recheck with POSS 2 ends the follow-ups."""

from __future__ import annotations

from tests.scenarios.nurse import Nurse


def test_a_stop_then_the_checks_after_it(nurse: Nurse) -> None:
    nurse.start("chronic-opioid-tolerant", weight="70")
    nurse.keep_up_until(15)
    nurse.record_check(sedation="4")
    advised = f"STOP ADVISED at {nurse.hm(15)} - infusion still recorded as running"
    assert nurse.decision() == advised
    nurse.wait(1)
    nurse.answer("stop")
    nurse.dialog("eventDialog")
    nurse.type("eventByField", "EF")
    nurse.click("confirmEventButton")
    header = nurse.header()
    assert header["status"] == "STOPPED" and header["rate"] == "4.2 mL/h (stopped)"
    assert nurse.decision() == ""
    assert nurse.assessment()["answer"] == f"Done: stopped at {nurse.hm(16)} by EF"
    upcoming = [(row[1], row[2]) for row in nurse.timed_list() if row[0] == "Upcoming"]
    assert upcoming[0][0] == nurse.hm(30)
    assert upcoming[0][1].startswith(
        f"Follow-up: POSS 4, RASS -4/-5, RR 8 or less or SpO2 91% or less (check at {nurse.hm(15)})"
    )
    # The list reaches two hours ahead: the first two of the four hourly checks after the stop.
    assert [due for due, _what in upcoming[1:]] == [nurse.hm(16 + 60 * h) for h in (1, 2)]
    assert header["next"] == f"Next check in 14 min (at {nurse.hm(30)})"
    nurse.shoot("stopped-after-stop-checks")

    nurse.wait_until(30)
    nurse.record_check(sedation="2")
    upcoming = [(row[1], row[2]) for row in nurse.timed_list() if row[0] == "Upcoming"]
    assert [due for due, _what in upcoming] == [nurse.hm(16 + 60 * h) for h in (1, 2)]
    assert not any(what.startswith("Follow-up") for _due, what in upcoming)
    nurse.keep_up_until(16 + 60 * 4 + 1)
    assert nurse.header()["next"] == "No further checks scheduled"
    assert [row[1] for row in nurse.timed_list() if row[0] == "Done"][-2:] == [nurse.hm(196), nurse.hm(256)]
