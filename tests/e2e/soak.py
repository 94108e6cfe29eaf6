"""Accelerated soak (reliability recipe 21): a theatre infusion (a check every 15 min) for 72 hours on a
fake clock, ticked every second like the app, each check recorded a couple of minutes after it falls due.

Passes when: traced Python memory grows less than 10% from the end of the first hour to the end; no
reminder was missed or raised twice (judged from the record); the WAL file stays small; the record's
integrity check and hash chain are ok.

    python tests/e2e/soak.py [--hours 72] [--tick 1] [--gui]

The default test suite runs a short version (tests/state/test_soak_short.py); the full one runs under the
`slow` marker. Prints one line of figures and exits 1 on any failure.
"""

from __future__ import annotations

import tracemalloc

if __name__ == "__main__":
    tracemalloc.start()  # before the imports: the baseline includes everything the app holds

import argparse
import gc
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # runnable from a source tree
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from ketamine_desktop.domain.clock import FakeClock  # noqa: E402
from ketamine_desktop.state.alerts import AlertController  # noqa: E402
from ketamine_desktop.state.session_store import SessionStore  # noqa: E402
from ketamine_desktop.store import RecordStore  # noqa: E402
from tests.helpers.builders import T0, THEATRE, library, start_draft  # noqa: E402
from tests.helpers.timing import judge, record_due  # noqa: E402

MEMORY_GROWTH_LIMIT = 0.10
WAL_LIMIT_BYTES = 8 * 1024 * 1024  # SQLite checkpoints at 1000 pages (about 4 MB): well under this


class _Quiet:
    name = "soak"

    def play(self, path: Path) -> bool:
        del path
        return True

    def working(self) -> bool:
        return True


@dataclass
class SoakResult:
    hours: float
    ticks: int
    checks_due: int
    raised: int
    missed: int
    doubled: int
    observations: int
    memory_start: int
    memory_end: int
    wal_max_bytes: int
    integrity: str
    chain_ok: bool
    seconds: float

    @property
    def growth(self) -> float:
        return (self.memory_end - self.memory_start) / self.memory_start

    @property
    def ok(self) -> bool:
        return (
            self.missed == 0
            and self.doubled == 0
            and self.growth < MEMORY_GROWTH_LIMIT
            and self.wal_max_bytes < WAL_LIMIT_BYTES
            and self.integrity == "ok"
            and self.chain_ok
        )

    def line(self) -> str:
        return (
            f"soak {self.hours:g} h: {self.ticks} ticks, {self.checks_due} checks due, {self.observations} "
            f"recorded, {self.raised} raised, {self.missed} missed, {self.doubled} doubled; traced memory "
            f"{self.memory_start / 1e6:.1f} MB -> {self.memory_end / 1e6:.1f} MB ({self.growth:+.1%}); WAL max "
            f"{self.wal_max_bytes / 1024:.0f} KiB; integrity {self.integrity}; chain "
            f"{'ok' if self.chain_ok else 'BROKEN'}; {self.seconds:.0f} s"
        )


def soak(
    data_dir: Path, hours: float = 72, tick_s: float = 1.0, record_after_s: float = 120, gui: bool = False
) -> SoakResult:
    """Run the soak in this process; memory is measured only when tracemalloc was started first."""
    if not tracemalloc.is_tracing():
        raise RuntimeError("start tracemalloc before importing the app (run this file as a script)")
    app = QApplication.instance() or QApplication([])
    started = time.monotonic()
    clock = FakeClock(T0, monotonic_start=10.0)
    records = RecordStore.open(data_dir)
    store = SessionStore(library(), records, clock)
    alerts = AlertController(store, clock, _Quiet())
    store.changed.connect(alerts.on_session_changed)
    panel = None
    if gui:
        from ketamine_desktop.gui.monitoring.panel import MonitoringPanel

        panel = MonitoringPanel(library(), store)
        store.changed.connect(panel.show_session)
    assert store.start(start_draft(THEATRE, volume="500")).saved
    wal = data_dir / (records.path.name + "-wal")
    ticks, wal_max = 0, 0
    memory_start = 0
    end = T0 + timedelta(hours=hours)
    next_hour = T0 + timedelta(hours=1)
    while clock.now() < end:
        clock.advance(tick_s)
        store.tick(clock.now(), clock.monotonic())
        ticks += 1
        record_due(store, clock.now() - timedelta(seconds=record_after_s))
        if clock.now() >= next_hour:
            app.processEvents()
            wal_max = max(wal_max, wal.stat().st_size if wal.exists() else 0)
            if next_hour == T0 + timedelta(hours=1):
                gc.collect()  # count what is held, not garbage waiting for the collector
                memory_start = tracemalloc.get_traced_memory()[0]
            # Renew the syringe before it runs dry, as the nurse would: the soak is about the checks.
            if any(r.kind == "syringe-empty" and r.active for r in store.reminders):
                from ketamine_desktop.domain.session import EventDraft

                store.record_event(EventDraft(kind="syringe-change", syringe_volume_ml=500), "EF")
            next_hour += timedelta(hours=1)
    app.processEvents()
    gc.collect()
    memory_end = tracemalloc.get_traced_memory()[0]
    verdict = judge(store, records, clock.now())
    state = store.state
    assert state is not None
    result = SoakResult(
        hours=hours,
        ticks=ticks,
        checks_due=verdict.checks_due,
        raised=verdict.raised,
        missed=len(verdict.missed),
        doubled=len(verdict.doubled),
        observations=len(state.observations),
        memory_start=memory_start or memory_end,
        memory_end=memory_end,
        wal_max_bytes=max(wal_max, wal.stat().st_size if wal.exists() else 0),
        integrity=records.integrity_check(),
        chain_ok=records.verify().ok,
        seconds=time.monotonic() - started,
    )
    del alerts, panel
    records.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Accelerated soak of the running session on a fake clock.")
    parser.add_argument("--hours", type=float, default=72)
    parser.add_argument("--tick", type=float, default=1.0, help="seconds of fake time between ticks")
    parser.add_argument("--gui", action="store_true", help="also drive the monitoring panel")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        result = soak(Path(folder) / "data", args.hours, args.tick, gui=args.gui)
    print(result.line(), flush=True)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
