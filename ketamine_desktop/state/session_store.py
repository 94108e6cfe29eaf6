"""SessionStore: the running infusion session between the durable record and the window (QtCore only).

The store holds no state of its own that is not in the record: on construction it replays the record, so
a session that was running when the app stopped (closed, crashed, killed) reopens with its schedule. Each
command calls the domain (`domain/session/`, `domain/reminders.py`) to check the request and build the
record, appends it through `RecordStore`, and only then folds it into the state and says "saved": the
state shown is always what is on disk. A save that fails (`SaveFailed`: disk full, I/O error) keeps the
entered values as a draft, says so, and the next save tries again.

`tick(now, monotonic)` is the only place time moves. The ticker calls it about once a second; it compares
absolute due times with `now` (never counts ticks), writes a `clock-jump` record when the wall clock moved
more than `JUMP_THRESHOLD_S` beyond the monotonic clock (a clock change or a sleep), and raises every
reminder whose time has come, writing each new level once (so a restart neither forgets nor repeats it).
Records the app writes by itself (raised reminders, clock jumps) that fail to save are kept in memory,
count as written for the reminders, and are retried on every tick.

One `changed` signal carries a `SessionUpdate` saying what changed.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QObject, Signal

from ketamine_desktop.domain.clock import Clock, wall_jump_seconds
from ketamine_desktop.domain.formatting import clock_time
from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.reminders import (
    Reminder,
    active,
    next_check,
    raise_payloads,
    reminders,
)
from ketamine_desktop.domain.schedule import Check
from ketamine_desktop.domain.session import (
    KIND_OF,
    AdverseEventDraft,
    CorruptRecord,
    EventDraft,
    EventPreview,
    ObservationDraft,
    Payload,
    SessionError,
    SessionRecord,
    SessionSchedule,
    SessionState,
    StartDraft,
    apply_record,
    checks_until,
    clean_name,
    clock_correction,
    clock_jump_payload,
    horizon_minutes,
    parse_record,
    preview_event,
    session_schedule,
    session_state,
    start_payload,
    to_payload,
)
from ketamine_desktop.state.session_commands import (
    Acknowledge,
    AnswerNotDone,
    CloseSession,
    CompleteTask,
    DeferCheck,
    DraftKind,
    Outcome,
    RecordAdverseEvent,
    RecordEvent,
    RecordObservation,
    SessionCommand,
    StartSession,
)
from ketamine_desktop.store import RecordStore, SaveFailed, StoredRecord, StoreError
from ketamine_desktop.store.snapshot import RecordSnapshot

_log = logging.getLogger(__name__)

# From the issue, not the library: a wall-clock jump of more than this is written to the record. Smaller
# differences are timer and scheduling jitter.
JUMP_THRESHOLD_S = 60.0
# The last clock reading of the running session (`_keep_reading`), beside the record: no patient data.
CLOCK_READING_FILE_NAME = "session.clock"
READING_EVERY_S = 10.0
# The author of the records the app writes by itself (raised reminders, clock jumps).
SYSTEM_USER = "ketamine-desktop"


class SessionChange(enum.Flag):
    """What changed in one `changed` emission."""

    NONE = 0
    SESSION = enum.auto()  # a session started, reopened or closed
    RECORD = enum.auto()  # a record was saved (history, chart, header)
    REMINDERS = enum.auto()  # the reminders were recomputed (every tick)
    RAISED = enum.auto()  # a reminder was raised to a new level (sound, attention)
    DRAFT = enum.auto()  # a draft was kept or cleared
    SAVE_FAILED = enum.auto()  # a save failed: `message` says why; the values are kept
    CLOCK_JUMP = enum.auto()  # the wall clock jumped (written to the record when a session runs)
    TICK = enum.auto()  # time moved (the ticker)


@dataclass(frozen=True)
class SessionUpdate:
    change: SessionChange
    raised: tuple[Reminder, ...] = ()
    message: str = ""


class SessionStore(QObject):
    """Holds the running session; every change goes through a command and the record."""

    changed = Signal(object)  # SessionUpdate
    answered = Signal(object, object)  # a SessionCommand and its Outcome, after `changed`

    def __init__(
        self,
        library: Library,
        records: RecordStore,
        clock: Clock,
        parent: QObject | None = None,
        *,
        new_session_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        super().__init__(parent)
        self._library = library
        self._records = records
        self._clock = clock
        self._new_session_id = new_session_id
        self._saved: SessionState | None = None  # folded from saved records only
        self._pending: list[Payload] = []  # system records not yet saved
        self._state: SessionState | None = None  # saved + pending
        self._drafts: dict[DraftKind, object] = {}
        self._reminders: tuple[Reminder, ...] = ()
        self._checks: tuple[tuple[str, int, int], datetime, tuple[Check, ...]] | None = None
        # Where the schedule goes on from at the next computation of the checks (`session_schedule`).
        self._schedule: SessionSchedule | None = None
        self._last_tick: tuple[datetime, float] | None = None
        # How far the running session's time line is behind the wall clock (corrected clock jumps): due
        # times, records and decisions use wall - correction, which runs on real elapsed time.
        self._correction = timedelta(0)
        self._reading_noted: float | None = None  # monotonic time of the last clock reading kept
        self._now: datetime = clock.now()
        self._latest_recorded_at: datetime | None = None
        self.load_error: str | None = None
        self.save_failures = 0
        self._replay()
        if records.read_only_because is not None:
            # Shown on the Monitoring tab: what is wrong with the record and that nothing is added to it.
            self.load_error = (
                f"The record is open READ-ONLY: {records.read_only_because} Nothing will be added to it; "
                "restart the app and choose 'Start a new record file' to go on recording."
            )

    # --- Reading ---

    @property
    def library(self) -> Library:
        return self._library

    @property
    def state(self) -> SessionState | None:
        return self._state

    @property
    def saved_state(self) -> SessionState | None:
        """The state folded from saved records only (without the app's own records waiting to be saved)."""
        return self._saved

    @property
    def running(self) -> bool:
        return self._state is not None and self._state.status != "ended"

    @property
    def reminders(self) -> tuple[Reminder, ...]:
        return self._reminders

    @property
    def active(self) -> tuple[Reminder, ...]:
        return active(self._reminders)

    @property
    def next_check(self) -> Reminder | None:
        return next_check(self._reminders)

    @property
    def now(self) -> datetime:
        """The time of the last tick or command: what the reminders were computed for."""
        return self._now

    @property
    def correction(self) -> timedelta:
        """Add this to a session time to show it on the (corrected) wall clock."""
        return self._correction

    def session_now(self) -> datetime:
        """The wall clock minus the session's correction: the time line checks are due on."""
        return self._clock.now() - self._correction

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def record_head(self) -> tuple[int, str]:
        """(records, head hash) of the whole record; raises StoreError."""
        return self._records.head()

    def record_snapshot(self) -> RecordSnapshot:
        """The whole record, its chain verified, read through the store's own connection (for exports;
        raises StoreError)."""
        return self._records.snapshot()

    def checks(self) -> tuple[Check, ...]:
        """The session's checks as the reminders were last computed from them (up to at least
        `checks_until(state, now)`, the recorded ones of more than a horizon ago left out)."""
        state = self._state
        return () if state is None else self._cached_checks(state, self._now)

    def draft(self, kind: DraftKind) -> object | None:
        """The values of a save that failed, kept until it succeeds or is discarded."""
        return self._drafts.get(kind)

    def discard_draft(self, kind: DraftKind) -> None:
        if self._drafts.pop(kind, None) is not None:
            self._emit(SessionChange.DRAFT)

    def preview_event(self, draft: EventDraft) -> EventPreview:
        """The event as it would be written, for the dialog; raises SessionError."""
        return preview_event(self._require_state(), draft, self.session_now())

    # --- Commands ---

    def apply(self, command: SessionCommand) -> Outcome:
        """Run a view's command (state/session_commands.py), then answer it: `changed` has said what it
        changed, and `answered` carries its outcome back to the view that asked."""
        if isinstance(command, StartSession):
            outcome = self._start(command.draft)
        else:
            outcome = self._command(command.kind, command.kept(), command.by, command.build)
            if outcome.saved and isinstance(command, CloseSession):
                self._emit(SessionChange.SESSION)
        self.answered.emit(command, outcome)
        return outcome

    def start(self, draft: StartDraft) -> Outcome:
        return self.apply(StartSession(draft))

    def record_observation(self, draft: ObservationDraft, by: str) -> Outcome:
        return self.apply(RecordObservation(draft, by))

    def record_event(self, draft: EventDraft, by: str) -> Outcome:
        return self.apply(RecordEvent(draft, by))

    def defer(self, check_due: datetime, minutes: int, reason: str, by: str) -> Outcome:
        return self.apply(DeferCheck(check_due, minutes, reason, by))

    def acknowledge(self, observation_seq: int, by: str) -> Outcome:
        return self.apply(Acknowledge(observation_seq, by))

    def record_adverse_event(self, draft: AdverseEventDraft, by: str) -> Outcome:
        return self.apply(RecordAdverseEvent(draft, by))

    def answer_not_done(self, observation_seq: int, reason: str, decided_by: str, by: str) -> Outcome:
        """Record that the decision of that check was not done: why, and which clinician decided so."""
        return self.apply(AnswerNotDone(observation_seq, reason, decided_by, by))

    def complete_task(self, key: str, by: str) -> Outcome:
        return self.apply(CompleteTask(key, by))

    def close(self, reason: str | None, by: str) -> Outcome:
        return self.apply(CloseSession(reason, by))

    def _start(self, draft: StartDraft) -> Outcome:
        if self.running:
            return Outcome(False, "A session is already running: stop and close it first.")
        self._correction = timedelta(0)  # a new session starts on the wall clock as it is
        now = self._clock.now()
        try:
            payload = start_payload(self._library, draft, now)
        except SessionError as exc:
            return Outcome(False, exc.message)
        session_id = self._new_session_id()
        outcome = self._save(session_id, payload, payload.started_by, now, "start", draft)
        if outcome.saved:
            self._checks = None
            self._refresh(now, SessionChange.SESSION | SessionChange.RECORD)
        return outcome

    def _command(
        self,
        kind: DraftKind,
        draft: object,
        by: str,
        build: Callable[[SessionState, datetime, tuple[Check, ...]], Payload],
    ) -> Outcome:
        state = self._state
        if state is None or state.status == "ended":
            return Outcome(False, "No session is running.")
        now = self.session_now()
        try:
            clean_name("who", by)
            payload = build(state, now, self._cached_checks(state, now))
        except SessionError as exc:
            return Outcome(False, exc.message)
        outcome = self._save(state.session_id, payload, by.strip(), now, kind, draft)
        if outcome.saved:
            self._flush_pending(now)
            self._refresh(now, SessionChange.RECORD | SessionChange.DRAFT)
        return outcome

    # --- Time ---

    def tick(self, now: datetime, monotonic: float) -> None:
        """Move to `now`: note a clock jump, retry unsaved records, raise what has come due."""
        change = SessionChange.REMINDERS | SessionChange.TICK
        previous = self._last_tick
        self._last_tick = (now, monotonic)
        wall = now
        if previous is not None:
            jump = wall_jump_seconds(previous[0], previous[1], wall, monotonic)
            if abs(jump) > JUMP_THRESHOLD_S:
                change |= SessionChange.CLOCK_JUMP
                self._note_jump(previous[0] - self._correction, wall, jump, "tick", monotonic)
        elif (reading := self._saved_reading(monotonic)) is not None:
            # Restarted in the same boot: the real time since the last reading is known exactly.
            expected = reading[0] + timedelta(seconds=monotonic - reading[1])
            jump = (wall - self._correction - expected).total_seconds()
            if abs(jump) > JUMP_THRESHOLD_S:
                change |= SessionChange.CLOCK_JUMP
                self._note_jump(reading[0], wall, jump, "restart", monotonic)
        elif self._latest_recorded_at is not None:
            # No earlier tick in this process and no reading from this boot: the only clue to a clock put
            # back while the app was closed is a record written "later" than now. (How long the app was
            # closed is not known, so the correction may fall short by that: checks come no earlier, and
            # late by at most that.)
            latest = self._latest_recorded_at
            behind = (wall - self._correction - latest).total_seconds()
            if behind < -JUMP_THRESHOLD_S:
                change |= SessionChange.CLOCK_JUMP
                self._note_jump(latest, wall, behind, "restart", monotonic)
        now = wall - self._correction  # from here on, the session's time line
        self._keep_reading(now, monotonic)
        self._flush_pending(now)
        raised, found = self._raise(now)
        if raised:
            change |= SessionChange.RAISED
        self._refresh(now, change, raised, found)

    # --- The last clock reading, kept beside the record so a restart in the same boot knows real time ---

    def _reading_path(self) -> Path:
        return self._records.path.parent / CLOCK_READING_FILE_NAME

    def _saved_reading(self, monotonic: float) -> tuple[datetime, float] | None:
        """(session time, monotonic) of the running session's last reading, when it was taken in this boot
        on a clock that counts sleep; else None."""
        boot = _boot_id(self._clock)
        state = self._state
        if boot is None or state is None or state.status == "ended":
            return None
        try:
            parts = self._reading_path().read_text(encoding="ascii").split()
            if len(parts) != 4 or parts[0] != boot or parts[1] != state.session_id:
                return None
            at, mono = datetime.fromisoformat(parts[2]), float(parts[3])
        except (OSError, ValueError):
            return None
        return (at, mono) if mono <= monotonic and at.tzinfo is not None else None

    def _keep_reading(self, now: datetime, monotonic: float) -> None:
        """Every READING_EVERY_S of real time, note (boot, session, session time, monotonic); best effort."""
        boot = _boot_id(self._clock)
        state = self._state
        if boot is None or state is None or state.status == "ended" or self._records.read_only_because:
            return
        if self._reading_noted is not None and monotonic - self._reading_noted < READING_EVERY_S:
            return
        self._reading_noted = monotonic
        path = self._reading_path()
        temp = path.with_name(path.name + ".tmp")
        with contextlib.suppress(OSError):
            temp.write_text(f"{boot} {state.session_id} {now.isoformat()} {monotonic!r}\n", encoding="ascii")
            os.replace(temp, path)

    def _note_jump(
        self,
        previous_at: datetime,
        wall: datetime,
        jump: float,
        cause: Literal["tick", "restart"],
        monotonic: float,
    ) -> None:
        """Write the jump with both clocks' readings and, where it cannot be a sleep, correct for it.

        A clock put back is always a clock change. A clock put forward is one too when the monotonic clock
        counts sleep (CLOCK_BOOTTIME); where it does not, it may be a sleep, which is real time for the
        patient, so it is not corrected for (checks then come early, never late)."""
        if self._state is None or self._state.status == "ended":
            return
        corrected = jump < 0 or bool(getattr(self._clock, "counts_sleep", False))
        if corrected:
            self._correction += timedelta(seconds=jump)
        self._pending.append(
            clock_jump_payload(
                previous_at,
                wall - self._correction,
                jump,
                cause,
                corrected=corrected,
                wall_at=wall,
                real_time_s=monotonic,
            )
        )
        self._rebuild()

    def _raise(self, now: datetime) -> tuple[tuple[Reminder, ...], tuple[Reminder, ...] | None]:
        """Write a raise for each reminder above its last raised level; returns the raised reminders and,
        when nothing was raised, the reminders as computed (so the refresh need not compute them again)."""
        state = self._state
        if state is None or state.status == "ended":
            return (), None
        found = reminders(state, now, self._cached_checks(state, now))
        payloads = raise_payloads(state, found, now)
        if not payloads:
            return (), found
        self._pending.extend(payloads)
        self._rebuild()
        self._flush_pending(now)
        keys = {p.key for p in payloads}
        return tuple(r for r in found if r.key in keys), None

    def _flush_pending(self, now: datetime) -> None:
        """Write the app's own records that are waiting, oldest first; stop at the first failure."""
        saved = self._saved
        if saved is None or self._records.read_only_because is not None:
            return  # a read-only (damaged) record: they are shown, and kept in memory only
        while self._pending:
            payload = self._pending[0]
            try:
                stored = self._append(saved.session_id, payload, SYSTEM_USER, now)
            except SaveFailed as exc:
                self.save_failures += 1
                _log.warning("an automatic record was not saved and will be retried: %s", exc.reason)
                return
            self._pending.pop(0)
            saved = self._fold_saved(stored)
        self._rebuild()

    # --- Internals ---

    def _require_state(self) -> SessionState:
        if self._state is None:
            raise SessionError("No session is running.")
        return self._state

    def _save(
        self, session_id: str, payload: Payload, by: str, now: datetime, kind: DraftKind, draft: object
    ) -> Outcome:
        try:
            stored = self._append(session_id, payload, by, now)
        except SaveFailed as exc:
            self.save_failures += 1
            self._drafts[kind] = draft
            message = f"NOT SAVED: {exc.reason}. Your entries are kept; press Save again to retry."
            self.changed.emit(SessionUpdate(SessionChange.SAVE_FAILED | SessionChange.DRAFT, message=message))
            return Outcome(False, message, save_failed=True)
        self._drafts.pop(kind, None)
        self._fold_saved(stored)
        self._rebuild()
        # Local time, as every time on screen (the record keeps UTC).
        message = f"Saved at {clock_time(stored.recorded_at, seconds=True)}."
        while self._records.warnings:
            message += " WARNING: " + self._records.warnings.pop(0)
        return Outcome(True, message, seq=stored.seq)

    def _append(self, session_id: str, payload: Payload, by: str, now: datetime) -> StoredRecord:
        return self._records.append(
            session_id,
            KIND_OF[type(payload)],
            to_payload(payload),
            recorded_by=by,
            recorded_at=now,
            library_version=self._library.version,
            library_sha256=self._library.sha256,
        )

    def _fold_saved(self, stored: StoredRecord) -> SessionState:
        # Fold what the store handed back (parsed from the stored text), so the state is what is on disk.
        record = parse_record(stored.seq, stored.kind, stored.payload, stored.recorded_by, stored.recorded_at)
        if self._saved is None or self._saved.session_id != stored.session_id:
            self._saved = session_state(self._library, stored.session_id, [record])
        else:
            self._saved = apply_record(self._saved, record)
        return self._saved

    def _rebuild(self) -> None:
        """The state shown: the saved state with the waiting system records after it."""
        state = self._saved
        if state is not None:
            for payload in self._pending:
                # A provisional place after the saved records; the real seq comes when it is saved.
                record = SessionRecord(
                    seq=state.last_seq + 1, recorded_by=SYSTEM_USER, recorded_at=self._now, body=payload
                )
                state = apply_record(state, record)
        self._state = state

    def _cached_checks(self, state: SessionState, now: datetime) -> tuple[Check, ...]:
        """The session's checks, kept between ticks until an event changes them or time runs past them."""
        until = checks_until(state, now)
        # Events and recorded checks both move checks (follow-ups, the grid rule).
        key = (state.session_id, len(state.events), len(state.observations))
        cached = self._checks
        if cached is None or cached[0] != key or cached[1] < until:
            reach = until + (until - now if until > now else timedelta(0))
            # A check recorded more than a horizon ago never shows again: over days the cache would
            # otherwise hold every check of the session.
            horizon = timedelta(minutes=horizon_minutes(state.library, state.protocol))
            done = state.recorded_dues
            checks, self._schedule = session_schedule(state, reach, self._schedule)
            kept = tuple(c for c in checks if c.due not in done or c.due >= now - horizon)
            cached = (key, reach, kept)
            self._checks = cached
        return cached[2]

    def _refresh(
        self,
        now: datetime,
        change: SessionChange,
        raised: tuple[Reminder, ...] = (),
        found: tuple[Reminder, ...] | None = None,
    ) -> None:
        self._now = now
        state = self._state
        if state is None or state.status == "ended":
            self._reminders = ()
        elif found is not None:
            self._reminders = found
        else:
            self._reminders = reminders(state, now, self._cached_checks(state, now))
        self.changed.emit(SessionUpdate(change | SessionChange.REMINDERS, raised=raised))

    def _emit(self, change: SessionChange) -> None:
        self.changed.emit(SessionUpdate(change))

    def _replay(self) -> None:
        """Reopen the last session if it has not been closed."""
        try:
            session_id = self._records.last_session()
            if session_id is None:
                return
            stored = self._records.records(session_id)
            records = [parse_record(r.seq, r.kind, r.payload, r.recorded_by, r.recorded_at) for r in stored]
            state = session_state(self._library, session_id, records)
        except (StoreError, CorruptRecord) as exc:
            self.load_error = f"The record could not be replayed: {exc}"
            _log.error("replay failed: %s", type(exc).__name__)
            return
        if state.status == "ended":
            return
        self._latest_recorded_at = max(r.recorded_at for r in records)
        self._saved = state
        self._correction = clock_correction(state)
        self._rebuild()
        now = self.session_now()
        self._now = now
        self._reminders = reminders(state, now, self._cached_checks(state, now))


def _boot_id(clock: Clock) -> str | None:
    """The clock's boot identity when its monotonic reading counts sleep and survives a restart of the
    app (CLOCK_BOOTTIME, within one boot); None where a saved reading cannot be compared."""
    if not getattr(clock, "counts_sleep", False):
        return None
    boot = getattr(clock, "boot_id", None)
    return boot() if callable(boot) else None
