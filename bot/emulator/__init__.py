"""Local stand-ins for the chat platforms: a fake Telegram Bot API server (tests, demo).

Names are loaded on first use, so `python -m bot.emulator.bot_api` runs cleanly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.emulator.bot_api import (
        ApiCall,
        Button,
        CallbackAnswer,
        FakeBotApi,
        FakeChat,
        FakeUser,
        LimitViolations,
        SentMessage,
        UploadedFile,
    )

__all__ = [
    "ApiCall", "Button", "CallbackAnswer", "FakeBotApi", "FakeChat", "FakeUser",
    "LimitViolations", "SentMessage", "UploadedFile",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from bot.emulator import bot_api

        return getattr(bot_api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
