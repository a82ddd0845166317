"""One bot per database: an OS file lock on `<database>.lock`, held for the process lifetime.

`fcntl.flock` is released by the kernel when the process ends, even on kill -9, so a crashed
bot never blocks its own restart. The lock file's text names the holder (pid, host, since)
for the refusal message of a second process.
"""

from __future__ import annotations

import fcntl
import os
import socket
from datetime import UTC, datetime
from pathlib import Path


class AlreadyRunning(Exception):
    """Another process holds the database; the message is one line naming it."""


class InstanceLock:
    """`acquire()` or raise `AlreadyRunning`; `release()` at shutdown."""

    def __init__(self, database: Path | str) -> None:
        self.path = Path(f"{database}.lock")
        self._fd: int | None = None

    def acquire(self, now: datetime | None = None) -> None:
        """Take the lock; raises `AlreadyRunning` (naming the holder) or `OSError`."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 400, 0).decode("utf-8", "replace").strip() or "unknown process"
            os.close(fd)
            raise AlreadyRunning(f"another Koordinat is already running on this database ({holder}); "
                                 "stop it first (one bot per database)") from None
        except BaseException:
            os.close(fd)
            raise
        since = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S UTC")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {since}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
