"""Local stand-ins for the chat platforms, for tests and `koordinat demo`:

- `bot.emulator.telegram`: the fake Telegram Bot API (`FakeBotApi`);
- `bot.emulator.whatsapp`: the fake WhatsApp Cloud (Graph) API (`FakeGraphApi`).

Names are loaded on first use, so `python -m bot.emulator.telegram` runs cleanly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.emulator.telegram import (
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
    from bot.emulator.whatsapp import FakeGraphApi, FakeWaUser, WaMessage

_TELEGRAM = ("ApiCall", "Button", "CallbackAnswer", "FakeBotApi", "FakeChat", "FakeUser",
             "LimitViolations", "SentMessage", "UploadedFile")
_WHATSAPP = ("FakeGraphApi", "FakeWaUser", "WaMessage")
__all__ = [*_TELEGRAM, *_WHATSAPP]


def __getattr__(name: str) -> Any:
    if name in _TELEGRAM:
        from bot.emulator import telegram

        return getattr(telegram, name)
    if name in _WHATSAPP:
        from bot.emulator import whatsapp

        return getattr(whatsapp, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
