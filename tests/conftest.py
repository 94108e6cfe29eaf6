"""Test harness: headless Qt before anything imports PySide6."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_ACCESSIBILITY", "0")

# Record-store fixtures (data_dir, records) shared by the state and monitoring-GUI tests.
pytest_plugins = ["tests.record_fixtures"]
