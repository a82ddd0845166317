"""Old name of `bot.emulator.telegram.records`, kept importable until every import uses the new one."""

import sys

from bot.emulator.telegram import records as _module

sys.modules[__name__] = _module
