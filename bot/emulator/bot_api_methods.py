"""Old name of `bot.emulator.telegram.methods`, kept importable until every import uses the new one."""

import sys

from bot.emulator.telegram import methods as _module

sys.modules[__name__] = _module
