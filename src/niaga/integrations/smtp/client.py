"""SMTP sender using the standard library: STARTTLS or implicit TLS, optional login."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from niaga.integrations.base import ProviderError
from niaga.messaging.email import Email

PROVIDER = "smtp"


class SmtpSender:
    def __init__(
        self,
        *,
        host: str,
        port: int = 587,
        username: str | None = None,
        password: str | None = None,
        security: str = "starttls",
        timeout: float = 20.0,
    ) -> None:
        if security not in ("starttls", "ssl", "none"):
            raise ValueError("security must be starttls|ssl|none")
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.security = security
        self.timeout = timeout

    def build(self, email: Email) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = email.sender
        msg["To"] = ", ".join(email.to)
        msg["Subject"] = email.subject
        msg["Message-ID"] = make_msgid(domain=email.sender.rpartition("@")[2].strip(">") or None)
        if email.reply_to:
            msg["Reply-To"] = email.reply_to
        for k, v in email.headers.items():
            msg[k] = v
        msg.set_content(email.text)
        if email.html:
            msg.add_alternative(email.html, subtype="html")
        for a in email.attachments:
            maintype, _, subtype = (a.content_type or "application/octet-stream").partition("/")
            msg.add_attachment(a.content, maintype=maintype, subtype=subtype, filename=a.filename)
        return msg

    def send(self, email: Email, *, idempotency_key: str | None = None) -> str:
        """Send one email; returns the Message-ID. SMTP has no idempotency key (accepted for one shape)."""
        msg = self.build(email)
        try:
            if self.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                if self.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError as exc:
            raise ProviderError(f"smtp login refused: {exc}", provider=PROVIDER, permanent=True) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise ProviderError(f"smtp recipient refused: {exc}", provider=PROVIDER, permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ProviderError(f"smtp failed: {exc}", provider=PROVIDER, permanent=False) from exc
        return str(msg["Message-ID"])
