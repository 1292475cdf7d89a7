"""The one place that sends the weekly owner report out: email (the business's Resend/SMTP), the Telegram
admin chat, and a WhatsApp number. It only calls the existing public senders of the integrations, so a
refactor of their import paths only touches this file.

Returns what happened per channel: "sent", "not_configured" or "failed: …" (a failure on one channel does
not stop the others; the job retries only when every configured channel failed temporarily).
"""

from __future__ import annotations

import tempfile
from html import escape
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from niaga.db.engine import session_scope
from niaga.messaging import channels
from niaga.messaging.email import Attachment, Email
from niaga.ops.logging import get_logger
from niaga.orders.invoices import email_sender
from niaga.tenancy.models import Business, Membership, User

log = get_logger("niaga.marketing.delivery")

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def owner_emails(db: Any, business_id: int) -> list[str]:
    return list(
        db.scalars(
            sa.select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.business_id == business_id, Membership.role == "owner", User.is_active.is_(True)
            )
            .order_by(User.id)
        )
    )


def _email(
    business_id: int, to: list[str], subject: str, text: str, files: list[tuple[str, bytes, str]], key: str
) -> str:
    with session_scope() as db:
        sender = email_sender(db, business_id)
    if sender is None or not to:
        return "not_configured"
    kind, client, from_addr = sender
    email = Email(
        sender=from_addr,
        to=to,
        subject=subject,
        text=text,
        html="<p>" + escape(text).replace("\n", "<br>") + "</p>",
        attachments=[Attachment(n, b, t) for n, b, t in files],
    )
    if kind == "resend":
        client.send(email, idempotency_key=key)
    else:
        client.send(email)
    return "sent"


def _chat(cfg: Any, chat_id: str, text: str, files: list[tuple[str, bytes, str]]) -> str:
    client = channels.make_sender(cfg)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for i, (name, data, mime) in enumerate(files):
                path = Path(tmp) / name
                path.write_bytes(data)
                client.send_file(
                    chat_id=chat_id,
                    file=channels.OutboundFile(filename=name, mimetype=mime, path=path),
                    caption=text if i == 0 else "",
                )
    finally:
        close = getattr(client, "close", None)
        if close is not None:
            close()
    return "sent"


def send_report(
    business_id: int, *, filename_stem: str, pdf: bytes, xlsx: bytes, summary: str, subject: str | None = None
) -> dict[str, str]:
    from niaga.marketing.service import marketing_settings

    files = [(f"{filename_stem}.pdf", pdf, PDF), (f"{filename_stem}.xlsx", xlsx, XLSX)]
    with session_scope() as db:
        business = db.get(Business, business_id)
        if business is None:
            return {}
        cfg = marketing_settings(business)["report"]
        emails = list(cfg.get("email") or []) or owner_emails(db, business_id)
        telegram = (
            channels.load(db, business_id=business_id, kind="telegram") if cfg.get("telegram") else None
        )
        wa_number = str(cfg.get("whatsapp") or "").strip()
        wa = channels.whatsapp_gateway(db, business_id=business_id) if wa_number else None
        name = business.name
    results: dict[str, str] = {}
    attempts: list[tuple[str, Any]] = [
        (
            "email",
            lambda: _email(
                business_id,
                emails,
                subject or f"Laporan pelanggan mingguan - {name}",
                summary,
                files,
                f"rfm-report/{business_id}/{filename_stem}",
            ),
        ),
    ]
    if telegram is not None and telegram.is_enabled and telegram.get("admin_chat_id"):
        attempts.append(
            ("telegram", lambda: _chat(telegram, str(telegram.get("admin_chat_id")), summary, files))
        )
    else:
        results["telegram"] = "not_configured"
    if wa is not None:
        attempts.append(("whatsapp", lambda: _chat(wa, wa_number, summary, files)))
    else:
        results["whatsapp"] = "not_configured"
    for channel, fn in attempts:
        try:
            results[channel] = fn()
        except Exception as exc:  # one channel failing must not stop the others
            results[channel] = f"failed: {exc}"[:300]
            log.warning(
                "rfm.report_send_failed", business_id=business_id, channel=channel, error=str(exc)[:300]
            )
    log.info("rfm.report_sent", business_id=business_id, **results)
    return results
