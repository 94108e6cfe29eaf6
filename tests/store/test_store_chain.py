"""The hash chain (recipe 18): random single-field edits, deletions, swaps and insertions, all detected.

Each case tampers with an in-memory copy of a real record (taken with the online backup), directly in
SQL with the append-only triggers dropped, and checks that verification fails at the right record.
"""

import json
import random
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketamine_desktop.store import RecordStore
from ketamine_desktop.store.chain import COLUMNS, GENESIS_HASH, ChainVerdict, record_hash, verify_chain
from ketamine_desktop.store.record_store import utc_text
from ketamine_desktop.store.stored_record import verify_connection
from tests.helpers.store_helpers import add

SIZES = (1, 2, 3, 8, 25)
TEXT_FIELDS = ("session_id", "kind", "recorded_by", "library_version")
HEX_FIELDS = ("library_sha256", "prev_hash", "hash")
Row = list[object]


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, sqlite3.Connection]]:
    """Real records of several lengths, written through RecordStore.append."""
    stores = {}
    for n in SIZES:
        store = RecordStore.open(tmp_path_factory.mktemp(f"chain{n}"))
        for i in range(n):
            add(store, i, session=f"session-{i % 3}")
        stores[n] = store
    yield {n: store._conn for n, store in stores.items()}
    for store in stores.values():
        store.close()


def _copy(base: sqlite3.Connection) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    base.backup(conn)
    # The broadest tamperer: CHECKs off as well (a blob where text belongs, say).
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("DROP TRIGGER records_no_delete")
    return conn


