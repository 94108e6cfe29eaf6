"""When no sound can be played the banner says "no sound on this computer", also while nothing is due."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QFrame, QPushButton
from pytestqt.qtbot import QtBot

from ketamine_desktop.app import SessionParts
from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.gui.monitoring.banner import NO_SOUND
from ketamine_desktop.state.alerts import SilentPlayer
from tests.gui.monitoring.conftest import AppFactory
from tests.helpers.gui_helpers import find, text
from tests.helpers.session_helpers import fill, start_from_the_dosing_tab


def tick(parts: SessionParts, clock: FakeClock, seconds: float) -> None:
    clock.advance(seconds)
    parts.ticker.tick()
    QApplication.processEvents()


@pytest.fixture
def player() -> SilentPlayer:  # type: ignore[override]
    return SilentPlayer()


def test_no_sound_on_this_computer_is_said_even_when_nothing_is_due(
    qtbot: QtBot, make_app: AppFactory, clock: FakeClock
) -> None:
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "chronic-opioid-tolerant")
    tick(parts, clock, 1)
    assert find(window, QFrame, "alertBanner").isVisible() and text(window, "alertBannerSound") == NO_SOUND
    fill(qtbot, window, sedation="1")
    find(window, QPushButton, "saveCheckButton").click()
    tick(parts, clock, 1)
    assert not parts.store.active
    assert find(window, QFrame, "alertBanner").isVisible() and text(window, "alertBannerSound") == NO_SOUND
    assert (
        text(window, "alertBannerText") == "" and not find(window, QPushButton, "alertShowButton").isVisible()
    )
