"""Attaching the running session to the main window: the one place its signals are connected.

`attach_session` builds the session store over the record, the alert controller, the Monitoring tab's
session panel, the banner over every tab and the reminder ticker, connects them, and starts the ticker (its
first tick shows at once whatever fell due while the app was closed). The composition root (app.py) calls
it after building the window; tests call it with a fake clock and a silent player.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QWidget

from ketamine_desktop.domain.clock import Clock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.gui.main_window import MainWindow
from ketamine_desktop.gui.monitoring.banner import AlertBanner
from ketamine_desktop.gui.monitoring.panel import MonitoringPanel
from ketamine_desktop.gui.theme import icon
from ketamine_desktop.state.alerts import AlertController, AlertState, SoundPlayer
from ketamine_desktop.state.plan import PlanChange, PlanStore
from ketamine_desktop.state.reminder_ticker import ReminderTicker
from ketamine_desktop.state.session_store import SessionChange, SessionStore, SessionUpdate
from ketamine_desktop.store import InstanceLock, InstanceLocked, RecordStore

MONITORING_TAB = 1


@dataclass
class SessionParts:
    store: SessionStore
    alerts: AlertController
    panel: MonitoringPanel
    banner: AlertBanner
    ticker: ReminderTicker


def attach_session(
    window: MainWindow,
    plan: PlanStore,
    library: Library,
    records: RecordStore,
    clock: Clock,
    player: SoundPlayer,
    *,
    start_ticker: bool = True,
) -> SessionParts:
    store = SessionStore(library, records, clock, window)
    alerts = AlertController(store, clock, player, window, window=window, tray_icon=icon("app.svg"))
    panel = MonitoringPanel(
        library, store, lambda: (window.strip.bed.text(), window.strip.initials.text()), window.monitoring
    )
    banner = AlertBanner(window)
    window.set_alert_banner(banner)
    window.monitoring.set_session_panel(panel)
    ticker = ReminderTicker(store, clock, window)

    def on_store_changed(update: SessionUpdate) -> None:
        panel.show_session(update)
        if update.change & SessionChange.SESSION:
            show_session_patient(window, store)

    def on_alerts_changed(state: AlertState) -> None:
        banner.show_alerts(state, store.now)

    def on_plan_changed(change: PlanChange) -> None:
        if change & PlanChange.PLANNED:
            panel.show_planned(plan.planned)

    store.changed.connect(on_store_changed)
    alerts.changed.connect(on_alerts_changed)

    def on_banner_show_requested() -> None:
        window.show_tab(MONITORING_TAB)
        panel.show_list()

    banner.show_requested.connect(on_banner_show_requested)
    plan.changed.connect(on_plan_changed)
    show_session_patient(window, store)
    if start_ticker:
        ticker.start()
    return SessionParts(store, alerts, panel, banner, ticker)


def open_record(data_dir: Path) -> tuple[InstanceLock, RecordStore]:
    """Take the data directory's instance lock and open its record; raises StoreError (InstanceLocked when
    another instance runs there), with a message for the user."""
    lock = InstanceLock(data_dir)
    if not lock.acquire():
        raise InstanceLocked(
            f"Ketamine Desktop is already running with the data directory {data_dir} "
            f"({lock.holder_description()}). Use that window, or close it first."
        )
    try:
        return lock, RecordStore.open(data_dir)
    except BaseException:
        lock.release()
        raise


def show_session_patient(window: MainWindow, store: SessionStore) -> None:
    """While a session runs, the patient strip shows its bed and initials and cannot be edited."""
    state = store.state if store.running else None
    fields: tuple[QWidget, ...] = (window.strip.bed, window.strip.initials)
    if state is not None:
        window.strip.bed.setText(state.start.bed_label)
        window.strip.initials.setText(state.start.patient_initials or "")
    for field in fields:
        field.setEnabled(state is None)
    window.monitoring.set_session_running(state is not None)
