"""Reliability recipe 3 through the Qt form: COMMIT fails ("disk I/O error") in 1 of 5 saves, 500 saves.

Every save is a click on the record-check form's Save button. Passes when: no observation the form showed
as saved is missing from the record; every failure was shown ("NOT SAVED"); the values stayed in the form
as a draft; and pressing Save again saved them.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import timedelta

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from ketamine_desktop.domain.clock import FakeClock
from ketamine_desktop.gui.monitoring.panel import MonitoringPanel
from ketamine_desktop.gui.monitoring.record_form import RecordCheckForm
from ketamine_desktop.state.session_store import SessionStore
from ketamine_desktop.store import RecordStore
from tests.helpers.builders import THEATRE, start_draft
from tests.helpers.gui_helpers import find
from tests.helpers.session_helpers import fill

SAVES = 500
FAIL_ONE_IN = 5


def test_recipe_3_commit_faults_through_the_form(
    qtbot: QtBot,
    panel: MonitoringPanel,
    session_store: SessionStore,
    record_store: RecordStore,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert session_store.start(start_draft(THEATRE)).saved
    rng = random.Random(20261121)
    commit = record_store._commit
    failing = {"on": False}

    def flaky_commit() -> None:
        # Only the form's saves are counted; the app's own records fail at the same rate and are retried.
        if rng.randrange(FAIL_ONE_IN) == 0:
            failing["on"] = True
            raise sqlite3.OperationalError("disk I/O error")
        failing["on"] = False
        commit()

    monkeypatch.setattr(record_store, "_commit", flaky_commit)
    form = find(panel, RecordCheckForm, "recordCheckForm")
    save = find(form, QPushButton, "saveCheckButton")
    shown_saved: list[tuple[object, str]] = []  # (check due, respiration rate typed)
    failures_injected = failures_shown = kept = 0
    saves = 0
    while saves < SAVES:
        target = form.target
        assert target is not None
        if target.due > clock.now():
            clock.advance((target.due - clock.now()).total_seconds() + 30)
        session_store.tick(clock.now(), clock.monotonic())
        target = form.target
        assert target is not None
        rr = str(12 + saves % 9)
        fill(qtbot, panel, sedation="0", respiration_rate=rr)
        while saves < SAVES:
            saves += 1
            save.click()
            message = find(form, QLabel, "saveStatus").text()
            if message.startswith("Saved at"):
                shown_saved.append((target.due, rr))
                break
            failures_injected += failing["on"]
            failures_shown += message.startswith("NOT SAVED")
            assert session_store.draft("observation") is not None
            kept += (
                find(form, QLineEdit, "rrField").text() == rr
                and find(form, QLineEdit, "recordedByField").text() == "EF"
            )
        session_store.tick(clock.now() + timedelta(seconds=1), clock.monotonic() + 1)
    monkeypatch.setattr(record_store, "_commit", commit)
    stored = {
        (o.payload["check_due"], str(o.payload["observation"]["respiration_rate"]))  # type: ignore[index]
        for o in record_store.records()
        if o.kind == "observation"
    }
    missing = [(due, rr) for due, rr in shown_saved if (_iso(due), rr) not in stored]
    assert missing == []
    assert failures_injected >= SAVES // FAIL_ONE_IN // 2  # the fault was really exercised
    assert failures_shown == failures_injected == kept
    assert len(shown_saved) + failures_injected == SAVES
    assert record_store.verify().ok and record_store.integrity_check() == "ok"
    print(
        f"recipe 3: {SAVES} saves, {failures_injected} failed and shown, {len(shown_saved)} saved, 0 missing"
    )


def _iso(due: object) -> str:
    from datetime import UTC, datetime

    assert isinstance(due, datetime)
    return due.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
