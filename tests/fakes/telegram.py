"""The fake Telegram Bot API for tests (it lives in `bot.emulator` so the demo can use it too)."""

from bot.emulator.telegram.server import (
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
