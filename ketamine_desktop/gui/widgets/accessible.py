"""Naming widgets for tests and assistive technology in one call.

Every interactive widget gets an objectName (tests find it by name) and an accessible name (what a screen
reader says); the accessible description, where given, says what the widget does.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, object_name: str, accessible_name: str, description: str = "") -> W:
    widget.setObjectName(object_name)
    widget.setAccessibleName(accessible_name)
    if description:
        widget.setAccessibleDescription(description)
    return widget


def styled(widget: W, role: str) -> W:
    """Tag a widget for the style sheets (QLabel[role="heading"] and the like)."""
    widget.setProperty("role", role)
    return widget
