"""Approval on the owner's Telegram: the request text and buttons, and the handling of a pressed button.

Buttons: `konten:ok:<id>` (Setujui), `konten:no:<id>` (Tolak: then a second keyboard of reasons),
`konten:rev:<id>` (Minta revisi: reasons too), `konten:no:<id>:<reason>` / `konten:rev:<id>:<reason>`.
Only configured approvers (the owners' linked Telegram accounts and settings.publishing.approver_telegram_ids)
may decide; a double click is answered without a second change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from niaga.kit.errors import AppError
from niaga.ops.logging import get_logger
from niaga.publishing import service
from niaga.publishing.models import ContentItem
from niaga.tenancy.models import Business

log = get_logger("niaga.publishing")
PREFIX = "konten"
_DECISION = {"ok": "approve", "no": "reject", "rev": "revise"}
DECISION_TEXT = {
    "scheduled": "✅ Disetujui, terjadwal {when}",
    "approved": "✅ Disetujui",
    "rejected": "❌ Ditolak: {reason}",
    "draft": "✏️ Diminta revisi: {reason}",
    "published": "✅ Sudah terbit",
    "publishing": "⏳ Sedang terbit",
}


def request_text(db: Session, business: Business, item: ContentItem) -> str:
    out = service.item_out(db, item, business)
    targets = ", ".join(service.PLATFORM_LABELS[t] for t in item.targets or [])
    when = out["scheduled_local"] or "belum dijadwalkan"
    caption = service.full_caption(item)
    if len(caption) > 700:
        caption = caption[:700] + "…"
    return f"📝 Konten menunggu persetujuan (#{item.id})\nTerbit: {when}\nPlatform: {targets}\n\n{caption}"


def buttons(item_id: int) -> list[list[tuple[str, str]]]:
    return [
        [("✅ Setujui", f"{PREFIX}:ok:{item_id}"), ("❌ Tolak", f"{PREFIX}:no:{item_id}")],
        [("✏️ Minta revisi", f"{PREFIX}:rev:{item_id}")],
    ]


def reason_buttons(kind: str, item_id: int) -> list[list[tuple[str, str]]]:
    return [[(label, f"{PREFIX}:{kind}:{item_id}:{code}")] for code, label in service.REJECT_REASONS.items()]


def decision_text(db: Session, business: Business, item: ContentItem) -> str:
    out = service.item_out(db, item, business)
    head = DECISION_TEXT.get(item.status, item.status).format(
        when=out["scheduled_local"] or "", reason=item.decision_reason or "-"
    )
    return f"{head}\n\n(#{item.id}) {item.title}"


def handle_button(db: Session, *, business_id: int, data: str, from_id: Any) -> str:
    """Apply a pressed approval button; returns the short answer shown to the person who pressed it."""
    parts = data.split(":")
    if len(parts) < 3 or parts[1] not in _DECISION or not parts[2].isdigit():
        return "Tombol ini tidak dikenal."
    business = db.get(Business, business_id)
    if business is None:
        return "Tombol ini sudah tidak berlaku."
    if not service.is_telegram_approver(db, business=business, telegram_user_id=from_id):
        log.warning("content.approval_denied", business_id=business_id, telegram_user=from_id)
        return "Anda tidak berwenang menyetujui konten ini."
    item = db.get(ContentItem, int(parts[2]))
    if item is None or item.business_id != business_id:
        return "Konten ini sudah tidak ada."
    decision = _DECISION[parts[1]]
    reason = None
    if decision != "approve":
        code = parts[3] if len(parts) > 3 else ""
        if code not in service.REJECT_REASONS:
            if item.status != "awaiting_approval":
                return f"Konten ini sudah {service.STATUS_LABELS[item.status].lower()}."
            # ask for the reason with a second keyboard on the same message
            from niaga.jobs.runner import enqueue

            enqueue(
                db,
                "publishing.ask_reason",
                business_id=business_id,
                item_id=item.id,
                kind=parts[1],
            )
            return "Pilih alasannya."
        reason = service.REJECT_REASONS[code]
    try:
        item, changed = service.do_decide(
            db, business=business, item=item, decision=decision, actor=f"telegram:{from_id}", reason=reason
        )
    except AppError as exc:
        return exc.message[:200]
    if not changed:
        return f"Sudah diputuskan: {service.STATUS_LABELS[item.status].lower()}."
    return {"approve": "Disetujui ✅", "reject": "Ditolak", "revise": "Revisi diminta"}[decision]
