"""One recorded check in words, the same on the History tab, the chart PDF and the handover.

"RR 14, SpO2 97% air, HR 80, BP 120/70, POSS 2, RASS 0, ACVPU A, pain 4/10, temp 36.8 °C, nausea".
Only what was recorded is said; a blood pressure with one value says which one it is, so a lone
diastolic is never read as a systolic. Numbers go through the one formatter (its decimal mark).
"""

from __future__ import annotations

from ketamine_desktop.domain.assessment import Observation
from ketamine_desktop.domain.formatting import NumberFormat

__all__ = ["SIDE_EFFECTS", "observation_summary", "side_effects_recorded"]

SIDE_EFFECTS = ("hallucinations", "dysphoria", "nightmares", "nausea")


def observation_summary(obs: Observation, numbers: NumberFormat) -> str:
    """The recorded items of `obs`, comma-separated, in the order the check form asks them."""
    parts: list[str] = []
    if obs.respiration_rate is not None:
        parts.append(f"RR {obs.respiration_rate}")
    if obs.spo2 is not None:
        air = "" if obs.oxygen is None else (" on oxygen" if obs.oxygen else " air")
        parts.append(f"SpO2 {obs.spo2}%{air}")
    if obs.pulse is not None:
        parts.append(f"HR {obs.pulse}")
    parts.extend(_blood_pressure(obs))
    if obs.poss is not None:
        parts.append(f"POSS {obs.poss}")
    if obs.rass is not None:
        parts.append(f"RASS {obs.rass:+d}" if obs.rass else "RASS 0")
    if obs.consciousness is not None:
        parts.append(f"ACVPU {obs.consciousness}")
    if obs.pain is not None:
        parts.append(f"pain {obs.pain}/10")
    if obs.temperature is not None:
        parts.append(f"temp {numbers.exact(obs.temperature)} °C")
    parts.extend(side_effects_recorded(obs))
    return ", ".join(parts)


def side_effects_recorded(obs: Observation) -> tuple[str, ...]:
    """The side effects ticked on this check, by name, in the form's order."""
    present = (obs.hallucinations, obs.dysphoria, obs.nightmares, obs.nausea)
    return tuple(name for name, ticked in zip(SIDE_EFFECTS, present, strict=True) if ticked)


def _blood_pressure(obs: Observation) -> list[str]:
    if obs.systolic_bp is not None and obs.diastolic_bp is not None:
        return [f"BP {obs.systolic_bp}/{obs.diastolic_bp}"]
    if obs.systolic_bp is not None:
        return [f"BP {obs.systolic_bp} systolic"]
    if obs.diastolic_bp is not None:
        return [f"BP {obs.diastolic_bp} diastolic"]
    return []
