"""The Dosing tab's form: choose the protocol, enter the weight, the bolus and the infusion.

It turns what is typed into plan commands (strictly parsed; a bad entry shows a message beside its field
and changes nothing) and fills its fields from what the plan store holds. It computes nothing: the store
asks the domain.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ketamine_desktop.domain.formatting import (
    bolus_dose_hint,
    bolus_over_hint,
    in_both_units,
    infusion_dose_hint,
)
from ketamine_desktop.domain.library import DoseRate, DoseRateUnit, Library, Protocol
from ketamine_desktop.domain.regimen import Finding
from ketamine_desktop.gui import numbers
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.concentration import ConcentrationPicker
from ketamine_desktop.gui.widgets.number_field import NumberField
from ketamine_desktop.gui.widgets.sources import SourcedLabel, sources_html
from ketamine_desktop.state.plan import (
    ChooseProtocol,
    NumberEntry,
    PlanEntries,
    RejectEntry,
    SetBolusIncluded,
    SetInfusionDose,
    SetNumber,
)


def protocol_label(protocol: Protocol) -> str:
    return f"{protocol.name}  [{protocol.setting}]"


class FormSection(QFrame):
    """A titled block of form rows whose label column lines up with the other sections'."""

    LABEL_WIDTH = 100

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "formSection")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(10, 6, 10, 8)
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(3)
        self.grid.setColumnMinimumWidth(0, self.LABEL_WIDTH)
        self.grid.setColumnStretch(1, 1)
        self.grid.addWidget(styled(QLabel(title, self), "sectionHeading"), 0, 0, 1, 2)

    def add_row(self, text: str, field: QWidget, buddy: QWidget) -> None:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        label.setContentsMargins(0, 5, 0, 0)  # level with the text in the field beside it
        row = self.grid.rowCount()
        self.grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.grid.addWidget(field, row, 1)

    def add_hint(self, hint: QLabel) -> None:
        hint.setWordWrap(True)
        self.grid.addWidget(hint, self.grid.rowCount(), 1)

    def add_full(self, widget: QWidget) -> None:
        self.grid.addWidget(widget, self.grid.rowCount(), 0, 1, 2)


