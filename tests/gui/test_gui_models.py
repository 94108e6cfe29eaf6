"""Table models: qtmodeltester on each, and the escalation triggers in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import QSortFilterProxyModel, Qt
from pytestqt.modeltest import ModelTester

from ketamine_desktop.domain.library import Condition, Library
from ketamine_desktop.domain.schedule import monitoring_checks
from ketamine_desktop.gui.models.library_tables import (
    condition_words,
    escalation_model,
    side_effects_model,
    trigger_words,
)
from ketamine_desktop.gui.models.schedule_table import local_time, offset_words, planned_rows, schedule_model

START = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def test_side_effects_model(qtmodeltester: ModelTester, library: Library) -> None:
    model = side_effects_model(library)
    qtmodeltester.check(model)
    assert model.rowCount() == len(library.document.side_effects)
    first = library.document.side_effects[0]
    assert model.data(model.index(0, 0)) == first.name
    assert model.data(model.index(0, 2)) == first.management
    assert first.sources[0] in model.data(model.index(0, 3))
    assert "Sources" in model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)


def test_escalation_model(qtmodeltester: ModelTester, library: Library) -> None:
    model = escalation_model(library)
    qtmodeltester.check(model)
    assert model.rowCount() == len(library.document.escalation)
    stop = next(i for i, r in enumerate(library.document.escalation) if r.infusion == "stop")
    assert model.data(model.index(stop, 2)) == "STOP"
    severity = model.data(model.index(stop, 0))
    assert severity == "Urgent"
    assert model.data(model.index(stop, 0), Qt.ItemDataRole.DecorationRole) is not None


def test_schedule_model(qtmodeltester: ModelTester, library: Library) -> None:
    model = schedule_model()
    qtmodeltester.check(model)
    checks = monitoring_checks(library, "chronic-opioid-tolerant", START, (), START + timedelta(hours=24))
    model.set_rows(planned_rows(START, checks))
    qtmodeltester.check(model)
    assert model.rowCount() == len(checks)
    assert model.data(model.index(0, 2)) == "Baseline"


def test_filtered_models(qtmodeltester: ModelTester, library: Library) -> None:
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(side_effects_model(library, proxy))
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterFixedString("nausea")
    qtmodeltester.check(proxy)
    assert proxy.rowCount() == 1


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        (Condition(field="respiration_rate", max=Decimal(8)), "respiratory rate 8/min or less"),
        (Condition(field="spo2", min=Decimal(92), max=Decimal(93)), "SpO2 92 to 93%"),
        (Condition(field="rass", min=Decimal(-3), max=Decimal(-3)), "RASS score -3"),
        (Condition(field="rass", min=Decimal(2)), "RASS score +2 or more"),
        (Condition(field="systolic_bp", min=Decimal(180)), "systolic BP 180 mmHg or more"),
        (Condition(field="poss", equals=("4",)), "POSS sedation score 4"),
        (Condition(field="nausea", is_true=True), "nausea or vomiting present"),
        (
            Condition(field="prior_episodes", max=Decimal(0)),
            "no earlier psychotomimetic episodes in this infusion",
        ),
    ],
)
def test_conditions_read_as_words_with_inclusive_limits(condition: Condition, words: str) -> None:
    assert condition_words(condition) == words


def test_every_escalation_rule_reads_as_a_sentence(library: Library) -> None:
    for rule in library.document.escalation:
        text = trigger_words(rule)
        assert text[0].isupper()
        assert "None" not in text and "_" not in text


def test_schedule_times_read_from_the_start() -> None:
    assert offset_words(START + timedelta(minutes=75), START) == "+1:15"
    assert offset_words(START + timedelta(hours=24), START) == "+24:00"
    assert ":" in local_time(START, START)
    assert len(local_time(START + timedelta(days=1), START)) > 5
