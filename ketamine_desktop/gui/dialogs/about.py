"""Help > About: what the app and its library are, where the numbers come from, and that a hospital
pharmacy must review the library before clinical use."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from ketamine_desktop import __version__
from ketamine_desktop.domain.library import Library, LibraryError
from ketamine_desktop.gui.widgets.accessible import named
from ketamine_desktop.gui.widgets.scroll import resize_within_screen
from ketamine_desktop.gui.widgets.sources import flags_text


def signature_text(library: Library) -> str:
    """Who signed the library in use, and when (checked again now), or why it is not trusted."""
    from ketamine_desktop.library_trust import library_path, verify_signature

    try:
        text = verify_signature(library_path(), library.sha256).describe()
    except LibraryError as exc:
        return "NOT TRUSTED: " + "; ".join(exc.problems)
    return text[0].upper() + text[1:]


def about_html(library: Library) -> str:
    doc = library.document
    e = html.escape
    notes = "".join(
        f"<li>{e(n.text)} <i>({e(', '.join(n.sources))}) {e(flags_text(n.flags))}</i></li>"
        for n in doc.evidence_notes
    )
    sources = "".join(f"<li><b>{e(s.key)}</b>: {e(s.citation)}</li>" for s in doc.sources)
    return f"""
<h2>Ketamine Desktop {e(__version__)}</h2>
<p>A bedside tool for IV ketamine for pain: regimens in both infusion units, contraindication screening,
the monitoring schedule and side-effect guidance. It checks limits as you type; it does not replace the
prescriber's judgement.</p>
<h3 style="color:#D55E00">Before clinical use</h3>
<p><b>{e(doc.library.review_notice)}</b></p>
<h3>The drug library</h3>
<p><b>{e(library.name)}</b>, version {e(library.version)}<br>
SHA-256 <code>{e(library.sha256)}</code><br>
{e(signature_text(library))}</p>
<p>Every dose, limit, interval and threshold the app uses comes from this library file, not from the
program, so a hospital pharmacy can review and replace it. Each number carries the keys of its sources,
shown on hover or click; "unverified" marks a number that could not be traced to a primary source, and
"derived" one the library's authors worked out from the sources.</p>
<h3>Evidence notes</h3><ul>{notes}</ul>
<h3>Sources</h3><ul>{sources}</ul>
"""


class AboutDialog(QDialog):
    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About Ketamine Desktop")
        self.text = named(QTextBrowser(self), "aboutText", "About the app and its drug library")
        self.text.setOpenExternalLinks(False)
        self.text.setHtml(about_html(library))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        named(close, "aboutCloseButton", "Close")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        resize_within_screen(self, 720, 560)
