"""Storage errors callers may catch without importing a driver, and DSN display.

The typed driver failures (`DiskFull`, `ReadOnly`, `ConnectionLost`, `classify`) live in
`storage.db` next to the code that reports them; they are re-exported here.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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


# Connection parameters libpq's URIs accept (PostgreSQL 15 manual, 34.1.2 "Parameter Key
# Words"); asyncpg also passes other query parameters as server settings, which pg_dump refuses.
LIBPQ_PARAMETERS = frozenset(
    "host hostaddr port dbname user password passfile channel_binding connect_timeout client_encoding options "
    "application_name fallback_application_name keepalives keepalives_idle keepalives_interval keepalives_count "
    "tcp_user_timeout replication gssencmode sslmode requiressl sslcompression sslcert sslkey sslpassword "
    "sslrootcert sslcrl sslcrldir sslsni requirepeer ssl_min_protocol_version ssl_max_protocol_version "
    "krbsrvname gsslib service target_session_attrs load_balance_hosts".split())


def libpq_dsn(dsn: str) -> str:
    """`dsn` with only the query parameters libpq knows (for pg_dump / psql), e.g.
    `postgresql://u@h/db?sslmode=require&synchronous_commit=off` → `…/db?sslmode=require`."""
    parts = urlsplit(dsn)
    kept = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key in LIBPQ_PARAMETERS]
    return urlunsplit(parts._replace(query=urlencode(kept)))


class BackupNotSupported(Exception):
    """`koordinat backup` on PostgreSQL: the message says how (pg_dump), with a command that
    runs as printed (libpq's URI has no `schema` parameter: the schema goes to `--schema`)."""

    def __init__(self, display: str, schema: str = "public") -> None:
        super().__init__(
            f"database {display} (schema {schema}) is PostgreSQL: `koordinat backup` copies SQLite files only. "
            f"Back it up with the server's tools, e.g. pg_dump --format=custom --schema={schema} "
            f"--file=koordinat-{schema}-$(date +%F).dump '{display}' (restore with pg_restore), or your "
            "provider's point-in-time recovery")

    @classmethod
    def for_dsn(cls, dsn: str, schema: str | None = None) -> BackupNotSupported:
        """From the configured DSN and KOORDINAT_DATABASE_SCHEMA (which wins over `?schema=`)."""
        query = parse_qsl(urlsplit(dsn).query, keep_blank_values=True)
        chosen = schema or next((value for key, value in query if key == "schema"), None) or "public"
        return cls(display_dsn(libpq_dsn(dsn)), chosen)
