"""Reliability recipe 20: patient-identifier canaries. A session is started with a canary bed label and
canary initials, errors are forced (failed saves, refused entries, a clock jump, a record that cannot be
replayed), and then logs, temporary files, settings, window titles and the tray are searched: the canaries
may be in the database and nowhere else. The database files are mode 0600."""

from __future__ import annotations

import logging
import sqlite3
import stat
import tempfile
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.state.session_store import SessionStore
from ketamine_desktop.store import RecordStore
from tests.gui.monitoring.conftest import AppFactory
from tests.helpers.gui_helpers import find, text
from tests.helpers.session_helpers import fill, start_from_the_dosing_tab

BED = "CANARYBEDQX7"
INITIALS = "QZXW"


def _files_with(folder: Path, needles: tuple[bytes, ...], since: float, skip: Path) -> list[str]:
    hits = []
    for path in folder.rglob("*"):
        try:
            if not path.is_file() or skip in path.parents or path.stat().st_mtime < since:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if any(needle in data or needle.lower() in data.lower() for needle in needles):
            hits.append(str(path))
    return hits


def test_recipe_20_identifiers_stay_in_the_database(
    qtbot: QtBot,
    make_app: AppFactory,
    clock: FakeClock,
    record_store: RecordStore,
    data_dir: Path,
    settings_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    since = time.time() - 1
    caplog.set_level(logging.DEBUG)
    # The app's temporary files go to a folder of this test's own (Python's and Qt's both read TMPDIR),
    # so the scan sees only what this app wrote, not another program's files in /tmp.
    temp_dir = tmp_path / "tmp"
    temp_dir.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp_dir))
    monkeypatch.setattr(tempfile, "tempdir", None)
    assert Path(tempfile.gettempdir()) == temp_dir
    window, _plan, parts = make_app()
    start_from_the_dosing_tab(qtbot, window, parts, "chronic-opioid-tolerant", bed=BED, initials=INITIALS)
    state = parts.store.state
    assert state is not None and state.start.bed_label == BED and state.start.patient_initials == INITIALS

    # Forced errors: refused entries, failed commits (user and automatic saves), a clock jump.
    fill(qtbot, window, sedation="1", respiration_rate="nan")
    find(window, QPushButton, "saveCheckButton").click()
    commit = record_store._commit

    def failing() -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(record_store, "_commit", failing)
    fill(qtbot, window, sedation="1")
    find(window, QPushButton, "saveCheckButton").click()
    assert text(window, "saveStatus").startswith("NOT SAVED")
    clock.advance(20 * 60)
    parts.ticker.tick()
    clock.jump_wall(-7200)
    parts.ticker.tick()
    monkeypatch.setattr(record_store, "_commit", commit)
    clock.advance(1)
    parts.ticker.tick()
    find(window, QPushButton, "saveCheckButton").click()
    assert text(window, "saveStatus").startswith("Saved at")
    # A record that cannot be replayed, reported on the next start.
    record_store.append(
        "other",
        "mystery",
        {"bed": "x"},
        recorded_by="x",
        recorded_at=clock.now(),
        library_version="1",
        library_sha256="0" * 64,
    )
    broken = SessionStore(parts.store.library, record_store, clock)
    assert broken.load_error is not None
    QApplication.processEvents()

    needles = (BED.encode(), INITIALS.encode())
    text_needles = (BED, INITIALS)
    # Logs (Python logging, Qt messages go through pytest-qt into the same capture) and the console.
    logged = caplog.text
    out, err = capfd.readouterr()
    for needle in text_needles:
        assert needle not in logged and needle not in out and needle not in err
    assert any(r.name.startswith("ketamine_desktop") for r in caplog.records), "the errors were logged"
    # Window titles, the application's names and the tray.
    titles = [w.windowTitle() for w in QApplication.topLevelWidgets()] + [
        QApplication.applicationName(),
        QApplication.applicationDisplayName(),
    ]
    if parts.attention.tray is not None:  # pragma: no cover - desktop only
        titles.append(parts.attention.tray.toolTip())
    for needle in text_needles:
        assert not [t for t in titles if needle in t]
    # Temporary files and the settings: nothing but the database may hold them.
    temp_hits = _files_with(temp_dir, needles, since, skip=data_dir)
    assert temp_hits == []
    assert _files_with(settings_path.parent, needles, since, skip=data_dir) == []
    outside_db = [p for p in data_dir.iterdir() if not p.name.startswith("record.sqlite3")]
    assert [p.name for p in outside_db if any(n in p.read_bytes() for n in needles)] == []
    # The database holds them, privately.
    database = [p for p in data_dir.iterdir() if p.name.startswith("record.sqlite3")]
    assert any(BED.encode() in p.read_bytes() for p in database)
    for path in database:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
