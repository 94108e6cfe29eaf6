"""The pre-start checklist, opened by Start: the one form before anything is timed.

It holds the bed or location (and optional initials), the volume of the syringe or bag (an entered number,
never assumed from the concentration: the same 1 mg/mL comes as 50 mL and 500 mL), the library's checklist,
the protocol's gates, the second practitioner's name, a typed reason where the regimen has warnings, and
who starts. Items the running session records itself (the baseline observations: the baseline check is due
at once) are shown as such, not ticked. It cannot be completed while anything is missing; completing it
emits `completed`, and the window hands the plan store one `CompleteChecklist` command and starts the
session. A failed start keeps the dialog open with its values and says why (`show_failure`).
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ketamine_desktop.domain.checklist import items_done_in_app, items_to_tick
from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.regimen import Regimen
from ketamine_desktop.domain.screening import ScreeningResult
from ketamine_desktop.domain.session import gate_texts
from ketamine_desktop.domain.units import NumberParseError
from ketamine_desktop.gui.numbers import Display, parse_entry
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.findings import NoteRow, finding_word
from ketamine_desktop.gui.widgets.number_field import NumberField
from ketamine_desktop.gui.widgets.scroll import resize_within_screen, vertical_scroll
from ketamine_desktop.gui.widgets.sources import sources_html
from ketamine_desktop.state.plan import CompleteChecklist, soft_findings


def regimen_summary(library: Library, regimen: Regimen) -> str:
    """What the second practitioner checks: rate, concentration and dose, in both units."""
    d = Display(library)
    parts = [f"Weight {d.kg(regimen.weight_kg)}."]
    infusion = regimen.infusion
    if infusion is not None:
        parts.append(
            f"Infusion: pump {d.ml_per_h(infusion.rate_ml_per_h)} of "
            f"{d.mg_per_ml(infusion.concentration_mg_per_ml)}"
            f" = {d.mg_per_h(infusion.dose_mg_per_h)} = "
            f"{d.numbers.rate_equals(infusion.dose_mg_per_kg_per_h, infusion.dose_mcg_per_kg_per_min)}."
        )
    bolus = regimen.bolus
    if bolus is not None:
        parts.append(
            f"Bolus: {d.mg(bolus.dose_mg)} ({d.mg_per_kg(bolus.dose_mg_per_kg)}) = "
            f"{d.ml(bolus.volume_ml)} of "
            f"{d.mg_per_ml(bolus.concentration_mg_per_ml)} over {d.minutes(bolus.over_min)}, pump "
            f"{d.ml_per_h(bolus.rate_ml_per_h)}."
        )
    return " ".join(parts)


DONE_IN_APP_WORDS = {
    "baseline-check": (
        "in the app, not ticked here: starting the session makes the baseline check due at once; record "
        "it on the Monitoring tab."
    ),
}


class PrestartDialog(QDialog):
    completed = Signal()  # everything is filled in: the window starts the session

    def __init__(
        self,
        library: Library,
        regimen: Regimen,
        screening: ScreeningResult,
        parent: QWidget | None = None,
        *,
        bed: str = "",
        initials: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("prestartDialog")
        self.setWindowTitle("Pre-start checklist")
        protocol = library.protocol(regimen.protocol_id)
        self._infusion = regimen.infusion is not None
        content = QWidget(self)
        column = QVBoxLayout(content)
        column.setSpacing(8)
        heading = styled(QLabel(f"Before starting: {protocol.name}", content), "heading")
        heading.setWordWrap(True)
        column.addWidget(heading)
        summary = QLabel(regimen_summary(library, regimen), content)
        summary.setObjectName("prestartRegimen")
        summary.setWordWrap(True)
        summary.setProperty("role", "notice")
        column.addWidget(summary)

        column.addWidget(styled(QLabel("Patient and syringe", content), "heading"))
        facts = QFormLayout()
        self.bed = named(QLineEdit(bed, content), "prestartBedField", "Bed or location")
        self.bed.setMaxLength(40)
        self.bed.setPlaceholderText("e.g. Ward 7, bed 12")
        self.initials = named(QLineEdit(initials, content), "prestartInitialsField", "Patient initials")
        self.initials.setMaxLength(4)
        self.initials.setFixedWidth(64)
        bed_label = QLabel("Bed or &location", content)
        bed_label.setBuddy(self.bed)
        initials_label = QLabel("Patient &initials (optional)", content)
        initials_label.setBuddy(self.initials)
        facts.addRow(bed_label, self.bed)
        facts.addRow(initials_label, self.initials)
        self.volume: NumberField | None = None
        if regimen.infusion is not None:
            self.volume = NumberField("prestartVolumeField", "Syringe or bag volume", "mL", content)
            volume_label = QLabel("Syringe or bag &volume", content)
            volume_label.setBuddy(self.volume.edit)
            facts.addRow(volume_label, self.volume)
            strength = Display(library).mg_per_ml(regimen.infusion.concentration_mg_per_ml)
            sizes = "; ".join(library.document.concentrations.infusion_descriptions)
            hint = QLabel(f"What the {strength} syringe or bag on the pump holds ({sizes}).", content)
            hint.setObjectName("prestartVolumeHint")
            hint.setWordWrap(True)
            facts.addRow(hint)
            self.volume.edit.textEdited.connect(self._refresh)
        column.addLayout(facts)
        self.bed.textChanged.connect(self._refresh)
        screening_label = QLabel(screening.summary, content)
        screening_label.setWordWrap(True)
        column.addWidget(screening_label)

        self.reason: QPlainTextEdit | None = None
        warnings = soft_findings(regimen)
        if warnings:
            warn_heading = styled(
                QLabel("Warnings: type the reason for starting despite them", content), "heading"
            )
            warn_heading.setWordWrap(True)
            column.addWidget(warn_heading)
            for finding in warnings:
                column.addWidget(
                    NoteRow(
                        library,
                        "soft",
                        finding_word(finding),
                        finding.message,
                        finding.sources,
                        finding.flags,
                        content,
                    )
                )
            reason_label = QLabel("&Reason (recorded with the session)", content)
            self.reason = named(
                QPlainTextEdit(content), "softReasonField", "Reason for starting despite the warnings"
            )
            self.reason.setTabChangesFocus(True)
            self.reason.setFixedHeight(64)
            reason_label.setBuddy(self.reason)
            column.addWidget(reason_label)
            column.addWidget(self.reason)
            self.reason.textChanged.connect(self._refresh)

        self.gates: list[tuple[QCheckBox, str]] = []
        gates = gate_texts(regimen)
        if gates:
            column.addWidget(styled(QLabel("The protocol's gates: confirm each", content), "heading"))
            for index, text in enumerate(gates):
                box = named(QCheckBox(text, content), f"gate_{index}", f"Gate confirmed: {text}")
                box.setStyleSheet("QCheckBox { spacing: 8px; }")
                self.gates.append((box, text))
                column.addWidget(box)
                box.toggled.connect(self._refresh)

        column.addWidget(styled(QLabel("Checklist: tick each item", content), "heading"))
        self.items: list[tuple[QCheckBox, str]] = []
        self.names: dict[str, QLineEdit] = {}
        self.in_app: list[QLabel] = []
        for item in items_done_in_app(library, protocol):
            assert item.done_in_app is not None  # items_done_in_app returns only those
            note = QLabel(f"{item.text.rstrip('.')} {DONE_IN_APP_WORDS[item.done_in_app]}", content)
            note.setObjectName(f"checklist_{item.id}_inApp")
            note.setWordWrap(True)
            note.setProperty("role", "hint")
            note.setToolTip(sources_html(library, item.sources, item.flags))
            self.in_app.append(note)
            column.addWidget(note)
        for item in items_to_tick(library, protocol):
            box = named(QCheckBox(item.text, content), f"checklist_{item.id}", item.text)
            box.setToolTip(sources_html(library, item.sources, item.flags))
            self.items.append((box, item.id))
            column.addWidget(box)
            box.toggled.connect(self._refresh)
            if item.requires_name:
                name = named(QLineEdit(content), f"checklist_{item.id}_name", "Second practitioner's name")
                name.setPlaceholderText("Second practitioner's name (required)")
                row = QHBoxLayout()
                row.addSpacing(26)
                label = QLabel("Second practitioner's &name", content)
                label.setBuddy(name)
                row.addWidget(label)
                row.addWidget(name, 1)
                column.addLayout(row)
                self.names[item.id] = name
                name.textChanged.connect(self._refresh)
        by_row = QFormLayout()
        self.started_by = named(QLineEdit(content), "prestartStartedByField", "Started by (your initials)")
        self.started_by.setMaxLength(40)
        by_label = QLabel("Started &by (your initials)", content)
        by_label.setBuddy(self.started_by)
        by_row.addRow(by_label, self.started_by)
        column.addLayout(by_row)
        self.started_by.textChanged.connect(self._refresh)
        column.addStretch(1)

        self.missing = styled(QLabel(content), "fieldError")
        self.missing.setObjectName("prestartMissing")
        self.missing.setWordWrap(True)
        self.complete_button = named(
            QPushButton("&Complete checklist and start the session", self),
            "prestartCompleteButton",
            "Complete the checklist and start the session: the baseline check is due at once",
        )
        self.complete_button.setDefault(True)
        self.cancel_button = named(
            QPushButton("Cancel", self), "prestartCancelButton", "Cancel the checklist"
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.missing, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.complete_button)
        layout = QVBoxLayout(self)
        layout.addWidget(vertical_scroll(content, "prestartScroll"), 1)
        layout.addLayout(buttons)
        self.complete_button.clicked.connect(self._on_complete_clicked)
        self.cancel_button.clicked.connect(self.reject)
        self._refresh()
        resize_within_screen(self, 760, 640)

    def missing_items(self) -> list[str]:
        """What still stops completion, in words (empty when the checklist can be completed)."""
        missing = []
        if not self.bed.text().strip():
            missing.append("the bed or location")
        if self.volume is not None:
            problem = self._volume_problem()
            if problem is not None:
                missing.append(
                    f"the syringe or bag volume ({problem})" if problem else "the syringe or bag volume"
                )
        if self.reason is not None and not self.reason.toPlainText().strip():
            missing.append("a reason for the warnings")
        unconfirmed = sum(1 for box, _ in self.gates if not box.isChecked())
        if unconfirmed:
            missing.append(f"{unconfirmed} gate{'s' if unconfirmed > 1 else ''} to confirm")
        unticked = sum(1 for box, _ in self.items if not box.isChecked())
        if unticked:
            missing.append(f"{unticked} checklist item{'s' if unticked > 1 else ''} to tick")
        if any(not name.text().strip() for name in self.names.values()):
            missing.append("the second practitioner's name")
        if not self.started_by.text().strip():
            missing.append("your initials (started by)")
        return missing

    def _volume_problem(self) -> str | None:
        """None for a volume by the app's grammar; "" when empty; else the grammar's message."""
        assert self.volume is not None
        if not self.volume.text().strip():
            self.volume.show_error(None)
            return ""
        try:
            value = parse_entry(self.volume.text())
        except NumberParseError as exc:
            self.volume.show_error(exc.message)
            return exc.message
        message = None if value > 0 else "must be greater than zero"
        self.volume.show_error(message)
        return message

    def volume_ml(self) -> Decimal | None:
        if self.volume is None or self._volume_problem() is not None:
            return None
        return parse_entry(self.volume.text())

    def command(self) -> CompleteChecklist:
        return CompleteChecklist(
            confirmed_items=tuple(item_id for box, item_id in self.items if box.isChecked()),
            names={item_id: field.text().strip() for item_id, field in self.names.items()},
            confirmed_gates=tuple(text for box, text in self.gates if box.isChecked()),
            soft_limit_reason=self.reason.toPlainText().strip() if self.reason is not None else None,
            bed_label=self.bed.text().strip(),
            patient_initials=self.initials.text().strip(),
            syringe_volume_ml=self.volume_ml(),
            started_by=self.started_by.text().strip(),
        )

    def _refresh(self) -> None:
        missing = self.missing_items()
        self.complete_button.setEnabled(not missing)
        self.missing.setText("Still needed: " + "; ".join(missing) + "." if missing else "")

    def show_failure(self, message: str) -> None:
        """The start was refused or not saved: say why; every value stays as entered."""
        self.missing.setText(f"Not started: {message}")

    def show_waiting(self, message: str) -> None:
        """The start is held (not yet saved): say so; every value stays as entered."""
        self.missing.setText(message)

    def _on_complete_clicked(self) -> None:
        if not self.missing_items():
            self.completed.emit()
