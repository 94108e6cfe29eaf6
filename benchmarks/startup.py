"""Start-up time and resident memory of the app against the empty four-tab window, from source and frozen.

    .venv/bin/python benchmarks/startup.py [--runs 15] [--warmup 3] [--platform auto|xcb|offscreen]
                                            [--modes source,frozen]

Each measure is a whole process started by this script (so interpreter and import time count):
- `--self-test`: wall time from spawn to exit of `ketamine-desktop --self-test` (library, real main window
  offscreen, one regimen, record-store round trip) against `baseline_window.py --self-test` (window built);
  both offscreen, as in CI and after installation.
- from source: first paint and ready, watched inside the process by the launcher benchmarks/startup_watch.py
  (an application-wide event filter installed before the app's entry point runs; the product has no probe):
  first paint = the main window's first paint event (the chrome and the Dosing tab's first inputs, before
  the library is loaded); ready = the regimen card's first paint (the library validated and signed, the
  plan store computing, a running session attached). The launcher quits the app at ready, so the peak
  resident set size (ru_maxrss from wait4) is the memory after start. The baseline reports its own paint.
  On a real X server (Xvfb, xcb) when there is one, else offscreen.
- frozen (Xvfb only): the bundle cannot run the launcher, so its window is watched from the X server
  (benchmarks/x_watch.py): "first drawing" = the first DAMAGE event on its top-level window (its first
  paint reaching the server), for the app and the baseline bundle alike; the process is ended 1.5 s after
  it, so the peak RSS is the memory within 1.5 s of the first drawing (the app is ready well inside it).
  Ready cannot be seen from outside, so there is no frozen "ready" row.
The app always gets `--data-dir` in the temporary home: the user's record is never opened.
Runs alternate app and baseline so drift hits both; warm-up runs are dropped; ratios are of medians.
Frozen runs need dist/ketamine-desktop (python3 packaging/build.py); the baseline bundle is built if
missing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    APP_EXECUTABLE,
    BASELINE_EXECUTABLE,
    BASELINE_SCRIPT,
    FIRST_PAINT_VARIABLE,
    ROOT,
    ensure_baseline_bundle,
    isolated_home,
    machine,
    median,
    python,
)
from display import virtual_display
from x_watch import WindowWatch

WATCH_LAUNCHER = ROOT / "benchmarks" / "startup_watch.py"
# The frozen process is ended this long after its first drawing (the app is ready well inside it).
FROZEN_LINGER_S = 1.5


@dataclass
class Series:
    """One command's samples: seconds to exit (self-test) or to first paint, and peak RSS in KiB."""

    seconds: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)


def _spawn_and_wait(command: list[str], env: dict[str, str]) -> tuple[float, int, int, str]:
    """(seconds from spawn to exit, exit status, peak RSS KiB, stderr) of one process."""
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    assert process.stderr is not None
    errors = process.stderr.read()  # until the child closes it at exit
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, process.returncode, usage.ru_maxrss, errors.decode(errors="replace")


def self_test_once(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    elapsed, code, rss, errors = _spawn_and_wait(
        [*command, "--self-test"], {**env, "QT_QPA_PLATFORM": "offscreen"}
    )
    if code != 0:
        raise SystemExit(f"{' '.join(command)} --self-test exited {code}: {errors.strip()}")
    return elapsed, rss


def first_paint_once(command: list[str], env: dict[str, str], scratch: Path) -> tuple[float, float, int]:
    """(seconds to first paint, seconds to ready, peak RSS KiB), as the process reports them (the app through
    benchmarks/startup_watch.py). The baseline defers nothing, so its ready is its paint."""
    paint_file = scratch / "first-paint"
    ready_file = scratch / "first-paint.ready"
    paint_file.unlink(missing_ok=True)
    ready_file.unlink(missing_ok=True)
    started = time.monotonic()
    _elapsed, code, rss, errors = _spawn_and_wait(command, {**env, FIRST_PAINT_VARIABLE: str(paint_file)})
    if code != 0 or not paint_file.exists():
        raise SystemExit(f"{' '.join(command)} did not report a first paint (exit {code}): {errors.strip()}")
    painted = float(paint_file.read_text(encoding="ascii"))
    ready = float(ready_file.read_text(encoding="ascii")) if ready_file.exists() else painted
    return painted - started, ready - started, rss


def drawn_once(command: list[str], env: dict[str, str], watch: WindowWatch) -> tuple[float, int]:
    """(seconds from spawn to the first drawing into its window, seen by the X server; peak RSS KiB within
    FROZEN_LINGER_S of it)."""
    watch.drain()
    started = time.monotonic()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )
    seen = watch.wait(60)
    if seen.drawn is None:
        process.kill()
        process.wait()
        raise SystemExit(f"{' '.join(command)}: no window drawn within 60 s (mapped: {seen.mapped})")
    time.sleep(FROZEN_LINGER_S)  # a benchmark, not a test: the process runs on meanwhile
    process.terminate()
    _pid, _status, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return seen.drawn - started, usage.ru_maxrss


def _xcb_works(env: dict[str, str]) -> bool:
    done = subprocess.run(
        [python(), str(BASELINE_SCRIPT), "--self-test"], env=env, capture_output=True, check=False
    )
    return done.returncode == 0


