"""Shared fixtures: a fake Telegram Bot API per test, a temp SQLite file, a movable clock.

How the tests are built: tests/README.md; the rules they check: docs/architecture.md.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

# PTB 22 warns when RetryAfter.retry_after is read as int; opt in to timedelta (warnings are errors).
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bot.clock import ManualClock  # noqa: E402
from bot.emulator.telegram.server import FakeBotApi  # noqa: E402
from tests.harness import TEST_START, Harness  # noqa: E402
from tests.postgres_support import SchemaPerPath, test_database  # noqa: E402

_skipped_sqlite_only: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, tests marked `sqlite_only` are skipped (and counted)."""
    if test_database() is None:
        return
    skip = pytest.mark.skip(reason="sqlite_only: reads or damages the SQLite file itself")
    for item in items:
        if item.get_closest_marker("sqlite_only") is not None:
            _skipped_sqlite_only.append(item.nodeid)
            item.add_marker(skip)


def pytest_report_header(config: pytest.Config) -> str:
    dsn = test_database()
    return f"database: PostgreSQL {dsn} (a fresh schema per test)" if dsn else "database: SQLite (a temp file per test)"


def pytest_terminal_summary(terminalreporter: object, exitstatus: int, config: pytest.Config) -> None:
    if test_database() is not None:
        terminalreporter.write_line(  # type: ignore[attr-defined]
            f"PostgreSQL pass: {len(_skipped_sqlite_only)} SQLite-only test(s) skipped")


@pytest.fixture(autouse=True)
async def _database_backend(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """SQLite files as usual; with KOORDINAT_TEST_DATABASE, a PostgreSQL schema per file path."""
    dsn = test_database()
    if dsn is None:
        yield
        return
    schemas = SchemaPerPath(dsn)
    schemas.install(monkeypatch)
    # Subprocesses (`python -m bot …`) run this worktree's code and map their file the same way.
    root = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("PYTEST_POSTGRES_DSN", dsn)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(root / "tests" / "postgres_subprocess"), str(root),
                                                      os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    try:
        yield
    finally:
        folder = request.node.funcargs.get("tmp_path")
        if isinstance(folder, Path):  # schemas only a subprocess opened (python -m bot …)
            from tests.postgres_support import schemas_under

            schemas.schemas |= schemas_under(folder)
        await schemas.drop()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=TEST_START)


@pytest.fixture
async def telegram() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
async def harness(telegram: FakeBotApi, tmp_path: Path, clock: ManualClock) -> AsyncIterator[Harness]:
    # People in these tests answer in milliseconds, which a real person never does; the
    # per-chat pace (1 message/s after a burst) has its own tests in test_outbox*.py.
    h = Harness(telegram, tmp_path / "koordinat.db", clock, private_chat_rate_per_second=50)
    await h.start()
    try:
        yield h
    finally:
        await h.stop()
