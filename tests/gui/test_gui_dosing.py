"""The Dosing tab driven like a user: protocol, weight, limits, the unit mix-up button, Start."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTextBrowser,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.library import DoseRate, Library
from ketamine_desktop.domain.regimen import RegimenRequest, compute_regimen
from ketamine_desktop.gui.main_window import MainWindow
from ketamine_desktop.gui.numbers import Display, plain
from ketamine_desktop.gui.widgets import sources
from ketamine_desktop.state.plan import PlanStore
from tests.helpers.gui_helpers import (
    WindowFactory,
    answer_screening,
    choose_protocol,
    find,
    find_all,
    finding_rows,
    paste,
    retype,
    text,
)


def test_typing_a_weight_and_picking_a_protocol_changes_the_pump_rate(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore, library: Library
) -> None:
    choose_protocol(window, "subanesthetic-infusion")
    assert find(window, QLabel, "cardEmpty").isVisibleTo(window)
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    # The contract's worked example: 1 mcg/kg/min x 70 kg = 4.2 mg/h = 4.2 mL/h at 1 mg/mL.
    assert text(window, "pumpRateValue") == "4.2 mL/h"
    assert text(window, "infusionDosePrimary") == "1 mcg/kg/min"
    assert text(window, "infusionDoseOther") == "0.06 mg/kg/h"
    assert text(window, "infusionMgPerH").startswith("4.2 mg/h")
    assert text(window, "bolusDetail").startswith("35 mg = 3.5 mL of 10 mg/mL over 5 min")
    assert text(window, "bolusRateValue").startswith("42 mL/h")

    choose_protocol(window, "icu-infusion")
    expected = compute_regimen(library, RegimenRequest(protocol_id="icu-infusion", weight_kg=Decimal(70)))
    assert expected.infusion is not None
    assert (
        text(window, "pumpRateValue")
        == Display(library).ml_per_h(expected.infusion.rate_ml_per_h)
        == "35 mL/h"
    )
    assert text(window, "stripProtocol") == library.protocol("icu-infusion").name
    assert text(window, "stripWeight") == "70 kg"
    # The largest text on screen is the pump rate.
    pump_rate = find(window, QLabel, "pumpRateValue")
    biggest = max(
        (
            label
            for label in window.findChildren(type(pump_rate))
            if label.isVisibleTo(window) and label.text()
        ),
        key=lambda label: (
            label.font().pixelSize() if label.font().pixelSize() > 0 else label.font().pointSizeF()
        ),
    )
    assert biggest is pump_rate


def test_the_cap_and_both_units_show_on_the_card(qtbot: QtBot, window: MainWindow) -> None:
    choose_protocol(window, "icu-infusion")
    retype(qtbot, find(window, QLineEdit, "weightField"), "80")
    assert find(window, QRadioButton, "infusionUnitMgKgH").isChecked()  # the protocol's display unit
    retype(qtbot, find(window, QLineEdit, "infusionDoseField"), "1.5")
    # Contract example: 120 mg/h requested, capped to 100 mg/h, 100 mL/h at 1 mg/mL, delivered 1.25 mg/kg/h.
    assert text(window, "pumpRateValue") == "100 mL/h"
    assert text(window, "infusionCap").startswith("CAP APPLIED: held at 100 mg/h (asked 120 mg/h)")
    assert "unverified" in text(window, "infusionCap")
    assert "1.25 mg/kg/h" in text(window, "infusionDelivered")
    assert {text(window, "infusionDosePrimary"), text(window, "infusionDoseOther")} == {
        "1.5 mg/kg/h",
        "25 mcg/kg/min",
    }


@pytest.mark.parametrize("bad", ["1,000", "nan", "", "-5", "70.5.1"])
def test_a_bad_weight_shows_a_message_beside_the_field_and_changes_nothing(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore, bad: str
) -> None:
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    regimen = plan_store.regimen
    card_text = text(window, "pumpRateValue")
    paste(find(window, QLineEdit, "weightField"), bad)
    assert find(window, QLabel, "weightFieldError").isVisibleTo(window)
    assert text(window, "weightFieldError")
    assert find(window, QLineEdit, "weightField").property("invalid") is True
    assert plan_store.regimen is regimen
    # No number that is not current: a dash, and the reason in words.
    assert text(window, "pumpRateValue") == "\u2014"
    assert not find(window, QLabel, "infusionDosePrimary").isVisibleTo(window) and not find(
        window, QLabel, "bolusRateValue"
    ).isVisibleTo(window)
    assert find(window, QFrame, "cardBanner").isVisibleTo(window) and "not valid" in text(
        window, "cardBannerText"
    )
    assert not find(window, QLabel, "cardRateStatus").isVisibleTo(window)
    assert not find(window, QPushButton, "startButton").isEnabled()
    assert find(window, QWidget, "regimenCard").property("stale") is True
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    assert not find(window, QLabel, "weightFieldError").isVisibleTo(window)
    assert plan_store.is_current
    assert text(window, "pumpRateValue") == card_text and find(
        window, QLabel, "infusionDosePrimary"
    ).isVisibleTo(window)


def test_a_weight_outside_the_library_range_is_refused_beside_the_field(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    regimen = plan_store.regimen
    paste(find(window, QLineEdit, "weightField"), "400")
    assert "350 kg" in text(window, "weightFieldError")
    assert plan_store.regimen is regimen
    assert not plan_store.is_current


def test_a_hard_limit_disables_start(qtbot: QtBot, window: MainWindow, plan_store: PlanStore) -> None:
    answer_screening(window)
    choose_protocol(window, "acute-bolus")
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    assert find(window, QPushButton, "startButton").isEnabled()
    retype(qtbot, find(window, QLineEdit, "bolusDoseField"), "0.4")  # above the hard max of 0.35 mg/kg
    assert plan_store.regimen is not None and plan_store.regimen.blocked
    assert not find(window, QPushButton, "startButton").isEnabled()
    assert "hard limit" in text(window, "startGateText")
    assert find(window, QFrame, "cardBanner").isVisibleTo(window)
    assert "hard limit blocks" in text(window, "cardBannerText")
    assert text(window, "pumpRateValue") == "\u2014"  # the blocked numbers are not shown at all
    assert not find(window, QLabel, "bolusDetail").isVisibleTo(window)
    words = [text(row, "noteWord") for row in finding_rows(window) if row.property("level") == "hard"]
    assert words == ["Blocked"]


def test_a_soft_limit_needs_a_typed_reason_at_start(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    answer_screening(window)
    choose_protocol(window, "chronic-opioid-tolerant")
    retype(
        qtbot, find(window, QLineEdit, "bolusDoseField"), "0.4"
    )  # above the soft max 0.35, below the hard 0.5
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    assert plan_store.start_gate().needs_reason
    assert "reason" in text(window, "startGateText")
    find(window, QPushButton, "startButton").click()
    dialog = find(window, QDialog, "prestartDialog")
    reason = find(dialog, QPlainTextEdit, "softReasonField")
    boxes = find_all(dialog, QCheckBox, r"checklist_.+|gate_\d+")
    assert boxes
    for box in boxes:
        box.setChecked(True)
    for field in find_all(dialog, QLineEdit, r"checklist_.+_name"):
        field.setText("A. Second RN")
    find(dialog, QLineEdit, "prestartBedField").setText("Bed 4")
    find(dialog, QLineEdit, "prestartVolumeField").setText("50")
    find(dialog, QLineEdit, "prestartStartedByField").setText("AB")
    complete = find(dialog, QPushButton, "prestartCompleteButton")
    assert not complete.isEnabled()
    assert "reason" in text(dialog, "prestartMissing")
    reason.setPlainText("Agreed with the pain consultant")
    assert complete.isEnabled()
    complete.click()
    assert plan_store.planned is not None
    assert plan_store.planned.soft_limit_reason == "Agreed with the pain consultant"


def test_the_unit_mixup_button_fixes_the_dose_in_one_click(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    answer_screening(window)
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    assert find(window, QRadioButton, "infusionUnitMcgKgMin").isChecked()
    qtbot.mouseClick(find(window, QRadioButton, "infusionUnitMgKgH"), Qt.MouseButton.LeftButton)
    retype(qtbot, find(window, QLineEdit, "infusionDoseField"), "1")
    assert plan_store.entries.infusion_dose == DoseRate(value=Decimal(1), unit="mg/kg/h")
    assert plan_store.regimen is not None and plan_store.regimen.blocked
    assert any(f.code == "unit-mixup" and f.level == "hard" for f in plan_store.regimen.findings)
    assert not find(window, QPushButton, "startButton").isEnabled()

    button = window.findChild(type(find(window, QPushButton, "startButton")), "useSuggestionButton")
    assert button is not None
    assert button.text() == "Use 1 mcg/kg/min instead"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert find(window, QLineEdit, "infusionDoseField").text() == "1"
    assert find(window, QRadioButton, "infusionUnitMcgKgMin").isChecked()
    assert plan_store.entries.infusion_dose == DoseRate(value=Decimal(1), unit="mcg/kg/min")
    assert plan_store.regimen is not None and not plan_store.regimen.blocked
    assert text(window, "pumpRateValue") == "4.2 mL/h"
    assert find(window, QPushButton, "startButton").isEnabled()


def test_switching_the_unit_keeps_the_dose_and_rewrites_the_number(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    before = plan_store.regimen
    qtbot.mouseClick(find(window, QRadioButton, "infusionUnitMgKgH"), Qt.MouseButton.LeftButton)
    assert find(window, QLineEdit, "infusionDoseField").text() == "0.06"
    assert plan_store.regimen is before  # nothing was re-entered: the dose did not change


def test_findings_pair_an_icon_and_words_with_the_colour(qtbot: QtBot, window: MainWindow) -> None:
    choose_protocol(window, "icu-infusion")
    retype(qtbot, find(window, QLineEdit, "weightField"), "160")  # outside the plausible band: soft
    rows = finding_rows(window)
    assert rows
    for row in rows:
        assert row.property("level") in {"info", "soft", "hard"}
        icon = find(row, QLabel, "noteIcon")
        assert icon.pixmap() is not None and not icon.pixmap().isNull()
        assert text(row, "noteWord")
        assert text(row, "noteMessage")
        assert text(row, "noteSources").startswith("Sources:")


def test_every_number_shows_its_full_source_on_hover_and_click(
    qtbot: QtBot, window: MainWindow, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    choose_protocol(window, "icu-infusion")
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    pump_citation = html.escape(library.citation("PUMP"))
    assert pump_citation in find(window, QLabel, "pumpRateValue").toolTip()
    assert (
        html.escape(library.citation("ASRA-CHRONIC")) in find(window, QLabel, "infusionDosePrimary").toolTip()
    )
    assert html.escape(library.citation("SEED-A")) in find(window, QLabel, "infusionCap").toolTip()
    for label in (
        find(window, QLabel, "infusionDoseOther"),
        find(window, QLabel, "infusionMgPerH"),
        find(window, QLabel, "infusionDelivered"),
    ):
        assert "Sources" in label.toolTip()
    shown: list[str] = []
    monkeypatch.setattr(sources, "show_sources_popup", lambda _pos, text, _widget: shown.append(text))
    qtbot.mouseClick(find(window, QLabel, "pumpRateValue"), Qt.MouseButton.LeftButton)
    assert shown == [find(window, QLabel, "pumpRateValue").toolTip()]


def test_the_sources_button_lists_every_source_of_the_card(
    qtbot: QtBot, window: MainWindow, library: Library
) -> None:
    choose_protocol(window, "icu-infusion")
    find(window, QPushButton, "cardSourcesButton").click()
    dialog = find(window, QDialog, "sourcesDialog")
    assert dialog.isVisible()
    shown = find(dialog, QTextBrowser, "sourcesText").toPlainText()
    for key in ("PUMP", "ASRA-CHRONIC", "FMF-135"):
        assert library.citation(key) in shown
    dialog.close()


def test_gates_and_evidence_notes_are_visible_before_starting(
    qtbot: QtBot, window: MainWindow, library: Library
) -> None:
    choose_protocol(window, "neuropathic-prolonged")
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    words = [text(row, "noteWord") for row in finding_rows(window)]
    assert "Gate: confirm at Start" in words
    assert "Evidence" in words
    texts = [plain(text(row, "noteMessage")) for row in finding_rows(window)]
    for note in library.protocol("neuropathic-prolonged").notes:
        assert note.text in texts


def test_an_optional_bolus_is_off_until_asked_for(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    choose_protocol(window, "intraoperative")
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    assert not find(window, QCheckBox, "bolusIncludedCheck").isChecked()
    assert plan_store.regimen is not None and plan_store.regimen.bolus is None
    assert not find(window, QLineEdit, "bolusDoseField").isEnabled()
    qtbot.mouseClick(find(window, QCheckBox, "bolusIncludedCheck"), Qt.MouseButton.LeftButton)
    # intraoperative has no default bolus dose: the field says so and nothing is computed from it.
    assert text(window, "bolusDoseFieldError")
    retype(qtbot, find(window, QLineEdit, "bolusDoseField"), "0.25")
    assert plan_store.is_current
    assert plan_store.regimen.bolus is not None


def test_a_protocol_without_an_infusion_shows_the_bolus_rate_largest(
    qtbot: QtBot, window: MainWindow, library: Library
) -> None:
    choose_protocol(window, "acute-bolus")
    assert not find(window, QLineEdit, "infusionDoseField").isVisibleTo(window)  # the whole Infusion section
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    assert text(window, "pumpRateCaption") == "BOLUS PUMP RATE"
    expected = compute_regimen(library, RegimenRequest(protocol_id="acute-bolus", weight_kg=Decimal(70)))
    assert expected.bolus is not None
    assert text(window, "pumpRateValue") == Display(library).ml_per_h(expected.bolus.rate_ml_per_h)
    assert find(window, QLabel, "infusionDosePrimary").isHidden()


def test_a_custom_concentration_is_typed_and_checked(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    choose_protocol(window, "subanesthetic-infusion")
    retype(qtbot, find(window, QLineEdit, "weightField"), "70")
    combo = find(window, QComboBox, "infusionConcentrationCombo")
    custom = find(window, QWidget, "infusionConcentrationCustomRow")
    custom_index = combo.count() - 1
    combo.setCurrentIndex(custom_index)
    combo.activated.emit(custom_index)
    assert not custom.isHidden()
    assert not plan_store.is_current  # "Custom" without a number is not a concentration yet
    retype(qtbot, find(window, QLineEdit, "infusionConcentrationCustom"), "3")
    assert plan_store.is_current
    assert plan_store.regimen is not None and plan_store.regimen.infusion is not None
    assert plan_store.regimen.infusion.concentration_mg_per_ml == Decimal(3)
    assert any(f.code == "non-standard-concentration" for f in plan_store.regimen.findings)
    combo.setCurrentIndex(1)
    combo.activated.emit(1)
    assert custom.isHidden()
    assert plan_store.regimen.infusion.concentration_mg_per_ml == Decimal(2)


def test_the_decimal_comma_of_the_users_locale_is_read_and_shown(
    comma_locale: None, make_window: WindowFactory
) -> None:
    window, plan = make_window()
    choose_protocol(window, "icu-infusion")
    paste(find(window, QLineEdit, "weightField"), "70,5")
    assert plan.entries.weight_kg == Decimal("70.5")
    assert plan.is_current
    paste(find(window, QLineEdit, "weightField"), "70.5")  # a point is not this locale's decimal mark
    assert "','" in text(window, "weightFieldError")
    assert plan.entries.weight_kg == Decimal("70.5")
    paste(find(window, QLineEdit, "weightField"), "70,5")
    assert text(window, "pumpRateValue") == "35,3 mL/h"  # 0.5 mg/kg/h x 70.5 kg at 1 mg/mL
