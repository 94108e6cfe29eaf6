"""The FHIR R4 export, checked by two maintained validators (test dependencies only, never shipped):

- `fhirclient` (SMART on FHIR): its models are generated from FHIR 4.0.1 (R4) itself; `strict=True` refuses
  unknown elements, missing required elements and wrong types in every resource of the bundle;
- `fhir.resources` (pydantic models; R4B, which leaves the resources used here as R4 has them): also
  checks the primitive types' formats (dateTime, decimal, uri, id) and the choice types.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle as R4BBundle
from fhirclient.models.bundle import Bundle as R4Bundle
from fhirclient.models.fhirabstractbase import FHIRValidationError

from ketamine_desktop import json_text
from ketamine_desktop.domain.handover import bolus_doses, infusion_segments
from ketamine_desktop.export.fhir import fhir_bundle
from ketamine_desktop.export.source import load_session
from ketamine_desktop.store.snapshot import read_snapshot
from tests.export.shift import night_ledger, write
from tests.helpers.builders import library

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def validate(bundle: dict[str, Any]) -> None:
    """Raises when either validator refuses the bundle."""
    data = json.loads(json_text.dumps(bundle))
    R4Bundle(data, strict=True)
    R4BBundle.model_validate(data)


def _bundle(data_dir: Path, subject: str | None = None) -> dict[str, Any]:
    source = load_session(read_snapshot(data_dir), library(), None)
    return json.loads(json_text.dumps(fhir_bundle(source, NOW, subject)))


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _codes(resource: dict[str, Any]) -> set[str]:
    return {c["code"] for c in resource["code"].get("coding", [])}


def test_the_night_is_a_valid_r4_collection(night_dir: Path) -> None:
    bundle = _bundle(night_dir)
    validate(bundle)
    assert (bundle["resourceType"], bundle["type"], bundle["timestamp"]) == (
        "Bundle",
        "collection",
        "2026-11-22T08:00:00Z",
    )
    kinds = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    state = load_session(read_snapshot(night_dir), library(), None).state
    assert kinds["MedicationAdministration"] == len(bolus_doses(state)) + len(infusion_segments(state))
    assert kinds["Provenance"] == 1
    assert len({e["fullUrl"] for e in bundle["entry"]}) == len(bundle["entry"])


def test_medication_administrations_carry_ucum_doses_and_rates(night_dir: Path) -> None:
    administrations = _resources(_bundle(night_dir), "MedicationAdministration")
    bolus, first, *rest = administrations
    assert bolus["dosage"]["dose"] == {
        "value": 25,
        "unit": "mg",
        "system": "http://unitsofmeasure.org",
        "code": "mg",
    }
    assert first["effectivePeriod"] == {"start": "2026-11-21T20:00:00Z", "end": "2026-11-21T21:00:00Z"}
    assert (
        first["dosage"]["rateQuantity"]["code"] == "mL/h" and first["dosage"]["rateQuantity"]["value"] == 4.2
    )
    assert first["dosage"]["dose"]["value"] == 4.2  # one hour at 4.2 mg/h
    assert "0.06 mg/kg/h = 1 mcg/kg/min" in first["dosage"]["text"]
    assert all(a["status"] == "completed" for a in administrations)  # the night ends with the stop
    assert {a["medicationCodeableConcept"]["coding"][0]["code"] for a in administrations} == {"6130"}
    assert [a["dosage"]["rateQuantity"]["value"] for a in rest] == [6.3, 2.1, 2.1]


def test_vital_signs_follow_the_r4_profile(night_dir: Path) -> None:
    observations = _resources(_bundle(night_dir), "Observation")
    vitals = [o for o in observations if o["category"][0]["coding"][0]["code"] == "vital-signs"]
    codes = Counter(next(iter(sorted(_codes(o) - {"2708-6"}))) for o in vitals)
    assert set(codes) == {"9279-1", "8867-4", "59408-5", "85354-9", "8310-5", "29463-7"}
    for vital in vitals:
        assert vital["meta"]["profile"] == ["http://hl7.org/fhir/StructureDefinition/vitalsigns"]
        assert vital["status"] == "final" and vital["subject"]["display"] == "Bed 12, JD"
        assert "reference" not in vital["subject"]
    bp = next(o for o in vitals if "85354-9" in _codes(o))
    systolic, diastolic = bp["component"]
    assert systolic["valueQuantity"]["code"] == "mm[Hg]" and _codes(systolic) == {"8480-6"}
    assert _codes(diastolic) == {"8462-4"}
    bps = [o for o in vitals if "85354-9" in _codes(o)]
    # Charted with the systolic since issue 9; a check recorded without it says it is absent.
    assert all("valueQuantity" in o["component"][1] or "dataAbsentReason" in o["component"][1] for o in bps)
    assert any(o["component"][1].get("valueQuantity", {}).get("code") == "mm[Hg]" for o in bps)
    spo2 = next(o for o in vitals if "59408-5" in _codes(o))
    assert _codes(spo2) == {"59408-5", "2708-6"} and spo2["valueQuantity"]["code"] == "%"
    temp = next(o for o in vitals if "8310-5" in _codes(o))
    assert temp["valueQuantity"]["code"] == "Cel"
    texts = {o["code"]["text"] for o in observations}
    assert {
        "NEWS2 total score",
        "Pasero Opioid-induced Sedation Scale (POSS)",
        "Level of consciousness (ACVPU)",
    } <= texts
    pain = [o for o in observations if "72514-3" in _codes(o)]
    assert pain and {p["valueInteger"] for p in pain} == {6, 3}


def test_provenance_names_the_app_the_library_and_the_head(night_dir: Path) -> None:
    bundle = _bundle(night_dir)
    [provenance] = _resources(bundle, "Provenance")
    head = read_snapshot(night_dir).head_hash
    assert provenance["agent"][0]["who"]["display"].startswith("Ketamine Desktop ")
    values = [e["what"]["identifier"]["value"] for e in provenance["entity"]]
    assert values == [head, library().sha256]
    assert "Default ketamine library 1.0.0" in provenance["entity"][1]["what"]["display"]
    assert len(provenance["target"]) == len(bundle["entry"]) - 1


def test_a_subject_is_only_there_when_given(night_dir: Path) -> None:
    text = json.dumps(_bundle(night_dir))
    assert '"reference": "Patient/' not in text
    bundle = _bundle(night_dir, "Patient/123")
    validate(bundle)
    subjects = [e["resource"]["subject"] for e in bundle["entry"] if "subject" in e["resource"]]
    assert subjects and all(s == {"reference": "Patient/123", "display": "Bed 12, JD"} for s in subjects)


def test_the_same_record_exports_the_same_ids(night_dir: Path) -> None:
    assert [e["fullUrl"] for e in _bundle(night_dir)["entry"]] == [
        e["fullUrl"] for e in _bundle(night_dir)["entry"]
    ]


def test_training_and_running_sessions(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ledger = night_ledger(stop=False, hours=2)
    ledger.record_check(None, hallucinations=True, nausea=True, rass=None)
    write(data, ledger, session_id="training-x")
    bundle = _bundle(data)
    validate(bundle)
    labels = [e["resource"]["meta"]["security"][0]["code"] for e in bundle["entry"]]
    assert set(labels) == {"HTEST"} and bundle["meta"]["security"][0]["code"] == "HTEST"
    administrations = _resources(bundle, "MedicationAdministration")
    assert (
        administrations[-1]["status"] == "in-progress" and "end" not in administrations[-1]["effectivePeriod"]
    )
    effects = {o["code"]["text"] for o in _resources(bundle, "Observation") if "valueBoolean" in o}
    assert effects == {"Adverse effect of ketamine: hallucinations", "Adverse effect of ketamine: nausea"}


@pytest.mark.parametrize("mutation", ["unknown element", "missing status", "bad dateTime", "text as number"])
def test_the_validators_would_catch_a_broken_resource(night_dir: Path, mutation: str) -> None:
    bundle = copy.deepcopy(_bundle(night_dir))
    observation = _resources(bundle, "Observation")[1]
    if mutation == "unknown element":
        observation["dose"] = 1
    elif mutation == "missing status":
        del observation["status"]
    elif mutation == "bad dateTime":
        observation["effectiveDateTime"] = "21/11/2026 20:00"
    else:
        observation["valueQuantity"]["value"] = "four"
    with pytest.raises(FHIRValidationError):
        R4Bundle(bundle, strict=True)
    with pytest.raises(ValueError):
        R4BBundle.model_validate(bundle)


def test_bundle_json_writes_decimals_exactly_and_leaves_text_alone() -> None:
    from decimal import Decimal

    from ketamine_desktop.export.fhir import bundle_json

    value = {
        "q": [Decimal("4.20"), Decimal("-0.5"), Decimal("100"), Decimal("0.001")],
        "t": "\x00abc:1",
        "u": "4.2",
    }
    text = bundle_json(value)
    assert text == '{"q":[4.2,-0.5,100,0.001],"t":"\\u0000abc:1","u":"4.2"}'
    with pytest.raises(TypeError):
        bundle_json({"x": object()})


def test_the_exported_file_is_the_bundle(night_dir: Path, tmp_path: Path) -> None:
    from tests.export.test_export_cli import _export

    out = tmp_path / "b.json"
    assert _export(night_dir, out, "fhir")[0] == 0
    written = json.loads(out.read_text("utf-8"))
    validate(written)
    expected = _bundle(night_dir)["entry"]
    assert written["entry"][:-1] == expected[:-1]  # the Provenance says when it was made
    assert written["entry"][-1]["resource"]["entity"] == expected[-1]["resource"]["entity"]
