"""Every migration exists for both engines and yields the same schema (issue 21, "Migrations in
both dialects"): same tables, columns, nullability, primary keys and unique sets; on PostgreSQL
no 4-byte float, no id without a default, text in the C collation; migrations under an advisory
lock, so two workers starting together migrate once.

Needs a PostgreSQL server: KOORDINAT_TEST_DATABASE, else 127.0.0.1:5432/test when it answers;
skipped (and said so) otherwise.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from pathlib import Path

import pytest

from storage.db import Database, migration_files
from storage.dialect import placeholders, postgres_migration, split_statements
from tests.postgres_support import test_database as configured_database

asyncpg = pytest.importorskip("asyncpg")

SQLITE_TO_PG = {"INTEGER": "bigint", "REAL": "double precision", "TEXT": "text", "BLOB": "bytea"}


def _server() -> str | None:
    dsn = configured_database() or os.environ.get("KOORDINAT_POSTGRES_DSN") or "postgresql://postgres@127.0.0.1:5432/test"

    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(dsn, timeout=3)
        except Exception:
            return False
        await conn.close()
        return True

    return dsn if asyncio.run(probe()) else None


DSN = _server()
needs_server = pytest.mark.skipif(DSN is None, reason="no PostgreSQL server answers (set KOORDINAT_TEST_DATABASE)")


def _sqlite_schema(path: Path) -> dict[str, dict[str, object]]:
    conn = sqlite3.connect(path)
    try:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        schema: dict[str, dict[str, object]] = {}
        for table in tables:
            columns = {row[1]: (row[2].upper(), bool(row[3]) or bool(row[5])) for row in
                       conn.execute(f"PRAGMA table_info({table})")}
            primary = tuple(row[1] for row in sorted(conn.execute(f"PRAGMA table_info({table})"), key=lambda r: r[5])
                            if row[5])
            uniques = set()
            for index in conn.execute(f"PRAGMA index_list({table})"):
                if index[2] and index[3] != "pk":
                    uniques.add(tuple(sorted(row[2] for row in conn.execute(f"PRAGMA index_info({index[1]})"))))
            schema[table] = {"columns": {name: (SQLITE_TO_PG.get(kind, kind.lower()), not_null)
                                         for name, (kind, not_null) in columns.items()},
                             "primary": tuple(sorted(primary)), "unique": uniques}
        return schema
    finally:
        conn.close()


async def _postgres_schema(conn: object, schema: str) -> tuple[dict[str, dict[str, object]], list[tuple]]:
    rows = await conn.fetch(  # type: ignore[attr-defined]
        "SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity, collation_name "
        "FROM information_schema.columns WHERE table_schema = $1 AND table_name NOT IN ('koordinat_migrations', 'koordinat_leadership')", schema)
    found: dict[str, dict[str, object]] = {}
    for row in rows:
        table = found.setdefault(row["table_name"], {"columns": {}, "primary": (), "unique": set()})
        table["columns"][row["column_name"]] = (row["data_type"], row["is_nullable"] == "NO")  # type: ignore[index]
    keys = await conn.fetch(  # type: ignore[attr-defined]
        "SELECT c.relname AS table_name, i.indisprimary, i.indisunique, "
        "array(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = ANY(i.indkey)) AS cols "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND c.relname NOT IN ('koordinat_migrations', 'koordinat_leadership')", schema)
    for key in keys:
        table = found[key["table_name"]]
        if key["indisprimary"]:
            table["primary"] = tuple(sorted(key["cols"]))
        elif key["indisunique"]:
            table["unique"].add(tuple(sorted(key["cols"])))  # type: ignore[union-attr]
    return found, list(rows)


@needs_server
async def test_both_engines_build_the_same_tables_columns_keys_and_types(tmp_path: Path) -> None:
    sqlite_db = await Database.open(f"sqlite:///{tmp_path / 'parity.db'}")  # SQLite on both passes
    await sqlite_db.close()
    expected = _sqlite_schema(tmp_path / "parity.db")

    schema = f"parity_{uuid.uuid4().hex[:10]}"
    from storage.postgres import PostgresDatabase

    pg = await PostgresDatabase.open(DSN, schema=schema)
    conn = await asyncpg.connect(DSN)
    try:
        assert await pg.schema_version() == migration_files()[-1][0]
        actual, columns = await _postgres_schema(conn, schema)
        assert sorted(actual) == sorted(expected)
        for table, shape in expected.items():
            assert actual[table] == shape, table
        # No 4-byte float anywhere; every text column compares byte-wise (keys, codes, ISO times).
        assert [c["column_name"] for c in columns if c["data_type"] == "real"] == []
        assert [f"{c['table_name']}.{c['column_name']}" for c in columns
                if c["data_type"] == "text" and c["collation_name"] != "C"] == []
        # Every single-column integer primary key that is not a reference has a default (identity).
        for table, shape in expected.items():
            if shape["primary"] == ("id",):
                (identity,) = [c for c in columns if c["table_name"] == table and c["column_name"] == "id"]
                assert identity["is_identity"] == "YES", table
    finally:
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()
        await pg.close()


@needs_server
async def test_two_workers_starting_together_migrate_once() -> None:
    from storage.postgres import PostgresDatabase

    schema = f"race_{uuid.uuid4().hex[:10]}"
    first, second = await asyncio.gather(PostgresDatabase.open(DSN, schema=schema),
                                         PostgresDatabase.open(DSN, schema=schema))
    conn = await asyncpg.connect(DSN)
    try:
        applied = await conn.fetch(f'SELECT version FROM "{schema}".koordinat_migrations ORDER BY version')
        assert [row[0] for row in applied] == [version for version, _, _ in migration_files()]
        assert await first.migrate() == [] and await second.migrate() == []
    finally:
        await first.close()
        await second.close()
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()


def test_the_translation_of_a_new_migration_in_sqlite_syntax() -> None:
    """What another engineer's migration 02x gets at merge time, without a hand-written twin."""
    sqlite_sql = """
        -- a comment with a ? and a ; inside
        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            score REAL,
            UNIQUE (member_id, text)
        );
        ALTER TABLE members ADD COLUMN weight REAL NOT NULL DEFAULT 0;
        CREATE TRIGGER notes_gone AFTER DELETE ON members WHEN old.id > 0
        BEGIN
            DELETE FROM notes WHERE member_id = old.id;
        END;
    """
    translated = postgres_migration(sqlite_sql)
    assert "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" in translated
    assert "member_id BIGINT NOT NULL REFERENCES members(id)" in translated
    assert 'text TEXT COLLATE "C" NOT NULL' in translated
    assert "score DOUBLE PRECISION" in translated and "weight DOUBLE PRECISION NOT NULL DEFAULT 0" in translated
    assert "LANGUAGE plpgsql" in translated and "IF old.id > 0 THEN" in translated
    assert "FOR EACH ROW EXECUTE FUNCTION notes_gone_fn()" in translated
    assert len(split_statements(sqlite_sql)) == 3


def test_placeholders_are_numbered_outside_literals() -> None:
    assert placeholders("SELECT '?', \"a?\" FROM t WHERE a = ? AND b IN (?, ?) -- why?\n AND c = ?") == \
        "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b IN ($2, $3) -- why?\n AND c = $4"
