"""The short dialogs that record a nurse's say-so, each with who gave it: a check deferred (with its reason),
an advised stop, pause or reduce not done (why, and the deciding clinician), the session closed, and an
adverse event (what was done).

They never save by themselves: they emit what was asked for and show the store's answer, so a failed save
keeps the dialog open with its values.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.session import AdverseEventDraft
from ketamine_desktop.gui.monitoring.words import clock_time
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.dialog_layout import lay_out_dialog


class DeferDialog(QDialog):
    """Defer a due or overdue check: a named reason, and at most the check's own interval."""

    confirmed = Signal(object, int, str, str)  # due, minutes, reason, initials

    def __init__(self, due: datetime, interval_min: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deferDialog")
        self.setWindowTitle("Defer a check")
        self._due = due
        self.minutes = named(QSpinBox(self), "deferMinutesField", "Defer by, minutes")
        self.minutes.setRange(1, interval_min)
        self.minutes.setValue(interval_min)
        self.minutes.setSuffix(" min")
        self.reason = named(QLineEdit(self), "deferReasonField", "Why the check is deferred")
        self.by = named(QLineEdit(self), "deferByField", "Your initials")
        self.message = styled(QLabel(self), "fieldError")
        self.message.setObjectName("deferMessage")
        self.message.setWordWrap(True)
        note = QLabel(
            f"The check due {clock_time(due)} can be deferred for at most {interval_min} min, its own "
            "interval (a limit derived by this app: the library sets none). When the deferral ends the "
            "check is overdue again.",
            self,
        )
        note.setWordWrap(True)
        self.confirm_button = named(QPushButton("De&fer", self), "confirmDeferButton", "Defer the check")
        cancel = named(QPushButton("Cancel", self), "cancelDeferButton", "Cancel")
        form = QFormLayout()
        form.addRow(note)
        form.addRow("Defer &by", self.minutes)
        form.addRow("&Reason (required)", self.reason)
        form.addRow("&Your initials", self.by)
        lay_out_dialog(self, form, self.message, cancel, self.confirm_button)
        self.confirm_button.clicked.connect(self._on_confirm_clicked)
        cancel.clicked.connect(self.reject)

    def _on_confirm_clicked(self) -> None:
        if not self.reason.text().strip() or not self.by.text().strip():
            self.message.setText("A reason and your initials are needed.")
            return
        self.confirmed.emit(
            self._due, self.minutes.value(), self.reason.text().strip(), self.by.text().strip()
        )

    def show_failure(self, message: str) -> None:
        self.message.setText(message)


class NotDoneDialog(QDialog):
    """Record that an advised stop, pause or reduce was not done: why, and who decided so."""

    confirmed = Signal(str, str, str)  # reason, deciding clinician, initials

    def __init__(self, advice: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notDoneDialog")
        self.setWindowTitle("Not done")
        note = QLabel(f"{advice}. Record why it was not done and which clinician decided so.", self)
        note.setObjectName("notDoneNote")
        note.setWordWrap(True)
        self.reason = named(QLineEdit(self), "notDoneReasonField", "Why it was not done")
        self.clinician = named(QLineEdit(self), "notDoneClinicianField", "Clinician who decided")
        self.clinician.setMaxLength(40)
        self.by = named(QLineEdit(self), "notDoneByField", "Your initials")
        self.by.setMaxLength(40)
        self.message = styled(QLabel(self), "fieldError")
        self.message.setObjectName("notDoneMessage")
        self.message.setWordWrap(True)
        self.confirm_button = named(
            QPushButton("&Record: not done", self), "confirmNotDoneButton", "Record that it was not done"
        )
        cancel = named(QPushButton("Cancel", self), "cancelNotDoneButton", "Cancel")
        form = QFormLayout()
        form.addRow(note)
        form.addRow("&Reason", self.reason)
        form.addRow("&Decided by (clinician)", self.clinician)
        form.addRow("&Your initials", self.by)
        lay_out_dialog(self, form, self.message, cancel, self.confirm_button)
        self.confirm_button.clicked.connect(self._on_confirm_clicked)
        cancel.clicked.connect(self.reject)

    def _on_confirm_clicked(self) -> None:
        fields = (self.reason.text().strip(), self.clinician.text().strip(), self.by.text().strip())
        if not all(fields):
            self.message.setText("The reason, the deciding clinician's name and your initials are needed.")
            return
        self.confirmed.emit(*fields)

    def show_failure(self, message: str) -> None:
        self.message.setText(message)


class CloseDialog(QDialog):
    """Close a stopped session; with anything still open it needs a reason."""

    confirmed = Signal(str, str)  # reason, initials

    def __init__(self, open_count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("closeDialog")
        self.setWindowTitle("Close the session")
        text = (
            f"{open_count} reminders are still open (checks after the stop, tasks). "
            "Closing ends them: give the reason."
            if open_count
            else "Every check and task is done."
        )
        note = QLabel(text, self)
        note.setWordWrap(True)
        self.reason = named(QLineEdit(self), "closeReasonField", "Why the session is closed")
        self.by = named(QLineEdit(self), "closeByField", "Your initials")
        self.message = styled(QLabel(self), "fieldError")
        self.message.setObjectName("closeMessage")
        self.message.setWordWrap(True)
        self.confirm_button = named(
            QPushButton("&Close session", self), "confirmCloseButton", "Close the session"
        )
        cancel = named(QPushButton("Cancel", self), "cancelCloseButton", "Cancel")
        form = QFormLayout()
        form.addRow(note)
        form.addRow("&Reason", self.reason)
        form.addRow("&Your initials", self.by)
        lay_out_dialog(self, form, self.message, cancel, self.confirm_button)
        self.confirm_button.clicked.connect(
            lambda: self.confirmed.emit(self.reason.text().strip(), self.by.text().strip())
        )
        cancel.clicked.connect(self.reject)

    def show_failure(self, message: str) -> None:
        self.message.setText(message)


class AdverseEventDialog(QDialog):
    """An adverse event: a side effect from the library (its management shown), what was done, who."""

    confirmed = Signal(object, str)  # AdverseEventDraft, initials

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adverseEventDialog")
        self.setWindowTitle("Adverse event")
        self._effects = {effect.id: effect for effect in library.document.side_effects}
        self.effect = named(QComboBox(self), "adverseEffectField", "Side effect (from the library)")
        self.effect.addItem("— choose —", None)
        for effect in library.document.side_effects:
            self.effect.addItem(effect.name, effect.id)
        self.management = styled(QLabel(self), "hint")
        self.management.setObjectName("adverseManagement")
        self.management.setWordWrap(True)
        self.action = named(QLineEdit(self), "adverseActionField", "What was done about it")
        self.action.setMaxLength(500)
        self.action.setPlaceholderText("e.g. ondansetron 4 mg IV as prescribed; infusion continued")
        self.by = named(QLineEdit(self), "adverseByField", "Your initials")
        self.by.setMaxLength(40)
        self.message = styled(QLabel(self), "fieldError")
        self.message.setObjectName("adverseMessage")
        self.message.setWordWrap(True)
        self.confirm_button = named(
            QPushButton("&Record adverse event", self), "confirmAdverseButton", "Record the adverse event"
        )
        cancel = named(QPushButton("Cancel", self), "cancelAdverseButton", "Cancel")
        form = QFormLayout()
        form.addRow("&Side effect", self.effect)
        form.addRow(self.management)
        form.addRow("&What was done", self.action)
        form.addRow("&Your initials", self.by)
        lay_out_dialog(self, form, self.message, cancel, self.confirm_button)
        self.effect.currentIndexChanged.connect(self._on_effect_changed)
        self.confirm_button.clicked.connect(self._on_confirm_clicked)
        cancel.clicked.connect(self.reject)
        self.resize(620, 260)

    def _on_effect_changed(self, _index: int) -> None:
        effect = self._effects.get(str(self.effect.currentData()))
        self.management.setText(
            f"The library's advice: {effect.management} ({effect.frequency.lower()})" if effect else ""
        )

    def _on_confirm_clicked(self) -> None:
        effect = self.effect.currentData()
        if not isinstance(effect, str):
            self.message.setText("Choose the side effect.")
            return
        if not self.action.text().strip() or not self.by.text().strip():
            self.message.setText("Say what was done, and enter your initials.")
            return
        self.confirmed.emit(
            AdverseEventDraft(side_effect_id=effect, action_taken=self.action.text()), self.by.text().strip()
        )

    def show_failure(self, message: str) -> None:
        self.message.setText(message)
