"""`ketamine-desktop library`: show the library's identity and protocols, or validate another file."""

from __future__ import annotations

import argparse
from pathlib import Path

from ketamine_desktop.cli.common import (
    EXIT_INVALID_INPUT,
    Streams,
    StrictParser,
    default_library_path,
    write_json,
)
from ketamine_desktop.domain.library import Library, LibraryError, Protocol, load_library
from ketamine_desktop.domain.units import format_quantity


def configure(parser: StrictParser) -> None:
    parser.add_argument("--file", type=Path, help="validate and list this library file instead")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, streams: Streams) -> int:
    path: Path = args.file or default_library_path()
    try:
        # A file under review may not be approved yet; the app's own library must be.
        library = load_library(path, require_approval=args.file is None)
    except LibraryError as exc:
        for problem in exc.problems:
            streams.err.write(f"error: {problem}\n")
        return EXIT_INVALID_INPUT
    if args.json:
        write_json(describe(library), streams.out)
    else:
        streams.out.write(_table(library))
    return 0


def describe(library: Library) -> dict[str, object]:
    return {
        "name": library.name,
        "version": library.version,
        "sha256": library.sha256,
        "protocols": [_protocol(p) for p in library.document.protocols],
    }


def _protocol(p: Protocol) -> dict[str, object]:
    bolus = None
    if p.bolus is not None:
        bolus = {
            "optional": p.bolus.optional,
            "default_mg_per_kg": p.bolus.default_mg_per_kg,
            "typical_mg_per_kg": [p.bolus.typical_min_mg_per_kg, p.bolus.typical_max_mg_per_kg],
            "soft_max_mg_per_kg": p.bolus.soft_max_mg_per_kg,
            "hard_max_mg_per_kg": p.bolus.hard_max_mg_per_kg,
            "sources": list(p.bolus.sources),
        }
    infusion = None
    if p.infusion is not None:
        i = p.infusion
        infusion = {
            "unit": i.display_unit,
            "default_mg_per_kg_per_h": i.default.mg_per_kg_per_h,
            "typical_mg_per_kg_per_h": [i.typical_min.mg_per_kg_per_h, i.typical_max.mg_per_kg_per_h],
            "soft_max_mg_per_kg_per_h": i.soft_max.mg_per_kg_per_h,
            "hard_max_mg_per_kg_per_h": i.hard_max.mg_per_kg_per_h,
            "cap_mg_per_h": i.cap.mg_per_h if i.cap else None,
            "sources": list(i.sources),
        }
    return {
        "id": p.id,
        "name": p.name,
        "setting": p.setting,
        "schedule": p.schedule,
        "sedation_scale": p.sedation_scale,
        "duration": p.duration,
        "bolus": bolus,
        "infusion": infusion,
        "sources": list(p.sources),
    }


def _table(library: Library) -> str:
    lines = [
        f"{library.name} {library.version}",
        f"sha256 {library.sha256}",
        "",
        f"{'protocol':<26} {'bolus (mg/kg)':<15} {'infusion':<22} setting",
    ]
    for p in library.document.protocols:
        bolus = "-"
        if p.bolus is not None:
            default = p.bolus.default_mg_per_kg
            bolus = ("optional " if p.bolus.optional else "") + (
                format_quantity(default, "mg/kg") if default is not None else "no default"
            )
        infusion = "-"
        if p.infusion is not None:
            infusion = format_quantity(p.infusion.default.value, p.infusion.default.unit)
        lines.append(f"{p.id:<26} {bolus:<15} {infusion:<22} {p.setting}")
    return "\n".join(lines) + "\n"
