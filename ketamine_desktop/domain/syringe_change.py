"""A new syringe or bag of another concentration: the same dose, a new pump rate.

The dose running (the session's current request: weight, dose, cap) is kept; only the concentration
changes, so the regimen is computed again through `compute_regimen` (the same rounding to the pump's
resolution, the same concentration findings: non-standard is soft, an undiluted vial or a strength outside
the custom range is hard; a rate that rounds to nothing is hard, one stepped down under a limit is said).
The nurse must then set the pump to `after.rate_ml_per_h` and confirm it.
"""

from __future__ import annotations

from decimal import Decimal

from ketamine_desktop.domain.library import Library
from ketamine_desktop.domain.limits import Finding, sort_findings
from ketamine_desktop.domain.model import FrozenModel
from ketamine_desktop.domain.regimen import InfusionResult, RegimenRequest, compute_regimen

__all__ = ["ConcentrationChange", "concentration_change"]

# What rounding the new rate to the pump can say: it rounds to nothing (hard), or it was stepped down so as
# not to exceed the hard maximum or the cap (info). The dose findings were settled when the dose was set.
_RATE_FINDINGS = frozenset({"below-pump-resolution", "rounded-down"})


class ConcentrationChange(FrozenModel):
    """The infusion before and after the change, and the new syringe's concentration findings."""

    before: InfusionResult
    after: InfusionResult
    findings: tuple[Finding, ...]

    @property
    def rate_changed(self) -> bool:
        return self.after.rate_ml_per_h != self.before.rate_ml_per_h


def concentration_change(
    library: Library, request: RegimenRequest, current: InfusionResult, concentration_mg_per_ml: Decimal
) -> ConcentrationChange:
    """The running dose at `concentration_mg_per_ml`; raises InvalidInput for a concentration that cannot
    be computed with (zero, negative, not finite; or a protocol without an infusion) and ValueError when it
    is the concentration running."""
    if concentration_mg_per_ml == current.concentration_mg_per_ml:
        raise ValueError("the new syringe has the concentration running now")
    changed = request.model_copy(update={"infusion_concentration_mg_per_ml": concentration_mg_per_ml})
    regimen = compute_regimen(library, changed)
    after = regimen.infusion
    assert after is not None  # compute_regimen refuses an infusion option for a protocol without one
    findings = [
        f
        for f in regimen.findings
        if f.target == "infusion_concentration" or (f.target == "infusion" and f.code in _RATE_FINDINGS)
    ]
    return ConcentrationChange(before=current, after=after, findings=sort_findings(findings))
