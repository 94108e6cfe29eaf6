"""Scenario: the rate is halved at 02:40 and every screen says so at once (issue 10).

Ward infusion (chronic-opioid-tolerant, 70 kg, 4.2 mL/h). After the baseline check the nurse halves the
dose on the Monitoring tab. The Dosing tab and glance mode show the new 2.1 mL/h as the largest number at
once, with when and why it was set, not the 4.2 mL/h worked out at the start; the same after a restart.
"""

from __future__ import annotations

from PySide6.QtGui import QAction

from tests.scenarios.nurse import Nurse


def test_the_rate_halved_shows_on_every_screen(nurse: Nurse) -> None:
    nurse.start("chronic-opioid-tolerant", weight="70")
    assert nurse.header()["rate"] == "4.2 mL/h"
    nurse.tick()
    assert nurse.record_check(sedation="1").startswith("Saved at")

    nurse.wait_until(10)
    nurse.click("rateChangeButton")
    nurse.dialog("eventDialog")
    nurse.type("newDoseField", "0.5")
    nurse.type("eventByField", "EF")
    assert "2.1 mL/h" in nurse.label("eventSummary")
    nurse.click("confirmEventButton")
    assert nurse.header()["rate"] == "2.1 mL/h"

    # The Dosing tab: the rate running now, when and why; no stale 4.2 mL/h anywhere on it.
    nurse.show_tab("dosing")
    assert nurse.label("pumpRateValue") == "2.1 mL/h"
    assert nurse.label("cardRateStatus").startswith(f"RUNNING NOW · set {nurse.hm(10)} (rate decrease")
    assert "0.5 mcg/kg/min" in (nurse.label("infusionDosePrimary"), nurse.label("infusionDoseOther"))
    nurse.shoot("rate-halved-dosing")

    # Glance mode: the same card, the same running rate, the largest number on the screen.
    glance = nurse.win.findChild(QAction, "glanceModeAction")
    assert glance is not None
    glance.trigger()
    nurse.settle()
    assert nurse.label("pumpRateValue") == "2.1 mL/h"
    assert nurse.label("cardRateStatus").startswith("RUNNING NOW")
    nurse.shoot("rate-halved-glance")
    glance.trigger()

    # A restart keeps it: the record says what runs.
    nurse.restart(closed_for_min=5)
    nurse.show_tab("dosing")
    assert nurse.label("pumpRateValue") == "2.1 mL/h"
    assert nurse.label("cardRateStatus").startswith(f"RUNNING NOW · set {nurse.hm(10)}")
