"""Play the scripted demo tour and keep its database: `python -m benchmarks._demo_database DIR`
leaves DIR/demo.db (four groups, their people, meetings, milestones, surveys with answers,
proposal rounds, lessons, a monitoring report) for benchmarks/startup.py's CLI commands. Run
with DIR's parent as the working directory (the tour writes its files to demo-files/ there)."""

from __future__ import annotations

import sys
from pathlib import Path

import bot.demo as demo
from bot.__main__ import main

if __name__ == "__main__":
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    # The scripted tour plays in a temporary folder it deletes; here it plays in `folder`.
    demo._state_folder = lambda files, temporary, *, script, fresh: (folder, False)  # noqa: SLF001
    sys.exit(main(["demo", "--script"]))
