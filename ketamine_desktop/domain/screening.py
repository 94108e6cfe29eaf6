"""Contraindication and caution screening before a ketamine infusion starts.

The items and their levels come from the library's `[[contraindications]]`:
- `absolute` present: ketamine cannot be started, and no override is possible;
- `contraindicated` present: starting needs a named senior clinician's override with a recorded reason;
- `caution` present: starting needs the caution to be acknowledged.
An item with no answer is not cleared: screening is complete only when every item has been answered, and
starting needs a complete screening.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from ketamine_desktop.domain.library import Contraindication, Library
from ketamine_desktop.domain.model import FrozenModel

__all__ = [
    "RecordedScreening",
    "ScreeningAnswer",
    "ScreeningItemResult",
    "ScreeningResult",
    "ScreeningStatus",
    "recorded_screening",
    "screen",
]

Level = Literal["absolute", "contraindicated", "caution"]
ScreeningStatus = Literal[
    "unanswered",
    "clear",
    "blocks",
    "needs-override",
    "overridden",
    "needs-acknowledgement",
    "acknowledged",
]
# Statuses that keep the infusion from starting.
_STOPPING: frozenset[ScreeningStatus] = frozenset(
    {"unanswered", "blocks", "needs-override", "needs-acknowledgement"}
)


class ScreeningAnswer(FrozenModel):
    """The answer for one item; an override or acknowledgement counts only where the item's level asks."""

    item_id: str
    present: bool
    override_by: str | None = None
    override_reason: str | None = None
    acknowledged: bool = False


class ScreeningItemResult(FrozenModel):
    item_id: str
    text: str
    level: Level
    present: bool | None  # None: not answered
    status: ScreeningStatus
    message: str
    sources: tuple[str, ...]
    override_by: str | None = None  # the named clinician, when the status is "overridden"
    override_reason: str | None = None


class ScreeningResult(FrozenModel):
    items: tuple[ScreeningItemResult, ...]
    can_start: bool
    summary: str
    complete: bool


def _given(text: str | None) -> str | None:
    """The text with surrounding blanks removed, or None when nothing was written."""
    stripped = (text or "").strip()
    return stripped or None


def _with_advice(message: str, item: Contraindication) -> str:
    return f"{message} {item.advice}" if item.advice else message


def _item_result(item: Contraindication, answer: ScreeningAnswer | None) -> ScreeningItemResult:
    by: str | None = None
    reason: str | None = None
    if answer is None:
        status: ScreeningStatus = "unanswered"
        message = "Not answered yet."
    elif not answer.present:
        status, message = "clear", "Not present."
    elif item.level == "absolute":
        status, message = "blocks", "Absolute contraindication: ketamine cannot be started."
    elif item.level == "contraindicated":
        by, reason = _given(answer.override_by), _given(answer.override_reason)
        if by is not None and reason is not None:
            status, message = "overridden", f"Contraindicated; overridden by {by}: {reason}"
        else:
            by = reason = None
            status = "needs-override"
            message = "Contraindicated: a named senior clinician must override it, with a reason, to start."
    elif answer.acknowledged:
        status, message = "acknowledged", _with_advice("Caution acknowledged.", item)
    else:
        status, message = "needs-acknowledgement", _with_advice("Caution: acknowledge it to start.", item)
    return ScreeningItemResult(
        item_id=item.id,
        text=item.text,
        level=item.level,
        present=None if answer is None else answer.present,
        status=status,
        message=message,
        sources=item.sources,
        override_by=by,
        override_reason=reason,
    )


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def _in_sentence(text: str) -> str:
    """Lower-case a leading capital for use mid-sentence, but leave acronyms ("ECG ...") alone."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _summary(items: tuple[ScreeningItemResult, ...]) -> str:
    def having(status: ScreeningStatus) -> list[ScreeningItemResult]:
        return [item for item in items if item.status == status]

    blocking = having("blocks")
    if blocking:
        return "Cannot start: " + "; ".join(_in_sentence(item.text) for item in blocking)
    pending = [
        _count(number, singular, plural) + rest
        for number, singular, plural, rest in (
            (
                len(having("needs-override")),
                "contraindication needs",
                "contraindications need",
                " a senior override",
            ),
            (len(having("needs-acknowledgement")), "caution needs", "cautions need", " acknowledgement"),
            (len(having("unanswered")), "item", "items", " not answered"),
        )
        if number
    ]
    if pending:
        return "Cannot start yet: " + "; ".join(pending)
    overridden = having("overridden")
    acknowledged = having("acknowledged")
    parts = []
    if overridden:
        names = ", ".join(dict.fromkeys(str(item.override_by) for item in overridden))
        parts.append(
            f"{_count(len(overridden), 'contraindication', 'contraindications')} overridden by {names}"
        )
    if acknowledged:
        parts.append(f"{_count(len(acknowledged), 'caution', 'cautions')} acknowledged")
    return "Screening: " + ("; ".join(parts) if parts else "no contraindication or caution present")


def screen(library: Library, answers: Mapping[str, ScreeningAnswer]) -> ScreeningResult:
    """Evaluate the answers against every contraindication and caution of the library, in library order.

    `answers` is keyed by item id. Raises ValueError for an answer keyed under another id than its own or
    for an item the library does not have (answers recorded against a different library).
    """
    known = {item.id for item in library.document.contraindications}
    for key, answer in answers.items():
        if key != answer.item_id:
            raise ValueError(f"answer for {answer.item_id!r} is filed under {key!r}")
        if key not in known:
            raise ValueError(f"the library has no screening item {key!r}")
    items = tuple(_item_result(item, answers.get(item.id)) for item in library.document.contraindications)
    complete = all(item.status != "unanswered" for item in items)
    can_start = not any(item.status in _STOPPING for item in items)
    return ScreeningResult(items=items, can_start=can_start, summary=_summary(items), complete=complete)


class RecordedScreening(FrozenModel):
    """The screening a session was started with, as its record tells it.

    `complete`: every item of the library in use is listed (the session was started under this library);
    otherwise only the items its record keeps (overridden and acknowledged) are, and no other can be named.
    """

    items: tuple[ScreeningItemResult, ...]
    complete: bool


def recorded_screening(
    library: Library, kept: tuple[ScreeningItemResult, ...], started_under_this_library: bool
) -> RecordedScreening:
    """A start record keeps the overridden and acknowledged items only; a start needs every item answered,
    so under the same library every other item was answered not present. Under another library version
    the other items cannot be named from this one, and are not guessed."""
    if not started_under_this_library:
        return RecordedScreening(items=kept, complete=False)
    by_id = {item.item_id: item for item in kept}
    items = tuple(
        by_id.get(item.id) or _item_result(item, ScreeningAnswer(item_id=item.id, present=False))
        for item in library.document.contraindications
    )
    return RecordedScreening(items=items, complete=True)
