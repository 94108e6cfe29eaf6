"""GUI tests and scenarios find widgets by objectName and read what the screen says: none reaches into a
private attribute (`thing._x`), which breaks on every refactor and tests nothing a user can find.

Use `tests.helpers.gui_helpers.find(window, QLineEdit, "weightField")` (it lists near names when one is
missing); a widget with no objectName gets one in the product code (`setObjectName("camelCase")`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from tests.helpers.gui_helpers import find

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("tests/gui", "tests/scenarios", "tests/helpers")

# (file, expression): why a test may not do without it. Keep this short; every entry must still be used.
ALLOWED: dict[tuple[str, str], str] = {
    (
        "tests/gui/monitoring/test_commit_faults.py",
        "record_store._commit",
    ): "fault injection: the store (not a widget) is made to fail its commit at a chosen point",
    (
        "tests/gui/monitoring/test_canaries.py",
        "record_store._commit",
    ): "fault injection: the store (not a widget) is made to fail its commit at a chosen point",
    (
        "tests/helpers/store_helpers.py",
        "store._commit",
    ): "fault injection: the store (not a widget) is made to fail its commit at a chosen point",
    (
        "tests/gui/monitoring/test_handover_export.py",
        "record_store._conn",
    ): "tampering: a row of the record (not a widget) is changed behind the store's back to break the chain",
    (
        "tests/gui/monitoring/test_long_session.py",
        "chart._paths",
    ): "the drawn vertices per pixel column (a paint cost) are not on the screen as text or in any public API",
}


def private_reaches(source: str) -> list[str]:
    """Every `x._name` in `source` where x is not `self`/`cls` (dunder names are not private)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute):
            continue
        name = node.attr
        if not name.startswith("_") or name.startswith("__") or name == "_":
            continue
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            continue
        found.append(ast.unparse(node))
    return found


def test_the_scan_sees_a_private_attribute_chain() -> None:
    assert private_reaches("x = window.dosing_tab._card._rate_label.text()") == [
        "window.dosing_tab._card._rate_label",
        "window.dosing_tab._card",
    ]
    assert (
        private_reaches("self._lock = None\nvalue.__class__\nfind(w, QLabel, 'pumpRateValue').text()") == []
    )


def test_no_test_reaches_a_private_attribute() -> None:
    seen: set[tuple[str, str]] = set()
    offenders = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            for expression in private_reaches(path.read_text(encoding="utf-8")):
                if (relative, expression) in ALLOWED:
                    seen.add((relative, expression))
                else:
                    offenders.append(f"{relative}: {expression}")
    assert not offenders, (
        "find widgets by objectName (tests.helpers.gui_helpers.find) instead of private attributes:\n"
        + "\n".join(offenders)
    )
    stale = sorted(set(ALLOWED) - seen)
    assert not stale, f"allow-list entries no longer needed (remove them): {stale}"


def test_find_names_the_near_names_when_a_widget_is_missing(qtbot: QtBot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    root.setObjectName("form")
    for name in ("weightField", "weightFieldError", "heightField"):
        QLineEdit(root).setObjectName(name)
    QLabel(root).setObjectName("weightHint")
    assert find(root, QLineEdit, "weightField").objectName() == "weightField"
    with pytest.raises(AssertionError, match=r"no QLineEdit named 'weightFeld'.*near names: weightField"):
        find(root, QLineEdit, "weightFeld")
    with pytest.raises(AssertionError, match=r"that name is on a QLabel"):
        find(root, QLineEdit, "weightHint")
    QLineEdit(root).setObjectName("heightField")
    with pytest.raises(AssertionError, match=r"2 QLineEdits named 'heightField'.*which one"):
        find(root, QLineEdit, "heightField")
