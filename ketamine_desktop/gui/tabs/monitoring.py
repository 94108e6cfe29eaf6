"""The Monitoring tab: the schedule the chosen regimen would follow, once the checklist is done, and the
monitoring session's panel (`set_session_panel`) under it.

It says plainly that the planned schedule is not a running session: nothing in it is timed, reminds or is
saved. Once a session has been closed it says that, instead of the schedule planned before it: a new plan
comes only from the Dosing tab.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ketamine_desktop.domain.library import Library
from ketamine_desktop.gui.models.schedule_table import planned_rows, schedule_model
from ketamine_desktop.gui.numbers import Display
from ketamine_desktop.gui.widgets.accessible import styled
from ketamine_desktop.gui.widgets.sources import SourcedLabel, sources_html
from ketamine_desktop.gui.widgets.table import WrappingTable
from ketamine_desktop.state.plan import PlanChange, PlanStore

if TYPE_CHECKING:  # the session's models are imported with the session, after the first paint
    from ketamine_desktop.domain.session import ClosePayload

NOT_RUNNING = (
    "PLANNED SCHEDULE, NOT A RUNNING SESSION. These are the checks this regimen would follow from the "
    "time the checklist was completed. Nothing on this tab is timed, reminds you or is saved: recording "
    "checks and reminders come with the monitoring session."
)
SESSION_ENDED = (
    "The infusion session ended at {at}{reason}. Nothing is being timed or reminded now. To start "
    "another infusion, plan it on the Dosing tab (Ctrl+1): Start, then the pre-start checklist."
)
NO_PLAN = (
    "No planned schedule yet. On the Dosing tab, press Start and complete the pre-start checklist to "
    "see the checks this regimen would follow."
)


class MonitoringTab(QWidget):
    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monitoringTab")
        self._library = library
        self._display = Display(library)
        self._session_running = False
        self._ended: ClosePayload | None = None
        self._has_plan = False
        self.notice = QLabel(NOT_RUNNING, self)
        self.notice.setObjectName("planNotice")
        self.notice.setWordWrap(True)
        self.summary = styled(SourcedLabel(NO_PLAN, self), "heading")
        self.summary.setObjectName("planSummary")
        self.summary.setWordWrap(True)
        self.detail = QLabel("", self)
        self.detail.setObjectName("planDetail")
        self.detail.setWordWrap(True)
        self.model = schedule_model(self)
        self.table = WrappingTable("plannedScheduleTable", "Planned monitoring checks", self)
        self.table.setModel(self.model)
        self.table.fit_columns((3,))
        self.table.hide()
        self.session_panel: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(10, 10, 10, 10)
        self._layout.addWidget(self.notice)
        self._layout.addWidget(self.summary)
        self._layout.addWidget(self.detail)
        self._layout.addWidget(self.table, 1)
        self._layout.addStretch(0)

    def set_session_panel(self, panel: QWidget) -> None:
        """Host the monitoring session's panel (the running session, once the checklist started it)."""
        if self.session_panel is not None:
            self._layout.removeWidget(self.session_panel)
            self.session_panel.deleteLater()
        panel.setParent(self)
        self._layout.insertWidget(3, panel)
        self.session_panel = panel

    def set_session_running(self, running: bool) -> None:
        """While a session runs its panel is the Monitoring tab; the plan and its notice step aside."""
        self._session_running = running
        for widget in (self.summary, self.detail):
            widget.setVisible(not running)
        # The "planned, not running" notice goes with a planned schedule: without one it only confuses.
        self.notice.setVisible(not running and self._has_plan)
        self.table.setVisible(not running and self.model.rowCount() > 0)

    def show_session_ended(self, closed: ClosePayload | None) -> None:
        """The last session was closed (`closed`), or none has been: said when no new plan is shown."""
        self._ended = closed
        if not self._has_plan:
            self.summary.setText(self._no_plan_text())

    def _no_plan_text(self) -> str:
        closed = self._ended
        if closed is None:
            return NO_PLAN
        at = closed.at.astimezone()
        reason = f" ({closed.reason})" if closed.reason else ""
        return SESSION_ENDED.format(at=f"{at:%H:%M} ({at:%a %d %b})", reason=reason)

    def show_plan(self, plan: PlanStore, change: PlanChange) -> None:
        if not change & PlanChange.PLANNED:
            return
        planned = plan.planned
        self._has_plan = planned is not None
        self.notice.setVisible(self._has_plan and not self._session_running)
        if planned is None:
            self.summary.setText(self._no_plan_text())
            self.summary.set_sources("")
            self.detail.setText("")
            self.model.set_rows(())
            self.table.hide()
            return
        protocol = self._library.protocol(planned.regimen.protocol_id)
        schedule = self._library.schedule(protocol.schedule)
        start = planned.started_at.astimezone()
        self.summary.setText(
            f"{schedule.name} schedule for {protocol.name}: {len(planned.checks)} checks planned from "
            f"{start:%H:%M} ({start:%a %d %b}), listed for the first "
            f"{int((planned.until - planned.started_at).total_seconds() // 3600)} h."
        )
        self.summary.set_sources(sources_html(self._library, schedule.sources, schedule.flags, schedule.name))
        d = self._display
        parts = []
        infusion, bolus = planned.regimen.infusion, planned.regimen.bolus
        if infusion is not None:
            parts.append(
                f"Infusion {d.ml_per_h(infusion.rate_ml_per_h)} of "
                f"{d.mg_per_ml(infusion.concentration_mg_per_ml)}"
            )
        if bolus is not None:
            parts.append(
                f"Bolus {d.mg(bolus.dose_mg)} = {d.ml(bolus.volume_ml)} over {d.minutes(bolus.over_min)}"
            )
        parts.extend(f"Second practitioner: {name}" for name in planned.names.values())
        if planned.soft_limit_reason:
            parts.append(f"Reason for the warnings: {planned.soft_limit_reason}")
        self.detail.setText(". ".join(parts) + ".")
        self.model.set_rows(planned_rows(planned.started_at, planned.checks))
        self.table.setVisible(not self._session_running)
