"""The print shop's staff pages (queue board, job page, counter upload, the overview's print statistics)
and the customer's upload page in both languages: in English no Indonesian label is left (text the
domain wrote in Indonesian, such as findings, quote lines and alerts, is marked `lang="id"` and is not a
label); flashes follow the staff member's language; the customer's page follows the customer's language
(the language the agent detected in their chat), Indonesian by default, with a switch."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from niaga.printshop import jobs, jobs_links, jobs_stats
from niaga.printshop.jobs_models import JOB_STATES, PrintJob
from niaga.web import i18n
from niaga.web.print_board import ACTIONS, COLUMNS
from tests import factories as f
from tests.web.helpers import csrf_of, login, post_form
from tests.web.print_seed import seed_print

# Indonesian words an English-speaking operator would notice as untranslated (whole words,
# case-insensitive). Words both languages use (file, link, Detail, Total, Status, WhatsApp, PDF) and
# the business's own name ("Toko A") are not listed.
INDONESIAN = [
    "diterima",
    "diproses",
    "menunggu",
    "pelanggan",
    "penawaran",
    "terkirim",
    "lunas",
    "antre",
    "cetak",
    "dicetak",
    "siap",
    "diambil",
    "sudah",
    "selesai",
    "dibatalkan",
    "batal",
    "gagal",
    "berkas",
    "temuan",
    "rincian",
    "biaya",
    "pembayaran",
    "riwayat",
    "aksi",
    "tanya",
    "kirim",
    "rangkap",
    "jilid",
    "warna",
    "berwarna",
    "bolak-balik",
    "ekspres",
    "ambil",
    "kosong",
    "lainnya",
    "pesanan",
    "halaman",
    "hlm",
    "hitam-putih",
    "tandai",
    "batalkan",
    "proses",
    "ulang",
    "setuju",
    "kasir",
    "terima",
    "bayar",
    "belum",
    "tidak",
    "ada",
    "untuk",
    "dan",
    "yang",
    "dari",
    "jam",
    "hari",
    "unggah",
    "simpan",
    "ubah",
    "spesifikasi",
    "catatan",
    "pilih",
    "pratinjau",
    "langsung",
    "kolom",
    "hapus",
    "mis",
    "steples",
    "tanpa",
    "sesuai",
    "pengantar",
    "surat",
    "kebijakan",
    "penyimpanan",
    "dihapus",
    "berlaku",
    "menit",
    "lihat",
    "tarik",
    "lepas",
    "ketuk",
    "maks",
    "ditolak",
    "percetakan",
    "pendapatan",
    "layanan",
    "tanggal",
    "terlama",
    "rata-rata",
    "diingatkan",
    "staf",
    "sistem",
    "penyedia",
]
# (not inside an e-mail address, a file name or a dotted/dashed identifier)
INDONESIAN_RE = re.compile(
    r"(?<![\w.@-])(" + "|".join(re.escape(w) for w in INDONESIAN) + r")(?![\w@-]|\.\w)", re.I
)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _EnglishVisible(HTMLParser):
    """What the user reads, leaving out scripts, styles, code and anything marked `lang="id"` (text the
    domain wrote in Indonesian, or the switch to Indonesian)."""

    SKIP = {"script", "style", "code", "pre"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[bool] = []  # per open element: is it (or an ancestor) skipped?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        skipped = (
            bool(self.stack and self.stack[-1])
            or tag in self.SKIP
            or (tag != "html" and a.get("lang") == "id")
        )
        if not skipped:
            for k in ("placeholder", "title", "aria-label", "alt"):
                if a.get(k):
                    self.parts.append(str(a[k]))
        if tag not in VOID:
            self.stack.append(skipped)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def indonesian_words(html: str) -> list[str]:
    p = _EnglishVisible()
    p.feed(html)
    text = " ".join(" ".join(p.parts).split())
    return [
        f"{m.group(1)!r} in …{text[max(m.start() - 40, 0) : m.end() + 40]}…"
        for m in INDONESIAN_RE.finditer(text)
    ]


def to_english(client: Any) -> None:
    r = post_form(client, "/app", "/app/bahasa", {"lang": "en", "next": "/app"})
    assert r.status_code == 303


def print_pages(jobs_: list[PrintJob]) -> list[str]:
    return [
        "/app",
        "/app/cetak",
        "/app/cetak/papan",
        "/app/cetak/baru",
        *[f"/app/cetak/{j.id}" for j in jobs_],
    ]


def test_the_checker_catches_indonesian_labels_and_skips_marked_text():
    assert indonesian_words("<h2>Rincian biaya</h2>")
    assert indonesian_words('<button title="Langsung">x</button>')
    assert indonesian_words("<li>2 file · 38 hlm hitam-putih</li>")
    assert indonesian_words("<p>Pilih file.</p>")  # a sentence's last word still counts
    assert not indonesian_words("<b>Surat.docx</b>")  # a file name is the customer's, not a label
    assert not indonesian_words(
        '<h2>Findings</h2><ul lang="id"><li>Halaman 3 buram.</li></ul><p>Toko A · Total</p>'
    )
    assert not indonesian_words(
        '<p><img alt="Preview"><a lang="id" href="?lang=id">Bahasa Indonesia</a> File</p>'
    )


def test_print_pages_in_english_have_no_indonesian_labels(client, world, db):
    made = seed_print(db, world.a, note="2 copies please, pick up at 3pm")
    assert login(client, "owner@a.test").status_code == 303
    to_english(client)
    found: dict[str, list[str]] = {}
    for url in print_pages(made):
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        assert '<html lang="en">' in r.text or url == "/app/cetak/papan", url
        if words := indonesian_words(r.text):
            found[url] = words
    board = client.get("/app/cetak").text
    for key, _states in COLUMNS:
        assert html.escape(i18n.EN[f"print.col.{key}"], quote=False) in board
    assert "EXPRESS" in board and "Walk-in customer" in board and "at the counter" in board
    assert "Pay at the counter" in board and "Accept (pay at the counter)" in board
    job_page = client.get(f"/app/cetak/{made[JOB_STATES.index('quoted')].id}").text
    for label in ("Cost breakdown", "Findings", "History", "Status changed", "Files received", "(staff)"):
        assert label in job_page, label
    assert "Printing · last 14 days" in client.get("/app").text
    # flashes in the staff member's language: an action, an action not offered now, the counter upload
    received = made[JOB_STATES.index("received")]
    r = post_form(client, "/app/cetak", f"/app/cetak/{received.id}/aksi", {"do": "cancel", "back": "job"})
    assert r.status_code == 303
    page = client.get(f"/app/cetak/{received.id}").text
    assert f"{received.number}: Cancel job — cancelled." in page
    found.update({"after cancel": w} if (w := indonesian_words(page)) else {})
    r = post_form(client, "/app/cetak", f"/app/cetak/{received.id}/aksi", {"do": "print"})
    assert "This action is not available in the job&#39;s current status." in client.get("/app/cetak").text
    page = client.get("/app/cetak/baru")
    r = client.post(
        "/app/cetak/baru",
        data={"csrf_token": csrf_of(page.text), "name": "Sari"},
        files=[
            ("files", ("tugas.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")),
            ("files", ("virus.exe", b"MZ", "application/octet-stream")),
        ],
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "created; the files are being checked. Refused: virus.exe (file type not supported)." in page
    # a domain error shown in English by its code
    cancelled = made[JOB_STATES.index("paid")]
    r = post_form(
        client, "/app/cetak", f"/app/cetak/{cancelled.id}/aksi", {"do": "upload_link", "back": "job"}
    )
    assert "This customer has no chat conversation" in client.get(f"/app/cetak/{cancelled.id}").text
    assert not found, "Indonesian on English print pages:\n" + "\n".join(
        f"{u}: {w}" for u, ws in found.items() for w in ws
    )


def test_print_pages_in_indonesian_keep_their_text(client, world, db):
    from tests.web.test_dashboard_id import english_words

    made = seed_print(db, world.a)
    login(client, "owner@a.test")
    board = client.get("/app/cetak").text
    for text in (
        "Masuk &amp; diproses",
        "Menunggu pelanggan",
        "EKSPRES",
        "Pelanggan di toko",
        "Setuju (bayar di kasir)",
    ):
        assert text in board, text
    found = {u: w for u in print_pages(made) if (w := english_words(client.get(u).text))}
    assert not found, found
    received = made[JOB_STATES.index("received")]
    post_form(client, "/app/cetak", f"/app/cetak/{received.id}/aksi", {"do": "cancel"})
    assert f"{received.number}: Batalkan — dibatalkan." in client.get("/app/cetak").text


def test_upload_page_follows_the_customers_language(client, world, db):
    from niaga.messaging.models import Conversation

    seed_print(db, world.a)
    customer = f.make_customer(db, business=world.a, name="John", phone="6281234500088")
    conv = Conversation(
        business_id=world.a.id,
        customer_id=customer.id,
        channel="whatsapp",
        chat_id="6281234500088@c.us",
        owner="bot",
        memory={"lang": "en"},
    )
    plain = f.make_customer(db, business=world.a, name="Budi", phone="6281234500089")
    db.add(conv)
    db.commit()
    english = jobs_links.upload_token(
        business_id=world.a.id, customer_id=customer.id, conversation_id=conv.id
    )
    default = jobs_links.upload_token(business_id=world.a.id, customer_id=plain.id, conversation_id=None)
    page = client.get(f"/u/{english}")
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert "Drag &amp; drop files here" in page.text and not indonesian_words(page.text)
    assert 'data-msg-choose="Please choose a file first."' in page.text
    page = client.get(f"/u/{english}?lang=id")  # the customer's own switch wins
    assert '<html lang="id">' in page.text and "Tarik &amp; lepas" in page.text
    page = client.get(f"/u/{default}")
    assert (
        '<html lang="id">' in page.text and "Tarik &amp; lepas" in page.text and ">English</a>" in page.text
    )
    page = client.get(f"/u/{default}?lang=en")
    assert '<html lang="en">' in page.text and not indonesian_words(page.text)
    # the answer to an upload, in the page's language
    r = client.post(
        f"/u/{english}",
        files=[
            ("files", ("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")),
            ("files", ("b.exe", b"MZ", "application/octet-stream")),
        ],
    )
    body = r.json()
    assert body["ok"] and body["message"].startswith("Thank you! 1 file(s) received for job CTK-")
    assert body["refused"] == ["b.exe (file type not supported)"]
    r = client.post(f"/u/{default}", files=[("files", ("b.exe", b"MZ", "application/octet-stream"))])
    assert r.status_code == 422 and r.json()["message"].startswith("Belum ada file")
    bad = client.get(f"/u/{english}x?lang=en")
    assert bad.status_code == 404 and "This link is not valid or has expired" in bad.text
    assert "kedaluwarsa" in client.get(f"/u/{english}x").text


def test_every_print_label_has_its_english_and_matches_the_domain():
    keys = [k for k, _i, _e in i18n._PRINT]
    assert len(keys) == len(set(keys))
    for key, ind, eng in i18n._PRINT:
        assert eng, key
        if ind:
            assert i18n.t(key, "id") == ind and i18n.t(key, "en") == eng
    assert {s: i18n.t(f"print.state.{s}") for s in JOB_STATES} == jobs.STATE_LABELS_ID
    assert all(i18n.t(f"print.state.{s}", "en") != f"print.state.{s}" for s in JOB_STATES)
    for _code, label in jobs_stats.SERVICES:
        assert i18n.print_service_label(label, "en") != label
    for action in ACTIONS:
        assert f"print.action.{action}" in i18n.ID and f"print.action.{action}" in i18n.EN
    for key, _states in COLUMNS:
        assert f"print.col.{key}" in i18n.ID and f"print.col.{key}" in i18n.EN


@pytest.mark.browser
@pytest.mark.slow
def test_board_in_english_on_desktop_and_phone(page, live, world, db, output_dir: Path):
    from tests.web.conftest import shoot
    from tests.web.test_browser import log_in

    seed_print(db, world.a, note="2 copies, spiral binding")
    log_in(page, "owner@a.test", "/app/cetak")
    page.click("form[action='/app/bahasa'] button[type=submit]")
    page.wait_for_load_state()
    page.goto("/app/cetak")
    assert page.locator("h1").first.inner_text().startswith("Print queue")
    assert "Waiting for customer" in page.inner_text("#board")
    shoot(page, output_dir, "cetak-en")
    assert not page.js_errors  # type: ignore[attr-defined]
