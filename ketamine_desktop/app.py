"""Composition root: the one place that builds the app's objects and connects their signals.

Before the first paint (`run_app`): the QApplication, the record (and the one-instance lock), the settings
and the main window's chrome with the Dosing tab's first inputs (`open_main_window`); no pydantic, no
library. Just after it: the library, validated and its signature checked, then the plan store and the real
Dosing tab (`complete_main_window`, connected by `connect_signals`): no dose is ever shown from a library
that is not both. Then the record's open-time check (the whole hash chain) in a thread of its own, the
record read-only and nothing wired to it until it has passed. Then, when a session runs (else when the
Monitoring tab is first shown): the session
over the record, its alerts, the Monitoring tab's session panel, the banner and the one ticker
(`attach_session`, connected by `connect_session_signals`). `build_main_window` does the first two steps
at once (self-test, tests, benchmarks). Widgets emit commands and requests; stores emit `changed`; who
hears whom is written here and nowhere else (see STYLE.md).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ketamine_desktop.domain.clock import Clock, SystemClock
from ketamine_desktop.gui.binding_check import binding_problem
from ketamine_desktop.gui.main_window import APP_NAME, MainWindow
from ketamine_desktop.gui.theme import apply_theme, icon
from ketamine_desktop.state.settings import ViewPrefs, ViewSettings, default_settings_path

if TYPE_CHECKING:  # imported after the first paint: the library (and pydantic), the plan, the session
    from ketamine_desktop.domain.library import Library
    from ketamine_desktop.gui.attention import WindowAttention
    from ketamine_desktop.gui.monitoring.banner import AlertBanner
    from ketamine_desktop.gui.monitoring.panel import MonitoringPanel
    from ketamine_desktop.state.alerts import AlertController, AlertState, SoundPlayer
    from ketamine_desktop.state.plan import PlanChange, PlannedStart, PlanStore
    from ketamine_desktop.state.reminder_ticker import ReminderTicker
    from ketamine_desktop.state.session_store import SessionStore, SessionUpdate
    from ketamine_desktop.store import RecordStore

EXIT_LIBRARY_INVALID = 1
EXIT_BROKEN_BINDING = 1
EXIT_RECORD_UNAVAILABLE = 1
MONITORING_TAB = 1
LIBRARY_REFUSED = (
    "The drug library could not be loaded, or is not signed by a key this computer trusts. Nothing can be "
    "calculated without a valid, signed library; ask the pharmacy or IT to restore it."
)


def application() -> QApplication:
    """The one QApplication (made here if none exists yet), named so QStandardPaths finds our folders."""
    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication([sys.argv[0] if sys.argv else APP_NAME])
    )
    app.setApplicationName("ketamine-desktop")
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("ketamine-desktop")
    app.setWindowIcon(icon("app.svg"))
    return app


def render_plan(window: MainWindow, plan: PlanStore, change: PlanChange) -> None:
    """Each view re-reads what `change` concerns it."""
    window.dosing.show_plan(plan, change)
    window.show_plan(change)  # the patient strip, and the tabs built when first shown once they exist


def connect_signals(window: MainWindow, plan: PlanStore) -> None:
    """Every connection between the plan store and the window (once the library is ready)."""
    # --- Commands from the views -> the plan store (the Dosing tab's, and the Contraindications tab's
    #     through the window once that tab is built).
    window.dosing.command_issued.connect(plan.apply)
    window.command_issued.connect(plan.apply)

    # --- The plan store -> every view that shows the plan.
    plan.changed.connect(lambda change: render_plan(window, plan, change))


def connect_view_signals(app: QApplication, window: MainWindow, settings: ViewSettings) -> None:
    """The view settings (from the first paint on): the window's toggles -> the settings -> the theme and
    the window."""
    window.night_mode_toggled.connect(settings.set_night_mode)
    window.glance_mode_toggled.connect(settings.set_glance_mode)

    def on_settings_changed(prefs: ViewPrefs) -> None:
        apply_theme(app, prefs)
        window.show_prefs(prefs)

    settings.changed.connect(on_settings_changed)


def open_main_window(app: QApplication, settings: ViewSettings) -> MainWindow:
    """The window the first paint shows: its chrome and the Dosing tab's first inputs, no library yet."""
    # The style sheet first: widgets built after it are polished once, not once more when it arrives.
    apply_theme(app, settings.prefs)
    window = MainWindow()
    settings.setParent(window)
    connect_view_signals(app, window, settings)
    window.show_prefs(settings.prefs)
    return window


