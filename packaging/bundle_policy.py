"""What the PyInstaller bundle keeps and what it leaves out, as plain functions `build.spec` applies.

The default PyInstaller build of a PySide6 program carries every Qt plugin its hooks think might be
wanted (TLS, network information, EGL device integrations, VNC and framebuffer platforms, GTK themes,
nine image formats), the Qt translations and the shared libraries only those pull in. The app needs far
less: the Qt modules it imports, the platforms it runs on, SVG for its icons. Keeping these rules out of
the spec makes them readable and testable (tests/test_packaging_policy.py).

This file is imported by build.spec with `packaging/` on sys.path; it has no `__init__.py` on purpose, so
`import packaging` still finds the PyPI package that pip and setuptools use.
"""

from __future__ import annotations

import ast
import posixpath
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

# A TOC entry as PyInstaller 6 gives it: (destination in the bundle, source file, typecode).
TocEntry = tuple[str, str, str]

# Qt plugins the app can use, by plugin folder, as file-name stems (suffixes differ: .so, .dll, .dylib).
KEPT_QT_PLUGINS: dict[str, frozenset[str]] = {
    # xcb: X11 and XWayland; wayland: native Wayland sessions; offscreen/minimal: --self-test, CI, tests.
    # (On Windows the platform is "qwindows", on macOS "qcocoa"; they are kept there.)
    "platforms": frozenset(
        {
            "libqxcb",
            "libqwayland",
            "libqoffscreen",
            "libqminimal",
            "qwindows",
            "qcocoa",
            "qoffscreen",
            "qminimal",
        }
    ),
    # Our icons are SVG; PNG, JPEG and BMP readers are built into QtGui and need no plugin.
    "imageformats": frozenset({"libqsvg", "qsvg"}),
    "iconengines": frozenset({"libqsvgicon", "qsvgicon"}),
    # Compose keys and input methods (IBus) for typing into the number fields on any keyboard.
    "platforminputcontexts": frozenset(
        {"libcomposeplatforminputcontextplugin", "libibusplatforminputcontextplugin"}
    ),
    # A native Wayland window needs a shell integration and client-side decorations to be movable.
    "wayland-shell-integration": frozenset({"libxdg-shell"}),
    "wayland-decoration-client": frozenset({"libbradient", "libadwaita"}),
    # The native look on Windows 10/11 and macOS.
    "styles": frozenset({"qmodernwindowsstyle", "qwindowsvistastyle", "libqmacstyle"}),
    # Printing the handover, chart, label and card: without its print-support plugin Qt lists no printer
    # (CUPS on Linux; the system's own on Windows and macOS).
    "printsupport": frozenset({"libcupsprintersupport", "windowsprintersupport", "libcocoaprintersupport"}),
}

# Qt Python modules are kept only if the app imports them (see qt_modules_used); these are always left.
PYSIDE_PACKAGE = "PySide6"

# Modules a bedside app never runs; leaving them out keeps the archive and binaries small.
PYTHON_EXCLUDES: tuple[str, ...] = (
    "tkinter",
    "_tkinter",
    "unittest",
    "pydoc",
    "pydoc_data",
    "doctest",
    "xmlrpc",
    "lib2to3",
    "ensurepip",
    "idlelib",
    "distutils",
    "setuptools",
    "pip",
    "test",
    "curses",
    "pytest",
    "hypothesis",
    "mypy",
    "IPython",
    "numpy",
    # Pulled in when the build venv also has the test tools (rich and its highlighter come with them).
    "rich",
    "pygments",
    "markdown_it",
    "mdurl",
)


def project_version(root: Path) -> str:
    """The version written in pyproject.toml: the one place it is set."""
    with (root / "pyproject.toml").open("rb") as handle:
        version: str = tomllib.load(handle)["project"]["version"]
    return version


