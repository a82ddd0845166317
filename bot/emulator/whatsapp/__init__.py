"""The fake WhatsApp Cloud (Graph) API: `FakeGraphApi` (see `graph_api`)."""

from bot.emulator.whatsapp.graph_api import FakeGraphApi, FakeWaUser, GraphError, WaMessage, sign

__all__ = ["FakeGraphApi", "FakeWaUser", "GraphError", "WaMessage", "sign"]
