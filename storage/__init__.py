"""Persistence: aiosqlite repositories, the only code that speaks SQL."""

from storage.db import Database

__all__ = ["Database"]
