"""Old name of `bot.emulator.telegram.users`, kept importable until every import uses the new one."""

import sys

from bot.emulator.telegram import users as _module

sys.modules[__name__] = _module
