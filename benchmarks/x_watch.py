"""Watch a program's window from the X server, from outside the program: when its top-level window is
mapped, and when something is first drawn into it.

Used for the frozen bundle (benchmarks/startup.py, packaging/check_install.py, the frozen-bundle test),
which cannot run the source launcher benchmarks/startup_watch.py, on Xvfb: the product carries no probe.
Through libX11 and libXdamage with ctypes (no extra package): this process selects SubstructureNotify on
the root window; each new top-level window gets a Damage object (XDamageReportNonEmpty) as soon as it is
created, so the first DamageNotify is the first drawing into it (for a Qt window: its first paint). Only
the first map and the first drawing are seen; "ready" (the app's library checked, its card computing)
cannot be seen from outside and is measured from source only.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import select
import time
from dataclasses import dataclass

_SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
_CREATE_NOTIFY = 16
_MAP_NOTIFY = 19
_DAMAGE_REPORT_NON_EMPTY = 3


def _library(name: str, fallback: str) -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library(name) or fallback)


@dataclass
class Seen:
    """CLOCK_MONOTONIC (time.monotonic()) of the first map and of the first drawing, None if not seen."""

    mapped: float | None = None
    drawn: float | None = None


class WindowWatch:
    """Opened before the program starts; `wait` returns when its first top-level window has been drawn."""

    def __init__(self, display: str) -> None:
        self._x = _library("X11", "libX11.so.6")
        self._damage = _library("Xdamage", "libXdamage.so.1")
        self._x.XOpenDisplay.restype = ctypes.c_void_p
        self._x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        for name, argtypes in (
            ("XDefaultRootWindow", [ctypes.c_void_p]),
            ("XSelectInput", [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_long]),
            ("XConnectionNumber", [ctypes.c_void_p]),
            ("XPending", [ctypes.c_void_p]),
            ("XNextEvent", [ctypes.c_void_p, ctypes.c_void_p]),
            ("XFlush", [ctypes.c_void_p]),
            ("XSync", [ctypes.c_void_p, ctypes.c_int]),
            ("XCloseDisplay", [ctypes.c_void_p]),
        ):
            getattr(self._x, name).argtypes = argtypes
        self._x.XDefaultRootWindow.restype = ctypes.c_ulong
        self._damage.XDamageQueryExtension.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int),
        ]
        self._damage.XDamageCreate.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int]
        self._damage.XDamageCreate.restype = ctypes.c_ulong
        self._display = self._x.XOpenDisplay(display.encode())
        if not self._display:
            raise RuntimeError(f"cannot open X display {display}")
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not self._damage.XDamageQueryExtension(self._display, event_base, error_base):
            raise RuntimeError("the X server has no DAMAGE extension")
        self._damage_notify = event_base.value  # XDamageNotify = event base + 0
        root = self._x.XDefaultRootWindow(self._display)
        self._x.XSelectInput(self._display, root, _SUBSTRUCTURE_NOTIFY_MASK)
        self._x.XSync(self._display, 0)
        self._fd = self._x.XConnectionNumber(self._display)
        self._event = (ctypes.c_long * 24)()  # XEvent: a union of 24 longs

    def drain(self) -> None:
        """Forget what happened before (a previous run's windows)."""
        while self._x.XPending(self._display):
            self._x.XNextEvent(self._display, self._event)

    def wait(self, timeout_s: float) -> Seen:
        seen = Seen()
        deadline = time.monotonic() + timeout_s
        while seen.drawn is None:
            while self._x.XPending(self._display) and seen.drawn is None:
                self._x.XNextEvent(self._display, self._event)
                now = time.monotonic()
                kind = self._event[0] & 0x7F  # the int `type`, without the send_event bit
                # XCreateWindowEvent: type, serial, send_event, display, parent, window, ...
                if kind == _CREATE_NOTIFY:
                    self._damage.XDamageCreate(self._display, self._event[5], _DAMAGE_REPORT_NON_EMPTY)
                    self._x.XFlush(self._display)
                # XMapEvent: type, serial, send_event, display, event, window, override_redirect
                elif kind == _MAP_NOTIFY and not self._event[6] and seen.mapped is None:
                    seen.mapped = now
                elif kind == self._damage_notify and seen.mapped is not None:
                    seen.drawn = now
            remaining = deadline - time.monotonic()
            if seen.drawn is not None or remaining <= 0:
                break
            select.select([self._fd], [], [], remaining)
        return seen

    def close(self) -> None:
        self._x.XCloseDisplay(self._display)