def _rows(conn: sqlite3.Connection) -> list[Row]:
    return [list(row) for row in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM records ORDER BY seq")]


def _rewrite(conn: sqlite3.Connection, rows: list[Row]) -> None:
    conn.execute("DELETE FROM records")
    for row in rows:
        conn.execute(f"INSERT INTO records VALUES ({', '.join('?' * len(COLUMNS))})", row)


def _hex(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(64))


def _other_text(rng: random.Random, value: str) -> str:
    variants = [
        value + "x",
        " " + value,
        value.upper(),
        value.replace("a", "\u0430", 1),  # a Cyrillic look-alike
        f"id-{rng.randrange(10**6)}",
    ]
    return next(v for v in [*rng.sample(variants, len(variants)), value + "!"] if v != value)


def _other_payload(rng: random.Random, value: str) -> str:
    parsed = json.loads(value)
    variants = [
        value + " ",  # same meaning, different text: still a change to what was recorded
        json.dumps(parsed, separators=(", ", ": "), sort_keys=True),
        json.dumps({**parsed, "hr": parsed.get("hr", 0) + rng.choice((-1, 1))}, separators=(",", ":")),
        json.dumps({**parsed, "extra": True}, separators=(",", ":"), sort_keys=True),
    ]
    return next(v for v in rng.sample(variants, len(variants)) if v != value)


def _edit(conn: sqlite3.Connection, rng: random.Random) -> tuple[str, int]:
    rows = _rows(conn)
    n = len(rows)
    k = rng.randrange(1, n + 1)
    field = rng.choice(COLUMNS)
    old = rows[k - 1][COLUMNS.index(field)]
    if field == "seq":
        new: object = rng.choice([0, -1, n + 1, n + rng.randrange(2, 1000)])
        expected = 1 if isinstance(new, int) and new < 1 else k
    else:
        assert isinstance(old, str)
        if rng.random() < 0.1:
            new = old.encode()  # same text, stored as a blob
        elif field == "payload":
            new = _other_payload(rng, old)
        elif field == "recorded_at_utc":
            shift = timedelta(microseconds=rng.choice([1, 1000, 10**6, 86_400 * 10**6]) * rng.choice([-1, 1]))
            new = utc_text(datetime.fromisoformat(old) + shift)
        elif field in HEX_FIELDS:
            new = _hex(rng)
        else:
            new = _other_text(rng, old)
        expected = k
    assert new != old
    conn.execute(f"UPDATE records SET {field} = ? WHERE seq = ?", (new, k))
    return f"edit {field}", expected


def _delete(conn: sqlite3.Connection, rng: random.Random) -> tuple[str, int]:
    n = len(_rows(conn))
    k = rng.randrange(1, n + 1)
    conn.execute("DELETE FROM records WHERE seq = ?", (k,))
    return "delete", k


def _swap(conn: sqlite3.Connection, rng: random.Random) -> tuple[str, int]:
    rows = _rows(conn)
    i, j = sorted(rng.sample(range(len(rows)), 2))
    # Exchange everything but the seq: record j now sits at position i and vice versa.
    rows[i][1:], rows[j][1:] = rows[j][1:], rows[i][1:]
    _rewrite(conn, rows)
    return "swap", i + 1


def _insert(conn: sqlite3.Connection, rng: random.Random) -> tuple[str, int]:
    rows = _rows(conn)
    k = rng.randrange(1, len(rows) + 2)
    prev = rows[k - 2][9] if k > 1 else GENESIS_HASH
    template = rows[rng.randrange(len(rows))]
    fields = [k, *template[1:3], '{"hr":200,"forged":true}', *template[4:8]]
    # The strongest forgery that does not rewrite the rest: correctly linked and hashed itself.
    forged: Row = [*fields, prev, record_hash(str(prev), *fields)]  # type: ignore[arg-type]
    for row in rows[k - 1 :]:
        row[0] = int(str(row[0])) + 1
    rows.insert(k - 1, forged)
    _rewrite(conn, rows)
    # The forged record passes itself; the one it displaced no longer links, or, appended at the end,
    # it lies beyond the chain head.
    return "insert", k if k == len(rows) else k + 1


TAMPERS: tuple[Callable[[sqlite3.Connection, random.Random], tuple[str, int]], ...] = (
    _edit,
    _delete,
    _swap,
    _insert,
)


def run_tamper_cases(bases: dict[int, sqlite3.Connection], count: int, seed: int) -> Counter[str]:
    rng = random.Random(seed)
    cases: Counter[str] = Counter()
    missed = []
    for case in range(count):
        n = rng.choice(SIZES)
        tamper = rng.choice(TAMPERS if n > 1 else (_edit, _delete, _insert))
        conn = _copy(bases[n])
        kind, expected = tamper(conn, rng)
        verdict = verify_connection(conn)
        conn.close()
        cases[kind] += 1
        if verdict.ok or verdict.first_bad_seq != expected:
            missed.append((case, n, kind, expected, verdict))
    assert missed == [], f"{len(missed)} of {count} not detected at the right record: {missed[:5]}"
    return cases


def test_500_tamperings_all_detected(bases: dict[int, sqlite3.Connection]) -> None:
    cases = run_tamper_cases(bases, 500, seed=18)
    assert sum(cases.values()) == 500
    assert {"delete", "swap", "insert"} <= set(cases)
    assert {f"edit {field}" for field in COLUMNS} <= set(cases)


@pytest.mark.slow
def test_10000_tamperings_all_detected(bases: dict[int, sqlite3.Connection]) -> None:
    cases = run_tamper_cases(bases, 10_000, seed=10_000)
    assert sum(cases.values()) == 10_000


def test_the_untampered_copies_verify(bases: dict[int, sqlite3.Connection]) -> None:
    for n, base in bases.items():
        assert verify_connection(_copy(base)) == ChainVerdict(True, n, None, None)


def test_an_empty_record_is_intact(record_store: RecordStore) -> None:
    assert record_store.verify() == ChainVerdict(True, 0, None, None)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "DELETE FROM records WHERE seq = 3",
            ChainVerdict(False, 2, 3, "the record stops at 2; records up to 3 are missing from the end"),
        ),
        (
            "DELETE FROM records WHERE seq >= 2",
            ChainVerdict(False, 1, 2, "the record stops at 1; records up to 3 are missing from the end"),
        ),
        ("DELETE FROM chain_head", ChainVerdict(False, 3, None, "the chain head is missing")),
        (
            "UPDATE chain_head SET seq = 2",
            ChainVerdict(False, 2, 3, "record 3 was added outside the application"),
        ),
        (
            f"UPDATE chain_head SET hash = '{'e' * 64}'",
            ChainVerdict(False, 2, 3, "the last record does not match the chain head"),
        ),
    ],
)
def test_the_tail_and_the_head(
    bases: dict[int, sqlite3.Connection], sql: str, expected: ChainVerdict
) -> None:
    conn = _copy(bases[3])
    conn.execute("DROP TRIGGER chain_head_no_delete")
    conn.execute("DROP TRIGGER chain_head_forward_only")
    conn.execute(sql)
    assert verify_connection(conn) == expected


