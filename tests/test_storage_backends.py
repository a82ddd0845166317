"""The storage interface means the same on both engines (issue 21). These run on whichever
backend the pass uses (SQLite; a tr-TR PostgreSQL database with KOORDINAT_TEST_DATABASE), so
each fault a linguistic collation or a stricter dialect would bring shows here."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.collation import sorted_by_name, turkish_sort_key
from bot.config import Settings
from bot.models import Role
from bot.services.privacy import privacy_notice
from storage import groups, invites, members, reminders
from storage.db import ConnectionLost, Database, DiskFull, ReadOnly, classify, is_disk_full, is_fatal_storage_error
from storage.sql import execute, fetch_all, insert_returning_id

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


class _PgError(Exception):
    """Stands in for an asyncpg error: what matters is its SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize("error, kind", [
    (_PgError("53100"), DiskFull), (_PgError("25006"), ReadOnly), (_PgError("08006"), ConnectionLost),
    (_PgError("57P01"), ConnectionLost), (_PgError("23505"), None),
    (sqlite3.OperationalError("database or disk is full"), DiskFull),
    (sqlite3.OperationalError("attempt to write a readonly database"), ReadOnly),
    (sqlite3.OperationalError("disk I/O error"), ConnectionLost), (ValueError("x"), None),
    (ConnectionResetError("a chat platform's socket"), None),
])
def test_driver_errors_map_to_the_same_typed_errors(error: BaseException, kind: type | None) -> None:
    assert classify(error) is kind
    assert is_disk_full(error) == (kind is DiskFull)
    assert is_fatal_storage_error(error) == (kind in (ReadOnly, ConnectionLost))


@pytest.mark.parametrize("value, expected", [
    ("postgresql://k:s@db.example.org:5432/koordinat", "postgresql://k:s@db.example.org:5432/koordinat?schema=kars"),
    ("postgres://db/k?sslmode=require", "postgres://db/k?sslmode=require&schema=kars"),
    ("sqlite:///data/k.db", Path("data/k.db")), ("sqlite:////srv/k.db", Path("/srv/k.db")), ("k.db", Path("k.db")),
])
def test_the_database_setting_selects_the_engine(value: str, expected: object) -> None:
    settings = Settings(_env_file=None, database=value, database_schema="kars")  # type: ignore[call-arg]
    assert settings.database == expected
    assert settings.uses_postgres == isinstance(expected, str)


def test_an_unknown_scheme_or_schema_name_is_refused() -> None:
    with pytest.raises(ValueError, match="mysql:// is not a database"):
        Settings(_env_file=None, database="mysql://db/k")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="schema name"):
        Settings(_env_file=None, database="postgresql://db/k", database_schema="kars; DROP")  # type: ignore[call-arg]


def test_the_privacy_notice_says_what_postgresql_backups_keep() -> None:
    sqlite_notice = privacy_notice("en", "Kars Kadın Meclisi", "kvkk@example.org")
    assert "WAL" not in sqlite_notice
    stated = privacy_notice("en", "Kars Kadın Meclisi", "kvkk@example.org", 14)
    assert "write-ahead log (WAL) and backups keep it" in stated and "(14 days)" in stated
    unstated = privacy_notice("tr", None, None, 0)
    assert "işlem günlüğü (WAL)" in unstated and "henüz belirtmedi" in unstated


def test_names_sort_in_turkish_alphabetical_order_by_one_rule() -> None:
    names = ["Zeynep", "Çiğdem", "Işıl", "İpek", "Ayşe", "Şule", "Cemile", "Özlem", "Oya", "ılgın", "Ümran", "Uğur"]
    assert sorted(names, key=turkish_sort_key) == \
        ["Ayşe", "Cemile", "Çiğdem", "ılgın", "Işıl", "İpek", "Oya", "Özlem", "Şule", "Uğur", "Ümran", "Zeynep"]
    assert sorted_by_name([(2, "Şule"), (1, "Şule"), (3, "Sevgi")], lambda p: p[1], lambda p: p[0]) == \
        [(3, "Sevgi"), (1, "Şule"), (2, "Şule")]


async def test_members_are_listed_in_turkish_order_on_this_backend(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "k.db")
    try:
        async with db.transaction() as tx:
            group = await groups.create(tx, name="Kars", city="Kars", language="tr", timezone="Europe/Istanbul", now=NOW)
            for index, name in enumerate(["Zeynep", "Çiğdem", "Ceren", "İpek", "Işıl", "Öykü", "Oya"]):
                member = await members.create(tx, display_name=name, language="tr", channel="telegram",
                                              external_id=str(100 + index), now=NOW)
                role = Role.COORDINATOR if name == "Zeynep" else Role.MEMBER
                await members.add_membership(tx, group.id, member.id, role, NOW)
        async with db.read() as conn:
            listed = [member.display_name for member, _ in await members.group_members(conn, group.id)]
        assert listed == ["Zeynep", "Ceren", "Çiğdem", "Işıl", "İpek", "Oya", "Öykü"]  # coordinators first
    finally:
        await db.close()


