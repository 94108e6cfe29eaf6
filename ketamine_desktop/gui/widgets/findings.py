"""Findings as rows: an icon, a colour and words (never colour alone), the sources, and for a probable
unit mix-up a one-click button that puts the likely intended dose into the form."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.regimen import Finding
from ketamine_desktop.gui import numbers
from ketamine_desktop.gui.theme import LEVELS, level_pixmap
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.number_field import repolish
from ketamine_desktop.gui.widgets.sources import SourcedLabel, flags_text, sources_html

# The word shown with a finding: the level's word, or what the note is for.
_CODE_WORDS: dict[str, str] = {
    "gate": "Gate: confirm at Start",
    "evidence-note": "Evidence",
    "advice": "Advice",
}
_LEVEL_WORDS: dict[str, str] = {
    "info": "Note",
    "soft": "Warning: reason needed",
    "hard": "Blocked",
}
AT_START = "at Start"


def finding_word(finding: Finding, when: str = AT_START) -> str:
    """The word shown with a finding; `when` says when a warning's reason is asked for."""
    if finding.level == "info" and finding.code in _CODE_WORDS:
        return _CODE_WORDS[finding.code]
    word = _LEVEL_WORDS[finding.level]
    return f"{word} {when}" if finding.level == "soft" and when else word


def suggestion_text(finding: Finding) -> str | None:
    """ "Use 1 mcg/kg/min instead" for a finding that names the likely intended dose, else None."""
    if finding.suggestion is not None:
        return f"Use {numbers.dose_rate(finding.suggestion.value, finding.suggestion.unit)} instead"
    if finding.suggested_bolus_mg_per_kg is not None:
        bolus = numbers.number_format().exact_quantity(finding.suggested_bolus_mg_per_kg, "mg/kg")
        return f"Use {bolus} instead"
    return None


class NoteRow(QFrame):
    """A level icon, a word, a message and its sources: one finding, one gate or one evidence note."""

    def __init__(
        self,
        library: Library,
        level: str,
        word: str,
        message: str,
        sources: Sequence[str],
        flags: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._library = library
        self.icon = QLabel(self)
        self.icon.setObjectName("noteIcon")
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.word = styled(QLabel(self), "levelWord")
        self.word.setObjectName("noteWord")
        self.message = QLabel(self)
        self.message.setObjectName("noteMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sources = styled(SourcedLabel("", self), "muted")
        self.sources.setObjectName("noteSources")
        self.sources.setWordWrap(True)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.word)
        text.addWidget(self.message)
        text.addWidget(self.sources)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(8, 6, 8, 6)
        self.row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        self.row.addLayout(text, 1)
        self.show_note(level, word, message, sources, flags)

    def show_note(
        self, level: str, word: str, message: str, sources: Sequence[str], flags: Sequence[str]
    ) -> None:
        if self.property("level") != level:
            self.setProperty("level", level)
            repolish(self)
            self.icon.setPixmap(level_pixmap(level))
            self.icon.setAccessibleName(LEVELS[level].word)
        self.word.setText(word)
        self.message.setText(numbers.unbroken_units(numbers.prose(message)))
        refs = ", ".join(sources) or "no source listed"
        self.sources.setText(f"Sources: {refs} {flags_text(flags)}".rstrip())
        self.sources.set_sources(sources_html(self._library, sources, flags))
        self.message.setToolTip(self.sources.toolTip())


class FindingRow(NoteRow):
    """A regimen finding; a probable unit mix-up gets a button that puts the likely intended dose in."""

    suggestion_accepted = Signal(object)  # Finding

    def __init__(
        self, library: Library, finding: Finding, parent: QWidget | None = None, when: str = AT_START
    ) -> None:
        self.finding = finding
        self.when = when
        self.suggestion_button: QPushButton | None = None
        super().__init__(
            library,
            finding.level,
            finding_word(finding, when),
            finding.message,
            finding.sources,
            finding.flags,
            parent,
        )
        self.show_finding(finding)

    def show_finding(self, finding: Finding) -> None:
        self.finding = finding
        self.show_note(
            finding.level, finding_word(finding, self.when), finding.message, finding.sources, finding.flags
        )
        label = suggestion_text(finding)
        if label is None:
            if self.suggestion_button is not None:
                self.suggestion_button.hide()
            return
        if self.suggestion_button is None:
            button = named(QPushButton(self), "useSuggestionButton", label)
            button.setProperty("role", "suggestion")
            button.clicked.connect(self._on_button_clicked)
            self.row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
            self.suggestion_button = button
        self.suggestion_button.setText(label)
        self.suggestion_button.setAccessibleName(label)
        self.suggestion_button.setAccessibleDescription("Puts the likely intended dose into the form")
        self.suggestion_button.show()

    def _on_button_clicked(self) -> None:
        self.suggestion_accepted.emit(self.finding)


class FindingList(QWidget):
    """The regimen's findings, hard first, then soft, then information (the domain's order)."""

    suggestion_accepted = Signal(object)  # Finding

    def __init__(self, library: Library, parent: QWidget | None = None, *, when: str = AT_START) -> None:
        super().__init__(parent)
        self.setObjectName("findingList")
        self._library = library
        self._when = when  # when a warning's reason is asked for: "at Start", "to record this"
        self._findings: tuple[Finding, ...] | None = None
        self._pool: list[FindingRow] = []
        self.rows: list[FindingRow] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)

    def show_findings(self, findings: Sequence[Finding]) -> None:
        findings = tuple(findings)
        if findings == self._findings:
            return  # typing the same numbers again must not touch the list
        self._findings = findings
        # Rows are kept and moved rather than rebuilt: creating, styling and re-wrapping a row costs more
        # than the rest of a keystroke. A row already showing a finding keeps it; others are refilled.
        free = list(self._pool)
        chosen: list[FindingRow | None] = []
        for finding in findings:
            same = next((row for row in free if row.finding == finding), None)
            if same is not None:
                free.remove(same)
            chosen.append(same)
        rows: list[FindingRow] = []
        for finding, row in zip(findings, chosen, strict=True):
            if row is None:
                if free:
                    row = free.pop(0)
                    row.show_finding(finding)
                else:
                    row = FindingRow(self._library, finding, self, self._when)
                    row.suggestion_accepted.connect(self.suggestion_accepted)
                    self._pool.append(row)
            rows.append(row)
        for row in free:
            row.hide()
        if rows != self.rows:
            for row in self._pool:
                self._layout.removeWidget(row)
            for row in (*rows, *free):
                self._layout.addWidget(row)
        buttons = 0
        for index, row in enumerate(rows):
            row.setObjectName(f"finding_{row.finding.code}_{index}")
            button = row.suggestion_button
            if button is not None and not button.isHidden():
                buttons += 1
                button.setObjectName(
                    "useSuggestionButton" if buttons == 1 else f"useSuggestionButton{buttons}"
                )
            if row.isHidden():
                row.show()
        self.rows = rows

    def suggestion_buttons(self) -> list[QPushButton]:
        return [
            row.suggestion_button
            for row in self.rows
            if row.suggestion_button is not None and not row.suggestion_button.isHidden()
        ]
