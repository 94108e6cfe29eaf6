"""The composition root: `run_app` opens the window, and refuses to run on a broken library or binding.

The first paint comes before the library is loaded: the window's chrome and the Dosing tab's first inputs,
with a card saying the library is being checked. The real Dosing tab (the regimen card, every number from
the library) exists only once the library is validated and its signature checked.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QTabWidget, QWidget

from ketamine_desktop import app as app_module
from ketamine_desktop.domain.library import LibraryError
from ketamine_desktop.gui.main_window import MainWindow
from ketamine_desktop.state.plan import PlanStore
from tests.helpers.gui_helpers import find, find_all, text
from tests.helpers.library_edit import replaced

ROOT = Path(__file__).resolve().parents[2]


def _no_dialog(text: str, problems: Sequence[str]) -> None:  # a modal box would wait for ever here
    raise AssertionError(f"{text} {list(problems)}")


def _quit_when_ready(
    monkeypatch: pytest.MonkeyPatch, then: Callable[[MainWindow, PlanStore], None] = lambda w, p: None
) -> None:
    """Quit `run_app`'s event loop once the library is in and the Dosing tab computes (`then` first)."""
    real = app_module.complete_main_window

    def complete(window: MainWindow, library: object, clock: object) -> PlanStore:
        plan = real(window, library, clock)  # type: ignore[arg-type]
        then(window, plan)
        QTimer.singleShot(0, QApplication.quit)
        return plan

    monkeypatch.setattr(app_module, "complete_main_window", complete)


def _before_the_library(monkeypatch: pytest.MonkeyPatch, act: Callable[[MainWindow], None]) -> None:
    """Run `act` on the window just before the library is loaded (after the first paint)."""
    import ketamine_desktop.cli.common as common

    real = common.load_default_library

    def load(**kwargs: bool) -> object:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        assert len(windows) == 1
        act(windows[0])
        return real(**kwargs)

    monkeypatch.setattr(common, "load_default_library", load)


class _PaintWatch(QObject):
    """Application-wide: every paint of a widget in the main window, and what the window showed then."""

    def __init__(self) -> None:
        super().__init__()
        self.paints: list[tuple[bool, tuple[str, ...]]] = []  # (a regimen card exists, texts with a unit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget):
            window = watched.window()
            if isinstance(window, MainWindow):
                card = window.findChild(QWidget, "regimenCard") is not None
                self.paints.append((card, _dose_texts(window)))
        return False


def _dose_texts(window: QWidget) -> tuple[str, ...]:
    """Every visible label that reads like a dose or rate (a unit of mg or mL)."""
    return tuple(
        label.text()
        for label in window.findChildren(QLabel)
        if label.isVisible() and any(unit in label.text() for unit in ("mg", "mL"))
    )


@pytest.fixture
def paint_watch(qapp: QApplication) -> Iterator[_PaintWatch]:
    watch = _PaintWatch()
    qapp.installEventFilter(watch)
    yield watch
    qapp.removeEventFilter(watch)


def test_run_app_paints_before_the_library_then_opens_the_dosing_tab(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paint_watch: _PaintWatch
) -> None:
    seen: list[tuple[bool, bool, str]] = []

    def before(window: MainWindow) -> None:
        assert find(window, QWidget, "dosingPending").isVisible()
        tabs = find(window, QTabWidget, "mainTabs")
        seen.append((window.ready, tabs.isTabEnabled(1), text(window, "libraryStatus")))

    def after(window: MainWindow, plan: PlanStore) -> None:
        assert not any(page.isVisible() for page in find_all(window, QWidget, "dosingPending"))
        assert find(window, QWidget, "dosingTab").isVisible()
        tabs = find(window, QTabWidget, "mainTabs")
        seen.append((window.ready, tabs.isTabEnabled(1), text(window, "libraryStatus")))

    _before_the_library(monkeypatch, before)
    _quit_when_ready(monkeypatch, after)
    monkeypatch.setattr(app_module, "_fatal_dialog", _no_dialog)
    # Never the user's real record: every test names its own data directory.
    assert app_module.run_app(tmp_path / "data") == 0
    assert seen[0] == (False, False, "Library: Checking the drug library…")
    assert seen[1][:2] == (True, True) and seen[1][2].startswith("Library: Default ketamine library 1.0.0")
    assert paint_watch.paints and not paint_watch.paints[0][0]  # the first paint: no card yet
    assert (tmp_path / "data" / "record.sqlite3").exists()


