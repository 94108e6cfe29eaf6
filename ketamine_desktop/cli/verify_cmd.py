"""`ketamine-desktop verify-record`: check the record's SHA-256 hash chain (exit 1 names the first break)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ketamine_desktop.cli.common import Streams, StrictParser


def configure(parser: StrictParser) -> None:
    parser.add_argument("--data-dir", type=Path, dest="command_data_dir", help="record store directory")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, streams: Streams) -> int:
    from ketamine_desktop.store.paths import default_data_dir
    from ketamine_desktop.store.verify_cli import run_verify_record

    data_dir: Path = args.command_data_dir or args.data_dir or default_data_dir()
    return run_verify_record(data_dir, args.json, streams.out)
