"""The main window: title, patient strip, the four tabs, menus, status bar; it opens the dialogs.

It holds no clinical state of its own. The plan store is read to show things; every change goes out as a
command through `command_issued`, which the composition root (app.py) connects to the store, together
with every other cross-component signal, in one place.

Start-up (issues 5 and 11): the window is built in two steps. `MainWindow()` is the chrome the first paint
shows (menus, patient strip, tabs, status bar) with the Dosing tab's first inputs on a page that says the
drug library is being checked (`LibraryPendingPage`); nothing in it imports pydantic or reads the library.
`set_library` then puts the real Dosing tab in that place (the weight typed meanwhile carried over), once
the library is validated and its signature checked: no dose is ever shown from a library that is not.
The Monitoring, Contraindications and Side effects tabs are built the first time they are shown (or first
used, e.g. by a test or the Ctrl+2 shortcut): `LazyTab` holds the place, and the built tab reads what it
shows from the plan store (its state never lives in its widgets), and sends its commands through
`command_issued`. The dialogs are imported when first opened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ketamine_desktop.domain.training import TRAINING_WORD
from ketamine_desktop.gui.tabs.library_pending import CHECKING, LibraryPendingPage
from ketamine_desktop.gui.theme import icon
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.elided import ElidedLabel
from ketamine_desktop.gui.widgets.wheel_guard import install_wheel_guard
from ketamine_desktop.state.settings import ViewPrefs

if TYPE_CHECKING:  # imported where first used: the first paint needs none of them (nor pydantic)
    from ketamine_desktop.domain.library import Library
    from ketamine_desktop.gui.dialogs.about import AboutDialog
    from ketamine_desktop.gui.dialogs.prestart import PrestartDialog
    from ketamine_desktop.gui.dialogs.sources import SourcesDialog
    from ketamine_desktop.gui.numbers import Display
    from ketamine_desktop.gui.tabs.contraindications import ContraindicationsTab
    from ketamine_desktop.gui.tabs.dosing import DosingTab
    from ketamine_desktop.gui.tabs.monitoring import MonitoringTab
    from ketamine_desktop.gui.tabs.side_effects import SideEffectsTab
    from ketamine_desktop.state.plan import PlanChange, PlannedStart, PlanStore

APP_NAME = "Ketamine Desktop"
TRAINING_BANNER = (
    f"{TRAINING_WORD}: this is a training record written by `ketamine-desktop demo`. "
    "It is not a patient's record; nothing here is a real dose or observation."
)
RECORD_CHECKING = "Checking the record of infusion sessions… nothing is saved until it is done"
START_HELD = (
    "Waiting for the record check to finish: the session starts and is saved as soon as it passes. "
    "Keep this open; every value stays as entered."
)
TAB_TITLES = ("Dosing", "Monitoring", "Contraindications", "Side effects")
# The reminder banner's reserved height (one line of its largest text and its button).
BANNER_HEIGHT = 44


class LazyTab(QWidget):
    """Holds a tab's place until it is first shown (or first asked for), then builds it once, inside."""

    def __init__(self, name: str, build: Callable[[QWidget], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}Place")
        self._build = build
        self.content: QWidget | None = None
        QVBoxLayout(self).setContentsMargins(0, 0, 0, 0)

    def ensure_built(self) -> QWidget:
        if self.content is None:
            content = self._build(self)
            layout = self.layout()
            assert layout is not None
            layout.addWidget(content)
            content.show()
            self.content = content
        return self.content

    def showEvent(self, event: QShowEvent) -> None:
        self.ensure_built()  # before this show is painted: the tab never appears empty
        super().showEvent(event)


class PatientStrip(QFrame):
    """Bed or location, optional initials, weight and protocol: visible above every tab.

    Bed and initials stay in this widget only: never in the window title, settings or logs.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientStrip")
        self.bed = named(QLineEdit(self), "bedField", "Bed or location")
        self.bed.setPlaceholderText("e.g. Ward 7, bed 12")
        self.bed.setMaxLength(40)
        self.bed.setMinimumWidth(150)
        self.initials = named(QLineEdit(self), "initialsField", "Patient initials (optional)")
        self.initials.setMaxLength(4)
        self.initials.setFixedWidth(64)
        self.weight = styled(QLabel("—", self), "stripValue")
        self.weight.setObjectName("stripWeight")
        self.protocol = styled(ElidedLabel("", self), "stripValue")
        self.protocol.setObjectName("stripProtocol")
        bed_label = QLabel("Be&d/location", self)
        bed_label.setBuddy(self.bed)
        initials_label = QLabel("Initia&ls (optional)", self)
        initials_label.setBuddy(self.initials)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(bed_label)
        layout.addWidget(self.bed, 1)
        layout.addSpacing(8)
        layout.addWidget(initials_label)
        layout.addWidget(self.initials)
        layout.addSpacing(12)
        layout.addWidget(QLabel("Weight", self))
        layout.addWidget(self.weight)
        layout.addSpacing(12)
        layout.addWidget(QLabel("Protocol", self))
        layout.addWidget(self.protocol, 3)

    def show_plan(self, plan: PlanStore, display: Display) -> None:
        weight = plan.entries.weight_kg
        shown = weight is not None and (plan.is_current or plan.following)
        self.weight.setText(display.kg(weight) if weight is not None and shown else "—")
        protocol = plan.protocol
        self.protocol.setText(protocol.name if protocol is not None else "not chosen yet (Dosing tab)")
        running = " (running session)" if plan.following else ""
        self.protocol.setToolTip(
            f"{protocol.name}{running}\n{protocol.setting}" if protocol is not None else ""
        )


class MainWindow(QMainWindow):
    command_issued = Signal(object)  # a state.plan command (the completed checklist)
    night_mode_toggled = Signal(bool)
    glance_mode_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        app = QApplication.instance()
        if app is not None:
            install_wheel_guard(app)  # before any combo box is polished
        # Set by `set_library`, once the library is validated and signed; until then `ready` is False.
        self.ready = False
        self._library: Library
        self._plan: PlanStore
        self._display: Display
        self.dosing: DosingTab
        self.prestart_dialog: PrestartDialog | None = None
        # Set by the session wiring (after the first paint): starts the session from the completed
        # checklist; returns None when it was saved, else why not. Without it the plan is only shown.
        self.session_starter: Callable[[PlannedStart], str | None] | None = None
        self.about_dialog: AboutDialog | None = None
        self.sources_dialog: SourcesDialog | None = None
        self.quit_dialog: QMessageBox | None = None
        self._quit_confirmed = False
        # The app's name once; the library's name and version are in the status bar.
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(icon("app.svg"))

        self.strip = PatientStrip(self)
        # The Dosing tab's place: the page saying the library is checked, then the real tab (set_library).
        self.dosing_place = QWidget(self)
        self.dosing_place.setObjectName("dosingPlace")
        dosing_layout = QVBoxLayout(self.dosing_place)
        dosing_layout.setContentsMargins(0, 0, 0, 0)
        self.library_pending: LibraryPendingPage | None = LibraryPendingPage(self.dosing_place)
        dosing_layout.addWidget(self.library_pending)
        self._monitoring: MonitoringTab | None = None
        self.monitoring_place = LazyTab("monitoring", self._build_monitoring, self)
        self._contraindications: ContraindicationsTab | None = None
        self._side_effects: SideEffectsTab | None = None
        self.contraindications_place = LazyTab("contraindications", self._build_contraindications, self)
        self.side_effects_place = LazyTab("sideEffects", self._build_side_effects, self)
        self.tabs = named(QTabWidget(self), "mainTabs", "Main tabs")
        for number, (tab, title) in enumerate(
            zip(
                (
                    self.dosing_place,
                    self.monitoring_place,
                    self.contraindications_place,
                    self.side_effects_place,
                ),
                TAB_TITLES,
                strict=True,
            ),
            start=1,
        ):
            self.tabs.addTab(tab, title)
            self.tabs.setTabToolTip(number - 1, f"{title} (Ctrl+{number})")
            # Every other tab shows the library: it opens once the library is checked (set_library).
            self.tabs.setTabEnabled(number - 1, number == 1)
        self.tabs.tabBar().setObjectName("mainTabBar")
        self.tabs.tabBar().setAccessibleName("Tabs: Dosing, Monitoring, Contraindications, Side effects")

        central = QWidget(self)
        self._column = QVBoxLayout(central)
        self._column.setContentsMargins(8, 6, 8, 0)
        self._column.setSpacing(6)
        # The banner's place is kept from the start, whether or not it shows: a reminder appearing or going
        # never moves a button under the pointer (a click meant for "Change rate" must not hit "Stop").
        self.banner_slot = QWidget(central)
        self.banner_slot.setObjectName("bannerSlot")
        self.banner_slot.setFixedHeight(BANNER_HEIGHT)
        slot_layout = QVBoxLayout(self.banner_slot)
        slot_layout.setContentsMargins(0, 0, 0, 0)
        # Above everything else, on every tab, while the record open is a training record (`show_training`).
        self.training_banner = styled(QLabel(TRAINING_BANNER, central), "trainingBanner")
        self.training_banner.setObjectName("trainingBanner")
        self.training_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.training_banner.setStyleSheet(
            "background: #F0E442; color: #000000; font-weight: 800; padding: 4px; border: 2px solid #000000;"
        )
        self.training_banner.hide()
        self.training = False
        self._column.addWidget(self.training_banner)
        self._column.addWidget(self.strip)
        self._column.addWidget(self.banner_slot)
        self._column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.alert_banner: QWidget | None = None

        self._build_menus()
        self.library_status = QLabel(f"Library: {CHECKING}", self)
        self.library_status.setObjectName("libraryStatus")
        self.review_status = QLabel("Pharmacy review required before clinical use (Help > About)", self)
        self.review_status.setObjectName("reviewStatus")
        self.zone_status = QLabel("", self)
        self.zone_status.setObjectName("zoneStatus")
        self.zone_status.setToolTip(
            "Every time on screen is this computer's local time; the record keeps UTC."
        )
        # Shown while the record's open-time check (the whole hash chain) runs after the first paint.
        self.record_status = QLabel(RECORD_CHECKING, self)
        self.record_status.setObjectName("recordCheckStatus")
        self.record_status.hide()
        self.record_checking = False
        self.held_start: PrestartDialog | None = None  # a checklist completed meanwhile, waiting
        self.statusBar().addWidget(self.library_status, 1)
        self.statusBar().addPermanentWidget(self.record_status)
        self.statusBar().addPermanentWidget(self.zone_status)
        self.statusBar().addPermanentWidget(self.review_status)

        self.setTabOrder(self.strip.bed, self.strip.initials)
        self.setTabOrder(self.strip.initials, self.tabs.tabBar())
        self.resize(1280, 720)

    def set_library(self, library: Library, plan: PlanStore) -> None:
        """The library is validated and its signature checked: the real Dosing tab takes the place of the
        page that said so, with the weight typed there meanwhile (its command is sent by `reparse`, once
        the composition root has connected the tab), and the other tabs open."""
        from ketamine_desktop.domain.formatting import zone_words
        from ketamine_desktop.gui.numbers import Display
        from ketamine_desktop.gui.tabs.dosing import DosingTab

        self._library = library
        self._plan = plan
        self._display = Display(library)
        pending = self.library_pending
        typed = pending.weight_text() if pending is not None else ""
        typing = pending is not None and pending.weight.hasFocus()
        cursor = pending.weight.cursorPosition() if pending is not None else 0
        self.dosing = DosingTab(library, self.dosing_place)
        layout = self.dosing_place.layout()
        assert layout is not None
        if pending is not None:
            layout.removeWidget(pending)
            pending.hide()
            pending.deleteLater()
            self.library_pending = None
        layout.addWidget(self.dosing)
        self.dosing.show()
        weight = self.dosing.form.weight
        weight.set_text(typed)
        if typing:
            weight.edit.setFocus()
            weight.edit.setCursorPosition(cursor)
        self.library_status.setText(
            f"Library: {library.name} {library.version} · SHA-256 {library.short_sha256}"
        )
        self.library_status.setToolTip(f"SHA-256 of the library file: {library.sha256}")
        zone = zone_words(plan.clock.now())
        self.zone_status.setText(zone[:1].upper() + zone[1:])
        for index in range(self.tabs.count()):
            self.tabs.setTabEnabled(index, True)
        self.about_action.setEnabled(True)
        self.dosing.set_glance(self.glance_action.isChecked())
        self._follow_tab_bar(self.dosing)
        self.dosing.start_requested.connect(self._on_dosing_start_requested)
        self.dosing.sources_requested.connect(self._on_dosing_sources_requested)
        self.ready = True

    def _follow_tab_bar(self, tab: QWidget) -> None:
        """Put `tab`'s focus chain (in its own order) right after the tab bar: built after the window, its
        widgets were appended at the end of the window's chain."""
        chain: list[QWidget] = []
        widget = tab.nextInFocusChain()
        while widget is not None and widget is not tab and tab.isAncestorOf(widget):
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                chain.append(widget)
            widget = widget.nextInFocusChain()
        previous: QWidget = self.tabs.tabBar()
        for widget in chain:
            self.setTabOrder(previous, widget)
            previous = widget

    # --- the tabs built when first shown ---

    @property
    def monitoring(self) -> MonitoringTab:
        self.monitoring_place.ensure_built()
        assert self._monitoring is not None
        return self._monitoring

    @property
    def contraindications(self) -> ContraindicationsTab:
        self.contraindications_place.ensure_built()
        assert self._contraindications is not None
        return self._contraindications

    @property
    def side_effects(self) -> SideEffectsTab:
        self.side_effects_place.ensure_built()
        assert self._side_effects is not None
        return self._side_effects

    @property
    def built_tabs(self) -> tuple[str, ...]:
        """Which of the tabs built when first shown exist yet (for tests and the start-up profile)."""
        return tuple(
            name
            for name, tab in (
                ("monitoring", self._monitoring),
                ("contraindications", self._contraindications),
                ("side effects", self._side_effects),
            )
            if tab is not None
        )

    def _build_monitoring(self, place: QWidget) -> QWidget:
        from ketamine_desktop.gui.tabs.monitoring import MonitoringTab
        from ketamine_desktop.state.plan import EVERYTHING

        tab = MonitoringTab(self._library, place)
        tab.show_plan(self._plan, EVERYTHING)  # its state is the plan store's, whenever it is built
        self._monitoring = tab
        return tab

    def _build_contraindications(self, place: QWidget) -> QWidget:
        from ketamine_desktop.gui.tabs.contraindications import ContraindicationsTab
        from ketamine_desktop.state.plan import PlanChange

        tab = ContraindicationsTab(self._library, place)
        tab.command_issued.connect(self.command_issued)
        # Its state is the plan store's: the tab shows it from there, whenever it is built.
        tab.show_plan(self._plan, PlanChange.SCREENING)
        self._contraindications = tab
        return tab

    def _build_side_effects(self, place: QWidget) -> QWidget:
        from ketamine_desktop.gui.tabs.side_effects import SideEffectsTab

        self._side_effects = SideEffectsTab(self._library, place)
        return self._side_effects

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setObjectName("quitAction")
        self.quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        self.quit_action.triggered.connect(self._on_quit_triggered)
        file_menu.addAction(self.quit_action)

        view = self.menuBar().addMenu("&View")
        self.tab_actions: list[QAction] = []
        for number, title in enumerate(TAB_TITLES, start=1):
            action = QAction(f"{title} tab", self)
            action.setObjectName(f"showTab{number}Action")
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _checked=False, i=number - 1: self.show_tab(i))
            view.addAction(action)
            self.tab_actions.append(action)
        view.addSeparator()
        self.night_action = QAction("&Night mode (dark, low glare)", self)
        self.night_action.setObjectName("nightModeAction")
        self.night_action.setCheckable(True)
        self.night_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.night_action.toggled.connect(self.night_mode_toggled)
        view.addAction(self.night_action)
        self.glance_action = QAction("&Glance mode (large numbers)", self)
        self.glance_action.setObjectName("glanceModeAction")
        self.glance_action.setCheckable(True)
        self.glance_action.setShortcut(QKeySequence("Ctrl+G"))
        self.glance_action.toggled.connect(self.glance_mode_toggled)
        view.addAction(self.glance_action)

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About Ketamine Desktop and its library", self)
        about.setObjectName("aboutAction")
        about.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        about.triggered.connect(self.open_about)
        about.setEnabled(False)  # it shows the library: once the library is checked (set_library)
        help_menu.addAction(about)
        self.about_action = about

    def show_training(self, training: bool) -> None:
        """Say TRAINING on every screen (a banner over the tabs, the window title) while the record open is a
        training record (`ketamine-desktop demo`): what is shown is practice, not a patient."""
        self.training = training
        self.training_banner.setVisible(training)
        self.setWindowTitle(f"{TRAINING_WORD} — {APP_NAME}" if training else APP_NAME)

    def set_alert_banner(self, banner: QWidget) -> None:
        """Put the running session's reminder banner between the patient strip and the tabs, so it shows
        over every tab."""
        layout = self.banner_slot.layout()
        assert layout is not None
        if self.alert_banner is not None:
            layout.removeWidget(self.alert_banner)
            self.alert_banner.deleteLater()
        banner.setParent(self.banner_slot)
        layout.addWidget(banner)
        self.alert_banner = banner

    # --- showing ---

    def show_tab(self, index: int) -> None:
        if not self.tabs.isTabEnabled(index):
            return  # the library is still being checked: only the Dosing tab's first inputs are shown
        self.tabs.setCurrentIndex(index)
        self.tabs.currentWidget().setFocus()

    def show_prefs(self, prefs: ViewPrefs) -> None:
        for action, on in ((self.night_action, prefs.night_mode), (self.glance_action, prefs.glance_mode)):
            if action.isChecked() != on:
                action.blockSignals(True)
                action.setChecked(on)
                action.blockSignals(False)
        if self.ready:
            self.dosing.set_glance(prefs.glance_mode)

    def show_plan(self, change: PlanChange) -> None:
        """The patient strip, and the tabs built when first shown once they exist (the Dosing tab is
        shown by the composition root)."""
        from ketamine_desktop.state.plan import PlanChange

        self.strip.show_plan(self._plan, self._display)
        if self._monitoring is not None:
            self._monitoring.show_plan(self._plan, change)
        if self._contraindications is not None:
            # While a session runs the tab shows the answers it was started with (its record), read-only.
            self._contraindications.show_plan(self._plan, change)
        if change & PlanChange.PLANNED and self._plan.planned is not None:
            self.show_tab(1)

    # --- dialogs ---

    def open_about(self) -> None:
        from ketamine_desktop.gui.dialogs.about import AboutDialog

        self.about_dialog = AboutDialog(self._library, self)
        self.about_dialog.open()

    def _on_dosing_sources_requested(self) -> None:
        from ketamine_desktop.gui.dialogs.sources import SourcesDialog

        protocol = self._plan.protocol
        regimen = self._plan.regimen
        if regimen is not None:
            protocol = self._library.protocol(regimen.protocol_id)  # the card's numbers are this one's
        self.sources_dialog = SourcesDialog(self._library, protocol, self)
        self.sources_dialog.open()

    def _on_dosing_start_requested(self) -> None:
        regimen = self._plan.regimen
        if regimen is None or not self._plan.start_gate().can_start:
            return  # the button is disabled then; a queued click must not slip through
        from ketamine_desktop.gui.dialogs.prestart import PrestartDialog

        dialog = PrestartDialog(
            self._library,
            regimen,
            self._plan.screening,
            self,
            bed=self.strip.bed.text(),
            initials=self.strip.initials.text(),
        )
        dialog.completed.connect(lambda: self._on_prestart_completed(dialog))
        self.prestart_dialog = dialog
        dialog.open()

    def show_record_checking(self, checking: bool) -> None:
        """While the record's open-time check runs nothing is saved: the status bar says so, and a start
        completed meanwhile waits in its dialog (`_on_prestart_completed`) until `record_checked`."""
        self.record_checking = checking
        self.record_status.setVisible(checking)

    def record_checked(self) -> None:
        """The record's check is done and the session is wired (or the record is read-only): a start held
        meanwhile is made now, and its dialog says what came of it."""
        self.show_record_checking(False)
        dialog, self.held_start = self.held_start, None
        if dialog is not None and dialog.isVisible():
            self._start_from(dialog)

    def _on_prestart_completed(self, dialog: PrestartDialog) -> None:
        """The checklist is complete: the plan records it, and the session (once attached) starts from it.
        A start that is refused or not saved keeps the dialog open with its values and says why."""
        self.command_issued.emit(dialog.command())
        self._start_from(dialog)

    def _start_from(self, dialog: PrestartDialog) -> None:
        if self.record_checking:
            # Held, not lost: started (and saved) once the record's check has passed.
            self.held_start = dialog
            dialog.show_waiting(START_HELD)
            return
        planned = self._plan.planned
        if planned is None:
            dialog.show_failure(
                "the plan changed while the checklist was open: close it and press Start again"
            )
            return
        if self.session_starter is not None:
            failure = self.session_starter(planned)
            if failure is not None:
                dialog.show_failure(failure)
                return
        dialog.accept()

    # --- quitting ---

    def _running(self) -> bool:
        return self.ready and self._plan.running is not None and self._plan.running.status == "running"

    def _on_quit_triggered(self) -> None:
        if self._running():
            self.ask_quit()
        else:
            self.close()

    def ask_quit(self) -> None:
        """An infusion runs: quitting needs a yes, and says the reminders stop while the app is closed."""
        if self.quit_dialog is not None and self.quit_dialog.isVisible():
            return
        box = QMessageBox(self)
        box.setObjectName("quitConfirmDialog")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Quit while an infusion runs?")
        box.setText("An infusion is running.")
        box.setInformativeText(
            "While the app is closed it gives no reminders: no banner, no sound, no taskbar alert. "
            "Checks still fall due; they show as overdue when the app is opened again."
        )
        quit_button = box.addButton("&Quit, reminders stop", QMessageBox.ButtonRole.DestructiveRole)
        quit_button.setObjectName("quitConfirmButton")
        keep = box.addButton("&Keep the app open", QMessageBox.ButtonRole.RejectRole)
        keep.setObjectName("quitCancelButton")
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)

        def on_clicked(button: object) -> None:
            if button is quit_button:
                self._quit_confirmed = True
                self.close()

        box.buttonClicked.connect(on_clicked)
        self.quit_dialog = box
        box.open()

    def closeEvent(self, event: QCloseEvent) -> None:
        running = self._running()
        # The window's close button (a spontaneous close) asks as File > Quit does; the app closing its
        # window itself (shutting down, a test) does not.
        if event.spontaneous() and running and not self._quit_confirmed:
            event.ignore()
            self.ask_quit()
            return
        for dialog in (self.prestart_dialog, self.about_dialog, self.sources_dialog, self.quit_dialog):
            if dialog is not None and dialog.isVisible():
                dialog.close()
        super().closeEvent(event)
