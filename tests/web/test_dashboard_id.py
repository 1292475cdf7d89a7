"""Issue 10, item 4 (no browser): every dashboard page in Indonesian without English words, customer
pages that agree with themselves, imported purchases in the overview, the widget's allowed origins, import
templates the importer accepts, channels not ticked "Aktif" before they are configured, and the print
queue only for print shops."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest

from niaga.customers import service as customers_service
from niaga.customers.models import Transaction
from niaga.jobs.models import DeadLetter, Job
from niaga.messaging.models import Conversation, Message
from niaga.orders import service as orders
from tests import factories as f
from tests.web.helpers import csrf_of, login, post_form
from tests.web.print_seed import seed_print

# What an Indonesian shop owner would notice as English on a page (whole words, case-insensitive). Names
# that are Indonesian usage too (Inbox, Bot, Admin, API key, SKU, Email, Status, Total, Token, Midtrans)
# are not listed.
ENGLISH = [
    "cash",
    "owner",
    "staff",
    "customer",
    "customers",
    "user",
    "users",
    "pending",
    "paid",
    "failed",
    "missing",
    "new count",
    "notification",
    "jobs",
    "prefix",
    "active",
    "inactive",
    "off",
    "completed",
    "settlement",
    "refund_due",
    "overpaid",
    "earn",
    "redeem",
    "delivered",
    "draft",
    "awaiting",
    "via cash",
    "order",
    "orders",
    "price",
    "stock",
    "name",
    "amount",
    "phone",
    "store_info",
    "order_create",
    "stock_check",
    "price_check",
    "product_query",
    "shipping_cost",
    "order_status",
    "human_handoff",
    "greeting",
    "complaint",
    "thanks",
    "other",
    "unknown",
    "invalid",
    "duplicate",
    "non-numeric",
    "negative",
    "sku, name, price",
    "weight_g",
    "sale_price",
    "customer_ref",
    "transaction_ref",
    "import",
    "imported",
    "system",
    "provider",
    # the print shop's states, sources, actions and labels ("ready" is chat Indonesian: "peci ready?")
    "received",
    "processing",
    "needs_customer",
    "quoted",
    "awaiting_payment",
    "queued",
    "printing",
    "picked up",
    "picked_up",
    "shipped",
    "cancelled",
    "upload",
    "counter",
    "files",
    "findings",
    "copies",
    "binding",
    "staple",
    "none",
    "express",
    "print",
]
# (not inside an e-mail address or a dotted/dashed identifier)
ENGLISH_RE = re.compile(r"(?<![\w.@-])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![\w@-])", re.I)


class _Visible(HTMLParser):
    """The text a user reads: element text plus placeholder/title/aria-label/alt, without scripts, styles
    and technical identifiers shown as code (job names, CSV headers)."""

    SKIP = {"script", "style", "code", "pre"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip += 1
        for k, v in attrs:
            if k in ("placeholder", "title", "aria-label", "alt") and v:
                self.parts.append(v)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    p = _Visible()
    p.feed(html)
    return " ".join(" ".join(p.parts).split())


def english_words(html: str) -> list[str]:
    text = visible_text(html)
    out = []
    for m in ENGLISH_RE.finditer(text):
        out.append(f"{m.group(1)!r} in …{text[max(m.start() - 40, 0) : m.end() + 40]}…")
    return out


def seed_shop(db: Any, business: Any) -> dict[str, Any]:
    """A shop after a few weeks: products, customers (one known only from imported books), orders paid in
    cash and by transfer, an unpaid order, a conversation with intents, a failed job, imported purchases."""
    products = [
        f.make_product(db, business=business, sku=f"PC-{i:03d}", name=n, price=p, stock=40, category=c)
        for i, (n, p, c) in enumerate(
            [
                ("Peci Hitam Polos", 40000, "Peci"),
                ("Sajadah Turki Premium", 125000, "Sajadah"),
                ("Tasbih Kayu Kokka", 35000, "Tasbih"),
            ]
        )
    ]
    siti = f.make_customer(
        db, business=business, name="Siti Aminah", phone="6281234500001", city="Bandung", tags=["langganan"]
    )
    rina = f.make_customer(
        db, business=business, name="Rina Batik", phone="6281234500009", city="Solo", customer_ref="BS-0042"
    )
    actor = orders.Actor.system()
    paid_cash = orders.create(
        db,
        business_id=business.id,
        actor=actor,
        customer_id=siti.id,
        items=[{"product_id": products[1].id, "quantity": 2}],
    )
    orders.do_record_payment(
        db, order=paid_cash, method="cash", actor=orders.Actor("user", None), tendered=300000
    )
    paid_transfer = orders.create(
        db,
        business_id=business.id,
        actor=actor,
        customer_id=siti.id,
        items=[{"product_id": products[0].id, "quantity": 1}],
    )
    orders.do_record_payment(db, order=paid_transfer, method="transfer", actor=actor, reference="BCA-77")
    unpaid = orders.create(
        db,
        business_id=business.id,
        actor=actor,
        customer_id=rina.id,
        items=[{"product_id": products[2].id, "quantity": 3}],
    )
    today = datetime.now(UTC).date()
    for i in range(3):
        db.add(
            Transaction(
                business_id=business.id,
                ref=f"BS-T{i}",
                customer_id=rina.id,
                source="import",
                occurred_on=today - timedelta(days=40 + i * 30),
                amount=1_150_000 + i * 1000,
                status="completed",
                products=["Batik tulis"],
            )
        )
    db.flush()
    customers_service.refresh_totals(
        db, business_id=business.id, customer_ids=[rina.id], zone=business.timezone
    )
    conv = Conversation(
        business_id=business.id,
        customer_id=siti.id,
        channel="whatsapp",
        chat_id="6281234500001@c.us",
        owner="bot",
        last_message_at=datetime.now(UTC),
        last_message_preview="Kak, toko buka jam berapa?",
    )
    db.add(conv)
    db.flush()
    for intent, direction, sender, text, status in [
        ("store_info", "in", "customer", "Kak, toko buka jam berapa?", None),
        ("store_info", "out", "bot", "Buka jam 08.00–17.00 kak.", "sent"),
        ("order_create", "in", "customer", "pesan 2 sajadah turki ya", None),
        ("order_create", "out", "bot", "Siap kak, pesanan dibuat.", "failed"),
        ("stock_check", "in", "customer", "peci ready?", None),
    ]:
        db.add(
            Message(
                business_id=business.id,
                conversation_id=conv.id,
                channel="whatsapp",
                direction=direction,
                sender_type=sender,
                text=text,
                intent=intent,
                delivery_status=status,
            )
        )
    job = Job(
        business_id=business.id, name="orders.send_invoice", args={"order_id": paid_cash.id}, status="dead"
    )
    db.add(job)
    db.flush()
    db.add(
        DeadLetter(
            job_id=job.id,
            business_id=business.id,
            name="orders.send_invoice",
            args={"order_id": paid_cash.id},
            error="SMTP ditolak\nTraceback …",
            attempts=5,
        )
    )
    db.commit()
    return {
        "products": products,
        "siti": siti,
        "rina": rina,
        "paid_cash": paid_cash,
        "paid_transfer": paid_transfer,
        "unpaid": unpaid,
        "conv": conv,
    }


def _pages(data: dict[str, Any]) -> list[str]:
    return [
        "/app",
        "/app/inbox",
        f"/app/inbox/{data['conv'].id}",
        "/app/pesanan",
        "/app/pesanan?status=paid",
        f"/app/pesanan/{data['paid_cash'].id}",
        f"/app/pesanan/{data['paid_transfer'].id}",
        f"/app/pesanan/{data['unpaid'].id}",
        "/app/katalog",
        "/app/katalog/baru",
        f"/app/katalog/{data['products'][0].id}",
        "/app/katalog/impor",
        "/app/katalog/impor?kind=transactions",
        "/app/katalog/pengetahuan",
        "/app/katalog/pengetahuan/baru",
        "/app/katalog/ongkir",
        "/app/pelanggan",
        f"/app/pelanggan/{data['siti'].id}",
        f"/app/pelanggan/{data['rina'].id}",
        "/app/pengaturan",
        "/app/pengaturan/kanal",
        "/app/pengaturan/pembayaran",
        "/app/pengaturan/ai",
        "/app/pengaturan/pengguna",
        "/app/pengaturan/api-keys",
        "/app/jobs",
        "/app/jobs?status=replayed",
    ]


def test_every_page_in_indonesian_has_no_english_words(client, world, db):
    f.make_knowledge(db, business=world.a)
    f.make_rate(db, business=world.a)
    data = seed_shop(db, world.a)
    print_jobs = seed_print(db, world.a)  # the print module on: the queue, its jobs, the overview's stats
    assert login(client, "owner@a.test").status_code == 303
    found: dict[str, list[str]] = {}
    pages = [
        *_pages(data),
        "/app/cetak",
        "/app/cetak/papan",
        "/app/cetak/baru",
        *[f"/app/cetak/{j.id}" for j in print_jobs],
    ]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        if words := english_words(r.text):
            found[url] = words
    # an import with rejected rows, and one without the required columns
    page = client.get("/app/katalog/impor")
    token = csrf_of(page.text)
    csv = b"sku,nama,harga,stok\nSJ-01,Sajadah,125000,3\n,,murah,-2\nSJ-02,,abc,4\n"
    r = client.post(
        "/app/katalog/impor",
        data={"kind": "products", "csrf_token": token},
        files={"file": ("produk.csv", csv, "text/csv")},
    )
    assert r.status_code == 200 and "import-report" in r.text
    if words := english_words(r.text):
        found["import report"] = words
    r = client.post(
        "/app/katalog/impor",
        data={"kind": "products", "csrf_token": token},
        files={"file": ("produk.csv", b"kode_barang,judul\nA,B\n", "text/csv")},
    )
    assert r.status_code == 422
    if words := english_words(r.text):
        found["import without columns"] = words
    # the flash after a cash payment recorded by staff
    p = f.make_product(db, business=world.a, name="Gamis Anak", price=89000, stock=5)
    o = orders.create(
        db,
        business_id=world.a.id,
        items=[{"product_id": p.id, "quantity": 1}],
        actor=orders.Actor.system(),
        customer_id=data["siti"].id,
    )
    db.commit()
    r = post_form(
        client,
        f"/app/pesanan/{o.id}",
        f"/app/pesanan/{o.id}/bayar",
        {"method": "cash", "amount": "89000", "tendered": "100000"},
    )
    assert r.status_code == 303
    r = client.get(f"/app/pesanan/{o.id}")
    assert "Tunai" in r.text
    if words := english_words(r.text):
        found["order after cash payment"] = words
    # the customer's upload page, and the flash after a board action
    from niaga.printshop import jobs_links

    token = jobs_links.upload_token(business_id=world.a.id, customer_id=data["siti"].id, conversation_id=None)
    r = client.get(f"/u/{token}")
    assert r.status_code == 200 and '<html lang="id">' in r.text
    if words := english_words(r.text.replace(">English</a>", "></a>")):  # the switch to English
        found["upload page"] = words
    job = print_jobs[0]
    r = post_form(client, "/app/cetak", f"/app/cetak/{job.id}/aksi", {"do": "cancel", "back": "job"})
    assert r.status_code == 303
    r = client.get(f"/app/cetak/{job.id}")
    assert f"{job.number}: Batalkan — dibatalkan." in r.text
    if words := english_words(r.text):
        found["print job after an action"] = words
    assert not found, "English on Indonesian pages:\n" + "\n".join(
        f"{u}: {w}" for u, ws in found.items() for w in ws
    )


def test_the_word_list_catches_what_the_issue_saw():
    """The check itself: the strings reported in the issue are caught; Indonesian pages pass."""
    for html in [
        "<span class='badge'>store_info</span>",
        "<p>Pembayaran Rp10.000 (cash) tercatat.</p>",
        "<li>lunas via cash · customer</li>",
        "<td>owner</td>",
        "<label>Notification URL</label>",
        "<option>= jumlah baru / new count</option>",
        "<td>nama kosong (missing name)</td>",
        "<div>Kolom wajib tidak ada: sku, name, price.</div>",
        "<a>Jobs</a>",
    ]:
        assert english_words(html), html
    assert not english_words(
        "<p>Lunas via Tunai · staf</p><code>orders.send_invoice</code><script>var order = 1;</script>"
    )


def test_customer_page_counts_imported_purchases_and_agrees_with_the_list(client, world, db):
    data = seed_shop(db, world.a)
    login(client, "owner@a.test")
    rina = data["rina"]
    page = client.get(f"/app/pelanggan/{rina.id}").text
    history = page[page.index('id="purchase-history"') :]
    # the three imported purchases and the unpaid order are all listed
    assert history.count('data-kind="import"') == 3
    assert history.count('data-kind="order"') == 1
    assert "BS-T0" in history and data["unpaid"].number in history
    kpi = re.search(r'id="kpi-purchases">([^<]+)<', page)
    assert kpi and kpi.group(1) == "3"
    assert "Rp3.453.000" in page  # 1.150.000 + 1.151.000 + 1.152.000
    assert "3 dari impor" in page and "1 pesanan belum dibayar" in page
    listing = client.get("/app/pelanggan?q=Rina").text
    row = listing[listing.index(f"/app/pelanggan/{rina.id}") :]
    row = row[: row.index("</tr>")]
    assert ">3<" in row.replace(" ", "") and "Rp3.453.000" in row
    # a customer whose only purchases are paid orders here: the count matches the paid orders listed
    siti = data["siti"]
    page = client.get(f"/app/pelanggan/{siti.id}").text
    kpi = re.search(r'id="kpi-purchases">([^<]+)<', page)
    paid = sum(1 for o in (data["paid_cash"], data["paid_transfer"]) if o.customer_id == siti.id)
    assert kpi and kpi.group(1) == str(paid)


def test_overview_counts_a_shop_whose_history_was_imported(client, world, db):
    from niaga.web import stats

    c = f.make_customer(db, business=world.a, name="Batik Sekar Pelanggan", customer_ref="BS-1")
    c2 = f.make_customer(db, business=world.a, name="Pelanggan Lama", customer_ref="BS-2")
    today = datetime.now(UTC).astimezone(stats.tz(world.a.timezone)).date()
    rows = [
        ("T1", c.id, today, 200_000),
        ("T2", c.id, today - timedelta(days=1), 300_000),
        ("T3", c2.id, today, 50_000),
        ("T4", c2.id, today - timedelta(days=80), 75_000),
    ]
    for ref, cid, day, amount in rows:
        db.add(
            Transaction(
                business_id=world.a.id,
                ref=ref,
                customer_id=cid,
                occurred_on=day,
                amount=amount,
                status="completed",
                source="import",
            )
        )
    db.add(
        Transaction(
            business_id=world.a.id,
            ref="T5",
            customer_id=cid,
            occurred_on=today,
            amount=999,
            status="cancelled",
            source="import",
        )
    )
    db.commit()
    s = stats.compute(db, world.a)
    assert s.today_orders == 2 and s.today_revenue == 250_000
    month_days = [d for d in (today, today - timedelta(days=1)) if d.month == today.month]
    assert s.month_revenue == sum(a for _, _, d, a in rows if d in month_days)
    assert sum(v for _, v in s.revenue_days) == 550_000
    assert s.status_counts.get("imported") == 3
    # Returning = bought this month and before it: BS-2 (80 days ago), and BS-1 too on the first of a month
    # (its purchase of yesterday is then last month's).
    returning = 1 + (1 if (today - timedelta(days=1)).month != today.month else 0)
    assert s.returning_customers == returning
    assert s.new_customers == 2 - returning
    login(client, "owner@a.test")
    page = client.get("/app").text
    assert "Rp250.000" in page and "Impor (selesai)" in page


def test_widget_allowed_origins_are_set_validated_and_used(client, world, db, app):
    from niaga.integrations.widget.routes import allowed_origin
    from niaga.kit.errors import Forbidden

    login(client, "owner@a.test")
    page = client.get("/app/pengaturan/kanal").text
    assert 'name="allowed_origins"' in page
    r = post_form(
        client,
        "/app/pengaturan/kanal",
        "/app/pengaturan/kanal/widget/situs",
        {"allowed_origins": "https://tokoku.com/\nhttps://tokoku.com/produk, ftp://x"},
    )
    assert r.status_code == 422
    assert "Bukan alamat situs yang valid" in r.text and "https://tokoku.com/produk" in r.text
    assert "ftp://x" in r.text
    db.commit()  # end the test session's read snapshot
    db.refresh(world.a)
    assert not (world.a.settings.get("channels") or {}).get("allowed_origins")
    r = post_form(
        client,
        "/app/pengaturan/kanal",
        "/app/pengaturan/kanal/widget/situs",
        {"allowed_origins": "https://TokoKu.com/\nhttp://localhost:5173 https://tokoku.com:443"},
    )
    assert r.status_code == 303
    db.commit()
    db.refresh(world.a)
    assert world.a.settings["channels"]["allowed_origins"] == ["https://tokoku.com", "http://localhost:5173"]
    assert "https://tokoku.com\nhttp://localhost:5173" in client.get("/app/pengaturan/kanal").text
    assert allowed_origin(world.a, "https://tokoku.com") == "https://tokoku.com"
    with pytest.raises(Forbidden):
        allowed_origin(world.a, "https://lain.example")
    # staff cannot change it
    client.cookies.clear()
    login(client, "staff@a.test")
    assert client.get("/app/pengaturan/kanal").status_code == 403


def test_unconfigured_channels_are_not_shown_active(client, world, db):
    login(client, "owner@a.test")
    page = client.get("/app/pengaturan/kanal").text
    sections = re.findall(r'<section class="card" id="ch-(\w+)".*?</section>', page, re.S)
    assert sections
    for kind in sections:
        sec = re.search(rf'<section class="card" id="ch-{kind}".*?</section>', page, re.S).group(0)
        assert "Belum diatur" in sec, kind
        assert not re.search(r'name="is_enabled" value="1"\s+checked', sec), kind
    pay = client.get("/app/pengaturan/pembayaran").text
    assert not re.search(r'name="is_enabled" value="1"\s+checked', pay)
    assert "Belum diatur" in pay


def test_menu_and_title_name_failed_jobs_the_same(client, world):
    login(client, "owner@a.test")
    page = client.get("/app/jobs").text
    nav = re.search(r'href="/app/jobs"[^>]*>.*?<span>([^<]+)</span>', page, re.S)
    h1 = re.search(r"<h1>([^<]+)</h1>", page)
    assert nav and h1 and nav.group(1) == h1.group(1) == "Job gagal"


@pytest.mark.parametrize("kind", ["products", "shipping-rates", "knowledge", "customers", "transactions"])
def test_import_template_has_headers_the_importer_accepts(client, world, db, kind):
    from niaga.catalog import importer

    f.make_customer(db, business=world.a, name="Rina", customer_ref="C-1")
    login(client, "admin@a.test")  # imports are for admins
    page = client.get(f"/app/katalog/impor?kind={kind}").text
    assert f'href="/app/katalog/impor/templat/{kind}.csv"' in page
    r = client.get(f"/app/katalog/impor/templat/{kind}.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    header = r.content.decode("utf-8-sig").strip()
    cols = header.split(",")
    sample = {
        "sku": "A-1",
        "nama": "Barang Satu",
        "harga": "10000",
        "harga_promo": "9000",
        "stok": "3",
        "kategori": "Umum",
        "berat_gram": "150",
        "deskripsi": "Bagus",
        "tag": "baru",
        "aktif": "ya",
        "kota_asal": "Yogyakarta",
        "kota_tujuan": "Bandung",
        "kurir": "JNE",
        "layanan": "REG",
        "tarif_per_kg": "12000",
        "estimasi": "2-3",
        "judul": "Jam buka",
        "isi": "Buka 08.00",
        "kode_pelanggan": "C-1" if kind == "transactions" else "C-2",
        "telepon": "081234567890",
        "email": "a@b.co",
        "kota": "Solo",
        "alamat": "Jl. Slamet Riyadi 1",
        "no_transaksi": "TX-1",
        "tanggal": (date.today() - timedelta(days=3)).isoformat(),
        "jumlah": "150000",
        "status": "selesai",
        "produk": "Batik",
    }
    assert all(c in sample for c in cols), cols
    body = header + "\n" + ",".join(sample[c] for c in cols) + "\n"
    result = importer.import_file(
        db,
        kind=kind,
        business_id=world.a.id,
        data=body.encode(),
        filename=f"templat-{kind}.csv",
        actor_type="user",
        actor_id=None,
    )
    assert result.rejected == 0, result.errors
    assert result.created == 1
    # every header of the template is one the importer reads (not silently ignored)
    aliases = importer.ALIASES.get(kind, {})
    from niaga.web.catalog import IMPORT_COLUMNS

    assert [aliases.get(c, c) for c in cols] == [fld for _, fld, _ in IMPORT_COLUMNS[kind]]


def test_missing_import_columns_are_named_as_in_the_template(client, world):
    login(client, "admin@a.test")  # imports are for admins
    page = client.get("/app/katalog/impor")
    r = client.post(
        "/app/katalog/impor",
        data={"kind": "products", "csrf_token": csrf_of(page.text)},
        files={"file": ("p.csv", b"kode_barang,keterangan\nA,B\n", "text/csv")},
    )
    assert r.status_code == 422
    msg = re.search(r'id="import-error">([^<]+)<', r.text)
    assert msg and "Kolom wajib tidak ada: sku, nama, harga." in msg.group(1)


def test_import_errors_are_indonesian_and_grouped_per_row(client, world):
    login(client, "admin@a.test")  # imports are for admins
    page = client.get("/app/katalog/impor")
    csv = b"sku,nama,harga\nA-1,,1000\nA-2,Dua,murah\n"
    r = client.post(
        "/app/katalog/impor",
        data={"kind": "products", "csrf_token": csrf_of(page.text)},
        files={"file": ("p.csv", csv, "text/csv")},
    )
    table = r.text[r.text.index('id="import-errors"') :]
    table = table[: table.index("</table>")]
    text = visible_text(table)
    assert "nama kosong" in text and "harga bukan angka" in text
    assert "missing" not in text and "non-numeric" not in text


def test_import_report_shows_every_problem_of_a_row(client, world):
    login(client, "admin@a.test")  # imports are for admins
    page = client.get("/app/katalog/impor")
    csv = b"sku,nama,harga,stok,berat_gram,aktif\nA-1,,murah,-3,berat,mungkin\nA-2,Dua,5000,1,100,ya\n"
    r = client.post(
        "/app/katalog/impor",
        data={"kind": "products", "csrf_token": csrf_of(page.text)},
        files={"file": ("p.csv", csv, "text/csv")},
    )
    assert re.search(r'id="rejected-count">1<', r.text)
    rows = re.findall(r"<tr><td class=\"num\">(\d+)</td><td>(.*?)</td></tr>", r.text)
    assert [n for n, _ in rows] == ["1"]  # one line for the row, listing all its problems
    text = visible_text(rows[0][1])
    for reason in (
        "nama kosong",
        "harga bukan angka",
        "stok negatif",
        "berat bukan angka",
        "aktif tidak valid",
    ):
        assert reason in text, text


def test_intent_labels_and_actors_are_indonesian(client, world, db):
    data = seed_shop(db, world.a)
    login(client, "owner@a.test")
    page = visible_text(client.get(f"/app/inbox/{data['conv'].id}").text)
    for label in ("Info toko", "Buat pesanan", "Cek stok", "gagal kirim"):
        assert label in page
    order = visible_text(client.get(f"/app/pesanan/{data['paid_cash'].id}").text)
    assert "lunas via Tunai" in order and "lunas via cash" not in order
    users = visible_text(client.get("/app/pengaturan/pengguna").text)
    assert "Pemilik" in users and "Staf" in users


def test_dates_name_the_month_in_the_page_language() -> None:
    """The `localtime` filter wrote strftime's English month names ("17 Aug") on Indonesian pages."""
    from niaga.web.core import templates

    d = datetime(2026, 8, 17, 3, 5, tzinfo=UTC)  # 10:05 in Jakarta
    short = templates.env.from_string('{{ d|localtime("Asia/Jakarta") }}')
    full = templates.env.from_string('{{ d|localtime("Asia/Makassar", "%d %B %Y") }}')
    assert short.render(d=d, lang="id") == "17 Agu 2026 10:05"
    assert short.render(d=d) == "17 Agu 2026 10:05"  # Indonesian unless the page says otherwise
    assert short.render(d=d, lang="en") == "17 Aug 2026 10:05"
    assert full.render(d=datetime(2026, 12, 31, 17, 0, tzinfo=UTC), lang="id") == "01 Januari 2027"
    assert full.render(d=d, lang="en") == "17 August 2026"
    assert templates.env.from_string("{{ d|localtime }}").render(d=None) == ""
