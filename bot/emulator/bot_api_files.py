"""Old name of `bot.emulator.telegram.files`, kept importable until every import uses the new one."""

import sys

from bot.emulator.telegram import files as _module

sys.modules[__name__] = _module
