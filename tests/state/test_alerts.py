"""Alerts: the chime and the attention request when a reminder is raised (and on first sight after a
restart), the repeat while something is overdue, and "no sound" when no sound could be made."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.state import alerts as alerts_module
from ketamine_desktop.state.alerts import (
    REPEAT_SOUND_S,
    AlertController,
    CommandPlayer,
    SilentPlayer,
    chime_path,
    command_player,
    sound_device_present,
)
from ketamine_desktop.state.session_store import SessionStore
from tests.helpers.builders import start_draft
from tests.state.conftest import StoreFactory


class FakePlayer:
    name = "fake"

    def __init__(self, ok: bool = True) -> None:
        self.ok = ok
        self.played: list[Path] = []

    def play(self, path: Path) -> bool:
        self.played.append(path)
        return self.ok

    def working(self) -> bool:
        return self.ok


def listening(alerts: AlertController, session_store: SessionStore) -> AlertController:
    """Connected as the composition root connects it."""
    session_store.changed.connect(alerts.on_session_changed)
    return alerts


def tick(session_store: SessionStore, clock: FakeClock, seconds: float = 1) -> None:
    clock.advance(seconds)
    session_store.tick(clock.now(), clock.monotonic())


def test_a_raised_reminder_chimes_and_asks_for_attention(
    session_store: SessionStore, clock: FakeClock, qtbot: QtBot
) -> None:
    player = FakePlayer()
    alerts = listening(AlertController(session_store, clock, player), session_store)
    assert session_store.start(start_draft()).saved
    with qtbot.waitSignal(alerts.attention_requested) as attention:
        session_store.tick(clock.now(), clock.monotonic())
    assert attention.args[0][0].status == "due"
    assert player.played == [chime_path()] and chime_path().is_file()
    assert alerts.state.level == "due" and alerts.state.sound_ok
    tick(session_store, clock)  # still due, nothing new: no second chime
    assert len(player.played) == 1
    tick(session_store, clock, 5 * 60)  # overdue: raised again
    assert len(player.played) == 2 and alerts.attention_count == 2 and alerts.state.level == "overdue"
    tick(session_store, clock, REPEAT_SOUND_S - 2)
    assert len(player.played) == 2
    tick(session_store, clock, 2)
    assert len(player.played) == 3  # repeated while overdue


def test_first_sight_after_a_restart_chimes(make_session_store: StoreFactory, clock: FakeClock) -> None:
    first = make_session_store()
    assert first.start(start_draft()).saved
    first.tick(clock.now(), clock.monotonic())
    clock.advance(3600)
    first.tick(clock.now(), clock.monotonic())  # everything raised and written already
    store = make_session_store()
    player = FakePlayer()
    alerts = listening(AlertController(store, clock, player), store)
    store.tick(clock.now(), clock.monotonic())
    assert player.played and alerts.attention_count == 1 and alerts.state.level == "overdue"


def test_no_sound_is_said(session_store: SessionStore, clock: FakeClock) -> None:
    alerts = listening(AlertController(session_store, clock, SilentPlayer()), session_store)
    assert session_store.start(start_draft()).saved
    session_store.tick(clock.now(), clock.monotonic())
    assert not alerts.state.sound_ok and alerts.state.sound_name == "none" and alerts.state.active


def test_recording_everything_quietens_it(session_store: SessionStore, clock: FakeClock) -> None:
    from tests.helpers.builders import check_draft

    player = FakePlayer()
    alerts = listening(AlertController(session_store, clock, player), session_store)
    assert session_store.start(start_draft()).saved
    session_store.tick(clock.now(), clock.monotonic())
    assert session_store.record_observation(
        check_draft(session_store.state, session_store.active[0].due, session_store.reminders), "EF"
    ).saved  # type: ignore[arg-type]
    assert alerts.state.active == () and alerts.state.level is None


def test_command_player_runs_the_program_and_notices_failures(tmp_path: Path) -> None:
    ok = CommandPlayer(sys.executable)
    assert ok.name.startswith("python") and ok.play(tmp_path / "none.py") is True
    ok.close()
    assert ok.working() is False  # python exits non-zero on a missing script
    good = tmp_path / "good.py"
    good.write_text("", encoding="ascii")
    fine = CommandPlayer(sys.executable)
    assert fine.play(good)
    fine.close()
    assert fine.working()
    missing = CommandPlayer(str(tmp_path / "no-such-player"))
    assert missing.play(good) is False and not missing.working()
    aplay = CommandPlayer("/usr/bin/aplay")
    assert aplay._argv == ["/usr/bin/aplay", "-q"]


def test_the_silent_player_says_it_made_no_sound() -> None:
    silent = SilentPlayer()
    assert not silent.play(chime_path()) and not silent.working()


def test_the_command_player_prefers_paplay_then_aplay(monkeypatch: pytest.MonkeyPatch) -> None:
    found = {"paplay": None, "aplay": "/usr/bin/aplay"}
    monkeypatch.setattr(alerts_module.shutil, "which", lambda name: found.get(name))
    player = command_player()
    assert isinstance(player, CommandPlayer) and player.name == "aplay"
    found["paplay"] = "/usr/bin/paplay"
    player = command_player()
    assert isinstance(player, CommandPlayer) and player.name == "paplay"
    found["paplay"] = found["aplay"] = None
    assert command_player() is None


def test_the_chime_is_a_short_soft_wave() -> None:
    import wave

    with wave.open(str(chime_path())) as chime:
        seconds = chime.getnframes() / chime.getframerate()
        assert chime.getnchannels() == 1 and 0.3 < seconds < 1.0
    assert chime_path().stat().st_size < 16_000


def test_a_sound_device_is_an_alsa_playback_device(tmp_path: Path) -> None:
    assert not sound_device_present(tmp_path)
    (tmp_path / "pcmC0D0c").touch()  # a capture device plays nothing
    assert not sound_device_present(tmp_path)
    (tmp_path / "pcmC0D0p").touch()
    assert sound_device_present(tmp_path)


def test_no_sound_is_said_until_a_device_comes_back(session_store: SessionStore, clock: FakeClock) -> None:
    present = [False]

    class DevicePlayer:
        name = "device"

        def play(self, path: Path) -> bool:
            del path
            return present[0]

        def working(self) -> bool:
            return present[0]

    alerts = listening(AlertController(session_store, clock, DevicePlayer()), session_store)
    assert not alerts.state.sound_ok
    assert session_store.start(start_draft()).saved
    session_store.tick(clock.now(), clock.monotonic())
    assert not alerts.state.sound_ok and alerts.state.active
    present[0] = True
    clock.advance(1)
    session_store.tick(clock.now(), clock.monotonic())
    assert alerts.state.sound_ok
    present[0] = False
    clock.advance(1)
    session_store.tick(clock.now(), clock.monotonic())
    assert not alerts.state.sound_ok
