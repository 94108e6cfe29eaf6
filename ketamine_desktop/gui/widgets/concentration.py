"""A concentration picker: the library's standard concentrations, or a custom one typed in."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QVBoxLayout, QWidget

from ketamine_desktop.gui import numbers
from ketamine_desktop.gui.widgets.accessible import named
from ketamine_desktop.gui.widgets.number_field import NumberField

_CUSTOM = "custom"


class ConcentrationPicker(QWidget):
    """Emits `value_entered(Decimal)` for a standard choice or a valid custom number, and
    `value_rejected(str)` while "Custom" is chosen without a valid number."""

    value_entered = Signal(object)  # Decimal
    value_rejected = Signal(str)

    def __init__(
        self,
        object_name: str,
        accessible_name: str,
        standard: Sequence[Decimal],
        descriptions: Sequence[str],
        custom_range: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{object_name}Picker")
        self.combo = named(QComboBox(self), f"{object_name}Combo", accessible_name)
        # The descriptions are long; the closed box shows what fits and the list shows them whole.
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(12)
        self._standard = tuple(standard)
        for index, value in enumerate(self._standard):
            # The library's description ("1 mg/mL: 50 mg in 50 mL ...") says how the syringe is made up.
            text = (
                descriptions[index]
                if index < len(descriptions)
                else numbers.number_format().exact_quantity(value, "mg/mL")
            )
            self.combo.addItem(text, str(value))
        self.combo.addItem(f"Custom concentration ({custom_range})…", _CUSTOM)
        self.combo.view().setMinimumWidth(self.combo.view().sizeHintForColumn(0) + 24)
        for index in range(self.combo.count()):
            self.combo.setItemData(index, self.combo.itemText(index), Qt.ItemDataRole.ToolTipRole)
        self.custom = NumberField(f"{object_name}Custom", f"{accessible_name}, custom, mg/mL", "mg/mL", self)
        self.custom.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.combo)
        layout.addWidget(self.custom)
        self.combo.activated.connect(self._on_combo_activated)
        self.custom.value_entered.connect(self.value_entered)
        self.custom.value_rejected.connect(self.value_rejected)

    def show_value(self, value: Decimal) -> None:
        """Show `value` without emitting: a standard entry, or Custom with the number."""
        if value in self._standard:
            self.combo.setCurrentIndex(self._standard.index(value))
            self.custom.hide()
        else:
            self.combo.setCurrentIndex(len(self._standard))
            self.custom.set_text(numbers.exact(value))
            self.custom.show()

    def show_error(self, message: str | None) -> None:
        if message:
            self.custom.show()
        self.custom.show_error(message)

    def _on_combo_activated(self, index: int) -> None:
        data = self.combo.itemData(index)
        if data == _CUSTOM:
            self.custom.show()
            self.custom.edit.setFocus()
            self.custom.edit.selectAll()
            if self.custom.text():
                self.custom.reparse()
            else:
                self.value_rejected.emit("type the custom concentration")
            return
        self.custom.hide()
        self.value_entered.emit(Decimal(str(data)))
