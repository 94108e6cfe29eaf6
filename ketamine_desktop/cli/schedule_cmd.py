"""`ketamine-desktop schedule`: list a protocol's monitoring checks from a start time and its events."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from ketamine_desktop.cli.common import (
    EXIT_OK,
    InputError,
    Streams,
    StrictParser,
    library_identity,
    load_default_library,
    parse_instant,
    write_json,
)
from ketamine_desktop.domain.library import EventKind, Library
from ketamine_desktop.domain.schedule import (
    EVENT_KINDS,
    Check,
    InvalidSchedule,
    ScheduleEvent,
    monitoring_checks,
)

# The contract's default listing length: a display choice, not a clinical interval.
DEFAULT_SPAN = timedelta(hours=24)
# The longest listing asked for at once (issue 13): a month of checks, computed in well under a second.
MAX_SPAN = timedelta(days=31)

# The domain names its inputs; the user typed options.
_EVENT_KIND_NAMED: dict[str, EventKind] = {kind: kind for kind in EVENT_KINDS}
_OPTION_FOR_FIELD = {"protocol": "--protocol", "start": "--start", "until": "--until", "events": "--event"}


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
    parser.add_argument("--until", help="list checks up to this instant (default: 24 h after the start)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, streams: Streams) -> int:
    start = parse_instant("--start", args.start)
    events = [_event(text) for text in args.event]
    until = start + DEFAULT_SPAN if args.until is None else parse_instant("--until", args.until)
    if until - start > MAX_SPAN:
        raise InputError("--until", f"at most {MAX_SPAN.days} days after --start ({args.until!r})")
    library = load_default_library()
    try:
        checks = monitoring_checks(library, args.protocol, start, events, until)
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
    return "\n".join(lines) + "\n"
