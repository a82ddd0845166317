"""Old name of `bot.emulator.telegram.store`, kept importable until every import uses the new one."""

import sys

from bot.emulator.telegram import store as _module

sys.modules[__name__] = _module
