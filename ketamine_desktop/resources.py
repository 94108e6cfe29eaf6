"""Finding the shipped resources (library, sounds, icons, styles) the same way in every layout.

From a source tree or an editable install they sit in `resources/` beside the package; in a PyInstaller
bundle they sit in `resources/` under the bundle's data directory (sys._MEIPASS); in an installed wheel
they are package data under `ketamine_desktop/_resources`. One function decides, so every caller agrees.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_root() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    package_dir = Path(__file__).resolve().parent
    source_tree = package_dir.parent / "resources"
    if source_tree.is_dir():
        return source_tree
    return package_dir / "_resources"


def resource_path(*parts: str) -> Path:
    return resources_root().joinpath(*parts)
