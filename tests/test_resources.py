"""One resource lookup for the source tree, a PyInstaller bundle and an installed wheel."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ketamine_desktop import resources
from ketamine_desktop.resources import resource_path, resources_root

ROOT = Path(__file__).resolve().parents[1]


def test_source_tree_layout() -> None:
    assert resources_root() == ROOT / "resources"
    assert resource_path("library", "default.toml").is_file()


def test_frozen_layout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("library", "default.toml") == tmp_path / "resources" / "library" / "default.toml"


def test_installed_wheel_layout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "ketamine_desktop"
    package.mkdir(parents=True)
    monkeypatch.setattr(resources, "__file__", str(package / "resources.py"))
    assert resources_root() == package / "_resources"
