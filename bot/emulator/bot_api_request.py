"""Old name of `bot.emulator.telegram.request`, kept importable until every import uses the new one."""

import sys

from bot.emulator.telegram import request as _module

sys.modules[__name__] = _module
