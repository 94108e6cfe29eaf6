"""The regimen card: what to set the pump to, largest on screen, and every number behind it.

The infusion's pump rate in mL/h is the largest text in the window; under it the infusion dose in both
units side by side, mg/h, the cap, and the dose the rounded rate actually delivers; then the bolus in mg,
mL, minutes and mL/h. Each number shows its sources on hover or click. The card only shows: every number
comes from the domain's Regimen, formatted by the library's display rules.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ketamine_desktop.domain.formatting import other_unit
from ketamine_desktop.domain.library import Library, Protocol
from ketamine_desktop.domain.regimen import BolusResult, InfusionResult, Regimen
from ketamine_desktop.domain.session import RunningRate
from ketamine_desktop.gui.monitoring.words import clock_time
from ketamine_desktop.gui.numbers import Display
from ketamine_desktop.gui.theme import level_pixmap
from ketamine_desktop.gui.widgets.accessible import named, styled
from ketamine_desktop.gui.widgets.number_field import repolish
from ketamine_desktop.gui.widgets.sources import SourcedLabel, flags_text, sources_html

_CHANGE_WORDS: dict[str, str] = {
    "start": "at the start",
    "rate-increase": "rate increase",
    "rate-decrease": "rate decrease",
}


class RegimenCard(QFrame):
    """Shows one Regimen (or none yet); `mark_stale` says the form no longer matches it."""

    sources_requested = Signal()

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("regimenCard")
        self.setAccessibleName("Regimen card")
        self._library = library
        self._display = Display(library)
        self.regimen: Regimen | None = None

        # --- layout ---
        self.banner = QFrame(self)
        self.banner.setObjectName("cardBanner")
        self.banner_icon = QLabel(self.banner)
        self.banner_text = QLabel(self.banner)
        self.banner_text.setObjectName("cardBannerText")
        self.banner_text.setWordWrap(True)
        banner_row = QHBoxLayout(self.banner)
        banner_row.setContentsMargins(8, 4, 8, 4)
        banner_row.addWidget(self.banner_icon, 0, Qt.AlignmentFlag.AlignTop)
        banner_row.addWidget(self.banner_text, 1)
        self.banner.hide()

        self.caption = QLabel("Pump rate", self)
        self.caption.setObjectName("pumpRateCaption")
        self.sources_button = named(
            QPushButton("Sources…", self),
            "cardSourcesButton",
            "Sources of the numbers on the regimen card",
        )
        self.sources_button.setToolTip("Every number's source, with the full reference")
        self.sources_button.clicked.connect(self.sources_requested)
        header = QHBoxLayout()
        header.addWidget(self.caption, 1)
        header.addWidget(self.sources_button, 0, Qt.AlignmentFlag.AlignTop)

        self.rate_status = styled(QLabel("", self), "rateStatus")
        self.rate_status.setObjectName("cardRateStatus")
        self.rate_status.setWordWrap(True)
        self.rate_status.hide()
        self.pump_rate = SourcedLabel("", self)
        self.pump_rate.setObjectName("pumpRateValue")
        self.pump_rate.setAccessibleName("Infusion pump rate")
        self.pump_rate_detail = styled(SourcedLabel("", self), "muted")
        self.pump_rate_detail.setObjectName("pumpRateDetail")

        self.dose_primary = styled(SourcedLabel("", self), "doseBox")
        self.dose_primary.setObjectName("infusionDosePrimary")
        self.dose_other = styled(SourcedLabel("", self), "doseBox")
        self.dose_other.setObjectName("infusionDoseOther")
        doses = QHBoxLayout()
        doses.setSpacing(8)
        doses.addWidget(self.dose_primary)
        doses.addWidget(self.dose_other)
        doses.addStretch(1)

        self.mg_per_h = styled(SourcedLabel("", self), "value")
        self.mg_per_h.setObjectName("infusionMgPerH")
        self.cap = SourcedLabel("", self)
        self.cap.setObjectName("infusionCap")
        self.cap.setWordWrap(True)
        self.delivered = SourcedLabel("", self)
        self.delivered.setObjectName("infusionDelivered")
        self.delivered.setWordWrap(True)

        self.infusion_box = QWidget(self)
        infusion = QVBoxLayout(self.infusion_box)
        infusion.setContentsMargins(0, 0, 0, 0)
        infusion.setSpacing(4)
        infusion.addWidget(self.rate_status)
        infusion.addWidget(self.pump_rate)
        infusion.addWidget(self.pump_rate_detail)
        infusion.addLayout(doses)
        infusion.addWidget(self.mg_per_h)
        infusion.addWidget(self.cap)
        infusion.addWidget(self.delivered)

        self.bolus_caption = styled(QLabel("BOLUS", self), "cardSection")
        self.bolus_rate = SourcedLabel("", self)
        self.bolus_rate.setObjectName("bolusRateValue")
        self.bolus_detail = styled(SourcedLabel("", self), "value")
        self.bolus_detail.setObjectName("bolusDetail")
        self.bolus_detail.setWordWrap(True)
        self.bolus_delivered = SourcedLabel("", self)
        self.bolus_delivered.setObjectName("bolusDelivered")
        self.bolus_delivered.setWordWrap(True)
        self.bolus_box = QWidget(self)
        bolus = QVBoxLayout(self.bolus_box)
        bolus.setContentsMargins(0, 6, 0, 0)
        bolus.setSpacing(2)
        bolus_head = QHBoxLayout()
        bolus_head.addWidget(self.bolus_caption)
        bolus_head.addWidget(self.bolus_rate)
        bolus_head.addStretch(1)
        bolus.addLayout(bolus_head)
        bolus.addWidget(self.bolus_detail)
        bolus.addWidget(self.bolus_delivered)

        self.empty = styled(QLabel("Enter the patient's weight to see the regimen.", self), "heading")
        self.empty.setObjectName("cardEmpty")
        self.empty.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(4)
        layout.addWidget(self.banner)
        layout.addLayout(header)
        layout.addWidget(self.empty)
        layout.addWidget(self.infusion_box)
        layout.addWidget(self.bolus_box)
        self.infusion_box.hide()
        self.bolus_box.hide()

    # --- behaviour ---

    def show_regimen(
        self,
        regimen: Regimen | None,
        protocol: Protocol | None,
        *,
        stale: bool,
        running: RunningRate | None = None,
    ) -> None:
        """Show `regimen`, or the rate `running` now while a session runs.

        A regimen that is not current (an entry in the form is not valid) or that a hard limit blocks
        shows no numbers at all, only a dash and the reason: a stale or forbidden number must never be
        the largest text on the screen.
        """
        self.regimen = regimen
        withheld = None if running is not None else self._withheld_reason(regimen, stale)
        self._fill(regimen, protocol, withheld)
        if running is not None and regimen is not None and protocol is not None:
            # The rate on the pump, as recorded, even when the library now computes otherwise.
            self._fill_infusion(running.infusion, regimen, protocol)
        self._show_status(regimen, running, withheld)
        if self.property("stale") != stale:
            self.setProperty("stale", stale)
            repolish(self)

    def _withheld_reason(self, regimen: Regimen | None, stale: bool) -> str | None:
        if regimen is None:
            return None
        if stale:
            return "No numbers: an entry in the form is not valid. Correct the field marked beside it."
        if regimen.blocked:
            return "No numbers: a hard limit blocks this regimen (see the findings). Do not set the pump."
        return None

    def _show_status(
        self, regimen: Regimen | None, running: RunningRate | None, withheld: str | None
    ) -> None:
        if withheld is not None:
            self._banner("hard", withheld)
        else:
            self.banner.hide()
        if running is not None:
            status = running.status.upper() if running.status != "running" else "RUNNING NOW"
            why = _CHANGE_WORDS[running.change]
            reason = f": {running.reason}" if running.reason else ""
            self.rate_status.setText(f"{status} · set {clock_time(running.since)} ({why}{reason})")
            self.rate_status.setProperty("tone", "running")
        elif regimen is not None and withheld is None:
            self.rate_status.setText("Proposal - not running")
            self.rate_status.setProperty("tone", "proposal")
        else:
            self.rate_status.setText("")
        repolish(self.rate_status)
        self.rate_status.setVisible(bool(self.rate_status.text()))

    def _banner(self, level: str, text: str) -> None:
        self.banner.setProperty("level", level)
        repolish(self.banner)
        self.banner_icon.setPixmap(level_pixmap(level))
        self.banner_text.setText(text)
        self.banner.show()

    def _fill(self, regimen: Regimen | None, protocol: Protocol | None, withheld: str | None) -> None:
        if withheld is not None:
            self.empty.hide()
            self.infusion_box.show()
            self.bolus_box.hide()
            for widget in (self.pump_rate_detail, *self._infusion_details()):
                widget.hide()
            self.caption.setText("Pump rate")
            self.pump_rate.setText("\u2014")
            self.pump_rate.setAccessibleName(f"No pump rate. {withheld}")
            self.pump_rate.set_sources("")
            return
        self.pump_rate_detail.show()
        self.empty.setVisible(regimen is None)
        # The top block holds the largest number: the infusion's rate, or the bolus's when there is
        # no infusion.
        self.infusion_box.setVisible(regimen is not None)
        self.bolus_box.setVisible(regimen is not None and regimen.bolus is not None)
        if regimen is None or protocol is None:
            self.caption.setText("Pump rate")
            self.empty.setText(
                "Choose the protocol and enter the patient's weight to see the regimen."
                if protocol is None
                else "Enter the patient's weight to see the regimen."
            )
            return
        for widget in self._infusion_details():
            widget.setVisible(regimen.infusion is not None)
        if regimen.infusion is not None:
            self.caption.setText("INFUSION PUMP RATE")
            self._fill_infusion(regimen.infusion, regimen, protocol)
        else:
            self.caption.setText("BOLUS PUMP RATE")
        if regimen.bolus is not None:
            self._fill_bolus(regimen.bolus, protocol, big=regimen.infusion is None)

    def _infusion_details(self) -> tuple[QWidget, ...]:
        return (self.dose_primary, self.dose_other, self.mg_per_h, self.cap, self.delivered)

    def _tip(self, sources: Iterable[str], flags: Iterable[str] = (), title: str = "") -> str:
        return sources_html(self._library, sources, flags, title)

    def _rate_sources(self) -> tuple[str, ...]:
        doc = self._library.document
        return (*doc.units.sources, *doc.concentrations.sources)

    def _fill_infusion(self, infusion: InfusionResult, regimen: Regimen, protocol: Protocol) -> None:
        d = self._display
        spec = protocol.infusion
        spec_sources = spec.sources if spec is not None else ()
        spec_flags = spec.flags if spec is not None else ()
        unit = spec.display_unit if spec is not None else infusion.entered.unit
        rate_tip = self._tip(
            self._rate_sources(), (), "Pump rate: mg/h divided by mg/mL, rounded to the pump"
        )
        dose_tip = self._tip(spec_sources, spec_flags, f"{protocol.name}: infusion dose")

        self.pump_rate.setText(d.ml_per_h(infusion.rate_ml_per_h))
        self.pump_rate.set_sources(rate_tip)
        self.pump_rate.setAccessibleName(f"Infusion pump rate {d.ml_per_h(infusion.rate_ml_per_h)}")
        self.pump_rate_detail.setText(
            f"Infusion of {d.mg_per_ml(infusion.concentration_mg_per_ml)}, rounded to the pump's "
            f"{d.ml_per_h(self._library.document.units.pump_resolution_ml_per_h)} steps"
        )
        self.pump_rate_detail.set_sources(rate_tip)
        values = {"mg/kg/h": infusion.dose_mg_per_kg_per_h, "mcg/kg/min": infusion.dose_mcg_per_kg_per_min}
        self.dose_primary.setText(d.numbers.dose_rate(values[unit], unit))
        self.dose_other.setText(d.numbers.dose_rate(values[other_unit(unit)], other_unit(unit)))
        for label in (self.dose_primary, self.dose_other):
            label.set_sources(dose_tip)
        self.mg_per_h.setText(f"{d.mg_per_h(infusion.dose_mg_per_h)} for {d.kg(regimen.weight_kg)}")
        self.mg_per_h.set_sources(dose_tip)

        cap = spec.cap if spec is not None else None
        if cap is None or infusion.cap_mg_per_h is None:
            self.cap.setText("Cap: this protocol has no mg/h cap.")
            self.cap.set_sources(dose_tip)
        else:
            flags = flags_text(cap.flags)
            cap_text = d.mg_per_h(infusion.cap_mg_per_h)
            if infusion.capped:
                self.cap.setText(
                    f"CAP APPLIED: held at {cap_text} "
                    f"(asked {d.mg_per_h(infusion.requested_mg_per_h)}) {flags}"
                )
            else:
                self.cap.setText(f"Cap not applied: under the {cap_text} cap {flags}")
            self.cap.set_sources(self._tip(cap.sources, cap.flags, f"Cap {cap_text}"))

        self.delivered.setText(
            f"Delivered at {d.ml_per_h(infusion.rate_ml_per_h)}: {d.mg_per_h(infusion.delivered_mg_per_h)} = "
            + d.numbers.rate_equals(infusion.delivered_mg_per_kg_per_h, infusion.delivered_mcg_per_kg_per_min)
        )
        self.delivered.set_sources(
            self._tip(self._rate_sources(), (), "Delivered: what the rounded pump rate gives")
        )

    def _fill_bolus(self, bolus: BolusResult, protocol: Protocol, *, big: bool) -> None:
        d = self._display
        spec = protocol.bolus
        tip = self._tip(spec.sources if spec else (), spec.flags if spec else (), f"{protocol.name}: bolus")
        rate_text = d.ml_per_h(bolus.rate_ml_per_h)
        if big:
            self.pump_rate.setText(rate_text)
            self.pump_rate.setAccessibleName(f"Bolus pump rate {rate_text}")
            self.pump_rate.set_sources(self._tip(self._rate_sources(), (), "Bolus pump rate"))
            self.pump_rate_detail.setText(
                f"Bolus of {d.mg_per_ml(bolus.concentration_mg_per_ml)} over {d.minutes(bolus.over_min)}"
            )
        self.bolus_rate.setText(f"{rate_text} for {d.minutes(bolus.over_min)}")
        self.bolus_rate.set_sources(self._tip(self._rate_sources(), (), "Bolus pump rate"))
        self.bolus_detail.setText(
            f"{d.mg(bolus.dose_mg)} = {d.ml(bolus.volume_ml)} of {d.mg_per_ml(bolus.concentration_mg_per_ml)}"
            f" over {d.minutes(bolus.over_min)}  ({d.mg_per_kg(bolus.dose_mg_per_kg)})"
        )
        self.bolus_detail.set_sources(tip)
        self.bolus_delivered.setText(
            f"{d.ml(bolus.volume_ml)} holds {d.mg(bolus.delivered_mg)} "
            f"({d.mg_per_kg(bolus.delivered_mg_per_kg)})"
        )
        self.bolus_delivered.set_sources(
            self._tip(self._rate_sources(), (), "Delivered: what the rounded volume holds")
        )
