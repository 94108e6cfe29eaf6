"""The sources behind the regimen card, listed in full: the keyboard path to what hover shows."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from ketamine_desktop.domain.library import Cited, Library, Protocol
from ketamine_desktop.gui.widgets.accessible import named
from ketamine_desktop.gui.widgets.scroll import resize_within_screen
from ketamine_desktop.gui.widgets.sources import citation, flags_text


def card_sources(library: Library, protocol: Protocol | None) -> list[tuple[str, Cited]]:
    doc = library.document
    rows: list[tuple[str, Cited]] = []
    if protocol is not None:
        rows.append((f"Protocol: {protocol.name}", protocol))
        if protocol.bolus is not None:
            rows.append(("Bolus dose and limits", protocol.bolus))
        if protocol.infusion is not None:
            rows.append(("Infusion dose and limits", protocol.infusion))
            if protocol.infusion.cap is not None:
                rows.append(("Infusion cap (mg/h)", protocol.infusion.cap))
    rows += [
        ("Pump rate and volume rounding", doc.units),
        ("Concentrations", doc.concentrations),
        ("Weight", doc.weight),
        ("Unit mix-up check", doc.limits),
    ]
    return rows


def sources_document(library: Library, rows: Sequence[tuple[str, Cited]]) -> str:
    e = html.escape
    parts = []
    for what, cited in rows:
        refs = "".join(f"<li><b>{e(ref)}</b>: {e(citation(library, ref))}</li>" for ref in cited.sources)
        flags = flags_text(cited.flags)
        parts.append(f"<h3>{e(what)} <i>{e(flags)}</i></h3><ul>{refs or '<li>none listed</li>'}</ul>")
    return "".join(parts)


class SourcesDialog(QDialog):
    def __init__(self, library: Library, protocol: Protocol | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourcesDialog")
        self.setWindowTitle("Sources of the regimen's numbers")
        self.text = named(QTextBrowser(self), "sourcesText", "Sources of the regimen's numbers")
        self.text.setHtml(sources_document(library, card_sources(library, protocol)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        named(buttons.button(QDialogButtonBox.StandardButton.Close), "sourcesCloseButton", "Close")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        resize_within_screen(self, 680, 520)
