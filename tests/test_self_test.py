"""`ketamine-desktop --self-test`: in-process and as a real subprocess."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ketamine_desktop.__main__ import main as run
from ketamine_desktop.cli.common import Streams
from ketamine_desktop.domain.library import LibraryError

ROOT = Path(__file__).resolve().parents[1]


def test_self_test_passes_in_process(qapp: object) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run(["--self-test"], Streams(out, err)) == 0, err.getvalue()
    assert out.getvalue() == "self-test ok\n"
    assert err.getvalue() == ""


def test_a_failure_is_one_line_and_status_1(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: object) -> object:
        raise LibraryError(["library.toml: TOML syntax error"])

    monkeypatch.setattr("ketamine_desktop.cli.common.load_default_library", broken)
    out, err = io.StringIO(), io.StringIO()
    assert run(["--self-test"], Streams(out, err)) == 1
    assert out.getvalue() == ""
    lines = err.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("self-test failed (library)")


def test_an_unsigned_library_fails_the_self_test(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import shutil

    from ketamine_desktop.cli.common import bundled_library_path

    unsigned = tmp_path / "default.toml"
    shutil.copyfile(bundled_library_path(), unsigned)
    monkeypatch.setattr("ketamine_desktop.cli.common.default_library_path", lambda: unsigned)
    out, err = io.StringIO(), io.StringIO()
    assert run(["--self-test"], Streams(out, err)) == 1
    assert err.getvalue().startswith("self-test failed (library signature): LibraryError: ")
    assert "the library is not signed" in err.getvalue()


def test_self_test_as_a_subprocess_without_a_display() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run(
        [sys.executable, "-m", "ketamine_desktop", "--self-test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "self-test ok\n"
