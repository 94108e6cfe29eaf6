"""Install the .deb the way IT would, use it, remove it, and prove nothing of it is left.

    sudo python3 packaging/check_install.py [DEB] [--remove-dependencies]      (DEB: newest in dist/)

Needs root, apt and Xvfb (Debian package `xvfb`). Steps, each failing the run if it fails:
1. snapshot /opt, /usr, /etc and /var/lib (paths only) and the installed packages;
2. `apt-get install ./<deb>` (pulls in the Depends that are missing, e.g. libxcb-icccm4);
3. `dpkg -L` lists /opt/ketamine-desktop, the launcher, the .desktop entry and the icon; `dpkg --verify`;
4. the launcher on the PATH: `--version` prints the pyproject version, `--self-test` passes (offscreen);
5. the launcher opens the main window on a real X server (Xvfb): its first drawing is seen from the X
   server (benchmarks/x_watch.py; the app has no probe); a screenshot is saved if `xwd` exists;
6. `apt-get remove`, then `apt-get purge`: none of the package's files remain, and every path that
   appeared since step 1 belongs to a dependency apt installed (or to caches the system rebuilds);
7. with --remove-dependencies: `apt-get purge` of exactly the dependencies step 2 installed (by default
   they stay, as after any `apt remove`, so the machine can still run the app from source).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bundle_policy  # noqa: E402
from display import virtual_display  # noqa: E402
from x_watch import WindowWatch  # noqa: E402

PACKAGE = "ketamine-desktop"
SNAPSHOT_ROOTS = ("/opt", "/usr", "/etc", "/var/lib")
# Rewritten by the system for any package (dpkg's database, apt's state, the triggers' caches).
SYSTEM_CHURN = (
    "/var/lib/dpkg/",
    "/var/lib/apt/",
    "/var/lib/ucf/",
    "/usr/share/icons/hicolor/icon-theme.cache",
    "/usr/share/applications/mimeinfo.cache",
    "/var/lib/systemd/",
    "/etc/ld.so.cache",
)
APT_ENV = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    print("   $ " + " ".join(command), flush=True)
    return subprocess.run(command, check=True, text=True, **kwargs)  # type: ignore[call-overload, no-any-return]


def _snapshot() -> set[str]:
    paths: set[str] = set()
    for root in SNAPSHOT_ROOTS:
        for folder, dirs, files in os.walk(root):
            paths.update(os.path.join(folder, name) for name in (*dirs, *files))
    return paths


def _installed_packages() -> set[str]:
    output = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package}\\n"], capture_output=True, text=True, check=True
    ).stdout
    return set(output.split())


def _package_status(package: str) -> str:
    """dpkg's two-letter status ("ii", "rc"), or "" when dpkg does not know the package at all."""
    result = subprocess.run(
        ["dpkg-query", "-W", "-f", "${db:Status-Abbrev}", package],
        capture_output=True,
        text=True,
        check=False,
    )
    status = result.stdout.strip() if result.returncode == 0 else ""
    return "" if status in ("", "un") else status


def _package_files(packages: set[str]) -> set[str]:
    if not packages:
        return set()
    output = subprocess.run(
        ["dpkg", "-L", *sorted(packages)], capture_output=True, text=True, check=False
    ).stdout
    return {line for line in output.splitlines() if line.startswith("/")}


def _fail(message: str) -> int:
    print(f"FAILED: {message}", flush=True)
    return 1


