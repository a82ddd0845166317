"""Shipped content as data: the indicator library (`indicators.toml`), the demo's groups and
people (`demo.toml`) and, later, survey and plan-cycle templates."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any


def load(name: str) -> dict[str, Any]:
    """The parsed TOML file `bot/content/<name>.toml`."""
    text = resources.files(__name__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)
