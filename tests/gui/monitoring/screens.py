"""Save PNGs of the running session (not collected by pytest): the Monitoring tab with done, due and
overdue checks, the trend chart, the banner over another tab, day and night.

    .venv/bin/python tests/gui/monitoring/screens.py [OUT_DIR] [--width 1366 --height 768]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QStandardPaths  # noqa: E402
from PySide6.QtGui import QAction  # noqa: E402
from PySide6.QtWidgets import QApplication, QLineEdit, QTabWidget, QWidget  # noqa: E402

from ketamine_desktop.app import (  # noqa: E402
    application,
    attach_session,
    build_main_window,
)
from ketamine_desktop.cli.common import load_default_library  # noqa: E402
from ketamine_desktop.domain.clock import FakeClock  # noqa: E402
from ketamine_desktop.domain.library import DoseRate  # noqa: E402
from ketamine_desktop.domain.session import EventDraft  # noqa: E402
from ketamine_desktop.state.settings import ViewSettings  # noqa: E402
from ketamine_desktop.store.record_access import open_record  # noqa: E402
from tests.helpers.builders import T0, check_draft, start_draft  # noqa: E402
from tests.helpers.gui_helpers import find  # noqa: E402


class _Silent:
    name = "screens"

    def play(self, path: Path) -> bool:
        return True

    def working(self) -> bool:
        return True


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path, nargs="?", default=Path("/tmp/screens/monitoring"))
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=768)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = application()
    QStandardPaths.setTestModeEnabled(True)
    library = load_default_library()
    clock = FakeClock(T0)
    with tempfile.TemporaryDirectory() as folder:
        lock, records = open_record(Path(folder) / "data")
        settings = ViewSettings(Path(folder) / "settings.ini")
        window, plan = build_main_window(app, library, settings, clock)
        parts = attach_session(window, plan, library, records, clock, _Silent(), start_ticker=False)
        window.resize(args.width, args.height)
        window.show()
        store = parts.store
        assert store.start(start_draft("chronic-opioid-tolerant", bed="Ward 7, bed 12", initials="JD")).saved
        find(window, QLineEdit, "bedField").setText("Ward 7, bed 12")
        vitals = [
            (16, 97, 78, 132, "1", 6),
            (15, 97, 80, 128, "2", 5),
            (14, 96, 76, 126, "2", 4),
            (13, 95, 74, 121, "2", 4),
            (12, 95, 72, 118, "S", 3),
        ]
        for index, (rr, spo2, hr, bp, poss, pain) in enumerate(vitals):
            waiting = [r for r in store.reminders if r.kind == "check" and r.status != "done"]
            due = waiting[0].due
            clock.advance(max(0.0, (due - clock.now()).total_seconds()) + 120)
            parts.ticker.tick()
            state = store.state
            assert state is not None
            draft = check_draft(
                state,
                due,
                store.reminders,
                respiration_rate=rr,
                spo2=spo2,
                pulse=hr,
                systolic_bp=bp,
                poss=poss,
                pain=pain,
            )
            outcome = store.record_observation(draft, "EF")
            assert outcome.saved, outcome.message
            if index == 2:
                dose = DoseRate(value=Decimal("1.5"), unit="mcg/kg/min")
                assert store.record_event(
                    EventDraft(kind="rate-change", infusion_dose=dose, reason="pain 6/10 after review"), "EF"
                ).saved
        # The next check left undone (overdue), the one after it due now.
        waiting = [r for r in store.reminders if r.kind == "check" and r.status != "done"]
        clock.advance((waiting[1].due - clock.now()).total_seconds() + 60)
        parts.ticker.tick()
        window.show_tab(1)
        settle(app)
        window.grab().save(str(args.out / "monitoring_running_day.png"))
        tabs = find(window, QTabWidget, "sessionTabs")
        tabs.setCurrentIndex(1)
        settle(app)
        window.grab().save(str(args.out / "monitoring_history_day.png"))
        tabs.setCurrentIndex(2)
        settle(app)
        window.grab().save(str(args.out / "monitoring_trend_day.png"))
        find(window, QWidget, "trendChart").grab().save(str(args.out / "trend_chart.png"))
        window.show_tab(0)
        settle(app)
        window.grab().save(str(args.out / "banner_over_dosing.png"))
        find(window, QAction, "nightModeAction").setChecked(True)
        window.show_tab(1)
        tabs.setCurrentIndex(0)
        settle(app)
        window.grab().save(str(args.out / "monitoring_running_night.png"))
        # The session stopped and closed: the Monitoring tab says so (not the schedule planned before it).
        assert store.record_event(EventDraft(kind="stop"), "EF").saved
        assert store.close("pain settled", "EF").saved
        find(window, QAction, "nightModeAction").setChecked(False)
        window.show_tab(1)
        settle(app)
        window.grab().save(str(args.out / "monitoring_ended_day.png"))
        window.show_tab(0)
        settle(app)
        window.grab().save(str(args.out / "dosing_after_session_day.png"))
        window.close()
        records.close()
        lock.release()
    print(f"saved to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
