"""Email, the port: what a domain hands over to send an email (`Email`, `Attachment`) and the table of
email providers (`EMAIL_SENDERS`, kind -> factory(config, secrets)) that the Resend and SMTP adapters fill
at start-up (`niaga.integrations.registry`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from niaga.kit.ports import Port


@dataclass
class Attachment:
    filename: str
    content: bytes
    content_type: str | None = None


@dataclass
class Email:
    sender: str  # "Toko Budi <noreply@shop.example.com>"
    to: list[str]
    subject: str
    text: str
    html: str | None = None
    reply_to: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


class EmailSender(Protocol):
    """Errors are `kit.providers.ProviderError`. Returns the provider's reference for the email."""

    def send(self, email: Email, *, idempotency_key: str | None = None) -> str: ...


# kind ("resend", "smtp") -> factory(config, decrypted secrets) -> EmailSender
EMAIL_SENDERS: Port[Callable[[dict[str, Any], dict[str, Any]], EmailSender]] = Port("email sender")
