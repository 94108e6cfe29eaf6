"""Making a reminder noticed: the chime, and the request for the window's attention.

`AlertController` is told of every change of the session store (`on_session_changed`, connected by the
composition root). When a reminder is raised (or on the first tick that sees an active reminder, e.g.
after a restart) it plays the chime and emits `attention_requested`, which the GUI turns into a taskbar
flash and a tray message (gui/attention.py). While an overdue or urgent reminder stays unanswered the
chime repeats. It never names a patient: the sound and the attention request say only that something is
due.

Sound: `resources/sounds/chime.wav` through `winsound` on Windows, `paplay` or `aplay` on Linux when
installed, else the system beep (gui/attention.py). When no sound can be made the banner says "no sound"
(the visual alert does not depend on it). QtCore only, like all of state/.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from ketamine_desktop.domain.clock import Clock
from ketamine_desktop.domain.reminders import Level, Reminder
from ketamine_desktop.resources import resource_path
from ketamine_desktop.state.session_store import SessionChange, SessionStore, SessionUpdate

# How often an unanswered overdue reminder chimes again: an attention setting, not a clinical interval.
REPEAT_SOUND_S = 60.0


def chime_path() -> Path:
    return resource_path("sounds", "chime.wav")


class SoundPlayer(Protocol):
    """Plays a short sound without blocking; `play` is False when no sound could be made."""

    name: str

    def play(self, path: Path) -> bool: ...

    def working(self) -> bool: ...


class CommandPlayer:
    """`paplay FILE` or `aplay -q FILE` in the background; a non-zero exit marks the player as failing."""

    def __init__(self, program: str) -> None:
        self.name = Path(program).name
        self._argv = [program, "-q"] if self.name == "aplay" else [program]
        self._running: list[subprocess.Popen[bytes]] = []
        self._failed = False

    def play(self, path: Path) -> bool:
        self._reap()
        try:
            process = subprocess.Popen(
                [*self._argv, str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            self._failed = True
            return False
        self._running.append(process)
        return not self._failed

    def working(self) -> bool:
        self._reap()
        return not self._failed

    def _reap(self) -> None:
        still = []
        for process in self._running:
            code = process.poll()
            if code is None:
                still.append(process)
            elif code != 0:
                self._failed = True
        self._running = still

    def close(self) -> None:
        """Wait for the sounds still playing (at exit)."""
        for process in self._running:
            if process.wait() != 0:
                self._failed = True
        self._running = []


class WinsoundPlayer:  # pragma: no cover - Windows only
    name = "winsound"

    def __init__(self) -> None:
        self._failed = False

    def play(self, path: Path) -> bool:
        if sys.platform == "win32":
            import winsound

            try:
                flags = winsound.SND_FILENAME | winsound.SND_ASYNC | winsound.SND_NODEFAULT
                winsound.PlaySound(str(path), flags)
            except RuntimeError:
                self._failed = True
            return not self._failed
        return False

    def working(self) -> bool:
        return not self._failed


def command_player() -> SoundPlayer | None:
    """The system's own way to play the chime: winsound on Windows, else `paplay` or `aplay` when
    installed; None when there is none (the GUI then falls back to the desktop's beep)."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return WinsoundPlayer()
    for program in ("paplay", "aplay"):
        found = shutil.which(program)
        if found is not None:
            return CommandPlayer(found)
    return None


def sound_device_present(snd_dir: Path = Path("/dev/snd")) -> bool:
    """Whether this computer has a device that can play sound: on Linux an ALSA playback device
    (`/dev/snd/pcm*p`); elsewhere the system is trusted to have one."""
    if not sys.platform.startswith("linux"):  # pragma: no cover - Windows and macOS
        return True
    return any(snd_dir.glob("pcm*p"))


class SilentPlayer:
    name = "none"

    def play(self, path: Path) -> bool:
        del path
        return False

    def working(self) -> bool:
        return False


@dataclass(frozen=True)
class AlertState:
    """What the banner shows."""

    active: tuple[Reminder, ...]  # most urgent first
    level: Level | None
    sound_ok: bool
    sound_name: str


class AlertController(QObject):
    changed = Signal(object)  # AlertState
    attention_requested = Signal(object)  # the reminders that asked for it

    def __init__(
        self,
        store: SessionStore,
        clock: Clock,
        player: SoundPlayer,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock
        self._player = player
        self._last_sound: float | None = None
        self._sound_ok = player.working()
        self.sounds_played = 0
        self.attention_count = 0
        self.state = AlertState((), None, self._sound_ok, player.name)

    def on_session_changed(self, update: SessionUpdate) -> None:
        """The slot for the session store's `changed`."""
        if not update.change & SessionChange.REMINDERS:
            return
        active = self._store.active
        level = active[0].level if active else None
        ticked = bool(update.change & SessionChange.TICK)
        # First sight: after a restart the raises are already in the record, but nobody has heard them.
        first_sight = ticked and bool(active) and self._last_sound is None
        if update.raised or first_sight:
            self._sound()
            self._attention(update.raised or active)
        elif ticked and level in ("overdue", "urgent") and self._repeat_due():
            self._sound()
        if not active:
            self._last_sound = None
        if not self._sound_ok and self._player.working():
            self._sound_ok = True  # a sound device came back: the banner stops saying "no sound"
        elif self._sound_ok and not self._player.working():
            self._sound_ok = False
        self.state = AlertState(active, level, self._sound_ok, self._player.name)
        self.changed.emit(self.state)

    def _repeat_due(self) -> bool:
        return self._last_sound is None or self._clock.monotonic() - self._last_sound >= REPEAT_SOUND_S

    def _sound(self) -> None:
        self._last_sound = self._clock.monotonic()
        played = self._player.play(chime_path())
        self._sound_ok = played and self._player.working()
        self.sounds_played += 1

    def _attention(self, reminders: tuple[Reminder, ...]) -> None:
        self.attention_count += 1
        self.attention_requested.emit(reminders)
