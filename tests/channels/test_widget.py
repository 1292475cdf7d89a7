"""Website chat widget: script, visitor API, origins, rate limits, and a real headless Chromium chat."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.channels.conftest import drain_all

VISITOR = "a1b2c3d4e5f6a7b8c9d0e1f2"


def _allow(db, shop, origins, **extra):
    b = shop.business
    b.settings = {**b.settings, "channels": {**b.settings["channels"], "allowed_origins": origins, **extra}}
    db.commit()


def test_widget_js_is_served(client):
    r = client.get("/widget.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/javascript")
    assert "data-business" in r.text and "EventSource" in r.text and "Tulis pesan" in r.text
    assert "http://" not in r.text.replace("http://127", "")  # no CDN or external URL


def test_post_poll_and_answer(client, shop, db):
    r = client.post(
        "/widget/rizquna/messages",
        json={"visitor_id": VISITOR, "text": "berapa harga peci hitam?", "client_id": "c0ffee00c0ffee00"},
    )
    assert r.status_code == 201, r.text
    msg = r.json()["data"]["message"]
    assert msg["direction"] == "in" and msg["channel"] == "web"
    again = client.post(
        "/widget/rizquna/messages",
        json={"visitor_id": VISITOR, "text": "berapa harga peci hitam?", "client_id": "c0ffee00c0ffee00"},
    )
    assert again.status_code == 200 and again.json()["data"]["duplicate"] is True  # a retried POST
    drain_all(ahead=1)
    rows = client.get("/widget/rizquna/messages", params={"visitor_id": VISITOR}).json()["data"]
    assert [m["direction"] for m in rows] == ["in", "out"]
    assert "40.000" in rows[1]["text"] and rows[1]["delivery_status"] == "sent"
    after = client.get("/widget/rizquna/messages", params={"visitor_id": VISITOR, "after": rows[0]["id"]})
    assert [m["id"] for m in after.json()["data"]] == [rows[1]["id"]]
    # Another visitor sees nothing of it.
    other = client.get("/widget/rizquna/messages", params={"visitor_id": "z" * 24}).json()["data"]
    assert other == []


def test_bad_input(client, shop):
    assert (
        client.post("/widget/rizquna/messages", json={"visitor_id": "short", "text": "x"}).status_code == 422
    )
    assert (
        client.post("/widget/rizquna/messages", json={"visitor_id": VISITOR, "text": "   "}).status_code
        == 422
    )
    assert client.post("/widget/nope/messages", json={"visitor_id": VISITOR, "text": "x"}).status_code == 404
    assert client.get("/widget/rizquna/messages", params={"visitor_id": "../../etc"}).status_code == 422


def test_allowed_origins(client, shop, db):
    _allow(db, shop, ["https://toko.example"])
    ok = client.options(
        "/widget/rizquna/messages",
        headers={"Origin": "https://toko.example", "Access-Control-Request-Method": "POST"},
    )
    assert ok.status_code == 204 and ok.headers["access-control-allow-origin"] == "https://toko.example"
    assert "Content-Type" in ok.headers["access-control-allow-headers"]
    bad = client.options("/widget/rizquna/messages", headers={"Origin": "https://jahat.example"})
    assert bad.status_code == 403
    r = client.post(
        "/widget/rizquna/messages",
        json={"visitor_id": VISITOR, "text": "halo"},
        headers={"Origin": "https://jahat.example"},
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in r.headers
    r = client.post(
        "/widget/rizquna/messages",
        json={"visitor_id": VISITOR, "text": "halo"},
        headers={"Origin": "https://toko.example"},
    )
    assert r.status_code == 201 and r.headers["access-control-allow-origin"] == "https://toko.example"
    r = client.get(
        "/widget/rizquna/messages",
        params={"visitor_id": VISITOR},
        headers={"Origin": "https://jahat.example"},
    )
    assert r.status_code == 403


def test_rate_limits_per_visitor_and_ip(client, shop, db):
    _allow(db, shop, [], widget_per_visitor_per_minute=2, widget_per_ip_per_minute=3)

    def post(vid):  # type: ignore[no-untyped-def]
        return client.post(
            "/widget/rizquna/messages",
            json={"visitor_id": vid, "text": "halo"},
            headers={"Origin": "https://a.example"},
        )

    assert [post(VISITOR).status_code for _ in range(3)] == [201, 201, 429]
    limited = post(VISITOR)
    assert limited.json()["error"]["code"] == "rate_limited"
    assert limited.headers["access-control-allow-origin"] == "https://a.example"  # the widget can read it
    assert post("b" * 24).status_code == 201  # a new visitor, same IP: the 3rd hit of this IP
    assert post("c" * 24).status_code == 429  # IP limit


class _Page(BaseHTTPRequestHandler):
    html = b""

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.html)))
        self.end_headers()
        self.wfile.write(self.html)


@pytest.mark.browser
@pytest.mark.slow
def test_widget_in_headless_chromium(live, shop, db, browser):
    handler = type(
        "Page",
        (_Page,),
        {
            "html": (
                "<!doctype html><html lang='id'><head><title>Toko Rizquna</title></head><body><h1>Rizquna</h1>"
                f"<script src='{live.url}/widget.js' data-business='rizquna' async></script></body></html>"
            ).encode()
        },
    )
    site = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    site_url = f"http://127.0.0.1:{site.server_address[1]}/"
    _allow(db, shop, [site_url.rstrip("/")])  # the shop's site is the only one allowed
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(site_url)
        page.click(".bubble")  # Playwright's CSS engine pierces the widget's open shadow root
        page.wait_for_selector(".panel.open")
        assert page.locator(".title").inner_text() == "Chat dengan kami"
        page.fill("textarea", "berapa harga peci hitam?")
        page.keyboard.press("Enter")
        page.wait_for_selector(".msg.in", timeout=10_000)
        answer = page.wait_for_selector(".msg.out[data-id]:not([data-id='0'])", timeout=20_000)
        assert "40.000" in answer.inner_text()
        visitor = page.evaluate("localStorage.getItem('niaga_vid_rizquna')")
        assert visitor and len(visitor) >= 16
        # A reload keeps the visitor and shows the history.
        page.reload()
        page.click(".bubble")
        page.wait_for_selector(".msg.out[data-id]:not([data-id='0'])", timeout=10_000)
        assert page.evaluate("localStorage.getItem('niaga_vid_rizquna')") == visitor
        assert page.locator(".msg.in").count() == 1
        assert errors == []
    finally:
        context.close()
        site.shutdown()
        site.server_close()


@pytest.mark.slow
def test_widget_stream_sends_backlog_and_live_answers(live, shop):
    import json

    import httpx

    url = f"{live.url}/widget/rizquna"
    r = httpx.post(f"{url}/messages", json={"visitor_id": VISITOR, "text": "halo kak"}, timeout=10)
    first_id = r.json()["data"]["message"]["id"]
    seen: list[dict] = []

    def read(resp):
        buf = ""
        try:
            for chunk in resp.iter_text():
                buf += chunk
                while "\n\n" in buf:
                    block, buf = buf.split("\n\n", 1)
                    data = [line[6:] for line in block.split("\n") if line.startswith("data: ")]
                    if data:
                        seen.append(json.loads(data[0])["message"])
                    if any("40.000" in (m.get("text") or "") for m in seen):
                        return
        except httpx.HTTPError:  # the test closed the stream
            return

    with httpx.stream(
        "GET",
        f"{url}/stream",
        params={"visitor_id": VISITOR},
        timeout=20,
        headers={"Origin": "https://any.example"},
    ) as resp:
        assert resp.headers["access-control-allow-origin"] == "https://any.example"
        t = threading.Thread(target=read, args=(resp,), daemon=True)
        t.start()
        httpx.post(
            f"{url}/messages", json={"visitor_id": VISITOR, "text": "berapa harga peci hitam?"}, timeout=10
        )
        t.join(20)
    assert seen[0]["id"] == first_id  # backlog first
    texts = [m["text"] for m in seen]
    assert "berapa harga peci hitam?" in texts and any("40.000" in t for t in texts)
    assert all("path" not in item for m in seen for item in m["media"])
