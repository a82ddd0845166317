"""Old name of `bot.emulator.telegram.waits`, kept importable until every import uses the new one."""

import sys

from bot.emulator.telegram import waits as _module

sys.modules[__name__] = _module
