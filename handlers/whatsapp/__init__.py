"""The WhatsApp adapter (Cloud API through pywa): webhook, payloads, rendering, channel."""

from handlers.whatsapp.channel import WhatsAppChannel
from handlers.whatsapp.client import CloudApi, build_client
from handlers.whatsapp.updates import add_keywords, forget_strangers
from handlers.whatsapp.webhook import WhatsAppWebhook

__all__ = ["CloudApi", "WhatsAppChannel", "WhatsAppWebhook", "add_keywords", "build_client", "forget_strangers"]
