"""Before Qt starts on an X11 desktop: are the system libraries Qt's xcb plugin needs there?

Without them Qt aborts the process (exit 134) with a message naming the wrong package. This check runs
first, only where Qt would pick xcb (Linux, `DISPLAY` set, no Wayland session, no other platform asked
for), and prints the exact `apt install` line instead. Nothing is imported from Qt here.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

# The X11 libraries Qt 6's xcb platform plugin links to that a minimal Debian or Ubuntu system may lack,
# with the Debian package of each (libxcb itself and libX11 come with any X11 desktop).
XCB_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
)


def uses_xcb(environ: os._Environ[str] | dict[str, str] = os.environ) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    platform = environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.startswith("xcb")
    return bool(environ.get("DISPLAY")) and not environ.get("WAYLAND_DISPLAY")


def _library_dirs() -> list[Path]:
    machine = os.uname().machine
    arch = {"x86_64": "x86_64-linux-gnu", "aarch64": "aarch64-linux-gnu"}.get(machine, f"{machine}-linux-gnu")
    extra = [Path(p) for p in os.environ.get("LD_LIBRARY_PATH", "").split(":") if p]
    bundle = getattr(sys, "_MEIPASS", None)
    shipped = [Path(bundle)] if bundle else []
    standard = [
        Path(d) for d in (f"/usr/lib/{arch}", f"/lib/{arch}", "/usr/lib64", "/lib64", "/usr/lib", "/lib")
    ]
    return [*shipped, *extra, *standard]


def missing_packages() -> list[str]:
    """The Debian packages whose libraries are neither in the usual places nor loadable (a file shipped in
    the bundle counts as present). Looking for files first keeps this well under a millisecond."""
    dirs = _library_dirs()
    missing = []
    for soname, package in XCB_LIBRARIES:
        if any((d / soname).exists() for d in dirs):
            continue
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(package)
    return missing


def xcb_problem() -> str | None:
    """The sentence to print before Qt starts, or None when nothing is missing (or xcb is not used)."""
    if not uses_xcb():
        return None
    missing = missing_packages()
    if not missing:
        return None
    return (
        "ketamine-desktop: this X11 desktop lacks libraries Qt needs to open a window. Install them with:\n"
        f"    sudo apt install {' '.join(missing)}\n"
        "then start ketamine-desktop again. (The headless commands and --self-test do not need them.)"
    )
