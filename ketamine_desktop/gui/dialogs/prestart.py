"""The pre-start checklist, opened by Start: the library's checklist, the protocol's gates, the second
practitioner's name and, where the regimen has warnings, a typed reason. It cannot be completed while
anything is missing; completing it hands the plan store one `CompleteChecklist` command."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.regimen import Regimen
from ketamine_desktop.domain.screening import ScreeningResult
from ketamine_desktop.domain.session import gate_texts
from ketamine_desktop.gui.numbers import Display
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.findings import NoteRow, finding_word
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


class PrestartDialog(QDialog):
    def __init__(
        self,
        library: Library,
        regimen: Regimen,
        screening: ScreeningResult,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("prestartDialog")
        self.setWindowTitle("Pre-start checklist")
        protocol = library.protocol(regimen.protocol_id)
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
        for item in library.document.checklist:
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
        column.addStretch(1)

        self.missing = styled(QLabel(content), "fieldError")
        self.missing.setObjectName("prestartMissing")
        self.missing.setWordWrap(True)
        self.complete_button = named(
            QPushButton("&Complete checklist", self),
            "prestartCompleteButton",
            "Complete the checklist and show the planned schedule",
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
        return missing

    def command(self) -> CompleteChecklist:
        return CompleteChecklist(
            confirmed_items=tuple(item_id for box, item_id in self.items if box.isChecked()),
            names={item_id: field.text().strip() for item_id, field in self.names.items()},
            confirmed_gates=tuple(text for box, text in self.gates if box.isChecked()),
            soft_limit_reason=self.reason.toPlainText().strip() if self.reason is not None else None,
        )

    def _refresh(self) -> None:
        missing = self.missing_items()
        self.complete_button.setEnabled(not missing)
        self.missing.setText("Still needed: " + "; ".join(missing) + "." if missing else "")

    def _on_complete_clicked(self) -> None:
        if not self.missing_items():
            self.accept()
