"""The drug library: it loads, its numbers match the clinical spec, and every bad file is refused by name."""

from __future__ import annotations

import hashlib
import os
from decimal import Decimal
from pathlib import Path

import pytest

from ketamine_desktop.domain.library import (
    MAX_LIBRARY_BYTES,
    Library,
    LibraryError,
    load_library,
    parse_library,
)
from tests.helpers.library_edit import DEFAULT_LIBRARY, default_text, replaced
from tests.helpers.runs import count, long_run


def refused(text: str) -> tuple[str, ...]:
    with pytest.raises(LibraryError) as caught:
        parse_library(text.encode("utf-8"), origin="edited.toml")
    assert caught.value.problems, "a refused library names at least one problem"
    for problem in caught.value.problems:
        assert problem.startswith("edited.toml: ")
    return caught.value.problems


def test_default_library_identity(library: Library) -> None:
    assert library.name == "Default ketamine library"
    assert library.version == "1.0.0"
    assert library.sha256 == hashlib.sha256(DEFAULT_LIBRARY.read_bytes()).hexdigest()
    assert library.short_sha256 == library.sha256[:12]


def test_eight_protocols_in_spec_order(library: Library) -> None:
    assert [p.id for p in library.document.protocols] == [
        "acute-bolus",
        "subanesthetic-infusion",
        "icu-infusion",
        "shock",
        "intraoperative",
        "chronic-opioid-tolerant",
        "opioid-weaning",
        "neuropathic-prolonged",
    ]


@pytest.mark.parametrize(
    ("protocol_id", "default", "typical", "soft", "hard"),
    [
        ("subanesthetic-infusion", "0.06", ("0.06", "0.12"), "0.12", "1"),
        ("icu-infusion", "0.5", ("0.5", "2"), "2", "2"),
        ("shock", "0.06", ("0.06", "0.12"), "0.12", "1"),
        ("intraoperative", "0.25", ("0.1", "0.5"), "0.5", "0.5"),
        ("chronic-opioid-tolerant", "0.06", ("0.06", "0.12"), "0.12", "0.5"),
        ("opioid-weaning", "0.5", ("0.5", "0.5"), "0.5", "0.5"),
        ("neuropathic-prolonged", "0.1", ("0.05", "0.35"), "0.35", "0.5"),
    ],
)
def test_infusion_limits_in_mg_per_kg_per_h(
    library: Library, protocol_id: str, default: str, typical: tuple[str, str], soft: str, hard: str
) -> None:
    infusion = library.protocol(protocol_id).infusion
    assert infusion is not None
    assert infusion.default.mg_per_kg_per_h == Decimal(default)
    assert (infusion.typical_min.mg_per_kg_per_h, infusion.typical_max.mg_per_kg_per_h) == (
        Decimal(typical[0]),
        Decimal(typical[1]),
    )
    assert infusion.soft_max.mg_per_kg_per_h == Decimal(soft)
    assert infusion.hard_max.mg_per_kg_per_h == Decimal(hard)


def test_display_unit_follows_the_quoted_typical_range(library: Library) -> None:
    sub = library.protocol("subanesthetic-infusion").infusion
    icu = library.protocol("icu-infusion").infusion
    assert sub is not None and icu is not None
    assert sub.display_unit == "mcg/kg/min"
    assert icu.display_unit == "mg/kg/h"


@pytest.mark.parametrize(
    ("protocol_id", "limits"),
    [
        ("acute-bolus", ("0.15", "0.15", "0.3", "0.3", "0.35")),
        ("subanesthetic-infusion", ("0.5", "0.35", "0.5", "0.5", "0.5")),
        ("icu-infusion", ("0.15", "0.15", "0.3", "0.3", "0.35")),
        ("shock", ("0.5", "0.5", "0.5", "0.5", "0.5")),
        ("intraoperative", (None, "0.15", "0.35", "0.35", "0.5")),
        ("chronic-opioid-tolerant", ("0.35", "0.35", "0.35", "0.35", "0.5")),
    ],
)
def test_bolus_limits(library: Library, protocol_id: str, limits: tuple[str | None, ...]) -> None:
    bolus = library.protocol(protocol_id).bolus
    assert bolus is not None
    got = (
        bolus.default_mg_per_kg,
        bolus.typical_min_mg_per_kg,
        bolus.typical_max_mg_per_kg,
        bolus.soft_max_mg_per_kg,
        bolus.hard_max_mg_per_kg,
    )
    assert got == tuple(None if v is None else Decimal(v) for v in limits)


