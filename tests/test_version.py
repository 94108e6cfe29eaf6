"""The version the app reports is the version the package is built with."""

from __future__ import annotations

import tomllib
from pathlib import Path

import ketamine_desktop


def test_version_constant_matches_pyproject() -> None:
    with (Path(__file__).resolve().parents[1] / "pyproject.toml").open("rb") as handle:
        assert ketamine_desktop.__version__ == tomllib.load(handle)["project"]["version"]
