"""ketamine_desktop: a bedside tool for safe IV ketamine for pain."""

# A constant, not importlib.metadata: reading the metadata cost about 22 ms of every start-up.
# tests/test_version.py keeps it equal to the version in pyproject.toml.
__version__ = "0.1.0"
