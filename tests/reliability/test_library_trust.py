"""Attacks on the drug library (issue 13): only a library signed by a trusted key is used.

Each attack is made the way a careless or hostile hand would make it (edit the file, re-sign it with a key
of one's own, drop the signature, rewrite the signature's checksum), and each must be refused with a sentence
naming the file and the reason, by the headless commands (exit 2, no traceback) and by the loader.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ketamine_desktop.cli import run
from ketamine_desktop.cli.common import Streams, load_default_library
from ketamine_desktop.domain.library import LibraryError
from ketamine_desktop.library_trust import (
    bundled_key_dir,
    generate_key_pair,
    sign_library,
    signature_path,
    trusted_keys,
    verify_signature,
)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "resources" / "library" / "default.toml"
# The edit from the issue: the sub-anaesthetic default raised from 1 mcg/kg/min to 1 mg/kg/h.
DEFAULT_RATE = 'default = { value = 1, unit = "mcg/kg/min" }'


def call(*argv: str) -> tuple[int | None, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), Streams(out, err))
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def library_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A signed copy of the default library, made the app's library for this test."""
    path = tmp_path / "library" / "default.toml"
    path.parent.mkdir()
    shutil.copyfile(DEFAULT, path)
    shutil.copyfile(signature_path(DEFAULT), signature_path(path))
    monkeypatch.setattr("ketamine_desktop.cli.common.default_library_path", lambda: path)
    return path


def refused_headless(*argv: str) -> str:
    status, out, err = call(*argv)
    assert status == 2, (status, out, err)
    assert out == "" and "Traceback" not in err
    assert err.startswith("error: ") and len(err.splitlines()) == 1
    return err


REGIMEN = ("regimen", "--protocol", "subanesthetic-infusion", "--weight-kg", "70", "--json")


def test_the_default_library_is_signed_by_the_bundled_project_key() -> None:
    sha256 = hashlib.sha256(DEFAULT.read_bytes()).hexdigest()
    info = verify_signature(DEFAULT, sha256)
    assert info.key_path.parent == bundled_key_dir()
    assert info.signer.startswith("ketamine-desktop project")
    status, out, _ = call("library")
    assert status == 0 and f"signed by {info.signer}" in out and info.key_id in out


def test_a_signed_copy_is_used(library_copy: Path) -> None:
    status, _out, err = call(*REGIMEN)
    assert (status, err) == (0, "")


def test_a_one_byte_edit_is_refused(library_copy: Path) -> None:
    data = library_copy.read_bytes()
    library_copy.write_bytes(data.replace(b"Guillou N", b"Guilou N", 1))
    err = refused_headless(*REGIMEN)
    assert str(library_copy) in err and "changed after it was signed" in err


def test_a_dose_edit_re_signed_with_an_untrusted_key_is_refused(library_copy: Path, tmp_path: Path) -> None:
    text = library_copy.read_text(encoding="utf-8")
    assert text.count(DEFAULT_RATE) >= 1
    edited = text.replace(DEFAULT_RATE, 'default = { value = 1, unit = "mg/kg/h" }', 1).encode("utf-8")
    library_copy.write_bytes(edited)
    key = tmp_path / "mine.key"
    generate_key_pair(key, tmp_path / "mine.pub")
    sign_library(library_copy, edited, key, "Not the pharmacy", datetime.now(UTC))
    err = refused_headless(*REGIMEN)
    assert "signed by Not the pharmacy with key" in err and "does not trust" in err
    assert refused_headless(
        "schedule", "--protocol", "subanesthetic-infusion", "--start", "2026-11-21T08:00:00Z"
    )


def test_a_missing_signature_is_refused(library_copy: Path) -> None:
    signature_path(library_copy).unlink()
    err = refused_headless(*REGIMEN)
    assert "the library is not signed" in err and "default.toml.sig" in err
    assert refused_headless("library")
    with pytest.raises(LibraryError, match="not signed"):
        load_default_library()


def test_a_checksum_rewritten_in_the_signature_is_a_forgery(library_copy: Path) -> None:
    """The old attack: edit the file, recompute its SHA-256 (sha256sum) and put it where the approval was."""
    edited = library_copy.read_bytes().replace(b"Guillou N", b"Guilou N", 1)
    library_copy.write_bytes(edited)
    sig = signature_path(library_copy)
    text = sig.read_text(encoding="utf-8")
    old = text.split("sha256: ", 1)[1].split()[0]
    sig.write_text(text.replace(old, hashlib.sha256(edited).hexdigest()), encoding="utf-8")
    err = refused_headless(*REGIMEN)
    assert "the signature does not match key" in err and "forged or damaged" in err


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot read the file"),
        (b"", "the file is empty"),
        (b"\xff\xfe\x00garbage", "not signed"),
    ],
    ids=["missing", "empty", "not-utf8"],
)
def test_missing_empty_unreadable_libraries_are_one_line(
    library_copy: Path, content: bytes | None, reason: str
) -> None:
    if content is None:
        library_copy.unlink()
    else:
        library_copy.write_bytes(content)
        signature_path(library_copy).unlink()
    assert reason in refused_headless(*REGIMEN)


