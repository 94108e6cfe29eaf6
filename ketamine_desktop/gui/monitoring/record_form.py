"""The record-check form: the due check's items only, keyboard first, strict numbers, who recorded it.

Numbers go through the app's grammar (`gui.numbers.parse_entry`: one decimal mark, no exponents, no
grouping, no NaN) and the observation ranges of the assessment module; a wrong entry gets its message
beside the field and nothing is saved. Choices (oxygen, sedation on the protocol's own scale with its
labels, ACVPU, the yes/no items) start unanswered, so "not asked" can never pass for "no".

The form never clears itself on a failed save: the values stay until the save succeeds.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ketamine_desktop.domain.assessment import OBSERVATION_RANGES, Observation, blood_pressure_problem
from ketamine_desktop.domain.library import Item, Library, Protocol
from ketamine_desktop.domain.reminders import Reminder
from ketamine_desktop.domain.session import ObservationDraft
from ketamine_desktop.domain.units import NumberParseError
from ketamine_desktop.gui.monitoring.words import STATUS_WORDS, clock_time, span
from ketamine_desktop.gui.numbers import parse_entry
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.number_field import NumberField, repolish

CONSCIOUSNESS: tuple[tuple[str, str], ...] = (
    ("A", "A: alert"),
    ("C", "C: new confusion"),
    ("V", "V: responds to voice"),
    ("P", "P: responds to pain"),
    ("U", "U: unresponsive"),
)
NOT_ANSWERED = "— choose —"
EXTRA = "extra"  # the answers box's data for an extra check
_COMBO_CHARS = 22
# (item, observation field, object name, label, unit)
_NUMBERS: tuple[tuple[Item, str, str, str, str], ...] = (
    ("respiratory_rate", "respiration_rate", "rrField", "&Resp. rate", "/min"),
    ("spo2", "spo2", "spo2Field", "Sp&O2", "%"),
    ("heart_rate", "pulse", "hrField", "&Heart rate", "/min"),
    ("blood_pressure", "systolic_bp", "bpField", "Systolic &BP", "mmHg"),
    ("blood_pressure", "diastolic_bp", "dbpField", "D&iastolic BP", "mmHg"),
    ("pain", "pain", "painField", "&Pain (0-10)", "/10"),
    ("temperature", "temperature", "temperatureField", "&Temperature", "°C"),
)
_YES_NO: tuple[tuple[Item, str, str, str], ...] = (
    ("psychotomimetic", "hallucinations", "hallucinationsField", "Hallucinations"),
    ("psychotomimetic", "dysphoria", "dysphoriaField", "Dysphoria"),
    ("psychotomimetic", "nightmares", "nightmaresField", "Nightmares"),
    ("nausea", "nausea", "nauseaField", "Nausea or vomiting"),
    ("monitors_attached", "monitors", "monitorsField", "SpO2 and ECG monitors on, alarms on"),
)


def choice_combo(
    object_name: str, accessible: str, choices: tuple[tuple[str, str], ...], parent: QWidget
) -> QComboBox:
    combo = named(QComboBox(parent), object_name, accessible)
    combo.addItem(NOT_ANSWERED, None)
    for value, text in choices:
        combo.addItem(text, value)
    # Long scale labels must not widen the form past a laptop screen: the closed box shows the start of
    # the label (the value comes first), the open list shows it whole.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(_COMBO_CHARS)
    combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)
    combo.setToolTip("\n".join(text for _value, text in choices))
    return combo


def combo_value(combo: QComboBox) -> str | None:
    value = combo.currentData()
    return value if isinstance(value, str) else None


_INVALID_COMBO = "QComboBox { border: 2px solid #D55E00; }"


def set_invalid(widget: QWidget, invalid: bool) -> None:
    if widget.property("invalid") == invalid:
        return
    widget.setProperty("invalid", invalid)
    if isinstance(widget, QComboBox):
        # The theme styles invalid line edits only; a choice left unanswered gets the same border here.
        widget.setStyleSheet(_INVALID_COMBO if invalid else "")
    repolish(widget)


class RecordCheckForm(QFrame):
    """Emits `save_requested` (Save button, Enter in a field, Ctrl+S); the panel does the saving."""

    save_requested = Signal()
    defer_requested = Signal()

    def __init__(self, library: Library, protocol: Protocol, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordCheckForm")
        self.setProperty("role", "formSection")
        self._library = library
        self._protocol = protocol
        self.target: Reminder | None = None
        self.heading = styled(QLabel("Record a check", self), "sectionHeading")
        self.heading.setObjectName("recordTarget")
        self.heading.setWordWrap(True)
        self.defer_button = named(
            QPushButton("De&fer…", self), "deferButton", "Defer this check with a reason"
        )
        # Which due check this observation answers: the oldest open one unless the nurse picks another.
        self.answers = named(QComboBox(self), "checkTargetField", "The due check this observation answers")
        self.answers.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.answers.activated.connect(self._on_answers_activated)
        answers_label = QLabel("&Answers", self)
        answers_label.setBuddy(self.answers)
        self._choices_shown: tuple[tuple[str, str], ...] | None = None
        self._target_shown: object = None
        self._choices: tuple[Reminder, ...] = ()
        self._picked: str | None = None  # the key the nurse picked, kept while it stays a choice
        self._now: datetime | None = None
        self.numbers: dict[str, NumberField] = {}
        self.rows: dict[str, list[QWidget]] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        row = 0
        order: list[QWidget] = []
        for item, name, object_name, label_text, unit in _NUMBERS:
            field = NumberField(object_name, label_text.replace("&", ""), unit, self)
            field.edit.returnPressed.connect(self.save_requested)
            label = QLabel(label_text, self)
            label.setBuddy(field.edit)
            self.numbers[name] = field
            grid.addWidget(label, row, 0)
            grid.addWidget(field, row, 1)
            self.rows.setdefault(item, []).extend([label, field])
            order.append(field.edit)
            if item == "spo2":
                self.oxygen = choice_combo(
                    "oxygenField", "Air or oxygen", (("air", "Air"), ("oxygen", "On oxygen")), self
                )
                oxygen_label = QLabel("Air or o&xygen", self)
                oxygen_label.setBuddy(self.oxygen)
                row += 1
                grid.addWidget(oxygen_label, row, 0)
                grid.addWidget(self.oxygen, row, 1)
                self.rows["spo2"].extend([oxygen_label, self.oxygen])
                order.append(self.oxygen)
            if name == "diastolic_bp":
                scale = library.sedation_scale(protocol.sedation_scale)
                self.sedation = choice_combo(
                    "sedationField",
                    f"Sedation ({scale.id})",
                    tuple((level.value, f"{level.value}: {level.label}") for level in scale.levels),
                    self,
                )
                self.sedation.setToolTip(f"{scale.name}. {scale.note}")
                sedation_label = QLabel(f"&Sedation ({scale.id})", self)
                sedation_label.setBuddy(self.sedation)
                self.consciousness = choice_combo(
                    "consciousnessField", "Consciousness (ACVPU)", CONSCIOUSNESS, self
                )
                consciousness_label = QLabel("&Consciousness", self)
                consciousness_label.setBuddy(self.consciousness)
                row += 1
                grid.addWidget(sedation_label, row, 0)
                grid.addWidget(self.sedation, row, 1)
                row += 1
                grid.addWidget(consciousness_label, row, 0)
                grid.addWidget(self.consciousness, row, 1)
                self.rows["sedation"] = [sedation_label, self.sedation]
                self.rows["consciousness"] = [consciousness_label, self.consciousness]
                order.extend([self.sedation, self.consciousness])
            row += 1
        self.yes_no: dict[str, QComboBox] = {}
        for item, name, object_name, text in _YES_NO:
            combo = choice_combo(object_name, text, (("no", "No"), ("yes", "Yes")), self)
            label = QLabel(text, self)
            label.setBuddy(combo)
            label.setWordWrap(True)
            grid.addWidget(label, row, 0)
            grid.addWidget(combo, row, 1)
            self.yes_no[name] = combo
            self.rows.setdefault(item, []).extend([label, combo])
            order.append(combo)
            row += 1
        self.by = named(QLineEdit(self), "recordedByField", "Recorded by (your initials)")
        self.by.setMaxLength(40)
        self.by.returnPressed.connect(self.save_requested)
        by_label = QLabel("Recorded b&y", self)
        by_label.setBuddy(self.by)
        grid.addWidget(by_label, row, 0)
        grid.addWidget(self.by, row, 1)
        order.append(self.by)
        self.message = styled(QLabel(self), "fieldError")
        self.message.setObjectName("saveStatus")
        self.message.setWordWrap(True)
        self.save_button = named(QPushButton("&Save check", self), "saveCheckButton", "Save the check")
        self.save_button.setDefault(True)
        order.append(self.save_button)
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.defer_button)
        answers_row = QHBoxLayout()
        answers_row.addWidget(answers_label)
        answers_row.addWidget(self.answers, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(top)
        layout.addLayout(answers_row)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save_requested)
        self.defer_button.clicked.connect(self.defer_requested)
        shortcut = QShortcut(QKeySequence("Ctrl+S"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save_requested)

    # --- which check ---

    def set_choices(self, choices: tuple[Reminder, ...], now: datetime) -> None:
        """The due checks this observation may answer (oldest first); the nurse's pick stays while it is
        still one of them, else the first (the oldest open one). The last choice is an extra check."""
        self._choices = choices
        self._now = now
        shown = tuple((r.key, self._choice_text(r, now)) for r in choices)
        keys = [r.key for r in choices]
        if self._picked is not None and self._picked not in keys and self._picked != EXTRA:
            self._picked = None
        if shown != self._choices_shown:
            self._choices_shown = shown
            self.answers.blockSignals(True)
            self.answers.clear()
            for reminder in choices:
                self.answers.addItem(self._choice_text(reminder, now), reminder.key)
            self.answers.addItem("Extra check (answers no due check)", EXTRA)
            self.answers.blockSignals(False)
        wanted = self._picked if self._picked is not None else (keys[0] if keys else EXTRA)
        index = self.answers.findData(wanted)
        if self.answers.currentIndex() != index:
            self.answers.setCurrentIndex(index)
        target = next((r for r in choices if r.key == wanted), None)
        shown_target: object = (target.key, target.status) if target is not None else EXTRA
        if shown_target != self._target_shown:
            self._target_shown = shown_target
            self.set_target(target, now)
        else:
            # The same check, later: only the words change ("15 min late" becomes "16 min late"), as the
            # banner's and the choice's do; the fields are not laid out again.
            heading = self._heading(target, now)
            if self.heading.text() != heading:
                self.heading.setText(heading)

    @staticmethod
    def _choice_text(reminder: Reminder, now: datetime) -> str:
        check = reminder.check
        what = "Baseline check" if check is not None and check.kind == "baseline" else "Check"
        late = f", {span(now - reminder.due)} late" if reminder.status == "overdue" else ""
        return f"{what} due {clock_time(reminder.due)} ({STATUS_WORDS[reminder.status]}{late})"

    def _on_answers_activated(self, index: int) -> None:
        key = self.answers.itemData(index)
        self._picked = key if isinstance(key, str) else None
        if self._now is not None:
            self.set_choices(self._choices, self._now)

    def set_target(self, target: Reminder | None, now: datetime) -> None:
        """Show the items of the check to record (all items for an extra check)."""
        self.target = target
        check = target.check if target is not None else None
        items = set(check.items) if check is not None else set(self.rows)
        for item, widgets in self.rows.items():
            for widget in widgets:
                widget.setVisible(item in items)
        self.heading.setText(self._heading(target, now))
        self.defer_button.setEnabled(target is not None and target.status in ("due", "overdue"))

    def _heading(self, target: Reminder | None, now: datetime) -> str:
        if target is None:
            if self._choices:
                return "Record an extra check (it answers no due check)"
            return "No check is due: record an extra check"
        check = target.check
        state = STATUS_WORDS[target.status]
        late = f", {span(now - target.due)} late" if target.status == "overdue" else ""
        what = "baseline check" if check is not None and check.kind == "baseline" else "check"
        return f"Record the {what} due {clock_time(target.due)} ({state}{late})"

    def items_shown(self) -> tuple[Item, ...]:
        check = self.target.check if self.target is not None else None
        return tuple(check.items) if check is not None else tuple(self.rows)  # type: ignore[arg-type]

    # --- reading ---

    def collect(self) -> tuple[ObservationDraft | None, dict[str, str]]:
        """The draft, or the problems by field name (also shown beside the fields)."""
        shown = set(self.items_shown())
        problems: dict[str, str] = {}
        values: dict[str, object] = {}
        answered: list[Item] = []
        for item, name, _object, _label, _unit in _NUMBERS:
            field = self.numbers[name]
            if item not in shown:
                field.show_error(None)
                continue
            value, problem = self._number(name, field.text())
            field.show_error(problem)
            if problem is not None:
                problems[name] = problem
            elif value is not None:
                values[name] = value if name == "temperature" else int(value)
        systolic, diastolic = values.get("systolic_bp"), values.get("diastolic_bp")
        if isinstance(systolic, int) and isinstance(diastolic, int):
            bp_problem = blood_pressure_problem(systolic, diastolic)
            self.numbers["diastolic_bp"].show_error(bp_problem)
            if bp_problem is not None:
                problems["diastolic_bp"] = bp_problem
        for item, combo, name in self._choice_combos():
            choice = combo_value(combo)
            missing = item in shown and choice is None
            set_invalid(combo, missing)
            if missing:
                problems[name] = "choose one"
            elif item in shown:
                values[name] = choice
        if self.by.text().strip() == "":
            problems["by"] = "enter your initials"
        set_invalid(self.by, "by" in problems)
        if problems:
            self.show_message("Not saved: correct the fields marked.", error=True)
            return None, problems
        sedation = values.pop("sedation", None)
        scale_field = "rass" if self._protocol.sedation_scale == "RASS" else "poss"
        if sedation is not None:
            values[scale_field] = int(str(sedation)) if scale_field == "rass" else sedation
        oxygen = values.pop("oxygen", None)
        if oxygen is not None:
            values["oxygen"] = oxygen == "oxygen"
        monitors = values.pop("monitors", None)
        for name in ("hallucinations", "dysphoria", "nightmares", "nausea"):
            if name in values:
                values[name] = values[name] == "yes"
        for item in self.items_shown():
            answered.append(item)
        draft = ObservationDraft(
            check_due=self.target.due if self.target is not None else None,
            observation=Observation.model_validate(values),
            monitors_attached=None if monitors is None else monitors == "yes",
            answered=tuple(answered),
        )
        return draft, {}

    def _choice_combos(self) -> list[tuple[Item, QComboBox, str]]:
        choices: list[tuple[Item, QComboBox, str]] = [
            ("spo2", self.oxygen, "oxygen"),
            ("sedation", self.sedation, "sedation"),
            ("consciousness", self.consciousness, "consciousness"),
        ]
        choices.extend((item, self.yes_no[name], name) for item, name, _o, _t in _YES_NO)
        return choices

    @staticmethod
    def _number(name: str, text: str) -> tuple[Decimal | None, str | None]:
        try:
            value = parse_entry(text)
        except NumberParseError as exc:
            return None, exc.message
        return value, OBSERVATION_RANGES[name].problem(value)

    @property
    def recorded_by(self) -> str:
        return self.by.text().strip()

    # --- after saving ---

    def show_message(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("role", "fieldError" if error else "hint")
        repolish(self.message)

    def clear_values(self) -> None:
        """After a save: empty every value (the initials stay for the next check); the next observation
        answers the oldest open check again unless the nurse picks another."""
        self._picked = None
        for field in self.numbers.values():
            field.set_text("")
            field.show_error(None)
        for _item, combo, _name in self._choice_combos():
            combo.setCurrentIndex(0)
            set_invalid(combo, False)
