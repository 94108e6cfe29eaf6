"""One command from a fresh clone to the installers: `python3 packaging/build.py`.

1. makes (or reuses) the project's virtual environment `.venv` and installs the project with its `build`
   extra into it (PyInstaller); `--no-install` skips this when the venv is known to be current;
2. runs PyInstaller on build.spec: dist/ketamine-desktop/ (the one-folder bundle);
3. runs the bundle's `--self-test` (offscreen) so a broken bundle is never packed;
4. packs dist/ketamine-desktop-<version>-linux-<arch>.tar.gz and dist/ketamine-desktop_<version>_<arch>.deb.

Needs python3 (3.11+) with venv, binutils (objdump, for PyInstaller) and dpkg-deb (every Debian or Ubuntu).
Standard library only: it runs before the venv exists.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))

import bundle_policy  # noqa: E402
import deb  # noqa: E402

NAME = "ketamine-desktop"
SUMMARY = "bedside tool for safe IV ketamine for pain"
DESCRIPTION = """Computes bolus and infusion regimens from a validated drug library, screens
contraindications, lays down and reminds of the monitoring checks, and keeps a durable, hash-chained
record of every observation. A self-contained build: Python, Qt and the library are under
/opt/ketamine-desktop; `ketamine-desktop --self-test` checks the installation."""


def _step(message: str) -> None:
    print(f"== {message}", flush=True)


def _run(command: list[str], **kwargs: object) -> None:
    print("   $ " + " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv(venv: Path, install: bool) -> Path:
    python = venv_python(venv)
    if not python.exists():
        _step(f"creating the virtual environment {venv}")
        _run([sys.executable, "-m", "venv", str(venv)])
        install = True
    if install:
        _step("installing the project with its build extra (PyInstaller)")
        _run([str(python), "-m", "pip", "install", "-q", "-e", ".[build]"])
    return python


def build_bundle(python: Path, clean: bool) -> Path:
    _step("building the one-folder bundle with PyInstaller (build.spec)")
    command = [
        str(python),
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(ROOT / "dist"),
        "--workpath",
        str(ROOT / "build" / "pyinstaller"),
    ]
    _run([*command, *(["--clean"] if clean else []), str(ROOT / "build.spec")])
    return ROOT / "dist" / NAME


def self_test(bundle: Path) -> None:
    _step("frozen self-test (offscreen)")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    _run([str(bundle / NAME), "--self-test"], env=env)


def machine_architecture() -> str:
    return {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine().lower()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--venv", type=Path, default=ROOT / ".venv", help="virtual environment (default .venv)"
    )
    parser.add_argument(
        "--no-install", action="store_true", help="do not (re)install the project into the venv"
    )
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's caches first (slower)")
    parser.add_argument(
        "--no-deb", action="store_true", help="skip the .deb (e.g. where dpkg-deb is missing)"
    )
    args = parser.parse_args(argv)

    started = time.monotonic()
    python = ensure_venv(args.venv, install=not args.no_install)
    bundle = build_bundle(python, clean=args.clean)
    self_test(bundle)

    version = bundle_policy.project_version(ROOT)
    dist = ROOT / "dist"
    _step("packing the .tar.gz")
    tarball = deb.build_tarball(
        bundle, dist / f"{NAME}-{version}-linux-{machine_architecture()}.tar.gz", top=f"{NAME}-{version}"
    )
    outputs = [tarball]
    if not args.no_deb:
        _step("staging and building the .deb")
        info = deb.PackageInfo(
            package=NAME, version=version, executable=NAME, summary=SUMMARY, description=DESCRIPTION
        )
        stage_dir = deb.stage(
            bundle,
            ROOT / "build" / "deb" / NAME,
            info,
            launcher=ROOT / "packaging" / "linux" / NAME,
            desktop=ROOT / "packaging" / "linux" / f"{NAME}.desktop",
            icon_svg=ROOT / "resources" / "icons" / "app.svg",
        )
        outputs.append(deb.build_deb(stage_dir, dist, info))

    _step(f"done in {time.monotonic() - started:.0f} s")
    print(f"   bundle   {bundle.relative_to(ROOT)}/ ({_tree_size(bundle) / 1e6:.1f} MB)")
    for output in outputs:
        size_mb = deb.file_size(output) / 1e6
        kind = "tar.gz" if output.name.endswith(".tar.gz") else output.suffix.lstrip(".")
        print(f"   {kind:8} {output.relative_to(ROOT)} ({size_mb:.1f} MB)")
    return 0


def _tree_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


if __name__ == "__main__":
    sys.exit(main())
