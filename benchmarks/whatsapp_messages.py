"""Billed WhatsApp messages per join, per survey, per meeting notice and RSVP, and /toplanti's
first step, as the fake Graph API counts them (runs tests/test_whatsapp_counts.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "counts.json"
        env = dict(os.environ, KOORDINAT_WHATSAPP_COUNTS=str(out))
        run = subprocess.run([sys.executable, "-m", "pytest", "tests/test_whatsapp_counts.py", "-q",
                              "-p", "no:cacheprovider"], cwd=ROOT, env=env, capture_output=True, text=True)
        if not out.exists():
            print(run.stdout[-2000:], run.stderr[-2000:], file=sys.stderr)
            print(json.dumps({"benchmark": "whatsapp_messages", "ok": False}))
            return 1
        print(out.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
