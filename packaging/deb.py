"""The Linux installers made from a PyInstaller one-folder bundle: a .deb (dpkg-deb) and a .tar.gz.

The .deb puts the bundle under /opt/<package>, a launcher on the PATH (/usr/bin/<package>), a desktop
entry and the SVG icon under hicolor/scalable/apps. Every file is owned by dpkg (no maintainer scripts; the
icon cache and menu are refreshed by the file triggers of hicolor-icon-theme and desktop-file-utils), so
`apt remove` leaves nothing behind. Its Depends are computed from the bundle: every shared library a
bundled binary links to but the bundle does not ship, mapped to the Debian package that provides it, and
libc6 at least as new as the newest GLIBC symbol version any binary needs.

Used by packaging/build.py for the app and by benchmarks/sizes.py for the empty-window baseline, so both
are packed the same way.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import stat
import subprocess
import tarfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

# Debian 12 (and Ubuntu 22.04/24.04) package names of the libraries a Qt 6 bundle takes from the system.
# PyInstaller never bundles the C library, the GL/EGL dispatch libraries or libxcb itself; the rest is
# whatever the build machine did not have installed, so it could not be bundled.
SONAME_PACKAGES: dict[str, str] = {
    "libc.so.6": "libc6",
    "libm.so.6": "libc6",
    "libdl.so.2": "libc6",
    "libpthread.so.0": "libc6",
    "librt.so.1": "libc6",
    "libresolv.so.2": "libc6",
    "libutil.so.1": "libc6",
    "ld-linux-x86-64.so.2": "libc6",
    "ld-linux-aarch64.so.1": "libc6",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libOpenGL.so.0": "libopengl0",
    "libGLX.so.0": "libglx0",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libz.so.1": "zlib1g",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
    "libdrm.so.2": "libdrm2",
    # Only for a default build's GTK platform theme plugin (the baseline); the app's bundle leaves it out.
    "libgtk-3.so.0": "libgtk-3-0",
    "libgdk-3.so.0": "libgtk-3-0",
}
# Needed but named by no binary: the bundled libfontconfig reads the system's /etc/fonts, and
# fontconfig-config brings that and at least one font (it depends on fonts-dejavu-core or an alternative).
ALWAYS_DEPENDS: tuple[str, ...] = ("fontconfig-config",)

_GLIBC = re.compile(r"\bGLIBC_(\d+)\.(\d+)\b")


@dataclass(frozen=True)
class PackageInfo:
    """What the control file and the desktop integration say about one package."""

    package: str  # also the /opt folder, the launcher and the icon name
    version: str  # PEP 440, as in pyproject.toml
    executable: str  # the bundle's executable, relative to the bundle folder
    summary: str
    description: str
    maintainer: str = "ketamine-desktop maintainers <maintainers@ketamine-desktop.invalid>"
    section: str = "science"
    homepage: str | None = None


def debian_version(version: str) -> str:
    """PEP 440 to a Debian version that sorts the same way: pre-releases sort before the release ("~"),
    development releases before those ("~~"), post-releases after it ("+")."""
    text = version.lower().replace("-", ".").replace("_", ".")
    spelled = {"alpha": "a", "beta": "b", "c": "rc", "pre": "rc", "preview": "rc"}

    def pre_release(match: re.Match[str]) -> str:
        return f"~{spelled.get(match.group(1), match.group(1))}{match.group(2) or '0'}"

    text = re.sub(r"\.?(alpha|beta|preview|pre|rc|a|b|c)(\d*)", pre_release, text)
    text = re.sub(r"\.?dev(\d*)", lambda match: f"~~dev{match.group(1) or '0'}", text)
    text = re.sub(r"\.?post(\d*)", lambda match: f"+post{match.group(1) or '0'}", text)
    if not re.fullmatch(r"[0-9][a-z0-9.+~]*", text):
        raise ValueError(f"cannot express version {version!r} as a Debian version")
    return text


def debian_architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


def elf_files(folder: Path) -> list[Path]:
    """Every regular (not symlinked) ELF file under the folder."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def _objdump_private_headers(binary: Path) -> str:
    # objdump is in binutils, which PyInstaller needs on Linux anyway.
    return subprocess.run(["objdump", "-p", str(binary)], capture_output=True, text=True, check=True).stdout


def needed_libraries(binary: Path) -> set[str]:
    """The DT_NEEDED entries of one ELF file."""
    lines = _objdump_private_headers(binary).splitlines()
    return {line.split()[1] for line in lines if line.strip().startswith("NEEDED")}


def newest_glibc(binaries: list[Path]) -> tuple[int, int] | None:
    """The newest GLIBC_x.y symbol version any of the binaries requires (its version references)."""
    versions = [
        (int(major), int(minor))
        for binary in binaries
        for major, minor in _GLIBC.findall(_objdump_private_headers(binary))
    ]
    return max(versions, default=None)


