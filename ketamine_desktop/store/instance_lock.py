"""One running instance per data directory, enforced with an OS file lock on `instance.lock`.

The OS releases the lock when the holder's process ends, however it ends (even `kill -9`), so a crash never
leaves a stale lock behind. The file itself stays: deleting it on release would let a second process lock
a file that a third has already replaced. It holds only "pid N since <UTC time>", never a patient detail.
"""

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from ketamine_desktop.store.connection import StoreError
from ketamine_desktop.store.paths import LOCK_FILE_NAME, ensure_private_dir, environment_problem

# Windows locks byte ranges and refuses reads of a locked range, so lock a byte past the description
# to keep `holder_description` readable by the second instance.
_WINDOWS_LOCK_OFFSET = 4096


class InstanceLocked(StoreError):
    """Another running instance holds this data directory."""


class InstanceLock:
    """A non-blocking, process-lifetime lock on `data_dir/instance.lock`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / LOCK_FILE_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Take the lock if no other process has it; never waits. True if this object now holds it.

        Raises StoreError, with a sentence for the user, when the data directory cannot hold the lock."""
        if self._fd is not None:
            return True
        try:
            ensure_private_dir(self.data_dir)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            # A read-only or root-owned folder, a file where the folder should be, a folder named
            # instance.lock: a sentence saying what is wrong and what to do, never a traceback.
            raise StoreError(environment_problem(self.data_dir, self.path, exc)) from exc
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            return False
        # Only the holder rewrites the file, so the description always names the current holder.
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        os.write(fd, f"pid {os.getpid()} since {now}\n".encode("ascii"))
        self._fd = fd
        return True

    def release(self) -> None:
        """Give the lock up (also happens when the process ends)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            _unlock(fd)
            os.close(fd)

    def holder_description(self) -> str:
        """Who holds the lock, e.g. 'pid 1234 since 2026-11-21T08:00:00Z', for the refusal message."""
        try:
            text = self.path.read_text(encoding="ascii", errors="replace").strip()
        except OSError:
            text = ""
        return text or "another process"

    def __enter__(self) -> Self:
        if not self.acquire():
            raise InstanceLocked(
                f"ketamine-desktop is already running with the data directory {self.data_dir} "
                f"({self.holder_description()}). Use that window, or close it first."
            )
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


if sys.platform == "win32":  # pragma: no cover - exercised only on Windows
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # raises OSError when another process holds it

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        # flock, not lockf: flock belongs to the open file, so even a second open in this same process
        # is refused, and it is released by the OS when the process dies.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises BlockingIOError when held

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
