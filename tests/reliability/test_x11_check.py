"""A Linux desktop without the X11 libraries Qt's xcb plugin needs gets the apt line before Qt starts."""

from __future__ import annotations

import io

import pytest

from ketamine_desktop import __main__ as entry
from ketamine_desktop import x11_check


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DISPLAY": ":0"}, True),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, False),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
        ({"QT_QPA_PLATFORM": "xcb"}, True),
        ({}, False),
    ],
)
def test_only_where_qt_would_use_xcb(env: dict[str, str], expected: bool) -> None:
    assert x11_check.uses_xcb(env) is expected


def test_the_apt_line_is_printed_before_qt_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(
        x11_check,
        "XCB_LIBRARIES",
        (("libxcb-not-installed.so.7", "libxcb-not-installed7"), ("libc.so.6", "libc6")),
    )
    started: list[str] = []
    monkeypatch.setattr("ketamine_desktop.app.run_app", lambda argv: started.append("qt") or 0)
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    assert entry.main([]) == entry.EXIT_MISSING_X11_LIBRARIES
    assert started == []
    assert "    sudo apt install libxcb-not-installed7\n" in err.getvalue()


def test_nothing_is_said_when_the_libraries_are_there(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(x11_check, "XCB_LIBRARIES", (("libc.so.6", "libc6"),))
    assert x11_check.xcb_problem() is None
