"""Scenario 1, a quiet shift (ward infusion, chronic-opioid-tolerant, 70 kg): the baseline is due at once;
the 15-min checks of the first hour fall due on time, each recorded; the header always shows the rate
running, the syringe and the time to the next check; a restart brings it all back."""

from __future__ import annotations

from tests.scenarios.nurse import Nurse


def test_a_quiet_shift(nurse: Nurse) -> None:
    nurse.start("chronic-opioid-tolerant", weight="70")
    header = nurse.header()
    assert header["status"] == "RUNNING"
    assert header["rate"] == "4.2 mL/h"
    assert "0.06 mg/kg/h = 1 mcg/kg/min" in header["dose"]
    assert header["syringe"].startswith("Syringe or bag: about 50 mL left")
    nurse.tick()
    assert nurse.banner().startswith(f"DUE: Check due {nurse.hm(0)}")
    assert nurse.header()["next"].startswith(f"CHECK DUE NOW: due {nurse.hm(0)}")
    assert nurse.record_check(sedation="1").startswith("Saved at")
    assert nurse.banner() == ""
    assert nurse.assessment()["decision"] == "Decision: Continue"
    assert nurse.header()["next"] == f"Next check in 15 min (at {nurse.hm(15)})"
    nurse.shoot("quiet-baseline-recorded")
    for minute in (15, 30, 45, 60):
        nurse.wait_until(minute)
        assert nurse.banner().startswith(f"DUE: Check due {nurse.hm(minute)}")
        rows = nurse.timed_list()
        assert rows[0][:2] == ("DUE", nurse.hm(minute))
        assert nurse.record_check(sedation="1").startswith("Saved at")
        assert nurse.banner() == ""
    assert nurse.header()["next"] == f"Next check in 30 min (at {nurse.hm(90)})"
    assert nurse.header()["rate"] == "4.2 mL/h"
    nurse.restart(closed_for_min=10)
    nurse.show_tab("monitoring")
    assert nurse.header()["status"] == "RUNNING"
    assert nurse.header()["next"] == f"Next check in 20 min (at {nurse.hm(90)})"
    assert [row[0] for row in nurse.timed_list()[-3:]] == ["Done", "Done", "Done"]
    nurse.shoot("quiet-after-restart")


def test_an_overdue_check_says_how_late_it_is_everywhere_as_time_passes(nurse: Nurse) -> None:
    """The record form's heading once kept the lateness it first showed ("15 min late") while the banner
    and the choice went on counting: every place says the same minutes."""
    nurse.start("chronic-opioid-tolerant", weight="70")
    nurse.tick()
    assert nurse.record_check(sedation="1").startswith("Saved at")
    nurse.wait_until(35)  # the 15-min check, not recorded
    first = nurse.label("recordTarget")
    assert first.startswith(f"Record the check due {nurse.hm(15)} (OVERDUE, ") and first.endswith(" late)")
    nurse.wait(6)
    later = nurse.label("recordTarget")
    assert later == f"Record the check due {nurse.hm(15)} (OVERDUE, 26 min late)"
    assert "26 min late" in nurse.banner()