def complete_main_window(window: MainWindow, library: Library, clock: Clock) -> PlanStore:
    """The library is validated and signed: the plan store over it, the real Dosing tab in the window,
    connected, showing the current state; a weight typed before is sent as if typed now."""
    from ketamine_desktop.state.plan import EVERYTHING, PlanStore

    plan = PlanStore(library, clock)
    plan.setParent(window)
    window.set_library(library, plan)
    connect_signals(window, plan)
    # Shown as if every part had just changed.
    render_plan(window, plan, EVERYTHING)
    if window.dosing.form.weight.text():
        window.dosing.form.weight.reparse()
    return plan


def build_main_window(
    app: QApplication, library: Library, settings: ViewSettings, clock: Clock
) -> tuple[MainWindow, PlanStore]:
    """The real main window, wired and showing the current state (also used by --self-test and tests)."""
    window = open_main_window(app, settings)
    return window, complete_main_window(window, library, clock)


@dataclass
class SessionParts:
    """The running session's objects, as `attach_session` built and connected them."""

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
    """Attach the running session to the main window, just after its first paint: the session store over
    the record, the alert controller and the window's attention, the Monitoring tab's session panel, the
    banner over every tab and the reminder ticker; connected by `connect_session_signals`; the ticker
    started (its first tick shows at once whatever fell due while the app was closed). Tests call it with
    a fake clock and a silent player."""
    import uuid

    from ketamine_desktop.domain.training import TRAINING_PREFIX
    from ketamine_desktop.gui.attention import WindowAttention
    from ketamine_desktop.gui.monitoring.banner import AlertBanner
    from ketamine_desktop.gui.monitoring.panel import MonitoringPanel
    from ketamine_desktop.gui.monitoring.start_form import start_draft
    from ketamine_desktop.gui.monitoring.words import set_display_correction
    from ketamine_desktop.state.alerts import AlertController
    from ketamine_desktop.state.reminder_ticker import ReminderTicker
    from ketamine_desktop.state.session_store import SessionStore

    training = records.session_prefixes(TRAINING_PREFIX)[0]
    window.show_training(training)
    # In a training record every session started is a training one too: practice never reads as a patient.
    new_id = (lambda: TRAINING_PREFIX + uuid.uuid4().hex) if training else (lambda: uuid.uuid4().hex)
    store = SessionStore(library, records, clock, window, new_session_id=new_id)
    set_display_correction(store.correction)  # a reopened session's clock changes, before it is drawn
    parts = SessionParts(
        store=store,
        alerts=AlertController(store, clock, player, window),
        attention=WindowAttention(window, tray_icon=icon("app.svg")),
        panel=MonitoringPanel(library, store, window.monitoring),
        banner=AlertBanner(window),
        ticker=ReminderTicker(store, clock, window),
    )
    window.set_alert_banner(parts.banner)
    window.monitoring.set_session_panel(parts.panel)
    connect_session_signals(window, plan, parts)

    # The completed pre-start checklist starts the session (the dialog shows a refusal and keeps its values).
    def start_session(planned: PlannedStart) -> str | None:
        outcome = store.start(start_draft(library, planned))
        return None if outcome.saved else outcome.message

    window.session_starter = start_session
    # Show what there is now: the running session, if any.
    follow_session(window, plan, store)
    if start_ticker:
        parts.ticker.start()
    return parts


