"""Recipe 21 in the default suite: the accelerated soak of tests/e2e/soak.py for 6 hours of fake time, in
a fresh process so that tracemalloc sees everything from the start (the full 72 hours run under the
`slow` marker and from the script)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "e2e" / "soak.py"


def run_soak(hours: int) -> str:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--hours", str(hours)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_soak_6_hours() -> None:
    line = run_soak(6)
    assert " 0 missed, 0 doubled" in line and "integrity ok; chain ok" in line, line
    growth = float(re.search(r"\(([-+][0-9.]+)%\)", line).group(1))  # type: ignore[union-attr]
    assert growth < 10, line


@pytest.mark.slow
def test_soak_72_hours() -> None:
    line = run_soak(72)
    assert " 0 missed, 0 doubled" in line, line
