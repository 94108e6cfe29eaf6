"""`ketamine-desktop demo`: write a training record (every record marked training) for learning and scale.

`--days N` (default 3) of a running prolonged infusion ending now, after `--past-sessions M` (default 0)
finished sessions, simulated by `ketamine_desktop.demo` through the domain's own commands. The data
directory must hold no record yet: a real record is refused (exit 2), and so is an earlier training one
(start again in a new directory). The directory's instance lock is held while writing, so a window cannot
be open on it; each session is written in one transaction.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from ketamine_desktop.cli.common import EXIT_OK, InputError, Streams, StrictParser, parse_whole, write_json

DEFAULT_DAYS = 3
MAX_PAST_SESSIONS = 10_000  # input hygiene: a record of years of sessions, not a clinical number
HOURS_PER_DAY = 24


def configure(parser: StrictParser) -> None:
    parser.add_argument("--data-dir", type=Path, dest="command_data_dir", help="record store directory")
    parser.add_argument("--days", default=str(DEFAULT_DAYS), help="days of the running infusion (3)")
    parser.add_argument("--past-sessions", default="0", help="finished sessions before it (0)")
    parser.add_argument("--seed", default="0", help="random seed: the same seed writes the same record (0)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, streams: Streams) -> int:
    from ketamine_desktop.cli.common import load_default_library
    from ketamine_desktop.demo import DEMO_PROTOCOL, demo_records, write_records
    from ketamine_desktop.domain.training import TRAINING_PREFIX
    from ketamine_desktop.store import InstanceLock, RecordStore, StoreError

    data_dir: Path | None = args.command_data_dir or args.data_dir
    if data_dir is None:
        raise InputError("--data-dir", "required: the directory to write the training record in")
    library = load_default_library()
    planned_h = library.protocol(DEMO_PROTOCOL).duration_max_h
    max_days = int((planned_h or HOURS_PER_DAY) // HOURS_PER_DAY)
    days = parse_whole("--days", args.days, 1, max_days)
    past = parse_whole("--past-sessions", args.past_sessions, 0, MAX_PAST_SESSIONS)
    seed = parse_whole("--seed", args.seed, 0, 2**63 - 1)
    lock = InstanceLock(data_dir) if data_dir.is_dir() else None
    try:
        if lock is not None and not lock.acquire():
            raise InputError("--data-dir", f"{data_dir} is open in Ketamine Desktop: close it first")
        store = RecordStore.open(data_dir)
    except StoreError as exc:
        raise InputError("--data-dir", str(exc)) from exc
    try:
        training, real = store.session_prefixes(TRAINING_PREFIX)
        if real:
            raise InputError("--data-dir", f"{data_dir} holds a real record: training records go elsewhere")
        if training:
            raise InputError("--data-dir", f"{data_dir} holds a training record already: use a new directory")
        if lock is None:  # the directory was made by RecordStore.open: lock it now
            lock = InstanceLock(data_dir)
            lock.acquire()
        records = demo_records(library, now=datetime.now(UTC), days=days, past_sessions=past, seed=seed)
        written, sessions = write_records(store, library, records)
        verdict = store.verify()
    finally:
        store.close()
        if lock is not None:
            lock.release()
    summary = {
        "training": True,
        "data_dir": str(data_dir),
        "days": days,
        "past_sessions": past,
        "seed": seed,
        "sessions": len(sessions),
        "running_session": sessions[-1],
        "records": written,
        "chain_intact": verdict.ok,
    }
    if args.json:
        write_json(summary, streams.out)
    else:
        streams.out.write(
            f"TRAINING record written to {data_dir}: {written} records, {len(sessions)} sessions "
            f"({past} finished, then {days} days of {DEMO_PROTOCOL}, running now).\n"
            f"Open it with: ketamine-desktop --data-dir {data_dir}\n"
        )
    return EXIT_OK