def qt_modules_used(package_dir: Path) -> frozenset[str]:
    """The PySide6 modules (e.g. "QtWidgets") that any module of the package imports, lazily or not."""
    used: set[str] = set()
    for path in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: Iterable[str] = ()
            if isinstance(node, ast.Import):
                names = (alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = (node.module,)
            for name in names:
                parts = name.split(".")
                if parts[0] == PYSIDE_PACKAGE and len(parts) > 1:
                    used.add(parts[1])
    return frozenset(used)


def qt_module_excludes(available: Iterable[str], used: Iterable[str]) -> list[str]:
    """Module names for Analysis(excludes=...): every PySide6 module the app does not import."""
    keep = set(used)
    return sorted(f"{PYSIDE_PACKAGE}.{name}" for name in available if name not in keep)


def _qt_relative(dest: str) -> PurePosixPath | None:
    """The path under the Qt data folder (PySide6/Qt/... or PySide6/...), or None for files outside Qt."""
    parts = PurePosixPath(_posix(dest)).parts
    if not parts or parts[0] != PYSIDE_PACKAGE:
        return None
    rest = parts[2:] if len(parts) > 1 and parts[1] == "Qt" else parts[1:]
    return PurePosixPath(*rest) if rest else None


def _stem(file_name: str) -> str:
    return file_name.split(".", 1)[0]


def keep_data_file(dest: str) -> bool:
    """False for data that must not ship: an editable install's direct_url.json names the build machine's
    folder; Qt translations and unused plugins as in keep_qt_file."""
    if PurePosixPath(_posix(dest)).name == "direct_url.json":
        return False
    return keep_qt_file(dest)


def keep_qt_file(dest: str) -> bool:
    """False for Qt translations and for plugins the app cannot use; True for everything else."""
    relative = _qt_relative(dest)
    if relative is None or len(relative.parts) < 2:
        return True
    top = relative.parts[0]
    if top == "translations":
        # The app's text is English and its own; Qt's translations only translate Qt's stock dialogs.
        return False
    if top == "plugins" and len(relative.parts) >= 3:
        folder, file_name = relative.parts[1], relative.parts[-1]
        return _stem(file_name) in KEPT_QT_PLUGINS.get(folder, frozenset())
    return True


def is_dependency_root(entry: TocEntry) -> bool:
    """Binaries kept for their own sake: Python extensions, kept Qt plugins and the Python library itself."""
    dest, _source, typecode = entry
    name = PurePosixPath(_posix(dest)).name
    relative = _qt_relative(dest)
    is_plugin = relative is not None and len(relative.parts) >= 3 and relative.parts[0] == "plugins"
    return typecode == "EXTENSION" or is_plugin or name.lower().startswith(("libpython", "python3"))


def symlink_target(entry: TocEntry) -> str:
    """The bundle path a SYMLINK entry points at (its source is the link text, relative to its folder)."""
    dest, link, _typecode = entry
    return posixpath.normpath(posixpath.join(posixpath.dirname(_posix(dest)), _posix(link)))


def _posix(path: str) -> str:
    return path.replace("\\", "/")


def prune_binaries(
    binaries: list[TocEntry], imports_of: Callable[[str], Iterable[str]]
) -> tuple[list[TocEntry], list[TocEntry]]:
    """Keep the roots and every bundled library they need, directly or not; return (kept, dropped).

    `imports_of(source_path)` names the libraries a binary links to (file names; PyInstaller's
    `bindepend.get_imports`). A library no kept binary needs was only collected for a plugin or module that
    was left out, so it goes too, and so do the top-level symbolic links PyInstaller made to it.
    """
    files = [entry for entry in binaries if entry[2] != "SYMLINK"]
    by_name: dict[str, TocEntry] = {}
    for entry in files:
        by_name.setdefault(PurePosixPath(_posix(entry[0])).name.lower(), entry)
    kept: set[str] = set()
    pending = [entry for entry in files if is_dependency_root(entry)]
    while pending:
        entry = pending.pop()
        if entry[0] in kept:
            continue
        kept.add(entry[0])
        for imported in imports_of(entry[1]):
            needed = by_name.get(PurePosixPath(_posix(imported)).name.lower())
            if needed is not None and needed[0] not in kept:
                pending.append(needed)
    kept_posix = {_posix(dest) for dest in kept}
    keep = [
        entry
        for entry in binaries
        if entry[0] in kept or (entry[2] == "SYMLINK" and symlink_target(entry) in kept_posix)
    ]
    kept_dests = {entry[0] for entry in keep}
    return keep, [entry for entry in binaries if entry[0] not in kept_dests]


def drop_dangling_symlinks(entries: list[TocEntry], present: Iterable[str]) -> list[TocEntry]:
    """Entries minus SYMLINK entries whose target is not in the bundle (`present`: all kept destinations)."""
    targets = {_posix(dest) for dest in present}
    return [entry for entry in entries if entry[2] != "SYMLINK" or symlink_target(entry) in targets]
