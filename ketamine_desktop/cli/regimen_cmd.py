"""`ketamine-desktop regimen`: the bolus and infusion for a protocol and a weight, with their findings.

Numbers on the command line follow the contract's strict grammar; anything malformed, contradictory or
outside the accepted range is one line on stderr and exit 2. A regimen that a hard limit refuses is still
printed (JSON or table) and exits 3, so a script sees both what was asked for and why it was refused.
"""

from __future__ import annotations

import argparse
from decimal import Decimal

from ketamine_desktop.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    InputError,
    Streams,
    StrictParser,
    load_default_library,
    parse_number,
    write_json,
)
from ketamine_desktop.domain.library import DoseRate, DoseRateUnit, Library
from ketamine_desktop.domain.limits import Finding, approx, written
from ketamine_desktop.domain.patient import InvalidInput
from ketamine_desktop.domain.regimen import (
    BolusResult,
    InfusionResult,
    Regimen,
    RegimenRequest,
    compute_regimen,
)
from ketamine_desktop.domain.units import convert_dose_rate, round_half_up

_BOLUS_OPTIONS = ("--bolus-mg-per-kg", "--bolus-concentration-mg-per-ml", "--bolus-over-min")
_LEVEL_WORDS = {"hard": "HARD (blocked)", "soft": "SOFT (reason needed)", "info": "info"}


def configure(parser: StrictParser) -> None:
    parser.add_argument("--protocol", required=True, metavar="ID", help="protocol id (see `library`)")
    parser.add_argument("--weight-kg", required=True, metavar="W", help="actual body weight in kg")
    parser.add_argument(
        "--concentration-mg-per-ml", metavar="C", help="infusion concentration (default: the library's)"
    )
    bolus = parser.add_mutually_exclusive_group()
    bolus.add_argument("--bolus", action="store_true", help="give the protocol's optional bolus")
    bolus.add_argument("--no-bolus", action="store_true", help="no bolus")
    parser.add_argument("--bolus-mg-per-kg", metavar="X", help="bolus dose (default: the protocol's)")
    parser.add_argument("--bolus-concentration-mg-per-ml", metavar="C", help="bolus syringe concentration")
    parser.add_argument("--bolus-over-min", metavar="M", help="minutes over which the bolus runs")
    infusion = parser.add_mutually_exclusive_group()
    infusion.add_argument("--infusion-mg-per-kg-per-h", metavar="R", help="infusion dose in mg/kg/h")
    infusion.add_argument("--infusion-mcg-per-kg-per-min", metavar="R", help="infusion dose in mcg/kg/min")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, streams: Streams) -> int:
    request = _request(args)
    library = load_default_library()
    try:
        regimen = compute_regimen(library, request)
    except InvalidInput as exc:
        raise InputError(_option(exc.field, args), exc.message) from exc
    if args.json:
        write_json(describe(regimen), streams.out)
    else:
        streams.out.write(table(library, regimen))
    return EXIT_REFUSED if regimen.blocked else EXIT_OK


def _number(option: str, text: str | None) -> Decimal | None:
    return None if text is None else parse_number(option, text, positive=True)


def _request(args: argparse.Namespace) -> RegimenRequest:
    if args.no_bolus:
        for option in _BOLUS_OPTIONS:
            if getattr(args, _dest(option)) is not None:
                raise InputError("--no-bolus", f"cannot be combined with {option}")
    dose = None
    for option, unit in (
        ("--infusion-mg-per-kg-per-h", "mg/kg/h"),
        ("--infusion-mcg-per-kg-per-min", "mcg/kg/min"),
    ):
        value = _number(option, getattr(args, _dest(option)))
        if value is not None:
            dose = DoseRate(value=value, unit=unit)
    include = True if args.bolus else False if args.no_bolus else None
    weight = _number("--weight-kg", args.weight_kg)
    assert weight is not None  # a required option
    return RegimenRequest(
        protocol_id=args.protocol,
        weight_kg=weight,
        include_bolus=include,
        bolus_mg_per_kg=_number("--bolus-mg-per-kg", args.bolus_mg_per_kg),
        bolus_concentration_mg_per_ml=_number(
            "--bolus-concentration-mg-per-ml", args.bolus_concentration_mg_per_ml
        ),
        bolus_over_min=_number("--bolus-over-min", args.bolus_over_min),
        infusion_dose=dose,
        infusion_concentration_mg_per_ml=_number("--concentration-mg-per-ml", args.concentration_mg_per_ml),
    )


def _dest(option: str) -> str:
    return option.removeprefix("--").replace("-", "_")


def _option(field: str, args: argparse.Namespace) -> str:
    """The command-line option a domain input error is about."""
    if field == "infusion_dose":
        return (
            "--infusion-mg-per-kg-per-h" if args.infusion_mg_per_kg_per_h else "--infusion-mcg-per-kg-per-min"
        )
    if field == "include_bolus":
        return "--bolus" if args.bolus else "--no-bolus"
    options = {
        "protocol_id": "--protocol",
        "weight_kg": "--weight-kg",
        "bolus_mg_per_kg": "--bolus-mg-per-kg",
        "bolus_concentration_mg_per_ml": "--bolus-concentration-mg-per-ml",
        "bolus_over_min": "--bolus-over-min",
        "infusion_concentration_mg_per_ml": "--concentration-mg-per-ml",
    }
    return options[field]


