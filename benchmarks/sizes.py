"""Bundle, .deb and .tar.gz sizes of the app against the empty four-tab window built the default way.

    .venv/bin/python benchmarks/sizes.py [--rebuild-baseline]

The app's bundle, .deb and .tar.gz are read from dist/ (python3 packaging/build.py makes them with the
same interpreter). The baseline is benchmarks/baseline_window.py built by benchmarks/baseline_window.spec,
which is what `pyi-makespec` writes (no excludes, no strip), with this interpreter's PyInstaller and
PySide6; its .deb and .tar.gz are packed by the same code as the app's (packaging/deb.py), so the
compression is the same. Sizes are bytes of regular files (symbolic links count as nothing), in MB
(10^6 bytes). Also prints where the app's bundle goes, by part.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "packaging"))

import bundle_policy
import deb
from benchlib import (
    APP_BUNDLE,
    BASELINE_BUNDLE,
    ROOT,
    ensure_baseline_bundle,
    machine,
    mb,
    toolchain,
    tree_size,
)

BASELINE_PACKAGE = "baseline-window"


def baseline_installers() -> tuple[Path, Path]:
    """The baseline's .deb and .tar.gz, packed like the app's."""
    out = ROOT / "build" / "baseline" / "installers"
    info = deb.PackageInfo(
        package=BASELINE_PACKAGE,
        version="1.0",
        executable=BASELINE_PACKAGE,
        summary="empty four-tab window",
        description="The size baseline of ketamine-desktop: an empty PySide6 window with four tabs.",
    )
    stage_dir = deb.stage(
        BASELINE_BUNDLE,
        ROOT / "build" / "baseline" / "deb" / BASELINE_PACKAGE,
        info,
        launcher=ROOT / "packaging" / "linux" / "ketamine-desktop",
        desktop=None,
        icon_svg=None,
    )
    package = deb.build_deb(stage_dir, out, info)
    tarball = deb.build_tarball(BASELINE_BUNDLE, out / f"{BASELINE_PACKAGE}.tar.gz", top=BASELINE_PACKAGE)
    return package, tarball


def app_installers() -> tuple[Path, Path]:
    version = bundle_policy.project_version(ROOT)
    debs = sorted((ROOT / "dist").glob(f"ketamine-desktop_{deb.debian_version(version)}_*.deb"))
    tarballs = sorted((ROOT / "dist").glob(f"ketamine-desktop-{version}-linux-*.tar.gz"))
    if not debs or not tarballs:
        raise SystemExit("dist/ has no .deb or .tar.gz of this version: run python3 packaging/build.py first")
    return debs[-1], tarballs[-1]


def breakdown(bundle: Path) -> dict[str, int]:
    parts: dict[str, int] = defaultdict(int)
    for path in bundle.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        relative = path.relative_to(bundle).as_posix()
        name = path.name
        if "libicu" in name:
            part = "ICU (needed by QtCore)"
        elif "/plugins/" in relative:
            part = "Qt plugins"
        elif name.startswith(("libQt6", "Qt", "libpyside6")) or "shiboken6" in relative:
            part = "Qt libraries and bindings"
        elif name.startswith("libpython") or "/python3." in relative or name == "base_library.zip":
            part = "Python runtime and stdlib"
        elif relative.startswith("_internal/resources/"):
            part = "resources/ (library, icons, styles)"
        elif "pydantic" in relative:
            part = "pydantic + pydantic_core"
        elif "/translations/" in relative:
            part = "Qt translations"
        elif name.endswith((".so", ".so.0", ".so.1", ".so.2", ".so.3", ".so.6")) or ".so." in name:
            part = "other shared libraries (X11, glib, fontconfig, OpenSSL, SQLite...)"
        elif path.parent == bundle:
            part = "executable (bootloader + Python archive)"
        else:
            part = "other"
        parts[part] += path.stat().st_size
    return dict(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild-baseline", action="store_true")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    print(f"toolchain: {toolchain()}")
    if not APP_BUNDLE.exists():
        raise SystemExit(f"{APP_BUNDLE} is missing: run python3 packaging/build.py first")
    ensure_baseline_bundle(rebuild=args.rebuild_baseline)
    app_deb, app_tar = app_installers()
    base_deb, base_tar = baseline_installers()
    (app_bytes, app_files), (base_bytes, base_files) = tree_size(APP_BUNDLE), tree_size(BASELINE_BUNDLE)
    rows = [
        ("bundle (one folder)", app_bytes, base_bytes, f"{app_files} vs {base_files} files"),
        (".deb (xz)", deb.file_size(app_deb), deb.file_size(base_deb), ""),
        (".tar.gz", deb.file_size(app_tar), deb.file_size(base_tar), ""),
    ]
    for label, app, base, note in rows:
        print(f"{label:20} app {mb(app):>9}  empty window {mb(base):>9}  ratio {app / base:5.2f}x  {note}")
    print("\nwhere the app's bundle goes:")
    for part, size in sorted(breakdown(APP_BUNDLE).items(), key=lambda item: -item[1]):
        print(f"  {mb(size):>9}  {part}")
    print("\nwhere the empty window's bundle goes:")
    for part, size in sorted(breakdown(BASELINE_BUNDLE).items(), key=lambda item: -item[1]):
        print(f"  {mb(size):>9}  {part}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
