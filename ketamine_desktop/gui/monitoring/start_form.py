"""Starting the session from the completed pre-start checklist: the `StartDraft` it describes.

The checklist dialog (opened by Start on the Dosing tab) is the one form before anything is timed: it gives
the regimen, the bed or location, the syringe or bag volume, the double-checker's name, the reason for any
warning, the screening and who starts. The domain builds the draft (`start_draft_for`); the session store
checks it against the library. The items the app records itself (the baseline check) are not confirmed.
"""

from __future__ import annotations

from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.session import StartDraft, start_draft_for
from ketamine_desktop.state.plan import PlannedStart


def start_draft(library: Library, planned: PlannedStart) -> StartDraft:
    """The start as the completed checklist describes it (the store checks it against the library)."""
    draft = start_draft_for(
        library,
        planned.regimen,
        names=planned.names,
        soft_limit_reason=planned.soft_limit_reason,
        screening=planned.screening.items,
        bed=planned.bed_label,
        initials=planned.patient_initials,
        volume_ml=planned.syringe_volume_ml,
        started_by=planned.started_by,
    )
    return draft.model_copy(update={"confirmed_checklist": planned.confirmed_items})