def check(deb: Path, remove_dependencies: bool) -> int:
    version = bundle_policy.project_version(ROOT)
    print(f"== snapshot of {', '.join(SNAPSHOT_ROOTS)} and the installed packages", flush=True)
    before_paths, before_packages = _snapshot(), _installed_packages()
    if PACKAGE in before_packages:
        return _fail(f"{PACKAGE} is already installed; remove it first")

    print(f"== apt-get install ./{deb.relative_to(ROOT) if deb.is_relative_to(ROOT) else deb}", flush=True)
    _run(["apt-get", "install", "-y", "--no-install-recommends", str(deb.resolve())], env=APT_ENV)
    added_packages = _installed_packages() - before_packages - {PACKAGE}
    print(f"   dependencies apt installed: {', '.join(sorted(added_packages)) or 'none'}")

    print("== what dpkg installed", flush=True)
    owned = sorted(_package_files({PACKAGE}))
    expected = [
        f"/opt/{PACKAGE}/{PACKAGE}",
        f"/usr/bin/{PACKAGE}",
        f"/usr/share/applications/{PACKAGE}.desktop",
        f"/usr/share/icons/hicolor/scalable/apps/{PACKAGE}.svg",
    ]
    missing = [path for path in expected if path not in owned or not os.path.exists(path)]
    if missing:
        return _fail(f"not installed: {missing}")
    print(f"   dpkg -L {PACKAGE}: {len(owned)} paths, e.g. " + ", ".join(expected))
    _run(["dpkg", "--verify", PACKAGE])
    if shutil.which("desktop-file-validate"):
        _run(["desktop-file-validate", f"/usr/share/applications/{PACKAGE}.desktop"])

    print("== the launcher on the PATH", flush=True)
    launcher = shutil.which(PACKAGE)
    if launcher != f"/usr/bin/{PACKAGE}":
        return _fail(f"{PACKAGE} on the PATH is {launcher}")
    with tempfile.TemporaryDirectory(prefix="ketamine-install-check-") as home:
        env = {
            **os.environ,
            "HOME": home,
            "XDG_CONFIG_HOME": f"{home}/config",
            "XDG_DATA_HOME": f"{home}/data",
        }
        shown = _run([PACKAGE, "--version"], capture_output=True, env=env).stdout.strip()
        if shown != f"{PACKAGE} {version}":
            return _fail(f"--version printed {shown!r}, expected {PACKAGE} {version}")
        print(f"   {shown}")
        result = _run(
            [PACKAGE, "--self-test"], capture_output=True, env={**env, "QT_QPA_PLATFORM": "offscreen"}
        )
        print(f"   --self-test: {result.stdout.strip()}")

        print("== the window on a real X server (Xvfb)", flush=True)
        with virtual_display() as display:
            window_env = {**env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
            window_env.pop("WAYLAND_DISPLAY", None)
            watch = WindowWatch(display)
            started = time.monotonic()
            process = subprocess.Popen([PACKAGE], env=window_env)
            try:
                seen = watch.wait(60)
                if seen.drawn is None:
                    return _fail("the window never painted")
                print(f"   main window drawn {seen.drawn - started:.2f} s after the launcher started")
                time.sleep(4)  # the library checked, the Dosing tab built; long enough to photograph it
                if process.poll() is not None:
                    return _fail(f"the app exited (status {process.returncode}) after its first paint")
                if shutil.which("xwd"):
                    shot = ROOT / "build" / "installed-window.xwd"
                    subprocess.run(
                        ["xwd", "-root", "-silent", "-out", str(shot)], env=window_env, check=False
                    )
                    print(f"   screenshot: {shot.relative_to(ROOT)}")
            finally:
                watch.close()
                process.terminate()
                process.wait(timeout=10)

    print(f"== apt-get remove, then purge {PACKAGE}", flush=True)
    _run(["apt-get", "remove", "-y", PACKAGE], env=APT_ENV)
    remaining = [path for path in owned if path.startswith(f"/opt/{PACKAGE}") and os.path.lexists(path)]
    if remaining:
        return _fail(f"after remove: {remaining[:5]}")
    status = _package_status(PACKAGE)
    if status:  # e.g. "rc": removed, configuration files remain
        _run(["apt-get", "purge", "-y", PACKAGE], env=APT_ENV)
    else:
        print("   remove left no configuration files: dpkg no longer knows the package, nothing to purge")
    if _package_status(PACKAGE):
        return _fail(f"dpkg still lists {PACKAGE}: {_package_status(PACKAGE)}")
    left = [path for path in owned if os.path.lexists(path) and not os.path.isdir(path)]
    left += [path for path in (f"/opt/{PACKAGE}", f"/usr/share/doc/{PACKAGE}") if os.path.lexists(path)]
    if left:
        return _fail(f"left behind after purge: {left[:10]}")
    dependency_files = _package_files(added_packages)
    new_paths = sorted(
        path
        for path in _snapshot() - before_paths
        if path not in dependency_files
        and not path.startswith(SYSTEM_CHURN)
        and not any(parent in dependency_files for parent in _parents(path))
    )
    if new_paths:
        return _fail(f"{len(new_paths)} new paths owned by nothing: {new_paths[:10]}")
    print(f"   none of the {len(owned)} paths remain; no new path outside the dependencies and system caches")

    if added_packages and remove_dependencies:
        print("== apt-get purge of the dependencies installed for the package", flush=True)
        _run(["apt-get", "purge", "-y", *sorted(added_packages)], env=APT_ENV)
    print("install check ok")
    return 0


def _parents(path: str) -> list[str]:
    return [str(parent) for parent in Path(path).parents]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deb", nargs="?", type=Path, help="the .deb (default: the newest in dist/)")
    parser.add_argument(
        "--remove-dependencies", action="store_true", help="purge the dependencies apt installed"
    )
    args = parser.parse_args(argv)
    deb = args.deb or max((ROOT / "dist").glob(f"{PACKAGE}_*.deb"), key=os.path.getmtime, default=None)
    if deb is None:
        return _fail("no .deb in dist/: run python3 packaging/build.py first")
    if os.geteuid() != 0:
        return _fail("run as root (it installs and removes a package)")
    return check(deb, args.remove_dependencies)


if __name__ == "__main__":
    sys.exit(main())
