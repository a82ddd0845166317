"""What every operator command that works on groups shares: the database opened, the
services built with the command's clock, and both closed when the command ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any

from bot.clock import Clock, operator_clock

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.services import Services
    from bot.services.groups import GroupService, InviteLinks
    from storage.db import Database


class OperatorServices:
    """The services of one CLI command, built when first used (start-up, issue 24).

    `groups` and `links` are built on their own, exactly as `build_services` builds them (they
    take no hooks from other features), so `group list`, `group create`, `group quiet` and
    `invite` import no feature. Any other attribute (`meetings`, `milestones`, `coplanning`,
    `extras`…) builds the whole `Services` with `build_services` once — every feature wired as
    in the running bot — and is read from it."""

    def __init__(self, settings: Settings, db: Database, clock: Clock) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self._all: Services | None = None

    @cached_property
    def groups(self) -> GroupService:
        if self._all is not None:
            return self._all.groups
        from bot.services.groups import GroupService

        return GroupService(self.db, self.clock.now, self.settings.timezone)

    @cached_property
    def links(self) -> InviteLinks:
        if self._all is not None:
            return self._all.links
        from bot.services.groups import InviteLinks

        return InviteLinks(self.settings.bot_username)

    @property
    def all(self) -> Services:
        """Every service, wired by `build_services` (built on first use)."""
        if self._all is None:
            from bot.services import build_services

            self._all = build_services(self.settings, self.db, self.clock)
        return self._all

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.all, name)


@asynccontextmanager
async def operator_services(settings: Settings) -> AsyncIterator[OperatorServices]:
    """The services of one CLI command (`OperatorServices`): `settings.database` opened (raises
    `DatabaseUnavailable` as `Database.open` does), the clock `operator_clock(settings.now)`
    (KOORDINAT_NOW or the wall clock); the database is closed when the block ends, however it
    ends."""
    from storage.db import Database

    db = await Database.open(settings.database)
    try:
        yield OperatorServices(settings, db, operator_clock(settings.now))
    finally:
        await db.close()
