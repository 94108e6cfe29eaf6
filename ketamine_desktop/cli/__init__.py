"""Headless commands (the contract in shared/design/cli-contract.md) and the dispatcher for them.

Each command is a module with `configure(parser)` and `run(args, streams) -> int`. Modules are imported
only when their command runs, so `ketamine-desktop regimen` never pays for Qt and the window never pays
for the commands. What is not a headless command (the window, `--self-test`) comes back as a `Launch` for
the entry point (__main__.py): the CLI never imports the app, so the app may use the CLI's helpers.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ketamine_desktop import __version__
from ketamine_desktop.cli.common import (
    EXIT_INVALID_INPUT,
    InputError,
    Streams,
    StrictParser,
    control_character,
)

COMMANDS: dict[str, tuple[str, str]] = {
    "library": ("ketamine_desktop.cli.library_cmd", "list or validate a drug library"),
    "regimen": ("ketamine_desktop.cli.regimen_cmd", "compute a bolus and infusion regimen"),
    "assess": ("ketamine_desktop.cli.assess_cmd", "score NEWS2 and the escalation actions for one check"),
    "schedule": ("ketamine_desktop.cli.schedule_cmd", "list the monitoring checks of a protocol"),
    "verify-record": ("ketamine_desktop.cli.verify_cmd", "check the record's SHA-256 hash chain"),
    "sessions": ("ketamine_desktop.cli.sessions_cmd", "list the sessions in a record"),
    "export": (
        "ketamine_desktop.cli.export_cmd",
        "export a session: chart PDF, CSV, FHIR R4 or handover PDF",
    ),
    "demo": ("ketamine_desktop.cli.demo_cmd", "write a training record (every record marked training)"),
}


@dataclass(frozen=True)
class Launch:
    """Not a headless command: the entry point opens the window on `data_dir` (None: the user's data
    directory) or runs the self-test."""

    self_test: bool = False
    data_dir: Path | None = None


class CommandModule(Protocol):
    def configure(self, parser: StrictParser) -> None: ...

    def run(self, args: argparse.Namespace, streams: Streams) -> int: ...


def build_parser(command: str | None = None) -> StrictParser:
    """The parser; only the named command's module is imported to configure its options."""
    parser = StrictParser(prog="ketamine-desktop", description="Bedside tool for IV ketamine for pain.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--self-test", action="store_true", help="check the library, window and record store")
    parser.add_argument("--data-dir", type=Path, help="record store directory (default: the user data dir)")
    sub = parser.add_subparsers(dest="command", parser_class=StrictParser)
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        command_parser.set_defaults(module_name=module_name)
        if name == command:
            _command_module(module_name).configure(command_parser)
    return parser


def _command_module(module_name: str) -> CommandModule:
    module: CommandModule = importlib.import_module(module_name)
    return module


# Options that may be given more than once; any other given twice is contradictory input, not "last wins"
# (`--weight-kg 70 --weight-kg 150` must not quietly dose for 150 kg).
REPEATABLE = frozenset({"--event", "--observation"})


def _refuse_repeated_options(argv: Sequence[str]) -> None:
    seen: set[str] = set()
    for arg in argv:
        if not arg.startswith("--"):
            continue
        name = arg.split("=", 1)[0]
        if name in seen and name not in REPEATABLE:
            raise InputError(name, "given more than once")
        seen.add(name)


def _refuse_control_characters(argv: Sequence[str]) -> None:
    """NUL, newline, escape and the other control characters have no place in any option or value: a NUL
    inside an ISO time or a name would otherwise reach the record or the terminal."""
    for index, arg in enumerate(argv):
        found = control_character(arg)
        if found is None:
            continue
        if arg.startswith("--"):
            field = arg.split("=", 1)[0]
        elif index > 0 and argv[index - 1].startswith("--"):
            field = argv[index - 1]
        else:
            field = "argument"
        if control_character(field) is not None:
            field = "argument"  # the option's own name holds the character: do not echo it
        raise InputError(field, f"contains a control character ({found})")


def run(argv: Sequence[str], streams: Streams | None = None) -> int | Launch:
    """Run a headless command and return its exit status, or say what to launch instead."""
    streams = streams or Streams.standard()
    try:
        _refuse_control_characters(argv)
        _refuse_repeated_options(argv)
        command = next((arg for arg in argv if arg in COMMANDS), None)
        args = build_parser(command).parse_args(list(argv))
        if args.version:
            streams.out.write(f"ketamine-desktop {__version__}\n")
            return 0
        if args.self_test:
            return Launch(self_test=True)
        if args.command is None:
            return Launch(data_dir=args.data_dir)
        return _command_module(args.module_name).run(args, streams)
    except InputError as exc:
        streams.err.write(f"error: {exc}\n")
        return EXIT_INVALID_INPUT
    except Exception as exc:
        # A library that is missing, empty, endless, unreadable, invalid or not signed by a trusted key:
        # one line per problem, never a traceback. (Imported here: the window's start does not need it.)
        from ketamine_desktop.domain.library import LibraryError

        if not isinstance(exc, LibraryError):
            raise
        for problem in exc.problems:
            streams.err.write(f"error: {' '.join(problem.split())}\n")
        return EXIT_INVALID_INPUT
