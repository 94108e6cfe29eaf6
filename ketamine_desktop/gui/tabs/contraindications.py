"""The Contraindications tab: the library's contraindications and cautions as a checklist.

Each item is answered "not present" or "present", one by one: answering moves the focus on to the next
unanswered item (Space or an arrow key answers, Tab moves). Only the cautions can be confirmed "not
present" as a group, and only with their list shown beside the button. A present absolute item blocks
starting, with no override; a present contraindicated item needs a named senior clinician and a reason
(an overridden item shows a warning, never a green tick); a present caution needs an acknowledgement.
The domain's `screen` decides; this tab shows its result item by item.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ketamine_desktop.domain.library import Contraindication, Library
from ketamine_desktop.domain.screening import (
    RecordedScreening,
    ScreeningAnswer,
    ScreeningItemResult,
    ScreeningResult,
)
from ketamine_desktop.gui.theme import level_pixmap, screening_look
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.scroll import vertical_scroll
from ketamine_desktop.gui.widgets.sources import SourcedLabel, sources_html
from ketamine_desktop.state.plan import AnswerScreening, PlanChange, PlanStore

LEVEL_LOOK: dict[str, tuple[str, str]] = {
    "absolute": ("hard", "Absolute: cannot start"),
    "contraindicated": ("soft", "Contraindicated: senior override with reason"),
    "caution": ("caution", "Caution: acknowledge"),
}
STATUS_LEVEL: dict[str, str] = {
    "unanswered": "pending",
    "clear": "ok",
    "blocks": "hard",
    "needs-override": "soft",
    "overridden": "soft",  # started despite it: a warning shape, never a green tick
    "needs-acknowledgement": "caution",
    "acknowledged": "ok",
}


class ContraindicationRow(QFrame):
    """One item: its level, text and advice, the present/absent answer, and what its level asks for."""

    answered = Signal(object)  # ScreeningAnswer

    def __init__(self, library: Library, item: Contraindication, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.setObjectName(f"contra_{item.id}")
        self.setProperty("role", "contraRow")
        level, word = LEVEL_LOOK[item.level]
        tip = sources_html(library, item.sources, item.flags, item.text)

        self.level_icon = QLabel(self)
        self.level_icon.setObjectName(f"contra_{item.id}_levelIcon")
        self.level_icon.setPixmap(level_pixmap(level))
        self.level_icon.setAccessibleName(word)
        self.text = styled(SourcedLabel(item.text, self), "itemText")
        self.text.setWordWrap(True)
        self.text.set_sources(tip)
        meta = [word]
        if item.advice:
            meta.append(item.advice)
        meta.append("Sources: " + ", ".join(item.sources))
        self.meta = styled(SourcedLabel(" · ".join(meta), self), "muted")
        self.meta.setObjectName(f"contra_{item.id}_meta")
        self.meta.setWordWrap(True)
        self.meta.set_sources(tip)

        self.absent = named(
            QRadioButton("Not present", self), f"contra_{item.id}_absent", f"{item.text}: not present"
        )
        self.present = named(
            QRadioButton("Present", self), f"contra_{item.id}_present", f"{item.text}: present"
        )
        self.answer_group = QButtonGroup(self)
        self.answer_group.addButton(self.absent)
        self.answer_group.addButton(self.present)

        self.status_icon = QLabel(self)
        self.status_icon.setObjectName(f"contra_{item.id}_statusIcon")
        self.status_text = QLabel(self)
        self.status_text.setObjectName(f"contra_{item.id}_status")
        self.status_text.setWordWrap(True)

        self.override_box = QWidget(self)
        self.override_by = named(
            QLineEdit(self.override_box),
            f"contra_{item.id}_overrideBy",
            f"{item.text}: senior clinician's name",
        )
        self.override_by.setPlaceholderText("Senior clinician's name")
        self.override_reason = named(
            QLineEdit(self.override_box),
            f"contra_{item.id}_overrideReason",
            f"{item.text}: reason for the override",
        )
        self.override_reason.setPlaceholderText("Reason for starting despite it")
        override = QHBoxLayout(self.override_box)
        override.setContentsMargins(0, 0, 0, 0)
        override.addWidget(QLabel("Override by", self.override_box))
        override.addWidget(self.override_by, 1)
        override.addWidget(QLabel("because", self.override_box))
        override.addWidget(self.override_reason, 2)
        self.override_box.hide()
        self.acknowledge = named(
            QCheckBox("I acknowledge this caution", self),
            f"contra_{item.id}_acknowledge",
            f"{item.text}: acknowledge",
        )
        self.acknowledge.hide()

        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        answers = QHBoxLayout()
        answers.addWidget(self.absent)
        answers.addWidget(self.present)
        status = QHBoxLayout()
        status.addWidget(self.status_icon, 0, Qt.AlignmentFlag.AlignTop)
        status.addWidget(self.status_text, 1)
        self.status_text.setMinimumWidth(220)
        grid.addWidget(self.level_icon, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.text, 0, 1)
        grid.addLayout(answers, 0, 2)
        grid.addWidget(self.meta, 1, 1)
        grid.addLayout(status, 1, 2)
        grid.addWidget(self.override_box, 2, 1, 1, 2)
        grid.addWidget(self.acknowledge, 3, 1, 1, 2)
        grid.setColumnStretch(1, 1)

        self.answer_group.buttonToggled.connect(self._on_answer_group_toggled)
        self.override_by.textEdited.connect(self._on_override_edited)
        self.override_reason.textEdited.connect(self._on_override_edited)
        self.acknowledge.toggled.connect(self._on_acknowledge_toggled)

    def answer(self) -> ScreeningAnswer | None:
        if not (self.absent.isChecked() or self.present.isChecked()):
            return None
        present = self.present.isChecked()
        return ScreeningAnswer(
            item_id=self.item.id,
            present=present,
            override_by=self.override_by.text() if present and self.item.level == "contraindicated" else None,
            override_reason=(
                self.override_reason.text() if present and self.item.level == "contraindicated" else None
            ),
            acknowledged=present and self.item.level == "caution" and self.acknowledge.isChecked(),
        )

    def set_absent(self) -> None:
        self.absent.setChecked(True)

    def show_result(self, result: ScreeningItemResult) -> None:
        self.status_icon.setPixmap(level_pixmap(STATUS_LEVEL[result.status]))
        self.status_text.setText(result.message)
        present = result.present is True
        self.override_box.setVisible(present and self.item.level == "contraindicated")
        self.acknowledge.setVisible(present and self.item.level == "caution")

    def _emit(self) -> None:
        answer = self.answer()
        if answer is not None:
            self.answered.emit(answer)

    def _on_answer_group_toggled(self, _button: QRadioButton, checked: bool) -> None:
        if checked:
            self._emit()

    def _on_override_edited(self, _text: str) -> None:
        self._emit()

    def _on_acknowledge_toggled(self, _on: bool) -> None:
        self._emit()


class ContraindicationsTab(QWidget):
    command_issued = Signal(object)  # AnswerScreening

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contraindicationsTab")
        screening = library.document.screening
        self.grading_note = SourcedLabel(f"Grading: {screening.grading_note}", self)
        self.grading_note.setObjectName("gradingNote")
        self.grading_note.setProperty("role", "notice")
        self.grading_note.setWordWrap(True)
        self.grading_note.set_sources(sources_html(library, screening.grading_sources, (), "Grading"))
        self.summary_icon = QLabel(self)
        self.summary = styled(QLabel(self), "heading")
        self.summary.setObjectName("screeningResult")
        self.summary.setWordWrap(True)
        self.none_present = named(
            QPushButton("&None of these cautions is present", self),
            "markRemainingAbsentButton",
            "Mark the unanswered cautions listed beside this button as not present",
        )
        self.cautions_list = styled(QLabel(self), "muted")
        self.cautions_list.setObjectName("unansweredCautions")
        self.cautions_list.setWordWrap(True)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary_icon, 0, Qt.AlignmentFlag.AlignTop)
        summary_row.addWidget(self.summary, 1)
        cautions = QHBoxLayout()
        cautions.addWidget(self.cautions_list, 1)
        cautions.addWidget(self.none_present, 0, Qt.AlignmentFlag.AlignTop)

        self.rows: dict[str, ContraindicationRow] = {}
        content = QWidget(self)
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 6, 0)
        column.setSpacing(6)
        for item in library.document.contraindications:
            row = ContraindicationRow(library, item, content)
            row.answered.connect(self._on_row_answered)
            self.rows[item.id] = row
            column.addWidget(row)
        column.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.grading_note)
        layout.addLayout(summary_row)
        layout.addLayout(cautions)
        self.items_scroll = vertical_scroll(content, "contraindicationsScroll")
        layout.addWidget(self.items_scroll, 1)
        # While a session runs: the answers it was started with, as recorded (the form above is for the
        # next plan and comes back when the session is closed).
        self.recorded = QWidget(self)
        self.recorded_rows = QVBoxLayout(self.recorded)
        self.recorded_rows.setContentsMargins(0, 0, 6, 0)
        self.recorded_rows.setSpacing(6)
        self.recorded_scroll = vertical_scroll(self.recorded, "recordedScreeningScroll")
        self.recorded_scroll.hide()
        layout.addWidget(self.recorded_scroll, 1)
        self._recorded_shown: RecordedScreening | None = None
        self.none_present.clicked.connect(self._on_none_present_clicked)

    def show_plan(self, plan: PlanStore, change: PlanChange) -> None:
        recorded = plan.running_screening
        if recorded is not None:
            self.show_recorded(recorded)
            return
        if self._recorded_shown is not None or change & PlanChange.SCREENING:
            self._recorded_shown = None
            self.recorded_scroll.hide()
            self.items_scroll.show()
            self.grading_note.show()
            self.show_screening(plan.screening)

    def show_recorded(self, recorded: RecordedScreening) -> None:
        """The running session's screening, read-only: each item with what its record says."""
        if recorded == self._recorded_shown:
            return
        self._recorded_shown = recorded
        self.items_scroll.hide()
        self.cautions_list.hide()
        self.none_present.hide()
        self.recorded_scroll.show()
        overridden = any(item.status == "overridden" for item in recorded.items)
        self.summary_icon.setPixmap(level_pixmap("soft" if overridden else "ok"))
        read_only = "read-only: the form for the next plan comes back when the session is closed"
        self.summary.setText(
            f"The running infusion was started with these answers ({read_only})."
            if recorded.complete
            else "The running infusion was started under another library version: its record lists the "
            "items overridden or acknowledged (below); every other item of that version was answered not "
            f"present ({read_only})."
        )
        while self.recorded_rows.count():
            old = self.recorded_rows.takeAt(0)
            widget = old.widget() if old is not None else None
            if widget is not None:
                widget.deleteLater()
        for item in recorded.items:
            self.recorded_rows.addWidget(_RecordedItem(item, self.recorded))
        self.recorded_rows.addStretch(1)

    def show_screening(self, result: ScreeningResult) -> None:
        self.summary_icon.setPixmap(level_pixmap(screening_look(result)))
        self.summary.setText(result.summary)
        for item in result.items:
            self.rows[item.item_id].show_result(item)
        # Absolute and contraindicated items are answered one by one; only the cautions may be answered
        # as a group, and only with their names shown.
        cautions = self._unanswered_cautions()
        self.cautions_list.setText(
            "Cautions not answered yet: " + "; ".join(row.item.text for row in cautions) if cautions else ""
        )
        self.cautions_list.setVisible(bool(cautions))
        self.none_present.setVisible(bool(cautions))
        self.none_present.setEnabled(bool(cautions))

    def _unanswered_cautions(self) -> list[ContraindicationRow]:
        return [r for r in self.rows.values() if r.item.level == "caution" and r.answer() is None]

    def _on_row_answered(self, answer: ScreeningAnswer) -> None:
        self.command_issued.emit(AnswerScreening(answer))
        row = self.rows[answer.item_id]
        if not answer.present and (row.absent.hasFocus() or row.present.hasFocus()):
            self._focus_next_unanswered(row)

    def _focus_next_unanswered(self, after: ContraindicationRow) -> None:
        """Fast from the keyboard: the next item still to answer takes the focus, scrolled into view."""
        rows = list(self.rows.values())
        for row in rows[rows.index(after) + 1 :] + rows[: rows.index(after)]:
            if row.answer() is None:
                row.absent.setFocus(Qt.FocusReason.TabFocusReason)
                self.items_scroll.ensureWidgetVisible(row)
                return

    def _on_none_present_clicked(self) -> None:
        for row in self._unanswered_cautions():
            row.set_absent()


class _RecordedItem(QFrame):
    """One item of a running session's screening: the status icon, the item, what was recorded."""

    def __init__(self, item: ScreeningItemResult, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName(f"recorded_{item.item_id}")
        self.setProperty("role", "contraRow")
        icon = QLabel(self)
        icon.setPixmap(level_pixmap(STATUS_LEVEL[item.status]))
        text = styled(QLabel(item.text, self), "itemText")
        text.setWordWrap(True)
        said = QLabel(item.message, self)
        said.setObjectName(f"recorded_{item.item_id}_status")
        said.setWordWrap(True)
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.addWidget(icon, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(text, 0, 1)
        grid.addWidget(said, 1, 1)
        grid.setColumnStretch(1, 1)
