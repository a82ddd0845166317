"""Old name of `bot.emulator.telegram.markup`, kept importable until every import uses the new one."""

import sys

from bot.emulator.telegram import markup as _module

sys.modules[__name__] = _module
