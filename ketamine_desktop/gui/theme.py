"""The look: day and night style sheets, the glance overlay, palettes and the status icons.

Status is never colour alone: each level has a distinct icon shape (circle, triangle, octagon, diamond,
tick) and a word, and the colours are the Okabe-Ito palette, which stays distinguishable with the common
colour-vision deficiencies.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

from ketamine_desktop.resources import resource_path
from ketamine_desktop.state.settings import ViewPrefs

if TYPE_CHECKING:  # the first paint comes before pydantic is imported (app.run_app)
    from ketamine_desktop.domain.screening import ScreeningResult


@dataclass(frozen=True)
class LevelLook:
    icon_file: str
    word: str


# Finding levels (regimen), screening states and escalation severities share one visual language.
LEVELS: dict[str, LevelLook] = {
    "info": LevelLook("info.svg", "Note"),
    "soft": LevelLook("warning.svg", "Warning"),
    "hard": LevelLook("blocked.svg", "Blocked"),
    "ok": LevelLook("ok.svg", "OK"),
    "caution": LevelLook("caution.svg", "Caution"),
    "pending": LevelLook("pending.svg", "To do"),
}
SEVERITY_LEVEL: dict[str, str] = {"info": "info", "warning": "soft", "urgent": "hard"}
SEVERITY_WORD: dict[str, str] = {"info": "Info", "warning": "Warning", "urgent": "Urgent"}


def screening_look(result: ScreeningResult) -> str:
    """The level a screening result is shown at: ok, blocked (an absolute item), or still to do."""
    if result.can_start:
        return "ok"
    return "hard" if any(item.status == "blocks" for item in result.items) else "pending"


@functools.cache
def icon(file_name: str) -> QIcon:
    """One QIcon per file for the whole run (an icon is an implicitly shared handle; reading the SVG once)."""
    return QIcon(str(resource_path("icons", file_name)))


def level_icon(level: str) -> QIcon:
    return icon(LEVELS[level].icon_file)


def level_pixmap(level: str, size: int = 22) -> QPixmap:
    return level_icon(level).pixmap(QSize(size, size))


def stylesheet(prefs: ViewPrefs) -> str:
    parts = ["night.qss" if prefs.night_mode else "day.qss"]
    if prefs.glance_mode:
        parts.append("glance.qss")
    text = "\n".join(resource_path("styles", part).read_text(encoding="utf-8") for part in parts)
    # Style sheets name their images by path; the icons' folder depends on how the app was installed.
    return text.replace("@ICONS@", resource_path("icons").as_posix())


def palette_for(night: bool) -> QPalette:
    # The style sheet styles most widgets; the palette covers what it does not reach (check-box
    # indicators, scroll areas, disabled text) so nothing stays bright in night mode.
    palette = QPalette()
    colours = (
        {
            QPalette.ColorRole.Window: "#0B0F14",
            QPalette.ColorRole.WindowText: "#C3CCD5",
            QPalette.ColorRole.Base: "#0F141A",
            QPalette.ColorRole.AlternateBase: "#151C23",
            QPalette.ColorRole.Text: "#D5DDE5",
            QPalette.ColorRole.Button: "#1A222B",
            QPalette.ColorRole.ButtonText: "#C3CCD5",
            QPalette.ColorRole.Highlight: "#2B4A63",
            QPalette.ColorRole.HighlightedText: "#E3E9EF",
            QPalette.ColorRole.ToolTipBase: "#1B232C",
            QPalette.ColorRole.ToolTipText: "#D5DDE5",
            QPalette.ColorRole.PlaceholderText: "#8B97A3",
            QPalette.ColorRole.Link: "#7FB2D6",
        }
        if night
        else {
            QPalette.ColorRole.Window: "#EEF2F5",
            QPalette.ColorRole.WindowText: "#17212B",
            QPalette.ColorRole.Base: "#FFFFFF",
            QPalette.ColorRole.AlternateBase: "#F4F7F9",
            QPalette.ColorRole.Text: "#17212B",
            QPalette.ColorRole.Button: "#FFFFFF",
            QPalette.ColorRole.ButtonText: "#17212B",
            QPalette.ColorRole.Highlight: "#1F5F8B",
            QPalette.ColorRole.HighlightedText: "#FFFFFF",
            QPalette.ColorRole.ToolTipBase: "#FFFFFF",
            QPalette.ColorRole.ToolTipText: "#17212B",
            QPalette.ColorRole.PlaceholderText: "#6B7784",
            QPalette.ColorRole.Link: "#1F5F8B",
        }
    )
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6B7784"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#6B7784"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#6B7784"))
    return palette


def apply_theme(app: QApplication, prefs: ViewPrefs) -> None:
    """Apply day or night, with or without glance, to the whole application.

    Each step only when it changes something: re-applying a style sheet re-polishes every widget.
    """
    if not app.property("fusion_style_set"):
        app.setStyle("Fusion")
        app.setProperty("fusion_style_set", True)
    palette = palette_for(prefs.night_mode)
    if app.palette() != palette:
        app.setPalette(palette)
    sheet = stylesheet(prefs)
    if app.styleSheet() != sheet:
        app.setStyleSheet(sheet)
