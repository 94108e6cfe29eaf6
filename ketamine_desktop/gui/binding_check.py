"""A guard against a Qt binding that corrupts Python's reference counts.

PySide6 6.12.0 on Python 3.11 (its abi3 build) drops one reference to None on every call of a method that
returns nothing, and one to True on every signal emit: after a few thousand such calls (seconds of typing,
or minutes of the once-a-second reminder tick) the interpreter aborts with "Fatal Python error:
none_dealloc" or "bool_dealloc". On Python 3.12+ both are immortal and the defect is harmless; PySide6
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
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        fired = Signal()

    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(_CALLS):
        probe.setObjectName("probe")  # returns nothing: the call that loses a reference to None
        probe.fired.emit()  # the call that loses a reference to True
    lost = max(none_before - sys.getrefcount(None), true_before - sys.getrefcount(True))
    # Comfortably above any noise from other objects, far below the one-per-call of the defect.
    if lost < _CALLS // 2:
        return None
    python = ".".join(str(part) for part in sys.version_info[:3])
    return (
        f"PySide6 {PySide6.__version__} on Python {python} loses references to None or True on every call "
        "and the app would crash within minutes; install PySide6-Essentials 6.11 (or Python 3.12 or later)"
    )
