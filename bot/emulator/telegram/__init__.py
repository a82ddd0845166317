"""The fake Telegram Bot API (`FakeBotApi`, see `server`), its records and its users.

Run it standalone with `python -m bot.emulator.telegram --port 8081`.
"""

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

__all__ = ["ApiCall", "Button", "CallbackAnswer", "FakeBotApi", "FakeChat", "FakeUser", "LimitViolations",
           "SentMessage", "UploadedFile"]
