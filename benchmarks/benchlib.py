"""What every benchmark script shares: paths, summary statistics, the machine, an isolated home.

The scripts print figures; they assert nothing (timings on a shared 2-core machine make flaky tests).
"""

from __future__ import annotations

import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_BUNDLE = ROOT / "dist" / "ketamine-desktop"
APP_EXECUTABLE = APP_BUNDLE / "ketamine-desktop"
BASELINE_SCRIPT = ROOT / "benchmarks" / "baseline_window.py"
BASELINE_SPEC = ROOT / "benchmarks" / "baseline_window.spec"
BASELINE_DIST = ROOT / "build" / "baseline" / "dist"
BASELINE_BUNDLE = BASELINE_DIST / "baseline-window"
BASELINE_EXECUTABLE = BASELINE_BUNDLE / "baseline-window"
FIRST_PAINT_VARIABLE = "KETAMINE_DESKTOP_FIRST_PAINT_FILE"


def python() -> str:
    """The interpreter running the benchmark (run it with the venv's: .venv/bin/python benchmarks/...)."""
    return sys.executable


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 1000 values is the 990th smallest): never interpolated."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    """One line: date, cores, CPU model, memory, OS, Python."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{mem_kib / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        memory = "RAM unknown"
    return (
        f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores ({os.sched_getaffinity(0).__len__()} usable), "
        f"{cpu}, {memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


@contextmanager
def isolated_home() -> Iterator[dict[str, str]]:
    """An environment whose HOME and XDG folders are a fresh temporary folder (no user settings read or
    written); shared by all runs of one benchmark, so caches warmed by the warm-up runs stay warm."""
    with tempfile.TemporaryDirectory(prefix="ketamine-bench-") as home:
        env = dict(os.environ)
        env.update(
            HOME=home,
            XDG_CONFIG_HOME=f"{home}/config",
            XDG_DATA_HOME=f"{home}/data",
            XDG_CACHE_HOME=f"{home}/cache",
            XDG_STATE_HOME=f"{home}/state",
            QT_ACCESSIBILITY="0",
        )
        env.pop(FIRST_PAINT_VARIABLE, None)
        # Bytecode is cached as after any installation (the frozen bundle carries it): with
        # PYTHONDONTWRITEBYTECODE set, every run from source would compile every module of the app again,
        # which no user's start-up does (about 60 ms here), and the warm-up runs would warm nothing.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        yield env


def toolchain() -> str:
    """Python, PySide6 and PyInstaller versions of the interpreter running the benchmark."""
    code = (
        "import platform, PySide6, PyInstaller; "
        "print(f'Python {platform.python_version()}, PySide6 {PySide6.__version__}, "
        "PyInstaller {PyInstaller.__version__}')"
    )
    result = subprocess.run([python(), "-c", code], capture_output=True, text=True, check=False)
    return result.stdout.strip() or "PyInstaller not installed"


def ensure_baseline_bundle(rebuild: bool = False) -> Path:
    """The empty window built the default way with this interpreter's PyInstaller and PySide6 (about 20 s);
    rebuilt when missing or when it was built with another toolchain."""
    stamp = BASELINE_DIST.parent / "toolchain.txt"
    wanted = toolchain()
    current = stamp.read_text(encoding="utf-8") if stamp.exists() else ""
    if rebuild or not BASELINE_EXECUTABLE.exists() or current != wanted:
        if BASELINE_BUNDLE.exists():
            shutil.rmtree(BASELINE_BUNDLE)
        print(f"building the empty-window baseline bundle ({wanted})...", flush=True)
        subprocess.run(
            [
                python(),
                "-m",
                "PyInstaller",
                "--noconfirm",
                "--log-level",
                "ERROR",
                "--distpath",
                str(BASELINE_DIST),
                "--workpath",
                str(ROOT / "build" / "baseline" / "work"),
                str(BASELINE_SPEC),
            ],
            check=True,
            cwd=ROOT,
        )
        stamp.write_text(wanted, encoding="utf-8")
    return BASELINE_BUNDLE


def tree_size(folder: Path) -> tuple[int, int]:
    """(bytes, files) of the regular files under folder; symbolic links count as nothing."""
    sizes = [path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink()]
    return sum(sizes), len(sizes)


def mb(size: float) -> str:
    return f"{size / 1e6:.1f} MB"
