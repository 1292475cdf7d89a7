"""The explicit tables of provider adapters, installed at start-up (`niaga.jobs.registry.load_all` imports
`niaga.integrations.tasks`, which calls `install()`).

- `WEBHOOK_HANDLERS`: provider -> handler(db, event) for stored inbound events (`integrations/inbox.py`).
  An event of a provider missing here becomes a dead letter with a clear error.
- `CHANNEL_SENDERS`: channel kind -> factory(config) -> `messaging.channels.Sender` (the outbound port).
- `EMAIL_PROVIDERS`: email kind -> factory(config, secrets) -> `messaging.email.EmailSender`.
- `PAYMENT_GATEWAYS`: name -> `orders.payments.PaymentGateway` (payment links, reconciliation).
- `LLM_PROVIDERS`: "openai_compat" | "gemini" -> factory -> `agent.llm.LLMClient`.

A test (tests/jobs/test_registries.py) proves every provider and job kind resolves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from niaga.agent.llm import LLM_CLIENTS, LLMClient
from niaga.integrations import content_publishing, inbox
from niaga.integrations.fonnte import tasks as fonnte_tasks
from niaga.integrations.fonnte.client import FonnteClient
from niaga.integrations.gemini.client import GeminiClient
from niaga.integrations.midtrans import payments as midtrans_payments
from niaga.integrations.midtrans import tasks as midtrans_tasks
from niaga.integrations.openai_compat.client import OpenAICompatClient, OpenAIEmbeddingsClient
from niaga.integrations.resend.client import ResendClient
from niaga.integrations.smtp.client import SmtpSender
from niaga.integrations.starsender import tasks as starsender_tasks
from niaga.integrations.starsender.client import StarsenderClient
from niaga.integrations.telegram import tasks as telegram_tasks
from niaga.integrations.telegram import webhook as telegram_webhook
from niaga.integrations.telegram.client import TelegramClient
from niaga.integrations.waha import tasks as waha_tasks
from niaga.integrations.waha import webhook as waha_webhook
from niaga.integrations.waha.client import WahaClient
from niaga.knowledge.embeddings import EMBEDDERS
from niaga.messaging import channels
from niaga.messaging.email import EMAIL_SENDERS, EmailSender
from niaga.orders.payments import GATEWAYS, PaymentGateway

# Providers whose webhook endpoints store inbound events; each must have a handler below.
WEBHOOK_PROVIDERS: tuple[str, ...] = (
    waha_webhook.PROVIDER,
    telegram_webhook.PROVIDER,
    "midtrans",
    "fonnte",
    "starsender",
)

WEBHOOK_HANDLERS: dict[str, inbox.Handler] = {
    "waha": waha_tasks.handle,
    "telegram": telegram_tasks.handle,
    "midtrans": midtrans_tasks.handle,
    "fonnte": fonnte_tasks.handle,
    "starsender": starsender_tasks.handle,
}

CHANNEL_SENDERS: dict[str, Callable[[channels.ChannelConfig], Any]] = {
    "waha": WahaClient.from_config,
    "fonnte": FonnteClient.from_config,
    "starsender": StarsenderClient.from_config,
    "telegram": TelegramClient.from_config,
}


def _resend(config: dict[str, Any], secrets: dict[str, Any]) -> EmailSender:
    return ResendClient(secrets["api_key"], base_url=config.get("base_url"))


def _smtp(config: dict[str, Any], secrets: dict[str, Any]) -> EmailSender:
    return SmtpSender(
        host=config["host"],
        port=int(config.get("port") or 587),
        username=config.get("username"),
        password=secrets.get("password"),
        security=config.get("security") or "starttls",
    )


EMAIL_PROVIDERS: dict[str, Callable[[dict[str, Any], dict[str, Any]], EmailSender]] = {
    "resend": _resend,
    "smtp": _smtp,
}

PAYMENT_GATEWAYS: dict[str, PaymentGateway] = {
    "midtrans": midtrans_payments,  # the module implements the PaymentGateway protocol
}

LLM_PROVIDERS: dict[str, Callable[..., LLMClient]] = {
    "openai_compat": OpenAICompatClient,
    "gemini": GeminiClient,
}


def install() -> None:
    """Register every adapter in the domains' ports (idempotent)."""
    inbox.EXPECTED.update(WEBHOOK_PROVIDERS)
    inbox.HANDLERS.update(WEBHOOK_HANDLERS)
    for kind, factory in CHANNEL_SENDERS.items():
        channels.SENDERS.register(kind, factory)
    for kind, email_factory in EMAIL_PROVIDERS.items():
        EMAIL_SENDERS.register(kind, email_factory)
    for name, gateway in PAYMENT_GATEWAYS.items():
        GATEWAYS.register(name, gateway)
    for name, llm_factory in LLM_PROVIDERS.items():
        LLM_CLIENTS.register(name, llm_factory)
    EMBEDDERS.register("openai_compat", OpenAIEmbeddingsClient)
    content_publishing.install()  # publishers (Meta, TikTok, Telegram channel) and content approval
