"""The Meta and TikTok publishers and the Telegram channel against their loopback fakes: the documented
flows, errors (expired token, rate limits, the Instagram 24-hour limit, rejected videos) and what a job does
with them."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from niaga.integrations.base import ProviderError
from niaga.integrations.meta.fake import FakeMeta
from niaga.integrations.meta.publisher import FacebookPagePublisher, InstagramPublisher
from niaga.integrations.tiktok.fake import FakeTikTok
from niaga.integrations.tiktok.publisher import TikTokPublisher
from niaga.jobs.models import Job
from niaga.kit.errors import ValidationFailed
from niaga.publishing import media, service
from niaga.publishing.models import ContentItem
from niaga.publishing.ports import Media, PublishRequest
from tests.publishing.conftest import CHANNEL, drain_all

IMG = Media(kind="image", mimetype="image/jpeg", url="https://cdn.example.test/p.jpg")


def _req(platform: str, *media_items: Media, caption: str = "Promo #batik") -> PublishRequest:
    return PublishRequest(
        business_id=1, item_id=1, platform=platform, caption=caption, media=list(media_items)
    )


def _ig(fake: FakeMeta) -> InstagramPublisher:
    return InstagramPublisher(
        {"base_url": fake.url, "ig_user_id": fake.ig_user_id}, {"access_token": fake.token}
    )


def test_instagram_image_post_reads_the_limit_then_container_and_publish() -> None:
    with FakeMeta() as fake:
        pub = _ig(fake)
        req = _req("instagram", IMG)
        res = pub.publish(req)
        assert (
            res.done
            and res.remote_id == fake.ig_posts[0]["id"]
            and res.permalink.startswith("https://www.instagram.com/p/")
        )
        paths = [(r.method, r.path.rsplit("/", 1)[-1]) for r in fake.requests]
        assert paths[:3] == [
            ("GET", "content_publishing_limit"),
            ("POST", "media"),
            ("POST", "media_publish"),
        ]
        assert fake.calls("/media")[0].form["image_url"] == [IMG.url]
        assert req.state["quota"] == {"used": 0, "total": 50}
        # a retry after success does not post again
        assert pub.publish(req).remote_id == res.remote_id and len(fake.ig_posts) == 1


def test_instagram_reel_polls_until_finished() -> None:
    video = Media(kind="video", mimetype="video/mp4", url="https://cdn.example.test/v.mp4")
    with FakeMeta(reel_polls=2) as fake:
        pub = _ig(fake)
        req = _req("instagram", video, IMG)
        first = pub.publish(req)
        assert not first.done and first.poll_after == 60.0 and req.state["container_kind"] == "reel"
        assert not pub.publish(req).done
        done = pub.publish(req)
        assert done.done and len(fake.calls("/media")) == 1  # one container across the polls
        form = fake.calls("/media")[0].form
        assert (
            form["media_type"] == ["REELS"]
            and form["video_url"] == [video.url]
            and form["cover_url"] == [IMG.url]
        )


def test_instagram_publishing_limit_waits_instead_of_failing() -> None:
    with FakeMeta(quota_total=1) as fake:
        pub = _ig(fake)
        assert pub.publish(_req("instagram", IMG)).done
        with pytest.raises(ProviderError) as exc:
            pub.publish(_req("instagram", IMG))
        assert not exc.value.permanent and exc.value.retry_after == 3600.0 and "24 jam" in str(exc.value)
        assert len(fake.calls("/media")) == 1  # no container was created beyond the limit
        # the limit error from media_publish itself (9/2207042) is also temporary
        fake.quota_total = 50
        fake.script("media_publish", [9])
        with pytest.raises(ProviderError) as exc:
            pub.publish(_req("instagram", IMG))
        assert not exc.value.permanent and exc.value.retry_after == 3600.0


def test_meta_errors_are_classified() -> None:
    with FakeMeta() as fake:
        pub = _ig(fake)
        fake.script("media", [190])
        with pytest.raises(ProviderError) as exc:
            pub.publish(_req("instagram", IMG))
        assert exc.value.permanent and "kedaluwarsa" in str(exc.value)
        fake.script("media", [4])
        with pytest.raises(ProviderError) as exc:
            pub.publish(_req("instagram", IMG))
        assert not exc.value.permanent and exc.value.retry_after == 300.0
        fake.script("media", [2])
        with pytest.raises(ProviderError) as exc:
            pub.publish(_req("instagram", IMG))
        assert not exc.value.permanent
        bad = InstagramPublisher(
            {"base_url": fake.url, "ig_user_id": fake.ig_user_id}, {"access_token": "wrong"}
        )
        with pytest.raises(ProviderError) as exc:
            bad.publish(_req("instagram", IMG))
        assert exc.value.permanent and "190" in str(exc.value)


def test_facebook_page_photo_and_feed() -> None:
    with FakeMeta() as fake:
        pub = FacebookPagePublisher(
            {"base_url": fake.url, "page_id": fake.page_id}, {"access_token": fake.token}
        )
        res = pub.publish(_req("facebook", IMG, caption="Halo"))
        assert (
            res.done
            and res.remote_id == fake.page_posts[0]["post_id"]
            and fake.page_posts[0]["caption"] == "Halo"
        )
        res = pub.publish(_req("facebook", caption="Teks saja"))
        assert fake.page_posts[1]["kind"] == "feed" and fake.page_posts[1]["message"] == "Teks saja"
        assert res.remote_id == fake.page_posts[1]["id"]


def _video(tmp_path: Path, size: int = 300_000) -> Media:
    p = tmp_path / "v.mp4"
    p.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"x" * (size - 12))
    return Media(kind="video", mimetype="video/mp4", url="https://shop.example.test/v.mp4", path=p)


def test_tiktok_file_upload_direct_post(tmp_path: Path) -> None:
    video = _video(tmp_path)
    with FakeTikTok(processing_polls=1) as fake:
        pub = TikTokPublisher({"base_url": fake.url}, {"access_token": fake.token})
        req = _req("tiktok", video, caption="Batik baru #batik")
        first = pub.publish(req)
        assert not first.done and req.state["publish_id"].startswith("v_pub_file~")
        init = fake.calls("/video/init/")[0].json
        assert init["post_info"]["privacy_level"] == "PUBLIC_TO_EVERYONE"
        assert init["source_info"] == {
            "source": "FILE_UPLOAD",
            "video_size": 300_000,
            "chunk_size": 300_000,
            "total_chunk_count": 1,
        }
        put = next(r for r in fake.requests if r.method == "PUT")
        assert put.headers["content-range"] == "bytes 0-299999/300000" and len(put.body) == 300_000
        done = pub.publish(req)
        assert done.done and done.remote_id == str(fake.posts[req.state["publish_id"]]["post_id"])
        assert done.permalink == f"https://www.tiktok.com/@tokobatik/video/{done.remote_id}"
        assert len(fake.calls("/video/init/")) == 1


def test_tiktok_privacy_pull_and_errors(tmp_path: Path) -> None:
    video = _video(tmp_path)
    with FakeTikTok(privacy_options=("SELF_ONLY",), processing_polls=0) as fake:
        pub = TikTokPublisher(
            {"base_url": fake.url, "source": "PULL_FROM_URL", "privacy_level": "PUBLIC_TO_EVERYONE"},
            {"access_token": fake.token},
        )
        res = pub.publish(_req("tiktok", video))
        assert res.done
        init = fake.calls("/video/init/")[0].json
        assert init["post_info"]["privacy_level"] == "SELF_ONLY"  # only what the account offers
        assert init["source_info"] == {"source": "PULL_FROM_URL", "video_url": video.url}
        fake.script("init", ["rate_limit_exceeded"])
        with pytest.raises(ProviderError) as exc:
            pub.publish(_req("tiktok", video))
        assert not exc.value.permanent and exc.value.retry_after == 60.0
        fake.script("init", ["url_ownership_unverified"])
        with pytest.raises(ProviderError) as exc:
            pub.publish(_req("tiktok", video))
        assert exc.value.permanent and "diverifikasi" in str(exc.value)
        with pytest.raises(ProviderError) as exc:
            TikTokPublisher({"base_url": fake.url}, {"access_token": "expired"}).publish(
                _req("tiktok", video)
            )
        assert exc.value.permanent and "access_token_invalid" in str(exc.value)
        with pytest.raises(ProviderError, match="hanya video"):
            pub.publish(_req("tiktok", IMG))
    with FakeTikTok(processing_polls=0, fail_reason="video_pull_failed") as fake:
        pub = TikTokPublisher({"base_url": fake.url}, {"access_token": fake.token})
        with pytest.raises(ProviderError) as exc:
            pub.publish(_req("tiktok", video))
        assert exc.value.permanent and "video_pull_failed" in str(exc.value)


def _item(db, shop, targets, **kw):  # type: ignore[no-untyped-def]
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1080, 1080), (10, 80, 120)).save(buf, "JPEG")
    entry = media.store(shop.business.id, buf.getvalue(), "image/jpeg")
    item = service.do_create(
        db, business=shop.business, caption="Promo Kemeja Batik Parang Rp185.000", hashtags=["batik"],
        targets=targets, media=[entry], scheduled_at=kw.pop("scheduled_at", None), **kw,
    )  # fmt: skip
    item.status = "approved"
    item.scheduled_at = item.scheduled_at or __import__("niaga.kit.timeutil", fromlist=["utcnow"]).utcnow()
    service.do_schedule(db, business=shop.business, item=item)
    db.commit()
    return item.id


def test_expired_token_stops_that_platform_and_the_item_says_what_went_out(db, shop) -> None:  # type: ignore[no-untyped-def]
    item_id = _item(db, shop, ["instagram", "telegram_channel"])
    shop.meta.script("media", [190])
    drain_all()
    db.rollback()
    item = db.get(ContentItem, item_id)
    assert item.status == "failed"
    assert item.last_error.startswith(
        "Sudah terbit di: Kanal Telegram. Gagal di: Instagram (meta media: token akses Meta"
    )
    pubs = {p.platform: p for p in service.publications(db, item_id)}
    assert pubs["telegram_channel"].status == "published" and pubs["instagram"].status == "failed"
    assert len(shop.meta.calls("/media")) == 1  # no retries after a permanent error
    alerts = [m for m in shop.telegram.sent if m.get("text", "").startswith("⚠️ Konten")]
    assert alerts and "Instagram" in alerts[0]["text"]  # the owner's admin chat was told


def test_temporary_errors_retry_and_then_publish(db, shop) -> None:  # type: ignore[no-untyped-def]
    item_id = _item(db, shop, ["instagram"])
    shop.meta.script("media", [2])
    drain_all()
    db.rollback()
    item = db.get(ContentItem, item_id)
    assert item.status == "publishing" and "gangguan sementara" in (item.last_error or "")
    job = db.scalars(sa.select(Job).where(Job.name == "publishing.publish_item")).one()
    assert job.status == "pending" and job.attempts == 1
    drain_all(ahead=600)
    db.rollback()
    assert db.get(ContentItem, item_id).status == "published"
    assert len(shop.meta.ig_posts) == 1


def test_platform_rules_refuse_bad_items(db, shop) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as exc:
        service.do_create(
            db,
            business=shop.business,
            caption="x" * 2300,
            targets=["instagram", "facebook"],
            media=[{"kind": "image"}],
        )
    assert "Caption terlalu panjang untuk Instagram: 2.300 karakter, batasnya 2.200." in exc.value.message
    with pytest.raises(ValidationFailed, match="TikTok hanya menerima video"):
        service.do_create(
            db, business=shop.business, caption="ok", targets=["tiktok"], media=[{"kind": "image"}]
        )
    with pytest.raises(ValidationFailed, match="Instagram butuh gambar"):
        service.do_create(db, business=shop.business, caption="ok", targets=["instagram"])
    with pytest.raises(ValidationFailed, match="30 hashtag"):
        service.do_create(
            db, business=shop.business, caption="ok", hashtags=[f"t{i}" for i in range(31)], targets=["instagram"],
            media=[{"kind": "image"}],
        )  # fmt: skip
    with pytest.raises(ValidationFailed, match="Platform 'myspace'"):
        service.do_create(db, business=shop.business, caption="ok", targets=["myspace"])
    with pytest.raises(ValidationFailed, match="Waktu tidak valid"):
        service.do_create(
            db, business=shop.business, caption="ok", targets=["facebook"], scheduled_at="besok pagi"
        )


def test_channel_publish_without_channel_id_is_a_clear_failure(db, shop) -> None:  # type: ignore[no-untyped-def]
    shop.business.settings = {**shop.business.settings, "publishing": {"telegram_channel_id": ""}}
    db.commit()
    item_id = _item(db, shop, ["telegram_channel"])
    drain_all()
    db.rollback()
    item = db.get(ContentItem, item_id)
    assert item.status == "failed" and "ID kanal belum diisi" in item.last_error
    assert not [m for m in shop.telegram.sent if str(m["chat_id"]) == CHANNEL]


def test_video_item_polls_reels_and_tiktok_until_published(db, shop, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from niaga.kit.timeutil import utcnow

    video = media.store(shop.business.id, b"\x00\x00\x00\x18ftypmp42" + b"v" * 4000, "video/mp4")
    item = service.do_create(
        db,
        business=shop.business,
        caption="Koleksi baru #batik",
        targets=["instagram", "tiktok"],
        media=[video],
    )
    item.status, item.scheduled_at = "approved", utcnow()
    service.do_schedule(db, business=shop.business, item=item)
    db.commit()
    item_id = item.id
    shop.meta.reel_polls = 1
    shop.tiktok.processing_polls = 1
    drain_all()  # containers created / video uploaded, both still processing
    db.close()
    assert db.get(ContentItem, item_id).status == "publishing"
    job = db.scalars(sa.select(Job).where(Job.name == "publishing.publish_item")).one()
    assert job.status == "pending" and job.run_at >= utcnow() + timedelta(
        seconds=55
    )  # Meta: poll once a minute
    clock.advance(61)
    drain_all()
    db.close()
    item = db.get(ContentItem, item_id)
    assert item.status == "published", item.last_error
    pubs = {p.platform: p for p in service.publications(db, item_id)}
    assert pubs["tiktok"].remote_id == str(next(iter(shop.tiktok.posts.values()))["post_id"])
    assert pubs["instagram"].remote_id == shop.meta.ig_posts[0]["id"]
    assert len(shop.meta.calls("/media")) == 1 and len(shop.tiktok.calls("/video/init/")) == 1
    reel = shop.meta.calls("/media")[0].form
    assert reel["media_type"] == ["REELS"] and reel["video_url"][0].endswith(".mp4")
