"""ketamine_desktop: a bedside tool for safe IV ketamine for pain."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ketamine-desktop")
except PackageNotFoundError:  # running from a source tree or a frozen bundle without metadata
    __version__ = "0.1.0"
