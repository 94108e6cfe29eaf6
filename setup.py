"""Build hook: the wheel ships `resources/` as package data under `ketamine_desktop/_resources`.

`ketamine_desktop.resources.resources_root()` looks there in an installed wheel (the source tree and an
editable install read `resources/` beside the package; a PyInstaller bundle reads `resources/` under
sys._MEIPASS). Setuptools cannot map a folder outside the package into it from pyproject.toml while also
finding packages automatically, so the package list lives here: every folder of `resources/` becomes a
data-only package under `ketamine_desktop._resources`, which also puts the files in the sdist.
"""

from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).resolve().parent
SOURCE_RESOURCES = "resources"
WHEEL_RESOURCES = "ketamine_desktop._resources"


def resource_packages() -> dict[str, list[str]]:
    """`_resources` and each of its sub-folders, each shipping every file it holds."""
    packages = {WHEEL_RESOURCES: ["*"]}
    for folder in sorted((ROOT / SOURCE_RESOURCES).rglob("*")):
        if folder.is_dir() and folder.name != "__pycache__":
            name = ".".join((WHEEL_RESOURCES, *folder.relative_to(ROOT / SOURCE_RESOURCES).parts))
            packages[name] = ["*"]
    return packages


RESOURCE_PACKAGES = resource_packages()

setup(
    packages=[*find_packages(include=["ketamine_desktop", "ketamine_desktop.*"]), *RESOURCE_PACKAGES],
    package_dir={WHEEL_RESOURCES: SOURCE_RESOURCES},
    package_data={"ketamine_desktop": ["py.typed"], **RESOURCE_PACKAGES},
)