def test_optional_bolus_and_no_bolus(library: Library) -> None:
    assert library.protocol("icu-infusion").bolus.optional  # type: ignore[union-attr]
    assert library.protocol("intraoperative").bolus.optional  # type: ignore[union-attr]
    assert library.protocol("opioid-weaning").bolus is None
    assert library.protocol("neuropathic-prolonged").bolus is None
    assert library.protocol("acute-bolus").infusion is None


def test_cap_is_flagged_unverified(library: Library) -> None:
    infusion = library.protocol("icu-infusion").infusion
    assert infusion is not None and infusion.cap is not None
    assert infusion.cap.mg_per_h == 100
    assert "unverified" in infusion.cap.flags


def test_lookups_and_citations(library: Library) -> None:
    assert library.schedule("ward-infusion").id == "ward-infusion"
    assert library.sedation_scale("RASS").psychotomimetic_at_or_above == 2
    assert library.citation("SEED-A(1,3)").startswith("Summary article 000_b2e319258397f4ae")
    assert library.citation("NEWS2").startswith("Royal College of Physicians")
    for lookup, missing in (
        (library.protocol, "nope"),
        (library.schedule, "nope"),
        (library.sedation_scale, "NOPE"),
        (library.citation, "NOPE"),
        (library.citation, "not a key"),
    ):
        with pytest.raises(KeyError):
            lookup(missing)


def test_every_source_reference_resolves(library: Library) -> None:
    """Every cited key in the file resolves to a full reference (the loader checks it; this proves it)."""
    text = default_text()
    assert text.count("sources = [") > 50
    for protocol in library.document.protocols:
        for ref in protocol.sources:
            assert library.citation(ref)


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LibraryError) as caught:
        load_library(tmp_path / "absent.toml")
    assert "cannot read" in caught.value.problems[0]


def test_not_utf8() -> None:
    with pytest.raises(LibraryError) as caught:
        parse_library(b"\xff\xfe", origin="x")
    assert "not UTF-8" in caught.value.problems[0]


def test_syntax_error_names_the_line() -> None:
    (problem,) = refused(default_text().replace('version = "1.0.0"', 'version = "1.0.0'))
    assert "TOML syntax error" in problem
    assert "line" in problem


def test_schema_errors_are_all_named_with_their_place() -> None:
    text = replaced("min_kg = 20", "min_kg = -20")
    text = replaced('sedation_scale = "POSS"', 'sedation_scale = "GCS"', text=text)
    problems = refused(text)
    assert any("weight.min_kg" in p for p in problems)
    assert any("protocols.0.sedation_scale" in p for p in problems)


def test_nan_and_infinity_are_refused() -> None:
    problems = refused(replaced("max_kg = 350", "max_kg = nan"))
    assert any("weight.max_kg" in p for p in problems)
    problems = refused(replaced("max_kg = 350", "max_kg = inf"))
    assert any("weight.max_kg" in p for p in problems)


def test_unknown_field_is_refused() -> None:
    problems = refused(replaced("min_kg = 20", "min_kg = 20\nminimum_kg = 20"))
    assert any("weight.minimum_kg" in p for p in problems)


def test_soft_above_hard_is_refused() -> None:
    problems = refused(
        replaced(
            'soft_max = { value = 2, unit = "mg/kg/h" }\nhard_max = { value = 2, unit = "mg/kg/h" }',
            'soft_max = { value = 3, unit = "mg/kg/h" }\nhard_max = { value = 2, unit = "mg/kg/h" }',
        )
    )
    assert any(
        "(icu-infusion).infusion: soft max 3 mg/kg/h is above hard max 2 mg/kg/h" in p for p in problems
    )
    assert any("typical max" not in p for p in problems)