# --- JSON ---------------------------------------------------------------------------------------------


def describe(regimen: Regimen) -> dict[str, object]:
    """The contract's JSON: full-precision numbers; only the volume and the pump rates are rounded."""
    return {
        "protocol": regimen.protocol_id,
        "weight_kg": regimen.weight_kg,
        "library": {
            "name": regimen.library_name,
            "version": regimen.library_version,
            "sha256": regimen.library_sha256,
        },
        "bolus": regimen.bolus.model_dump() if regimen.bolus else None,
        "infusion": regimen.infusion.model_dump() if regimen.infusion else None,
        "findings": [finding.model_dump() for finding in regimen.findings],
        "blocked": regimen.blocked,
        "needs_reason": regimen.needs_reason,
    }


# --- Table --------------------------------------------------------------------------------------------


def _to(value: Decimal, step: Decimal) -> str:
    """Rounded for display to a library resolution (0.1 mg, 0.1 mL, the pump's 0.1 mL/h), halves up."""
    return written(round_half_up(value, step))


def _both(mg_per_kg_per_h: Decimal, first: DoseRateUnit) -> str:
    """Both infusion units side by side, the protocol's own unit first: "1 mcg/kg/min | 0.06 mg/kg/h"."""
    other: DoseRateUnit = "mg/kg/h" if first == "mcg/kg/min" else "mcg/kg/min"
    values = {unit: convert_dose_rate(mg_per_kg_per_h, "mg/kg/h", unit) for unit in (first, other)}
    return f"{approx(values[first])} {first} | {approx(values[other])} {other}"


def _bolus_lines(library: Library, bolus: BolusResult) -> list[str]:
    units = library.document.units
    return [
        "BOLUS",
        f"  dose            {written(bolus.dose_mg_per_kg)} mg/kg = "
        f"{_to(bolus.dose_mg, units.dose_resolution_mg)} mg",
        f"  syringe         {written(bolus.concentration_mg_per_ml)} mg/mL: "
        f"{written(bolus.volume_ml)} mL over {written(bolus.over_min)} min",
        f"  >>> PUMP RATE   {written(bolus.rate_ml_per_h)} mL/h <<<",
        # What the rounded volume actually holds, so a second checker's 2.5 mL x 10 mg/mL agrees.
        f"  delivers        {written(bolus.volume_ml)} mL holds "
        f"{_to(bolus.delivered_mg, units.dose_resolution_mg)} mg = {approx(bolus.delivered_mg_per_kg)} mg/kg",
    ]


def _infusion_lines(library: Library, infusion: InfusionResult, unit: DoseRateUnit) -> list[str]:
    units = library.document.units
    mg = units.dose_resolution_mg
    amount = f"{_to(infusion.dose_mg_per_h, mg)} mg/h"
    if infusion.capped:
        amount = f"{_to(infusion.requested_mg_per_h, mg)} mg/h asked, CAPPED at {amount}"
    return [
        "INFUSION",
        f"  dose            {_both(infusion.dose_mg_per_kg_per_h, unit)} = {amount}",
        f"  syringe         {written(infusion.concentration_mg_per_ml)} mg/mL",
        f"  >>> PUMP RATE   {written(infusion.rate_ml_per_h)} mL/h <<<",
        f"  delivers        {_to(infusion.delivered_mg_per_h, mg)} mg/h = "
        f"{_both(infusion.delivered_mg_per_kg_per_h, unit)}",
    ]


def _finding_line(finding: Finding) -> str:
    cited = ", ".join(finding.sources + tuple(f"({flag})" for flag in finding.flags))
    tail = f" [{cited}]" if cited else ""
    return f"  {_LEVEL_WORDS[finding.level]:<21} {finding.code}: {finding.message}{tail}"


def table(library: Library, regimen: Regimen) -> str:
    protocol = library.protocol(regimen.protocol_id)
    lines = [
        f"Protocol  {protocol.id}: {protocol.name}",
        f"Weight    {written(regimen.weight_kg)} kg",
        f"Library   {regimen.library_name} {regimen.library_version} (sha256 {regimen.library_sha256[:12]})",
        "",
    ]
    if regimen.bolus is not None:
        lines += [*_bolus_lines(library, regimen.bolus), ""]
    if regimen.infusion is not None and protocol.infusion is not None:
        lines += [*_infusion_lines(library, regimen.infusion, protocol.infusion.display_unit), ""]
    lines.append("FINDINGS")
    lines += [_finding_line(f) for f in regimen.findings] or ["  none"]
    lines.append("")
    if regimen.blocked:
        lines.append("RESULT    BLOCKED: a hard limit refuses this regimen. Do not start it.")
    elif regimen.needs_reason:
        lines.append("RESULT    WARNING: starting needs a typed reason (soft limit).")
    else:
        lines.append("RESULT    Within the library's limits: confirm the gates and the pre-start checks.")
    return "\n".join(lines) + "\n"
