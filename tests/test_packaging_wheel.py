"""The wheel ships resources/ as ketamine_desktop/_resources, and an installed copy finds them.

One wheel is built (pip, PEP 517, from a copy of the source files so the work tree gets no build/ or
egg-info) and installed the way an installer lays a pure wheel out: unpacked into a site folder. A fresh
interpreter that sees only that copy (not the source tree, not the editable install) then resolves its
resources, loads the default library from them, and runs a headless command.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE_FILES = ("pyproject.toml", "setup.py", "README.md")
SOURCE_FOLDERS = ("ketamine_desktop", "resources")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCE_FILES:
        shutil.copy2(ROOT / name, source / name)
    for name in SOURCE_FOLDERS:
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = out.glob("ketamine_desktop-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site-packages")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def _resource_files(folder: Path) -> set[str]:
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_the_wheel_holds_every_resource_file(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    prefix = "ketamine_desktop/_resources/"
    shipped = {name.removeprefix(prefix) for name in names if name.startswith(prefix)}
    assert shipped == _resource_files(ROOT / "resources")
    assert {
        "library/default.toml",
        "library/default.toml.sig",
        "keys/ketamine-desktop-project.pub",
        "icons/app.svg",
    } <= shipped
    assert "ketamine_desktop/py.typed" in names
    assert not any(name.startswith("resources/") for name in names), "resources must live inside the package"


@pytest.fixture
def only_the_installed_copy(installed: Path, tmp_path: Path) -> Iterator[dict[str, str]]:
    # -S below skips site-packages' .pth files (the editable install's finder); the venv's site-packages
    # comes after the installed copy on the path, for pydantic, PySide6 and platformdirs only.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join([str(installed), sysconfig.get_paths()["purelib"]])
    env["HOME"] = str(tmp_path)
    yield env


def _python(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-S", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_installed_copy_finds_its_resources(
    installed: Path, only_the_installed_copy: dict[str, str], tmp_path: Path
) -> None:
    code = (
        "import json, ketamine_desktop, ketamine_desktop.resources as r; "
        "print(json.dumps([ketamine_desktop.__file__, str(r.resources_root()), "
        "str(r.resource_path('library', 'default.toml'))]))"
    )
    done = _python(only_the_installed_copy, tmp_path, "-c", code)
    assert done.returncode == 0, done.stderr
    package_file, root, library = (Path(value) for value in json.loads(done.stdout))
    assert package_file.is_relative_to(installed), "the source tree was imported, not the installed copy"
    assert root == installed / "ketamine_desktop" / "_resources"
    assert library.is_file()


def test_an_installed_copy_loads_the_approved_library(
    installed: Path, only_the_installed_copy: dict[str, str], tmp_path: Path
) -> None:
    done = _python(only_the_installed_copy, tmp_path, "-m", "ketamine_desktop", "library", "--json")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    signature = (ROOT / "resources" / "library" / "default.toml.sig").read_text(encoding="utf-8")
    approved = signature.split("sha256: ", 1)[1].split()[0]  # the SHA-256 the project key signed
    assert approved in json.dumps(listed)