def connect_session_signals(window: MainWindow, plan: PlanStore, parts: SessionParts) -> None:
    """Every connection of the running session: its store, the alerts, the banner, the panel, the plan."""
    from ketamine_desktop.state.session_store import SessionChange

    store, alerts, panel, banner = parts.store, parts.alerts, parts.panel, parts.banner

    # --- The session store -> the alerts first (a raised reminder chimes and flashes before anything is
    #     redrawn), then the session panel; a session started or closed -> the plan follows it.
    from ketamine_desktop.gui.monitoring.words import set_display_correction

    # Times are shown on the corrected wall clock: the correction is set before anything is drawn.
    store.changed.connect(lambda _update: set_display_correction(store.correction))
    store.changed.connect(alerts.on_session_changed)

    def on_session_changed(update: SessionUpdate) -> None:
        panel.show_session(update)
        # A rate change, a pause or a resume is a record: the Dosing tab follows the rate set now.
        if update.change & (SessionChange.SESSION | SessionChange.RECORD):
            follow_session(window, plan, store)

    store.changed.connect(on_session_changed)

    # --- The session panel's commands -> the session store; the store's answer -> the panel, which shows
    #     it where it was asked (a refused or failed save keeps the values in the form or dialog).
    connect_panel_commands(panel, store)

    # --- The alerts -> the window's attention (taskbar, tray) and the banner over every tab.
    alerts.attention_requested.connect(parts.attention.on_attention_requested)

    def on_alerts_changed(state: AlertState) -> None:
        banner.show_alerts(state, store.now)

    alerts.changed.connect(on_alerts_changed)

    # --- The banner's "show" -> the Monitoring tab's timed list.
    def on_banner_show_requested() -> None:
        window.show_tab(MONITORING_TAB)
        panel.show_list()

    banner.show_requested.connect(on_banner_show_requested)


def connect_panel_commands(panel: MonitoringPanel, store: SessionStore) -> None:
    """The Monitoring panel's commands go to the session store, and the store's answers come back to it
    (also used by the tests that drive the panel on its own)."""
    panel.command_issued.connect(store.apply)
    store.answered.connect(panel.on_session_answered)


def follow_session(window: MainWindow, plan: PlanStore, store: SessionStore) -> None:
    """While a session runs, the patient strip shows its bed and initials and cannot be edited, and the plan
    (the strip's weight and protocol, the Dosing tab) is the session's own regimen, read-only. Once it is
    closed, the Monitoring tab says so instead of showing the schedule planned before it."""
    from ketamine_desktop.domain.screening import recorded_screening
    from ketamine_desktop.domain.session import running_rate
    from ketamine_desktop.state.plan import FollowSession

    state = store.state if store.running else None
    fields: tuple[QWidget, ...] = (window.strip.bed, window.strip.initials)
    if state is not None:
        window.strip.bed.setText(state.start.bed_label)
        window.strip.initials.setText(state.start.patient_initials or "")
    for field in fields:
        field.setEnabled(state is None)
    plan.apply(
        FollowSession(
            state.request,
            running_rate(state),
            recorded_screening(state.library, state.start.screening, state.library_matches),
        )
        if state is not None
        else FollowSession(None)
    )
    ended = store.state if store.state is not None and store.state.status == "ended" else None
    window.monitoring.show_session_ended(ended.closed.body if ended is not None and ended.closed else None)
    window.monitoring.set_session_running(state is not None)


