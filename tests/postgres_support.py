"""The suite on PostgreSQL: `KOORDINAT_TEST_DATABASE=postgresql://…` gives each test fresh schemas.

Tests keep naming a SQLite file (`tmp_path / "koordinat.db"`); on the PostgreSQL pass
`Database.open(path)` opens the schema `t_<hash of the path>` of the given database instead (an explicit `sqlite:///…` URL
still opens SQLite), so
a restart in the same test (same path) finds its data and two tests never share a schema. The
schemas a test created are dropped when it ends. Tests that read or damage the SQLite file
itself are marked `sqlite_only` and skipped, and counted at the end of the run.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

ENV = "KOORDINAT_TEST_DATABASE"


def test_database() -> str | None:
    """The PostgreSQL DSN of this run, or None for the SQLite pass."""
    value = os.environ.get(ENV, "").strip()
    return value or None


def schema_for(path: Path | str) -> str:
    digest = hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:16]
    return f"t_{digest}"


MARKER = ".pgschema"


def remember_schema(path: Path | str) -> None:
    """Leave `<path>.pgschema` naming the schema, so the test that owns the folder drops it
    even when only a subprocess opened it."""
    try:
        Path(f"{path}{MARKER}").write_text(schema_for(path), encoding="utf-8")
    except OSError:  # a folder that does not exist or is read-only: the test is about that
        pass


def schemas_under(folder: Path) -> set[str]:
    """Schemas remembered by markers anywhere under `folder`."""
    found = set()
    for marker in folder.rglob(f"*{MARKER}"):
        try:
            found.add(marker.read_text(encoding="utf-8").strip())
        except OSError:
            pass
    return found


class SchemaPerPath:
    """Patches `Database.open` for one test; `schemas` is what to drop afterwards."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.schemas: set[str] = set()

    def install(self, monkeypatch: Any) -> None:
        from storage.db import Database, is_postgres_location
        from storage.postgres import PostgresDatabase

        original = Database.open.__func__  # type: ignore[attr-defined]
        harness = self

        async def open_on_postgres(cls: type, path: Path | str, *, migrate: bool = True) -> Database:
            if is_postgres_location(path) or str(path).startswith("sqlite://"):  # explicit: as given
                return await original(cls, path, migrate=migrate)
            schema = schema_for(path)
            harness.schemas.add(schema)
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            return await PostgresDatabase.open(harness.dsn, migrate=migrate, schema=schema)

        monkeypatch.setattr(Database, "open", classmethod(open_on_postgres))

    async def drop(self) -> None:
        if not self.schemas:
            return
        import asyncpg

        conn = await asyncpg.connect(self.dsn)
        try:
            for schema in sorted(self.schemas):
                await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()


def query_postgres(path: Path | str | None, sql: str, params: tuple[object, ...] = (), *,
                   schema: str | None = None) -> list[tuple[object, ...]]:
    """`sql` (with ? placeholders) on the schema `path` maps to; callable from sync code and
    from inside a running event loop (it runs on a thread of its own)."""
    import asyncio
    import concurrent.futures

    import asyncpg

    from storage.dialect import placeholders

    dsn = test_database()
    assert dsn is not None

    async def run() -> list[tuple[object, ...]]:
        conn = await asyncpg.connect(dsn, server_settings={"search_path": schema or schema_for(path or "")})
        try:
            return [tuple(row) for row in await conn.fetch(placeholders(sql), *params)]
        finally:
            await conn.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()
