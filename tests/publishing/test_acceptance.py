"""Acceptance (issue 16): the weekly batch drafts posts -> the owner approves one on Telegram by callback ->
at its time Instagram gets container + publish with the poster URL and caption, the Telegram channel gets
sendPhoto -> the item is `published` with its remote ids; one rejected with a reason stays unpublished."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from niaga.kit.timeutil import utcnow
from niaga.publishing import batch, service
from niaga.publishing.models import ContentItem, ContentPublication
from tests.publishing.conftest import CHANNEL, OWNER_TG, drain_all, press


def _items(db) -> list[ContentItem]:  # type: ignore[no-untyped-def]
    db.rollback()  # a fresh snapshot: the jobs committed in other sessions
    return list(db.scalars(sa.select(ContentItem).order_by(ContentItem.id)))


def test_batch_approve_on_telegram_publish_and_reject(db, client, shop, clock) -> None:  # type: ignore[no-untyped-def]
    b = shop.business
    week = batch.next_monday(date.today())
    drafted = batch.do_weekly_batch(db, business=b, week_start=week)
    db.commit()
    assert len(drafted) == 3
    # a second run (another worker, the next hour) drafts nothing twice
    assert batch.do_weekly_batch(db, business=b, week_start=week) == []
    db.commit()
    items = _items(db)
    assert [i.status for i in items] == ["awaiting_approval"] * 3
    assert all(i.media and i.media[0]["mimetype"] == "image/jpeg" for i in items)
    assert all("Rp" in i.caption for i in items)

    drain_all()
    asks = [m for m in shop.telegram.sent if m["method"] == "sendPhoto"]
    assert len(asks) == 3 and all(str(m["chat_id"]) == str(OWNER_TG) for m in asks)
    assert "konten:ok:" in asks[0]["reply_markup"]  # multipart: the keyboard travels as a JSON string

    first, second = items[0], items[1]
    # someone who is not an approver cannot approve
    press(client, b.slug, f"konten:ok:{first.id}", from_id=12345)
    drain_all()
    assert _items(db)[0].status == "awaiting_approval"
    answers = [c.json["text"] for c in shop.telegram.calls("/answerCallbackQuery")]
    assert answers[-1] == "Anda tidak berwenang menyetujui konten ini."

    press(client, b.slug, f"konten:ok:{first.id}")
    press(client, b.slug, f"konten:ok:{first.id}")  # a double click
    drain_all()
    first = _items(db)[0]
    assert first.status == "scheduled" and first.decided_by == f"telegram:{OWNER_TG}"
    answers = [c.json["text"] for c in shop.telegram.calls("/answerCallbackQuery")]
    assert answers[-2:] == ["Disetujui ✅", "Sudah diputuskan: terjadwal."]
    edits = shop.telegram.calls("/editMessageCaption")
    assert (
        edits
        and "Disetujui" in edits[-1].json["caption"]
        and edits[-1].json["reply_markup"] == {"inline_keyboard": []}
    )

    # reject the second: Tolak asks for a reason, the reason decides
    press(client, b.slug, f"konten:no:{second.id}")
    drain_all()
    assert _items(db)[1].status == "awaiting_approval"
    assert shop.telegram.calls("/editMessageReplyMarkup")
    press(client, b.slug, f"konten:no:{second.id}:r2")
    drain_all()
    second = _items(db)[1]
    assert second.status == "rejected" and second.decision_reason == service.REJECT_REASONS["r2"]

    # nothing is published before its time
    assert not shop.meta.calls("/media_publish")
    clock.advance((first.scheduled_at - utcnow()).total_seconds() + 1)
    drain_all()
    first, second = _items(db)[0], _items(db)[1]
    assert first.status == "published", first.last_error
    containers = [r for r in shop.meta.calls("/media") if r.method == "POST"]
    assert len(containers) == 1
    form = {k: v[0] for k, v in containers[0].form.items()}
    poster_url = form["image_url"]
    assert poster_url.startswith(f"http://127.0.0.1:8000/media/konten/{b.id}/") and poster_url.endswith(
        ".jpg"
    )
    assert form["caption"] == service.full_caption(first)
    assert shop.meta.calls("/media_publish")[0].form["creation_id"] == [
        shop.meta.containers and next(iter(shop.meta.containers))
    ]
    channel_posts = [m for m in shop.telegram.sent if str(m["chat_id"]) == CHANNEL]
    assert len(channel_posts) == 1 and channel_posts[0]["method"] == "sendPhoto"
    assert channel_posts[0]["photo"].startswith("<file:")
    pubs = {
        p.platform: p
        for p in db.scalars(sa.select(ContentPublication).where(ContentPublication.item_id == first.id))
    }
    assert set(pubs) == {"instagram", "facebook", "telegram_channel"}
    assert all(p.status == "published" and p.remote_id for p in pubs.values())
    assert pubs["instagram"].remote_id == shop.meta.ig_posts[0]["id"]
    assert pubs["instagram"].permalink.startswith("https://www.instagram.com/p/")
    assert (
        pubs["telegram_channel"].permalink
        == f"https://t.me/{CHANNEL[1:]}/{pubs['telegram_channel'].remote_id}"
    )
    assert shop.meta.page_posts[0]["url"] == poster_url
    # the rejected one never went out
    assert second.status == "rejected" and not list(
        db.scalars(sa.select(ContentPublication).where(ContentPublication.item_id == second.id))
    )
    # the poster behind the URL is served to the platforms
    resp = client.get(poster_url.removeprefix("http://127.0.0.1:8000"))
    assert (
        resp.status_code == 200
        and resp.headers["content-type"] == "image/jpeg"
        and resp.content[:2] == b"\xff\xd8"
    )
    # running the job again publishes nothing twice
    drain_all(ahead=3600)
    assert len(shop.meta.calls("/media_publish")) == 1
    assert len([m for m in shop.telegram.sent if str(m["chat_id"]) == CHANNEL]) == 1
    assert timedelta(0) <= utcnow() - first.scheduled_at < timedelta(minutes=5)