class _AfterFirstPaint(QObject):
    """Runs `then` once, as soon as the window's first paint has been delivered, or FALLBACK_MS after it
    was shown if no paint comes (a window started minimised or behind a locked screen still gets it)."""

    FALLBACK_MS = 300  # well inside the ~1 s in which a running session's first tick must happen

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._then: Callable[[], None] | None = then
        window.installEventFilter(self)
        QTimer.singleShot(self.FALLBACK_MS, self._run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._then is not None:
            QTimer.singleShot(0, self._run)  # after this paint is on screen
        return False

    def _run(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            self._window.removeEventFilter(self)
            then()


def attach_when_shown(window: MainWindow, attach: Callable[[], None]) -> None:
    """Call `attach` (once) when the Monitoring tab is first shown, before it is painted."""

    def on_current_changed(index: int) -> None:
        if window.tabs.widget(index) is window.monitoring_place:
            window.tabs.currentChanged.disconnect(on_current_changed)
            attach()

    window.tabs.currentChanged.connect(on_current_changed)


def _fatal_dialog(text: str, problems: Sequence[str]) -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, text)
    box.setObjectName("fatalErrorDialog")
    shown = list(problems[:20]) + (["…"] if len(problems) > 20 else [])
    box.setInformativeText("Problems found:\n" + "\n".join(shown))
    box.exec()


def _ask_start_new_record(damage: str) -> bool:
    """The damaged-record dialog: True to start a new record file, False to keep the record read-only."""
    box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, "The record of infusion sessions is damaged.")
    box.setObjectName("damagedRecordDialog")
    box.setInformativeText(
        f"{damage}\n\nIt is open READ-ONLY: you can read it, and nothing will be added to it. A new record "
        "file can be started; it names this one, which is kept unchanged beside it for IT to examine."
    )
    new = box.addButton("Start a new record file", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Open read-only", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is new


def _damaged_record(data_dir: Path, records: RecordStore, library: Library, clock: Clock) -> RecordStore:
    from ketamine_desktop.state.session_store import SYSTEM_USER
    from ketamine_desktop.store import RecordStore, StoreError

    damage = records.read_only_because or ""
    if not _ask_start_new_record(damage):
        return records
    records.close()
    try:
        return RecordStore.start_new_file(
            data_dir,
            damage,
            by=SYSTEM_USER,
            now=clock.now(),
            library_version=library.version,
            library_sha256=library.sha256,
        )
    except StoreError as exc:
        _fatal_dialog("A new record file could not be started; the damaged one is unchanged.", [str(exc)])
        return RecordStore.open_read_only(data_dir, damage)


def run_app(data_dir: Path | None = None) -> int:
    """Open the window on the record in `data_dir` (None: the user's data directory); returns the exit
    status when it closes. The entry point (__main__.py) has read the options; Qt gets none of ours.

    The first paint is the window's chrome with the Dosing tab's first inputs, before pydantic is imported;
    just after it the library is loaded, validated and its signature checked (`library_ready`), and only
    then does the Dosing tab that shows doses exist; an invalid or unsigned library closes the app with a
    clear message before any dose can be shown or anything recorded.

    The record's open-time check (the whole hash chain, SQLite's quick_check, the witness) runs in a thread
    of its own once the regimen card is painted (`RecordChecker`), the record held read-only meanwhile:
    nothing is written, no session is replayed from it and no session part exists until it has passed
    (`record_ready`); a checklist completed meanwhile waits in its dialog and is started then. A damaged
    record is asked about as soon as both the check and the library are in, before anything is wired."""
    from ketamine_desktop.store import StoreError, default_data_dir
    from ketamine_desktop.store.record_access import open_checked, open_record

    data_dir = data_dir or default_data_dir()
    app = application()
    problem = binding_problem()
    if problem is not None:
        _fatal_dialog("This computer's Qt for Python cannot run the app safely.", [problem])
        return EXIT_BROKEN_BINDING
    try:
        # One running instance per data directory; the record read-only until its check has passed.
        lock, opened = open_record(data_dir, check_later=True)
    except StoreError as exc:
        _fatal_dialog("The record of infusion sessions cannot be opened.", [str(exc)])
        return EXIT_RECORD_UNAVAILABLE
    # The record file is replaced once checked (open for writing, or read-only when damaged), and a damaged
    # one may be replaced by a new file.
    records = [opened]
    clock = SystemClock()
    settings = ViewSettings(Path(default_settings_path()))
    window = open_main_window(app, settings)
    from ketamine_desktop.domain.training import TRAINING_PREFIX

    try:
        window.show_training(opened.session_prefixes(TRAINING_PREFIX)[0])  # before the first paint
    except StoreError as exc:
        _fatal_dialog("The record of infusion sessions cannot be read.", [str(exc)])
        opened.close()
        lock.release()
        return EXIT_RECORD_UNAVAILABLE
    checker = None
    if opened.checking:
        from ketamine_desktop.state.record_checker import RecordChecker

        checker = RecordChecker(data_dir, window)
        window.show_record_checking(True)

    def show_read_only() -> None:
        if records[0].read_only_because is not None:
            window.setWindowTitle(f"{window.windowTitle()} — record READ-ONLY (damaged)")

    show_read_only()
    loaded: list[tuple[Library, PlanStore]] = []  # once the library is in and the Dosing tab computes

    def library_ready() -> None:
        """Just after the first paint: the library (pydantic, validation, signature), then the Dosing tab
        that computes with it; then the session once the record is checked (`record_ready`)."""
        from ketamine_desktop.cli.common import load_default_library
        from ketamine_desktop.domain.library import LibraryError

        try:
            library = load_default_library()  # refused unless valid and signed by a trusted key
        except LibraryError as exc:
            window.setEnabled(False)
            _fatal_dialog(LIBRARY_REFUSED, exc.problems)
            app.exit(EXIT_LIBRARY_INVALID)
            return
        loaded.append((library, complete_main_window(window, library, clock)))
        if checker is None or not records[0].checking:
            record_ready()  # checked already
        else:
            # The walk starts once the regimen card has been painted: on a loaded machine (and through
            # Python's GIL) it would otherwise delay the Dosing tab; the session waits for it either way.
            _AfterFirstPaint(window.dosing.card, checker.start)

    def on_checked(outcome: object) -> None:
        if isinstance(outcome, BaseException):
            window.setEnabled(False)
            _fatal_dialog("The record of infusion sessions cannot be read.", [str(outcome)])
            app.exit(EXIT_RECORD_UNAVAILABLE)
            return
        from ketamine_desktop.store.record_check import RecordCheck

        assert isinstance(outcome, RecordCheck)
        records[0].close()
        try:
            records[0] = open_checked(data_dir, outcome)
        except StoreError as exc:
            window.setEnabled(False)
            _fatal_dialog("The record of infusion sessions cannot be opened.", [str(exc)])
            app.exit(EXIT_RECORD_UNAVAILABLE)
            return
        if loaded:
            record_ready()

    def record_ready() -> None:
        """The record is checked and the library in: a damaged record is asked about (read-only, or a new
        file), then the session is wired: at once when one runs (its first tick shows whatever fell due
        while the app was closed), when the Monitoring tab is shown or a start was held, else when the
        Monitoring tab is first shown."""
        library, plan = loaded[0]
        if records[0].read_only_because is not None:
            records[0] = _damaged_record(data_dir, records[0], library, clock)
            window.show_training(window.training)  # the title again, then READ-ONLY if it still is
            show_read_only()
        attached: list[bool] = []

        def attach_running_session() -> None:
            if attached:
                return
            attached.append(True)
            from ketamine_desktop.gui.attention import default_player

            attach_session(window, plan, library, records[0], clock, default_player())
            show_read_only()  # attaching says TRAINING (or not) in the title again

        if (
            records[0].session_open()
            or window.tabs.currentWidget() is window.monitoring_place
            or window.held_start is not None
        ):
            attach_running_session()
        else:
            # No session runs: nothing is timed. The session's parts come when the Monitoring tab is first
            # shown (a completed checklist shows it).
            attach_when_shown(window, attach_running_session)
        window.record_checked()

    if checker is not None:
        checker.checked.connect(on_checked)
    _AfterFirstPaint(window, library_ready)
    screen = window.screen()
    if screen is not None:
        # The bedside view fills the screen (also where no window manager maximises it), never more.
        window.resize(screen.availableSize())
    window.showMaximized()
    try:
        return app.exec()
    finally:
        if checker is not None:
            checker.stop()  # the check only reads; it is let finish before the record is closed
        window.deleteLater()  # with it the session's ticker: nothing ticks on the record once it is closed
        records[0].close()
        lock.release()
