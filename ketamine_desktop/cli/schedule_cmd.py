"""`ketamine-desktop schedule`: list a protocol's monitoring checks from a start time, its events and the
checks recorded (`--observation`), with the follow-up checks the escalation rules raise."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import get_args

from ketamine_desktop.cli.common import (
    EXIT_OK,
    InputError,
    Streams,
    StrictParser,
    library_identity,
    load_default_library,
    parse_instant,
    parse_number,
    write_json,
)
from ketamine_desktop.domain.assessment import (
    OBSERVATION_RANGES,
    ConsciousnessLevel,
    Observation,
    PossLevel,
    assess_series,
)
from ketamine_desktop.domain.library import EventKind, Library
from ketamine_desktop.domain.observed_schedule import observed_checks
from ketamine_desktop.domain.schedule import (
    EVENT_KINDS,
    Check,
    InvalidSchedule,
    ObservedCheck,
    ScheduleEvent,
)

# The contract's default listing length: a display choice, not a clinical interval.
DEFAULT_SPAN = timedelta(hours=24)
# The longest listing asked for at once (issue 13): a month of checks, computed in well under a second.
MAX_SPAN = timedelta(days=31)

# The domain names its inputs; the user typed options.
_EVENT_KIND_NAMED: dict[str, EventKind] = {kind: kind for kind in EVENT_KINDS}
_OPTION_FOR_FIELD = {"protocol": "--protocol", "start": "--start", "until": "--until", "events": "--event"}

# --observation keys: numbers (Observation field, negative allowed?), choices, yes/no flags.
_OBS_NUMBERS: dict[str, tuple[str, bool]] = {
    "rr": ("respiration_rate", False),
    "spo2": ("spo2", False),
    "sbp": ("systolic_bp", False),
    "dbp": ("diastolic_bp", False),
    "hr": ("pulse", False),
    "temp": ("temperature", False),
    "rass": ("rass", True),
    "pain": ("pain", False),
}
_OBS_CHOICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "consciousness": ("consciousness", get_args(ConsciousnessLevel)),
    "poss": ("poss", get_args(PossLevel)),
}
_OBS_FLAGS = ("oxygen", "hallucinations", "dysphoria", "nightmares", "nausea")
OBSERVATION_KEYS: tuple[str, ...] = (*_OBS_NUMBERS, *_OBS_CHOICES, *_OBS_FLAGS)


def configure(parser: StrictParser) -> None:
    parser.add_argument("--protocol", required=True, help="protocol id (see `ketamine-desktop library`)")
    parser.add_argument("--start", required=True, help="start of the infusion, ISO 8601 with a zone")
    parser.add_argument(
        "--event",
        action="append",
        default=[],
        metavar="ISO=KIND",
        help=f"an event at an instant; KIND is one of {', '.join(EVENT_KINDS)} (repeatable)",
    )
    parser.add_argument(
        "--observation",
        action="append",
        default=[],
        metavar="ISO=KEY:VALUE,...",
        help=f"a check recorded at an instant (repeatable); keys {', '.join(OBSERVATION_KEYS)}; "
        "flags take yes|no",
    )
    parser.add_argument("--until", help="list checks up to this instant (default: 24 h after the start)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, streams: Streams) -> int:
    start = parse_instant("--start", args.start)
    events = [_event(text) for text in args.event]
    until = start + DEFAULT_SPAN if args.until is None else parse_instant("--until", args.until)
    if until - start > MAX_SPAN:
        raise InputError("--until", f"at most {MAX_SPAN.days} days after --start ({args.until!r})")
    recorded = sorted((_observation(text) for text in args.observation), key=lambda pair: pair[0])
    for at, _obs in recorded:
        if at <= start:
            raise InputError("--observation", f"{utc_text(at)} is not after the start {utc_text(start)}")
    library = load_default_library()
    assessments = assess_series(library, [obs for _at, obs in recorded])
    observed = [
        ObservedCheck(
            taken_at=at,
            check_due=at,
            fired=tuple(a.code for a in assessment.actions if a.superseded_by is None),
        )
        for (at, _obs), assessment in zip(recorded, assessments, strict=True)
    ]
    try:
        checks = observed_checks(library, args.protocol, start, events, observed, until)
    except InvalidSchedule as exc:
        raise InputError(_OPTION_FOR_FIELD.get(exc.field, exc.field), exc.message) from exc
    if args.json:
        write_json(describe(library, args.protocol, start, until, checks), streams.out)
    else:
        streams.out.write(_table(library, args.protocol, start, until, checks))
    return EXIT_OK


def _event(text: str) -> ScheduleEvent:
    instant, separator, kind = text.partition("=")
    if not separator or "=" in kind:
        raise InputError("--event", f"expected ISO=KIND, e.g. 2026-11-21T09:10:00Z=rate-increase ({text!r})")
    event_kind = _EVENT_KIND_NAMED.get(kind)
    if event_kind is None:
        raise InputError("--event", f"unknown kind {kind!r} (one of {', '.join(EVENT_KINDS)})")
    return ScheduleEvent(at=parse_instant("--event", instant), kind=event_kind)


def _observation(text: str) -> tuple[datetime, Observation]:
    """ISO=key:value,key:value as an instant and the observation; the first problem is the error."""
    instant, separator, body = text.partition("=")
    if not separator or not body:
        raise InputError(
            "--observation", f"expected ISO=key:value,..., e.g. 2026-11-21T09:00:00Z=poss:3 ({text!r})"
        )
    at = parse_instant("--observation", instant)
    values: dict[str, object] = {}
    seen: set[str] = set()
    for pair in body.split(","):
        key, colon, value = pair.partition(":")
        if not colon or not value:
            raise InputError("--observation", f"expected key:value ({pair!r})")
        if key in seen:
            raise InputError("--observation", f"{key} given twice at {instant}")
        seen.add(key)
        if key in _OBS_NUMBERS:
            field, negative = _OBS_NUMBERS[key]
            values[field] = _obs_number(key, field, negative, value)
        elif key in _OBS_CHOICES:
            field, allowed = _OBS_CHOICES[key]
            if value not in allowed:
                raise InputError("--observation", f"{key} must be one of {', '.join(allowed)} ({value!r})")
            values[field] = value
        elif key in _OBS_FLAGS:
            if value not in ("yes", "no"):
                raise InputError("--observation", f"{key} takes yes or no ({value!r})")
            values[key] = value == "yes"
        else:
            raise InputError("--observation", f"unknown key {key!r} (one of {', '.join(OBSERVATION_KEYS)})")
    # A value the assessment does not score yet (diastolic BP) is checked, then left out.
    kept = {k: v for k, v in values.items() if k in Observation.model_fields}
    return at, Observation.model_validate(kept)


def _obs_number(key: str, field: str, negative: bool, text: str) -> int | Decimal:
    value = parse_number("--observation", text, allow_negative=negative)
    limits = OBSERVATION_RANGES.get(field, OBSERVATION_RANGES["systolic_bp"])
    problem = limits.problem(value)
    if problem is not None:
        raise InputError("--observation", f"{key} {problem} ({text!r})")
    return value if field == "temperature" else int(value)


def reason_text(check: Check) -> str | None:
    """Why a check is there beyond the grid: each rule and the check that raised it; None for a grid check."""
    if not check.reasons:
        return None
    return "; ".join(f"{r.label} (check at {utc_text(r.observed_at)})" for r in check.reasons)


def utc_text(instant: datetime) -> str:
    """An instant in UTC with a `Z`, as the contract writes it."""
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def describe(
    library: Library, protocol_id: str, start: datetime, until: datetime, checks: tuple[Check, ...]
) -> dict[str, object]:
    return {
        "protocol": protocol_id,
        "schedule": library.protocol(protocol_id).schedule,
        "start": utc_text(start),
        "until": utc_text(until),
        "library": library_identity(library),
        "checks": [
            {
                "due": utc_text(check.due),
                "kind": check.kind,
                "items": list(check.items),
                "interval_min": check.interval_min,
                "grace_min": check.grace_min,
                "overdue_at": utc_text(check.overdue_at),
                "reason": reason_text(check),
            }
            for check in checks
        ],
    }


def _since_start(start: datetime, due: datetime) -> str:
    minutes, seconds = divmod(int((due - start).total_seconds()), 60)
    hours, minutes = divmod(minutes, 60)
    return f"+{hours}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


def _table(
    library: Library, protocol_id: str, start: datetime, until: datetime, checks: tuple[Check, ...]
) -> str:
    lines = [
        f"{protocol_id}: schedule {library.protocol(protocol_id).schedule}, "
        f"{utc_text(start)} to {utc_text(until)}, {len(checks)} checks",
        "",
        f"{'due (UTC)':<21} {'from start':<11} {'kind':<13} {'grace':<7} items",
    ]
    for check in checks:
        lines.append(
            f"{utc_text(check.due):<21} {_since_start(start, check.due):<11} {check.kind:<13} "
            f"{f'{check.grace_min} min':<7} {', '.join(check.items)}"
        )
        reason = reason_text(check)
        if reason is not None:
            lines.append(f"{'':<21} {'':<11} because: {reason}")
    return "\n".join(lines) + "\n"
