"""The one base of every domain value: a frozen pydantic model that refuses unknown fields."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["FrozenModel"]


class FrozenModel(BaseModel):
    """Immutable once built (`model_copy(update=...)` makes a changed copy); an unknown field is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")
