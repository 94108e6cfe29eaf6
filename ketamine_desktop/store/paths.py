"""Where the record lives: the platform's per-user data directory, kept private to the user; and what to
tell the user, in a sentence, when that directory is not usable."""

import errno
import os
from pathlib import Path

import platformdirs

RECORD_FILE_NAME = "record.sqlite3"
LOCK_FILE_NAME = "instance.lock"
# The last chain head this installation saw ("seq hash"), kept beside the record (record_witness.py).
WITNESS_FILE_NAME = "record.head"


def default_data_dir() -> Path:
    """The platform's user data directory for the application (not created here)."""
    return platformdirs.user_data_path("ketamine-desktop", appauthor=False)


def ensure_private_dir(data_dir: Path) -> None:
    """Create `data_dir` with mode 0700 if it does not exist.

    An existing directory keeps its mode: `--data-dir` may name a directory we do not own, and changing
    its permissions would be a surprise. The files we create inside it are 0600 either way.
    """
    if not data_dir.is_dir():
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkdir's mode is filtered by the umask; set it exactly.
        data_dir.chmod(0o700)


def _owner(path: Path) -> str:
    try:
        uid = path.stat().st_uid
    except OSError:
        return "another user"
    try:
        import pwd

        return f"user {pwd.getpwuid(uid).pw_name}"
    except (ImportError, KeyError):  # pragma: no cover - Windows, or a uid without a name
        return f"user id {uid}"


def _me() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError, AttributeError):  # pragma: no cover - Windows
        return "this user"


def environment_problem(data_dir: Path, path: Path, exc: OSError) -> str:
    """A sentence for the user: what is wrong with the data directory (or a file in it) and what to do.

    `path` is what the operation touched (the directory, the lock file, the record file).
    """
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and existing != path and not existing.is_dir():
        return (
            f"{existing} is a file, not a folder, so the record cannot be kept in {data_dir}. "
            "Move that file away, or start the app with another folder (--data-dir DIR)."
        )
    if isinstance(exc, IsADirectoryError) or (path.is_dir() and path != data_dir):
        return (
            f"{path} is a folder, but the app needs a file there. Remove that folder (it holds nothing "
            f"of the record), or start the app with another folder (--data-dir DIR)."
        )
    if isinstance(exc, NotADirectoryError | FileExistsError):
        return (
            f"{data_dir} is not a folder. Move it away, or start the app with another one (--data-dir DIR)."
        )
    if exc.errno == errno.EROFS:
        return (
            f"The data folder {data_dir} is on a read-only disk, so nothing could be saved. Start the app "
            f"with a folder on a writable disk (--data-dir DIR)."
        )
    if isinstance(exc, PermissionError):
        owner = _owner(existing) if existing is not None else "another user"
        return (
            f"The data folder {data_dir} cannot be written by {_me()}: {existing or path} belongs to {owner} "
            f"or is read-only (an earlier run with sudo leaves it owned by root). Ask IT to give it back "
            f"(sudo chown -R {_me()} {data_dir}), or start the app with another folder (--data-dir DIR)."
        )
    if exc.errno == errno.ENOSPC:
        return f"The disk holding {data_dir} is full. Free some space, then start the app again."
    return f"The data folder {data_dir} cannot be used: {exc.strerror or exc} ({path})."
