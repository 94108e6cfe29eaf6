"""The Dosing tab: the form on the left (gui/tabs/dosing_form.py), the regimen card, its findings and
notes, and the Start bar on the right, which show what the plan store holds. This tab computes nothing:
the store asks the domain.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ketamine_desktop.domain.library import Library, Note
from ketamine_desktop.domain.limits import note_findings
from ketamine_desktop.gui import numbers
from ketamine_desktop.gui.tabs.dosing_form import DosingForm
from ketamine_desktop.gui.theme import level_pixmap, screening_look
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.findings import FindingList, NoteRow
from ketamine_desktop.gui.widgets.regimen_card import RegimenCard
from ketamine_desktop.gui.widgets.scroll import vertical_scroll
from ketamine_desktop.state.plan import SESSION_RUNNING, PlanChange, PlanStore


class StartBar(QFrame):
    """Screening result, what Start still needs, and the Start button."""

    start_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startBar")
        self.screening_icon = QLabel(self)
        self.screening_text = QLabel(self)
        self.screening_text.setObjectName("screeningSummary")
        self.screening_text.setWordWrap(True)
        self.gate_icon = QLabel(self)
        self.gate_text = QLabel(self)
        self.gate_text.setObjectName("startGateText")
        self.gate_text.setWordWrap(True)
        self.start_button = named(
            QPushButton("&Start…", self),
            "startButton",
            "Start: open the pre-start checklist",
        )
        self.start_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        grid = QVBoxLayout()
        grid.setSpacing(4)
        for icon, text in ((self.screening_icon, self.screening_text), (self.gate_icon, self.gate_text)):
            row = QHBoxLayout()
            row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
            row.addWidget(text, 1)
            grid.addLayout(row)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(grid, 1)
        layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.start_button.clicked.connect(self.start_clicked)

    def show_gate(self, plan: PlanStore) -> None:
        if plan.following:
            # The screening that counts is the one the running session was started with (in its record);
            # the answers on the Contraindications tab are for the next plan.
            self.screening_icon.setPixmap(level_pixmap("ok"))
            self.screening_text.setText("Screening: recorded when the running session was started.")
            self.start_button.setEnabled(False)
            self.gate_icon.show()
            self.gate_text.show()
            self.gate_icon.setPixmap(level_pixmap("pending"))
            self.gate_text.setText(SESSION_RUNNING)
            return
        screening = plan.screening
        self.screening_icon.setPixmap(level_pixmap(screening_look(screening)))
        self.screening_text.setText(
            screening.summary + ("" if screening.complete else "  (Contraindications tab, Ctrl+3)")
        )
        gate = plan.start_gate()
        self.start_button.setEnabled(gate.can_start)
        other = [r for r in gate.reasons if r != screening.summary]
        self.gate_icon.show()
        self.gate_text.show()
        if other:
            self.gate_icon.setPixmap(level_pixmap("hard" if gate.blocked else "pending"))
            self.gate_text.setText(" ".join(other))
        elif plan.planned is not None:
            self.gate_icon.setPixmap(level_pixmap("ok"))
            self.gate_text.setText(
                "Checklist completed: the planned schedule is on the Monitoring tab (Ctrl+2)."
            )
        elif gate.needs_reason:
            self.gate_icon.setPixmap(level_pixmap("soft"))
            self.gate_text.setText("Warnings: Start will ask for a typed reason for them.")
        elif gate.can_start:
            self.gate_icon.setPixmap(level_pixmap("ok"))
            self.gate_text.setText("Ready: Start opens the pre-start checklist.")
        else:
            # Only the screening is missing, and the line above already says so.
            self.gate_icon.hide()
            self.gate_text.hide()


class DosingTab(QWidget):
    """The form, the card with its findings and notes, and the Start bar."""

    command_issued = Signal(object)  # a state.plan command
    start_requested = Signal()
    sources_requested = Signal()

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dosingTab")
        self._library = library
        self._shown_protocol: str | None = None

        self.form = DosingForm(library, self)
        self.form_scroll = vertical_scroll(self.form, "dosingFormScroll")
        # Preferred: its size hint when there is room, down to its minimum on a small screen.
        self.form_scroll.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

        self.card = RegimenCard(library, self)
        self.findings = FindingList(library, self)
        self.notes_box = QWidget(self)
        self.notes_box.setObjectName("dosingNotes")
        notes = QVBoxLayout(self.notes_box)
        notes.setContentsMargins(0, 0, 0, 0)
        notes.setSpacing(6)
        self.findings_heading = styled(
            QLabel("Findings, gates and evidence notes", self.notes_box), "heading"
        )
        notes.addWidget(self.findings_heading)
        notes.addWidget(self.findings)
        notes.addWidget(styled(QLabel("Library evidence notes (every protocol)", self.notes_box), "heading"))
        for note in library.document.evidence_notes:
            notes.addWidget(self._library_note(note))
        # The card scrolls with its findings: at 1366x768 both fit the top of the view, and on a smaller
        # screen (or at 150% scaling) the column scrolls instead of clipping. The card comes first, so the
        # pump rate is what shows when the column is scrolled to the top.
        right_content = QWidget(self)
        right_column = QVBoxLayout(right_content)
        right_column.setContentsMargins(0, 0, 6, 0)
        right_column.setSpacing(8)
        right_column.addWidget(self.card)
        right_column.addWidget(self.notes_box)
        right_column.addStretch(1)
        self.right_scroll = vertical_scroll(right_content, "regimenScroll")
        self.start_bar = StartBar(self)

        right = QVBoxLayout()
        right.setSpacing(8)
        right.addWidget(self.right_scroll, 1)
        right.addWidget(self.start_bar)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(10)
        layout.addWidget(self.form_scroll, 0)
        layout.addLayout(right, 1)

        self.form.command_issued.connect(self.command_issued)
        self.findings.suggestion_accepted.connect(self.form.accept_suggestion)
        self.start_bar.start_clicked.connect(self.start_requested)
        self.card.sources_requested.connect(self.sources_requested)
        self.setTabOrder(self.form.infusion_concentration.custom.edit, self.card.sources_button)
        self.setTabOrder(self.card.sources_button, self.start_bar.start_button)

    def _library_note(self, note: Note) -> NoteRow:
        word = "Gate" if note.kind == "gate" else "Evidence"
        return NoteRow(self._library, "info", word, note.text, note.sources, note.flags, self)

    def set_glance(self, on: bool) -> None:
        """Glance mode: the card fills the tab; the form comes back when glance mode is turned off."""
        self.form_scroll.setVisible(not on)
        # The findings stay one keystroke away; a hard one still shows as the card's "Blocked" banner.
        self.notes_box.setVisible(not on)

    def show_plan(self, plan: PlanStore, change: PlanChange) -> None:
        protocol = plan.protocol
        protocol_id = protocol.id if protocol is not None else None
        following = PlanChange.SESSION in change and plan.following
        if following and plan.entries.weight_kg is not None:
            # The running session's weight replaces whatever was typed before it (e.g. after a restart).
            self.form.weight.set_text(numbers.exact(plan.entries.weight_kg))
        if PlanChange.PROTOCOL in change or following or self._shown_protocol != protocol_id:
            self._shown_protocol = protocol_id
            self.form.show_entries(plan.entries, protocol)
        # While a session runs the form shows its regimen and cannot be edited (the Start bar says why).
        self.form.setEnabled(not plan.following)
        if change & (PlanChange.ERRORS | PlanChange.PROTOCOL):
            self.form.show_errors(dict(plan.field_errors))
        regimen = plan.regimen
        # A stale regimen may belong to the protocol chosen before: its sources are that protocol's.
        card_protocol = self._library.protocol(regimen.protocol_id) if regimen is not None else protocol
        self.card.show_regimen(
            regimen, card_protocol, stale=regimen is not None and not plan.is_current, running=plan.running
        )
        if regimen is not None:
            self.findings.show_findings(regimen.findings)
        else:
            # Before there is a regimen the protocol's gates and evidence notes are shown already.
            self.findings.show_findings(note_findings(protocol) if protocol is not None else ())
        self.findings_heading.setVisible(bool(self.findings.rows))
        self.start_bar.show_gate(plan)
