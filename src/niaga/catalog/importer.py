"""Imports of products, shipping rates, knowledge, customers and transactions from CSV/XLSX (and
Markdown for knowledge). One module used by the API (`POST /api/v1/<kind>/import`), the CLI
(`niaga import <kind> FILE --business SLUG`) and the demo loader.

Every import works the same way: read the table, validate every row in Python (types, Indonesian
formats, duplicates within the file and against the database), then write all good rows in the caller's
transaction. Each bad row is reported with its 1-based data-row number and a short reason; good rows are
imported anyway. The report is `{"rows", "accepted", "rejected", "errors": [{"row", "reason"}]}`.

Upserts: products by SKU, shipping rates by (origin, destination, courier, service), knowledge by title,
customers by customer_ref (or phone when the file has no ref). Transactions are append-only: a ref that
is already imported for the business is rejected as "duplicate transaction_ref".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.catalog import service as catalog
from niaga.catalog.models import Product, ShippingRate
from niaga.catalog.schemas import SKU_PATTERN
from niaga.customers import aggregates
from niaga.customers import service as customers
from niaga.customers.models import Customer, Transaction
from niaga.kit.errors import ValidationFailed
from niaga.kit.money import ParseError, parse_date, parse_rupiah
from niaga.kit.tabular import Table, cell_text, decode_text, detect_format, read_table, require_columns
from niaga.kit.timeutil import local_today
from niaga.knowledge import service as knowledge
from niaga.ops.logging import get_logger
from niaga.tenancy.models import Business
from niaga.tenancy.service import audit

log = get_logger("niaga.import")

KINDS = ("products", "shipping-rates", "knowledge", "customers", "transactions")
KNOWLEDGE_FORMATS = ("md", "csv", "xlsx")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RowError(Exception):
    """A row is rejected with this reason (short, stable, lower-case English)."""


@dataclass
class ImportReport:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    def reject(self, row: int, reason: str) -> None:
        self.rejected += 1
        self.errors.append({"row": row, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        """The summary object shared by the API and `niaga import --json`."""
        return {
            "rows": self.rows,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "errors": sorted(self.errors, key=lambda e: e["row"]),
        }


# --- cell helpers -------------------------------------------------------------------------------

ALIASES: dict[str, dict[str, str]] = {
    "products": {
        "kode": "sku",
        "kode_produk": "sku",
        "nama": "name",
        "nama_produk": "name",
        "kategori": "category",
        "deskripsi": "description",
        "keterangan": "description",
        "harga": "price",
        "harga_promo": "sale_price",
        "harga_diskon": "sale_price",
        "stok": "stock",
        "berat": "weight_g",
        "berat_g": "weight_g",
        "berat_gram": "weight_g",
        "weight": "weight_g",
        "tag": "tags",
        "atribut": "attributes",
        "aktif": "is_active",
        "active": "is_active",
    },
    "shipping-rates": {
        "asal": "origin_city",
        "kota_asal": "origin_city",
        "origin": "origin_city",
        "tujuan": "destination_city",
        "kota_tujuan": "destination_city",
        "destination": "destination_city",
        "kurir": "courier",
        "layanan": "service",
        "tarif": "price_per_kg",
        "tarif_per_kg": "price_per_kg",
        "harga_per_kg": "price_per_kg",
        "etd": "etd_days",
        "estimasi": "etd_days",
    },
    "knowledge": {"judul": "title", "isi": "content", "konten": "content", "kategori": "category"},
    "customers": {
        "kode_pelanggan": "customer_ref",
        "id_pelanggan": "customer_ref",
        "ref": "customer_ref",
        "nama": "name",
        "telepon": "phone",
        "no_hp": "phone",
        "hp": "phone",
        "whatsapp": "phone",
        "wa": "phone",
        "kota": "city",
        "alamat": "address",
        "tag": "tags",
    },
    "transactions": {
        "ref": "transaction_ref",
        "no_transaksi": "transaction_ref",
        "kode_pelanggan": "customer_ref",
        "tanggal": "transaction_date",
        "date": "transaction_date",
        "total": "amount",
        "jumlah": "amount",
        "produk": "products",
    },
}


def _canonical(table: Table, kind: str) -> Table:
    aliases = ALIASES.get(kind, {})
    headers = [aliases.get(h, h) for h in table.headers]
    rows = [(n, {aliases.get(k, k): v for k, v in row.items()}) for n, row in table.rows]
    return Table(headers=headers, rows=rows)


def _text(row: dict[str, Any], key: str) -> str:
    return cell_text(row.get(key))


def _money(row: dict[str, Any], key: str, *, required: bool) -> int | None:
    """Integer rupiah from `150000`, `Rp 1.250.000`, `1.250.000,00`. Reasons name the column."""
    raw = row.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise RowError(f"missing {key}")
        return None
    try:
        value = parse_rupiah(raw)
    except ParseError as exc:
        reason = str(exc)
        raise RowError(reason.replace("amount", key) if key != "amount" else reason)
    if value < 0:
        raise RowError(f"negative {key}")
    return value


def _count(row: dict[str, Any], key: str) -> int | None:
    """A whole count (stock, grams); empty = None."""
    raw = row.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = parse_rupiah(raw)
    except ParseError:
        raise RowError(f"non-numeric {key}")
    if value < 0:
        raise RowError(f"negative {key}")
    return value


def _flag(row: dict[str, Any], key: str, default: bool = True) -> bool:
    raw = row.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    if isinstance(raw, bool):
        return raw
    s = cell_text(raw).lower()
    if s in ("1", "true", "ya", "y", "yes", "aktif", "active"):
        return True
    if s in ("0", "false", "tidak", "t", "n", "no", "nonaktif", "inactive"):
        return False
    raise RowError(f"invalid {key}")


def _split_list(raw: Any) -> list[str]:
    s = cell_text(raw)
    return [p.strip() for p in re.split(r"[;,|]", s) if p.strip()] if s else []


def _run_rows(
    report: ImportReport,
    rows: Iterable[tuple[int, dict[str, Any]]],
    validate: Callable[[int, dict[str, Any]], None],
) -> None:
    for number, row in rows:
        report.rows += 1
        try:
            validate(number, row)
        except RowError as exc:
            report.reject(number, str(exc))
        else:
            report.accepted += 1


# --- products -----------------------------------------------------------------------------------


def import_products(db: Session, *, business: Business, table: Table, dry_run: bool = False) -> ImportReport:
    """Upsert by SKU (case-insensitive). The file is the truth for every column it has: an empty stock
    means "not tracked" (NULL), an empty sale_price removes a promo. Missing columns keep stored values."""
    table = _canonical(table, "products")
    require_columns(table, ("sku", "name", "price"))
    report = ImportReport()
    good: list[dict[str, Any]] = []
    seen: set[str] = set()
    sku_re = re.compile(SKU_PATTERN)

    def validate(_n: int, row: dict[str, Any]) -> None:
        sku = _text(row, "sku")
        if not sku:
            raise RowError("missing sku")
        if not sku_re.match(sku):
            raise RowError("invalid sku")
        name = _text(row, "name")
        if not name:
            raise RowError("missing name")
        price = _money(row, "price", required=True)
        assert price is not None
        values: dict[str, Any] = {"sku": sku, "name": name[:300], "price": price}
        if "sale_price" in table.headers:
            sale = _money(row, "sale_price", required=False)
            if sale is not None and sale > price:
                raise RowError("sale_price greater than price")
            values["sale_price"] = sale
        if "stock" in table.headers:
            values["stock"] = _count(row, "stock")
        if "weight_g" in table.headers:
            values["weight_g"] = _count(row, "weight_g")
        if "category" in table.headers:
            values["category"] = _text(row, "category")[:100] or None
        if "description" in table.headers:
            values["description"] = _text(row, "description")
        if "tags" in table.headers:
            values["tags"] = catalog.clean_tags(_split_list(row.get("tags")))
        if "attributes" in table.headers:
            raw = _text(row, "attributes")
            try:
                attrs = json.loads(raw) if raw else {}
            except ValueError:
                raise RowError("invalid attributes JSON")
            if not isinstance(attrs, dict):
                raise RowError("invalid attributes JSON")
            values["attributes"] = attrs
        if "is_active" in table.headers:
            values["is_active"] = _flag(row, "is_active")
        if sku.lower() in seen:
            raise RowError("duplicate sku")
        seen.add(sku.lower())
        good.append(values)

    _run_rows(report, table.rows, validate)
    if dry_run or not good:
        return report
    existing = {
        p.sku.lower(): p for p in db.scalars(sa.select(Product).where(Product.business_id == business.id))
    }
    for values in good:
        product = existing.get(values["sku"].lower())
        if product is None:
            db.add(
                Product(
                    business_id=business.id, **{"description": "", "tags": [], "attributes": {}, **values}
                )
            )
            report.created += 1
        else:
            for k, v in values.items():
                if k != "sku":
                    setattr(product, k, v)
            report.updated += 1
    db.flush()
    return report


# --- shipping rates -----------------------------------------------------------------------------


def import_shipping_rates(
    db: Session, *, business: Business, table: Table, dry_run: bool = False
) -> ImportReport:
    table = _canonical(table, "shipping-rates")
    key_cols = ("origin_city", "destination_city", "courier", "service")
    require_columns(table, (*key_cols, "price_per_kg"))
    report = ImportReport()
    good: list[dict[str, Any]] = []
    seen: set[tuple[str, ...]] = set()

    def validate(_n: int, row: dict[str, Any]) -> None:
        values: dict[str, Any] = {}
        for col in key_cols:
            v = _text(row, col)
            if not v:
                raise RowError(f"missing {col}")
            values[col] = v[:100] if col.endswith("city") else v[:50]
        values["price_per_kg"] = _money(row, "price_per_kg", required=True)
        if "etd_days" in table.headers:
            values["etd_days"] = _text(row, "etd_days")[:20] or None
        key = tuple(values[c].lower() for c in key_cols)
        if key in seen:
            raise RowError("duplicate rate")
        seen.add(key)
        good.append(values)

    _run_rows(report, table.rows, validate)
    if dry_run or not good:
        return report
    existing = {
        tuple(getattr(r, c).lower() for c in key_cols): r
        for r in db.scalars(sa.select(ShippingRate).where(ShippingRate.business_id == business.id))
    }
    for values in good:
        rate = existing.get(tuple(values[c].lower() for c in key_cols))
        if rate is None:
            db.add(ShippingRate(business_id=business.id, **values))
            report.created += 1
        else:
            rate.price_per_kg = values["price_per_kg"]
            if "etd_days" in values:
                rate.etd_days = values["etd_days"]
            report.updated += 1
    db.flush()
    return report


# --- knowledge ----------------------------------------------------------------------------------


def import_knowledge(
    db: Session,
    *,
    business: Business,
    table: Table | None = None,
    sections: list[tuple[int, str, str]] | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Upsert documents by title from Markdown sections or a title,content[,category] table."""
    report = ImportReport()
    items: list[tuple[int, dict[str, Any]]]
    if sections is not None:
        items = [(n, {"title": t, "content": c}) for n, t, c in sections]
        has_category = False
    else:
        assert table is not None
        table = _canonical(table, "knowledge")
        require_columns(table, ("title", "content"))
        items = table.rows
        has_category = "category" in table.headers
    good: list[dict[str, Any]] = []
    seen: set[str] = set()

    def validate(_n: int, row: dict[str, Any]) -> None:
        title = _text(row, "title")
        if not title:
            raise RowError("missing title")
        if len(title) > 300:
            raise RowError("title too long")
        content = _text(row, "content")
        if not content:
            raise RowError("missing content")
        if title.lower() in seen:
            raise RowError("duplicate title")
        seen.add(title.lower())
        good.append(
            {
                "title": title,
                "content": content,
                "category": (_text(row, "category")[:100] or None) if has_category else None,
            }
        )

    _run_rows(report, items, validate)
    if dry_run:
        return report
    for values in good:
        _, created = knowledge.upsert_document(db, business_id=business.id, **values)
        if created:
            report.created += 1
        else:
            report.updated += 1
    return report


