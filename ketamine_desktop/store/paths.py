"""Where the record lives: the platform's per-user data directory, kept private to the user."""

from pathlib import Path

import platformdirs

RECORD_FILE_NAME = "record.sqlite3"
LOCK_FILE_NAME = "instance.lock"


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