def test_default_outside_hard_limit_is_refused() -> None:
    problems = refused(replaced("default_mg_per_kg = 0.15", "default_mg_per_kg = 0.4"))
    assert any("(acute-bolus).bolus: default 0.4 mg/kg is above hard max 0.35 mg/kg" in p for p in problems)


def test_typical_range_reversed_or_above_soft_is_refused() -> None:
    text = replaced(
        "typical_min_mg_per_kg = 0.15\ntypical_max_mg_per_kg = 0.3",
        "typical_min_mg_per_kg = 0.3\ntypical_max_mg_per_kg = 0.2",
    )
    assert any("typical range 0.3-0.2 mg/kg is reversed" in p for p in refused(text))
    text = replaced(
        "typical_max_mg_per_kg = 0.3\nsoft_max_mg_per_kg = 0.3",
        "typical_max_mg_per_kg = 0.32\nsoft_max_mg_per_kg = 0.3",
    )
    assert any("typical max 0.32 mg/kg is above soft max 0.3 mg/kg" in p for p in refused(text))


def test_unknown_source_key_is_refused() -> None:
    problems = refused(
        replaced(
            'sources = ["SEED-A(2)", "ASRA-ACUTE", "ED-PROTOCOL", "MOTOV-2017"]', 'sources = ["SEED-Z(2)"]'
        )
    )
    assert any("protocols[0].sources: unknown source 'SEED-Z(2)'" in p for p in problems)


def test_malformed_source_reference_is_refused() -> None:
    problems = refused(replaced('grading_sources = ["ASRA-CHRONIC"]', 'grading_sources = ["asra chronic"]'))
    assert any("screening.grading_sources: malformed source reference 'asra chronic'" in p for p in problems)


def test_unknown_schedule_is_refused() -> None:
    problems = refused(replaced('schedule = "bolus-only"', 'schedule = "bolus-once"'))
    assert any("protocols[0] (acute-bolus).schedule: unknown schedule 'bolus-once'" in p for p in problems)
    problems = refused(
        replaced('after_stop_schedule = "after-stop"', 'after_stop_schedule = "after-stopping"')
    )
    assert any("after_stop_schedule: unknown schedule 'after-stopping'" in p for p in problems)


def test_duplicate_ids_are_refused() -> None:
    problems = refused(replaced('id = "shock"', 'id = "acute-bolus"'))
    assert any("protocols: duplicate id 'acute-bolus'" in p for p in problems)
    problems = refused(replaced('key = "CHEO"', 'key = "LABEL"'))
    assert any("sources: duplicate id 'LABEL'" in p for p in problems)


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = replaced('id = "shock"', 'id = "acute-bolus"')
    text = replaced('schedule = "bolus-only"', 'schedule = "bolus-once"', text=text)
    text = replaced("default_mg_per_kg = 0.15", "default_mg_per_kg = 0.4", text=text)
    assert len(refused(text)) >= 3


def test_weight_and_concentration_consistency() -> None:
    assert any(
        "plausible_min_kg" in p for p in refused(replaced("plausible_min_kg = 40", "plausible_min_kg = 10"))
    )
    text = replaced("custom_min_mg_per_ml = 0.5", "custom_min_mg_per_ml = 20")
    assert any("custom_min_mg_per_ml must be below" in p for p in refused(text))
    text = replaced("infusion_default_mg_per_ml = 1", "infusion_default_mg_per_ml = 3")
    assert any("infusion_default_mg_per_ml" in p for p in refused(text))
    text = replaced("bolus_default_mg_per_ml = 10", "bolus_default_mg_per_ml = 3")
    assert any("bolus_default_mg_per_ml" in p for p in refused(text))
    text = replaced("undiluted_vial_mg_per_ml = [50, 100]", "undiluted_vial_mg_per_ml = [10, 100]")
    assert any("10 mg/mL is also listed as standard" in p for p in refused(text))


