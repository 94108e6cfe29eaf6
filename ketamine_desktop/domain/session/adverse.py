"""An adverse event, pure half: a side effect from the library, seen in this session, and what was done.

Linked to the session by being written to its record (any time while it is not closed); the side effect
must be one of the library's, and what was done must be said.
"""

from __future__ import annotations

from datetime import datetime

from ketamine_desktop.domain.model import FrozenModel
from ketamine_desktop.domain.session.commands import SessionError, clean_name, optional_text
from ketamine_desktop.domain.session.fold import SessionState
from ketamine_desktop.domain.session.records import AdverseEventPayload

# Input hygiene, not a clinical number: what was done is a short paragraph, not a document.
ACTION_MAX_CHARS = 500


class AdverseEventDraft(FrozenModel):
    side_effect_id: str
    action_taken: str
    note: str | None = None


def adverse_event_payload(
    state: SessionState, draft: AdverseEventDraft, by: str, now: datetime
) -> AdverseEventPayload:
    """Check an adverse event against the library and the session; raises SessionError."""
    clean_name("recorded by", by)
    if state.status == "ended":
        raise SessionError("the session has ended")
    known = {effect.id for effect in state.library.document.side_effects}
    if draft.side_effect_id not in known:
        raise SessionError("side effect: choose one from the library's list")
    action = optional_text(draft.action_taken)
    if action is None:
        raise SessionError("what was done: say what was done about it")
    if len(action) > ACTION_MAX_CHARS:
        raise SessionError(f"what was done: at most {ACTION_MAX_CHARS} characters")
    return AdverseEventPayload(
        at=now, side_effect_id=draft.side_effect_id, action_taken=action, note=optional_text(draft.note)
    )
