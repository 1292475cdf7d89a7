"""A chat confirmation makes the order in the agent's transaction but never calls the payment gateway there:
the Snap link is job `orders.payment_link`, run after the order committed; the reply says the link follows
and the job sends it."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from niaga.integrations.waha import fake as waha_fake
from niaga.jobs.runner import drain
from niaga.kit.timeutil import utcnow
from niaga.orders.models import Order
from tests.channels import conftest as channels_conftest
from tests.orders.test_e2e import CHAT, midtrans, rizquna, waha  # noqa: F401  (fixtures)

TURN_JOBS = {"inbox.process", "conversations.reply", "channels.send_message"}


def _say_without_link_job(client, business, text: str) -> None:  # type: ignore[no-untyped-def]
    ev = waha_fake.message_event(text=text, chat_id=CHAT)
    resp = waha_fake.post_webhook(
        f"/webhooks/waha/{business.slug}", ev, channels_conftest.HMAC_KEY, client=client
    )
    assert resp.status_code == 200, resp.text
    for _ in range(5):
        if not drain(now=utcnow() + timedelta(seconds=1), names=TURN_JOBS):
            break


def test_confirmation_reply_promises_the_link_and_the_job_sends_it(db, client, rizquna, waha, midtrans):  # type: ignore[no-untyped-def]  # noqa: F811
    _say_without_link_job(client, rizquna, "pesan 2 kisah 25 nabi")
    _say_without_link_job(client, rizquna, "diambil di toko aja")
    _say_without_link_job(client, rizquna, "Budi")
    _say_without_link_job(client, rizquna, "ya")
    db.rollback()
    order = db.scalars(sa.select(Order).where(Order.business_id == rizquna.id)).one()
    assert order.status == "awaiting_payment" and order.payment_url is None
    assert midtrans.creates() == []  # no gateway call inside the turn's transaction
    reply = waha.texts_to(CHAT)[-1]
    assert order.number in reply and "menyusul" in reply, reply

    channels_conftest.drain_all(ahead=1)  # the payment-link job, then the delivery of its message
    (create,) = midtrans.creates()
    assert create["body"]["transaction_details"]["order_id"] == order.number
    link = midtrans.transactions[order.number].redirect_url
    assert link in waha.texts_to(CHAT)[-1]
