"""`ketamine-desktop demo`: a training record written through the domain commands, every record marked
training, intact, replayable by the window's own fold; refused over a real (or an earlier training) record."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest

from ketamine_desktop.cli import run
from ketamine_desktop.cli.common import Streams, load_default_library
from ketamine_desktop.demo import SYSTEM_USER, demo_records
from ketamine_desktop.domain.session import parse_record, session_state
from ketamine_desktop.domain.training import TRAINING_PREFIX, is_training
from ketamine_desktop.store import RecordStore

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def call(*argv: str) -> tuple[int | None, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), Streams(out, err))
    return status, out.getvalue(), err.getvalue()


def test_demo_writes_an_intact_training_record_the_fold_replays(tmp_path: Path) -> None:
    data = tmp_path / "training"
    status, out, err = call("demo", "--data-dir", str(data), "--days", "1", "--past-sessions", "2", "--json")
    assert (status, err) == (0, "")
    summary = json.loads(out)
    assert summary["training"] is True and summary["sessions"] == 3 and summary["chain_intact"] is True
    with RecordStore.open(data) as store:
        stored = store.records()
        assert store.verify().ok
        assert len(stored) == summary["records"]
        assert all(is_training(r.session_id) for r in stored)
        assert store.session_prefixes(TRAINING_PREFIX) == (True, False)
        sessions = store.sessions()
        library = load_default_library()
        states = []
        for session_id in sessions:
            records = [
                parse_record(r.seq, r.kind, r.payload, r.recorded_by, r.recorded_at)
                for r in store.records(session_id)
            ]
            states.append(session_state(library, session_id, records))
    assert [s.status for s in states] == ["ended", "ended", "running"]
    # Every urgent action was acknowledged, by its check's own seq in the record.
    assert all(not s.unacknowledged for s in states)
    assert sum(len(s.acknowledgements) for s in states) == sum(
        1 for s in states for o in s.observations if o.body.assessment.needs_acknowledgement
    )
    assert states[-1].start.protocol_id == "neuropathic-prolonged"
    # Every scheduled check of a running day is recorded, with more checks between them.
    assert len(states[-1].observations) > 24 * 3
    assert all(r.library_sha256 == library.sha256 for r in stored)


def test_demo_refuses_a_real_record_and_an_earlier_training_one(tmp_path: Path) -> None:
    real = tmp_path / "real"
    library = load_default_library()
    with RecordStore.open(real) as store:
        store.append(
            "a3f0c2",
            "session-closed",
            {"at": "2026-11-21T08:00:00.000000Z"},
            recorded_by="AB",
            recorded_at=NOW,
            library_version=library.version,
            library_sha256=library.sha256,
        )
    status, out, err = call("demo", "--data-dir", str(real), "--days", "1")
    assert (status, out) == (2, "")
    assert err == f"error: --data-dir: {real} holds a real record: training records go elsewhere\n"
    with RecordStore.open(real) as store:
        assert len(store.records()) == 1  # nothing written
    training = tmp_path / "training"
    assert call("demo", "--data-dir", str(training), "--days", "1")[0] == 0
    status, _out, err = call("demo", "--data-dir", str(training), "--days", "1")
    assert status == 2 and "holds a training record already" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--days", "0"), "--days: must be from 1 to 14 ('0')"),
        (("--days", "15"), "--days: must be from 1 to 14 ('15')"),
        (("--days", "1.5"), "--days: must be a whole number ('1.5')"),
        (("--past-sessions", "-1"), "--past-sessions"),
        (("--seed", "x"), "--seed"),
    ],
)
def test_demo_invalid_input_exits_2_with_one_line(
    tmp_path: Path, argv: tuple[str, ...], message: str
) -> None:
    status, out, err = call("demo", "--data-dir", str(tmp_path / "d"), *argv)
    assert (status, out) == (2, "")
    assert err.startswith(f"error: {message}") and err.count("\n") == 1
    assert not (tmp_path / "d").exists()


def test_demo_needs_a_data_dir() -> None:
    status, _out, err = call("demo")
    assert status == 2 and err.startswith("error: --data-dir: required")


def test_same_seed_same_record_and_what_it_holds() -> None:
    library = load_default_library()
    first = list(demo_records(library, now=NOW, days=2, past_sessions=1, seed=7))
    again = list(demo_records(library, now=NOW, days=2, past_sessions=1, seed=7))
    assert first == again
    other = list(demo_records(library, now=NOW, days=2, past_sessions=1, seed=8))
    assert other != first
    kinds = Counter(type(r.body).__name__ for r in first)
    assert kinds["StartPayload"] == 2 and kinds["ClosePayload"] == 1
    assert kinds["RaisePayload"] > 0 and kinds["EventPayload"] > 2
    events = Counter(getattr(r.body, "kind", None) for r in first)
    assert events["syringe-change"] >= 2 and events["stop"] == 1
    assert events["rate-increase"] + events["rate-decrease"] >= 1
    assert {r.by for r in first if type(r.body).__name__ == "RaisePayload"} == {SYSTEM_USER}
    assert first[-1].at <= NOW and all(a.at <= b.at for a, b in pairwise(first))


def test_system_user_is_the_session_stores() -> None:
    from ketamine_desktop.state.session_store import SYSTEM_USER as STORE_USER

    assert SYSTEM_USER == STORE_USER


@pytest.mark.parametrize("seed", [0, 4])
def test_past_sessions_close_whatever_was_left_open(seed: int) -> None:
    """Seed 0 once left a reminder open at a past session's close (the close counts every reminder),
    seed 4 a rate change under a safety lockout (the team then leaves the rate as it is)."""
    library = load_default_library()
    records = list(demo_records(library, now=NOW, days=1, past_sessions=8, seed=seed))
    closes = [r for r in records if type(r.body).__name__ == "ClosePayload"]
    assert len(closes) == 8
