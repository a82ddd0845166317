"""The pywa async client, pointed at the configured Graph API (Meta's, or a local stand-in)."""

from __future__ import annotations

import logging
import re

import httpx
from pywa_async import WhatsApp

from bot.config import Settings

_LONG_NUMBER = re.compile(r"\+?\d{9,15}")


class PhoneMask(logging.Filter):
    """Masks phone-number-like digit runs in library log lines (pywa logs recipients at debug)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _LONG_NUMBER.sub(lambda m: m.group()[:3] + "*" * (len(m.group()) - 5) + m.group()[-2:], message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class CloudApi:
    """The pywa client and the HTTP session it uses (ours, so that we can close it)."""

    def __init__(self, client: WhatsApp, session: httpx.AsyncClient) -> None:
        self.client = client
        self.session = session

    async def close(self) -> None:
        await self.session.aclose()


def build_client(settings: Settings) -> CloudApi:
    """A pywa `WhatsApp` for sending and media; webhooks are served by `handlers.web`."""
    assert settings.whatsapp_token is not None and settings.whatsapp_phone_number_id
    session = httpx.AsyncClient(timeout=httpx.Timeout(20.0, connect=5.0))
    client = WhatsApp(phone_id=settings.whatsapp_phone_number_id,
                      token=settings.whatsapp_token.get_secret_value(), session=session,
                      api_version=float(settings.whatsapp_api_version), validate_updates=False,
                      filter_updates=False)
    # pywa fixes graph.facebook.com on the session it is given; ours may point elsewhere.
    session.base_url = f"{settings.whatsapp_api_url}/v{settings.whatsapp_api_version}"
    # pywa logs request bodies (recipients, texts) at DEBUG: keep it at WARNING, and mask
    # phone numbers in whatever it does log (filters apply per logger, so name each one).
    logging.getLogger("pywa").setLevel(logging.WARNING)
    for name in ("pywa", "pywa.api", "pywa.client", "pywa.helpers", "pywa.server", "pywa.handlers",
                 "pywa_async.api", "pywa_async.client", "pywa_async.server", "httpx"):
        logger = logging.getLogger(name)
        if not any(isinstance(existing, PhoneMask) for existing in logger.filters):
            logger.addFilter(PhoneMask())
    return CloudApi(client, session)
