"""A guard against a Qt binding that corrupts Python's reference counts.

PySide6 6.12.0 on Python 3.11 (its abi3 build) drops one reference to None on every call of a method that
returns nothing: after a few thousand such calls (seconds of typing) the interpreter aborts with
"Fatal Python error: none_dealloc". On Python 3.12+ None is immortal and the defect is harmless; PySide6
6.11 on Python 3.11 is not affected. A bedside tool that dies mid-entry must not start on such a binding.
"""

from __future__ import annotations

import sys

_CALLS = 200


def binding_problem() -> str | None:
    """None when the binding keeps references; otherwise what is wrong and what to install instead."""
    if sys.version_info >= (3, 12):
        return None  # None is immortal: the reference count cannot run out
    import PySide6
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(_CALLS):
        probe.setObjectName("probe")  # returns nothing: the call that loses the reference
    lost = before - sys.getrefcount(None)
    # Comfortably above any noise from other objects, far below the one-per-call of the defect.
    if lost < _CALLS // 2:
        return None
    python = ".".join(str(part) for part in sys.version_info[:3])
    return (
        f"PySide6 {PySide6.__version__} on Python {python} loses a reference to None on every call and "
        f"the app would crash within minutes; install PySide6-Essentials 6.11 (or use Python 3.12 or later)"
    )
