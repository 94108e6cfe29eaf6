"""Patient facts the dose depends on, checked against the library before anything is computed.

Only the weight for now: the library doses on actual body weight in kilograms, within an accepted range
(outside it the input is refused, not warned about). The plausibility band inside that range is a clinical
warning, not an input error, so it lives with the other findings in `limits.py`.
"""

from __future__ import annotations

from decimal import Decimal

from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.limits import written

__all__ = ["InvalidInput", "validate_weight"]


class InvalidInput(ValueError):
    """Input that is malformed or outside the accepted range: nothing is computed from it.

    `field` names the input (the CLI turns it into an option name, the window puts `message` beside the
    field); `message` says why in words meant for the user.
    """

    field: str
    message: str

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def validate_weight(library: Library, weight_kg: Decimal) -> Decimal:
    """Return `weight_kg` when it is a finite number within the library's accepted range, else raise."""
    rules = library.document.weight
    if not isinstance(weight_kg, Decimal) or not weight_kg.is_finite():
        raise InvalidInput("weight_kg", "must be a finite number of kilograms")
    if not rules.min_kg <= weight_kg <= rules.max_kg:
        raise InvalidInput("weight_kg", f"must be from {written(rules.min_kg)} to {written(rules.max_kg)} kg")
    return weight_kg
