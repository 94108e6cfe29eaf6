"""Everyday and long runs of one test: a property test, a fuzz or a trial loop is written once.

The everyday run (`pytest`) uses each test's everyday count; the long run (`pytest -m slow`, the CI's
slow job, or any run with HYPOTHESIS_PROFILE=long) uses its long count under the `long` Hypothesis profile.
A test marked `@pytest.mark.long_run` is also selected by `-m slow`, so one test serves both runs:

    @pytest.mark.long_run
    @examples(300, long=10_000)
    @given(requests())
    def test_arithmetic(request: RegimenRequest) -> None: ...

Which run it is is decided once, before any test module is imported (tests/conftest.py calls `choose`).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

LONG_PROFILE = "long"

settings.register_profile("default", deadline=None)
settings.register_profile(
    LONG_PROFILE, max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

_long = False


def choose(config: pytest.Config) -> None:
    """The long run when the marker expression selects `slow` or HYPOTHESIS_PROFILE says `long`."""
    global _long
    markexpr = (config.getoption("markexpr", "") or "").replace("not slow", "")
    default = LONG_PROFILE if "slow" in markexpr else "default"
    profile = os.environ.get("HYPOTHESIS_PROFILE", default)
    settings.load_profile(profile)
    _long = profile == LONG_PROFILE


def long_run() -> bool:
    return _long


def count(everyday: int, *, long: int) -> int:
    """How many examples, trials or steps this run makes."""
    return long if _long else everyday


def examples(everyday: int, *, long: int, **more: object) -> settings:
    """Hypothesis settings with this run's number of examples (no deadline, slow examples allowed)."""
    return settings(
        max_examples=count(everyday, long=long),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        **more,  # type: ignore[arg-type]
    )


def select_long_runs(items: list[pytest.Item]) -> None:
    """In the long run, tests marked `long_run` count as `slow` (so `-m slow` selects them)."""
    if _long:
        for item in items:
            if item.get_closest_marker("long_run") is not None:
                item.add_marker(pytest.mark.slow)
