"""Where the app's start-up time goes, phase by phase, next to the empty window's (from source).

    .venv/bin/python benchmarks/startup_profile.py [--runs 10] [--platform offscreen|xcb]

Each run is a fresh interpreter that walks the same steps as `ketamine-desktop` (`__main__.main` ->
`cli.run` -> `app.run_app`) and times each with perf_counter; the medians over the runs are printed. The
interpreter's own start (python -c pass) is measured separately. This explains the ratio that
benchmarks/startup.py reports; it is not itself a target.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import ROOT, isolated_home, machine, median, python
from display import virtual_display

# Runs in the child: the same steps as `ketamine-desktop` (imports, then app.run_app), watched by the
# launcher's application-wide event filter (benchmarks/startup_watch.py: first paint, ready), with the
# functions run_app calls wrapped to time them. Prints {"phase": [seconds, RSS KiB added]}.
# A function that is renamed or gone is simply not wrapped: its time shows under the phase before it.
CHILD = r"""
import importlib, json, os, sys, tempfile, time
def rss_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
phases = {}
last = [time.monotonic(), rss_kib()]  # CLOCK_MONOTONIC, as the watch writes
def mark(name, now=None):
    now, rss = (time.monotonic() if now is None else now), rss_kib()
    spent = phases.setdefault(name, [0.0, 0])
    spent[0] += now - last[0]
    spent[1] += rss - last[1]
    last[:] = [now, rss]
from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget, QWidget
mark("import PySide6 QtWidgets (the empty window pays this too)")
sys.path.insert(0, sys.argv[1])
from startup_watch import StartupWatch, watched_application
paint_file = os.path.join(tempfile.mkdtemp(), "paint")
watch = StartupWatch(paint_file, on_paint=lambda: mark("show until the first paint event"),
                     on_ready=lambda: mark("after the last step until the card's first paint"))
qt_app = watched_application(watch)
mark("QApplication (made by the launcher)")
import ketamine_desktop
mark("import ketamine_desktop")
from ketamine_desktop.cli import build_parser
build_parser(None).parse_args([])
mark("import cli and parse the options")
import ketamine_desktop.x11_check
from ketamine_desktop import app as app_module
mark("import app: the first paint's window (no pydantic)")
def wrap(module_name, attribute, label, before):
    module = importlib.import_module(module_name)
    original = getattr(module, attribute, None)
    if original is None:
        return
    def timed(*args, **kwargs):
        mark(before)
        try:
            return original(*args, **kwargs)
        finally:
            mark(label)
    setattr(module, attribute, timed)
wrap("ketamine_desktop.app", "application", "application(): names, window icon (SVG)",
     "run_app's own imports")
wrap("ketamine_desktop.app", "binding_problem", "Qt binding check", "run_app's own imports")
wrap("ketamine_desktop.store.record_access", "open_record", "open_record: store imports, lock, SQLite",
     "run_app's own imports")
wrap("ketamine_desktop.app", "open_main_window", "open_main_window: chrome, Dosing inputs, style sheet",
     "settings")
wrap("ketamine_desktop.cli.common", "load_default_library",
     "after the paint: load_default_library: pydantic, models, TOML, validation, signature",
     "after the paint: the paint itself, then importing pydantic and the library's model classes")
wrap("ketamine_desktop.app", "complete_main_window",
     "complete_main_window: plan store, real Dosing tab (imports, widgets), first render",
     "the damaged-record check")
data_dir = tempfile.mkdtemp()
from ketamine_desktop.__main__ import main
assert main(["--data-dir", data_dir]) == 0
print(json.dumps(phases))
"""

BASELINE_CHILD = r"""
import json, sys, time
def rss_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
start, rss_start = time.perf_counter(), rss_kib()
from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget, QWidget
imported, rss_imported = time.perf_counter(), rss_kib()
sys.path.insert(0, sys.argv[1])
from baseline_window import build_window
from PySide6.QtCore import QEvent, QObject
qt_app = QApplication([])
window = build_window()
built, rss_built = time.perf_counter(), rss_kib()
class Probe(QObject):
    painted = False
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            Probe.painted = True
        return False
probe = Probe()
window.installEventFilter(probe)
window.showMaximized()
while not Probe.painted:
    qt_app.processEvents()
qt_app.processEvents()
shown, rss_shown = time.perf_counter(), rss_kib()
print(json.dumps({"import PySide6 QtWidgets": [imported - start, rss_imported - rss_start],
                  "QApplication + 4-tab window": [built - imported, rss_built - rss_imported],
                  "show until the first paint is done": [shown - built, rss_shown - rss_built]}))
"""


def _child(code: str, env: dict[str, str], *args: str) -> dict[str, list[float]]:
    done = subprocess.run([python(), "-c", code, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"profile child failed: {done.stderr.strip()}")
    parsed: dict[str, list[float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return parsed


def _interpreter_start(env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([python(), "-c", "pass"], env=env, check=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--platform", choices=("offscreen", "xcb"), default="offscreen")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    app_runs: list[dict[str, list[float]]] = []
    base_runs: list[dict[str, list[float]]] = []
    starts: list[float] = []
    with ExitStack() as stack:
        env = stack.enter_context(isolated_home())
        env["QT_QPA_PLATFORM"] = args.platform
        env["PYTHONPATH"] = str(ROOT)
        if args.platform == "xcb":
            env["DISPLAY"] = stack.enter_context(virtual_display())
        for index in range(args.runs + 1):  # the first run warms the caches and is dropped
            starts_run = _interpreter_start(env)
            app_run = _child(CHILD, env, str(ROOT / "benchmarks"))
            base_run = _child(BASELINE_CHILD, env, str(ROOT / "benchmarks"))
            if index:
                starts.append(starts_run)
                app_runs.append(app_run)
                base_runs.append(base_run)
    print(f"medians of {args.runs} fresh processes on {args.platform}: ms, then resident memory added (MiB)")
    print(f"  {median(starts) * 1000:7.1f}          interpreter start (python -c pass; both pay it)")
    for title, runs in (("app:", app_runs), ("empty window:", base_runs)):
        print(title)
        total = median(starts)
        for phase in runs[0]:
            seconds = median([run[phase][0] for run in runs])
            added_mib = median([run[phase][1] for run in runs]) / 1024
            total += seconds
            print(f"  {seconds * 1000:7.1f}  {added_mib:+6.1f}  {phase}")
        print(f"  {total * 1000:7.1f}          sum of medians")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_ACCESSIBILITY", "0")
    sys.exit(main())
