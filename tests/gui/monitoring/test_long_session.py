"""A long training session in the window: the TRAINING banner, the history appended to (never reset) as
checks are saved, and the trend chart decimated per pixel column. (Its costs are measured by
benchmarks/long_session.py, not timed here.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication, QLabel, QTableView, QTabWidget
from pytestqt.qtbot import QtBot

from ketamine_desktop.app import attach_when_shown, build_main_window
from ketamine_desktop.demo import demo_records, write_records
from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.session import ObservationDraft
from ketamine_desktop.gui.monitoring.history import history_rows
from ketamine_desktop.gui.monitoring.trend_chart import TrendChart, _decimate, _Scale
from ketamine_desktop.gui.numbers import Display
from ketamine_desktop.state.settings import ViewSettings
from ketamine_desktop.store import RecordStore
from tests.gui.monitoring.conftest import AppFactory
from tests.helpers.gui_helpers import find, text


def _write_demo(library: Library, records: RecordStore, clock: FakeClock, days: int) -> None:
    write_records(records, library, demo_records(library, now=clock.now(), days=days, seed=3))


def test_a_training_record_says_training_and_its_history_is_appended_to(
    qtbot: QtBot, library: Library, record_store: RecordStore, clock: FakeClock, make_app: AppFactory
) -> None:
    _write_demo(library, record_store, clock, days=2)
    window, _plan, parts = make_app()
    assert find(window, QLabel, "trainingBanner").isVisible()
    assert text(window, "trainingBanner").startswith("TRAINING: ")
    assert window.windowTitle().startswith("TRAINING — ")
    window.show_tab(1)
    find(window, QTabWidget, "sessionTabs").setCurrentIndex(1)
    model: Any = find(window, QTableView, "historyTable").model()  # its rows: the model's public API
    state = parts.store.saved_state
    assert state is not None
    expected = history_rows(state, Display(library))
    assert model.rows == expected and model.rowCount() > 2 * 24 * 4
    resets: list[int] = []
    inserted: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    # Switching tabs rebuilds nothing.
    find(window, QTabWidget, "sessionTabs").setCurrentIndex(0)
    find(window, QTabWidget, "sessionTabs").setCurrentIndex(1)
    assert (resets, inserted) == ([], [])
    # A saved extra check is one row inserted at the top.
    clock.advance(60)
    observation = state.observations[-1].body.observation
    draft = ObservationDraft(check_due=None, observation=observation, answered=())
    assert parts.store.record_observation(draft, "ZZ").saved
    assert (resets, inserted) == ([], [(0, 0)])
    assert model.rows[0].kind == "Check" and model.rows[0].by == "ZZ"
    assert model.index(0, 5).data() == "ZZ"
    new_state = parts.store.saved_state
    assert new_state is not None
    assert model.rows == history_rows(new_state, Display(library))
    # A new session started in a training record is a training session too.
    assert parts.store.state is not None and parts.store.state.session_id.startswith("training-")


def test_a_real_record_says_nothing_of_training(make_app: AppFactory) -> None:
    window, _plan, _parts = make_app()
    assert find(window, QLabel, "trainingBanner").isHidden()
    assert "TRAINING" not in window.windowTitle()


def test_the_trend_chart_of_days_is_drawn_per_pixel_column(
    qtbot: QtBot, library: Library, record_store: RecordStore, clock: FakeClock, make_app: AppFactory
) -> None:
    _write_demo(library, record_store, clock, days=3)
    window, _plan, _parts = make_app()
    window.show_tab(1)
    find(window, QTabWidget, "sessionTabs").setCurrentIndex(2)
    chart = find(window, TrendChart, "trendChart")
    assert chart.data is not None
    # Private on purpose: the vertices drawn per pixel column (a paint cost) are in no public API.
    qtbot.waitUntil(lambda: bool(chart._paths))
    points = len(chart.data.lanes[0].points)
    assert points > 3 * 24 * 4
    for line, markers in chart._paths.values():
        # At most four vertices per pixel column, whatever the number of points; no markers when dense.
        assert len(line) <= 4 * (chart.width() + 1) and markers == []
        assert len(line) < 4 * points


def test_decimation_keeps_each_columns_extremes() -> None:
    # 1000 points over 10 pixels: each column keeps its first, lowest, highest and last value.
    points = [(float(i), float((i * 37) % 100)) for i in range(1000)]
    line, markers = _decimate(points, _Scale(left=0.0, x_per_s=0.01, bottom=100.0, low=0.0, y_per_unit=1.0))
    assert markers == []
    columns = sorted({p.x() for p in line})
    assert columns == [float(c) for c in range(10)]
    for column in range(10):
        values = [v for at, v in points if int(at * 0.01) == column]
        ys = [100.0 - v for v in (values[0], min(values), max(values), values[-1])]
        assert [p.y() for p in line if p.x() == column] == ys
    sparse, sparse_markers = _decimate(
        [(0.0, 1.0), (100.0, 2.0)], _Scale(left=5.0, x_per_s=1.0, bottom=50.0, low=0.0, y_per_unit=10.0)
    )
    assert sparse == [QPointF(5, 40), QPointF(5, 40), QPointF(105, 30), QPointF(105, 30)]
    assert sparse_markers == [QPointF(5, 40), QPointF(105, 30)]
    assert _decimate([], _Scale(0.0, 1.0, 0.0, 0.0, 1.0)) == ([], [])


def test_without_a_running_session_the_session_parts_wait_for_the_monitoring_tab(
    qtbot: QtBot, qapp: QApplication, library: Library, settings_path: Path, clock: FakeClock
) -> None:
    window, _plan = build_main_window(qapp, library, ViewSettings(settings_path), clock)
    qtbot.addWidget(window)
    calls: list[int] = []
    attach_when_shown(window, lambda: calls.append(1))
    window.show_tab(2)
    assert calls == []
    window.show_tab(1)
    window.show_tab(0)
    window.show_tab(1)
    assert calls == [1]
