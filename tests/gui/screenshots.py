"""Save PNGs of every tab, day and night, at a chosen window size (not collected by pytest).

    .venv/bin/python tests/gui/screenshots.py OUT_DIR [--width 1366 --height 768] [--scenario NAME]

Builds the real window (offscreen unless a display is set), walks a realistic scenario (subanesthetic
infusion, 70 kg, screening answered, checklist completed) and grabs each tab with QWidget.grab().
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TypeVar

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from ketamine_desktop.app import application, build_main_window
from ketamine_desktop.cli.common import load_default_library
from ketamine_desktop.domain.clock import SystemClock
from ketamine_desktop.domain.screening import ScreeningAnswer
from ketamine_desktop.state.plan import AnswerScreening, ChooseProtocol
from ketamine_desktop.state.settings import ViewSettings

W = TypeVar("W", bound=QObject)


def child(root: QWidget, cls: type[W], name: str) -> W:
    """A widget by objectName (a script: tests.helpers is not on its path)."""
    found = root.findChild(cls, name)
    assert found is not None, f"no {cls.__name__} named {name!r}"
    return found


def type_in(edit: QLineEdit, text: str) -> None:
    """Replace the field's text in one user edit (one textEdited, as typing or a paste sends)."""
    edit.setFocus()
    edit.selectAll()
    edit.insert(text)


def root_shot(path: Path) -> None:
    """The whole X screen as the user sees it (ImageMagick's import), when running under Xvfb."""
    subprocess.run(["import", "-window", "root", str(path)], check=True, timeout=30)


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=768)
    parser.add_argument("--mixup", action="store_true", help="enter 1 mg/kg/h to show the unit mix-up")
    parser.add_argument("--root-shots", action="store_true", help="also capture the X screen (import)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = application()
    QStandardPaths.setTestModeEnabled(True)
    library = load_default_library()
    with tempfile.TemporaryDirectory() as folder:
        settings = ViewSettings(Path(folder) / "settings.ini")
        window, plan = build_main_window(app, library, settings, SystemClock())
        window.resize(args.width, args.height)
        window.show()
        settle(app)
        if args.root_shots:
            window.show()
            settle(app)
            root_shot(args.out / "root-0-start.png")
        child(window, QLineEdit, "bedField").setText("Ward 7, bed 12")
        plan.apply(ChooseProtocol("subanesthetic-infusion"))
        type_in(child(window, QLineEdit, "weightField"), "70")
        if args.mixup:
            child(window, QRadioButton, "infusionUnitMgKgH").click()  # mg/kg/h and 1: the classic slip
            type_in(child(window, QLineEdit, "infusionDoseField"), "1")
        settle(app)
        for night in (False, True):
            settings.set_night_mode(night)
            mode = "night" if night else "day"
            window.show_tab(0)
            settle(app)
            window.grab().save(str(args.out / f"{mode}-1-dosing.png"))
            if args.root_shots:
                root_shot(args.out / f"root-{mode}-1-dosing.png")
            window.show_tab(2)
            settle(app)
            window.grab().save(str(args.out / f"{mode}-3-contraindications.png"))
            window.show_tab(3)
            settle(app)
            window.grab().save(str(args.out / f"{mode}-4-side-effects.png"))
            window.show_tab(1)
            settle(app)
            window.grab().save(str(args.out / f"{mode}-2-monitoring-empty.png"))
        settings.set_night_mode(False)
        for item in library.document.contraindications:
            present = item.id == "age-over-75"
            plan.apply(
                AnswerScreening(ScreeningAnswer(item_id=item.id, present=present, acknowledged=present))
            )
        window.show_tab(0)
        child(window, QPushButton, "startButton").click()
        settle(app)
        dialog = window.findChild(QDialog, "prestartDialog")
        if dialog is not None:
            dialog.grab().save(str(args.out / "day-5-prestart.png"))
            for box in dialog.findChildren(QCheckBox):
                if re.fullmatch(r"checklist_.+|gate_\d+", box.objectName()):
                    box.setChecked(True)
            for name in dialog.findChildren(QLineEdit):
                if re.fullmatch(r"checklist_.+_name", name.objectName()):
                    name.setText("J. Smith RN")
            # The one-flow start (issue 9) asks for the syringe volume and who starts, too.
            for field, value in (("prestartVolumeField", "50"), ("prestartStartedByField", "JS")):
                edit = dialog.findChild(QLineEdit, field)
                if edit is not None:
                    edit.setText(value)
            reason = dialog.findChild(QPlainTextEdit, "softReasonField")
            if reason is not None:
                reason.setPlainText("Agreed with the pain team.")
            child(dialog, QPushButton, "prestartCompleteButton").click()
            settle(app)
        window.grab().save(str(args.out / "day-2-monitoring-planned.png"))
        window.show_tab(0)
        settle(app)
        window.grab().save(str(args.out / "day-1-dosing-planned.png"))
        settings.set_glance_mode(True)
        settle(app)
        window.grab().save(str(args.out / "day-6-glance.png"))
        settings.set_night_mode(True)
        settle(app)
        window.grab().save(str(args.out / "night-6-glance.png"))
        settings.set_glance_mode(False)
        child(window, QAction, "aboutAction").trigger()
        settle(app)
        about = child(window, QDialog, "aboutDialog")
        about.grab().save(str(args.out / "night-7-about.png"))
        about.close()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
