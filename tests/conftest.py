"""The harness of the whole suite. Everything here happens before any test imports Qt.

- Headless Qt (the offscreen platform), no accessibility bridge.
- One pinned locale, whatever the machine's: `C.UTF-8` ("." as the decimal mark). A test about another
  locale sets `QLocale.setDefault` itself and puts the old one back.
- `QStandardPaths` test mode: nothing a test does reaches the user's real settings or data folders.
- Everyday and long runs (tests/helpers/runs.py): a property test or fuzz is written once, with an
  everyday and a long count; `pytest -m slow` (or HYPOTHESIS_PROFILE=long) is the long run, under the
  `long` Hypothesis profile, and also selects the tests marked `long_run`.
- Leak checks (tests/helpers/leaks.py): a test that leaves a visible window or dialog, or a running QTimer,
  behind fails in its teardown.
- The shared fixtures (tests/helpers/fixtures.py): `library`, `data_dir`, `record_store`.
"""

from __future__ import annotations

import os

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_ACCESSIBILITY", "0")
for _name in list(os.environ):
    if _name.startswith("LC_") or _name == "LANGUAGE":
        del os.environ[_name]
os.environ["LC_ALL"] = "C.UTF-8"
os.environ["LANG"] = "C.UTF-8"

from PySide6.QtCore import QStandardPaths  # noqa: E402

from tests.helpers import runs  # noqa: E402

QStandardPaths.setTestModeEnabled(True)

pytest_plugins = ["pytester", "tests.helpers.fixtures", "tests.helpers.leaks"]


def pytest_configure(config: pytest.Config) -> None:
    runs.choose(config)


@pytest.hookimpl(tryfirst=True)  # before the -m selection
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    runs.select_long_runs(items)
