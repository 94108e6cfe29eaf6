"""Scenario 7b: a syringe change to another concentration (chronic-opioid-tolerant, 70 kg, 1 mg/mL).

At 21:00 the 1 mg/mL syringe is replaced by 200 mg in 40 mL (5 mg/mL). The app computes the same dose at
the new concentration, shows the new pump rate largest, and will not record the change until the nurse
confirms the pump is set to it; then the header, the Dosing tab and the history show the new rate, and a
restart brings it back.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QPushButton

from ketamine_desktop.gui.numbers import plain
from tests.scenarios.nurse import Nurse


def test_a_syringe_change_to_5_mg_per_ml_recomputes_the_pump_rate(nurse: Nurse) -> None:
    nurse.start("chronic-opioid-tolerant", weight="70")
    assert nurse.record_check(sedation="1").startswith("Saved at")
    nurse.click("bolusGivenButton")
    nurse.type("eventByField", "AB")
    nurse.click("confirmEventButton")
    assert nurse.header()["rate"] == "4.2 mL/h"
    for minute in (15, 30, 45, 60):
        nurse.wait_until(minute)
        assert nurse.record_check(sedation="1").startswith("Saved at")

    nurse.click("syringeChangeButton")
    nurse.dialog("eventDialog")
    nurse.type("syringeVolumeField", "40")
    assert not nurse.has(QCheckBox, "pumpRateConfirmedField")  # the same concentration: no new rate
    nurse.choose("newConcentrationField", "5")
    rate = plain(nurse.label("newPumpRate"))
    assert rate.startswith(
        "Set the pump to 0.8 mL/h (now 4.2 mL/h): the same dose, 4.2 mg/h, delivered as 4 mg/h"
    )
    nurse.type("eventByField", "AB")
    confirm = nurse.find(QPushButton, "confirmEventButton")
    assert not confirm.isEnabled()
    assert nurse.label("eventMessage") == "Set the pump to the new rate and tick to confirm it."
    pump = nurse.find(QCheckBox, "pumpRateConfirmedField")
    assert pump.text() == "I have set the pump to 0.8 mL/h"
    nurse.shoot("syringe-01-new-concentration-dialog")
    pump.setChecked(True)
    assert confirm.isEnabled()
    nurse.click("confirmEventButton")

    header = nurse.header()
    assert header["rate"] == "0.8 mL/h"
    assert "4 mg/h of 5 mg/mL" in header["dose"]
    assert header["syringe"].startswith("Syringe or bag: about 40 mL left")
    row = nurse.table("historyTable")[0]
    assert row[2].startswith("Syringe or bag changed to 5 mg/mL: pump 0.8 mL/h for the same dose (4 mg/h;")
    assert "pump set, confirmed" in row[2] and "new volume 40 mL" in row[2]
    nurse.shoot("syringe-02-header-after-change")
    nurse.show_tab("dosing")
    assert nurse.label("pumpRateValue").startswith("0.8")  # the Dosing tab follows the running regimen
    nurse.shoot("syringe-03-dosing-tab-follows")

    nurse.restart(closed_for_min=5)
    nurse.show_tab("monitoring")
    assert nurse.header()["rate"] == "0.8 mL/h"
    assert "of 5 mg/mL" in nurse.header()["dose"]
