"""Old name of `bot.emulator.telegram.control`, kept importable until every import uses the new one."""

import sys

from bot.emulator.telegram import control as _module

sys.modules[__name__] = _module
