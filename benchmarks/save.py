"""Durable observation save latency: `RecordStore.append` through the real connection (WAL, synchronous=FULL).

    .venv/bin/python benchmarks/save.py [--saves 1000] [--warmup 20] [--dir DIR]

Each append is one transaction: read the chain head, insert the record with its SHA-256 link, update the
head, COMMIT; with synchronous=FULL the commit returns only after the WAL is fsync'd, which is what the
figure is made of. The store is created in a fresh folder under DIR (default: under $HOME, the file system
the real data directory lives on) and deleted afterwards. Median and p99 (nearest rank); target p99 < 20 ms.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchlib import machine, median, percentile

from ketamine_desktop.cli.common import load_default_library
from ketamine_desktop.store.record_store import RecordStore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--dir", type=Path, default=Path.home())
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    library = load_default_library()
    samples: list[float] = []
    with tempfile.TemporaryDirectory(prefix="ketamine-save-bench-", dir=args.dir) as folder:
        store = RecordStore.open(Path(folder) / "data")
        # Read back what the store's connection really runs with: the figure means nothing otherwise.
        journal = store._conn.execute("PRAGMA journal_mode").fetchone()[0]
        synchronous = store._conn.execute("PRAGMA synchronous").fetchone()[0]
        if (journal, synchronous) != ("wal", 2):
            raise SystemExit(
                f"the store runs journal_mode={journal}, synchronous={synchronous}, not WAL + FULL"
            )
        start = datetime.now(UTC)
        try:
            for index in range(args.warmup + args.saves):
                # An observation-shaped payload (sample values, not clinical thresholds).
                payload = {
                    "rr": 14,
                    "spo2": 97,
                    "hr": 72 + index % 9,
                    "sbp": 124,
                    "sedation": "POSS 1",
                    "pain": 4,
                    "temperature_c": Decimal("36.8"),
                    "note": "routine check",
                }
                started = time.perf_counter_ns()
                store.append(
                    "bench-session",
                    "observation",
                    payload,
                    recorded_by="bench",
                    recorded_at=start + timedelta(seconds=index),
                    library_version=library.version,
                    library_sha256=library.sha256,
                )
                if index >= args.warmup:
                    samples.append((time.perf_counter_ns() - started) / 1e6)
            verdict = store.verify()
        finally:
            store.close()
    if not verdict.ok:
        raise SystemExit(f"the chain does not verify after the run: {verdict.reason}")
    print(f"{len(samples)} durable appends (WAL, synchronous=FULL) in {args.dir} after {args.warmup} warm-up")
    print(
        f"save latency  median {median(samples):6.2f} ms  p99 {percentile(samples, 0.99):6.2f} ms  "
        f"max {max(samples):6.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
