"""What every operator command that works on groups shares: the database opened, the
services built with the command's clock, and both closed when the command ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from bot.clock import operator_clock

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.services import Services


@asynccontextmanager
async def operator_services(settings: Settings) -> AsyncIterator[Services]:
    """The services of one CLI command: `settings.database` opened (raises `DatabaseUnavailable`
    as `Database.open` does), the clock `operator_clock(settings.now)` (KOORDINAT_NOW or the
    wall clock); the database is closed when the block ends, however it ends."""
    from bot.services import build_services  # imported by the command that runs (start-up, issue 24)
    from storage.db import Database

    db = await Database.open(settings.database)
    try:
        yield build_services(settings, db, operator_clock(settings.now))
    finally:
        await db.close()
