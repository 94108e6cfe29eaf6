"""The Dosing tab driven like a user: protocol, weight, limits, the unit mix-up button, Start."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.library import DoseRate, Library
from ketamine_desktop.domain.regimen import RegimenRequest, compute_regimen
from ketamine_desktop.gui.main_window import MainWindow
from ketamine_desktop.gui.numbers import Display, plain
from ketamine_desktop.gui.widgets import sources
from ketamine_desktop.state.plan import PlanStore
from tests.helpers.gui_helpers import WindowFactory, answer_screening, choose_protocol, paste, retype


def test_typing_a_weight_and_picking_a_protocol_changes_the_pump_rate(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore, library: Library
) -> None:
    card = window.dosing.card
    choose_protocol(window, "subanesthetic-infusion")
    assert card.empty.isVisibleTo(window)
    retype(qtbot, window.dosing.form.weight.edit, "70")
    # The contract's worked example: 1 mcg/kg/min x 70 kg = 4.2 mg/h = 4.2 mL/h at 1 mg/mL.
    assert card.pump_rate.text() == "4.2 mL/h"
    assert card.dose_primary.text() == "1 mcg/kg/min"
    assert card.dose_other.text() == "0.06 mg/kg/h"
    assert card.mg_per_h.text().startswith("4.2 mg/h")
    assert card.bolus_detail.text().startswith("35 mg = 3.5 mL of 10 mg/mL over 5 min")
    assert card.bolus_rate.text().startswith("42 mL/h")

    choose_protocol(window, "icu-infusion")
    expected = compute_regimen(library, RegimenRequest(protocol_id="icu-infusion", weight_kg=Decimal(70)))
    assert expected.infusion is not None
    assert card.pump_rate.text() == Display(library).ml_per_h(expected.infusion.rate_ml_per_h) == "35 mL/h"
    assert window.strip.protocol.text() == library.protocol("icu-infusion").name
    assert window.strip.weight.text() == "70 kg"
    # The largest text on screen is the pump rate.
    biggest = max(
        (
            label
            for label in window.findChildren(type(card.pump_rate))
            if label.isVisibleTo(window) and label.text()
        ),
        key=lambda label: (
            label.font().pixelSize() if label.font().pixelSize() > 0 else label.font().pointSizeF()
        ),
    )
    assert biggest is card.pump_rate


def test_the_cap_and_both_units_show_on_the_card(qtbot: QtBot, window: MainWindow) -> None:
    choose_protocol(window, "icu-infusion")
    form = window.dosing.form
    retype(qtbot, form.weight.edit, "80")
    assert form.unit_mg.isChecked()  # the protocol's display unit
    retype(qtbot, form.infusion_dose.edit, "1.5")
    card = window.dosing.card
    # Contract example: 120 mg/h requested, capped to 100 mg/h, 100 mL/h at 1 mg/mL, delivered 1.25 mg/kg/h.
    assert card.pump_rate.text() == "100 mL/h"
    assert card.cap.text().startswith("CAP APPLIED: held at 100 mg/h (asked 120 mg/h)")
    assert "unverified" in card.cap.text()
    assert "1.25 mg/kg/h" in card.delivered.text()
    assert {card.dose_primary.text(), card.dose_other.text()} == {"1.5 mg/kg/h", "25 mcg/kg/min"}


@pytest.mark.parametrize("bad", ["1,000", "nan", "", "-5", "70.5.1"])
def test_a_bad_weight_shows_a_message_beside_the_field_and_changes_nothing(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore, bad: str
) -> None:
    choose_protocol(window, "subanesthetic-infusion")
    form = window.dosing.form
    retype(qtbot, form.weight.edit, "70")
    regimen = plan_store.regimen
    card = window.dosing.card
    card_text = card.pump_rate.text()
    paste(form.weight.edit, bad)
    assert form.weight.error_label.isVisibleTo(window)
    assert form.weight.error_label.text()
    assert form.weight.edit.property("invalid") is True
    assert plan_store.regimen is regimen
    # No number that is not current: a dash, and the reason in words.
    assert card.pump_rate.text() == "\u2014"
    assert not card.dose_primary.isVisibleTo(window) and not card.bolus_rate.isVisibleTo(window)
    assert card.banner.isVisibleTo(window) and "not valid" in card.banner_text.text()
    assert not card.rate_status.isVisibleTo(window)
    assert not window.dosing.start_bar.start_button.isEnabled()
    assert card.property("stale") is True
    retype(qtbot, form.weight.edit, "70")
    assert not form.weight.error_label.isVisibleTo(window)
    assert plan_store.is_current
    assert card.pump_rate.text() == card_text and card.dose_primary.isVisibleTo(window)


def test_a_weight_outside_the_library_range_is_refused_beside_the_field(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    choose_protocol(window, "subanesthetic-infusion")
    form = window.dosing.form
    retype(qtbot, form.weight.edit, "70")
    regimen = plan_store.regimen
    paste(form.weight.edit, "400")
    assert "350 kg" in form.weight.error_label.text()
    assert plan_store.regimen is regimen
    assert not plan_store.is_current


def test_a_hard_limit_disables_start(qtbot: QtBot, window: MainWindow, plan_store: PlanStore) -> None:
    answer_screening(window)
    choose_protocol(window, "acute-bolus")
    form = window.dosing.form
    retype(qtbot, form.weight.edit, "70")
    assert window.dosing.start_bar.start_button.isEnabled()
    retype(qtbot, form.bolus_dose.edit, "0.4")  # above the hard max of 0.35 mg/kg
    assert plan_store.regimen is not None and plan_store.regimen.blocked
    assert not window.dosing.start_bar.start_button.isEnabled()
    assert "hard limit" in window.dosing.start_bar.gate_text.text()
    card = window.dosing.card
    assert card.banner.isVisibleTo(window)
    assert "hard limit blocks" in card.banner_text.text()
    assert card.pump_rate.text() == "\u2014"  # the blocked numbers are not shown at all
    assert not card.bolus_detail.isVisibleTo(window)
    words = [row.word.text() for row in window.dosing.findings.rows if row.finding.level == "hard"]
    assert words == ["Blocked"]


def test_a_soft_limit_needs_a_typed_reason_at_start(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    answer_screening(window)
    choose_protocol(window, "chronic-opioid-tolerant")
    retype(qtbot, window.dosing.form.bolus_dose.edit, "0.4")  # above the soft max 0.35, below the hard 0.5
    retype(qtbot, window.dosing.form.weight.edit, "70")
    assert plan_store.start_gate().needs_reason
    assert "reason" in window.dosing.start_bar.gate_text.text()
    window.dosing.start_bar.start_button.click()
    dialog = window.prestart_dialog
    assert dialog is not None and dialog.reason is not None
    for box, _ in (*dialog.items, *dialog.gates):
        box.setChecked(True)
    for field in dialog.names.values():
        field.setText("A. Second RN")
    dialog.bed.setText("Bed 4")
    assert dialog.volume is not None
    dialog.volume.edit.setText("50")
    dialog.started_by.setText("AB")
    assert not dialog.complete_button.isEnabled()
    assert "reason" in dialog.missing.text()
    dialog.reason.setPlainText("Agreed with the pain consultant")
    assert dialog.complete_button.isEnabled()
    dialog.complete_button.click()
    assert plan_store.planned is not None
    assert plan_store.planned.soft_limit_reason == "Agreed with the pain consultant"


def test_the_unit_mixup_button_fixes_the_dose_in_one_click(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    answer_screening(window)
    choose_protocol(window, "subanesthetic-infusion")
    form = window.dosing.form
    retype(qtbot, form.weight.edit, "70")
    assert form.unit_mcg.isChecked()
    qtbot.mouseClick(form.unit_mg, Qt.MouseButton.LeftButton)
    retype(qtbot, form.infusion_dose.edit, "1")
    assert plan_store.entries.infusion_dose == DoseRate(value=Decimal(1), unit="mg/kg/h")
    assert plan_store.regimen is not None and plan_store.regimen.blocked
    assert any(f.code == "unit-mixup" and f.level == "hard" for f in plan_store.regimen.findings)
    assert not window.dosing.start_bar.start_button.isEnabled()

    button = window.findChild(type(window.dosing.start_bar.start_button), "useSuggestionButton")
    assert button is not None
    assert button.text() == "Use 1 mcg/kg/min instead"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert form.infusion_dose.text() == "1"
    assert form.unit_mcg.isChecked()
    assert plan_store.entries.infusion_dose == DoseRate(value=Decimal(1), unit="mcg/kg/min")
    assert plan_store.regimen is not None and not plan_store.regimen.blocked
    assert window.dosing.card.pump_rate.text() == "4.2 mL/h"
    assert window.dosing.start_bar.start_button.isEnabled()


def test_switching_the_unit_keeps_the_dose_and_rewrites_the_number(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    choose_protocol(window, "subanesthetic-infusion")
    form = window.dosing.form
    retype(qtbot, form.weight.edit, "70")
    before = plan_store.regimen
    qtbot.mouseClick(form.unit_mg, Qt.MouseButton.LeftButton)
    assert form.infusion_dose.text() == "0.06"
    assert plan_store.regimen is before  # nothing was re-entered: the dose did not change


def test_findings_pair_an_icon_and_words_with_the_colour(qtbot: QtBot, window: MainWindow) -> None:
    choose_protocol(window, "icu-infusion")
    retype(qtbot, window.dosing.form.weight.edit, "160")  # outside the plausible band: soft
    rows = window.dosing.findings.rows
    assert rows
    for row in rows:
        assert row.property("level") in {"info", "soft", "hard"}
        assert row.icon.pixmap() is not None and not row.icon.pixmap().isNull()
        assert row.word.text()
        assert row.message.text()
        assert row.sources.text().startswith("Sources:")


def test_every_number_shows_its_full_source_on_hover_and_click(
    qtbot: QtBot, window: MainWindow, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    choose_protocol(window, "icu-infusion")
    retype(qtbot, window.dosing.form.weight.edit, "70")
    card = window.dosing.card
    pump_citation = html.escape(library.citation("PUMP"))
    assert pump_citation in card.pump_rate.toolTip()
    assert html.escape(library.citation("ASRA-CHRONIC")) in card.dose_primary.toolTip()
    assert html.escape(library.citation("SEED-A")) in card.cap.toolTip()
    for label in (card.dose_other, card.mg_per_h, card.delivered):
        assert "Sources" in label.toolTip()
    shown: list[str] = []
    monkeypatch.setattr(sources, "show_sources_popup", lambda _pos, text, _widget: shown.append(text))
    qtbot.mouseClick(card.pump_rate, Qt.MouseButton.LeftButton)
    assert shown == [card.pump_rate.toolTip()]


def test_the_sources_button_lists_every_source_of_the_card(
    qtbot: QtBot, window: MainWindow, library: Library
) -> None:
    choose_protocol(window, "icu-infusion")
    window.dosing.card.sources_button.click()
    dialog = window.sources_dialog
    assert dialog is not None and dialog.isVisible()
    text = dialog.text.toPlainText()
    for key in ("PUMP", "ASRA-CHRONIC", "FMF-135"):
        assert library.citation(key) in text
    dialog.close()


def test_gates_and_evidence_notes_are_visible_before_starting(
    qtbot: QtBot, window: MainWindow, library: Library
) -> None:
    choose_protocol(window, "neuropathic-prolonged")
    retype(qtbot, window.dosing.form.weight.edit, "70")
    words = [row.word.text() for row in window.dosing.findings.rows]
    assert "Gate: confirm at Start" in words
    assert "Evidence" in words
    texts = [plain(row.message.text()) for row in window.dosing.findings.rows]
    for note in library.protocol("neuropathic-prolonged").notes:
        assert note.text in texts


def test_an_optional_bolus_is_off_until_asked_for(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    choose_protocol(window, "intraoperative")
    form = window.dosing.form
    retype(qtbot, form.weight.edit, "70")
    assert not form.bolus_included.isChecked()
    assert plan_store.regimen is not None and plan_store.regimen.bolus is None
    assert not form.bolus_dose.isEnabled()
    qtbot.mouseClick(form.bolus_included, Qt.MouseButton.LeftButton)
    # intraoperative has no default bolus dose: the field says so and nothing is computed from it.
    assert form.bolus_dose.error_label.text()
    retype(qtbot, form.bolus_dose.edit, "0.25")
    assert plan_store.is_current
    assert plan_store.regimen.bolus is not None


def test_a_protocol_without_an_infusion_shows_the_bolus_rate_largest(
    qtbot: QtBot, window: MainWindow, library: Library
) -> None:
    choose_protocol(window, "acute-bolus")
    form = window.dosing.form
    assert form.infusion_group.isHidden()
    retype(qtbot, form.weight.edit, "70")
    card = window.dosing.card
    assert card.caption.text() == "BOLUS PUMP RATE"
    expected = compute_regimen(library, RegimenRequest(protocol_id="acute-bolus", weight_kg=Decimal(70)))
    assert expected.bolus is not None
    assert card.pump_rate.text() == Display(library).ml_per_h(expected.bolus.rate_ml_per_h)
    assert card.dose_primary.isHidden()


def test_a_custom_concentration_is_typed_and_checked(
    qtbot: QtBot, window: MainWindow, plan_store: PlanStore
) -> None:
    choose_protocol(window, "subanesthetic-infusion")
    form = window.dosing.form
    retype(qtbot, form.weight.edit, "70")
    picker = form.infusion_concentration
    custom_index = picker.combo.count() - 1
    picker.combo.setCurrentIndex(custom_index)
    picker.combo.activated.emit(custom_index)
    assert not picker.custom.isHidden()
    assert not plan_store.is_current  # "Custom" without a number is not a concentration yet
    retype(qtbot, picker.custom.edit, "3")
    assert plan_store.is_current
    assert plan_store.regimen is not None and plan_store.regimen.infusion is not None
    assert plan_store.regimen.infusion.concentration_mg_per_ml == Decimal(3)
    assert any(f.code == "non-standard-concentration" for f in plan_store.regimen.findings)
    picker.combo.setCurrentIndex(1)
    picker.combo.activated.emit(1)
    assert picker.custom.isHidden()
    assert plan_store.regimen.infusion.concentration_mg_per_ml == Decimal(2)


def test_the_decimal_comma_of_the_users_locale_is_read_and_shown(
    comma_locale: None, make_window: WindowFactory
) -> None:
    window, plan = make_window()
    choose_protocol(window, "icu-infusion")
    form = window.dosing.form
    paste(form.weight.edit, "70,5")
    assert plan.entries.weight_kg == Decimal("70.5")
    assert plan.is_current
    paste(form.weight.edit, "70.5")  # a point is not this locale's decimal mark
    assert "','" in form.weight.error_label.text()
    assert plan.entries.weight_kg == Decimal("70.5")
    paste(form.weight.edit, "70,5")
    assert window.dosing.card.pump_rate.text() == "35,3 mL/h"  # 0.5 mg/kg/h x 70.5 kg at 1 mg/mL