def test_protocol_needs_bolus_or_infusion_and_known_scale() -> None:
    start = default_text().index(
        '[protocols.infusion]\ndefault = { value = 0.5, unit = "mg/kg/h" }\ntypical_min = { value = 0.5, unit = "mg/kg/h" }\ntypical_max = { value = 0.5'
    )
    end = default_text().index("[[protocols.notes]]", start)
    text = default_text()[:start] + default_text()[end:]
    assert any("(opioid-weaning): has neither a bolus nor an infusion" in p for p in refused(text))
    text = replaced('id = "RASS"', 'id = "POSS"')
    problems = refused(text)
    assert any("sedation_scales: duplicate id 'POSS'" in p for p in problems)
    assert any("sedation_scale: unknown scale 'RASS'" in p for p in problems)


def test_bolus_rules() -> None:
    text = replaced("optional = false\ndefault_mg_per_kg = 0.15\n", "optional = false\n")
    assert any("needs default_mg_per_kg" in p for p in refused(text))
    text = replaced("over_min_default = 20", "over_min_default = 90")
    assert any("over_min_default 90 is outside" in p for p in refused(text))
    text = replaced("over_min_soft_below = 15", "over_min_soft_below = 2")
    assert any("over_min_soft_below 2 is outside" in p for p in refused(text))


def test_infusion_typical_units_must_match() -> None:
    text = replaced(
        'typical_max = { value = 2, unit = "mcg/kg/min" }', 'typical_max = { value = 0.12, unit = "mg/kg/h" }'
    )
    assert any("same unit" in p for p in refused(text))


def test_schedule_phase_rules() -> None:
    text = replaced(
        "{ every_min = 15, until_min = 60 },\n  { every_min = 30, until_min = 180 },\n  { every_min = 60, until_min = 1440 },",
        "{ every_min = 15 },\n  { every_min = 30, until_min = 180 },\n  { every_min = 60, until_min = 1440 },",
    )
    assert any("only the last phase may run until the infusion stops" in p for p in refused(text))
    text = replaced(
        "{ every_min = 30, until_min = 180 },\n  { every_min = 60, until_min = 1440 },",
        "{ every_min = 30, until_min = 180 },\n  { every_min = 60, until_min = 120 },",
    )
    assert any("until_min 120 does not come after 180" in p for p in refused(text))
    text = replaced(
        "{ every_min = 30, until_min = 180 },\n  { every_min = 60, until_min = 1440 },",
        "{ every_min = 30, until_min = 170 },\n  { every_min = 60, until_min = 1440 },",
    )
    assert any("30-min steps do not reach until_min 170" in p for p in refused(text))
    text = replaced("retighten_on = []\nsources = []", 'retighten_on = ["bolus"]\nsources = []')
    assert any("retighten_on is set but there are no retighten phases" in p for p in refused(text))
    text = replaced(
        'phases = [{ every_min = 15, until_min = 60 }]\n\n[[schedules]]\nid = "bolus-only"',
        'phases = [{ every_min = 15 }]\n\n[[schedules]]\nid = "bolus-only"',
    )
    assert any("a re-tightening window must end" in p for p in refused(text))


def test_news2_band_rules() -> None:
    text = replaced("{ min = 9, max = 11, score = 1 },", "{ min = 10, max = 11, score = 1 },")
    assert any("(respiration_rate): bands must follow on without gap or overlap" in p for p in refused(text))
    text = replaced("{ min = 21, max = 24, score = 2 },", "{ min = 21, max = 20, score = 2 },")
    assert any("band 21-20 is reversed" in p for p in refused(text))
    text = replaced("{ max = 8, score = 3 },", "{ min = 0, max = 8, score = 3 },")
    assert any("first band must be open below" in p for p in refused(text))
    text = replaced("{ min = 25, score = 3 },", "{ min = 25, max = 80, score = 3 },")
    assert any("last band must be open above" in p for p in refused(text))
    text = replaced('id = "pulse"', 'id = "spo2"')
    problems = refused(text)
    assert any("news2.parameters: duplicate id 'spo2'" in p for p in problems)
    assert any("news2.parameters: missing 'pulse'" in p for p in problems)


