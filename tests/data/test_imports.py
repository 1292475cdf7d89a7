"""Service-level imports: every shared fixture, the dirty transactions file's exact summary, Indonesian
formats, XLSX, unknown formats, upserts and customer totals."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from niaga.catalog.models import Product, ShippingRate
from niaga.customers.models import Customer, Transaction
from niaga.kit.errors import ValidationFailed
from niaga.kit.tabular import UnsupportedFormat
from niaga.knowledge.models import KnowledgeDocument
from niaga.tenancy.models import AuditLog
from tests import factories as f
from tests.data.helpers import CATALOG, RFM, run_import, xlsx_bytes


def _count(db, model, business) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(sa.select(sa.func.count()).select_from(model).where(model.business_id == business.id))


def test_rizquna_products_fixture(db):
    b = f.make_business(db)
    report = run_import(db, b, "products", CATALOG / "rizquna_products.csv")
    assert report.as_dict() == {"rows": 37, "accepted": 37, "rejected": 0, "errors": []}
    assert _count(db, Product, b) == 37
    quran = db.scalars(
        sa.select(Product).where(Product.business_id == b.id, Product.sku == "RQ-QURAN-001")
    ).one()
    assert quran.price == 150000 and quran.sale_price is None and quran.stock == 50 and quran.weight_g == 1300
    assert quran.tags == ["bestseller", "quran", "madinah", "premium"]
    assert quran.attributes == {"size": "A4", "paper": "HVS Premium", "binding": "hardcover", "pages": 604}
    promo = db.scalars(
        sa.select(Product).where(Product.business_id == b.id, Product.sku == "RQ-QURAN-002")
    ).one()
    assert (promo.price, promo.sale_price, promo.effective_price) == (95000, 85000, 85000)
    service = db.scalars(
        sa.select(Product).where(Product.business_id == b.id, Product.sku == "RQ-PRINT-001")
    ).one()
    assert service.stock is None and service.available is None  # empty stock = not tracked
    assert service.weight_g is None
    # an audit entry per import, not per row
    entry = db.scalars(sa.select(AuditLog).where(AuditLog.business_id == b.id)).one()
    assert entry.action == "product.import" and entry.data["accepted"] == 37


def test_products_reimport_upserts_by_sku(db):
    b = f.make_business(db)
    run_import(db, b, "products", CATALOG / "batik_sekar_products.csv")
    changed = (
        (CATALOG / "batik_sekar_products.csv")
        .read_text()
        .replace("BS-TULIS-001,Kain Batik Tulis Sekar Jagad", "bs-tulis-001,Kain Batik Tulis Sekar Jagad")
    )
    changed = changed.replace(",1250000,,6,", ",1300000,1200000,,")
    report = run_import(db, b, "products", data=changed.encode(), filename="p.csv")
    assert (report.accepted, report.created, report.updated) == (10, 0, 10)
    assert _count(db, Product, b) == 10
    p = db.scalars(sa.select(Product).where(Product.business_id == b.id, Product.sku == "BS-TULIS-001")).one()
    assert (p.price, p.sale_price, p.stock) == (1300000, 1200000, None)


def test_product_rows_rejected_with_reasons(db):
    b = f.make_business(db)
    text = (
        "sku;name;price;sale_price;stock;attributes\n"
        "A-1;Satu;Rp 1.250.000;;3;{}\n"  # Indonesian money, semicolon CSV
        ";Tanpa SKU;1000;;;\n"
        "A-2;Dua;-5;;;\n"
        "A-3;Tiga;mahal;;;\n"
        "A-4;Empat;1000;2000;;\n"
        "A-5;Lima;1.000,00;;x;\n"
        "A-6;Enam;1000;;;{rusak\n"
        "a-1;Duplikat;1000;;;\n"
        "A-7;Tujuh;1000;;;\n"
    )
    report = run_import(db, b, "products", data=text.encode("utf-8-sig"), filename="produk.csv")
    assert report.as_dict() == {
        "rows": 9,
        "accepted": 2,
        "rejected": 7,
        "errors": [
            {"row": 2, "reason": "missing sku"},
            {"row": 3, "reason": "negative price"},
            {"row": 4, "reason": "non-numeric price"},
            {"row": 5, "reason": "sale_price greater than price"},
            {"row": 6, "reason": "non-numeric stock"},
            {"row": 7, "reason": "invalid attributes JSON"},
            {"row": 8, "reason": "duplicate sku"},
        ],
    }
    prices = dict(db.execute(sa.select(Product.sku, Product.price).where(Product.business_id == b.id)).all())
    assert prices == {"A-1": 1250000, "A-7": 1000}


def test_shipping_rates_and_knowledge_fixtures(db):
    b = f.make_business(db)
    report = run_import(db, b, "shipping-rates", CATALOG / "shipping_rates.csv")
    assert (report.rows, report.accepted, report.rejected) == (26, 26, 0)
    again = run_import(db, b, "shipping-rates", CATALOG / "shipping_rates.csv")
    assert (again.created, again.updated) == (0, 26)
    assert _count(db, ShippingRate, b) == 26
    rate = db.scalars(
        sa.select(ShippingRate).where(
            ShippingRate.business_id == b.id,
            ShippingRate.destination_city == "Jakarta",
            ShippingRate.service == "YES",
        )
    ).one()
    assert (rate.courier, rate.price_per_kg, rate.etd_days) == ("JNE", 32000, "1")

    report = run_import(db, b, "knowledge", CATALOG / "rizquna_knowledge.md")
    assert report.as_dict() == {"rows": 12, "accepted": 12, "rejected": 0, "errors": []}
    again = run_import(db, b, "knowledge", CATALOG / "rizquna_knowledge.md")
    assert (again.created, again.updated) == (0, 12)
    docs = {
        d.title: d.content
        for d in db.scalars(sa.select(KnowledgeDocument).where(KnowledgeDocument.business_id == b.id))
    }
    assert len(docs) == 12
    assert docs["Lokasi"].startswith("Jl. Kaliurang Km 5 No. 12")
    assert "Rp300 per lembar" in docs["Print dan fotokopi"]
    assert not any(t.startswith("Rizquna.id — knowledge base") for t in docs)  # the H1 is not a document


def test_knowledge_csv_and_bad_rows(db):
    b = f.make_business(db)
    text = 'title,content,category\nRetur,"Tukar maks 7 hari.",kebijakan\n,isi tanpa judul,\nKosong,,\n'
    report = run_import(db, b, "knowledge", data=text.encode(), filename="faq.csv")
    assert report.as_dict()["errors"] == [
        {"row": 2, "reason": "missing title"},
        {"row": 3, "reason": "missing content"},
    ]
    doc = db.scalars(sa.select(KnowledgeDocument).where(KnowledgeDocument.business_id == b.id)).one()
    assert (doc.title, doc.category) == ("Retur", "kebijakan")


def test_customers_fixture_and_phone_normalisation(db):
    b = f.make_business(db)
    report = run_import(db, b, "customers", RFM / "customers.csv")
    assert (report.rows, report.accepted, report.rejected) == (1500, 1500, 0)
    assert _count(db, Customer, b) == 1500
    again = run_import(db, b, "customers", RFM / "customers.csv")
    assert (again.created, again.updated) == (0, 1500)
    assert _count(db, Customer, b) == 1500
    text = (
        "customer_ref,name,phone,email,city\n"
        "X1,Budi,0812-3456-7890,BUDI@contoh.id,Bandung\n"
        "X2,Sari,+62 813 1111 2222,,\n"
        "X3,Salah,12ab,,\n"
        "X4,Email,,bukan-email,\n"
        "X1,Dobel,,,\n"
    )
    report = run_import(db, b, "customers", data=text.encode(), filename="c.csv")
    assert report.as_dict()["errors"] == [
        {"row": 3, "reason": "invalid phone"},
        {"row": 4, "reason": "invalid email"},
        {"row": 5, "reason": "duplicate customer_ref"},
    ]
    budi = db.scalars(
        sa.select(Customer).where(Customer.business_id == b.id, Customer.customer_ref == "X1")
    ).one()
    assert (budi.phone, budi.email, budi.city) == ("6281234567890", "budi@contoh.id", "Bandung")
    sari = db.scalars(
        sa.select(Customer).where(Customer.business_id == b.id, Customer.customer_ref == "X2")
    ).one()
    assert sari.phone == "6281311112222"


def test_customer_import_links_chat_customer_by_phone(db):
    from niaga.customers.service import get_or_create_by_identity

    b = f.make_business(db)
    chat = get_or_create_by_identity(
        db,
        business_id=b.id,
        channel="whatsapp",
        external_id="6281200001111",
        name="Pak Joko",
        phone="6281200001111",
    )
    db.commit()
    run_import(
        db, b, "customers", data=b"customer_ref,name,phone\nK9,Joko Santoso,081200001111\n", filename="c.csv"
    )
    assert _count(db, Customer, b) == 1
    db.refresh(chat)
    assert (chat.customer_ref, chat.name) == ("K9", "Joko Santoso")


def _business_with_customers(db):  # type: ignore[no-untyped-def]
    b = f.make_business(db)
    run_import(db, b, "customers", RFM / "customers.csv")
    return b


def test_dirty_transactions_exact_summary(db):
    expected = json.loads((RFM / "transactions_dirty.expected.json").read_text())
    b = _business_with_customers(db)
    report = run_import(db, b, "transactions", RFM / "transactions_dirty.csv")
    summary = report.as_dict()
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (
        expected["rows"],
        expected["accepted"],
        expected["rejected"],
    )
    assert [e["row"] for e in summary["errors"]] == expected["rejected_rows_1based"]
    assert {str(e["row"]): e["reason"] for e in summary["errors"]} == expected["reasons"]
    assert _count(db, Transaction, b) == expected["accepted"]
    # The normalised refs are stored with the date/amount the clean file has for them.
    clean = {
        r["transaction_ref"]: r for r in csv.DictReader((RFM / "transactions.csv").open(encoding="utf-8"))
    }
    for ref in expected["normalised_refs"]:
        t = db.scalars(
            sa.select(Transaction).where(Transaction.business_id == b.id, Transaction.ref == ref)
        ).one()
        assert t.occurred_on == date.fromisoformat(clean[ref]["transaction_date"])
        assert t.amount == int(clean[ref]["amount"])
    # Importing the same file again: nothing new, every previously accepted row is a duplicate.
    again = run_import(db, b, "transactions", RFM / "transactions_dirty.csv").as_dict()
    assert again["accepted"] == 0
    assert (
        sum(e["reason"] == "duplicate transaction_ref" for e in again["errors"]) == expected["accepted"] + 1
    )
    assert _count(db, Transaction, b) == expected["accepted"]


def test_transactions_fixture_updates_customer_totals(db):
    b = _business_with_customers(db)
    report = run_import(db, b, "transactions", RFM / "transactions.csv")
    assert (report.rows, report.accepted, report.rejected) == (8070, 8070, 0)
    rows = list(csv.DictReader((RFM / "transactions.csv").open(encoding="utf-8")))
    completed = [r for r in rows if r["status"] == "completed"]
    total_orders, total_spent = db.execute(
        sa.select(sa.func.sum(Customer.total_orders), sa.func.sum(Customer.total_spent)).where(
            Customer.business_id == b.id
        )
    ).one()
    assert total_orders == len(completed)
    assert total_spent == sum(int(r["amount"]) for r in completed)
    ref = completed[0]["customer_ref"]
    mine = [r for r in completed if r["customer_ref"] == ref]
    c = db.scalars(
        sa.select(Customer).where(Customer.business_id == b.id, Customer.customer_ref == ref)
    ).one()
    assert c.total_orders == len(mine)
    assert c.last_order_at is not None
    from niaga.kit.timeutil import tz

    assert c.last_order_at.astimezone(tz(b.timezone)).date() == max(
        date.fromisoformat(r["transaction_date"]) for r in mine
    )
    assert c.first_order_at.astimezone(tz(b.timezone)).date() == min(
        date.fromisoformat(r["transaction_date"]) for r in mine
    )


def test_transaction_reasons_and_indonesian_formats(db):
    from niaga.kit.timeutil import local_today

    b = f.make_business(db)
    f.make_customer(db, business=b, customer_ref="C1")
    tomorrow = (local_today(b.timezone) + timedelta(days=1)).isoformat()
    text = (
        "transaction_ref;customer_ref;transaction_date;amount;status\n"
        "T1;C1;10/12/2024;Rp 1.250.000;completed\n"
        'T2;C1;2024-12-11;"1.250.000,00";selesai\n'
        f"T3;C1;{tomorrow};1000;completed\n"
        "T4;C1;31/02/2024;1000;completed\n"
        "T5;C1;2024-12-12;1000;hilang\n"
        "T1;C1;2024-12-13;1000;completed\n"
        ";C1;2024-12-13;1000;completed\n"
        "T6;;2024-12-13;1000;completed\n"
        "T7;C1;2024-12-14;;completed\n"
    )
    report = run_import(db, b, "transactions", data=text.encode(), filename="trx.csv")
    assert report.as_dict() == {
        "rows": 9,
        "accepted": 2,
        "rejected": 7,
        "errors": [
            {"row": 3, "reason": "date in the future"},
            {"row": 4, "reason": "invalid date"},
            {"row": 5, "reason": "invalid status"},
            {"row": 6, "reason": "duplicate transaction_ref"},
            {"row": 7, "reason": "missing transaction_ref"},
            {"row": 8, "reason": "missing customer_ref"},
            {"row": 9, "reason": "missing amount"},
        ],
    }
    got = {
        t.ref: (t.occurred_on, t.amount, t.status)
        for t in db.scalars(sa.select(Transaction).where(Transaction.business_id == b.id))
    }
    assert got == {
        "T1": (date(2024, 12, 10), 1250000, "completed"),
        "T2": (date(2024, 12, 11), 1250000, "completed"),
    }


def test_xlsx_import_with_excel_types(db):
    from datetime import datetime

    b = f.make_business(db)
    f.make_customer(db, business=b, customer_ref="C7")
    data = xlsx_bytes(
        [
            ["Transaction Ref", "Customer Ref", "Transaction Date", "Amount", "Status"],
            ["X-1", "C7", datetime(2024, 5, 1), 150000, "completed"],
            [None, None, None, None, None],
            ["X-2", "C7", "02/05/2024", 99000.0, "completed"],
            ["X-3", "C7", "2024-05-03", 10.5, "completed"],
        ]
    )
    report = run_import(db, b, "transactions", data=data, filename="trx.xlsx")
    # the blank spreadsheet row is skipped but keeps its number (row 3 = line 4 in Excel)
    assert report.as_dict() == {
        "rows": 3,
        "accepted": 2,
        "rejected": 1,
        "errors": [{"row": 4, "reason": "fractional rupiah"}],
    }
    got = {
        t.ref: (t.occurred_on, t.amount)
        for t in db.scalars(sa.select(Transaction).where(Transaction.business_id == b.id))
    }
    assert got == {"X-1": (date(2024, 5, 1), 150000), "X-2": (date(2024, 5, 2), 99000)}

    products = xlsx_bytes(
        [
            ["sku", "nama", "harga", "stok", "tags"],
            ["P-1", "Peci", 40000, 12, "peci;songkok"],
            ["P-2", "Jasa", "Rp 5.000", None, None],
        ]
    )
    report = run_import(db, b, "products", data=products, filename="produk.xlsx")
    assert report.accepted == 2
    stocks = dict(db.execute(sa.select(Product.sku, Product.stock).where(Product.business_id == b.id)).all())
    assert stocks == {"P-1": 12, "P-2": None}


def test_unknown_format_and_missing_columns(db):
    b = f.make_business(db)
    with pytest.raises(UnsupportedFormat) as exc:
        run_import(db, b, "products", data=b"%PDF-1.4 ...", filename="katalog.pdf")
    assert (
        exc.value.code == "unsupported_format"
        and ".csv" in exc.value.message
        and ".xlsx" in exc.value.message
    )
    with pytest.raises(UnsupportedFormat):
        run_import(db, b, "products", data=b"\xd0\xcf\x11\xe0" + b"\x00" * 100, filename="lama.xls")
    with pytest.raises(UnsupportedFormat):
        run_import(
            db, b, "customers", data=b"# judul\n## a\nb", filename="x.md"
        )  # Markdown only for knowledge
    with pytest.raises(ValidationFailed) as verr:
        run_import(db, b, "products", data=b"kode_barang,judul\nA,B\n", filename="p.csv")
    assert verr.value.code == "missing_columns"
    assert set(verr.value.details["columns"]) == {"sku", "name", "price"}


def test_dry_run_writes_nothing(db):
    b = f.make_business(db)
    report = run_import(db, b, "products", CATALOG / "rizquna_products.csv", dry_run=True)
    assert report.accepted == 37
    assert _count(db, Product, b) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 0
