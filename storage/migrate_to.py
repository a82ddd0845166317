"""`koordinat migrate-to`: copy every row from one database to another, either direction
(SQLite → PostgreSQL, PostgreSQL → SQLite, or between schemas), and prove the copy.

Both databases are first migrated to the same schema version. Tables are copied in dependency
order (a table after every table its foreign keys name); a column referring to its own table
(`proposals.merged_into`) is filled in a second pass, so row order never matters. Ids are
copied as they are; PostgreSQL's identity sequences are then moved past the largest id. The
whole copy is one transaction on the target: a failure leaves it empty. Afterwards each table's
row count and the sum of its ids are compared on both sides (`TableCheck`).

The target must be empty (freshly migrated): copying into a database in use would mix two
organisations' rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from storage.db import Database
from storage.sql import fetch_all, fetch_one

BATCH = 200  # rows per INSERT statement
SKIP = {"koordinat_migrations", "sqlite_sequence", "sqlite_stat1"}


@dataclass(frozen=True)
class TableCheck:
    """One table after the copy: rows and sum of ids on each side (id sum None: no id column)."""

    table: str
    source_rows: int
    target_rows: int
    source_id_sum: int | None
    target_id_sum: int | None

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_id_sum == self.target_id_sum


class TargetNotEmpty(Exception):
    """The target already holds rows (the message names a table and how many)."""


async def _tables(db: Database) -> dict[str, dict[str, Any]]:
    """{table: {"columns": [...], "refs": {referenced tables}, "self_refs": [columns]}}."""
    found: dict[str, dict[str, Any]] = {}
    async with db.read() as conn:
        if db.dialect == "sqlite":
            names = [row[0] for row in await fetch_all(
                conn, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
            for name in names:
                if name in SKIP or name.startswith("sqlite_"):
                    continue
                columns = [row[1] for row in await fetch_all(conn, f"PRAGMA table_info({name})")]
                keys = await fetch_all(conn, f"PRAGMA foreign_key_list({name})")
                found[name] = {"columns": columns, "refs": {row[2] for row in keys if row[2] != name},
                               "self_refs": [row[3] for row in keys if row[2] == name]}
        else:
            rows = await fetch_all(
                conn, "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position")
            for row in rows:
                if row[0] not in SKIP:
                    found.setdefault(row[0], {"columns": [], "refs": set(), "self_refs": []})["columns"].append(row[1])
            keys = await fetch_all(
                conn, "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text, a.attname "
                "FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) "
                "WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace")
            for table, referenced, column in keys:
                table, referenced = table.split(".")[-1].strip('"'), referenced.split(".")[-1].strip('"')
                if table not in found:
                    continue
                if referenced == table:
                    found[table]["self_refs"].append(column)
                else:
                    found[table]["refs"].add(referenced)
    return found


def dependency_order(tables: dict[str, dict[str, Any]]) -> list[str]:
    """Tables so that each comes after the tables it references (alphabetical among equals)."""
    ordered: list[str] = []
    done: set[str] = set()
    pending = sorted(tables)
    while pending:
        ready = [name for name in pending if (tables[name]["refs"] & set(tables)) <= done]
        if not ready:  # a cycle between tables (none in our schema): fall back to name order
            ready = pending[:1]
        for name in ready:
            ordered.append(name)
            done.add(name)
        pending = [name for name in pending if name not in done]
    return ordered


async def _count_and_sum(db: Database, table: str, has_id: bool) -> tuple[int, int | None]:
    async with db.read() as conn:
        if has_id:
            row = await fetch_one(conn, f"SELECT COUNT(*), COALESCE(SUM(id), 0) FROM {table}")  # noqa: S608
            assert row is not None
            return int(row[0]), int(row[1])
        row = await fetch_one(conn, f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        assert row is not None
        return int(row[0]), None


async def copy_database(source: Database, target: Database,
                        progress: Callable[[str, int], None] | None = None) -> list[TableCheck]:
    """Copy every row of `source` into the empty `target` and verify (module docstring).
    Raises `TargetNotEmpty`; returns one `TableCheck` per table, in copy order."""
    await source.migrate()
    await target.migrate()
    source_tables = await _tables(source)
    target_tables = await _tables(target)
    order = [name for name in dependency_order(source_tables) if name in target_tables]
    for name in order:
        rows, _ = await _count_and_sum(target, name, False)
        if rows:
            raise TargetNotEmpty(f"the target already has {rows} row(s) in {name}; give an empty database "
                                 "or a new schema (KOORDINAT_DATABASE_SCHEMA / --schema)")
    async with target.transaction() as tx:
        for name in order:
            columns = [c for c in source_tables[name]["columns"] if c in target_tables[name]["columns"]]
            self_refs = [c for c in source_tables[name]["self_refs"] if c in columns]
            order_by = "id" if "id" in columns else "1"
            async with source.read() as reader:
                rows = await fetch_all(reader, f"SELECT {', '.join(columns)} FROM {name} ORDER BY {order_by}")  # noqa: S608
            later: list[tuple[Any, ...]] = []
            values = []
            for row in rows:
                record = [row[i] for i in range(len(columns))]
                if self_refs:
                    later.append((*(record[columns.index(c)] for c in self_refs), record[columns.index("id")]))
                    for c in self_refs:
                        record[columns.index(c)] = None
                values.append(record)
            marks = "(" + ", ".join("?" for _ in columns) + ")"
            for start in range(0, len(values), BATCH):
                chunk = values[start:start + BATCH]
                await tx.execute(f"INSERT INTO {name} ({', '.join(columns)}) VALUES "  # noqa: S608
                                 + ", ".join(marks for _ in chunk), [v for record in chunk for v in record])
            if later:
                setters = ", ".join(f"{c} = ?" for c in self_refs)
                await tx.executemany(f"UPDATE {name} SET {setters} WHERE id = ?", later)  # noqa: S608
            if progress is not None:
                progress(name, len(values))
        if target.dialect == "postgresql":  # identities continue after the copied ids
            for name in order:
                if "id" in target_tables[name]["columns"]:
                    sequence = await fetch_one(tx, "SELECT pg_get_serial_sequence(?, 'id')", (name,))
                    if sequence is not None and sequence[0]:
                        await fetch_one(tx, "SELECT setval(?::regclass, (SELECT COALESCE(MAX(id), 0) + 1 FROM "
                                        f"{name}), false)", (sequence[0],))  # noqa: S608
    checks = []
    for name in order:
        has_id = "id" in source_tables[name]["columns"]
        source_rows, source_sum = await _count_and_sum(source, name, has_id)
        target_rows, target_sum = await _count_and_sum(target, name, has_id)
        checks.append(TableCheck(name, source_rows, target_rows, source_sum, target_sum))
    return checks
