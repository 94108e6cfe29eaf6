"""The drug library: loading (a regular file of at most 1 MiB) and the loaded `Library`. Whether it may
be used (a trusted signature over its bytes) is decided outside the domain, in `library_trust`.

The schema is in `library_schema.py` and the consistency checks in `library_checks.py`; every name of
both is importable from here, which is where the rest of the app imports them from.

The library is data (a TOML file under resources/), so a hospital pharmacy can review and replace it
without touching code. Loading is all-or-nothing: any problem, syntactic, structural or clinical, is
reported by name and place, and no half-loaded library ever reaches the rest of the app.
"""

from __future__ import annotations

import hashlib
import stat
import tomllib
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError

from ketamine_desktop.domain.library_checks import FIELD_KINDS, consistency_problems, rule_problems
from ketamine_desktop.domain.library_schema import (
    ITEMS,
    SOURCE_REF,
    AirOrOxygen,
    Band,
    BolusSpec,
    Cap,
    ChecklistItem,
    Cited,
    Companion,
    Concentrations,
    Condition,
    ConditionField,
    Consciousness,
    Contraindication,
    DoseRate,
    DoseRateUnit,
    EscalationRule,
    EventKind,
    FiniteDecimal,
    Flag,
    FollowUp,
    FollowUpAnchor,
    FollowUpUntil,
    Grace,
    Identifier,
    InfusionDecision,
    InfusionSpec,
    Item,
    LibraryDocument,
    LibraryInfo,
    Limits,
    Monitoring,
    News2,
    News2Band,
    News2Parameter,
    News2Risk,
    NonNegativeDecimal,
    Note,
    Phase,
    PositiveDecimal,
    PositiveInt,
    Protocol,
    Schedule,
    Screening,
    SedationLevel,
    SedationScale,
    Severity,
    SideEffect,
    Source,
    Text,
    TimedPrompts,
    Track,
    Units,
    WeightRules,
)
from ketamine_desktop.domain.model import FrozenModel

__all__ = [
    "FIELD_KINDS",
    "ITEMS",
    "SOURCE_REF",
    "AirOrOxygen",
    "Band",
    "BolusSpec",
    "Cap",
    "ChecklistItem",
    "Cited",
    "Companion",
    "Concentrations",
    "Condition",
    "ConditionField",
    "Consciousness",
    "Contraindication",
    "DoseRate",
    "DoseRateUnit",
    "EscalationRule",
    "EventKind",
    "FiniteDecimal",
    "Flag",
    "FollowUp",
    "FollowUpAnchor",
    "FollowUpUntil",
    "Grace",
    "Identifier",
    "InfusionDecision",
    "InfusionSpec",
    "Item",
    "Library",
    "LibraryDocument",
    "LibraryError",
    "LibraryInfo",
    "Limits",
    "Monitoring",
    "News2",
    "News2Band",
    "News2Parameter",
    "News2Risk",
    "NonNegativeDecimal",
    "Note",
    "Phase",
    "PositiveDecimal",
    "PositiveInt",
    "Protocol",
    "Schedule",
    "Screening",
    "SedationLevel",
    "SedationScale",
    "Severity",
    "SideEffect",
    "Source",
    "Text",
    "TimedPrompts",
    "Track",
    "Units",
    "WeightRules",
    "consistency_problems",
    "load_library",
    "parse_library",
    "rule_problems",
]


class LibraryError(Exception):
    """A library file that cannot be used; `problems` names every problem found and where."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("; ".join(self.problems))


class Library(FrozenModel):
    """A loaded, consistent library with its identity (name, version, SHA-256 of the file's bytes)."""

    document: LibraryDocument
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]

    @property
    def name(self) -> str:
        return self.document.library.name

    @property
    def version(self) -> str:
        return self.document.library.version

    @property
    def short_sha256(self) -> str:
        return self.sha256[:12]

    def protocol(self, protocol_id: str) -> Protocol:
        for protocol in self.document.protocols:
            if protocol.id == protocol_id:
                return protocol
        raise KeyError(protocol_id)

    def schedule(self, schedule_id: str) -> Schedule:
        for schedule in self.document.schedules:
            if schedule.id == schedule_id:
                return schedule
        raise KeyError(schedule_id)

    def sedation_scale(self, scale_id: str) -> SedationScale:
        for scale in self.document.sedation_scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(scale_id)

    def citation(self, source_ref: str) -> str:
        """The full reference for a source key such as "SEED-A(1,3)"; flags pass through as written."""
        match = SOURCE_REF.match(source_ref)
        key = match.group("key") if match else source_ref
        for source in self.document.sources:
            if source.key == key:
                return source.citation
        raise KeyError(source_ref)


# A library is tens of kilobytes; a file many times larger is not one, and is refused before it is read
# (`/dev/zero` or a runaway file would otherwise fill the memory).
MAX_LIBRARY_BYTES = 1024 * 1024


def read_library_bytes(path: Path) -> bytes:
    """The bytes of a library file: a regular file of at most MAX_LIBRARY_BYTES; raise LibraryError."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise LibraryError([f"{path}: not a regular file"])
        if info.st_size > MAX_LIBRARY_BYTES:
            raise LibraryError([f"{path}: {info.st_size} bytes, larger than a library may be (1 MiB)"])
        with path.open("rb") as handle:
            data = handle.read(MAX_LIBRARY_BYTES + 1)
    except OSError as exc:
        raise LibraryError([f"{path}: cannot read the file ({exc.strerror or exc})"]) from exc
    if len(data) > MAX_LIBRARY_BYTES:
        raise LibraryError([f"{path}: larger than a library may be (1 MiB)"])
    if not data.strip():
        raise LibraryError([f"{path}: the file is empty"])
    return data


def load_library(path: Path) -> Library:
    """Load and validate a library file; raise LibraryError naming every problem.

    Whether the file may be used (a trusted signature) is checked outside the domain
    (`ketamine_desktop.library_trust`), over the same bytes' SHA-256.
    """
    return parse_library(read_library_bytes(path), origin=str(path))


def parse_library(data: bytes, *, origin: str = "library") -> Library:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LibraryError([f"{origin}: not UTF-8 text (byte {exc.start})"]) from exc
    try:
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise LibraryError([f"{origin}: TOML syntax error: {exc}"]) from exc
    try:
        document = LibraryDocument.model_validate(raw)
    except ValidationError as exc:
        raise LibraryError(_describe_validation_errors(origin, exc)) from exc
    problems = list(consistency_problems(document))
    if problems:
        raise LibraryError(f"{origin}: {problem}" for problem in problems)
    return Library(document=document, sha256=hashlib.sha256(data).hexdigest())


def _describe_validation_errors(origin: str, exc: ValidationError) -> list[str]:
    problems = []
    for error in exc.errors(include_url=False):
        place = ".".join(str(part) for part in error["loc"]) or "(top level)"
        problems.append(f"{origin}: {place}: {error['msg']}")
    return problems
