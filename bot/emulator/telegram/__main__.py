"""`python -m bot.emulator.telegram --port 8081`: the fake Bot API on its own."""

from bot.emulator.telegram.server import main

main()
