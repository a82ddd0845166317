"""Use cases, one module per noun, wired together into `Services` (bot/services/wiring.py).

`Services` is built by the composition root (`bot.__main__`) and handed to the channel
adapters; it knows no chat platform.

Importing one feature module (`bot.services.groups`, `bot.services.quarantine`…) imports only
that module and what it uses: `Services` and `build_services` are loaded on first access
(PEP 562), so a CLI command that needs one feature does not import all of them (issue 24).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.services.wiring import Services, build_services

__all__ = ["Services", "build_services"]


def __getattr__(name: str) -> Any:
    """`Services` and `build_services` from bot/services/wiring.py, imported when first asked for."""
    if name in __all__:
        from bot.services import wiring

        return getattr(wiring, name)
    raise AttributeError(f"module 'bot.services' has no attribute {name!r}")
