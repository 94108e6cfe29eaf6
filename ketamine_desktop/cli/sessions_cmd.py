"""`ketamine-desktop sessions`: the sessions in a record (id, bed, protocol, start, end, records, training).

Reads the record read-only and verifies its chain first: a broken chain exits 1 naming the first bad
record (the list would come from a record that may have been changed).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ketamine_desktop.cli.common import EXIT_FAILED, InputError, Streams, StrictParser, write_json


def configure(parser: StrictParser) -> None:
    parser.add_argument("--data-dir", type=Path, dest="command_data_dir", help="record store directory")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, streams: Streams) -> int:
    from ketamine_desktop.export.listing import session_summaries
    from ketamine_desktop.store import StoreError
    from ketamine_desktop.store.snapshot import read_snapshot

    data_dir: Path | None = args.command_data_dir or args.data_dir
    if data_dir is None:
        raise InputError("--data-dir", "required (the directory that holds the record)")
    if not data_dir.is_dir():
        raise InputError("--data-dir", f"no such directory ({str(data_dir)!r})")
    try:
        snapshot = read_snapshot(data_dir)
    except StoreError as exc:
        streams.err.write(f"error: {exc}\n")
        return EXIT_FAILED
    if not snapshot.verdict.ok:
        verdict = snapshot.verdict
        where = f"record {verdict.first_bad_seq}" if verdict.first_bad_seq is not None else "the record"
        streams.err.write(f"error: the record's hash chain is broken at {where}: {verdict.reason}\n")
        return EXIT_FAILED
    sessions = session_summaries(snapshot)
    if args.json:
        write_json(
            {"sessions": sessions, "head": snapshot.head_hash, "records": snapshot.head_seq}, streams.out
        )
        return 0
    if not sessions:
        streams.out.write("No sessions in the record.\n")
        return 0
    header = ("id", "bed", "protocol", "start", "end", "records", "training")
    rows = [header, *(tuple(_cell(s, k) for k in header) for s in sessions)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        streams.out.write(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        streams.out.write("\n")
    return 0


def _cell(summary: dict[str, object], key: str) -> str:
    value = summary[key]
    if key == "training":
        return "TRAINING" if value else ""
    return "-" if value is None else str(value)
