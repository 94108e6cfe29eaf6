"""The chart and handover PDFs (Qt's own PDF writer): made headless, paged, and the record untouched."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ketamine_desktop.domain.handover import handover_facts
from ketamine_desktop.export.chart_html import chart_html
from ketamine_desktop.export.report_html import handover_html
from ketamine_desktop.export.source import load_session
from ketamine_desktop.store.paths import RECORD_FILE_NAME
from ketamine_desktop.store.snapshot import read_snapshot
from tests.export.conftest import file_sha256
from tests.export.shift import night_ledger, write
from tests.export.test_export_cli import _export
from tests.helpers.builders import library

NOW = datetime(2026, 11, 22, 6, 5, tzinfo=UTC)


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.parametrize("fmt", ["pdf", "handover"])
def test_pdf_exports_are_pdfs_and_leave_the_record_unchanged(
    record_copy: Path, tmp_path: Path, fmt: str
) -> None:
    before = file_sha256(record_copy / RECORD_FILE_NAME)
    out = tmp_path / f"night-{fmt}.pdf"
    code, text, _ = _export(record_copy, out, fmt)
    assert code == 0 and f"Exported {fmt}" in text
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert _pages(data) >= 1
    assert file_sha256(record_copy / RECORD_FILE_NAME) == before


def test_handover_says_what_the_next_nurse_needs(night_dir: Path) -> None:
    source = load_session(read_snapshot(night_dir), library(), None)
    facts = handover_facts(source.state, NOW, source.head_hash, source.record_count)
    html = handover_html(facts, library(), training=False)
    for words in (
        "Handover: Bed 12 JD",
        "Running now: STOPPED",
        "Since the start",
        "Last 24 h",
        "43 mL left of 50 mL",
        "patient asleep, lights off",
        "Rate decreased to 2.1 mL/h of 1 mg/mL = 0.03 mg/kg/h = 0.5 mcg/kg/min (2.1 mg/h)",
        source.head_hash,
        "verify-record --expect-head",
    ):
        assert words in html
    assert "µg" not in html and "TRAINING" not in html


def test_chart_lists_every_observation_event_decision_and_the_head(night_dir: Path) -> None:
    source = load_session(read_snapshot(night_dir), library(), None)
    html = chart_html(source.state, False, source.head_hash, source.record_count, trend=True)
    assert html.count("<tr><td>") >= len(source.state.observations)
    for words in (
        "Regimen and library",
        library().sha256,
        "second checker CD",
        "Reduce the infusion",
        "acknowledged by EF",
        source.head_hash,
    ):
        assert words in html


def test_a_training_record_says_training_on_every_document(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write(data, night_ledger(hours=1, stop=False), session_id="training-1")
    source = load_session(read_snapshot(data), library(), None)
    facts = handover_facts(source.state, NOW, source.head_hash, source.record_count)
    assert "TRAINING RECORD" in handover_html(facts, library(), training=True)
    assert "TRAINING RECORD" in chart_html(
        source.state, True, source.head_hash, source.record_count, trend=False
    )
    for fmt in ("pdf", "handover"):
        code, text, _ = _export(data, tmp_path / f"t-{fmt}.pdf", fmt)
        assert code == 0 and "TRAINING" in text


def test_the_window_s_decimal_comma_reaches_every_number(night_dir: Path) -> None:
    from ketamine_desktop.domain.formatting import COMMA
    from ketamine_desktop.domain.titration import titration_card
    from ketamine_desktop.export.report_html import card_html

    source = load_session(read_snapshot(night_dir), library(), None)
    facts = handover_facts(source.state, NOW, source.head_hash, source.record_count)
    html = handover_html(facts, library(), False, COMMA)
    assert "2,1 mL/h of 1 mg/mL = 0,03 mg/kg/h = 0,5 mcg/kg/min (2,1 mg/h)" in html
    assert (
        "0.03 mg/kg/h" not in html and "Default ketamine library 1.0.0" in html
    )  # a version keeps its points
    chart = chart_html(source.state, False, source.head_hash, source.record_count, False, COMMA)
    assert "36,8" in chart and "36.8" not in chart
    card = titration_card(library(), "chronic-opioid-tolerant", Decimal(70), Decimal(1))
    assert "0,06 mg/kg/h" in card_html(card, library(), "Bed 12 JD", False, COMMA)