def test_a_head_that_does_not_match_an_empty_chain() -> None:
    verdict = verify_chain([], (0, "e" * 64))
    assert verdict == ChainVerdict(False, 0, None, "the last record does not match the chain head")


def test_rows_out_of_order() -> None:
    verdict = verify_chain([(2,), (1,)], (2, "e" * 64))
    assert verdict == ChainVerdict(False, 0, 1, "record 1 is missing")
    verdict = verify_chain([("1",)], (1, "e" * 64))
    assert verdict == ChainVerdict(False, 0, 1, "record 1 is out of order")


def test_hash_covers_every_field_unambiguously() -> None:
    fields = ("p" * 64, 1, "s", "k", "{}", "by", "2026-01-01T00:00:00.000000Z", "1", "a" * 64)
    base = record_hash(*fields)
    for i in range(len(fields)):
        changed: list[object] = list(fields)
        value = changed[i]
        changed[i] = value + 1 if isinstance(value, int) else f"{value}x"
        assert record_hash(*changed) != base  # type: ignore[arg-type]
    # Moving text between adjacent fields changes the hash (no field separator ambiguity).
    assert record_hash("p" * 64, 1, "sk", "", *fields[4:]) != record_hash("p" * 64, 1, "s", "k", *fields[4:])


def test_a_tampered_file_fails_through_the_store(data_dir: Path) -> None:
    with RecordStore.open(data_dir) as store:
        for i in range(5):
            add(store, i)
        store._conn.execute("DROP TRIGGER records_no_delete")
        store._conn.execute("DELETE FROM records WHERE seq = 5")
    with RecordStore.open(data_dir) as store:
        assert store.verify() == ChainVerdict(
            False, 4, 5, "the record stops at 4; records up to 5 are missing from the end"
        )


def _texts_sqlite_can_hold() -> st.SearchStrategy[str]:
    # Any text but lone surrogates (not valid Unicode: the writer refuses them, SQLite cannot bind them).
    return st.text(st.characters(blacklist_categories=("Cs",)))


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.lists(_texts_sqlite_can_hold(), min_size=8, max_size=8),
)
def test_sqlites_material_is_the_writers(seq: int, texts: list[str]) -> None:
    """The bytes SQLite builds for a row (`verify_table`'s fast path) are exactly the bytes the writer
    hashed, for any text: quotes, backslashes, control characters, NUL, non-ASCII, U+2028."""
    from ketamine_desktop.store.chain import _DOMAIN, _MATERIAL_SELECT

    session_id, kind, payload, by, at, version, sha, prev = texts
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute(f"CREATE TABLE records ({', '.join(COLUMNS)})")
    conn.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (seq, *texts, ""))
    ((_seq, _prev, _hash, material),) = conn.execute(_MATERIAL_SELECT, (_DOMAIN,)).fetchall()
    fields = [_DOMAIN, prev, seq, session_id, kind, payload, by, at, version, sha]
    assert material == json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(_texts_sqlite_can_hold(), min_size=6, max_size=6), min_size=1, max_size=6))
