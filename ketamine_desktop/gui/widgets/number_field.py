"""A strict number field: the app's grammar, a message beside the field, never a silent correction."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QSizePolicy, QWidget

from ketamine_desktop.domain.units import NumberParseError
from ketamine_desktop.gui import numbers
from ketamine_desktop.gui.numbers import parse_entry
from ketamine_desktop.gui.widgets.accessible import named, styled


def repolish(widget: QWidget) -> None:
    """Re-read the style sheet after a dynamic property such as `invalid` changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


class NumberField(QWidget):
    """A line edit with its unit after it and room for a message beside it.

    Emits `value_entered(Decimal)` when what the user typed is a number by the app's grammar and
    `value_rejected(str)` with the reason when it is not. Text set by the program emits nothing.
    """

    value_entered = Signal(object)  # Decimal
    value_rejected = Signal(str)

    def __init__(
        self,
        object_name: str,
        accessible_name: str,
        unit: str,
        parent: QWidget | None = None,
        *,
        what: str = "",
        example: Decimal | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{object_name}Row")
        self._what = what  # "the weight in kg": an error says what to type
        self._example = example
        self.edit = named(QLineEdit(self), object_name, accessible_name)
        self.edit.setMaxLength(16)
        self.edit.setFixedWidth(84)
        self.unit_label = QLabel(unit, self)
        self.error_label = styled(QLabel("", self), "fieldError")
        self.error_label.setObjectName(f"{object_name}Error")
        self.error_label.setWordWrap(True)
        self.error_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.error_label.hide()
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addWidget(self.edit)
        self._row.addWidget(self.unit_label)
        self._row.addWidget(self.error_label, 1)
        self._row.addStretch(0)  # keeps the field at the left while there is no message
        self.edit.textEdited.connect(self._on_edit_text_edited)

    def text(self) -> str:
        return self.edit.text()

    def set_text(self, text: str) -> None:
        if self.edit.text() != text:
            self.edit.setText(text)

    def set_unit(self, unit: str) -> None:
        self.unit_label.setText(unit)

    def show_error(self, message: str | None) -> None:
        """Show `message` beside the field (None clears it); the field's text is left as typed."""
        invalid = bool(message)
        if self.error_label.text() != (message or ""):
            self.error_label.setText(message or "")
        self.error_label.setVisible(invalid)
        # The screen reader hears the problem with the field, not only the sighted user.
        self.edit.setAccessibleDescription(message or "")
        if self.edit.property("invalid") != invalid:
            self.edit.setProperty("invalid", invalid)
            repolish(self.edit)

    def explain(self, message: str) -> str:
        """What to type, then what was wrong: "Type the weight in kg, for example 72.5 (no thousands
        separators)"."""
        words = numbers.nurse_words(message)
        if not self._what:
            return words
        example = f", for example {numbers.exact(self._example)}" if self._example is not None else ""
        return f"Type {self._what}{example} ({words})"

    def reparse(self) -> None:
        """Emit for the text now in the field, as if the user had just typed it."""
        self._on_edit_text_edited(self.edit.text())

    def _on_edit_text_edited(self, text: str) -> None:
        try:
            value: Decimal = parse_entry(text)
        except NumberParseError as exc:
            self.value_rejected.emit(self.explain(exc.message))
            return
        self.value_entered.emit(value)
