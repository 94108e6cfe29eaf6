"""Finding widgets the way a user does, by what they are called (objectName), never through the widgets'
Python attributes; and driving the window: choose, type, tick, click."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ketamine_desktop.gui.main_window import MainWindow
from ketamine_desktop.state.plan import PlanStore

WindowFactory = Callable[[], tuple[MainWindow, PlanStore]]
W = TypeVar("W", bound=QObject)


def open_dialogs(root: QWidget) -> list[QDialog]:
    """The shown dialogs that are not inside `root` (a message box or dialog opened as its own window)."""
    return [
        widget
        for widget in QApplication.topLevelWidgets()
        if isinstance(widget, QDialog) and widget.isVisible() and not _inside(widget, root)
    ]


def _inside(widget: QObject, root: QObject) -> bool:
    at: QObject | None = widget
    while at is not None:
        if at is root:
            return True
        at = at.parent()
    return False


def find(root: QWidget, cls: type[W], name: str, *, dialogs: bool = True) -> W:
    """The widget (or action) of class `cls` named `name` under `root` (`root` itself included), and, when
    `root` is a window, in the dialogs shown beside it (unless `dialogs=False`), as a user finds it.

    Fails with the near names when there is none, and when the choice is ambiguous."""
    roots: list[QWidget] = [root, *(open_dialogs(root) if dialogs and root.isWindow() else [])]
    found: list[W] = []
    for where in roots:
        if where.objectName() == name and isinstance(where, cls):
            found.append(where)
        found.extend(where.findChildren(cls, name))
    if len(found) == 1:
        return found[0]
    # A closed dialog, or a view being replaced, may still carry the name until it is deleted: a widget
    # shown wins, then one in a shown window (a hidden field of the open dialog), then one that would
    # show with `root` (a widget not yet shown).
    shown = [w for w in found if not isinstance(w, QWidget) or w.isVisible()]
    in_shown_window = [w for w in found if isinstance(w, QWidget) and w.window().isVisible()]
    showable = [w for w in found if isinstance(w, QWidget) and w.isVisibleTo(root)]
    for choice in (shown, in_shown_window, showable):
        if len(choice) == 1:
            return choice[0]
        if len(choice) > 1:
            raise AssertionError(f"{len(choice)} {cls.__name__}s named {name!r} on the screen: which one?")
    if found:
        raise AssertionError(
            f"{len(found)} {cls.__name__}s named {name!r}, none in a shown window: which one?"
        )
    names = sorted(
        {obj.objectName() for where in roots for obj in where.findChildren(QObject) if obj.objectName()}
    )
    other = sorted(
        {
            type(obj).__name__
            for where in roots
            for obj in where.findChildren(QObject)
            if obj.objectName() == name
        }
    )
    near = difflib.get_close_matches(name, names, n=8, cutoff=0.5)
    raise AssertionError(
        f"no {cls.__name__} named {name!r} in {root.objectName() or type(root).__name__!r}"
        + (f"; that name is on a {', '.join(other)}" if other else "")
        + (f"; near names: {', '.join(near)}" if near else "")
    )


def text(root: QWidget, name: str) -> str:
    """What the label named `name` says."""
    return find(root, QLabel, name).text()


def open_dialog(root: QWidget, name: str) -> QDialog:
    """The dialog named `name`, which must be open."""
    dialog = find(root, QDialog, name)
    assert dialog.isVisible(), f"{name} is not open"
    return dialog


def find_all(root: QWidget, cls: type[W], pattern: str) -> list[W]:
    """Every widget of class `cls` under `root` whose objectName matches the regular expression `pattern`
    in full, in creation order (e.g. every screening answer: `find_all(w, QRadioButton, r"contra_.*_absent")`)."""
    return [w for w in root.findChildren(cls) if re.fullmatch(pattern, w.objectName())]


def finding_rows(root: QWidget, list_name: str = "findingList") -> list[QFrame]:
    """The finding rows of a finding list as shown, top to bottom (each named `finding_<code>_<index>`,
    its level in the "level" property; read it with `text(row, "noteWord")`, "noteMessage", "noteSources")."""
    listing = find(root, QWidget, list_name)
    rows = [row for row in find_all(listing, QFrame, r"finding_.+_\d+") if not row.isHidden()]
    return sorted(rows, key=lambda row: int(row.objectName().rsplit("_", 1)[1]))


def finding_code(row: QWidget) -> str:
    """The finding's code, from the row's objectName."""
    match = re.fullmatch(r"finding_(.+)_\d+", row.objectName())
    assert match, row.objectName()
    return match.group(1)


def select_tab(root: QWidget, tabs_name: str, label: str) -> QWidget:
    """Bring forward the tab that reads `label` (mnemonic "&" ignored) in the tab widget `tabs_name`, as a
    click on it does; returns the tab's page."""
    tabs = find(root, QTabWidget, tabs_name)
    labels = [tabs.tabText(index).replace("&", "") for index in range(tabs.count())]
    assert label in labels, f"{tabs_name} has no tab {label!r}: {labels}"
    tabs.setCurrentIndex(labels.index(label))
    return tabs.currentWidget()


def choose_protocol(window: MainWindow, protocol_id: str) -> None:
    combo = find(window, QComboBox, "protocolCombo")
    index = combo.findData(protocol_id)
    assert index >= 0, protocol_id
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # what a click or Enter in the list sends


def retype(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Clear the field and type `text` key by key."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, text)


def paste(edit: QLineEdit, text: str) -> None:
    """Replace the field's text in one user edit, as a paste does (one textEdited)."""
    edit.setFocus()
    edit.selectAll()
    edit.insert(text)


def answer_screening(window: MainWindow, present: dict[str, bool] | None = None) -> None:
    """Answer every item: those in `present` as given, all others "not present"."""
    present = present or {}
    tabs = find(window, QTabWidget, "mainTabs")
    was = tabs.currentIndex()
    select_tab(window, "mainTabs", "Contraindications")  # the nurse goes to the tab (it is built when shown)
    answers = find_all(window, QRadioButton, r"contra_.+_absent")
    assert answers, "no screening answers on the Contraindications tab"
    for absent in answers:
        item_id = absent.objectName().removeprefix("contra_").removesuffix("_absent")
        (find(window, QRadioButton, f"contra_{item_id}_present") if present.get(item_id) else absent).click()
    tabs.setCurrentIndex(was)  # and back


def complete_checklist(
    window: MainWindow,
    name: str = "A. Second RN",
    reason: str | None = None,
    *,
    volume: str = "50",
    started_by: str = "AB",
) -> None:
    """Fill the pre-start checklist as a nurse does (bed kept from the strip, else "Ward 7 bed 12") and
    press its button: with a session attached this starts the session."""
    dialog = find(window, QDialog, "prestartDialog")
    assert dialog.isVisible(), "the pre-start checklist is not open"
    bed = find(dialog, QLineEdit, "prestartBedField")
    if not bed.text():
        bed.setText("Ward 7 bed 12")
    for field in find_all(dialog, QLineEdit, "prestartVolumeField"):
        field.setText(volume)
    find(dialog, QLineEdit, "prestartStartedByField").setText(started_by)
    for box in find_all(dialog, QCheckBox, r"checklist_.+|gate_\d+"):
        box.setChecked(True)
    for field in find_all(dialog, QLineEdit, r"checklist_.+_name"):
        field.setText(name)
    if reason is not None:
        find(dialog, QPlainTextEdit, "softReasonField").setPlainText(reason)
    find(dialog, QPushButton, "prestartCompleteButton").click()
