"""Old name of `bot.emulator.telegram.server`, kept importable until every import uses the new one."""

import sys

from bot.emulator.telegram import server as _module

if __name__ == "__main__":
    _module.main()  # type: ignore[attr-defined]
else:
    sys.modules[__name__] = _module
