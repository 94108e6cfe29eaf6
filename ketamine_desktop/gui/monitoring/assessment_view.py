"""What a saved check means: first and largest the one decision on the infusion (continue, reduce, pause,
stop) with its text and sources; then NEWS2; then the short numbered list of what else to do (the other
actions, and what the superseded ones still ask: notify, recheck); then, small, the actions that also fired
but are not instructions ("also triggered"); and, for an urgent action, the acknowledgement it needs."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ketamine_desktop.domain.assessment import NEWS2_PARAMETER_WORDS, Action
from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.session import ObservationPayload, Recorded
from ketamine_desktop.gui.monitoring.history import DECISION_WORDS
from ketamine_desktop.gui.monitoring.words import clock_time
from ketamine_desktop.gui.theme import SEVERITY_LEVEL, SEVERITY_WORD
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.findings import NoteRow
from ketamine_desktop.gui.widgets.number_field import repolish
from ketamine_desktop.gui.widgets.sources import SourcedLabel, flags_text, sources_html

DECISION_LEVELS: dict[str, str] = {"continue": "ok", "reduce": "soft", "pause": "soft", "stop": "hard"}


class AssessmentView(QFrame):
    """The latest check's assessment; `acknowledge_requested(seq, initials)` for an urgent one."""

    acknowledge_requested = Signal(int, str)

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("assessmentView")
        self.setProperty("role", "formSection")
        self._library = library
        self._seq: int | None = None
        self._heading_text = ""
        self.previous = False  # a newer check has begun: this one's decision is history
        self.heading = styled(QLabel("No check recorded yet.", self), "sectionHeading")
        self.heading.setObjectName("assessmentHeading")
        self.heading.setWordWrap(True)
        self.news2 = QLabel(self)
        self.news2.setObjectName("news2Summary")
        self.news2.setWordWrap(True)
        self.decision_frame = QFrame(self)
        self.decision_frame.setObjectName("decisionFrame")
        self.decision = QLabel(self.decision_frame)
        self.decision.setObjectName("infusionDecision")
        self.decision.setStyleSheet("font-size: 22px; font-weight: 800; padding: 2px 8px;")
        self.decision.setWordWrap(True)
        self.decision_text = QLabel(self.decision_frame)
        self.decision_text.setObjectName("decisionText")
        self.decision_text.setStyleSheet("font-size: 16px; font-weight: 700; padding: 0 8px;")
        self.decision_text.setWordWrap(True)
        self.decision_sources = styled(SourcedLabel("", self.decision_frame), "muted")
        self.decision_sources.setObjectName("decisionSources")
        self.decision_sources.setWordWrap(True)
        decision_column = QVBoxLayout(self.decision_frame)
        decision_column.addWidget(self.decision)
        decision_column.addWidget(self.decision_text)
        decision_column.addWidget(self.decision_sources)
        self.answer = QLabel(self.decision_frame)
        self.answer.setObjectName("decisionAnswer")
        self.answer.setStyleSheet("font-size: 14px; font-weight: 700; padding: 0 8px;")
        self.answer.setWordWrap(True)
        self.answer.hide()
        decision_column.addWidget(self.answer)
        self.decision_frame.hide()
        self.action_layout = QVBoxLayout()
        self.action_rows: list[NoteRow] = []
        self.also = styled(QLabel(self), "muted")
        self.also.setObjectName("alsoTriggered")
        self.also.setWordWrap(True)
        self.also.hide()
        self.ack_frame = QFrame(self)
        self.ack_frame.setObjectName("acknowledgeFrame")
        self.ack_frame.setProperty("level", "hard")
        self.ack_text = styled(
            QLabel(
                "An urgent action: acknowledge that you have read it and are acting on it.", self.ack_frame
            ),
            "levelWord",
        )
        self.ack_text.setObjectName("acknowledgeText")
        self.ack_text.setWordWrap(True)
        self.ack_by = named(
            QLineEdit(self.ack_frame), "acknowledgedByField", "Acknowledged by (your initials)"
        )
        self.ack_by.setPlaceholderText("your initials")
        self.ack_by.setMaxLength(40)
        self.ack_button = named(
            QPushButton("&Acknowledge", self.ack_frame), "acknowledgeButton", "Acknowledge the urgent action"
        )
        ack_row = QHBoxLayout(self.ack_frame)
        ack_row.addWidget(self.ack_text, 1)
        ack_row.addWidget(self.ack_by)
        ack_row.addWidget(self.ack_button)
        self.ack_frame.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.decision_frame)
        layout.addWidget(self.heading)
        layout.addWidget(self.news2)
        layout.addLayout(self.action_layout)
        layout.addWidget(self.also)
        layout.addWidget(self.ack_frame)
        self.ack_button.clicked.connect(self._on_ack_button_clicked)
        self.ack_by.returnPressed.connect(self._on_ack_button_clicked)

    @property
    def seq(self) -> int | None:
        return self._seq

    def show_observation(
        self, recorded: Recorded[ObservationPayload] | None, acknowledged: bool, answer: str = ""
    ) -> None:
        """Show the check's assessment; `answer` says how its decision was answered ("" while open)."""
        if recorded is None:
            return
        self.answer.setText(answer)
        self.answer.setVisible(bool(answer))
        body = recorded.body
        assessment = body.assessment
        if recorded.seq != self._seq:
            self._seq = recorded.seq
            when = clock_time(body.check_due) if body.check_due is not None else "extra"
            self._heading_text = f"Check {when}, saved {clock_time(body.taken_at)} by {recorded.by}"
            self.heading.setText(self._heading_text)
            self.previous = False
            news2 = assessment.news2
            missing = [NEWS2_PARAMETER_WORDS.get(p, p) for p in news2.scores.missing()]
            incomplete = f" Incomplete: not scored: {', '.join(missing)}." if missing else ""
            self.news2.setText(f"NEWS2 {news2.total} ({news2.risk}): {news2.risk_text}{incomplete}")
            decision = assessment.decision
            deciding = next((a for a in assessment.actions if a.code == decision.code), None)
            level = DECISION_LEVELS[assessment.infusion]
            self.decision.setText(f"Decision: {DECISION_WORDS[assessment.infusion]}")
            self.decision_text.setText(decision.text)
            sources = deciding.sources if deciding is not None else ()
            flags = deciding.flags if deciding is not None else ()
            if deciding is None:
                self.decision_sources.setText("")
            else:
                refs = ", ".join(sources) or "no source listed"
                self.decision_sources.setText(f"Sources: {refs} {flags_text(flags)}".rstrip())
            self.decision_sources.set_sources(sources_html(self._library, sources, flags))
            if self.decision_frame.property("level") != level:
                # Re-styling sends a font change down the frame and relays out the whole window: only
                # when the colour changes.
                self.decision_frame.setProperty("level", level)
                repolish(self.decision_frame)
            self.decision_frame.show()
            self.news2.show()
            self._show_list(assessment.shown_actions, assessment.superseded, decision.code)
        self.ack_frame.setVisible(assessment.needs_acknowledgement and not acknowledged)

    def show_as_previous(self) -> bool:
        """A new check has begun: fold the last one's decision away (it stays in History). An urgent
        action still waiting for its acknowledgement is never folded. True when something changed."""
        if self.previous or self._seq is None or self.ack_frame.isVisibleTo(self):
            return False
        self.previous = True
        self.heading.setText(f"Last check: {self._heading_text[len('Check ') :]} (its decision: History tab)")
        self.news2.hide()
        self.decision_frame.hide()
        for row in self.action_rows:
            row.hide()
        self.also.hide()
        return True

    def _show_list(self, shown: tuple[Action, ...], superseded: tuple[Action, ...], deciding: str) -> None:
        """The numbered list under the decision, then the "also triggered" line."""
        for row in self.action_rows:
            self.action_layout.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.action_rows = []
        entries: list[tuple[str, str, Action]] = [
            (f"action_{a.code}", a.text, a) for a in shown if a.code != deciding
        ]
        texts = {text for _name, text, _a in entries}
        for action in superseded:
            for index, step in enumerate(action.steps):
                if step not in texts:
                    texts.add(step)
                    entries.append((f"step_{action.code}_{index}", step, action))
        for number, (name, text, action) in enumerate(entries, start=1):
            row = NoteRow(
                self._library,
                SEVERITY_LEVEL[action.severity],
                f"{number}. {SEVERITY_WORD[action.severity]}",
                text,
                action.sources,
                action.flags,
                self,
            )
            row.setObjectName(name)
            self.action_layout.addWidget(row)
            self.action_rows.append(row)
        also = [f"{a.text} (superseded by {a.superseded_by})" for a in superseded]
        self.also.setText("Also triggered, not instructions: " + " · ".join(also) if also else "")
        self.also.setVisible(bool(also))

    def _on_ack_button_clicked(self) -> None:
        if self._seq is not None:
            self.acknowledge_requested.emit(self._seq, self.ack_by.text().strip())
