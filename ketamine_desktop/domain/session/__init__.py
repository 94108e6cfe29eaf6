"""The infusion session, event-sourced: what is written to the record, and the session as a fold over it.

One job per module:

- `records`  - the record schema: kinds, payloads, `parse_record` (stored -> checked), `to_payload`.
- `fold`     - `SessionState` and the fold: `session_state(library, id, records)`, `apply_record`.
- `queries`  - what the state tells without changing it: schedule, checks, syringe, live deferrals.
- `commands` - the pure half of the start, observation, deferral, acknowledgement and clock commands:
               each checks a request and returns the payload to write, or raises `SessionError`.
- `events`   - the pure half of the commands on the infusion (bolus, rate change, pause, stop, ...).
- `adverse`  - the pure half of recording an adverse event (a side effect from the library, what was done).

Import from here (`from ketamine_desktop.domain.session import X`); the modules are the map, this is the
door.
"""

from ketamine_desktop.domain.session.adverse import AdverseEventDraft, adverse_event_payload
from ketamine_desktop.domain.session.commands import (
    NAME_MAX_CHARS,
    ObservationDraft,
    SessionError,
    StartDraft,
    acknowledgement_payload,
    clean_name,
    clock_jump_payload,
    deferral_payload,
    gate_texts,
    missing_items,
    observation_payload,
    request_for,
    start_draft_for,
    start_payload,
)
from ketamine_desktop.domain.session.events import (
    ALLOWED_EVENTS,
    EventDraft,
    EventPreview,
    EventRequestKind,
    event_payload,
    preview_event,
)
from ketamine_desktop.domain.session.fold import (
    CHECK_KEY_PREFIX,
    InfusionStatus,
    SessionState,
    Syringe,
    apply_record,
    session_state,
)
from ketamine_desktop.domain.session.queries import (
    RateChange,
    RunningRate,
    assessment_context,
    check_key,
    checks_until,
    clock_correction,
    horizon_minutes,
    live_deferral,
    running_rate,
    schedule_events,
    session_checks,
    syringe_empty_at,
    syringe_remaining_ml,
)
from ketamine_desktop.domain.session.records import (
    KIND_OF,
    RECORD_KINDS,
    AcknowledgementPayload,
    AdverseEventPayload,
    ClockJumpPayload,
    ClosePayload,
    CorruptRecord,
    DeferralPayload,
    EventPayload,
    ObservationPayload,
    Payload,
    RaisedLevel,
    RaisePayload,
    Recorded,
    RecordKind,
    SessionEventKind,
    SessionRecord,
    StartPayload,
    TaskPayload,
    describe_jump,
    parse_record,
    to_payload,
)

__all__ = [
    "ALLOWED_EVENTS",
    "CHECK_KEY_PREFIX",
    "KIND_OF",
    "NAME_MAX_CHARS",
    "RECORD_KINDS",
    "AcknowledgementPayload",
    "AdverseEventDraft",
    "AdverseEventPayload",
    "ClockJumpPayload",
    "ClosePayload",
    "CorruptRecord",
    "DeferralPayload",
    "EventDraft",
    "EventPayload",
    "EventPreview",
    "EventRequestKind",
    "InfusionStatus",
    "ObservationDraft",
    "ObservationPayload",
    "Payload",
    "RaisePayload",
    "RaisedLevel",
    "RateChange",
    "RecordKind",
    "Recorded",
    "RunningRate",
    "SessionError",
    "SessionEventKind",
    "SessionRecord",
    "SessionState",
    "StartDraft",
    "StartPayload",
    "Syringe",
    "TaskPayload",
    "acknowledgement_payload",
    "adverse_event_payload",
    "apply_record",
    "assessment_context",
    "check_key",
    "checks_until",
    "clean_name",
    "clock_correction",
    "clock_jump_payload",
    "deferral_payload",
    "describe_jump",
    "event_payload",
    "gate_texts",
    "horizon_minutes",
    "live_deferral",
    "missing_items",
    "observation_payload",
    "parse_record",
    "preview_event",
    "request_for",
    "running_rate",
    "schedule_events",
    "session_checks",
    "session_state",
    "start_draft_for",
    "start_payload",
    "syringe_empty_at",
    "syringe_remaining_ml",
    "to_payload",
]