class DosingForm(QWidget):
    """The entries: protocol, weight, bolus and infusion. Emits plan commands; shows what the store holds."""

    PREFERRED_WIDTH = 470

    command_issued = Signal(object)

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dosingForm")
        self._library = library
        self._dose_unit: DoseRateUnit = "mg/kg/h"
        doc = library.document
        conc = doc.concentrations
        custom_range = numbers.number_format().range(
            conc.custom_min_mg_per_ml, conc.custom_max_mg_per_ml, "mg/mL"
        )

        # --- Protocol and patient ---
        self.protocol_combo = named(QComboBox(self), "protocolCombo", "Protocol")
        for protocol in doc.protocols:
            self.protocol_combo.addItem(protocol_label(protocol), protocol.id)
            index = self.protocol_combo.count() - 1
            self.protocol_combo.setItemData(
                index,
                f"{protocol.name}\nSetting: {protocol.setting}\nDuration: {protocol.duration}",
                Qt.ItemDataRole.ToolTipRole,
            )
        self.protocol_combo.setPlaceholderText("Choose the protocol…")
        self.protocol_combo.setCurrentIndex(-1)
        self.protocol_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.protocol_combo.setMinimumContentsLength(18)
        self.protocol_combo.view().setMinimumWidth(640)
        self.protocol_setting = styled(SourcedLabel("", self), "hint")
        self.protocol_setting.setObjectName("protocolSetting")
        self.protocol_setting.setWordWrap(True)
        self.weight = NumberField(
            "weightField",
            "Patient weight in kilograms",
            "kg",
            self,
            what="the weight in kg",
            example=Decimal("72.5"),
        )
        self.weight_hint = styled(SourcedLabel("", self), "hint")
        self.weight_hint.setObjectName("weightHint")
        self.weight_hint.setWordWrap(True)
        weight = doc.weight
        self.weight_hint.setText(
            numbers.unbroken_units(
                f"Actual body weight, {numbers.number_format().range(weight.min_kg, weight.max_kg, 'kg')}"
            )
        )
        self.weight_hint.set_sources(sources_html(library, weight.sources, weight.flags, "Weight"))

        patient = FormSection("Protocol and patient", self)
        patient.add_row("&Protocol", self.protocol_combo, self.protocol_combo)
        patient.add_full(self.protocol_setting)
        self.protocol_error = styled(QLabel("", patient), "fieldError")
        self.protocol_error.setObjectName("protocolError")
        self.protocol_error.hide()
        patient.add_full(self.protocol_error)
        patient.add_row("&Weight", self.weight, self.weight.edit)
        patient.add_hint(self.weight_hint)

        # --- Bolus ---
        self.bolus_group = FormSection("Bolus", self)
        self.bolus_included = named(
            QCheckBox("Give a loading &bolus", self.bolus_group), "bolusIncludedCheck", "Give a loading bolus"
        )
        self.bolus_included_error = styled(QLabel("", self.bolus_group), "fieldError")
        self.bolus_included_error.setObjectName("bolusIncludedError")
        self.bolus_included_error.setWordWrap(True)
        self.bolus_included_error.hide()
        self.bolus_dose = NumberField(
            "bolusDoseField",
            "Bolus dose in mg per kg",
            "mg/kg",
            self.bolus_group,
            what="the bolus dose in mg/kg",
        )
        self.bolus_dose_hint = styled(SourcedLabel("", self.bolus_group), "hint")
        self.bolus_over = NumberField(
            "bolusOverField", "Bolus given over, minutes", "min", self.bolus_group, what="the minutes"
        )
        self.bolus_over_hint = styled(SourcedLabel("", self.bolus_group), "hint")
        self.bolus_concentration = ConcentrationPicker(
            "bolusConcentration",
            "Bolus concentration",
            conc.bolus_standard_mg_per_ml,
            conc.bolus_descriptions,
            custom_range,
            self.bolus_group,
        )
        self.bolus_group.add_full(self.bolus_included)
        self.bolus_group.add_full(self.bolus_included_error)
        self.bolus_group.add_row("Dos&e", self.bolus_dose, self.bolus_dose.edit)
        self.bolus_group.add_hint(self.bolus_dose_hint)
        self.bolus_group.add_row("Given &over", self.bolus_over, self.bolus_over.edit)
        self.bolus_group.add_hint(self.bolus_over_hint)
        self.bolus_group.add_row("Concentratio&n", self.bolus_concentration, self.bolus_concentration.combo)

        # --- Infusion ---
        self.infusion_group = FormSection("Infusion", self)
        self.infusion_dose = NumberField(
            "infusionDoseField", "Infusion dose", "", self.infusion_group, what="the infusion dose"
        )
        self.infusion_dose.unit_label.hide()
        self.unit_mg = named(
            QRadioButton("mg/kg/h", self.infusion_group),
            "infusionUnitMgKgH",
            "Infusion dose unit: mg per kg per hour",
        )
        self.unit_mcg = named(
            QRadioButton("mcg/kg/min", self.infusion_group),
            "infusionUnitMcgKgMin",
            "Infusion dose unit: mcg per kg per minute",
        )
        self.unit_group = QButtonGroup(self.infusion_group)
        self.unit_group.addButton(self.unit_mg)
        self.unit_group.addButton(self.unit_mcg)
        units = QWidget(self.infusion_group)
        units_row = QHBoxLayout(units)
        units_row.setContentsMargins(0, 0, 0, 0)
        units_row.addWidget(self.unit_mg)
        units_row.addWidget(self.unit_mcg)
        units_row.addStretch(1)
        self.infusion_dose_hint = styled(SourcedLabel("", self.infusion_group), "hint")
        self.infusion_concentration = ConcentrationPicker(
            "infusionConcentration",
            "Infusion concentration",
            conc.infusion_standard_mg_per_ml,
            conc.infusion_descriptions,
            custom_range,
            self.infusion_group,
        )
        self.infusion_group.add_row("&Infusion dose", self.infusion_dose, self.infusion_dose.edit)
        self.infusion_group.add_row("in", units, self.unit_mg)
        self.infusion_group.add_hint(self.infusion_dose_hint)
        self.infusion_group.add_row(
            "Con&centration", self.infusion_concentration, self.infusion_concentration.combo
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.addWidget(patient)
        layout.addWidget(self.bolus_group)
        layout.addWidget(self.infusion_group)
        layout.addStretch(1)

        # --- wiring of the form's own widgets ---
        self.protocol_combo.activated.connect(self._on_protocol_combo_activated)
        self._number_entry(self.weight, "weight_kg")
        self._number_entry(self.bolus_dose, "bolus_mg_per_kg")
        self._number_entry(self.bolus_over, "bolus_over_min")
        self.bolus_included.toggled.connect(self._on_bolus_included_toggled)
        self.bolus_concentration.value_entered.connect(self._on_bolus_concentration_entered)
        self.bolus_concentration.value_rejected.connect(self._on_bolus_concentration_rejected)
        self.infusion_concentration.value_entered.connect(self._on_infusion_concentration_entered)
        self.infusion_concentration.value_rejected.connect(self._on_infusion_concentration_rejected)
        self.infusion_dose.value_entered.connect(self._on_infusion_dose_entered)
        self.infusion_dose.value_rejected.connect(self._on_infusion_dose_rejected)
        self.unit_group.buttonToggled.connect(self._on_unit_group_toggled)

    def _number_entry(self, field: NumberField, entry: NumberEntry) -> None:
        field.value_entered.connect(lambda value: self.command_issued.emit(SetNumber(entry, value)))
        field.value_rejected.connect(lambda message: self.command_issued.emit(RejectEntry(entry, message)))

    def sizeHint(self) -> QSize:
        # Room for the limit hints on one line each where the screen allows; the minimum stays narrow
        # so that a small screen or 150% scaling still fits the form beside the card.
        hint = super().sizeHint()
        return QSize(max(hint.width(), self.PREFERRED_WIDTH), hint.height())

    # --- showing the store ---

    @property
    def dose_unit(self) -> DoseRateUnit:
        return self._dose_unit

    def show_entries(self, entries: PlanEntries, protocol: Protocol | None) -> None:
        """Fill every field from the store (after a protocol change); the weight keeps what was typed."""
        index = self.protocol_combo.findData(protocol.id) if protocol is not None else -1
        if index != self.protocol_combo.currentIndex():
            self.protocol_combo.setCurrentIndex(index)
        if protocol is None:
            # Nothing is assumed: the protocol decides every default and limit, so it is chosen first.
            self.protocol_setting.setText("Each protocol is listed with the setting it is meant for.")
            self.protocol_setting.set_sources("")
            self.bolus_group.hide()
            self.infusion_group.hide()
            return
        self.protocol_setting.setText(
            f"Setting: {protocol.setting}. Duration: {protocol.duration}. "
            f"Sedation scale: {protocol.sedation_scale}."
        )
        self.protocol_setting.set_sources(
            sources_html(self._library, protocol.sources, protocol.flags, protocol.name)
        )
        if entries.weight_kg is not None and not self.weight.text():
            self.weight.set_text(numbers.exact(entries.weight_kg))

        bolus = protocol.bolus
        self.bolus_group.setVisible(bolus is not None)
        if bolus is not None:
            self.bolus_included.blockSignals(True)
            self.bolus_included.setChecked(entries.include_bolus)
            self.bolus_included.blockSignals(False)
            self.bolus_included.setText("Give a loading &bolus" + (" (optional)" if bolus.optional else ""))
            self.bolus_dose.set_text(
                numbers.exact(entries.bolus_mg_per_kg) if entries.bolus_mg_per_kg else ""
            )
            self.bolus_over.set_text(numbers.exact(entries.bolus_over_min) if entries.bolus_over_min else "")
            self.bolus_concentration.show_value(entries.bolus_concentration_mg_per_ml)
            fmt = numbers.number_format()
            self.bolus_dose_hint.setText(numbers.unbroken_units(bolus_dose_hint(bolus, fmt)))
            self.bolus_dose_hint.set_sources(
                sources_html(self._library, bolus.sources, bolus.flags, "Bolus dose")
            )
            self.bolus_over_hint.setText(numbers.unbroken_units(bolus_over_hint(bolus, fmt)))
            self.bolus_over_hint.set_sources(self.bolus_dose_hint.toolTip())
            self._enable_bolus(entries.include_bolus)

        infusion = protocol.infusion
        self.infusion_group.setVisible(infusion is not None)
        if infusion is not None:
            self._set_unit(infusion.display_unit)
            self.infusion_dose.set_text(self._dose_text(entries.infusion_dose))
            self.infusion_concentration.show_value(entries.infusion_concentration_mg_per_ml)
            self.infusion_dose_hint.setText(
                numbers.unbroken_units(infusion_dose_hint(infusion, numbers.number_format()))
            )
            self.infusion_dose_hint.set_sources(
                sources_html(self._library, infusion.sources, infusion.flags, "Infusion dose")
            )

    def show_errors(self, errors: dict[str, str]) -> None:
        self.weight.show_error(errors.get("weight_kg"))
        self.bolus_dose.show_error(errors.get("bolus_mg_per_kg"))
        self.bolus_over.show_error(errors.get("bolus_over_min"))
        self.bolus_concentration.show_error(errors.get("bolus_concentration_mg_per_ml"))
        self.infusion_dose.show_error(errors.get("infusion_dose"))
        self.infusion_concentration.show_error(errors.get("infusion_concentration_mg_per_ml"))
        for label, key in (
            (self.bolus_included_error, "include_bolus"),
            (self.protocol_error, "protocol_id"),
        ):
            label.setText(errors.get(key, ""))
            label.setVisible(key in errors)

    def accept_suggestion(self, finding: Finding) -> None:
        """Put a mix-up finding's likely intended dose into the form, as if typed."""
        if finding.suggestion is not None:
            self._set_unit(finding.suggestion.unit)
            self.infusion_dose.set_text(numbers.exact(finding.suggestion.value))
            self.command_issued.emit(SetInfusionDose(finding.suggestion.value, finding.suggestion.unit))
            self.infusion_dose.edit.setFocus()
        elif finding.suggested_bolus_mg_per_kg is not None:
            self.bolus_dose.set_text(numbers.exact(finding.suggested_bolus_mg_per_kg))
            self.command_issued.emit(SetNumber("bolus_mg_per_kg", finding.suggested_bolus_mg_per_kg))
            self.bolus_dose.edit.setFocus()

    # --- helpers ---

    def _dose_text(self, dose: DoseRate | None) -> str:
        if dose is None:
            return ""
        if dose.unit == self._dose_unit:
            return numbers.exact(dose.value)
        return numbers.dose_rate_number(in_both_units(dose.value, dose.unit)[self._dose_unit])

    def _set_unit(self, unit: DoseRateUnit) -> None:
        self._dose_unit = unit
        self.unit_group.blockSignals(True)
        (self.unit_mg if unit == "mg/kg/h" else self.unit_mcg).setChecked(True)
        self.unit_group.blockSignals(False)
        self.infusion_dose.edit.setAccessibleName(f"Infusion dose in {unit}")

    def _enable_bolus(self, on: bool) -> None:
        for widget in (self.bolus_dose, self.bolus_over, self.bolus_concentration):
            widget.setEnabled(on)

    # --- slots ---

    def _on_protocol_combo_activated(self, index: int) -> None:
        self.command_issued.emit(ChooseProtocol(str(self.protocol_combo.itemData(index))))

    def _on_bolus_included_toggled(self, on: bool) -> None:
        self._enable_bolus(on)
        self.command_issued.emit(SetBolusIncluded(on))

    def _on_bolus_concentration_entered(self, value: Decimal) -> None:
        self.command_issued.emit(SetNumber("bolus_concentration_mg_per_ml", value))

    def _on_bolus_concentration_rejected(self, message: str) -> None:
        self.command_issued.emit(RejectEntry("bolus_concentration_mg_per_ml", message))

    def _on_infusion_concentration_entered(self, value: Decimal) -> None:
        self.command_issued.emit(SetNumber("infusion_concentration_mg_per_ml", value))

    def _on_infusion_concentration_rejected(self, message: str) -> None:
        self.command_issued.emit(RejectEntry("infusion_concentration_mg_per_ml", message))

    def _on_infusion_dose_entered(self, value: Decimal) -> None:
        self.command_issued.emit(SetInfusionDose(value, self._dose_unit))

    def _on_infusion_dose_rejected(self, message: str) -> None:
        self.command_issued.emit(RejectEntry("infusion_dose", message))

    def _on_unit_group_toggled(self, button: QRadioButton, checked: bool) -> None:
        if not checked:
            return
        new_unit: DoseRateUnit = "mg/kg/h" if button is self.unit_mg else "mcg/kg/min"
        if new_unit == self._dose_unit:
            return
        old_unit = self._dose_unit
        self._set_unit(new_unit)
        # The dose stays the same; only the unit it is written in changes. Reinterpreting the typed number
        # in the new unit is exactly the 16.7-fold slip this app exists to stop.
        try:
            value = numbers.parse_entry(self.infusion_dose.text())
        except ValueError:
            return  # the field holds no valid number: leave its text and its message alone
        if value > 0:
            self.infusion_dose.set_text(numbers.dose_rate_number(in_both_units(value, old_unit)[new_unit]))