def system_dependencies(bundle: Path) -> list[str]:
    """The Depends of a bundle: packages for the libraries it needs but does not ship, libc6 versioned."""
    binaries = elf_files(bundle)
    shipped = {path.name for path in bundle.rglob("*")}
    missing = sorted({name for binary in binaries for name in needed_libraries(binary)} - shipped)
    unknown = [name for name in missing if name not in SONAME_PACKAGES]
    if unknown:
        raise SystemExit(
            "packaging/deb.py: no Debian package known for "
            + ", ".join(unknown)
            + "; add it to SONAME_PACKAGES"
        )
    packages = sorted({SONAME_PACKAGES[name] for name in missing} | {"libc6"})
    glibc = newest_glibc(binaries)
    depends = [
        f"libc6 (>= {glibc[0]}.{glibc[1]})" if package == "libc6" and glibc else package
        for package in packages
    ]
    return [*depends, *ALWAYS_DEPENDS]


def _copy_tree(source: Path, target: Path) -> None:
    shutil.copytree(source, target, symlinks=True)


def _normalise_modes(root: Path) -> None:
    """Folders 0755, executables 0755, everything else 0644, whatever the build machine's umask was."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        if path.is_dir() or mode & stat.S_IXUSR:
            path.chmod(0o755)
        else:
            path.chmod(0o644)


def _installed_size_kib(root: Path) -> int:
    total = 0
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += (path.stat().st_size + 1023) // 1024
        else:
            total += 1
    return total


def _md5sums(root: Path) -> str:
    lines = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.parts[len(root.parts)] != "DEBIAN":
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            lines.append(f"{digest}  {path.relative_to(root).as_posix()}\n")
    return "".join(lines)


def _copyright(info: PackageInfo) -> str:
    return (
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: {info.package}\n\n"
        "Files: *\n"
        "License: Proprietary - clinical review required\n"
        " The bundle also contains Python (PSF License), Qt 6 and PySide6 (LGPL-3.0),\n"
        " pydantic (MIT), platformdirs (MIT) and SQLite (public domain); see\n"
        f" /opt/{info.package}/_internal for the licence files their packages ship.\n"
    )


def stage(
    bundle: Path,
    stage_dir: Path,
    info: PackageInfo,
    *,
    launcher: Path,
    desktop: Path | None,
    icon_svg: Path | None,
) -> Path:
    """Lay out the package tree under stage_dir (replaced if present); returns stage_dir."""
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    opt = stage_dir / "opt" / info.package
    _copy_tree(bundle, opt)
    (stage_dir / "usr" / "bin").mkdir(parents=True)
    shutil.copyfile(launcher, stage_dir / "usr" / "bin" / info.package)
    (stage_dir / "usr" / "bin" / info.package).chmod(0o755)
    if desktop is not None:
        applications = stage_dir / "usr" / "share" / "applications"
        applications.mkdir(parents=True)
        shutil.copyfile(desktop, applications / f"{info.package}.desktop")
    if icon_svg is not None:
        icons = stage_dir / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps"
        icons.mkdir(parents=True)
        shutil.copyfile(icon_svg, icons / f"{info.package}.svg")
    doc = stage_dir / "usr" / "share" / "doc" / info.package
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(_copyright(info), encoding="utf-8")
    _normalise_modes(stage_dir)

    control_dir = stage_dir / "DEBIAN"
    control_dir.mkdir()
    depends = ", ".join(system_dependencies(bundle))
    # Extended description: lines of at most 79 characters, each indented by one space; "." is a blank line.
    paragraphs = [" ".join(part.split()) for part in info.description.split("\n\n")]
    description = "\n .\n".join(
        "\n".join(textwrap.wrap(p, 78, initial_indent=" ", subsequent_indent=" ")) for p in paragraphs
    )
    fields = [
        f"Package: {info.package}",
        f"Version: {debian_version(info.version)}",
        f"Architecture: {debian_architecture()}",
        f"Maintainer: {info.maintainer}",
        f"Installed-Size: {_installed_size_kib(stage_dir)}",
        f"Depends: {depends}",
        f"Section: {info.section}",
        "Priority: optional",
        *([f"Homepage: {info.homepage}"] if info.homepage else []),
        f"Description: {info.summary}",
        description,
    ]
    (control_dir / "control").write_text("\n".join(fields) + "\n", encoding="utf-8")
    (control_dir / "md5sums").write_text(_md5sums(stage_dir), encoding="utf-8")
    _normalise_modes(control_dir)
    return stage_dir


def build_deb(stage_dir: Path, out_dir: Path, info: PackageInfo) -> Path:
    """dpkg-deb the staged tree (root-owned files, xz like Debian's own packages); returns the .deb."""
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"{info.package}_{debian_version(info.version)}_{debian_architecture()}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(stage_dir), str(deb)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return deb


def build_tarball(bundle: Path, out_path: Path, top: str) -> Path:
    """The bundle as a .tar.gz with one top folder, root-owned and sorted, for unpacking anywhere."""
    out_path.parent.mkdir(parents=True, exist_ok=True)

    def owned_by_root(member: tarfile.TarInfo) -> tarfile.TarInfo:
        member.uid = member.gid = 0
        member.uname = member.gname = "root"
        return member

    with (
        open(out_path, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as zipped,
        tarfile.open(fileobj=zipped, mode="w") as tar,
    ):
        tar.add(bundle, arcname=top, recursive=False, filter=owned_by_root)
        for path in sorted(bundle.rglob("*")):
            tar.add(
                path,
                arcname=f"{top}/{path.relative_to(bundle).as_posix()}",
                recursive=False,
                filter=owned_by_root,
            )
    return out_path


def file_size(path: Path) -> int:
    return os.stat(path).st_size
