"""Old name of `bot.emulator.telegram.updates`, kept importable until every import uses the new one."""

import sys

from bot.emulator.telegram import updates as _module

sys.modules[__name__] = _module
