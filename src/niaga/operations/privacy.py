"""Personal data duties (UU PDP): a customer's data export (JSON + their files in one zip), erasure on request
(messages redacted, files deleted, identities removed, the customer anonymised; orders and transactions stay for
the books, without personal details), and retention (old messages and their files purged by a periodic job).
Every export and erasure is written to the audit log (who, what, when)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.customers.models import Customer
from niaga.db.models import metadata
from niaga.kit.errors import NotFound
from niaga.kit.timeutil import utcnow
from niaga.messaging.models import Conversation, Message
from niaga.orders.models import Order
from niaga.settings import get_settings
from niaga.tenancy.service import audit

REDACTED = "[dihapus atas permintaan pelanggan]"
PURGED = "[dihapus: melewati masa simpan]"


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _rows(db: Session, table: str, where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
    t = metadata.tables[table]
    return [
        {k: _json(v) for k, v in row._mapping.items()}
        for row in db.execute(sa.select(t).where(where).order_by(t.c.id))
    ]


def _customer(db: Session, business_id: int, customer_id: int) -> Customer:
    c = db.get(Customer, customer_id)
    if c is None or c.business_id != business_id:
        raise NotFound("Pelanggan tidak ditemukan.")
    return c


def _media_paths(media: list[Any]) -> list[Path]:
    root = get_settings().files_dir.resolve()
    out = []
    for m in media or []:
        rel = m.get("path") if isinstance(m, dict) else None
        if not rel:
            continue
        p = (root / rel).resolve()
        if p.is_relative_to(root) and p.is_file():
            out.append(p)
    return out


def export_customer(
    db: Session, *, business_id: int, customer_id: int, actor_type: str, actor_id: int | None
) -> bytes:
    """A zip: `data.json` (the customer, identities, conversations with messages, orders with items,
    transactions, loyalty) and `files/...` (the media they sent or received)."""
    c = _customer(db, business_id, customer_id)
    t = metadata.tables
    conv_ids = [r["id"] for r in _rows(db, "conversations", t["conversations"].c.customer_id == c.id)]
    order_ids = [r["id"] for r in _rows(db, "orders", t["orders"].c.customer_id == c.id)]
    data: dict[str, Any] = {
        "exported_at": utcnow().isoformat(),
        "business_id": business_id,
        "customer": _rows(db, "customers", t["customers"].c.id == c.id)[0],
        "identities": _rows(db, "customer_identities", t["customer_identities"].c.customer_id == c.id),
        "conversations": _rows(db, "conversations", t["conversations"].c.customer_id == c.id),
        "messages": _rows(db, "messages", t["messages"].c.conversation_id.in_(conv_ids)),
        "orders": _rows(db, "orders", t["orders"].c.customer_id == c.id),
        "order_items": _rows(db, "order_items", t["order_items"].c.order_id.in_(order_ids)),
        "transactions": _rows(db, "transactions", t["transactions"].c.customer_id == c.id),
        "loyalty_entries": _rows(db, "loyalty_entries", t["loyalty_entries"].c.customer_id == c.id),
    }
    root = get_settings().files_dir.resolve()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=1, default=str))
        for m in data["messages"]:
            for p in _media_paths(m.get("media") or []):
                z.write(p, "files/" + p.relative_to(root).as_posix())
    audit(
        db,
        business_id=business_id,
        actor_type=actor_type,
        actor_id=actor_id,
        action="customer.export",
        entity_type="customer",
        entity_id=c.id,
        data={"messages": len(data["messages"]), "orders": len(data["orders"])},
    )
    return buf.getvalue()


def erase_customer(
    db: Session, *, business_id: int, customer_id: int, actor_type: str, actor_id: int | None
) -> dict[str, int]:
    """Erase a customer's personal data; orders and transactions stay (anonymised) for the books."""
    c = _customer(db, business_id, customer_id)
    convs = list(db.scalars(sa.select(Conversation).where(Conversation.customer_id == c.id)))
    files = 0
    messages = 0
    for conv in convs:
        for m in db.scalars(sa.select(Message).where(Message.conversation_id == conv.id)):
            for p in _media_paths(m.media):
                p.unlink(missing_ok=True)
                files += 1
            m.text = REDACTED
            m.media = []
            m.entities = {}
            m.meta = {}
            messages += 1
        conv.chat_id = f"erased-{conv.id}"
        conv.last_message_preview = REDACTED
        conv.memory = {}
        conv.summary = ""
    # Print jobs: the documents of finished jobs go now (running jobs keep theirs until they finish and
    # the print-shop retention job deletes them); the job notes are personal text.
    from niaga.printshop import jobs as print_jobs
    from niaga.printshop.jobs_retention import delete_customer_files

    delete_customer_files(
        db, business_id=business_id, customer_id=c.id, actor=print_jobs.Actor(actor_type, actor_id)
    )
    for pj in db.scalars(
        sa.select(print_jobs.PrintJob).where(
            print_jobs.PrintJob.business_id == business_id, print_jobs.PrintJob.customer_id == c.id
        )
    ):
        pj.note = ""
    orders = 0
    for o in db.scalars(sa.select(Order).where(Order.customer_id == c.id)):
        o.shipping = {
            k: v for k, v in (o.shipping or {}).items() if k in ("cost", "courier", "service", "city")
        }
        o.notes = ""
        orders += 1
    db.execute(
        sa.delete(metadata.tables["customer_identities"]).where(
            metadata.tables["customer_identities"].c.customer_id == c.id
        )
    )
    before = {"name": c.name, "phone": bool(c.phone), "email": bool(c.email)}
    c.name = f"Pelanggan terhapus #{c.id}"
    c.phone = None
    c.email = None
    c.city = None
    c.address = None
    c.customer_ref = None
    c.notes = ""
    c.tags = []
    c.preferences = {}
    c.is_blocked = True  # nothing is sent to an erased customer again
    summary = {"messages": messages, "files": files, "conversations": len(convs), "orders_kept": orders}
    audit(
        db,
        business_id=business_id,
        actor_type=actor_type,
        actor_id=actor_id,
        action="customer.erase",
        entity_type="customer",
        entity_id=c.id,
        data={
            "before": {"had_name": bool(before["name"]), **{k: before[k] for k in ("phone", "email")}},
            **summary,
        },
    )
    return summary


def purge_expired(db: Session, *, now: datetime | None = None) -> dict[str, int]:
    """Retention: message texts older than NIAGA_RETENTION_MESSAGE_DAYS are redacted and media files older than
    NIAGA_RETENTION_FILE_DAYS deleted (0 keeps them). Rows stay so that conversations and orders add up."""
    s = get_settings()
    now = now or utcnow()
    out = {"messages": 0, "files": 0}
    if s.retention_file_days > 0:
        cutoff = now - timedelta(days=s.retention_file_days)
        for m in db.scalars(sa.select(Message).where(Message.created_at < cutoff)):
            if not m.media:
                continue
            paths = _media_paths(m.media)
            for p in paths:
                p.unlink(missing_ok=True)
            m.media = []
            out["files"] += len(paths)
    if s.retention_message_days > 0:
        cutoff = now - timedelta(days=s.retention_message_days)
        res = db.execute(
            sa.update(Message)
            .where(Message.created_at < cutoff, Message.text != PURGED, Message.text != REDACTED)
            .values(text=PURGED, entities={}, meta={})
        )
        out["messages"] = int(getattr(res, "rowcount", 0) or 0)
    return out
