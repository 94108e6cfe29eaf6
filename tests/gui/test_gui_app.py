"""The composition root: `run_app` opens the window, and refuses to run on a broken library or binding."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from ketamine_desktop import app as app_module
from ketamine_desktop.domain.library import LibraryError


def test_run_app_opens_the_window_and_returns_when_it_closes(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The startup benchmark's hook quits the event loop at the first paint: the real path, end to end.
    painted = tmp_path / "first-paint"
    monkeypatch.setenv("KETAMINE_DESKTOP_FIRST_PAINT_FILE", str(painted))

    def no_dialog(text: str, problems: Sequence[str]) -> None:  # a modal box would wait for ever here
        raise AssertionError(f"{text} {list(problems)}")

    monkeypatch.setattr(app_module, "_fatal_dialog", no_dialog)
    # Never the user's real record: every test names its own data directory.
    assert app_module.run_app(tmp_path / "data") == 0
    assert painted.read_text(encoding="ascii")
    assert (tmp_path / "data" / "record.sqlite3").exists()


def test_a_second_instance_on_the_same_data_directory_is_refused(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recipe 5 at the app level: another process holds the data directory; this one says so and exits."""
    import subprocess
    import sys

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pathlib; from ketamine_desktop.store import InstanceLock; "
            "lock = InstanceLock(pathlib.Path(sys.argv[1])); assert lock.acquire(); "
            "print('held', flush=True); sys.stdin.read()",
            str(data_dir),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        shown: list[tuple[str, Sequence[str]]] = []
        monkeypatch.setattr(
            app_module, "_fatal_dialog", lambda text, problems: shown.append((text, problems))
        )
        assert app_module.run_app(data_dir) == app_module.EXIT_RECORD_UNAVAILABLE
        assert len(shown) == 1 and "already running" in shown[0][1][0]
        assert f"pid {holder.pid}" in shown[0][1][0]
    finally:
        holder.communicate("")


def test_an_invalid_library_is_a_clear_error_not_a_window(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, Sequence[str]]] = []

    def broken(**kwargs: object) -> object:
        raise LibraryError(
            ["default.toml: protocols[0].bolus: soft max 0.4 mg/kg is above hard max 0.35 mg/kg"]
        )

    monkeypatch.setattr("ketamine_desktop.cli.common.load_default_library", broken)
    monkeypatch.setattr(app_module, "_fatal_dialog", lambda text, problems: shown.append((text, problems)))
    assert app_module.run_app() == app_module.EXIT_LIBRARY_INVALID
    assert len(shown) == 1
    assert "library could not be loaded" in shown[0][0]
    assert "soft max" in shown[0][1][0]


def test_a_binding_that_loses_references_is_refused(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(app_module, "binding_problem", lambda: "PySide6 x loses a reference to None")
    monkeypatch.setattr(app_module, "_fatal_dialog", lambda text, problems: shown.append(problems[0]))
    assert app_module.run_app() == app_module.EXIT_BROKEN_BINDING
    assert shown == ["PySide6 x loses a reference to None"]


def test_an_unsigned_library_is_refused_just_after_the_first_paint(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The signature is checked off the first-paint path, but before the session: nothing is recorded."""
    import shutil

    from ketamine_desktop.cli.common import bundled_library_path

    unsigned = tmp_path / "default.toml"
    shutil.copyfile(bundled_library_path(), unsigned)  # no .sig beside it
    monkeypatch.setattr("ketamine_desktop.cli.common.default_library_path", lambda: unsigned)
    shown: list[tuple[str, Sequence[str]]] = []
    monkeypatch.setattr(app_module, "_fatal_dialog", lambda text, problems: shown.append((text, problems)))
    data_dir = tmp_path / "data"
    assert app_module.run_app(data_dir) == app_module.EXIT_LIBRARY_INVALID
    assert len(shown) == 1 and "not signed by a key this computer trusts" in shown[0][0]
    assert "the library is not signed" in shown[0][1][0] and str(unsigned) in shown[0][1][0]
    from ketamine_desktop.store import RecordStore

    with RecordStore.open(data_dir) as store:
        assert store.records() == ()


def test_about_says_who_signed_the_library(library: object) -> None:
    from ketamine_desktop.domain.library import Library
    from ketamine_desktop.gui.dialogs.about import about_html

    assert isinstance(library, Library)
    assert "Signed by ketamine-desktop project" in about_html(library)


def _damaged_data_dir(tmp_path: Path) -> Path:
    import sqlite3
    from datetime import UTC, datetime

    from ketamine_desktop.store import RecordStore

    data_dir = tmp_path / "data"
    with RecordStore.open(data_dir) as store:
        for i in range(3):
            store.append(
                "s1",
                "note",
                {"n": i},
                recorded_by="nurse A",
                recorded_at=datetime.now(UTC),
                library_version="1.0.0",
                library_sha256="ab" * 32,
            )
    conn = sqlite3.connect(data_dir / "record.sqlite3", isolation_level=None)
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("UPDATE records SET payload = '{\"n\":7}' WHERE seq = 2")
    conn.close()
    return data_dir


@pytest.mark.parametrize("start_new", [False, True])
def test_a_damaged_record_is_said_and_opens_read_only_or_in_a_new_file(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start_new: bool
) -> None:
    from ketamine_desktop.store.record_check import check_record

    data_dir = _damaged_data_dir(tmp_path)
    monkeypatch.setenv("KETAMINE_DESKTOP_FIRST_PAINT_FILE", str(tmp_path / "first-paint"))
    asked: list[str] = []

    def ask(damage: str) -> bool:
        asked.append(damage)
        return start_new

    monkeypatch.setattr(app_module, "_ask_start_new_record", ask)
    monkeypatch.setattr(app_module, "_fatal_dialog", lambda text, problems: pytest.fail(f"{text} {problems}"))
    titles: list[str] = []
    real_build = app_module.build_main_window

    def build(*args: object) -> object:
        window, plan = real_build(*args)  # type: ignore[arg-type]
        real_show = window.showMaximized
        window.showMaximized = lambda: (titles.append(window.windowTitle()), real_show())  # type: ignore[method-assign]
        return window, plan

    monkeypatch.setattr(app_module, "build_main_window", build)
    assert app_module.run_app(data_dir) == 0
    assert len(asked) == 1 and "fails its hash chain at record 2" in asked[0]
    broken = sorted(data_dir.glob("record.broken-*.sqlite3"))
    if start_new:
        assert len(broken) == 1 and check_record(data_dir).ok
        assert "READ-ONLY" not in titles[0]
    else:
        assert broken == [] and not check_record(data_dir).ok
        assert titles[0].endswith("record READ-ONLY (damaged)")