def test_a_file_over_1_mib_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    path.write_bytes(b"#" * (MAX_LIBRARY_BYTES + 1))
    with pytest.raises(LibraryError, match=r"larger than a library may be \(1 MiB\)"):
        load_library(path)


def test_a_device_or_folder_is_not_a_library(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="not a regular file"):
        load_library(Path("/dev/zero"))
    with pytest.raises(LibraryError, match="not a regular file"):
        load_library(tmp_path)


@pytest.mark.parametrize("data", [b"", b"  \n\n"])
def test_an_empty_file_is_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "empty.toml"
    path.write_bytes(data)
    with pytest.raises(LibraryError, match="the file is empty"):
        load_library(path)


def test_a_file_that_grows_past_the_limit_while_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "growing.toml"
    path.write_bytes(b"#" * 10)
    monkeypatch.setattr("ketamine_desktop.domain.library.MAX_LIBRARY_BYTES", 4)
    real_stat = Path.stat

    def small_stat(self: Path, **kwargs: object) -> os.stat_result:
        info = real_stat(self)
        return os.stat_result((info.st_mode, *info[1:6], 1, *info[7:]))  # st_size 1

    monkeypatch.setattr(Path, "stat", small_stat)
    with pytest.raises(LibraryError, match="larger than a library may be"):
        load_library(path)


def _flip_trials(count: int, seed: int) -> tuple[int, int]:
    """Flip one byte at `count` random places; return (refused, total). Recipe 17."""
    import random

    rng = random.Random(seed)
    data = DEFAULT_LIBRARY.read_bytes()
    approved = hashlib.sha256(data).hexdigest()
    refused_count = 0
    for _ in range(count):
        position = rng.randrange(len(data))
        flipped = bytearray(data)
        flipped[position] ^= 1 << rng.randrange(8)
        try:
            library = parse_library(bytes(flipped), origin="flipped")
        except LibraryError as exc:
            assert exc.problems and all(p.startswith("flipped") for p in exc.problems)
            refused_count += 1
            continue
        if library.sha256 != approved:
            refused_count += 1  # its signature no longer matches (tests/reliability/test_library_trust.py)
    return refused_count, count


@pytest.mark.long_run
def test_byte_flips_are_all_refused() -> None:
    trials = count(300, long=10_000)
    assert _flip_trials(trials, seed=1717 if long_run() else 17) == (trials, trials)


def test_grace_table_rules() -> None:
    text = replaced(
        "{ interval_max_min = 15, grace_min = 5 },\n  { interval_max_min = 30, grace_min = 10 },",
        "{ interval_max_min = 30, grace_min = 10 },\n  { interval_max_min = 15, grace_min = 5 },",
    )
    assert any("must rise strictly" in p for p in refused(text))
    text = replaced("  { grace_min = 15 },\n", "  { interval_max_min = 60, grace_min = 15 },\n")
    assert any("exactly one entry, the last, must be open-ended" in p for p in refused(text))
    text = replaced("  { interval_max_min = 15, grace_min = 5 },\n", "  { grace_min = 5 },\n")
    assert any("exactly one entry, the last, must be open-ended" in p for p in refused(text))


def test_escalation_rules_that_could_never_fire_are_refused_at_load() -> None:
    text = replaced('[{ field = "poss", equals = ["4"] }],', '[{ field = "poss", min = 4 }],')
    assert any(
        "escalation[0] (stop-infusion).when[0][0]: poss is a scale level: test it with equals" in p
        for p in refused(text)
    )
    text = replaced('when = [[{ field = "nausea", is_true = true }]]', "when = [[]]")
    assert any("(nausea).when[0]: an empty group would fire on every check" in p for p in refused(text))


def test_default_outside_the_typical_range_is_refused() -> None:
    """A default below the usual range would raise a finding on every untouched regimen (alert fatigue)."""
    problems = refused(replaced("default_mg_per_kg = 0.15", "default_mg_per_kg = 0.1"))
    assert any(
        "(acute-bolus).bolus: default 0.1 mg/kg is outside the typical range 0.15-0.3 mg/kg" in p
        for p in problems
    )
