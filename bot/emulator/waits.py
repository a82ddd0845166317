"""How long a test's wait for the bot may take before it fails.

Tests wait for events (a message, an edit, an idle outbox), never for fixed times: a passing
test never sleeps this long, so the limit is generous for a loaded two-core machine running
the suite in parallel (`pytest -n 2`). `KOORDINAT_WAIT_SECONDS` changes it."""

from __future__ import annotations

import os

DEFAULT_WAIT = float(os.environ.get("KOORDINAT_WAIT_SECONDS", "30"))
