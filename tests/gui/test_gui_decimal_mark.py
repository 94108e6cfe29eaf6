"""One decimal mark per screen: fields, hints, the card and the findings all use the mark the fields accept.

A screen that shows "0,06 mg/kg/h" in a hint and "0.5 mg/kg" in a finding invites the 10x misreading ISMP
warns about. Checked under a decimal-comma locale (de_DE) and a decimal-point one (the C/en_US default).
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from ketamine_desktop.gui.main_window import MainWindow
from ketamine_desktop.gui.numbers import plain
from tests.helpers.gui_helpers import WindowFactory, choose_protocol, find, paste

# A decimal in running text: digits, one mark, digits, not part of a dotted version or a DOI.
_DECIMAL = {
    ".": re.compile(r"(?<![\w./])[0-9]+\.[0-9]+(?![\w/])(?!\.[0-9])"),
    # Source keys list sections as "SEED-A(1,3)": in brackets, not a number.
    ",": re.compile(r"(?<![\w,(])[0-9]+,[0-9]+(?![\w)])"),
}


def shown_texts(root: QWidget) -> list[str]:
    """The text of every visible label and field under `root`."""
    texts = [plain(label.text()) for label in root.findChildren(QLabel) if label.isVisibleTo(root)]
    texts += [edit.text() for edit in root.findChildren(QLineEdit) if edit.isVisibleTo(root)]
    return [t for t in texts if t]


def marks_on_screen(root: QWidget) -> set[str]:
    return {mark for mark, pattern in _DECIMAL.items() for t in shown_texts(root) if pattern.search(t)}


def fill_dosing(window: MainWindow, weight: str, dose: str) -> None:
    # A protocol with a bolus and an infusion; a low dose adds a finding with numbers in its words.
    choose_protocol(window, "subanesthetic-infusion")
    paste(find(window, QLineEdit, "weightField"), weight)
    paste(find(window, QLineEdit, "infusionDoseField"), dose)


def test_comma_locale_shows_only_decimal_commas_on_the_dosing_tab(
    comma_locale: None, make_window: WindowFactory
) -> None:
    window, plan = make_window()
    fill_dosing(window, "70,5", "0,5")
    assert plan.regimen is not None and plan.is_current
    assert any(f.code == "below-typical" for f in plan.regimen.findings)
    texts = shown_texts(find(window, QWidget, "dosingTab"))
    assert any(
        "0,5 mcg/kg/min (0,03 mg/kg/h) is below" in t for t in texts
    )  # the finding, in the screen's mark
    assert marks_on_screen(find(window, QWidget, "dosingTab")) == {","}, [
        t for t in texts if _DECIMAL["."].search(t)
    ]


def test_point_locale_shows_only_decimal_points_on_the_dosing_tab(make_window: WindowFactory) -> None:
    window, plan = make_window()
    fill_dosing(window, "70.5", "0.5")
    assert plan.regimen is not None and plan.is_current
    texts = shown_texts(find(window, QWidget, "dosingTab"))
    assert marks_on_screen(find(window, QWidget, "dosingTab")) == {"."}, [
        t for t in texts if _DECIMAL[","].search(t)
    ]


def test_errors_say_what_to_type_in_a_nurses_words(comma_locale: None, make_window: WindowFactory) -> None:
    window, _plan = make_window()
    choose_protocol(window, "subanesthetic-infusion")
    weight = find(window, QLineEdit, "weightField")
    paste(weight, "70.5")
    assert (
        find(window, QLabel, "weightFieldError").text()
        == "Type the weight in kg, for example 72,5 (the decimal mark here is ',')"
    )
    for typed in ("nan", "7e1", ""):
        paste(weight, typed)
        text = find(window, QLabel, "weightFieldError").text()
        assert text.startswith("Type the weight in kg, for example 72,5")
        assert not any(word in text.casefold() for word in ("locale", "exponent", "nan", "infinity"))
