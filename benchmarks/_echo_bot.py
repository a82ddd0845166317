"""A bare python-telegram-bot echo bot (the baseline of `inbound_throughput`): PTB's own
long polling, every text echoed, every button press answered and its message edited (what
Koordinat does with an RSVP tap: two calls). No database.

Sequential by default (`BENCH_ECHO_CONCURRENCY=1`, PTB's own default): on the fake Bot API a
sequential PTB bot is faster than one handling 32 updates at once, so it is the fairer anchor.

    KOORDINAT_TELEGRAM_TOKEN=... KOORDINAT_TELEGRAM_API_URL=... python -m benchmarks._echo_bot
"""

from __future__ import annotations

import asyncio
import os
import signal

from telegram import Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo the text back."""
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


async def tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button press."""
    query = update.callback_query
    if query is not None:
        await query.answer()
        if query.message is not None:
            await query.edit_message_text(f"Yanıtınız: {query.data}", reply_markup=query.message.reply_markup)


async def main() -> None:
    app = (ApplicationBuilder().token(os.environ["KOORDINAT_TELEGRAM_TOKEN"])
           .base_url(os.environ["KOORDINAT_TELEGRAM_API_URL"]).concurrent_updates(int(os.environ.get("BENCH_ECHO_CONCURRENCY", "1"))).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(tap))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=10)
        await app.start()
        print("echo bot running", flush=True)
        await stop.wait()
        await app.updater.stop()
        await app.stop()


if __name__ == "__main__":
    asyncio.run(main())
