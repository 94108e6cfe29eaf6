"""HL7 FHIR R4 (4.0.1) export: the session as a Bundle of type `collection`.

What goes in:
- a MedicationAdministration for every bolus (dose in mg) and every stretch of the infusion at one pump
  rate (`domain.handover.infusion_segments`: rate in mL/h, the dose it delivers in mg/kg/h and mcg/kg/min in
  the dosage text, the mg delivered over the stretch once it has ended); ketamine coded in RxNorm and ATC;
- an Observation per vital sign, after the R4 vital-signs profile (category `vital-signs`, LOINC, UCUM):
  respiratory rate 9279-1, heart rate 8867-4, SpO2 by pulse oximetry 59408-5 (with 2708-6), the blood
  pressure panel 85354-9 with systolic 8480-6 and diastolic 8462-4 (diastolic marked absent where the
  record holds none: records written before it was charted), body temperature 8310-5, body weight
  29463-7 (the start's);
- the NEWS2 total, sedation (POSS or RASS), ACVPU, pain (LOINC 72514-3) and each side effect as
  Observations, with text where LOINC has no code we can name with confidence;
- a Provenance naming the app and its version, the drug library (name, version, SHA-256) and the record's
  head hash and record count, targeting every resource.

No patient identifier goes in unless one is given (`subject`, e.g. "Patient/123"); the bed and the initials
are display text only. A training record's resources carry the security label HTEST (test health data).
Ids are name-based UUIDs of the session and record, so the same record exports the same ids.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ketamine_desktop import __version__
from ketamine_desktop.domain.handover import bolus_doses, infusion_segments, segment_mg
from ketamine_desktop.domain.session import ObservationPayload, Recorded
from ketamine_desktop.domain.units import round_half_up
from ketamine_desktop.export.source import ExportSource
from ketamine_desktop.json_text import decimal_text

__all__ = ["SUBJECT_PATTERN", "bundle_json", "fhir_bundle", "subject_problem"]

Json = dict[str, Any]

UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
VITAL_SIGNS_PROFILE = "http://hl7.org/fhir/StructureDefinition/vitalsigns"
KETAMINE: Json = {
    "coding": [
        {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "6130", "display": "ketamine"},
        {"system": "http://www.whocc.no/atc", "code": "N01AX03", "display": "ketamine"},
    ],
    "text": "Ketamine",
}
IV_ROUTE: Json = {"coding": [{"system": SNOMED, "code": "47625008", "display": "Intravenous route"}]}
# A reference to a resource type and id on the receiving server, e.g. Patient/123 (FHIR's reference form).
SUBJECT_PATTERN = re.compile(r"^(Patient|Group)/[A-Za-z0-9\-.]{1,64}$")
_NAMESPACE = uuid.UUID("6f1d3a52-7c1e-4b1e-9a53-4b5f0b7c9d10")  # this app's: ids are stable per record
_PRECISION = Decimal("0.001")


def subject_problem(subject: str) -> str | None:
    """Why `subject` is not a usable reference (None: it is)."""
    if SUBJECT_PATTERN.match(subject) is None:
        return f"must be a reference such as Patient/123 ({subject!r})"
    return None


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _quantity(value: Decimal, unit: str, code: str | None = None) -> Json:
    return {"value": round_half_up(value, _PRECISION), "unit": unit, "system": UCUM, "code": code or unit}


def _concept(code: str | None, display: str, system: str = LOINC) -> Json:
    if code is None:
        return {"text": display}
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


class _Builder:
    def __init__(self, source: ExportSource, subject: str | None, now: datetime) -> None:
        self.source = source
        self.now = now
        start = source.state.start
        who = ", ".join(x for x in (start.bed_label, start.patient_initials) if x)
        self.subject: Json = {"display": who}
        if subject is not None:
            self.subject = {"reference": subject, "display": who}
        else:
            self.subject = {"type": "Patient", "display": who}
        self.entries: list[Json] = []

    def uid(self, *parts: object) -> str:
        return str(uuid.uuid5(_NAMESPACE, ":".join(str(p) for p in (self.source.session_id, *parts))))

    def add(self, resource: Json, *key: object) -> str:
        ident = self.uid(resource["resourceType"], *key)
        resource = {"resourceType": resource["resourceType"], "id": ident, **resource}
        if self.source.training:
            resource["meta"] = {
                **resource.get("meta", {}),
                "security": [{"system": ACT_REASON, "code": "HTEST", "display": "test health data"}],
            }
        url = f"urn:uuid:{ident}"
        self.entries.append({"fullUrl": url, "resource": resource})
        return url

    # --- Medication ---

    def medication(self) -> None:
        state = self.source.state
        weight = state.start.regimen.weight_kg
        for dose in bolus_doses(state):
            bolus = dose.bolus
            self.add(
                {
                    "resourceType": "MedicationAdministration",
                    "status": "completed",
                    "medicationCodeableConcept": KETAMINE,
                    "subject": self.subject,
                    "effectiveDateTime": _instant(dose.at),
                    "performer": [{"actor": {"display": self._by(dose.seq)}}],
                    "dosage": {
                        "text": (
                            f"Bolus {_plain(bolus.delivered_mg)} mg ({_plain(bolus.dose_mg_per_kg)} mg/kg "
                            f"of {_plain(weight)} kg) = {_plain(bolus.volume_ml)} mL of "
                            f"{_plain(bolus.concentration_mg_per_ml)} mg/mL over {_plain(bolus.over_min)} min"
                        ),
                        "route": IV_ROUTE,
                        "dose": _quantity(bolus.delivered_mg, "mg"),
                        "rateQuantity": _quantity(bolus.rate_ml_per_h, "mL/h"),
                    },
                },
                "bolus",
                dose.seq,
            )
        for segment in infusion_segments(state):
            infusion = segment.infusion
            period: Json = {"start": _instant(segment.start)}
            dosage: Json = {
                "text": (
                    f"Infusion {_plain(infusion.rate_ml_per_h)} mL/h of "
                    f"{_plain(infusion.concentration_mg_per_ml)} mg/mL = "
                    f"{_plain(infusion.delivered_mg_per_h)} mg/h = "
                    f"{_plain(infusion.delivered_mg_per_kg_per_h)} mg/kg/h = "
                    f"{_plain(infusion.delivered_mcg_per_kg_per_min)} mcg/kg/min ({_plain(weight)} kg)"
                ),
                "route": IV_ROUTE,
                "rateQuantity": _quantity(infusion.rate_ml_per_h, "mL/h"),
            }
            if segment.end is not None:
                period["end"] = _instant(segment.end)
                dosage["dose"] = _quantity(segment_mg(segment, segment.start, segment.end), "mg")
            self.add(
                {
                    "resourceType": "MedicationAdministration",
                    "status": "completed" if segment.end is not None else "in-progress",
                    "medicationCodeableConcept": KETAMINE,
                    "subject": self.subject,
                    "effectivePeriod": period,
                    "performer": [{"actor": {"display": self._by(segment.seq)}}],
                    "dosage": dosage,
                },
                "infusion",
                segment.seq,
            )

    def _by(self, seq: int) -> str:
        return next(r.recorded_by for r in self.source.stored if r.seq == seq)

    # --- Observations ---

    def observations(self) -> None:
        state = self.source.state
        start = state.start
        self.add(
            self._vital(
                "29463-7", "Body weight", _instant(start.started_at), _quantity(start.regimen.weight_kg, "kg")
            ),
            "weight",
        )
        scale = state.protocol.sedation_scale
        for recorded in state.observations:
            for key, resource in self._observation(recorded, scale):
                self.add(resource, recorded.seq, key)

    def _vital(self, code: str, display: str, at: str, value: Json, *extra: Json) -> Json:
        return {
            "resourceType": "Observation",
            "meta": {"profile": [VITAL_SIGNS_PROFILE]},
            "status": "final",
            "category": [self._category("vital-signs", "Vital Signs")],
            "code": {
                "coding": [{"system": LOINC, "code": code, "display": display}, *extra],
                "text": display,
            },
            "subject": self.subject,
            "effectiveDateTime": at,
            "valueQuantity": value,
        }

    def _category(self, code: str, display: str) -> Json:
        return {"coding": [{"system": OBS_CATEGORY, "code": code, "display": display}]}

    def _scored(self, concept: Json, at: str, category: str, **value: Any) -> Json:
        return {
            "resourceType": "Observation",
            "status": "final",
            "category": [self._category(category, category.capitalize())],
            "code": concept,
            "subject": self.subject,
            "effectiveDateTime": at,
            **value,
        }

    def _observation(self, recorded: Recorded[ObservationPayload], scale: str) -> Iterator[tuple[str, Json]]:
        body = recorded.body
        obs = body.observation
        at = _instant(body.taken_at)
        if obs.respiration_rate is not None:
            yield (
                "rr",
                self._vital(
                    "9279-1", "Respiratory rate", at, _quantity(Decimal(obs.respiration_rate), "/min")
                ),
            )
        if obs.pulse is not None:
            yield "hr", self._vital("8867-4", "Heart rate", at, _quantity(Decimal(obs.pulse), "/min"))
        if obs.spo2 is not None:
            spo2 = self._vital(
                "59408-5",
                "Oxygen saturation in Arterial blood by Pulse oximetry",
                at,
                _quantity(Decimal(obs.spo2), "%"),
                {"system": LOINC, "code": "2708-6", "display": "Oxygen saturation in Arterial blood"},
            )
            if obs.oxygen is not None:
                spo2["note"] = [{"text": "on supplemental oxygen" if obs.oxygen else "on room air"}]
            yield "spo2", spo2
        if obs.systolic_bp is not None:
            diastolic: dict[str, object] = (
                {"valueQuantity": _quantity(Decimal(obs.diastolic_bp), "mmHg", "mm[Hg]")}
                if obs.diastolic_bp is not None
                else {
                    "dataAbsentReason": {
                        "coding": [{"system": ABSENT, "code": "not-performed", "display": "Not Performed"}]
                    }
                }
            )
            bp = self._vital("85354-9", "Blood pressure panel with all children optional", at, {})
            del bp["valueQuantity"]
            bp["component"] = [
                {
                    "code": _concept("8480-6", "Systolic blood pressure"),
                    "valueQuantity": _quantity(Decimal(obs.systolic_bp), "mmHg", "mm[Hg]"),
                },
                {"code": _concept("8462-4", "Diastolic blood pressure"), **diastolic},
            ]
            yield "bp", bp
        if obs.temperature is not None:
            yield "temp", self._vital("8310-5", "Body temperature", at, _quantity(obs.temperature, "Cel"))
        news2 = body.assessment.news2
        yield (
            "news2",
            self._scored(
                _concept(None, "NEWS2 total score"),
                at,
                "survey",
                valueInteger=news2.total,
                interpretation=[
                    {"text": f"{news2.risk} risk" + ("" if news2.complete else " (parameters missing)")}
                ],
            ),
        )
        if obs.poss is not None and scale == "POSS":
            yield (
                "poss",
                self._scored(
                    _concept(None, "Pasero Opioid-induced Sedation Scale (POSS)"),
                    at,
                    "exam",
                    valueString=obs.poss,
                ),
            )
        if obs.rass is not None:
            yield (
                "rass",
                self._scored(
                    _concept(None, "Richmond Agitation-Sedation Scale (RASS)"),
                    at,
                    "exam",
                    valueInteger=obs.rass,
                ),
            )
        if obs.consciousness is not None:
            yield (
                "acvpu",
                self._scored(
                    _concept(None, "Level of consciousness (ACVPU)"),
                    at,
                    "exam",
                    valueString=obs.consciousness,
                ),
            )
        if obs.pain is not None:
            yield (
                "pain",
                self._scored(
                    _concept("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
                    at,
                    "survey",
                    valueInteger=obs.pain,
                ),
            )
        for name in ("hallucinations", "dysphoria", "nightmares", "nausea"):
            if getattr(obs, name):
                yield (
                    name,
                    self._scored(
                        _concept(None, f"Adverse effect of ketamine: {name}"), at, "exam", valueBoolean=True
                    ),
                )

    # --- Provenance ---

    def provenance(self) -> None:
        source = self.source
        regimen = source.state.start.regimen
        targets = [{"reference": entry["fullUrl"]} for entry in self.entries]
        self.add(
            {
                "resourceType": "Provenance",
                "target": targets,
                "recorded": _instant(self.now),
                "agent": [
                    {
                        "type": {
                            "coding": [{"system": PARTICIPANT, "code": "assembler", "display": "Assembler"}]
                        },
                        "who": {"display": f"Ketamine Desktop {__version__}"},
                    }
                ],
                "entity": [
                    {
                        "role": "source",
                        "what": {
                            "identifier": {
                                "system": "urn:ketamine-desktop:record-head-sha256",
                                "value": source.head_hash,
                            },
                            "display": (
                                f"Record head hash {source.head_hash} ({source.record_count} records); "
                                f"session {source.session_id}"
                            ),
                        },
                    },
                    {
                        "role": "source",
                        "what": {
                            "identifier": {
                                "system": "urn:ketamine-desktop:library-sha256",
                                "value": regimen.library_sha256,
                            },
                            "display": (
                                f"Drug library {regimen.library_name} {regimen.library_version}, "
                                f"SHA-256 {regimen.library_sha256}"
                            ),
                        },
                    },
                ],
            },
            "provenance",
            source.head_hash,
        )


def _plain(value: Decimal) -> str:
    return decimal_text(round_half_up(value, _PRECISION))


def fhir_bundle(source: ExportSource, now: datetime, subject: str | None = None) -> Json:
    """The session as an R4 `collection` Bundle (plain JSON data; Decimals stay Decimal)."""
    builder = _Builder(source, subject, now)
    builder.medication()
    builder.observations()
    builder.provenance()
    bundle: Json = {
        "resourceType": "Bundle",
        "id": builder.uid("bundle", source.head_hash),
        "identifier": {
            "system": "urn:ietf:rfc:3986",
            "value": f"urn:uuid:{builder.uid('bundle', source.head_hash)}",
        },
        "type": "collection",
        "timestamp": _instant(now),
        "entry": builder.entries,
    }
    if source.training:
        bundle["meta"] = {
            "security": [{"system": ACT_REASON, "code": "HTEST", "display": "test health data"}]
        }
    return bundle


def bundle_json(bundle: Json) -> str:
    """The bundle as compact JSON text, every Decimal written with exactly its digits.

    `json.dumps` (its C encoder) writes everything but the Decimals, which it hands to `default`: each
    becomes a string holding a marker unique to this call, and the quotes around the marker are taken off
    afterwards. A float is never involved; a 14-day bundle is written in a fraction of a second.
    """
    marker = f"\u0000{uuid.uuid4().hex}:"

    def default(value: object) -> str:
        if isinstance(value, Decimal):
            return marker + decimal_text(value)
        raise TypeError(f"not JSON: {type(value).__name__}")

    text = json.dumps(bundle, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=default)
    quoted = json.dumps(marker)[:-1]  # the marker as it appears in the JSON text, after its opening quote
    return re.sub(re.escape(quoted) + r'(-?[0-9]+(?:\.[0-9]+)?)"', r"\1", text)
