"""Benchmark (recipe 18): build a record of 100,000 records and time `RecordStore.verify()`.

A script, not a test (no `test_` prefix): timings on shared CI machines make flaky assertions.
Run: .venv/bin/python tests/store/bench_verify.py [--records N]
"""

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a source tree

from ketamine_desktop.store import RecordStore


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = RecordStore.open(Path(tmp))
        # Building is not what is measured: skip the per-commit fsync to build in seconds, not minutes.
        store._conn.execute("PRAGMA synchronous = OFF")
        start = datetime(2026, 11, 21, 8, tzinfo=UTC)
        t0 = time.perf_counter()
        for i in range(args.records):
            store.append(
                f"session-{i // 500}",
                "observation",
                {"hr": 60 + i % 40, "spo2": Decimal("97.5"), "rass": -1, "note": "routine check"},
                recorded_by="nurse.a",
                recorded_at=start + timedelta(seconds=i),
                library_version="2026.11",
                library_sha256="ab" * 32,
            )
        build_s = time.perf_counter() - t0
        store.close()
        store = RecordStore.open(Path(tmp))  # verify from a cold connection, as verify-record does
        t0 = time.perf_counter()
        verdict = store.verify()
        verify_s = time.perf_counter() - t0
        store.close()
    print(f"built {args.records} records in {build_s:.1f} s")
    print(f"verify: ok={verdict.ok} checked={verdict.checked} in {verify_s:.3f} s")
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
