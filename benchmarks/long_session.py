"""Long infusions (issue 11): what a 14-day session and years of finished sessions cost, against one day.

Builds training records with `ketamine_desktop.demo` (the records `ketamine-desktop demo` writes: an
observation every 15 min, daily rate changes, syringe changes, abnormal checks and their decisions) of 1, 3,
7 and 14 days, and of one day after 10, 100 and 1,000 finished sessions, then measures on each:

  replay      building the session store over the record (read, parse, fold, first reminders)
  history     opening the History tab the first time (the window and its session already up)
  save        saving one check (answering the oldest due check, as the form does, when one is due) with
              each of the session's tabs shown (Timed list, History, Trend chart, Handover): median and
              p99 of SAVES saves per tab, from the call to the window having drawn it
  floor       one durable append (SQLite WAL, synchronous=FULL: the fsync) to a scratch record in the same
              folder: what no save can go below
  tick        CPU time of one 1-second tick through the store and the window: mean and max of TICKS
  trend       painting the trend chart (offscreen, 900 x 420) from its data, and again: medians
  verify      `verify-record` (hash chain and SQLite integrity): median
  start-up    the app as a process, offscreen, from spawn to its first paint and to ready (session wired)

and prints each figure as a ratio to the 1-day record measured in the same run (the growth), start-up also
as a ratio to the same app on an empty record, and whether pydantic is imported before the first paint on an
empty record (`python -X importtime`). It asserts nothing: on a shared machine the ratios are the figures.

    .venv/bin/python benchmarks/long_session.py [--quick] [--runs N]

`--quick` leaves out the 14-day and 1,000-session records (minutes to build on 2 busy cores).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchlib import ROOT, isolated_home, machine, median, percentile, python
from startup import WATCH_LAUNCHER, first_paint_once

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SAVES = 30
TABS = ("Timed list", "History", "Trend chart", "Handover")
TICKS = 200
CASES: tuple[tuple[str, int, int], ...] = (
    ("1 day", 1, 0),
    ("3 days", 3, 0),
    ("7 days", 7, 0),
    ("14 days", 14, 0),
    ("10 past", 1, 10),
    ("100 past", 1, 100),
    ("1000 past", 1, 1000),
)
QUICK_LEFT_OUT = ("14 days", "1000 past")


@dataclass
class Figures:
    records: int = 0
    build_s: float = 0.0
    replay: list[float] = field(default_factory=list)
    history: list[float] = field(default_factory=list)
    saves: list[float] = field(default_factory=list)  # every tab's
    saves_by_tab: dict[str, list[float]] = field(default_factory=dict)
    answered: int = 0  # saves that answered a due check
    floor: list[float] = field(default_factory=list)
    ticks: list[float] = field(default_factory=list)
    trend: list[float] = field(default_factory=list)
    repaint: list[float] = field(default_factory=list)
    verify: list[float] = field(default_factory=list)
    paint: list[float] = field(default_factory=list)
    ready: list[float] = field(default_factory=list)


def build(data_dir: Path, days: int, past: int) -> tuple[int, float]:
    from ketamine_desktop.cli.common import load_default_library
    from ketamine_desktop.demo import demo_records, write_records
    from ketamine_desktop.store import RecordStore

    library = load_default_library()
    started = time.perf_counter()
    with RecordStore.open(data_dir) as store:
        records = demo_records(library, now=datetime.now(UTC), days=days, past_sessions=past, seed=11)
        written, _sessions = write_records(store, library, records)
    return written, time.perf_counter() - started


def in_process(data_dir: Path, figures: Figures, runs: int, verify: bool = True) -> None:
    """Replay, History, saves, ticks, trend paint and verify, in this process (offscreen Qt)."""
    import io

    from PySide6.QtWidgets import QApplication

    from ketamine_desktop.app import attach_session, build_main_window
    from ketamine_desktop.cli.common import load_default_library
    from ketamine_desktop.domain.clock import FakeClock
    from ketamine_desktop.domain.session import ObservationDraft
    from ketamine_desktop.state.session_store import SessionStore
    from ketamine_desktop.state.settings import ViewSettings
    from ketamine_desktop.store import RecordStore
    from ketamine_desktop.store.verify_cli import run_verify_record

    app = QApplication.instance() or QApplication([])
    library = load_default_library()

    class Quiet:
        name = "silent"

        def play(self, path: Path) -> bool:
            del path
            return True

        def working(self) -> bool:
            return True

    for _ in range(runs if verify else 0):
        started = time.perf_counter()
        verdict = run_verify_record(data_dir, True, io.StringIO())
        figures.verify.append(time.perf_counter() - started)
        assert verdict == 0
    with RecordStore.open(data_dir) as records:
        clock = FakeClock(datetime.now(UTC))
        for _ in range(runs):
            started = time.perf_counter()
            SessionStore(library, records, clock)
            figures.replay.append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as scratch:
            window, plan = build_main_window(app, library, ViewSettings(Path(scratch) / "s.ini"), clock)
            window.resize(1366, 768)
            parts = attach_session(window, plan, library, records, clock, Quiet(), start_ticker=False)
            window.show()
            app.processEvents()
            running = parts.panel.running
            assert running is not None, "the demo record has a running session"
            window.show_tab(1)
            app.processEvents()
            started = time.perf_counter()
            running.tabs.setCurrentIndex(1)
            app.processEvents()
            figures.history.append(time.perf_counter() - started)
            # Ticks: the store's tick and what the window redraws for it.
            parts.store.tick(clock.now(), clock.monotonic())
            app.processEvents()
            for _ in range(TICKS):
                clock.advance(1)
                started = time.process_time()
                parts.store.tick(clock.now(), clock.monotonic())
                app.processEvents()
                figures.ticks.append(time.process_time() - started)
            # Saves with each tab shown, answering the oldest due check when there is one (the form's
            # default), else a check between the scheduled ones.
            state = parts.store.state
            assert state is not None
            observation = state.observations[-1].body.observation
            for tab, name in enumerate(TABS):
                running.tabs.setCurrentIndex(tab)
                app.processEvents()
                series = figures.saves_by_tab.setdefault(name, [])
                for _ in range(SAVES):
                    clock.advance(60)
                    parts.store.tick(clock.now(), clock.monotonic())
                    app.processEvents()
                    due = next(
                        (r.check for r in parts.store.active if r.kind == "check" and r.check is not None), None
                    )
                    items = due.items if due is not None else ()
                    draft = ObservationDraft(
                        check_due=due.due if due is not None else None,
                        observation=observation,
                        monitors_attached=True,
                        answered=items,
                    )
                    started = time.perf_counter()
                    outcome = parts.store.record_observation(draft, "BM")
                    app.processEvents()
                    elapsed = time.perf_counter() - started
                    if not outcome.saved and due is not None:  # an item this observation lacks: none answered
                        draft = ObservationDraft(check_due=None, observation=observation, answered=())
                        started = time.perf_counter()
                        outcome = parts.store.record_observation(draft, "BM")
                        app.processEvents()
                        elapsed = time.perf_counter() - started
                    elif due is not None:
                        figures.answered += 1
                    assert outcome.saved, outcome.message
                    series.append(elapsed)
                    figures.saves.append(elapsed)
            # The trend chart.
            running.tabs.setCurrentIndex(2)
            app.processEvents()
            chart = running.trend_chart
            assert chart is not None
            chart.resize(900, 420)
            for _ in range(max(5, runs)):
                chart._paths.clear()  # paint from the data (decimated again), as after a save or a resize
                started = time.perf_counter()
                chart.repaint()
                figures.trend.append(time.perf_counter() - started)
                started = time.perf_counter()
                chart.repaint()  # the same data at the same size: the decimated lines drawn again
                figures.repaint.append(time.perf_counter() - started)
            window.close()
            window.deleteLater()
            app.processEvents()


def commit_floor(folder: Path, figures: Figures) -> None:
    """One durable append to a scratch record beside the measured one: the fsync every save waits for."""
    from ketamine_desktop.cli.common import load_default_library
    from ketamine_desktop.store import RecordStore

    library = load_default_library()
    with tempfile.TemporaryDirectory(dir=folder) as scratch, RecordStore.open(Path(scratch)) as store:
        at = datetime.now(UTC)
        for index in range(SAVES + 5):
            started = time.perf_counter()
            store.append(
                "floor",
                "task",
                {"key": f"floor:{index}", "at": at.isoformat()},
                recorded_by="BM",
                recorded_at=at,
                library_version=library.version,
                library_sha256=library.sha256,
            )
            if index >= 5:
                figures.floor.append(time.perf_counter() - started)


def startup(data_dir: Path, runs: int, env: dict[str, str], scratch: Path) -> tuple[list[float], list[float]]:
    command = [python(), str(WATCH_LAUNCHER), "--data-dir", str(data_dir)]
    paints: list[float] = []
    readies: list[float] = []
    first_paint_once(command, env, scratch)  # warm the caches
    for _ in range(runs):
        paint, ready, _rss = first_paint_once(command, env, scratch)
        paints.append(paint)
        readies.append(ready)
    return paints, readies


def imports_before_first_paint(env: dict[str, str], scratch: Path) -> tuple[bool, int, float]:
    """On an empty record, of the imports before the first paint (the launcher marks it in the same stream):
    (pydantic imported, modules imported, their cumulative import time in s) from `python -X importtime`."""
    import subprocess

    from startup_watch import PAINT_MARK

    data_dir = scratch / "empty-imports"
    paint_file = scratch / "imports-paint"
    done = subprocess.run(
        [python(), "-X", "importtime", str(WATCH_LAUNCHER), "--data-dir", str(data_dir)],
        env={**env, "KETAMINE_DESKTOP_FIRST_PAINT_FILE": str(paint_file)},
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    before_paint = done.stderr.split(PAINT_MARK, 1)[0]
    lines = [line for line in before_paint.splitlines() if line.startswith("import time:")][1:]
    top = [line for line in lines if "|" in line and not line.split("|")[2].startswith("  ")]
    total_us = sum(int(line.split("|")[1]) for line in top)
    pydantic = any(line.split("|")[2].strip() == "pydantic" for line in lines)
    return pydantic, len(lines), total_us / 1e6


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="leave out the 14-day and 1,000-session records")
    parser.add_argument("--runs", type=int, default=3, help="runs of the repeated measures (3)")
    parser.add_argument(
        "--running-only",
        action="store_true",
        help="only what a running session costs (replay, History, saves, ticks, trend): no start-up or verify",
    )
    parser.add_argument("--only", help="comma-separated case names (the 1-day base is always run)")
    args = parser.parse_args(argv)
    cases = [c for c in CASES if not (args.quick and c[0] in QUICK_LEFT_OUT)]
    if args.only:
        wanted = {"1 day", *(name.strip() for name in args.only.split(","))}
        cases = [c for c in cases if c[0] in wanted]
    print(f"# long sessions, {machine()}")
    print("load average at the start: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()), flush=True)
    results: dict[str, Figures] = {}
    with isolated_home() as env, tempfile.TemporaryDirectory(prefix="long-session-") as folder:
        env = {**env, "QT_QPA_PLATFORM": "offscreen"}
        scratch = Path(folder)
        empty_paint, empty_ready = [1.0], [1.0]
        pydantic, modules, import_s = False, 0, 0.0
        if not args.running_only:
            empty_paint, empty_ready = startup(scratch / "empty", args.runs, env, scratch)
            pydantic, modules, import_s = imports_before_first_paint(env, scratch)
        for name, days, past in cases:
            data_dir = scratch / name.replace(" ", "-")
            figures = Figures()
            figures.records, figures.build_s = build(data_dir, days, past)
            print(f"built {name}: {figures.records} records in {figures.build_s:.1f} s", flush=True)
            in_process(data_dir, figures, args.runs, verify=not args.running_only)
            commit_floor(scratch, figures)
            if not args.running_only:
                figures.paint, figures.ready = startup(data_dir, args.runs, env, scratch)
            results[name] = figures
    base = results["1 day"]

    def row(label: str, pick: str, fmt: str, scale: float = 1000.0) -> None:
        values = {name: value(getattr(f, pick.split(":")[0]), pick) for name, f in results.items()}
        base_value = values["1 day"]
        cells = "".join(f" | {fmt.format(v * scale)} ({ratio(v, base_value)})" for v in values.values())
        print(f"| {label}{cells} |")

    def value(series: list[float], pick: str) -> float:
        if not series:
            return 0.0
        kind = pick.split(":")[1] if ":" in pick else "median"
        if kind == "p99":
            return percentile(series, 0.99)
        if kind == "max":
            return max(series)
        if kind == "mean":
            return sum(series) / len(series)
        return median(series)

    print()
    print("| measure | " + " | ".join(f"{name} ({results[name].records} records)" for name in results) + " |")
    print("|---|" + "---|" * len(results))
    row("replay, ms", "replay", "{:.0f}")
    row("open History, ms", "history", "{:.1f}")
    row("save a check (any tab shown), median ms", "saves", "{:.1f}")
    row("save a check (any tab shown), p99 ms", "saves:p99", "{:.1f}")
    row("one durable append alone (the floor), median ms", "floor", "{:.1f}")
    row("one durable append alone (the floor), p99 ms", "floor:p99", "{:.1f}")
    row("tick CPU, mean ms", "ticks:mean", "{:.2f}")
    row("tick CPU, max ms", "ticks:max", "{:.2f}")
    row("trend paint from the data, ms", "trend", "{:.1f}")
    row("trend repaint (same data, same size), ms", "repaint", "{:.1f}")
    row("verify-record, ms", "verify", "{:.0f}")
    row("first paint, ms", "paint", "{:.0f}")
    row("ready, ms", "ready", "{:.0f}")
    print()
    for name, figures in results.items():
        cells = ", ".join(
            f"{tab} {median(series) * 1000:.1f} / {percentile(series, 0.99) * 1000:.1f}"
            for tab, series in figures.saves_by_tab.items()
        )
        print(f"{name}: saves by tab shown, median / p99 ms: {cells} ({figures.answered} answered a due check)")
    print("load average at the end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print()
    if args.running_only:
        return 0
    paint_ms, ready_ms = median(empty_paint) * 1000, median(empty_ready) * 1000
    print(f"empty record: first paint {paint_ms:.0f} ms, ready {ready_ms:.0f} ms")
    for name, figures in results.items():
        print(
            f"{name}: ready {ratio(median(figures.ready), median(empty_ready))} of the empty record's ready, "
            f"first paint {ratio(median(figures.paint), median(empty_paint))} of its first paint"
        )
    print(
        f"empty record, before the first paint: {modules} modules imported ({import_s:.2f} s cumulative), "
        f"pydantic {'IMPORTED' if pydantic else 'not imported'}"
    )
    del base
    return 0


if __name__ == "__main__":
    sys.exit(main())
