"""The Side effects tab: how each looks, how common it is, what to do, with sources; then the escalation
rules as a readable table (severity, trigger in words, what happens to the infusion, action, sources)."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QSplitter, QVBoxLayout, QWidget

from ketamine_desktop.domain.library import Library
from ketamine_desktop.gui.models.library_tables import escalation_model, side_effects_model
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.table import WrappingTable


class SideEffectsTab(QWidget):
    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sideEffectsTab")
        self.filter = named(QLineEdit(self), "sideEffectsFilter", "Filter side effects and escalation rules")
        self.filter.setPlaceholderText("Type to filter, e.g. nausea, SpO2, pause")
        self.filter.setClearButtonEnabled(True)
        filter_label = QLabel("&Filter", self)
        filter_label.setBuddy(self.filter)
        filter_row = QHBoxLayout()
        filter_row.addWidget(filter_label)
        filter_row.addWidget(self.filter, 1)

        self.effects_model = side_effects_model(library, self)
        self.effects_proxy = self._proxy(self.effects_model)
        self.effects_table = WrappingTable("sideEffectsTable", "Side effects", self)
        self.effects_table.setModel(self.effects_proxy)
        self.effects_table.fit_columns((0, 1, 2))

        self.escalation = escalation_model(library, self)
        self.escalation_proxy = self._proxy(self.escalation)
        self.escalation_table = WrappingTable("escalationTable", "Escalation rules", self)
        self.escalation_table.setModel(self.escalation_proxy)
        self.escalation_table.fit_columns((1, 3))

        effects_box = QWidget(self)
        effects = QVBoxLayout(effects_box)
        effects.setContentsMargins(0, 0, 0, 0)
        effects.addWidget(styled(QLabel("Side effects: recognise and manage", effects_box), "heading"))
        effects.addWidget(self.effects_table, 1)
        escalation_box = QWidget(self)
        escalation = QVBoxLayout(escalation_box)
        escalation.setContentsMargins(0, 0, 0, 0)
        escalation.addWidget(
            styled(QLabel("Escalation rules, applied to every recorded check", escalation_box), "heading")
        )
        escalation.addWidget(
            styled(
                QLabel(
                    'Limits are inclusive: "8 or less" includes 8. Hover over a row for its full sources.',
                    escalation_box,
                ),
                "muted",
            )
        )
        escalation.addWidget(self.escalation_table, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("sideEffectsSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(effects_box)
        self.splitter.addWidget(escalation_box)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addLayout(filter_row)
        layout.addWidget(self.splitter, 1)
        self.filter.textChanged.connect(self._on_filter_text_changed)

    def _proxy(self, source: object) -> QSortFilterProxyModel:
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(source)  # type: ignore[arg-type]
        proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        proxy.setFilterKeyColumn(-1)
        return proxy

    def _on_filter_text_changed(self, text: str) -> None:
        self.effects_proxy.setFilterFixedString(text)
        self.escalation_proxy.setFilterFixedString(text)
