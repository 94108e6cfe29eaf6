"""One running instance per data directory (recipe 5): a second process is refused, with a message."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ketamine_desktop.store import InstanceLock, InstanceLocked

REPO = Path(__file__).resolve().parents[2]

# Tries the lock `tries` times (a fresh InstanceLock each time) and reports each outcome as JSON.
CHILD = """
import json, sys
from pathlib import Path
from ketamine_desktop.store import InstanceLock
results = []
for _ in range(int(sys.argv[2])):
    lock = InstanceLock(Path(sys.argv[1]))
    got = lock.acquire()
    results.append([got, lock.holder_description()])
    lock.release()
print(json.dumps(results))
"""


def _try_from_another_process(data_dir: Path, tries: int) -> list[tuple[bool, str]]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(data_dir), str(tries)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return [(got, text) for got, text in json.loads(done.stdout)]


def test_a_second_process_is_refused_20_times_then_gets_it_after_release(data_dir: Path) -> None:
    lock = InstanceLock(data_dir)
    assert lock.acquire()
    assert lock.held
    results = _try_from_another_process(data_dir, 20)
    assert [got for got, _ in results] == [False] * 20
    assert {text for _, text in results} == {lock.holder_description()}
    lock.release()
    assert not lock.held
    assert _try_from_another_process(data_dir, 1)[0][0] is True
    assert lock.acquire()  # and this process can take it back
    lock.release()


def test_holder_description_names_pid_and_time_only(data_dir: Path) -> None:
    with InstanceLock(data_dir) as lock:
        assert re.fullmatch(
            rf"pid {os.getpid()} since \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ", lock.holder_description()
        )
        assert lock.acquire()  # already held by this object: still true, nothing changes


def test_a_second_lock_in_the_same_process_is_refused_with_a_message(data_dir: Path) -> None:
    message = rf"already running .* \(pid {os.getpid()} since "
    with InstanceLock(data_dir), pytest.raises(InstanceLocked, match=message), InstanceLock(data_dir):
        pass  # pragma: no cover - never entered


def test_description_of_a_missing_or_empty_lock_file(data_dir: Path) -> None:
    lock = InstanceLock(data_dir)
    assert lock.holder_description() == "another process"
    data_dir.mkdir()
    lock.path.write_text("")
    assert lock.holder_description() == "another process"


def test_release_without_acquire_is_harmless(data_dir: Path) -> None:
    lock = InstanceLock(data_dir)
    lock.release()
    assert not lock.held
    assert not data_dir.exists()  # nothing was created
    held = InstanceLock(data_dir)
    assert held.acquire()
    lock.release()  # an object that never held the lock does not give up another's
    assert held.held
    assert _try_from_another_process(data_dir, 1)[0][0] is False
    held.release()
    held.release()  # and a second release is harmless too
    assert not held.held
    assert lock.acquire()
    lock.release()