# --- customers ----------------------------------------------------------------------------------


def import_customers(db: Session, *, business: Business, table: Table, dry_run: bool = False) -> ImportReport:
    """Upsert by customer_ref; a row without a ref matches by phone. Phones become `62…` digits. An empty
    cell never erases a stored value (a partial export does not wipe what chats taught us). A new ref
    whose phone belongs to a customer known only from chat adopts that customer instead of duplicating."""
    table = _canonical(table, "customers")
    if "customer_ref" not in table.headers and "phone" not in table.headers:
        require_columns(table, ("customer_ref",))
    report = ImportReport()
    good: list[dict[str, Any]] = []
    seen_refs: set[str] = set()
    seen_phones: set[str] = set()

    def validate(_n: int, row: dict[str, Any]) -> None:
        ref = _text(row, "customer_ref")[:64]
        try:
            phone = customers.normalize_phone(row.get("phone"))
        except ValueError:
            raise RowError("invalid phone")
        if not ref and not phone:
            raise RowError("missing customer_ref")
        email = _text(row, "email").lower()
        if email and not _EMAIL.match(email):
            raise RowError("invalid email")
        if ref and ref in seen_refs:
            raise RowError("duplicate customer_ref")
        if not ref and phone in seen_phones:
            raise RowError("duplicate phone")
        if ref:
            seen_refs.add(ref)
        elif phone:
            seen_phones.add(phone)
        values: dict[str, Any] = {
            "customer_ref": ref or None,
            "name": _text(row, "name")[:200],
            "phone": phone,
            "email": email or None,
            "city": _text(row, "city")[:100] or None,
            "address": _text(row, "address") or None,
        }
        if "tags" in table.headers:
            values["tags"] = catalog.clean_tags(_split_list(row.get("tags")))
        good.append(values)

    _run_rows(report, table.rows, validate)
    if dry_run or not good:
        return report
    all_customers = list(db.scalars(sa.select(Customer).where(Customer.business_id == business.id)))
    by_ref = {c.customer_ref: c for c in all_customers if c.customer_ref}
    by_phone: dict[str, Customer] = {}
    for c in all_customers:
        if c.phone:
            by_phone.setdefault(c.phone, c)
    for values in good:
        ref, phone = values["customer_ref"], values["phone"]
        customer = by_ref.get(ref) if ref else by_phone.get(phone)
        if customer is None and ref and phone:
            candidate = by_phone.get(phone)
            if candidate is not None and not candidate.customer_ref:
                customer = candidate
        if customer is None:
            customer = Customer(business_id=business.id, **{**values, "tags": values.get("tags", [])})
            db.add(customer)
            report.created += 1
        else:
            for k, v in values.items():
                if v not in (None, "", []):
                    setattr(customer, k, v)
            report.updated += 1
        if customer.customer_ref:
            by_ref[customer.customer_ref] = customer
        if customer.phone:
            by_phone.setdefault(customer.phone, customer)
    db.flush()
    return report


