"""What the bundle keeps and leaves out (packaging/bundle_policy.py), the icon file, and the .deb and .tar.gz
made from a bundle (packaging/deb.py), checked on small made-up bundles: no PyInstaller run needed."""

from __future__ import annotations

import importlib.util
import itertools
import shutil
import struct
import subprocess
import sys
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str) -> ModuleType:
    # By path, under a private name: packaging/ is not a package (that would shadow PyPI's `packaging`).
    spec = importlib.util.spec_from_file_location(
        f"_ketamine_packaging_{name}", ROOT / "packaging" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


policy = _load("bundle_policy")
deb = _load("deb")
icons = _load("icons")


# --- Qt files ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforms/libqminimal.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
        "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
        "PySide6/plugins/platforms/qwindows.dll",  # Windows wheels have no Qt/ level
        "PySide6/plugins/styles/qmodernwindowsstyle.dll",
        "PySide6/Qt/lib/libQt6Core.so.6",
        "PySide6/QtWidgets.abi3.so",
        "resources/library/default.toml",
        "libpython3.11.so.1.0",
    ],
)
def test_kept_files(dest: str) -> None:
    assert policy.keep_qt_file(dest)
    assert policy.keep_data_file(dest)


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/translations/qt_fr.qm",
        "PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "PySide6/Qt/plugins/networkinformation/libqnetworkmanager.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/platforms/libqlinuxfb.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/egldeviceintegrations/libqeglfs-x11-integration.so",
        "PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so",
        "PySide6/Qt/plugins/generic/libqevdevmouseplugin.so",
        "PySide6/plugins/platforms/qdirect2d.dll",
    ],
)
def test_left_out_files(dest: str) -> None:
    assert not policy.keep_qt_file(dest)


def test_the_build_folder_of_an_editable_install_is_not_shipped() -> None:
    assert not policy.keep_data_file("ketamine_desktop-0.1.0.dist-info/direct_url.json")
    assert policy.keep_data_file("ketamine_desktop-0.1.0.dist-info/METADATA")