def test_the_table_walk_gives_the_row_walks_verdict(records: list[list[str]]) -> None:
    """`verify_table` (SQLite builds what is hashed) and `verify_chain` (Python does) agree on intact
    chains of any text, and on the same chain with one record's text changed."""
    from ketamine_desktop.store.chain import verify_table

    rows: list[Row] = []
    prev = GENESIS_HASH
    for seq, (session_id, kind, payload, by, at, version) in enumerate(records, start=1):
        fields = (seq, session_id, kind, payload, by, at, version, "a" * 64)
        hash_ = record_hash(prev, *fields)
        rows.append([*fields, prev, hash_])
        prev = hash_
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute(f"CREATE TABLE records ({', '.join(COLUMNS)})")
    _rewrite(conn, rows)
    head = (len(rows), prev)
    assert verify_table(conn, head) == verify_chain(rows, head) == ChainVerdict(True, len(rows), None, None)
    last = len(rows)
    conn.execute("UPDATE records SET payload = payload || '\n' WHERE seq = ?", (last,))
    changed = ChainVerdict(False, last - 1, last, f"record {last} was changed: it does not match its hash")
    assert verify_table(conn, head) == verify_chain(_rows(conn), head) == changed


def test_a_blob_is_refused_at_its_record_by_the_table_walk(bases: dict[int, sqlite3.Connection]) -> None:
    """A field SQLite cannot put in JSON stops its statement: the rows from the last one checked are
    walked the slow way, to the same verdict (and a row before seq 1 is still seen)."""
    conn = _copy(bases[8])
    conn.execute("UPDATE records SET recorded_by = CAST(recorded_by AS BLOB) WHERE seq = 5")
    assert verify_connection(conn) == ChainVerdict(False, 4, 5, "record 5 has a field of the wrong type")
    conn = _copy(bases[3])
    conn.execute("UPDATE records SET kind = CAST(kind AS BLOB), seq = -1 WHERE seq = 1")
    assert verify_connection(conn) == ChainVerdict(False, 0, 1, "record 1 is out of order")


@pytest.mark.parametrize("value", ["9e999", "-9e999", "12345", "1.5"])
def test_a_field_of_a_type_the_writer_never_stores_is_refused_not_raised(
    bases: dict[int, sqlite3.Connection], value: str
) -> None:
    """A record table rebuilt by hand without column types can hold an infinite REAL: SQLite's JSON takes
    it, the writer's digest does not. The table walk says so as the row walk does (it raised ValueError,
    and the app's start died on a traceback)."""
    from ketamine_desktop.store.chain import verify_table

    rows = _rows(bases[8])
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute(f"CREATE TABLE records ({', '.join(COLUMNS)})")
    _rewrite(conn, rows)
    conn.execute(f"UPDATE records SET recorded_by = {value} WHERE seq = 5")
    head = (8, rows[-1][9])
    verdict = verify_table(conn, head)
    assert verdict == verify_chain(_rows(conn), head)
    assert not verdict.ok and verdict.first_bad_seq == 5


@pytest.mark.parametrize(
    "select",
    [
        # An SQLite that escaped some character otherwise: every record is decided by the writer's digest.
        "SELECT seq, prev_hash, hash, CAST(json_array(?, prev_hash, seq) AS BLOB) FROM records ORDER BY seq",
        # A statement that fails for another reason than a blob: the slow walk over every row.
        "SELECT seq, prev_hash, hash, json_extract('not json', ?) FROM records ORDER BY seq",
    ],
)
def test_the_table_walk_never_trusts_its_own_material_over_the_writers(
    bases: dict[int, sqlite3.Connection], select: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ketamine_desktop.store import chain

    monkeypatch.setattr(chain, "_MATERIAL_SELECT", select)
    assert verify_connection(_copy(bases[8])) == ChainVerdict(True, 8, None, None)
    conn = _copy(bases[8])
    conn.execute("UPDATE records SET recorded_by = 'nurse.b' WHERE seq = 6")
    assert verify_connection(conn) == ChainVerdict(
        False, 5, 6, "record 6 was changed: it does not match its hash"
    )
