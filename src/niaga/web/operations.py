"""Dashboard actions for personal data and event webhooks (admin): a customer's data export (zip) and erasure
from the customer page, and the event-webhook delivery log with replay under Pengaturan → Webhook."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from niaga.customers.models import Customer
from niaga.kit.errors import NotFound
from niaga.operations import events, privacy
from niaga.ops.models import EventDelivery
from niaga.web.core import FormDep, WebDb, flash, load_ctx, post_ctx, redirect, render

router = APIRouter()

ERASE_WORD = "HAPUS"


@router.post("/app/pelanggan/{customer_id:int}/ekspor")
def customer_export(customer_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    """Download everything stored about the customer (UU PDP access request); audited."""
    ctx = post_ctx(request, db, form_data, "admin")
    data = privacy.export_customer(
        db, business_id=ctx.business_id, customer_id=customer_id, actor_type="user", actor_id=ctx.user.id
    )
    db.commit()
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="pelanggan-{customer_id}.zip"'},
    )


@router.post("/app/pelanggan/{customer_id:int}/hapus-data")
def customer_erase(customer_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    """Erase the customer's personal data (orders stay, anonymised). The admin types HAPUS to confirm."""
    ctx = post_ctx(request, db, form_data, "admin")
    found = db.get(Customer, customer_id)
    if found is None or found.business_id != ctx.business_id:
        raise NotFound()  # another business's customer looks exactly like none
    if str(form_data.get("confirm") or "").strip().upper() != ERASE_WORD:
        flash(request, f"Ketik {ERASE_WORD} untuk menghapus data pelanggan ini.", "error")
        return redirect(f"/app/pelanggan/{customer_id}", request)
    done = privacy.erase_customer(
        db, business_id=ctx.business_id, customer_id=customer_id, actor_type="user", actor_id=ctx.user.id
    )
    db.commit()
    flash(
        request,
        f"Data pribadi pelanggan dihapus: {done.get('messages', 0)} pesan disamarkan, "
        f"{done.get('files', 0)} berkas dihapus; pesanan tetap tersimpan tanpa identitas.",
    )
    return redirect(f"/app/pelanggan/{customer_id}", request)


@router.get("/app/pengaturan/webhook", response_class=HTMLResponse)
def webhooks_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "admin")
    return render(
        ctx,
        request,
        "settings_webhooks.html",
        active="settings",
        title="Webhook event",
        tab="webhooks",
        subscriptions=events.list_subscriptions(db, business_id=ctx.business_id),
        deliveries=events.list_deliveries(db, business_id=ctx.business_id, limit=100),
    )


@router.post("/app/pengaturan/webhook/pengiriman/{delivery_id:int}/ulang")
def delivery_replay(delivery_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    """Send a logged delivery again (same event id and body, a fresh signature)."""
    ctx = post_ctx(request, db, form_data, "admin")
    d = db.get(EventDelivery, delivery_id)
    if d is None or d.business_id != ctx.business_id:
        raise NotFound()
    events.replay(db, d)
    from niaga.tenancy.service import audit

    audit(
        db,
        business_id=ctx.business_id,
        actor_type="user",
        actor_id=ctx.user.id,
        action="webhook.replay",
        entity_type="event_delivery",
        entity_id=d.id,
        data={"event_type": d.event_type},
    )
    db.commit()
    flash(request, f"Pengiriman #{d.id} ({d.event_type}) dijadwalkan ulang.")
    return redirect("/app/pengaturan/webhook", request)