def test_the_weight_typed_before_the_library_is_ready_is_kept(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def type_weight(window: MainWindow) -> None:
        field = window.findChild(QLineEdit, "pendingWeightField")
        assert isinstance(field, QLineEdit)
        field.setFocus()
        QTest.keyClicks(field, "72.5")

    after: list[tuple[str, bool, object]] = []

    def check(window: MainWindow, plan: PlanStore) -> None:
        weight = find(window, QLineEdit, "weightField")
        after.append((weight.text(), weight.hasFocus(), plan.entries.weight_kg))

    _before_the_library(monkeypatch, type_weight)
    _quit_when_ready(monkeypatch, check)
    monkeypatch.setattr(app_module, "_fatal_dialog", _no_dialog)
    assert app_module.run_app(tmp_path / "data") == 0
    from decimal import Decimal

    assert after == [("72.5", True, Decimal("72.5"))]


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
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, Sequence[str]]] = []

    def broken(**kwargs: object) -> object:
        raise LibraryError(
            ["default.toml: protocols[0].bolus: soft max 0.4 mg/kg is above hard max 0.35 mg/kg"]
        )

    monkeypatch.setattr("ketamine_desktop.cli.common.load_default_library", broken)
    monkeypatch.setattr(app_module, "_fatal_dialog", lambda text, problems: shown.append((text, problems)))
    assert app_module.run_app(tmp_path / "data") == app_module.EXIT_LIBRARY_INVALID
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


def test_a_tampered_library_never_shows_a_number_on_the_card(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paint_watch: _PaintWatch
) -> None:
    """The hard maximum bolus raised in the file, its real signature beside it: the window paints, the
    nurse types a weight, the library is refused, and at no paint was there a card or a dose on screen."""
    from ketamine_desktop.cli.common import bundled_library_path

    tampered = tmp_path / "default.toml"
    tampered.write_text(replaced("hard_max_mg_per_kg = 0.35", "hard_max_mg_per_kg = 3.5"), encoding="utf-8")
    shutil.copyfile(Path(str(bundled_library_path()) + ".sig"), Path(str(tampered) + ".sig"))
    monkeypatch.setattr("ketamine_desktop.cli.common.default_library_path", lambda: tampered)

    def type_weight(window: MainWindow) -> None:
        field = window.findChild(QLineEdit, "pendingWeightField")
        assert isinstance(field, QLineEdit)
        QTest.keyClicks(field, "70")

    _before_the_library(monkeypatch, type_weight)
    shown: list[tuple[str, bool, tuple[str, ...]]] = []

    def refused(text: str, problems: Sequence[str]) -> None:
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        shown.append((text + " ".join(problems), window.ready, _dose_texts(window)))

    monkeypatch.setattr(app_module, "_fatal_dialog", refused)
    assert app_module.run_app(tmp_path / "data") == app_module.EXIT_LIBRARY_INVALID
    assert len(shown) == 1 and "not signed by a key this computer trusts" in shown[0][0]
    assert shown[0][1:] == (False, ())
    assert paint_watch.paints, "the window never painted"
    assert all(paint == (False, ()) for paint in paint_watch.paints), paint_watch.paints


def test_an_unsigned_library_is_refused_just_after_the_first_paint(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The signature is checked just after the first paint, before the Dosing tab or the session exist:
    nothing is shown from it, nothing is recorded."""
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
    titles: list[str] = []
    real = MainWindow.record_checked

    def checked(window: MainWindow) -> None:  # the record's check is done (it runs after the first paint)
        real(window)
        titles.append(window.windowTitle())
        QTimer.singleShot(0, QApplication.quit)

    monkeypatch.setattr(MainWindow, "record_checked", checked)
    asked: list[str] = []

    def ask(damage: str) -> bool:
        asked.append(damage)
        return start_new

    monkeypatch.setattr(app_module, "_ask_start_new_record", ask)
    monkeypatch.setattr(app_module, "_fatal_dialog", lambda text, problems: pytest.fail(f"{text} {problems}"))
    assert app_module.run_app(data_dir) == 0
    assert len(asked) == 1 and "fails its hash chain at record 2" in asked[0]
    broken = sorted(data_dir.glob("record.broken-*.sqlite3"))
    if start_new:
        assert len(broken) == 1 and check_record(data_dir).ok
        assert "READ-ONLY" not in titles[0]
    else:
        assert broken == [] and not check_record(data_dir).ok
        assert titles[0].endswith("record READ-ONLY (damaged)")
