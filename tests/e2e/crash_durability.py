"""Crash durability harness (reliability recipe 1): kill -9 a writer at random moments, then reopen.

Each iteration starts a child process that takes the instance lock, opens the record and appends
observations through `RecordStore.append` in a loop, writing the seq and hash of every record `append`
returned (acknowledged) to its stdout, flushed each time. The parent kills it with SIGKILL (TerminateProcess
on Windows) 5-150 ms after it is ready, then checks, on the same data directory, that:
  the instance lock is free again, `integrity_check` is 'ok', every acknowledged record so far is present
  with the same hash, and the hash chain verifies.
Iterations share one data directory, so each child also reopens a record whose writer was just killed.

Run: python tests/e2e/crash_durability.py --iterations 200 [--seed S] [--data-dir DIR]
Prints "N/N iterations ok" and exits 1 if any iteration failed.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # runnable from a source tree without installing

from ketamine_desktop.store import InstanceLock, RecordStore  # noqa: E402

LIBRARY_SHA = "5f" * 32


def child(data_dir: Path) -> int:
    """Append observations until killed, acknowledging each returned record on stdout."""
    lock = InstanceLock(data_dir)
    if not lock.acquire():
        sys.stderr.write(f"instance lock still held: {lock.holder_description()}\n")
        return 3
    store = RecordStore.open(data_dir)
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    rng = random.Random()
    i = 0
    while True:
        i += 1
        record = store.append(
            "crash-session",
            "observation",
            {
                "check": i,
                "hr": rng.randrange(40, 140),
                "spo2_percent": Decimal(rng.randrange(850, 1000)) / 10,
                "rass": rng.randrange(-3, 2),
                # Vary the size so that kills land in single-page and multi-page transactions alike.
                "note": "x" * rng.choice((0, 10, 1000, 5000)),
            },
            recorded_by="crash-test",
            recorded_at=datetime.now(UTC),
            library_version="crash-test",
            library_sha256=LIBRARY_SHA,
        )
        out.write(f"{record.seq} {record.hash}\n")
        out.flush()


def iteration(data_dir: Path, rng: random.Random, acknowledged: dict[int, str]) -> str | None:
    """One start-kill-reopen cycle; returns None when all checks pass, else what failed."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", str(data_dir)],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
        )
        assert proc.stdout is not None
        ready = proc.stdout.readline()
        if ready == b"ready\n":
            time.sleep(rng.uniform(0.005, 0.150))
        proc.kill()
        proc.wait()
        output = ready + proc.stdout.read()
        proc.stdout.close()
        errors.seek(0)
        child_errors = errors.read().decode(errors="replace").strip()
    if ready != b"ready\n":
        return f"child did not start: {child_errors or ready!r}"
    # Only complete lines were acknowledged: a kill can cut the last line short.
    for line in output.decode().splitlines(keepends=True)[1:]:
        if line.endswith("\n"):
            seq, hash_ = line.split()
            acknowledged[int(seq)] = hash_
    lock = InstanceLock(data_dir)
    if not lock.acquire():
        return f"instance lock not released by the killed child ({lock.holder_description()})"
    try:
        with RecordStore.open(data_dir) as store:
            integrity = store.integrity_check()
            if integrity != "ok":
                return f"integrity_check: {integrity}"
            stored = {record.seq: record.hash for record in store.records()}
            lost = [seq for seq, hash_ in acknowledged.items() if stored.get(seq) != hash_]
            if lost:
                return f"{len(lost)} acknowledged records missing or changed, first seq {min(lost)}"
            verdict = store.verify()
            if not verdict.ok:
                return f"chain does not verify: {verdict.reason}"
    finally:
        lock.release()
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Kill -9 a record writer at random moments; check the record."
    )
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--seed", type=int, default=None, help="seed for the kill delays")
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="keep the record here (default: temporary)"
    )
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        return child(args.child)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        acknowledged: dict[int, str] = {}
        failures = 0
        started = time.monotonic()
        for n in range(1, args.iterations + 1):
            problem = iteration(data_dir, rng, acknowledged)
            if problem is not None:
                failures += 1
                print(f"iteration {n}: FAILED: {problem}", flush=True)
        elapsed = time.monotonic() - started
    ok = args.iterations - failures
    print(f"{ok}/{args.iterations} iterations ok")
    print(f"{len(acknowledged)} records acknowledged in all; {elapsed:.1f} s; seed {seed}")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
