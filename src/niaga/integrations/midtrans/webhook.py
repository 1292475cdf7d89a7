"""`POST /webhooks/midtrans/{business_slug}`: the shared store-then-ack endpoint
(`niaga.integrations.webhooks`) with Midtrans's verification.

Midtrans signs nothing in the headers; authenticity is `signature_key` in the body, checked against the
business's server key with the fields exactly as received. The signature covers only order_id, status_code
and gross_amount, so a signed `pending` notification (status_code "201") re-sent with
`transaction_status: settlement` would still verify: `agreement_problem` refuses a notification whose
transaction_status, status_code and fraud_status do not agree (400, nothing stored). A bad signature is
refused with 401 and nothing is stored. Processing happens in the inbox job
(`niaga.integrations.midtrans.tasks.handle`), and a paying notification is confirmed through the status API
before the order is marked paid (`payments.confirm_payment`).
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from niaga.db.engine import new_session
from niaga.integrations.midtrans import payments
from niaga.integrations.midtrans.client import PROVIDER, verify_signature
from niaga.integrations.webhooks import CACHES, Refusal, Target, WebhookSpec, add_webhook
from niaga.kit.errors import NotFound
from niaga.ops.logging import get_logger

log = get_logger("niaga.midtrans.webhook")

# status_code values Midtrans sends with each transaction_status (protocols.md §3.3-3.4: 200 success, 201
# pending or challenged, 202 denied, 407 expired). A paying state must come with "200"; states we do not
# know are not checked (Midtrans adds states; they are logged and never pay).
STATUS_CODES: dict[str, frozenset[str]] = {
    "settlement": frozenset({"200"}),
    "capture": frozenset({"200", "201"}),  # 201 only with fraud_status "challenge"
    "pending": frozenset({"201"}),
    "authorize": frozenset({"200", "201"}),
    "deny": frozenset({"200", "202"}),
    "cancel": frozenset({"200", "202"}),
    "expire": frozenset({"202", "407"}),
    "failure": frozenset({"200", "202"}),
    "refund": frozenset({"200"}),
    "partial_refund": frozenset({"200"}),
    "chargeback": frozenset({"200"}),
    "partial_chargeback": frozenset({"200"}),
}
FRAUD_STATUSES = frozenset({"accept", "challenge", "deny"})


def agreement_problem(payload: dict[str, Any]) -> str | None:
    """Why transaction_status, status_code and fraud_status of a notification contradict each other, or
    None when they agree."""
    status = payload.get("transaction_status")
    code = payload.get("status_code")
    fraud = payload.get("fraud_status")
    if not isinstance(status, str) or not status:
        return "transaction_status kosong"
    if fraud not in (None, "") and fraud not in FRAUD_STATUSES:
        return f"fraud_status {fraud!r} tidak dikenal"
    allowed = STATUS_CODES.get(status)
    if allowed is not None and code not in allowed:
        return f"status_code {code!r} tidak cocok dengan transaction_status {status!r}"
    if status == "settlement" and fraud not in (None, "", "accept"):
        return f"settlement dengan fraud_status {fraud!r}"
    if status == "capture" and fraud in (None, "", "accept") and code != "200":
        return f"capture diterima harus berstatus 200, bukan {code!r}"
    return None


def _check(payload: dict[str, Any]) -> tuple[str, str] | None:
    problem = agreement_problem(payload)
    if problem is None:
        return None
    log.warning(
        "midtrans.inconsistent_notification", problem=problem, order_id=str(payload.get("order_id"))[:60]
    )
    return ("inconsistent_notification", f"Notifikasi Midtrans tidak konsisten: {problem}.")


def _lookup(slug: str) -> Target | Refusal:
    with new_session(readonly=True) as db:
        try:
            business = payments.business_for_slug(db, slug)
        except NotFound:
            return Refusal(404, "not_found", "Bisnis tidak ditemukan.")
        cfg = payments.get_settings_for(db, business_id=business.id)
        if cfg is None or not cfg.server_key:
            log.warning("midtrans.webhook_unconfigured", business_id=business.id)
            return Refusal(404, "midtrans_not_configured", "Midtrans belum diatur untuk toko ini.")
        return Target(business_id=business.id, secrets={"server_key": cfg.server_key})


# slug -> (expires, config generation, answer): notifications arrive in bursts; the business and its server
# key need not be read and decrypted from the database for each (a changed key is seen at once in this
# process, within _TTL seconds in the others).
_TTL = 5.0
_cache: dict[str, tuple[float, int, Target | Refusal]] = {}
CACHES.append(_cache)
CACHES.append(payments.SETTINGS_CACHE)  # the keys the inbox job confirms payments with


async def _resolve(slug: str) -> Target | Refusal:
    hit = _cache.get(slug)
    if hit is not None and hit[0] > time.monotonic() and hit[1] == payments.CONFIG_GENERATION:
        return hit[2]
    generation = payments.CONFIG_GENERATION
    answer = await run_in_threadpool(_lookup, slug)
    if len(_cache) > 10_000:
        _cache.clear()  # unknown slugs cannot grow it without bound
    _cache[slug] = (time.monotonic() + _TTL, generation, answer)
    return answer


def _verify(payload: dict[str, Any], target: Target) -> bool:
    return verify_signature(payload, str(target.secrets.get("server_key") or ""))


def _ack(stored: bool) -> dict[str, Any]:
    return {"received": True, "duplicate": not stored}


router = APIRouter()
add_webhook(
    router,
    WebhookSpec(
        provider=PROVIDER,
        path="/webhooks/midtrans/{slug}",
        resolve=_resolve,
        verify_payload=_verify,
        check=_check,
        event_key=payments.external_id,
        event_type=lambda payload: str(payload.get("transaction_status") or ""),
        ack=_ack,
        bad_signature=("invalid_signature", "Tanda tangan notifikasi tidak valid."),
        not_object=("bad_payload", "Notifikasi harus berupa objek JSON."),
    ),
)