# --- transactions -------------------------------------------------------------------------------

STATUS_ALIASES = {
    "completed": "completed",
    "complete": "completed",
    "selesai": "completed",
    "lunas": "completed",
    "paid": "completed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "batal": "cancelled",
    "dibatalkan": "cancelled",
    "refunded": "refunded",
    "refund": "refunded",
    "dikembalikan": "refunded",
    "pending": "pending",
    "menunggu": "pending",
}


# Older dates are typing slips (`0024-…`, `24` read as a year); the shops' books do not go back that far.
EARLIEST_TRANSACTION = date(2000, 1, 1)


def _existing_refs(db: Session, business_id: int, refs: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(refs), 500):
        chunk = refs[i : i + 500]
        found.update(
            db.scalars(
                sa.select(Transaction.ref).where(
                    Transaction.business_id == business_id, Transaction.ref.in_(chunk)
                )
            )
        )
    return found


def import_transactions(
    db: Session, *, business: Business, table: Table, dry_run: bool = False
) -> ImportReport:
    """Append transactions for RFM. Checks per row, in this order: missing transaction_ref, missing/invalid
    date, date in the future (after today in the business's time zone), missing/non-numeric/negative
    amount, missing customer_ref / unknown customer, invalid status, duplicate transaction_ref (earlier in
    the file or already imported). Afterwards the totals of the touched customers are recomputed."""
    table = _canonical(table, "transactions")
    require_columns(table, ("transaction_ref", "customer_ref", "transaction_date", "amount"))
    report = ImportReport()
    today = local_today(business.timezone)
    customer_ids = dict(
        db.execute(
            sa.select(Customer.customer_ref, Customer.id).where(
                Customer.business_id == business.id, Customer.customer_ref.is_not(None)
            )
        ).all()
    )
    file_refs = sorted({_text(r, "transaction_ref") for _, r in table.rows} - {""})
    taken = _existing_refs(db, business.id, file_refs)
    seen: set[str] = set()
    good: list[dict[str, Any]] = []

    def validate(_n: int, row: dict[str, Any]) -> None:
        ref = _text(row, "transaction_ref")
        if not ref:
            raise RowError("missing transaction_ref")
        if len(ref) > 64:
            raise RowError("transaction_ref too long")
        try:
            occurred: date = parse_date(row.get("transaction_date"))
        except ParseError as exc:
            raise RowError(str(exc))
        if occurred > today:
            raise RowError("date in the future")
        if occurred < EARLIEST_TRANSACTION:
            raise RowError("date before 2000")
        amount = _money(row, "amount", required=True)
        cref = _text(row, "customer_ref")
        if not cref:
            raise RowError("missing customer_ref")
        customer_id = customer_ids.get(cref)
        if customer_id is None:
            raise RowError("unknown customer")
        raw_status = _text(row, "status").lower()
        status = STATUS_ALIASES.get(raw_status or "completed")
        if status is None:
            raise RowError("invalid status")
        if ref in seen or ref in taken:
            raise RowError("duplicate transaction_ref")
        seen.add(ref)
        good.append(
            {
                "business_id": business.id,
                "ref": ref,
                "customer_id": customer_id,
                "occurred_on": occurred,
                "amount": amount,
                "status": status,
                "products": _split_list(row.get("products")),
                "source": "import",
            }
        )

    _run_rows(report, table.rows, validate)
    if dry_run or not good:
        return report
    for i in range(0, len(good), 1000):
        db.execute(sa.insert(Transaction), good[i : i + 1000])
    report.created = len(good)
    customers.refresh_totals(
        db, business_id=business.id, customer_ids=[g["customer_id"] for g in good], zone=business.timezone
    )

    aggregates.record_completed(
        db,
        business_id=business.id,
        items=[(g["customer_id"], g["occurred_on"], g["amount"]) for g in good if g["status"] == "completed"],
    )
    return report


