"""The titration card and the syringe label."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketamine_desktop.domain.titration import DRUG_NAME, round_step, syringe_label, titration_card
from tests.helpers.builders import BOLUS_ONLY, ICU, T0, WARD, Ledger, dose, library, start_draft


def test_ward_card_runs_from_the_usual_dose_to_the_hard_max_with_limits_marked() -> None:
    card = titration_card(library(), WARD, Decimal(70), Decimal(1), running=dose("1.5"))
    assert card.unit == "mcg/kg/min"
    first, running, last = card.rows[0], card.rows[1], card.rows[-1]
    assert (first.dose.value, first.infusion.rate_ml_per_h, first.marks) == (
        Decimal(1),
        Decimal("4.2"),
        ("usual range starts",),
    )
    assert running.marks == ("running now",) and running.typical
    assert last.dose.value == Decimal("0.5") and last.dose.unit == "mg/kg/h"  # the limit in its own unit
    assert last.marks == ("hard max",) and not last.typical
    assert [f.code for f in last.findings] == ["soft-max"]
    assert [r.dose.mg_per_kg_per_h for r in card.rows] == sorted(r.dose.mg_per_kg_per_h for r in card.rows)
    assert card.cap_mg_per_h is None and card.library_sha256 == library().sha256


def test_icu_card_shows_the_cap() -> None:
    card = titration_card(library(), ICU, Decimal(80), Decimal(1))
    assert card.cap_mg_per_h == Decimal(100)
    capped = [r for r in card.rows if r.infusion.capped]
    assert capped and all(r.infusion.rate_ml_per_h == Decimal(100) for r in capped)


def test_a_protocol_with_one_usual_dose_has_one_row() -> None:
    card = titration_card(library(), "opioid-weaning", Decimal(70), Decimal(1))
    assert len(card.rows) == 1
    assert card.rows[0].marks == (
        "usual range starts",
        "usual range ends",
        "soft max: reason needed above",
        "hard max",
    )


def test_no_card_without_an_infusion() -> None:
    with pytest.raises(ValueError, match="no infusion"):
        titration_card(library(), BOLUS_ONLY, Decimal(70), Decimal(1))


@pytest.mark.parametrize(
    ("span", "step"),
    [
        ("1", "0.1"),
        ("0.95", "0.1"),
        ("15.67", "2"),
        ("1.5", "0.2"),
        ("0.3", "0.05"),
        ("24", "2.5"),
        ("10", "1"),
    ],
)
def test_round_step(span: str, step: str) -> None:
    assert round_step(Decimal(span)) == Decimal(step)


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10000), places=3))
def test_round_step_crosses_any_span_in_at_most_ten_steps(span: Decimal) -> None:
    step = round_step(span)
    assert span / step <= 10
    assert step.normalize().as_tuple().digits[0] in (1, 2, 5)


@settings(max_examples=30, deadline=None)
@given(
    weight=st.integers(min_value=20, max_value=200),
    protocol=st.sampled_from(
        [WARD, ICU, "neuropathic-prolonged", "intraoperative", "subanesthetic-infusion"]
    ),
)
def test_card_rows_never_pass_the_hard_max_and_rates_never_fall(weight: int, protocol: str) -> None:
    card = titration_card(library(), protocol, Decimal(weight), Decimal(1))
    spec = library().protocol(protocol).infusion
    assert spec is not None
    assert all(r.dose.mg_per_kg_per_h <= spec.hard_max.mg_per_kg_per_h for r in card.rows)
    rates = [r.infusion.rate_ml_per_h for r in card.rows]
    assert rates == sorted(rates)
    assert sum("hard max" in r.marks for r in card.rows) == 1


def test_label_of_the_first_syringe_names_both_checkers_and_expires_in_24_h() -> None:
    ledger = Ledger(start_draft(WARD, volume="50"))
    label = syringe_label(ledger.state)
    assert label is not None
    assert (label.drug, label.concentration_mg_per_ml, label.total_mg, label.volume_ml) == (
        DRUG_NAME,
        Decimal(1),
        Decimal(50),
        Decimal(50),
    )
    assert (label.bed_label, label.patient_initials, label.prepared_by, label.checked_by) == (
        "Ward 7 bed 12",
        "JD",
        "AB",
        "CD",
    )
    hours = library().document.monitoring.timed_prompts.syringe_change_every_h
    assert label.expires_at - label.prepared_at == timedelta(hours=hours)


def test_label_of_a_changed_syringe_is_prepared_by_whoever_changed_it() -> None:
    ledger = Ledger(start_draft(WARD, volume="50"))
    ledger.at(600)
    ledger.add(ledger.state.model_copy() and _change(ledger), "GH")
    label = syringe_label(ledger.state)
    assert label is not None
    assert (label.prepared_by, label.checked_by, label.prepared_at) == (
        "GH",
        None,
        T0 + timedelta(minutes=600),
    )
    assert label.volume_ml == Decimal(20)


def _change(ledger: Ledger):  # type: ignore[no-untyped-def]
    from ketamine_desktop.domain.session import EventDraft, event_payload

    return event_payload(
        ledger.state, EventDraft(kind="syringe-change", syringe_volume_ml=Decimal(20)), ledger.now
    )


def test_no_label_without_a_syringe() -> None:
    assert syringe_label(Ledger(start_draft(BOLUS_ONLY, volume=None)).state) is None
