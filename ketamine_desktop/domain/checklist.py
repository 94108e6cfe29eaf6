"""The pre-start checklist split by who does each item: the nurse ticks it before Start, or the app records
it once the session runs (the baseline observations are the schedule's baseline check, due at once).

Ticking "baseline observations recorded" before the app lets anyone record them would be a tick without a
record behind it; the library marks such an item `done_in_app`, and this module says which items that
leaves to tick for a given protocol. A protocol whose schedule has no baseline check keeps the item as a
tick box: then nothing in the app records it.
"""

from __future__ import annotations

from ketamine_desktop.domain.library import ChecklistItem, Library, Protocol

__all__ = ["items_done_in_app", "items_to_tick"]


def _done_in_app(library: Library, protocol: Protocol, item: ChecklistItem) -> bool:
    if item.done_in_app == "baseline-check":
        return library.schedule(protocol.schedule).baseline
    return False


def items_to_tick(library: Library, protocol: Protocol) -> tuple[ChecklistItem, ...]:
    """The checklist items the nurse confirms before Start, in the library's order."""
    return tuple(item for item in library.document.checklist if not _done_in_app(library, protocol, item))


def items_done_in_app(library: Library, protocol: Protocol) -> tuple[ChecklistItem, ...]:
    """The checklist items the running session records itself (never ticked beforehand)."""
    return tuple(item for item in library.document.checklist if _done_in_app(library, protocol, item))
