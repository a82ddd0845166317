"""Old name of `bot.emulator.telegram.limits`, kept importable until every import uses the new one."""

import sys

from bot.emulator.telegram import limits as _module

sys.modules[__name__] = _module
