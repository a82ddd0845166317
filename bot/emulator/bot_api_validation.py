"""Old name of `bot.emulator.telegram.validation`, kept importable until every import uses the new one."""

import sys

from bot.emulator.telegram import validation as _module

sys.modules[__name__] = _module
