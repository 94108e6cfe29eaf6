"""`ketamine-desktop verify-record`: check the record's SHA-256 hash chain (exit 1 names the first break)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from ketamine_desktop.cli.common import InputError, Streams, StrictParser


def configure(parser: StrictParser) -> None:
    parser.add_argument("--data-dir", type=Path, dest="command_data_dir", help="record store directory")
    parser.add_argument(
        "--expect-head",
        metavar="HASH",
        help="a head hash printed on an earlier handover or export: the record must still hold it",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, streams: Streams) -> int:
    from ketamine_desktop.store.paths import default_data_dir
    from ketamine_desktop.store.verify_cli import run_verify_record

    data_dir: Path = args.command_data_dir or args.data_dir or default_data_dir()
    expect_head: str | None = args.expect_head
    if expect_head is not None and re.fullmatch(r"[0-9a-fA-F]{64}", expect_head.strip()) is None:
        raise InputError(
            "--expect-head", f"must be a SHA-256 hash of 64 hexadecimal digits ({expect_head!r})"
        )
    return run_verify_record(data_dir, args.json, streams.out, expect_head, streams.err)