# --- entry point --------------------------------------------------------------------------------

ENTITY = {
    "products": "product",
    "shipping-rates": "shipping_rate",
    "knowledge": "knowledge",
    "customers": "customer",
    "transactions": "transaction",
}


def import_file(
    db: Session,
    *,
    kind: str,
    business_id: int,
    data: bytes,
    filename: str | None,
    dry_run: bool = False,
    actor_type: str = "system",
    actor_id: int | None = None,
) -> ImportReport:
    """Import one file of `kind` (one of KINDS) into a business; flushes, the caller commits.

    Raises UnsupportedFormat (415, code `unsupported_format`) for a file that is not CSV/XLSX (or Markdown
    for knowledge) and ValidationFailed for a file without the required columns.
    """
    if kind not in KINDS:
        raise ValidationFailed(details={"kind": f"Jenis impor harus salah satu dari: {', '.join(KINDS)}."})
    business = db.get(Business, business_id)
    if business is None:
        raise ValidationFailed("Bisnis tidak ditemukan.", code="business_not_found")
    if kind == "knowledge":
        fmt = detect_format(data, filename, accepted=KNOWLEDGE_FORMATS)
        if fmt == "md":
            report = import_knowledge(
                db, business=business, sections=knowledge.parse_markdown(decode_text(data)), dry_run=dry_run
            )
        else:
            report = import_knowledge(
                db, business=business, table=read_table(data, filename), dry_run=dry_run
            )
    else:
        table = read_table(data, filename)
        fn = {
            "products": import_products,
            "shipping-rates": import_shipping_rates,
            "customers": import_customers,
            "transactions": import_transactions,
        }[kind]
        report = fn(db, business=business, table=table, dry_run=dry_run)
    log.info(
        "import.done",
        kind=kind,
        business_id=business_id,
        dry_run=dry_run,
        rows=report.rows,
        accepted=report.accepted,
        rejected=report.rejected,
    )
    if not dry_run:
        audit(
            db,
            business_id=business_id,
            actor_type=actor_type,
            actor_id=actor_id,
            action=f"{ENTITY[kind]}.import",
            entity_type=ENTITY[kind],
            data={
                "file": filename,
                "rows": report.rows,
                "accepted": report.accepted,
                "rejected": report.rejected,
                "created": report.created,
                "updated": report.updated,
            },
        )
        db.flush()
    return report
