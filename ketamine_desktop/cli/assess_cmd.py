"""`ketamine-desktop assess`: score NEWS2 and list the escalation actions for one check.

Input decisions (the contract leaves them open):
- Without `--oxygen` the patient is taken to be breathing air, so air/oxygen is always scored.
- RASS takes a leading "-" ("-3") but not a leading "+": the contract's number grammar allows a sign only
  for negative values, so "+2" is refused (exit 2) and is written "2".
- Whole-number observations accept a whole value written with decimals ("12.0" is 12), as every
  command's `parse_whole` does; "12.5" is refused.
- An option given twice is refused rather than letting the last one silently win.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any, get_args

from ketamine_desktop.cli.common import (
    EXIT_INVALID_INPUT,
    EXIT_OK,
    MAX_COUNT,
    InputError,
    Streams,
    StrictParser,
    library_identity,
    load_default_library,
    parse_number,
    parse_whole,
    write_json,
)
from ketamine_desktop.domain.assessment import (
    NEWS2_PARAMETER_WORDS,
    OBSERVATION_RANGES,
    Assessment,
    AssessmentContext,
    ConsciousnessLevel,
    Observation,
    PossLevel,
    assess,
)
from ketamine_desktop.domain.library import Library, LibraryError

# option -> (Observation/AssessmentContext field, whole number?)
_NUMBERS: dict[str, tuple[str, bool]] = {
    "--rr": ("respiration_rate", True),
    "--spo2": ("spo2", True),
    "--sbp": ("systolic_bp", True),
    "--hr": ("pulse", True),
    "--temp": ("temperature", False),
    "--rass": ("rass", True),
    "--pain": ("pain", True),
    "--previous-pain": ("previous_pain", True),
}
_FLAGS: dict[str, str] = {
    "--oxygen": "oxygen",
    "--hallucinations": "hallucinations",
    "--dysphoria": "dysphoria",
    "--nightmares": "nightmares",
    "--nausea": "nausea",
}


def configure(parser: StrictParser) -> None:
    parser.add_argument("--rr", metavar="N", help="respiration rate /min (0-80)")
    parser.add_argument("--spo2", metavar="N", help="SpO2 %% (50-100)")
    parser.add_argument("--oxygen", action="store_true", help="on supplemental oxygen (absent: air)")
    parser.add_argument("--sbp", metavar="N", help="systolic blood pressure mmHg (0-300)")
    parser.add_argument("--hr", metavar="N", help="pulse /min (0-300)")
    parser.add_argument("--consciousness", metavar="A|C|V|P|U", help="ACVPU (C: new confusion)")
    parser.add_argument("--temp", metavar="X", help="temperature C (25.0-45.0)")
    parser.add_argument("--poss", metavar="S|1|2|3|4", help="POSS sedation level")
    parser.add_argument("--rass", metavar="N", help="RASS -5 to 4 (no plus sign)")
    parser.add_argument("--hallucinations", action="store_true", help="hallucinations now")
    parser.add_argument("--dysphoria", action="store_true", help="dysphoria now")
    parser.add_argument("--nightmares", action="store_true", help="nightmares now")
    parser.add_argument("--nausea", action="store_true", help="nausea or vomiting now")
    parser.add_argument("--pain", metavar="N", help="pain score 0-10")
    parser.add_argument("--previous-pain", metavar="N", help="pain score at the previous check")
    parser.add_argument(
        "--prior-episodes",
        metavar="N",
        help="psychotomimetic episodes already seen in this infusion (default 0)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def _dest(option: str) -> str:
    return option.lstrip("-").replace("-", "_")


def _observation_value(option: str, field: str, whole: bool, text: str) -> int | Decimal:
    value = parse_number(option, text, allow_negative=field == "rass")
    problem = OBSERVATION_RANGES[field].problem(value)
    if problem is not None:
        raise InputError(option, f"{problem} ({text!r})")
    return int(value) if whole else value


def _choice(option: str, text: str | None, allowed: tuple[str, ...]) -> str | None:
    if text is not None and text not in allowed:
        raise InputError(option, f"must be one of {', '.join(allowed)} ({text!r})")
    return text


def _inputs(args: argparse.Namespace) -> tuple[Observation, AssessmentContext]:
    """Parse every option; the first problem becomes the one-line error."""
    values: dict[str, Any] = {}
    for option, (field, whole) in _NUMBERS.items():
        text = getattr(args, _dest(option))
        if text is not None:
            values[field] = _observation_value(option, field, whole, text)
    values["consciousness"] = _choice("--consciousness", args.consciousness, get_args(ConsciousnessLevel))
    values["poss"] = _choice("--poss", args.poss, get_args(PossLevel))
    for option, field in _FLAGS.items():
        values[field] = getattr(args, _dest(option))
    prior_episodes = 0
    if args.prior_episodes is not None:
        prior_episodes = parse_whole("--prior-episodes", args.prior_episodes, 0, MAX_COUNT)
    context = AssessmentContext(
        prior_episodes=prior_episodes, previous_pain=values.pop("previous_pain", None)
    )
    return Observation(**values), context


def describe(library: Library, assessment: Assessment) -> dict[str, object]:
    news2 = assessment.news2
    decision = assessment.decision
    return {
        "news2": {
            "total": news2.total,
            "complete": news2.complete,
            "missing": list(news2.scores.missing()),
            "risk": news2.risk,
            "risk_text": news2.risk_text,
            "scores": news2.scores.model_dump(),
        },
        "actions": [
            {
                "code": action.code,
                "severity": action.severity,
                "text": action.text,
                "sources": list(action.sources),
                "flags": list(action.flags),
                "infusion": action.infusion,
                "superseded_by": action.superseded_by,
            }
            for action in assessment.actions
        ],
        "infusion": assessment.infusion,
        "decision": {
            "infusion": decision.infusion,
            "code": decision.code,
            "text": decision.text,
        },
        "instructions": list(assessment.instructions),
        "needs_acknowledgement": assessment.needs_acknowledgement,
        "psychotomimetic": assessment.psychotomimetic,
        "library": library_identity(library),
    }


def _table(assessment: Assessment) -> str:
    news2 = assessment.news2
    missing = news2.scores.missing()
    words = ", ".join(NEWS2_PARAMETER_WORDS[m] for m in missing)
    state = "complete" if news2.complete else f"incomplete: {words}"
    lines = [f"NEWS2 {news2.total} ({state}), risk {news2.risk}: {news2.risk_text}"]
    for name, score in news2.scores.model_dump().items():
        lines.append(f"  {NEWS2_PARAMETER_WORDS[name]:<16} {'-' if score is None else score}")
    lines.append("")
    decision = assessment.decision
    lines.append(f"Infusion: {assessment.infusion.upper()}")
    lines.append(f"Decision: {decision.text}")
    for number, text in enumerate(assessment.instructions, start=1):
        lines.append(f"  {number}. {text}")
    if assessment.needs_acknowledgement:
        lines.append("Urgent: acknowledge the urgent actions below.")
    if not assessment.actions:
        lines.append("No escalation action.")
    for action in assessment.actions:
        cited = ", ".join((*action.sources, *action.flags))
        also = f" [also triggered: superseded by {action.superseded_by}]" if action.superseded_by else ""
        lines.append(f"  [{action.severity}] {action.code}: {action.text} ({cited}){also}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace, streams: Streams) -> int:
    observation, context = _inputs(args)
    try:
        library = load_default_library()
    except LibraryError as exc:
        for problem in exc.problems:
            streams.err.write(f"error: {problem}\n")
        return EXIT_INVALID_INPUT
    assessment = assess(library, observation, context)
    if args.json:
        write_json(describe(library, assessment), streams.out)
    else:
        streams.out.write(_table(assessment))
    return EXIT_OK
