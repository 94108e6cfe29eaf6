"""The Handover tab of the running session: the handover on screen (the same HTML the handover PDF prints),
the syringe label as it prints, and the export and print menu (handover, chart, CSV, FHIR, label, titration
card).

The view only shows and asks: the panel computes the text and writes the exports
(`MonitoringPanel._on_export_requested`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QTextBrowser, QToolButton, QVBoxLayout, QWidget

from ketamine_desktop.export.report_html import STYLE

EXPORT_ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("handover", "exportHandoverAction", "Handover (PDF)..."),
    ("pdf", "exportChartAction", "Infusion chart (PDF)..."),
    ("csv", "exportCsvAction", "Record as CSV..."),
    ("fhir", "exportFhirAction", "HL7 FHIR R4 bundle (JSON)..."),
    ("label", "exportLabelAction", "Syringe label (PDF)..."),
    ("card", "exportCardAction", "Titration card (PDF)..."),
)


PRINT_ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("handover", "printHandoverAction", "Print the handover..."),
    ("pdf", "printChartAction", "Print the infusion chart..."),
    ("label", "printLabelAction", "Print the syringe label..."),
    ("card", "printCardAction", "Print the titration card..."),
)


def _add_actions(
    menu: QMenu, actions: tuple[tuple[str, str, str], ...], requested: SignalInstance
) -> dict[str, QAction]:
    """One menu entry per (format, objectName, text); choosing it emits `requested(format)`."""
    by_format: dict[str, QAction] = {}
    for fmt, name, text in actions:
        action = QAction(text, menu)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False, f=fmt: requested.emit(f))
        menu.addAction(action)
        by_format[fmt] = action
    return by_format


class HandoverView(QWidget):
    export_requested = Signal(str)  # the format
    print_requested = Signal(str)  # the document (an export format of a PDF)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handoverTab")
        self.text = QTextBrowser(self)
        self.text.setObjectName("handoverView")
        self.text.setAccessibleName("Handover summary")
        self.text.setOpenLinks(False)
        self.text.document().setDefaultStyleSheet(STYLE)
        # The scroll bar always there: shown only as needed, each new text was laid out twice (once to
        # find it needs the bar, once narrower with it), about 60 % of a save's cost on this tab.
        self.text.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self._html = ""
        self.export_button = QToolButton(self)
        self.export_button.setObjectName("exportButton")
        self.export_button.setText("&Export or print...")
        self.export_button.setAccessibleName("Export the record: handover, chart, CSV, FHIR, label, card")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        menu.setObjectName("exportMenu")
        self.actions_by_format = _add_actions(menu, EXPORT_ACTIONS, self.export_requested)
        menu.addSeparator()
        self.print_actions = _add_actions(menu, PRINT_ACTIONS, self.print_requested)
        self.export_button.setMenu(menu)
        self.message = QLabel(self)
        self.message.setObjectName("exportMessage")
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addLayout(row)

    def show_html(self, html: str) -> None:
        """Show the handover's text; the same words again change nothing (no layout, no repaint)."""
        if html == self._html:
            return
        self._html = html
        scroll = self.text.verticalScrollBar().value()
        self.text.setHtml(html)
        self.text.verticalScrollBar().setValue(scroll)