def test_qt_modules_used_reads_every_import_form(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("from PySide6.QtWidgets import QWidget\nimport PySide6.QtCore\n")
    (package / "sub" / "b.py").write_text("def f():\n    from PySide6 import QtGui\n    import os\n")
    (package / "sub" / "c.py").write_text("from PySide6.QtSvg import QSvgRenderer as R\n")
    # `from PySide6 import QtGui` names the package only: QtGui itself is found by the QtWidgets import
    # chain in a real app; here it is simply not counted.
    assert policy.qt_modules_used(package) == {"QtWidgets", "QtCore", "QtSvg"}


def test_the_app_uses_only_the_essential_modules() -> None:
    used = policy.qt_modules_used(ROOT / "ketamine_desktop")
    assert {"QtCore", "QtGui", "QtWidgets"} <= used
    assert not used & {"QtNetwork", "QtQml", "QtQuick", "QtWebEngineCore"}


def test_module_excludes_are_everything_not_used() -> None:
    excludes = policy.qt_module_excludes(["QtCore", "QtGui", "QtNetwork", "QtQml"], {"QtCore", "QtGui"})
    assert excludes == ["PySide6.QtNetwork", "PySide6.QtQml"]


def test_project_version_comes_from_pyproject() -> None:
    import tomllib

    with (ROOT / "pyproject.toml").open("rb") as handle:
        assert policy.project_version(ROOT) == tomllib.load(handle)["project"]["version"]


# --- dependency pruning -----------------------------------------------------------------------------------


def test_prune_keeps_what_the_roots_need_and_drops_the_rest() -> None:
    binaries = [
        ("python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so", "/src/_ssl.so", "EXTENSION"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", "/src/libQt6XcbQpa.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/src/libQt6Core.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Network.so.6", "/src/libQt6Network.so.6", "BINARY"),
        ("libssl.so.3", "/src/libssl.so.3", "BINARY"),
        ("libcrypto.so.3", "/src/libcrypto.so.3", "BINARY"),
        ("libkrb5.so.3", "/src/libkrb5.so.3", "BINARY"),
        ("libpython3.11.so.1.0", "/src/libpython3.11.so.1.0", "BINARY"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
    ]
    imports = {
        "/src/_ssl.so": ["libssl.so.3", "libcrypto.so.3", "libc.so.6"],
        "/src/libqxcb.so": ["libQt6XcbQpa.so.6"],
        "/src/libQt6XcbQpa.so.6": ["libQt6Core.so.6"],
        "/src/libQt6Network.so.6": ["libkrb5.so.3", "libQt6Core.so.6"],
        "/src/libssl.so.3": ["libcrypto.so.3"],
    }
    kept, dropped = policy.prune_binaries(binaries, lambda source: imports.get(source, []))
    assert {dest for dest, _, _ in dropped} == {
        "PySide6/Qt/lib/libQt6Network.so.6",
        "libkrb5.so.3",
        "libQt6Network.so.6",  # its top-level symlink goes with it
    }
    assert [entry for entry in binaries if entry not in dropped] == kept
    assert ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK") in kept


def test_dangling_data_symlinks_are_dropped() -> None:
    entries = [
        ("a/file.txt", "/src/file.txt", "DATA"),
        ("link-ok", "a/file.txt", "SYMLINK"),
        ("b/link-gone", "../gone.so", "SYMLINK"),
    ]
    kept = policy.drop_dangling_symlinks(entries, ["a/file.txt", "link-ok", "b/link-gone"])
    assert kept == entries[:2]


# --- the icon ---------------------------------------------------------------------------------------------


def test_ico_bytes_is_a_valid_icon_directory() -> None:
    pngs = {16: b"\x89PNG-small", 256: b"\x89PNG-large-image"}
    data = icons.ico_bytes(pngs)
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind, count) == (0, 1, 2)
    entries = [struct.unpack_from("<BBBBHHII", data, 6 + 16 * index) for index in range(count)]
    assert [(width, height) for width, height, *_ in entries] == [(16, 16), (0, 0)]  # 0 means 256
    for (*_, size, offset), png in zip(entries, (pngs[16], pngs[256]), strict=True):
        assert data[offset : offset + size] == png


def test_the_app_icon_renders_to_an_ico(tmp_path: Path) -> None:
    ico = icons.build_icon_files(ROOT / "resources" / "icons" / "app.svg", tmp_path, "app")
    assert ico is not None and ico.read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert (tmp_path / "app-256.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert icons.build_icon_files(tmp_path / "missing.svg", tmp_path, "x") is None


# --- the .deb and the .tar.gz -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pep440", "debian"),
    [
        ("0.1.0", "0.1.0"),
        ("1.2.0rc1", "1.2.0~rc1"),
        ("1.2.0.dev3", "1.2.0~~dev3"),
        ("2.0b2", "2.0~b2"),
        ("1.0.post1", "1.0+post1"),
    ],
)
def test_debian_version(pep440: str, debian: str) -> None:
    assert deb.debian_version(pep440) == debian


def test_debian_versions_sort_like_pep440() -> None:
    if shutil.which("dpkg") is None:
        pytest.skip("dpkg is not installed")
    ordered = ["1.0.dev1", "1.0a1", "1.0a2", "1.0b1", "1.0rc1", "1.0", "1.0.post1", "1.1.dev0", "1.1"]
    versions = [deb.debian_version(version) for version in ordered]
    for lower, higher in itertools.pairwise(versions):
        assert (
            subprocess.run(["dpkg", "--compare-versions", lower, "lt", higher], check=False).returncode == 0
        )


def test_unknown_versions_are_refused() -> None:
    with pytest.raises(ValueError, match="Debian version"):
        deb.debian_version("one point oh")


def test_depends_map_unshipped_libraries_and_version_libc(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    for name in ("app", "_internal/libQt6Gui.so.6", "_internal/libfoo.so.1"):
        (bundle / name).write_bytes(b"\x7fELF....")
    needs = {
        "app": {"libc.so.6", "libdl.so.2"},
        "libQt6Gui.so.6": {"libGL.so.1", "libfoo.so.1", "libxcb-icccm.so.4"},
        "libfoo.so.1": {"libm.so.6"},
    }
    monkeypatch.setattr(deb, "needed_libraries", lambda binary: needs[binary.name])
    monkeypatch.setattr(deb, "newest_glibc", lambda binaries: (2, 36))
    assert deb.system_dependencies(bundle) == [
        "libc6 (>= 2.36)",
        "libgl1",
        "libxcb-icccm4",
        "fontconfig-config",
    ]
    needs["libfoo.so.1"] = {"libunheard-of.so.9"}
    with pytest.raises(SystemExit, match=r"libunheard-of\.so\.9"):
        deb.system_dependencies(bundle)


def _fake_bundle(tmp_path: Path) -> Path:
    bundle = tmp_path / "ketamine-desktop"
    (bundle / "_internal" / "resources" / "library").mkdir(parents=True)
    executable = bundle / "ketamine-desktop"
    executable.write_text("#!/bin/sh\necho fake\n")
    executable.chmod(0o700)
    data = bundle / "_internal" / "resources" / "library" / "default.toml"
    data.write_text("# library\n")
    data.chmod(0o600)
    (bundle / "_internal" / "link.toml").symlink_to("resources/library/default.toml")
    return bundle


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is not installed")
def test_deb_layout_fields_and_modes(tmp_path: Path) -> None:
    bundle = _fake_bundle(tmp_path)
    info = deb.PackageInfo(
        package="ketamine-desktop",
        version="0.1.0rc1",
        executable="ketamine-desktop",
        summary="bedside tool",
        description="First paragraph, long enough.\n\nSecond one.",
    )
    stage_dir = deb.stage(
        bundle,
        tmp_path / "stage",
        info,
        launcher=ROOT / "packaging" / "linux" / "ketamine-desktop",
        desktop=ROOT / "packaging" / "linux" / "ketamine-desktop.desktop",
        icon_svg=ROOT / "resources" / "icons" / "app.svg",
    )
    package = deb.build_deb(stage_dir, tmp_path / "out", info)
    assert package.name == f"ketamine-desktop_0.1.0~rc1_{deb.debian_architecture()}.deb"

    listing = subprocess.run(
        ["dpkg-deb", "-c", str(package)], capture_output=True, text=True, check=True
    ).stdout
    entries = {
        line.split()[-1] if "->" not in line else line.split()[-3]: line.split()[:2]
        for line in listing.splitlines()
    }
    expected = {
        "./opt/ketamine-desktop/ketamine-desktop": "-rwxr-xr-x",
        "./opt/ketamine-desktop/_internal/resources/library/default.toml": "-rw-r--r--",
        "./usr/bin/ketamine-desktop": "-rwxr-xr-x",
        "./usr/share/applications/ketamine-desktop.desktop": "-rw-r--r--",
        "./usr/share/icons/hicolor/scalable/apps/ketamine-desktop.svg": "-rw-r--r--",
        "./usr/share/doc/ketamine-desktop/copyright": "-rw-r--r--",
    }
    for path, mode in expected.items():
        assert entries[path] == [mode, "root/root"], path
    assert entries["./opt/ketamine-desktop/_internal/link.toml"][0].startswith("l")

    def field(name: str) -> str:
        return subprocess.run(
            ["dpkg-deb", "-f", str(package), name], capture_output=True, text=True, check=True
        ).stdout.strip()

    assert field("Package") == "ketamine-desktop"
    assert field("Version") == "0.1.0~rc1"
    assert field("Depends") == "libc6, fontconfig-config"  # a shell script links to nothing
    assert field("Description").splitlines()[1:] == [" First paragraph, long enough.", " .", " Second one."]
    md5sums = subprocess.run(
        ["dpkg-deb", "-I", str(package), "md5sums"], capture_output=True, text=True, check=True
    ).stdout
    assert "opt/ketamine-desktop/ketamine-desktop\n" in md5sums


def test_desktop_entry_launches_the_launcher() -> None:
    entry = (ROOT / "packaging" / "linux" / "ketamine-desktop.desktop").read_text(encoding="utf-8")
    lines = dict(line.split("=", 1) for line in entry.splitlines()[1:] if "=" in line)
    assert entry.startswith("[Desktop Entry]\n")
    assert lines["Exec"] == "ketamine-desktop" and lines["Icon"] == "ketamine-desktop"
    assert lines["Type"] == "Application" and lines["Terminal"] == "false"
    launcher = (ROOT / "packaging" / "linux" / "ketamine-desktop").read_text(encoding="utf-8")
    assert launcher.startswith("#!/bin/sh\n")
    assert 'exec /opt/ketamine-desktop/ketamine-desktop "$@"' in launcher


def test_tarball_has_one_root_owned_top_folder(tmp_path: Path) -> None:
    bundle = _fake_bundle(tmp_path)
    tarball = deb.build_tarball(bundle, tmp_path / "out" / "k.tar.gz", top="ketamine-desktop-0.1.0")
    with tarfile.open(tarball) as tar:
        members = tar.getmembers()
    names = [member.name for member in members]
    assert names[0] == "ketamine-desktop-0.1.0"
    assert all(name.split("/")[0] == "ketamine-desktop-0.1.0" for name in names)
    assert "ketamine-desktop-0.1.0/_internal/resources/library/default.toml" in names
    assert all(member.uid == 0 and member.uname == "root" for member in members)
    link = next(member for member in members if member.name.endswith("link.toml"))
    assert link.issym() and link.linkname == "resources/library/default.toml"
    executable = next(
        member for member in members if member.name == "ketamine-desktop-0.1.0/ketamine-desktop"
    )
    assert executable.mode & 0o100


def test_printing_keeps_its_print_support_plugin() -> None:
    # The Handover tab prints; with the plugin pruned, the print dialog would list no printer.
    assert "QtPrintSupport" in policy.qt_modules_used(ROOT / "ketamine_desktop")
    assert policy.keep_qt_file("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so")
