"""Every text meets WCAG AA contrast (4.5:1) in the day and night themes: the palettes, every style-sheet
rule that sets a text colour (on its own background, else on every surface the theme paints), and the
status colours of the reminder table."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QColor, QPalette

from ketamine_desktop.gui.monitoring.words import STATUS_COLOURS, STATUS_COLOURS_NIGHT
from ketamine_desktop.gui.theme import palette_for
from ketamine_desktop.resources import resource_path

AA = 4.5
_HEX = r"#[0-9A-Fa-f]{6}"
_COLOR = re.compile(rf"(?<![-\w])color:\s*({_HEX})")
_BACKGROUND = re.compile(rf"(?<![-\w])background(?:-color)?:\s*({_HEX})")
# Surfaces a label can sit on: windows, scroll areas, group boxes and frames (not buttons or fields,
# which set their own text colour).
_SURFACE = re.compile(r"\s*(QMainWindow|QGroupBox|QFrame|QWidget)")


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    q = QColor(colour)
    return 0.2126 * channel(q.red()) + 0.7152 * channel(q.green()) + 0.0722 * channel(q.blue())


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rules(theme: str) -> list[tuple[str, str]]:
    text = resource_path("styles", f"{theme}.qss").read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return [(selector.strip(), body) for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", text)]


def test_contrast_arithmetic() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # the classic near miss


@pytest.mark.parametrize("night", [False, True], ids=["day", "night"])
def test_the_palette_text_roles_meet_aa(night: bool) -> None:
    palette = palette_for(night)
    role = QPalette.ColorRole
    pairs = [
        (role.WindowText, role.Window),
        (role.Text, role.Base),
        (role.Text, role.AlternateBase),
        (role.ButtonText, role.Button),
        (role.HighlightedText, role.Highlight),
        (role.ToolTipText, role.ToolTipBase),
        (role.PlaceholderText, role.Base),
        (role.Link, role.Base),
        (role.Link, role.Window),
    ]
    failing = [
        (fg.name, bg.name, round(ratio, 2))
        for fg, bg in pairs
        if (ratio := contrast(palette.color(fg).name(), palette.color(bg).name())) < AA
    ]
    assert not failing


@pytest.mark.parametrize("theme", ["day", "night"])
def test_every_style_sheet_text_colour_meets_aa(theme: str) -> None:
    sheet = rules(theme)
    surfaces = {
        m.group(1)
        for selector, body in sheet
        if _SURFACE.match(selector) and ":" not in selector and (m := _BACKGROUND.search(body))
    }
    assert len(surfaces) >= 5  # the parse found the theme's surfaces
    checked = 0
    failing = []
    for selector, body in sheet:
        colour = _COLOR.search(body)
        if colour is None or ":disabled" in selector:  # WCAG exempts disabled controls
            continue
        own = _BACKGROUND.search(body)
        for background in [own.group(1)] if own else sorted(surfaces):
            checked += 1
            if contrast(colour.group(1), background) < AA:
                failing.append((selector, colour.group(1), background))
    assert checked > 30
    assert not failing


@pytest.mark.parametrize(
    ("colours", "backgrounds"),
    [(STATUS_COLOURS, ("#FFFFFF", "#F4F7F9")), (STATUS_COLOURS_NIGHT, ("#11161C", "#151C23"))],
    ids=["day", "night"],
)
def test_status_colours_meet_aa_on_their_tables(
    colours: dict[str, str], backgrounds: tuple[str, ...]
) -> None:
    failing = [(s, c, b) for s, c in colours.items() for b in backgrounds if contrast(c, b) < AA]
    assert not failing
