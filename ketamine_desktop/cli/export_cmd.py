"""`ketamine-desktop export`: one session of the record as the chart PDF, CSV, FHIR R4 or the handover PDF.

The record is opened read-only and its hash chain verified first: a broken chain refuses the export
(exit 1, naming the first bad record). Bad options exit 2 with one line. The export never writes to the
record: it is written beside `--out` and renamed into place.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ketamine_desktop.cli.common import EXIT_FAILED, InputError, Streams, StrictParser

FORMAT_CHOICES = ("pdf", "csv", "fhir", "handover")


def configure(parser: StrictParser) -> None:
    parser.add_argument("--data-dir", type=Path, dest="command_data_dir", help="record store directory")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--session", metavar="ID", help="the session to export (see the sessions command)")
    which.add_argument("--latest", action="store_true", help="the session started last")
    parser.add_argument(
        "--format", dest="fmt", choices=FORMAT_CHOICES, help="pdf (the chart), csv, fhir or handover (PDF)"
    )
    parser.add_argument("--out", type=Path, metavar="PATH", help="the file to write")
    parser.add_argument("--subject", metavar="REF", help="fhir only: the patient reference, e.g. Patient/123")


def _options(args: argparse.Namespace) -> tuple[Path, Path]:
    data_dir: Path | None = args.command_data_dir or args.data_dir
    if data_dir is None:
        raise InputError("--data-dir", "required (the directory that holds the record)")
    if not data_dir.is_dir():
        raise InputError("--data-dir", f"no such directory ({str(data_dir)!r})")
    if args.session is None and not args.latest:
        raise InputError("--session", "required: give --session ID or --latest")
    if args.fmt is None:
        raise InputError("--format", "required: pdf, csv, fhir or handover")
    out: Path | None = args.out
    if out is None:
        raise InputError("--out", "required (the file to write)")
    if out.is_dir():
        raise InputError("--out", f"is a directory, not a file ({str(out)!r})")
    if not out.parent.is_dir():
        raise InputError("--out", f"its folder does not exist ({str(out.parent)!r})")
    from ketamine_desktop.store.paths import LOCK_FILE_NAME, RECORD_FILE_NAME

    protected = {RECORD_FILE_NAME, f"{RECORD_FILE_NAME}-wal", f"{RECORD_FILE_NAME}-shm", LOCK_FILE_NAME}
    if out.resolve().parent == data_dir.resolve() and out.name in protected:
        raise InputError("--out", "would overwrite the record itself")
    if args.subject is not None:
        if args.fmt != "fhir":
            raise InputError("--subject", "only for --format fhir")
        from ketamine_desktop.export.fhir import subject_problem

        problem = subject_problem(args.subject)
        if problem is not None:
            raise InputError("--subject", problem)
    return data_dir, out


def run(args: argparse.Namespace, streams: Streams) -> int:
    data_dir, out = _options(args)
    from ketamine_desktop.cli.common import load_default_library
    from ketamine_desktop.domain.clock import SystemClock
    from ketamine_desktop.domain.session import CorruptRecord
    from ketamine_desktop.export.service import write_export
    from ketamine_desktop.export.source import ChainBroken, NoSuchSession, load_session
    from ketamine_desktop.store import StoreError
    from ketamine_desktop.store.snapshot import read_snapshot

    try:
        snapshot = read_snapshot(data_dir)
    except StoreError as exc:
        streams.err.write(f"error: {exc}\n")
        return EXIT_FAILED
    try:
        source = load_session(snapshot, load_default_library(), None if args.latest else args.session)
    except ChainBroken as exc:
        streams.err.write(f"error: {exc}\n")
        return EXIT_FAILED
    except NoSuchSession as exc:
        raise InputError("--latest" if args.latest else "--session", str(exc)) from exc
    except CorruptRecord as exc:
        streams.err.write(f"error: the session's records cannot be read: {exc}\n")
        return EXIT_FAILED
    size = write_export(source, args.fmt, out, SystemClock().now(), args.subject)
    training = " (TRAINING record)" if source.training else ""
    streams.out.write(
        f"Exported {args.fmt} of session {source.session_id}{training}: {size} bytes to {out}\n"
        f"Record head hash {source.head_hash} ({source.record_count} records)\n"
    )
    return 0
