"""Storage errors callers may catch without importing a driver, and DSN display.

The typed driver failures (`DiskFull`, `ReadOnly`, `ConnectionLost`, `classify`) live in
`storage.db` next to the code that reports them; they are re-exported here.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from storage.db import ConnectionLost, DatabaseUnavailable, DiskFull, ReadOnly, StorageError, classify

__all__ = ["BackupNotSupported", "ConnectionLost", "DatabaseUnavailable", "DiskFull", "ReadOnly", "StorageError",
           "classify", "display_dsn"]


def display_dsn(dsn: str) -> str:
    """The DSN without its password, for messages and logs."""
    parts = urlsplit(dsn)
    if parts.password:
        host = parts.hostname or ""
        netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


class BackupNotSupported(Exception):
    """`koordinat backup` on PostgreSQL: the message says how (pg_dump)."""

    def __init__(self, display: str) -> None:
        super().__init__(
            f"database {display} is PostgreSQL: `koordinat backup` copies SQLite files only. Back it up with "
            f"the server's tools, e.g. pg_dump --format=custom --file=koordinat-$(date +%F).dump '{display}' "
            "(restore with pg_restore; add --schema=NAME for one organisation), or your provider's "
            "point-in-time recovery")
