"""The fake Bot API, driven by the real python-telegram-bot over loopback HTTP."""

from __future__ import annotations

import asyncio
import struct
import time
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.emulator import FakeBotApi, FakeUser

pytestmark = pytest.mark.asyncio

TOKEN = "123456:TEST-token"
AYSE = FakeUser(1001, "Ayşe")
ZEYNEP = FakeUser(1002, "Zeynep", language_code="en", username="zeynep")
GROUP = -1001234567890


def png(width: int = 2, height: int = 3) -> bytes:
    """A valid tiny PNG, so sendPhoto has a real picture to size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest_asyncio.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=server.base_url, base_file_url=server.file_base_url) as client:
        yield client


@asynccontextmanager
async def running(app: Application) -> AsyncIterator[Application]:
    """Run an Application with long polling, and shut it down cleanly."""
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=5)
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def build_app(server: FakeBotApi) -> Application:
    return (
        ApplicationBuilder().token(TOKEN).base_url(server.base_url)
        .base_file_url(server.file_base_url).build()
    )


# --- the real Application end to end ----------------------------------------------------------

async def test_start_with_payload_reaches_the_handler_and_the_reply_is_recorded(
    server: FakeBotApi,
) -> None:
    seen_args: list[list[str]] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen_args.append(list(context.args or []))
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "<b>Hoş geldin</b>, katıldın.",
            parse_mode="HTML",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("Evet", callback_data="rsvp:7:yes")]]
            ),
        )

    app = build_app(server)
    app.add_handler(CommandHandler("start", start))
    async with running(app):
        await server.send_text(AYSE, "/start ABC")
        reply = await server.wait_for_message(AYSE.id)

    assert seen_args == [["ABC"]]
    assert reply.text == "Hoş geldin, katıldın."
    assert reply.raw_text == "<b>Hoş geldin</b>, katıldın."
    assert reply.entities == [{"type": "bold", "offset": 0, "length": 10}]
    assert reply.button_texts == ["Evet"] and reply.callback_datas == ["rsvp:7:yes"]
    assert server.messages(AYSE.id) == [reply]
    assert server.pending_updates == 0


async def test_a_button_press_reaches_the_callback_handler(server: FakeBotApi) -> None:
    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer("Kaydedildi")
        await query.edit_message_text(f"Yanıtın: {query.data}")

    app = build_app(server)
    app.add_handler(CallbackQueryHandler(on_press))
    server.open_private_chat(AYSE)
    async with running(app):
        sent = await app.bot.send_message(
            AYSE.id, "Geliyor musun?",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("Evet", callback_data="rsvp:7:yes"),
                  InlineKeyboardButton("Hayır", callback_data="rsvp:7:no")]]
            ),
        )
        message = await server.wait_for_message(AYSE)
        assert message.message_id == sent.message_id
        press = await server.press_button(AYSE, message, "Hayır")  # by text or callback_data
        answer = await server.wait_for_callback_answer(press)
        await server.wait_for_edit(message)

    assert answer.text == "Kaydedildi" and not answer.show_alert
    assert message.text == "Yanıtın: rsvp:7:no"
    assert message.buttons == []  # an edit without reply_markup drops the keyboard
    assert message.history[0].text == "Geliyor musun?"


async def test_commands_in_a_group_follow_privacy_mode(server: FakeBotApi) -> None:
    heard: list[str] = []

    async def help_(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text
        heard.append(update.effective_message.text)
        await update.effective_message.reply_text("yardım")

    server.add_group_chat(GROUP, "Kars kadın çalışma grubu", members=[AYSE, ZEYNEP])
    app = build_app(server)
    app.add_handler(CommandHandler("help", help_))
    async with running(app):
        assert await server.send_text(AYSE, "merhaba herkese", chat_id=GROUP) is None
        assert await server.send_text(AYSE, "/help@other_bot", chat_id=GROUP) is None
        await server.send_text(ZEYNEP, "/help@koordinat_bot", chat_id=GROUP)
        reply = await server.wait_for_message(GROUP)

    assert heard == ["/help@koordinat_bot"]
    assert reply.text == "yardım" and reply.reply_to_message_id is not None


# --- failures answered like Telegram ----------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "parse_mode", "description"),
    [
        ("", None, "message text is empty"),
        ("   ", None, "message text is empty"),
        ("<b></b>", "HTML", "message text is empty"),
        ("x" * 4097, None, "message is too long"),
        ("<b>" + "ş" * 4097 + "</b>", "HTML", "message is too long"),
        ("<foo>x</foo>", "HTML",
         "can't parse entities: Unsupported start tag \"foo\" at byte offset 0"),
        ("Toplantı <b>yarın", "HTML",
         "can't parse entities: Can't find end tag corresponding to start tag \"b\""),
        ("<b>x</i>", "HTML",
         "can't parse entities: Unmatched end tag at byte offset 4, "
         "expected \"</b>\", found \"</i>\""),
        ("1 < 2", "HTML", "can't parse entities: Unsupported start tag \"\" at byte offset 2"),
        ("Kadın & Çocuk", "HTML", "can't parse entities: Unescaped \"&\" at byte offset 7"),
        ("Saat 10.00", "MarkdownV2",
         "can't parse entities: Character '.' is reserved and must be escaped "
         "with the preceding '\\'"),
    ],
    ids=lambda value: value[:30] if isinstance(value, str) else str(value),
)
async def test_bad_texts_raise_bad_request(
    server: FakeBotApi, bot: Bot, text: str, parse_mode: str | None, description: str
) -> None:
    server.open_private_chat(AYSE)
    with pytest.raises(BadRequest):
        await bot.send_message(AYSE.id, text, parse_mode=parse_mode)
    call = server.calls[-1]
    assert call.status == 400 and call.error is not None
    assert call.error.startswith("Bad Request: " + description)
    assert server.messages(AYSE.id) == []


async def test_the_limit_counts_visible_characters(server: FakeBotApi, bot: Bot) -> None:
    server.open_private_chat(AYSE)
    sent = await bot.send_message(AYSE.id, "<b>" + "ğ" * 4096 + "</b>", parse_mode="HTML")
    assert len(sent.text or "") == 4096
    await bot.send_document(AYSE.id, b"x", filename="a.txt", caption="c" * 1024)
    with pytest.raises(BadRequest, match="(?i)message caption is too long"):
        await bot.send_document(AYSE.id, b"x", filename="a.txt", caption="c" * 1025)


async def test_keyboard_mistakes(server: FakeBotApi, bot: Bot) -> None:
    server.open_private_chat(AYSE)
    too_long = InlineKeyboardButton("Evet", callback_data="ş" * 33)  # 33 chars, 66 bytes
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(AYSE.id, "?", reply_markup=InlineKeyboardMarkup([[too_long]]))
    with pytest.raises(BadRequest, match="(?i)text buttons are unallowed"):
        text_only = {"inline_keyboard": [[{"text": "Evet"}]]}
        await bot.send_message(AYSE.id, "?", reply_markup=text_only)  # type: ignore[arg-type]
    ok = InlineKeyboardButton("Evet", callback_data="ş" * 32)  # exactly 64 bytes
    await bot.send_message(AYSE.id, "?", reply_markup=InlineKeyboardMarkup([[ok]]))


async def test_edits_that_change_nothing_or_target_nothing(server: FakeBotApi, bot: Bot) -> None:
    server.open_private_chat(AYSE)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Evet", callback_data="y")]])
    sent = await bot.send_message(AYSE.id, "<i>Soru</i>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match="(?i)message is not modified: specified new message"):
        await bot.edit_message_text(
            "<i>Soru</i>", AYSE.id, sent.message_id, parse_mode="HTML", reply_markup=markup
        )
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_reply_markup(AYSE.id, sent.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", AYSE.id, 999)
    await bot.edit_message_reply_markup(AYSE.id, sent.message_id, reply_markup=None)
    stored = server.message(AYSE.id, sent.message_id)
    assert stored is not None and stored.buttons == [] and stored.text == "Soru"


async def test_unknown_and_blocked_chats(server: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(AYSE.id, "Merhaba")  # she never wrote to the bot
    server.open_private_chat(AYSE)
    server.block(AYSE.id)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(AYSE.id, "Merhaba")
    updates = await bot.get_updates()
    assert updates[-1].my_chat_member is not None
    assert updates[-1].my_chat_member.new_chat_member.status == "kicked"
    await server.send_text(AYSE, "/start")  # writing again unblocks
    await bot.send_message(AYSE.id, "Tekrar hoş geldin")


async def test_flood_control_and_server_errors(
    server: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # else PTB warns on RetryAfter.retry_after
    server.open_private_chat(AYSE)
    server.fail_next("sendMessage", chat_id=AYSE.id, error_code=429, retry_after=3)
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(AYSE.id, "x")
    assert flood.value.retry_after == timedelta(seconds=3)
    assert server.calls[-1].error == "Too Many Requests: retry after 3"
    server.fail_next("sendMessage", error_code=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(AYSE.id, "x")
    server.drop_connection_next("sendMessage", after_processing=True)
    with pytest.raises(NetworkError):
        await bot.send_message(AYSE.id, "delivered, answer lost")
    await bot.send_message(AYSE.id, "x")
    assert [m.text for m in server.messages(AYSE.id)] == ["delivered, answer lost", "x"]


async def test_rate_limits_are_counted_and_optionally_enforced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    clock = [1000.0]
    async with FakeBotApi(monotonic=lambda: clock[0]) as counting:
        async with Bot(TOKEN, base_url=counting.base_url) as client:
            counting.open_private_chat(AYSE)
            for _ in range(3):
                await client.send_message(AYSE.id, "x")
            clock[0] += 1.5
            await client.send_message(AYSE.id, "x")
        assert counting.limit_violations().per_chat_per_second == 2
        assert counting.limit_violations().total == 2
    async with FakeBotApi(enforce_limits=True, monotonic=lambda: clock[0]) as strict:
        async with Bot(TOKEN, base_url=strict.base_url) as client:
            strict.open_private_chat(AYSE)
            await client.send_message(AYSE.id, "x")
            with pytest.raises(RetryAfter):
                await client.send_message(AYSE.id, "x")
        assert len(strict.messages(AYSE.id)) == 1


async def test_wrong_token_and_unknown_method() -> None:
    async with FakeBotApi(token=TOKEN) as strict:
        async with Bot(TOKEN, base_url=strict.base_url) as good:
            assert (await good.get_me()).username == "koordinat_bot"
        with pytest.raises(InvalidToken):
            async with Bot("999:WRONG", base_url=strict.base_url):
                pass
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{strict.base_url}{TOKEN}/sendCarrierPigeon") as response:
                assert response.status == 404
                assert await response.json() == {
                    "ok": False, "error_code": 404, "description": "Not Found"
                }


async def test_json_and_form_bodies_are_both_accepted(server: FakeBotApi) -> None:
    server.open_private_chat(AYSE)
    async with aiohttp.ClientSession() as http:
        url = f"{server.base_url}{TOKEN}/sendMessage"
        markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
        payload = {"chat_id": AYSE.id, "text": "json", "reply_markup": markup}
        async with http.post(url, json=payload) as r:
            body = await r.json()
            assert body["ok"] is True and body["result"]["reply_markup"] == markup
        form = {"chat_id": str(AYSE.id), "text": "form", "disable_notification": "true"}
        async with http.post(url, data=form) as r:
            assert (await r.json())["result"]["text"] == "form"
    assert server.calls[-1].params["chat_id"] == AYSE.id
    assert server.calls[-1].params["disable_notification"] is True


# --- files ------------------------------------------------------------------------------------

async def test_documents_and_photos_keep_their_bytes(server: FakeBotApi, bot: Bot) -> None:
    server.open_private_chat(AYSE)
    report = b"%PDF-1.4 izleme raporu"
    sent = await bot.send_document(AYSE.id, report, filename="rapor.pdf", caption="Rapor")
    assert sent.document is not None and sent.document.file_name == "rapor.pdf"
    stored = server.last_message(AYSE.id)
    assert stored is not None
    assert stored.document_name == "rapor.pdf" and stored.caption == "Rapor"
    assert stored.document_bytes == report
    assert server.calls[-1].files["document"].data == report
    downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == report

    photo = await bot.send_photo(AYSE.id, png(), caption="QR")
    assert (photo.photo[-1].width, photo.photo[-1].height) == (2, 3)
    assert server.messages(AYSE.id)[-1].photo_bytes == png()
    with pytest.raises(BadRequest, match="(?i)image_process_failed"):
        await bot.send_photo(AYSE.id, b"not a picture")

    await server.send_photo_from(AYSE, png(), caption="kanıt")
    update = (await bot.get_updates())[-1]
    assert update.message is not None and update.message.caption == "kanıt"


# --- updates: long polling, offsets, webhooks -------------------------------------------------

async def test_long_polling_returns_as_soon_as_an_update_arrives(
    server: FakeBotApi, bot: Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await server.wait_until(lambda: any(c.method == "getUpdates" for c in server.calls))
    started = time.monotonic()
    update_id = await server.send_text(AYSE, "merhaba")
    updates = await poll
    assert time.monotonic() - started < 1.0
    assert [u.update_id for u in updates] == [update_id]

    await server.send_text(AYSE, "ikinci")
    again = await bot.get_updates(offset=update_id + 1, timeout=0)  # confirms the first
    assert [u.message.text for u in again if u.message] == ["ikinci"]
    assert server.pending_updates == 1


async def test_a_second_poller_ends_the_first_with_conflict(server: FakeBotApi, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await server.wait_until(lambda: len(server.calls) >= 1, what="the first poll")
    async with Bot(TOKEN, base_url=server.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


async def test_allowed_updates_filter_what_polling_returns(server: FakeBotApi, bot: Bot) -> None:
    server.open_private_chat(AYSE)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    sent = await bot.send_message(AYSE.id, "?", reply_markup=keyboard)
    await server.send_text(AYSE, "metin")
    await server.press_button(AYSE, sent.message_id, "a")
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in updates if u.callback_query] == ["a"]
    assert len(updates) == 1
    with pytest.raises(AssertionError, match="not on that message"):
        await server.press_button(AYSE, sent.message_id, "b")


async def test_updates_go_to_the_webhook_with_the_secret(server: FakeBotApi, bot: Bot) -> None:
    received: list[tuple[dict[str, object], str | None]] = []

    async def hook(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        received.append((await request.json(), secret))
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        assert server.webhook_url == f"http://127.0.0.1:{port}/hook"
        await server.send_text(AYSE, "/start")
        await server.wait_until(lambda: len(received) == 1, what="webhook delivery")
        assert received[0][1] == "s3cret"
        assert received[0][0]["message"]["text"] == "/start"  # type: ignore[index]
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        await server.wait_until(lambda: server.pending_updates == 0, what="confirmation")
        assert (await bot.get_webhook_info()).pending_update_count == 0
        await bot.delete_webhook()
    finally:
        await runner.cleanup()


# --- commands and helpers ---------------------------------------------------------------------

async def test_commands_are_stored_per_scope_and_language(server: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Başla"), ("yardim", "Yardım")], language_code="tr")
    await bot.set_my_commands([("start", "Start")], language_code="en")
    assert [c.command for c in await bot.get_my_commands(language_code="tr")] == ["start", "yardim"]
    assert server.commands(language_code="en") == [{"command": "start", "description": "Start"}]
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
        await bot.set_my_commands([("Start", "Büyük harf")])
    await bot.delete_my_commands(language_code="en")
    assert server.commands(language_code="en") == []


async def test_a_timed_out_wait_shows_the_transcript(server: FakeBotApi, bot: Bot) -> None:
    await server.send_text(AYSE, "/start")
    await bot.send_message(AYSE.id, "Hoş geldin")
    await server.wait_for_message(AYSE)
    with pytest.raises(BadRequest):
        await bot.send_message(AYSE.id, "<b>kırık", parse_mode="HTML")
    with pytest.raises(AssertionError) as failure:
        await server.wait_for_message(AYSE, timeout=0.1)
    report = str(failure.value)
    assert "Ayşe: '/start'" in report and "bot: 'Hoş geldin'" in report
    assert "can't parse entities" in report


async def test_the_control_api_lets_another_process_play_a_user(
    server: FakeBotApi, bot: Bot
) -> None:
    async with aiohttp.ClientSession() as http:
        user = {"id": AYSE.id, "first_name": "Ayşe"}
        command = {"user": user, "text": "/start"}
        async with http.post(f"{server.url}/_emulator/send_text", json=command) as r:
            assert (await r.json())["ok"] is True
        (update,) = await bot.get_updates()
        assert update.message is not None and update.message.text == "/start"
        await bot.send_message(AYSE.id, "Hoş geldin")
        query = {"chat_id": str(AYSE.id)}
        async with http.get(f"{server.url}/_emulator/messages", params=query) as r:
            assert [m["text"] for m in (await r.json())["messages"]] == ["Hoş geldin"]


async def test_the_fake_serves_updates_no_library_can_parse_or_store(server: FakeBotApi) -> None:
    """Issue 18: a field of a newer Bot API with an unexpected type, and text with a lone
    UTF-16 surrogate, sent as Telegram sends it (a JSON escape); also through the control API."""
    import json as json_module

    server.send_raw(AYSE, {"text": "hi \ud83d", "checklist": 5})
    async with aiohttp.ClientSession() as http:
        command = {"user": {"id": AYSE.id, "first_name": "Ayşe"}, "fields": {"date": "yesterday"}}
        async with http.post(f"{server.url}/_emulator/send_raw", json=command) as r:
            assert (await r.json())["ok"] is True
        async with http.post(f"{server.base_url}{TOKEN}/getUpdates") as r:
            raw = await r.read()
    assert b"\\ud83d" in raw  # escaped, as Telegram does: there is no UTF-8 form
    first, second = json_module.loads(raw)["result"]
    assert first["message"]["text"] == "hi \ud83d" and first["message"]["checklist"] == 5
    assert second["message"]["date"] == "yesterday"


async def test_the_fake_knows_forum_topics(server: FakeBotApi, bot: Bot) -> None:
    from telegram.error import BadRequest as TelegramBadRequest

    server.add_forum(-1009009, "Forum", members=[AYSE])
    topic = server.create_topic(-1009009, "Duyurular")
    sent = await bot.send_message(-1009009, "konu", message_thread_id=topic)
    assert sent.message_thread_id == topic and sent.is_topic_message
    server.set_topic(-1009009, topic, "closed")
    with pytest.raises(TelegramBadRequest, match="(?i)topic_closed"):
        await bot.send_message(-1009009, "kapalı", message_thread_id=topic)
    server.set_topic(-1009009, topic, "deleted")
    with pytest.raises(TelegramBadRequest, match="thread not found"):
        await bot.send_message(-1009009, "silinmiş", message_thread_id=topic)
    await bot.send_message(-1009009, "genel")  # General is open
    server.set_topic(-1009009, None, "closed")
    with pytest.raises(TelegramBadRequest, match="(?i)topic_closed"):
        await bot.send_message(-1009009, "genel kapalı")
