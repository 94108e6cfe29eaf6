"""Attaching the running session to the main window: the one place its signals are connected.

`attach_session` builds the session store over the record, the alert controller, the Monitoring tab's
session panel, the banner over every tab and the reminder ticker, connects them, and starts the ticker (its
first tick shows at once whatever fell due while the app was closed). The composition root (app.py) calls
it just after the window's first paint; tests call it with a fake clock and a silent player.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from ketamine_desktop.domain.clock import Clock
from ketamine_desktop.domain.library import Library
from ketamine_desktop.gui.attention import WindowAttention
from ketamine_desktop.gui.main_window import MainWindow
from ketamine_desktop.gui.monitoring.banner import AlertBanner
from ketamine_desktop.gui.monitoring.panel import MonitoringPanel
from ketamine_desktop.gui.theme import icon
from ketamine_desktop.state.alerts import AlertController, AlertState, SoundPlayer
from ketamine_desktop.state.plan import FollowSession, PlanChange, PlanStore
from ketamine_desktop.state.reminder_ticker import ReminderTicker
from ketamine_desktop.state.session_store import SessionChange, SessionStore, SessionUpdate
from ketamine_desktop.store import RecordStore
from ketamine_desktop.store.record_access import open_record as open_record  # re-exported

MONITORING_TAB = 1


@dataclass
class SessionParts:
    store: SessionStore
    alerts: AlertController
    attention: WindowAttention
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
    alerts = AlertController(store, clock, player, window)
    attention = WindowAttention(window, tray_icon=icon("app.svg"))
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
            show_session_patient(window, plan, store)

    def on_alerts_changed(state: AlertState) -> None:
        banner.show_alerts(state, store.now)

    def on_plan_changed(change: PlanChange) -> None:
        if change & PlanChange.PLANNED:
            panel.show_planned(plan.planned)

    store.changed.connect(alerts.on_session_changed)
    alerts.attention_requested.connect(attention.on_attention_requested)
    store.changed.connect(on_store_changed)
    alerts.changed.connect(on_alerts_changed)

    def on_banner_show_requested() -> None:
        window.show_tab(MONITORING_TAB)
        panel.show_list()

    banner.show_requested.connect(on_banner_show_requested)
    plan.changed.connect(on_plan_changed)
    # The app attaches the session just after the first paint: show whatever was planned before that.
    panel.show_planned(plan.planned)
    show_session_patient(window, plan, store)
    if start_ticker:
        ticker.start()
    return SessionParts(store, alerts, attention, panel, banner, ticker)


def show_session_patient(window: MainWindow, plan: PlanStore, store: SessionStore) -> None:
    """While a session runs, the patient strip shows its bed and initials and cannot be edited, and the plan
    (the strip's weight and protocol, the Dosing tab) is the session's own regimen, read-only. Once it is
    closed, the Monitoring tab says so instead of showing the schedule planned before it."""
    state = store.state if store.running else None
    fields: tuple[QWidget, ...] = (window.strip.bed, window.strip.initials)
    if state is not None:
        window.strip.bed.setText(state.start.bed_label)
        window.strip.initials.setText(state.start.patient_initials or "")
    for field in fields:
        field.setEnabled(state is None)
    plan.apply(FollowSession(state.request if state is not None else None))
    ended = store.state if store.state is not None and store.state.status == "ended" else None
    window.monitoring.show_session_ended(ended.closed.body if ended is not None and ended.closed else None)
    window.monitoring.set_session_running(state is not None)
