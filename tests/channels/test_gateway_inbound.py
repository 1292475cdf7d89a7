"""Fonnte and Starsender inbound (issue 18 §3): unsigned webhooks guarded by a per-business URL token,
store-then-ack with dedupe, media by URL with a size cap, the agent's reply out through the same gateway,
and files out to Starsender by signed, expiring URL."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from niaga.files import links
from niaga.integrations.fonnte.fake import incoming as fonnte_in
from niaga.integrations.models import InboundEvent
from niaga.integrations.starsender.fake import incoming as starsender_in
from niaga.integrations.waha.fake import message_event, post_webhook
from niaga.kit.crypto import decrypt_json
from niaga.messaging.delivery import do_send
from niaga.messaging.models import Conversation, Message
from niaga.tenancy.models import ProviderConfig
from tests import factories as f
from tests.channels.conftest import HMAC_KEY, configure, drain_all

PHONE = "6281311112222"


def _shop(db, kind: str, fake):  # type: ignore[no-untyped-def]
    b = f.make_business(db, slug="rizquna", name="Rizquna", settings={"channels": {"buffer_seconds": 0}})
    f.make_product(
        db,
        business=b,
        sku="RQ-PECI-001",
        name="Peci Hitam Polos Nasional",
        price=40000,
        stock=200,
        tags=["peci"],
    )
    if kind == "fonnte":
        configure(db, b, "fonnte", base_url=fake.url, token=fake.token)
    else:
        configure(db, b, "starsender", base_url=fake.url, api_key=fake.api_key)
    return b


def _token(db, business_id: int, kind: str) -> str:
    db.expire_all()
    row = db.scalars(
        sa.select(ProviderConfig).where(
            ProviderConfig.business_id == business_id, ProviderConfig.kind == kind
        )
    ).one()
    return decrypt_json(row.secrets)["webhook_token"]


def _events(db) -> list[InboundEvent]:  # type: ignore[no-untyped-def]
    db.rollback()
    db.expire_all()
    return list(db.scalars(sa.select(InboundEvent).order_by(InboundEvent.id)))


def test_fonnte_message_in_reply_out_through_fonnte(client, db, fonnte):
    b = _shop(db, "fonnte", fonnte)
    url = f"/webhooks/fonnte/rizquna/{_token(db, b.id, 'fonnte')}"
    body = fonnte_in(message="berapa harga peci hitam?", inboxid="9001")
    r = client.post(url, json=body)
    assert r.status_code == 200 and r.json()["data"]["stored"] is True
    # Fonnte retrying the same delivery: acknowledged, not stored again.
    assert client.post(url, json=body).json()["data"]["stored"] is False
    drain_all(ahead=1)
    db.rollback()
    sent = [m for m in fonnte.sent if m["target"] == PHONE]
    assert len(sent) == 1 and "40.000" in sent[0]["message"], fonnte.sent
    (msg,) = db.scalars(sa.select(Message).where(Message.direction == "in")).all()
    assert msg.text == "berapa harga peci hitam?" and msg.channel == "whatsapp"
    conv = db.get(Conversation, msg.conversation_id)
    assert conv is not None and conv.chat_id == f"{PHONE}@c.us"


def test_two_gateways_the_reply_leaves_through_the_one_the_customer_wrote_to(client, db, fonnte, waha):
    # WAHA is the business's chosen gateway for its own messages; a customer writing to the Fonnte
    # number is still answered from the Fonnte number, and from WAHA once they write there.
    b = _shop(db, "fonnte", fonnte)
    configure(db, b, "waha", base_url=waha.url, api_key=waha.api_key, session="default", hmac_key=HMAC_KEY)
    b.settings = {**b.settings, "channels": {**b.settings["channels"], "whatsapp_gateway": "waha"}}
    db.commit()
    url = f"/webhooks/fonnte/rizquna/{_token(db, b.id, 'fonnte')}"
    assert (
        client.post(url, json=fonnte_in(message="berapa harga peci hitam?", inboxid="77")).status_code == 200
    )
    drain_all(ahead=1)
    assert [m["target"] for m in fonnte.sent] == [PHONE] and "40.000" in fonnte.sent[0]["message"]
    assert waha.texts_to(f"{PHONE}@c.us") == []
    # A staff member's message from the inbox follows the conversation too.
    db.rollback()
    (conv,) = db.scalars(sa.select(Conversation)).all()
    assert conv.gateway == "fonnte"
    do_send(db, conversation=conv, text="Baik kak, kami cek dulu ya.", sender_type="staff")
    db.commit()
    drain_all(ahead=1)
    assert [m["message"] for m in fonnte.sent][1:] == ["Baik kak, kami cek dulu ya."]
    ev = message_event(text="harga peci berapa?", chat_id=f"{PHONE}@c.us")
    assert post_webhook("/webhooks/waha/rizquna", ev, HMAC_KEY, client=client).status_code == 200
    drain_all(ahead=1)
    assert len(waha.texts_to(f"{PHONE}@c.us")) == 1 and len(fonnte.sent) == 2
    db.rollback()
    db.expire_all()
    assert db.scalars(sa.select(Conversation)).one().gateway == "waha"


def test_fonnte_form_post_and_dedupe_without_id(client, db, fonnte):
    b = _shop(db, "fonnte", fonnte)
    url = f"/webhooks/fonnte/rizquna/{_token(db, b.id, 'fonnte')}"
    form = {k: str(v) for k, v in fonnte_in(message="ready gak kak?").items()}
    assert client.post(url, data=form).json()["data"]["stored"] is True
    # No inboxid: the same sender + text within the minute is the same message.
    assert client.post(url, data=form).json()["data"]["stored"] is False
    assert client.post(url, data={**form, "message": "lain"}).json()["data"]["stored"] is True
    assert [e.payload["message"] for e in _events(db)] == ["ready gak kak?", "lain"]


def test_wrong_token_unknown_slug_and_bad_bodies_store_nothing(client, db, fonnte):
    b = _shop(db, "fonnte", fonnte)
    token = _token(db, b.id, "fonnte")
    body = fonnte_in(inboxid="1")
    # One character changed (a random token ends in "x" one time in 64: then another letter is used).
    wrong = token[:-1] + ("y" if token.endswith("x") else "x")
    r = client.post(f"/webhooks/fonnte/rizquna/{wrong}", json=body)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert client.post(f"/webhooks/fonnte/tidak-ada/{token}", json=body).status_code == 404
    # Starsender is not configured for this shop: its URL is a 404 whatever the token.
    assert client.post(f"/webhooks/starsender/rizquna/{token}", json=body).status_code == 404
    bad = client.post(
        f"/webhooks/fonnte/rizquna/{token}",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "malformed_json"
    deep = client.post(
        f"/webhooks/fonnte/rizquna/{token}", content=b"[" * 5000, headers={"content-type": "application/json"}
    )
    assert deep.status_code == 400 and deep.json()["error"]["code"] == "json_too_deep"
    arr = client.post(f"/webhooks/fonnte/rizquna/{token}", json=[1, 2])
    assert arr.status_code == 400
    from niaga.settings import get_settings

    big = json.dumps({"message": "x" * (get_settings().max_webhook_bytes + 10)}).encode()
    r = client.post(
        f"/webhooks/fonnte/rizquna/{token}", content=big, headers={"content-type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    assert _events(db) == []


def test_fonnte_media_by_url_with_size_cap(client, db, fonnte):
    from niaga.settings import get_settings

    b = _shop(db, "fonnte", fonnte)
    url = f"/webhooks/fonnte/rizquna/{_token(db, b.id, 'fonnte')}"
    small = fonnte.add_file("bab1.pdf", b"%PDF-1.7 " + b"x" * 1000)
    client.post(
        url,
        json=fonnte_in(message="print ya", url=small, filename="Bab 1.pdf", extension="pdf", inboxid="m1"),
    )
    db.rollback()  # a fresh snapshot: the webhook wrote since this session last read
    b.settings = {**b.settings, "channels": {**b.settings["channels"], "max_media_mb": 0.001}}
    db.commit()
    big = fonnte.add_file("besar.pdf", b"y" * 5000)
    client.post(url, json=fonnte_in(message="", url=big, filename="besar.pdf", extension="pdf", inboxid="m2"))
    drain_all(ahead=1)
    db.rollback()
    first, second = db.scalars(sa.select(Message).where(Message.direction == "in").order_by(Message.id)).all()
    (item,) = first.media
    assert item["filename"] == "Bab 1.pdf" and item["size"] == 1009 and item["mimetype"] == "application/pdf"
    assert (get_settings().files_dir / item["path"]).read_bytes().startswith(b"%PDF-1.7")
    assert second.media[0]["note"] == "too_large"
    assert any("terlalu besar" in m["message"] for m in fonnte.sent)


def test_media_urls_into_our_own_network_are_never_fetched(client, db, fonnte):
    # The webhook is unsigned: a media URL pointing at another service on this machine (or a cloud metadata
    # address) is refused without a request; the message itself is kept and answered.
    from niaga.integrations.fonnte.fake import FakeFonnte

    b = _shop(db, "fonnte", fonnte)
    url = f"/webhooks/fonnte/rizquna/{_token(db, b.id, 'fonnte')}"
    with FakeFonnte() as internal:
        secret = internal.add_file("admin.json", b'{"password": "x"}', "application/json")
        client.post(url, json=fonnte_in(message="ini filenya", url=secret, filename="a.json", inboxid="s1"))
        drain_all(ahead=1)
        assert internal.requests == []
    db.rollback()
    (msg,) = db.scalars(sa.select(Message).where(Message.direction == "in")).all()
    assert msg.text == "ini filenya"
    (item,) = msg.media
    assert item["note"] == "download_failed" and "bukan alamat publik" in item["error"]


def test_a_name_that_rebinds_to_our_own_network_after_the_check_is_not_fetched(db, monkeypatch):
    # DNS rebinding: the name resolves to a public address when the URL is checked and to this machine when
    # the download connects. The download checks the address it connects to, so nothing is requested.
    import socket

    from niaga.integrations.fonnte.fake import FakeFonnte
    from niaga.integrations.gateway_inbound import GatewayMessage, fetch_media

    b = f.make_business(db, slug="rebind", name="Rebind")
    real = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host != "files.rebind.test":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        address = "93.184.216.34" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with FakeFonnte() as internal:
        internal.add_file("admin.json", b'{"password": "x"}', "application/json")
        port = urlsplit(internal.url).port
        msg = GatewayMessage(
            sender=PHONE,
            text="",
            media_url=f"http://files.rebind.test:{port}/media/admin.json",
            filename="a.json",
        )
        item, notice = fetch_media("fonnte", b, msg)
        assert internal.requests == []
    assert len(lookups) == 2  # checked once, then resolved again by the download, which refused it
    assert item["note"] == "download_failed" and "127.0.0.1 bukan alamat publik" in item["error"]
    assert notice is None


def test_unsafe_url_rules():
    from niaga.integrations.http import unsafe_url_problem

    for bad in (
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:6379/",
        "http://[::1]:8000/x",
        "http://10.1.2.3/x",
        "http://192.168.1.1/",
        "http://localhost:5432/",
    ):
        assert unsafe_url_problem(bad) is not None, bad
    assert unsafe_url_problem("file:///etc/passwd") == "URL bukan http(s)"
    assert unsafe_url_problem("http://93.184.216.34/a.pdf") is None
    # The gateway the business configured itself (same host and port) is trusted, another port is not.
    assert unsafe_url_problem("http://127.0.0.1:3000/f.pdf", trusted=("http://127.0.0.1:3000",)) is None
    assert unsafe_url_problem("http://127.0.0.1:3001/f.pdf", trusted=("http://127.0.0.1:3000",)) is not None


def test_starsender_message_in_reply_out_and_file_by_signed_url(client, db, starsender):
    from niaga.messaging.delivery import do_send
    from niaga.settings import get_settings

    b = _shop(db, "starsender", starsender)
    url = f"/webhooks/starsender/rizquna/{_token(db, b.id, 'starsender')}"
    r = client.post(url, json=starsender_in(message="berapa harga peci hitam?", message_id="ss-in-1"))
    assert r.status_code == 200 and r.json()["data"]["stored"] is True
    drain_all(ahead=1)
    db.rollback()
    texts = [m for m in starsender.sent if m["to"] == PHONE and m["messageType"] == "text"]
    assert len(texts) == 1 and "40.000" in texts[0]["body"], starsender.sent

    # An invoice (a local file) to the same customer: Starsender gets a signed URL and can fetch it.
    pdf = get_settings().files_dir / str(b.id) / "invoices" / "INV-1.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(b"%PDF-1.7 invoice")
    conv = db.scalars(sa.select(Conversation)).one()
    do_send(
        db,
        conversation=conv,
        text="Ini invoicenya kak",
        media=[
            {
                "path": str(pdf.relative_to(get_settings().files_dir)),
                "filename": "INV-1.pdf",
                "mimetype": "application/pdf",
            }
        ],
    )
    db.commit()
    drain_all(ahead=1)
    db.rollback()
    (media,) = [m for m in starsender.sent if m["messageType"] == "media"]
    got = client.get(urlsplit(media["file"]).path)
    assert got.status_code == 200 and got.content == b"%PDF-1.7 invoice"
    assert "INV-1.pdf" in got.headers["content-disposition"]
    path = urlsplit(media["file"]).path
    token = path.rsplit("/", 1)[-1]
    assert client.get(path[:-2] + ("AA" if not path.endswith("AA") else "BB")).status_code == 404
    assert client.get("/files/s/" + token.replace(".", "x.", 1)).status_code == 404


def test_signed_links_expire_and_stay_inside_files_dir(client, db):
    from niaga.settings import get_settings

    p = get_settings().files_dir / "1" / "x.pdf"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(b"data")
    old = links.sign(p, ttl=60, now=time.time() - 3600)
    r = client.get(f"/files/s/{old}")
    assert r.status_code == 410 and r.json()["error"]["code"] == "link_expired"
    assert client.get(f"/files/s/{links.sign(p)}").content == b"data"
    with pytest.raises(ValueError):
        links.sign("/etc/passwd")
    assert client.get("/files/s/garbage").status_code == 404


def test_rotating_the_token_retires_the_old_url(client, db, world, fonnte):
    configure(db, world.a, "fonnte", base_url=fonnte.url, token=fonnte.token)
    got = client.get("/api/v1/channels/fonnte", headers=world.headers("admin")).json()["data"]
    old_url = urlsplit(got["webhook_url"]).path
    assert old_url == f"/webhooks/fonnte/{world.a.slug}/{_token(db, world.a.id, 'fonnte')}"
    assert client.post(old_url, json=fonnte_in(inboxid="a")).status_code == 200
    r = client.post("/api/v1/channels/fonnte/webhook-token", headers=world.headers("admin"))
    assert r.status_code == 200
    new_url = urlsplit(r.json()["data"]["webhook_url"]).path
    assert new_url != old_url
    assert client.post(old_url, json=fonnte_in(inboxid="b")).status_code == 404
    assert client.post(new_url, json=fonnte_in(inboxid="c")).status_code == 200
    assert (
        client.post("/api/v1/channels/fonnte/webhook-token", headers=world.headers("staff")).status_code
        == 403
    )
    w = client.post("/api/v1/channels/waha/webhook-token", headers=world.headers("admin"))
    assert w.status_code == 422
    assert [e.payload["inboxid"] for e in _events(db)] == ["a", "c"]