def commands(mode: str, data_dir: Path) -> dict[str, list[str]]:
    """The app always gets `--data-dir` in the temporary home: it never opens the user's record."""
    app_options = ["--data-dir", str(data_dir)]
    if mode == "source":
        return {
            "app": [python(), str(WATCH_LAUNCHER), *app_options],
            "baseline": [python(), str(BASELINE_SCRIPT)],
        }
    if not APP_EXECUTABLE.exists():
        raise SystemExit(f"{APP_EXECUTABLE} is missing: run python3 packaging/build.py first")
    ensure_baseline_bundle()
    return {"app": [str(APP_EXECUTABLE), *app_options], "baseline": [str(BASELINE_EXECUTABLE)]}


def measure(
    mode: str, runs: int, warmup: int, env: dict[str, str], scratch: Path
) -> dict[str, dict[str, Series]]:
    targets = commands(mode, scratch / "data")
    self_test_targets = dict(targets)
    if mode == "source":  # --self-test through the entry point itself, not the launcher
        self_test_targets["app"] = [python(), "-m", "ketamine_desktop", *targets["app"][2:]]
    frozen = mode == "frozen"
    if frozen and env.get("QT_QPA_PLATFORM") != "xcb":
        raise SystemExit("the frozen window is watched from the X server: needs Xvfb and Qt's xcb plugin")
    watch = WindowWatch(env["DISPLAY"]) if frozen else None
    rows = ("self-test", "first drawing (X)") if frozen else ("self-test", "first paint", "ready")
    results = {row: {name: Series() for name in targets} for row in rows}
    try:
        for index in range(warmup + runs):
            for name, command in targets.items():
                seconds, _rss = self_test_once(self_test_targets[name], env)
                if watch is not None:
                    drawn_seconds, rss = drawn_once(command, env, watch)
                    samples = {"first drawing (X)": drawn_seconds}
                else:
                    paint_seconds, ready_seconds, rss = first_paint_once(command, env, scratch)
                    samples = {"first paint": paint_seconds, "ready": ready_seconds}
                if index >= warmup:
                    results["self-test"][name].seconds.append(seconds)
                    for row, value in samples.items():
                        results[row][name].seconds.append(value)
                    results[rows[-1]][name].rss_kib.append(rss)
    finally:
        if watch is not None:
            watch.close()
    return results


def report(mode: str, results: dict[str, dict[str, Series]], runs: int) -> list[str]:
    lines = []
    for measure_name, by_target in results.items():
        app, baseline = by_target["app"], by_target["baseline"]
        app_ms, base_ms = median(app.seconds) * 1000, median(baseline.seconds) * 1000
        lines.append(
            f"{mode:6} {measure_name:11} app {app_ms:7.0f} ms  empty window {base_ms:7.0f} ms  "
            f"ratio {app_ms / base_ms:5.2f}x  (medians of {runs}; app min {min(app.seconds) * 1000:.0f}, "
            f"max {max(app.seconds) * 1000:.0f} ms)"
        )
        if app.rss_kib:
            app_rss, base_rss = median(app.rss_kib) / 1024, median(baseline.rss_kib) / 1024
            lines.append(
                f"{mode:6} {'peak RSS':11} app {app_rss:7.1f} MiB empty window {base_rss:7.1f} MiB "
                f"ratio {app_rss / base_rss:5.2f}x  "
                f"({'to ready' if mode == 'source' else f'to {FROZEN_LINGER_S} s after the first drawing'}, "
                f"median of {runs})"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--platform", choices=("auto", "xcb", "offscreen"), default="auto")
    parser.add_argument("--modes", default="source,frozen", help="comma-separated: source, frozen")
    args = parser.parse_args(argv)
    platform_name = args.platform
    if platform_name == "auto":
        platform_name = "xcb" if shutil.which("Xvfb") else "offscreen"

    print(f"machine: {machine()}")
    lines: list[str] = []
    with ExitStack() as stack:
        env = stack.enter_context(isolated_home())
        env.pop("WAYLAND_DISPLAY", None)
        if platform_name == "xcb":
            env["DISPLAY"] = stack.enter_context(virtual_display())
            env["QT_QPA_PLATFORM"] = "xcb"
            if args.platform == "auto" and not _xcb_works(env):
                # Qt's xcb plugin needs libxcb-icccm4, libxcb-keysyms1, libxcb-cursor0... from the system.
                print("the xcb platform plugin does not load here (missing system libraries?): offscreen")
                platform_name = "offscreen"
        if platform_name == "offscreen":
            env.pop("DISPLAY", None)
            env["QT_QPA_PLATFORM"] = "offscreen"
        where = f"Xvfb {env['DISPLAY']}, xcb" if platform_name == "xcb" else "offscreen"
        print(f"first paint on {where}; self-test offscreen; {args.warmup} warm-up + {args.runs} runs each")
        scratch = Path(env["HOME"])
        for mode in args.modes.split(","):
            results = measure(mode, args.runs, args.warmup, env, scratch)
            added = report(mode, results, args.runs)
            lines.extend(added)
            print("\n".join(added), flush=True)
    print("\nsummary:")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
