"""Waiting helpers for tests: block until the bot has done something, never sleep blindly.

Mixed into `FakeBotApi`. Every wait fails with an AssertionError that shows the chat's
transcript and the API calls that failed, so a test that times out says what the user saw.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from bot.emulator.telegram.methods import BotApiMethods
from bot.emulator.telegram.records import ApiCall, CallbackAnswer, FakeUser, SentMessage
from bot.emulator.waits import DEFAULT_WAIT


class Waiting:
    """Needs `_api`, `calls`, `_completed`, `_in_flight` and `_last_activity` from the server."""

    _api: BotApiMethods
    calls: list[ApiCall]
    _completed: dict[str, list[ApiCall]]
    _in_flight: int
    _last_activity: float

    async def wait_until(
        self, condition: Callable[[], bool], *, timeout: float = DEFAULT_WAIT, what: str = "condition"
    ) -> None:
        """Wait until `condition()` is true.

        It is re-checked after every API call and webhook delivery, and every 50 ms for
        conditions on state the fake server does not see (a test's own webhook receiver).
        """
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            await self._api.changed.wait(min(remaining, 0.05))

    async def wait_for_message(
        self,
        chat_id: int | FakeUser,
        predicate: Callable[[SentMessage], bool] | None = None,
        *,
        timeout: float = DEFAULT_WAIT,
        after: int | SentMessage | None = None,
    ) -> SentMessage:
        """The next bot message in the chat (matching `predicate`, if given).

        "Next" means after message_id `after` when given, else after the last message this
        method returned for that chat, so successive calls walk through the conversation.
        """
        key = chat_id.id if isinstance(chat_id, FakeUser) else chat_id
        start = after.message_id if isinstance(after, SentMessage) else after
        scanned: int | None = None
        deadline = time.monotonic() + timeout
        while True:
            chat = self._api.chats.chats.get(key)
            if chat is not None:
                if start is None:
                    start = chat.cursor
                if scanned is None:
                    scanned = chat.sent_after(start)
                while scanned < len(chat.sent):
                    message = chat.sent[scanned]
                    scanned += 1
                    if predicate is None or predicate(message):
                        chat.cursor = max(chat.cursor, message.message_id)
                        return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                kind = "matching message" if predicate else "message"
                raise AssertionError(
                    f"no {kind} from the bot in chat {key} after #{start or 0} within "
                    f"{timeout}s\n{self.transcript(key)}{self._failed_calls_note()}"
                )
            await self._api.changed.wait(remaining)

    async def wait_for_edit(
        self,
        message: SentMessage,
        predicate: Callable[[SentMessage], bool] | None = None,
        *,
        timeout: float = DEFAULT_WAIT,
    ) -> SentMessage:
        """Wait until `message` is edited (again), or until `predicate(message)` holds."""
        edits = len(message.history) + 1

        def done() -> bool:
            return predicate(message) if predicate else len(message.history) >= edits

        try:
            await self.wait_until(done, timeout=timeout, what=f"an edit of #{message.message_id}")
        except AssertionError as exc:
            raise AssertionError(
                f"{exc}\n{self.transcript(message.chat_id)}{self._failed_calls_note()}"
            ) from None
        return message

    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        *,
        timeout: float = DEFAULT_WAIT,
        predicate: Callable[[ApiCall], bool] | None = None,
    ) -> list[ApiCall]:
        """Wait until `count` calls of `method` (matching `predicate`) have been answered."""
        name = method.lower()
        scanned = matched = 0

        def enough() -> bool:
            nonlocal scanned, matched
            done = self._completed.get(name, [])
            if predicate is None:
                return len(done) >= count
            while scanned < len(done):  # incremental: each call is looked at once
                matched += bool(predicate(done[scanned]))
                scanned += 1
            return matched >= count

        try:
            await self.wait_until(enough, timeout=timeout, what=f"{count} {method} call(s)")
        except AssertionError as exc:
            got = len(self._completed.get(name, []))
            raise AssertionError(f"{exc}; {got} answered{self._failed_calls_note()}") from None
        done = self._completed.get(name, [])
        return [c for c in done if predicate(c)] if predicate else list(done)

    async def wait_for_callback_answer(
        self, update_id: int, *, timeout: float = DEFAULT_WAIT
    ) -> CallbackAnswer:
        """The answerCallbackQuery reply to the button press that made update `update_id`."""
        press = next((p for p in self._api.presses.values() if p.update_id == update_id), None)
        if press is None:
            raise AssertionError(f"update {update_id} was not a button press")
        await self.wait_until(
            lambda: press.answer is not None, timeout=timeout,
            what=f"answerCallbackQuery for the press of {press.data!r}",
        )
        assert press.answer is not None
        return press.answer

    async def wait_idle(self, quiet: float = 0.2, *, timeout: float = DEFAULT_WAIT) -> None:
        """Wait until updates are confirmed and no API call (other than getUpdates) came for
        `quiet` seconds. Useful in benchmarks and demos; tests should wait for what they expect."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            idle_for = now - self._last_activity
            if len(self._api.updates) == 0 and self._in_flight == 0 and idle_for >= quiet:
                return
            if now >= deadline:
                raise AssertionError(
                    f"not idle after {timeout}s: {len(self._api.updates)} pending updates, "
                    f"{self._in_flight} requests in flight"
                )
            await asyncio.sleep(min(max(quiet - idle_for, 0.01), deadline - now))

    def transcript(self, chat_id: int | FakeUser) -> str:
        """What was said in the chat, both ways, oldest first (the last 40 messages)."""
        key = chat_id.id if isinstance(chat_id, FakeUser) else chat_id
        chat = self._api.chats.chats.get(key)
        return chat.describe() if chat is not None else f"--- chat {key}: no messages ---"

    def _failed_calls_note(self, last: int = 8) -> str:
        failed = [c for c in self.calls[-500:] if c.status not in (0, 200)][-last:]
        if not failed:
            return ""
        lines = [f"  {c.method} chat_id={c.chat_id}: {c.status} {c.error}" for c in failed]
        return "\nrecent failed Bot API calls:\n" + "\n".join(lines)