def test_a_truncated_library_is_refused(library_copy: Path) -> None:
    data = library_copy.read_bytes()
    library_copy.write_bytes(data[: len(data) // 2])
    assert "changed after it was signed" in refused_headless(*REGIMEN)


def test_library_file_dev_zero_and_huge_files_are_refused_before_reading(tmp_path: Path) -> None:
    err = refused_headless("library", "--file", "/dev/zero")
    assert "not a regular file" in err
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MiB that cost nothing to make
    assert "larger than a library may be (1 MiB)" in refused_headless("library", "--file", str(huge))


def test_a_candidate_under_review_needs_no_signature_but_a_bad_one_is_named(tmp_path: Path) -> None:
    candidate = tmp_path / "candidate.toml"
    shutil.copyfile(DEFAULT, candidate)
    status, out, _ = call("library", "--file", str(candidate))
    assert status == 0 and "not signed" in out
    signature_path(candidate).write_text("nonsense\n", encoding="utf-8")
    assert "not a library signature" in refused_headless("library", "--file", str(candidate))


def test_keygen_and_sign_round_trip_through_the_cli(tmp_path: Path) -> None:
    key = tmp_path / "pharmacy.key"
    status, out, err = call("library", "keygen", "--key", str(key))
    assert (status, err) == (0, "")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    public = tmp_path / "pharmacy.key.pub"
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    # A key is never overwritten.
    assert "already exists" in refused_headless("library", "keygen", "--key", str(key))

    library = tmp_path / "hospital.toml"
    shutil.copyfile(DEFAULT, library)
    status, out, err = call(
        "library", "sign", "--file", str(library), "--key", str(key), "--signer", "St Elsewhere Pharmacy"
    )
    assert (status, err) == (0, "")
    assert "does not trust key" in out  # not installed yet
    keys_dir = tmp_path / "trusted"
    keys_dir.mkdir()
    shutil.copyfile(public, keys_dir / "st-elsewhere.pub")
    sha256 = hashlib.sha256(library.read_bytes()).hexdigest()
    if os.geteuid() == 0:
        info = verify_signature(library, sha256, key_dirs=(keys_dir,))
        assert info.signer == "St Elsewhere Pharmacy" and info.key_path.name == "st-elsewhere.pub"
    # Only a valid library is signed.
    bad = tmp_path / "bad.toml"
    bad.write_text("[library\n", encoding="utf-8")
    assert "TOML syntax error" in refused_headless("library", "sign", "--file", str(bad), "--key", str(key))


def test_system_keys_writable_by_others_are_not_trusted(tmp_path: Path) -> None:
    key = tmp_path / "k.key"
    generate_key_pair(key, tmp_path / "k.pub")
    keys_dir = tmp_path / "trusted"
    keys_dir.mkdir()
    shutil.copyfile(tmp_path / "k.pub", keys_dir / "k.pub")
    keys_dir.chmod(0o777)
    found, ignored = trusted_keys((keys_dir,))
    assert found == ()
    assert len(ignored) == 1 and "not trusted" in ignored[0]
    keys_dir.chmod(0o755)
    (keys_dir / "k.pub").chmod(0o666)
    found, ignored = trusted_keys((keys_dir,))
    assert found == () and ("writable by others" in ignored[0] or "owned by user id" in ignored[0])


def test_byte_flips_through_the_signed_path_are_all_refused(library_copy: Path) -> None:
    """Recipe 17 through the app's own loader: every single-bit flip anywhere is refused."""
    rng = random.Random(1313)
    original = DEFAULT.read_bytes()
    for _ in range(150):
        flipped = bytearray(original)
        flipped[rng.randrange(len(original))] ^= 1 << rng.randrange(8)
        library_copy.write_bytes(bytes(flipped))
        with pytest.raises(LibraryError):
            load_default_library()


def test_no_private_key_in_the_repository() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, tracked):
        path = ROOT / name.decode()
        if path.is_file() and path.stat().st_size < 1_000_000:
            assert b"PRIVATE KEY-----" not in path.read_bytes() or path.suffix == ".py", name


def test_an_unsigned_library_is_one_line_from_a_real_process(tmp_path: Path) -> None:
    """No traceback from a real process either (the loader is not monkeypatched here)."""
    candidate = tmp_path / "c.toml"
    candidate.write_bytes(DEFAULT.read_bytes()[:100])
    done = subprocess.run(
        [sys.executable, "-m", "ketamine_desktop", "library", "--file", str(candidate)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_pydantic_and_the_crypto_import_stay_off_the_first_paint_path(tmp_path: Path) -> None:
    """The window paints its chrome and the Dosing tab's first inputs before the library is loaded: the
    entry point's imports, the record and that window need neither pydantic nor cryptography."""
    code = (
        "import sys, pathlib; "
        "from ketamine_desktop.__main__ import main; from ketamine_desktop.cli import build_parser; "
        "build_parser(None).parse_args([]); "
        "import ketamine_desktop.x11_check; from ketamine_desktop import app; "
        "from ketamine_desktop.store.record_access import open_record; "
        "from ketamine_desktop.state.settings import ViewSettings; "
        "lock, records = open_record(pathlib.Path(sys.argv[1]) / 'data'); "
        "qt = app.application(); window = app.open_main_window(qt, ViewSettings(pathlib.Path(sys.argv[1]) / 's.ini')); "
        "window.show(); qt.processEvents(); "
        "assert 'pydantic' not in sys.modules, 'pydantic imported before the first paint'; "
        "assert 'cryptography' not in sys.modules, 'cryptography imported before the first paint'; "
        "assert window.findChild(type(window.dosing_place), 'regimenCard') is None"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
