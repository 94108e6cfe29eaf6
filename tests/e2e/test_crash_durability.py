"""Recipe 1: kill -9 a process saving through RecordStore.append at random moments; nothing acknowledged
is lost. 5 iterations in the default suite, the full 200 under the `slow` marker."""

import random
import re
import subprocess
import sys
from pathlib import Path

import crash_durability
import pytest

HARNESS = Path(__file__).with_name("crash_durability.py")


def _run(iterations: int) -> str:
    done = subprocess.run(
        [sys.executable, str(HARNESS), "--iterations", str(iterations)],
        capture_output=True,
        text=True,
        timeout=60 + 5 * iterations,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{iterations}/{iterations} iterations ok" in done.stdout
    acknowledged = re.search(r"^(\d+) records acknowledged", done.stdout, re.MULTILINE)
    assert acknowledged is not None
    assert int(acknowledged.group(1)) > 0, "no save was acknowledged: the kills proved nothing"
    return done.stdout


def test_crash_durability_5_iterations() -> None:
    _run(5)


@pytest.mark.slow
def test_crash_durability_200_iterations() -> None:
    _run(200)


def test_the_harness_notices_a_lost_acknowledged_record(tmp_path: Path) -> None:
    # A control: were a record the child acknowledged not there, the iteration would fail.
    problem = crash_durability.iteration(tmp_path, random.Random(0), {10**9: "0" * 64})
    assert problem is not None
    assert "1 acknowledged records missing or changed, first seq 1000000000" in problem