async def test_a_capitalised_invite_code_is_found_under_any_collation(tmp_path: Path) -> None:
    """Under a tr-TR collation lower('I') is 'ı' and upper('i') is 'İ': the lookup must not use them."""
    db = await Database.open(tmp_path / "k.db")
    try:
        async with db.transaction() as tx:
            group = await groups.create(tx, name="Kars", city="Kars", language="tr", timezone="Europe/Istanbul", now=NOW)
            await invites.create(tx, code="kiwiIDx7", group_id=group.id, role=Role.MEMBER, expires_at=None,
                                 max_uses=None, now=NOW)
        async with db.read() as conn:
            for typed in ("KIWIIDX7", "kiwiidx7", "Kiwiidx7"):
                found = await invites.get_ignoring_case(conn, typed)
                assert found is not None and found.code == "kiwiIDx7", typed
            assert await invites.get_ignoring_case(conn, "kıwııdx7") is None  # dotless ı is another letter
    finally:
        await db.close()


async def test_the_last_use_of_an_invite_goes_to_one_of_two_joins_at_once(tmp_path: Path) -> None:
    """Two transactions count the last use of an invite at the same time (two workers on
    PostgreSQL; one after the other on SQLite): exactly one gets it."""
    import asyncio

    db = await Database.open(tmp_path / "k.db")
    try:
        async with db.transaction() as tx:
            group = await groups.create(tx, name="Kars", city="Kars", language="tr", timezone="Europe/Istanbul", now=NOW)
            await invites.create(tx, code="lastUSE1", group_id=group.id, role=Role.MEMBER, expires_at=None,
                                 max_uses=1, now=NOW)
        both_read = asyncio.Barrier(2) if db.dialect == "postgresql" else None

        async def join() -> bool:
            async with db.transaction() as tx:
                invite = await invites.get(tx, "lastUSE1")
                assert invite is not None and invite.uses == 0 or both_read is None
                if both_read is not None:
                    await both_read.wait()  # both saw one use left
                return await invites.count_use(tx, "lastUSE1")

        results = await asyncio.gather(join(), join())
        assert sorted(results) == [False, True]
        async with db.read() as conn:
            invite = await invites.get(conn, "lastUSE1")
        assert invite is not None and invite.uses == 1
    finally:
        await db.close()


async def test_key_prefix_ranges_are_byte_ranges(tmp_path: Path) -> None:
    """`key >= ? AND key < ?` must mean "starts with" on both engines (keys are C-collated)."""
    db = await Database.open(tmp_path / "k.db")
    try:
        async with db.transaction() as tx:
            for key in ("meeting:4:remind", "meeting:42:remind", "meeting:4:summary", "meeting:5:x", "Meeting:4:x",
                        "meeting:4-other", "meeting:İ:x"):
                await reminders.upsert(tx, key=key, kind="k", due_at=1.0, payload={}, now=1.0)
        async with db.read() as conn:
            low, high = reminders.prefix_range("meeting:4:")
            rows = await fetch_all(conn, "SELECT key FROM reminders WHERE key >= ? AND key < ? ORDER BY key", (low, high))
        assert [row[0] for row in rows] == ["meeting:4:remind", "meeting:4:summary"]
    finally:
        await db.close()


async def test_the_transaction_interface_counts_returns_ids_and_rolls_back_a_savepoint(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "k.db")
    try:
        async with db.transaction() as tx:
            first = await insert_returning_id(tx, "INSERT INTO groups (name, city, language, timezone, created_at) "
                                                  "VALUES (?, ?, 'tr', 'Europe/Istanbul', ?) RETURNING id",
                                              ("A", "Kars", "x"))
            second = await insert_returning_id(tx, "INSERT INTO groups (name, city, language, timezone, created_at) "
                                                   "VALUES (?, ?, 'tr', 'Europe/Istanbul', ?) RETURNING id",
                                               ("B", "Kars", "x"))
            assert second == first + 1
            with pytest.raises(Exception):  # noqa: B017 - either engine's integrity error
                async with db.transaction() as inner:
                    await execute(inner, "UPDATE groups SET name = 'C' WHERE id = ?", (first,))
                    await execute(inner, "INSERT INTO groups (id, name, city, language, timezone, created_at) "
                                         "VALUES (?, 'dup', 'x', 'tr', 'UTC', 'x')", (first,))
            assert await execute(tx, "UPDATE groups SET city = ? WHERE city = ?", ("Van", "Kars")) == 2
            # an int for a text column, a bool for an integer one: both engines take them
            await execute(tx, "UPDATE groups SET telegram_chat_id = ? WHERE id = ?", (-100123, first))
        row = await db.fetchone("SELECT name, city FROM groups WHERE id = ?", (first,))
        assert row is not None and (row["name"], row[1]) == ("A", "Van")  # the savepoint alone rolled back
        assert (await db.fetchone("SELECT COUNT(*) FROM groups"))[0] == 2
    finally:
        await db.close()


async def test_after_a_forget_the_live_tables_are_compacted(tmp_path: Path) -> None:
    """SQLite: WAL checkpointed and truncated; PostgreSQL: every table of the schema vacuumed."""
    db = await Database.open(tmp_path / "k.db")
    try:
        async with db.transaction() as tx:
            member = await members.create(tx, display_name="Gizem", language="tr", channel="telegram",
                                          external_id="555", now=NOW)
        async with db.transaction() as tx:
            await members.delete(tx, member.id)
        assert await db.checkpoint_truncate() is True
        assert await db.fetchone("SELECT 1 FROM members WHERE display_name = 'Gizem'") is None
    finally:
        await db.close()
