"""Katalog: products (list, create/edit with field errors, stock adjust, CSV/XLSX import with a per-row
report), knowledge documents and shipping rates. Data changes go through the catalog/knowledge services."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from niaga.catalog import importer
from niaga.catalog import service as catalog
from niaga.catalog.models import Product
from niaga.kit.errors import AppError, NotFound
from niaga.knowledge import service as knowledge
from niaga.tenancy.service import audit
from niaga.web.core import Ctx, FormDep, WebDb, flash, load_ctx, post_ctx, redirect, render
from niaga.web.forms import Form, import_reason_id

router = APIRouter()
PAGE_SIZE = 25


def _page(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return max(int(raw), 1) if raw.isdigit() else 1


def _audit(db: Any, ctx: Ctx, action: str, entity_type: str, entity_id: int | None, **data: Any) -> None:
    audit(
        db,
        business_id=ctx.business_id,
        actor_type="user",
        actor_id=ctx.user.id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        data=data,
    )


# --- products -----------------------------------------------------------------------------------------


@router.get("/app/katalog", response_class=HTMLResponse)
def products_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    qp = request.query_params
    f = {
        "q": (qp.get("q") or "").strip(),
        "category": (qp.get("category") or "").strip(),
        "status": qp.get("status") or "",
        "stock": qp.get("stock") or "",
    }
    page = _page(request)
    rows, total = catalog.list_products(
        db,
        business_id=ctx.business_id,
        search=f["q"] or None,
        category=f["category"] or None,
        is_active={"active": True, "inactive": False}.get(f["status"]),
        in_stock={"in": True, "out": False}.get(f["stock"]),
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    import sqlalchemy as sa

    categories = [
        c
        for c in db.scalars(
            sa.select(Product.category)
            .where(Product.business_id == ctx.business_id, Product.category.is_not(None))
            .distinct()
            .order_by(Product.category)
        )
    ]
    return render(
        ctx,
        request,
        "products.html",
        active="catalog",
        title=ctx.t("cat.title"),
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        f=f,
        categories=categories,
    )


def _product_form(form_data: Any) -> tuple[Form, dict[str, Any]]:
    form = Form(form_data)
    values: dict[str, Any] = {
        "sku": form.text("sku", required=True, max_len=64),
        "name": form.text("name", required=True, max_len=300),
        "category": form.text("category", max_len=100) or None,
        "price": form.money("price", required=True),
        "sale_price": form.money("sale_price"),
        "weight_g": form.integer("weight_g"),
        "description": form.text("description", max_len=20000),
        "tags": form.tags("tags"),
        "is_active": form.checkbox("is_active"),
    }
    if (
        values["price"] is not None
        and values["sale_price"] is not None
        and values["sale_price"] > values["price"]
    ):
        form.errors["sale_price"] = "Harga promo tidak boleh lebih besar dari harga normal."
    return form, values


@router.get("/app/katalog/baru", response_class=HTMLResponse)
def product_new(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    return render(
        ctx,
        request,
        "product_form.html",
        active="catalog",
        title=ctx.t("cat.new"),
        product=None,
        values={"is_active": True},
        errors={},
    )


@router.post("/app/katalog/baru", response_class=HTMLResponse)
def product_create(request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data)
    form, values = _product_form(form_data)
    stock = form.integer("stock")
    if form.ok:
        try:
            product = catalog.create_product(db, business_id=ctx.business_id, stock=stock, **values)
            _audit(db, ctx, "product.create", "product", product.id, sku=product.sku)
            flash(request, ctx.t("common.saved"))
            return redirect(f"/app/katalog/{product.id}", request)
        except AppError as exc:
            form.absorb(exc)
    return render(
        ctx,
        request,
        "product_form.html",
        status_code=422,
        active="catalog",
        title=ctx.t("cat.new"),
        product=None,
        values=form.values,
        errors=form.errors,
    )


@router.get("/app/katalog/{product_id:int}", response_class=HTMLResponse)
def product_edit(product_id: int, request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    p = catalog.get_product(db, business_id=ctx.business_id, product_id=product_id)
    values = {
        "sku": p.sku,
        "name": p.name,
        "category": p.category or "",
        "price": p.price,
        "sale_price": p.sale_price if p.sale_price is not None else "",
        "weight_g": p.weight_g or "",
        "description": p.description,
        "tags": ", ".join(str(t) for t in p.tags),
        "is_active": p.is_active,
    }
    return render(
        ctx,
        request,
        "product_form.html",
        active="catalog",
        title=ctx.t("cat.edit"),
        product=p,
        values=values,
        errors={},
    )


@router.post("/app/katalog/{product_id:int}", response_class=HTMLResponse)
def product_update(product_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data)
    p = catalog.get_product(db, business_id=ctx.business_id, product_id=product_id)
    form, values = _product_form(form_data)
    if form.ok:
        try:
            catalog.update_product(db, p, **values)
            _audit(db, ctx, "product.update", "product", p.id, sku=p.sku)
            flash(request, ctx.t("common.saved"))
            return redirect(f"/app/katalog/{p.id}", request)
        except AppError as exc:
            db.rollback()
            form.absorb(exc)
            p = catalog.get_product(db, business_id=ctx.business_id, product_id=product_id)
    return render(
        ctx,
        request,
        "product_form.html",
        status_code=422,
        active="catalog",
        title=ctx.t("cat.edit"),
        product=p,
        values=form.values,
        errors=form.errors,
    )


@router.post("/app/katalog/{product_id:int}/stok", response_class=HTMLResponse)
def product_stock(product_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data)
    p = catalog.get_product(db, business_id=ctx.business_id, product_id=product_id)
    form = Form(form_data)
    mode = form.raw("mode") or "delta"
    amount = form.integer(
        "amount",
        required=True,
        allow_sign=mode == "delta",
        minimum=None if mode == "delta" else 0,
        label="jumlah",
    )
    if form.ok and amount is not None:
        try:
            before, after = catalog.do_adjust_stock(
                db, p, **({"delta": amount} if mode == "delta" else {"set_to": amount})
            )
            _audit(db, ctx, "product.stock_adjust", "product", p.id, before=before, after=after)
            flash(request, f"Stok {p.name}: {before if before is not None else '—'} → {after}.")
        except AppError as exc:
            form.absorb(exc)
    if not form.ok:
        flash(request, next(iter(form.errors.values())), "error")
    return redirect(f"/app/katalog/{p.id}", request)


# --- import -------------------------------------------------------------------------------------------

IMPORT_KINDS = ("products", "shipping-rates", "knowledge", "customers", "transactions")

# The columns of each import as a shop owner writes them: (header in the template, the importer's field,
# required). Every header is one the importer accepts (its Indonesian alias or the field name itself);
# tests/web check that a template filled in imports without a rejected row.
IMPORT_COLUMNS: dict[str, list[tuple[str, str, bool]]] = {
    "products": [
        ("sku", "sku", True),
        ("nama", "name", True),
        ("harga", "price", True),
        ("harga_promo", "sale_price", False),
        ("stok", "stock", False),
        ("kategori", "category", False),
        ("berat_gram", "weight_g", False),
        ("deskripsi", "description", False),
        ("tag", "tags", False),
        ("aktif", "is_active", False),
    ],
    "shipping-rates": [
        ("kota_asal", "origin_city", True),
        ("kota_tujuan", "destination_city", True),
        ("kurir", "courier", True),
        ("layanan", "service", True),
        ("tarif_per_kg", "price_per_kg", True),
        ("estimasi", "etd_days", False),
    ],
    "knowledge": [("judul", "title", True), ("isi", "content", True), ("kategori", "category", False)],
    "customers": [
        ("kode_pelanggan", "customer_ref", True),
        ("nama", "name", False),
        ("telepon", "phone", False),
        ("email", "email", False),
        ("kota", "city", False),
        ("alamat", "address", False),
        ("tag", "tags", False),
    ],
    "transactions": [
        ("no_transaksi", "transaction_ref", True),
        ("kode_pelanggan", "customer_ref", True),
        ("tanggal", "transaction_date", True),
        ("jumlah", "amount", True),
        ("status", "status", False),
        ("produk", "products", False),
    ],
}
IMPORT_NOTES = {
    "products": "harga dan stok berupa angka (Rp40.000 atau 40000); tag dipisah koma; aktif: ya/tidak.",
    "shipping-rates": "tarif per kg berupa angka; estimasi mis. 2-3 (hari).",
    "knowledge": "atau unggah berkas .md: judul dari baris # pertama.",
    "customers": "kode pelanggan atau telepon wajib ada; telepon mis. 0812… atau 62812….",
    "transactions": "tanggal mis. 2026-11-01 atau 01/11/2026; status: selesai, batal, refund; "
    "kode pelanggan harus sudah ada (impor pelanggan dulu).",
}


def import_header(kind: str, field: str) -> str:
    for header, name, _required in IMPORT_COLUMNS.get(kind, []):
        if name == field:
            return header
    return field


@router.get("/app/katalog/impor", response_class=HTMLResponse)
def import_page(request: Request, db: WebDb) -> Response:
    # Imports replace catalogue, customers and history in bulk: admins, as through the API (one rule).
    ctx = load_ctx(request, db, "admin")
    kind = request.query_params.get("kind")
    return render(
        ctx,
        request,
        "import.html",
        active="catalog",
        title=ctx.t("cat.import"),
        report=None,
        kind=kind if kind in IMPORT_KINDS else "products",
        error="",
        kinds=IMPORT_KINDS,
        columns=IMPORT_COLUMNS,
        notes=IMPORT_NOTES,
    )


@router.get("/app/katalog/impor/templat/{kind}.csv")
def import_template(kind: str, request: Request, db: WebDb) -> Response:
    """An empty CSV with the exact headers the importer accepts for this kind."""
    load_ctx(request, db, "staff")
    if kind not in IMPORT_COLUMNS:
        from niaga.kit.errors import NotFound

        raise NotFound()
    body = ",".join(h for h, _f, _r in IMPORT_COLUMNS[kind]) + "\r\n"
    return Response(
        content="\ufeff" + body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="templat-{kind}.csv"'},
    )


@router.post("/app/katalog/impor", response_class=HTMLResponse)
def import_submit(request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data, role="admin")

    kind = form_data.get("kind") if form_data.get("kind") in IMPORT_KINDS else "products"
    upload = form_data.get("file")
    error = ""
    report = None
    if not isinstance(upload, UploadFile) or not upload.filename:
        error = "Pilih berkas CSV atau XLSX terlebih dahulu."
    else:
        data = upload.file.read()
        if not data:
            error = "Berkas kosong."
        else:
            try:
                result = importer.import_file(
                    db,
                    kind=kind,
                    business_id=ctx.business_id,
                    data=data,
                    filename=upload.filename,
                    actor_type="user",
                    actor_id=ctx.user.id,
                )
                report = {
                    **result.as_dict(),
                    "created": result.created,
                    "updated": result.updated,
                    "filename": upload.filename,
                }
                from niaga.web.importcheck import all_row_problems

                report["errors"] = all_row_problems(
                    kind, data, upload.filename, report["errors"], IMPORT_COLUMNS[kind]
                )
                for e in report["errors"]:
                    e["reason_id"] = import_reason_id(str(e.get("reason", "")))
            except AppError as exc:
                db.rollback()
                details = exc.details if isinstance(exc.details, dict) else {}
                if exc.code == "missing_columns" and isinstance(details.get("columns"), list):
                    # the importer names its fields; the owner knows the template's headers
                    missing = ", ".join(import_header(kind, str(c)) for c in details["columns"])
                    error = (
                        f"{ctx.t('imp.missing_columns')}: {missing}. "
                        f"Unduh templat CSV di bawah untuk judul kolom yang benar."
                    )
                else:
                    error = exc.message + (
                        "" if not details else " " + "; ".join(f"{v}" for v in details.values())
                    )
    status = 422 if error else 200
    return render(
        ctx,
        request,
        "import.html",
        status_code=status,
        active="catalog",
        title=ctx.t("cat.import"),
        report=report,
        kind=kind,
        error=error,
        kinds=IMPORT_KINDS,
        columns=IMPORT_COLUMNS,
        notes=IMPORT_NOTES,
    )


# --- knowledge ------------------------------------------------------------------------------------------


@router.get("/app/katalog/pengetahuan", response_class=HTMLResponse)
def knowledge_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    q = (request.query_params.get("q") or "").strip()
    page = _page(request)
    rows, total = knowledge.list_documents(
        db, business_id=ctx.business_id, search=q or None, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    return render(
        ctx,
        request,
        "knowledge.html",
        active="catalog",
        title=ctx.t("kn.title"),
        rows=rows,
        total=total,
        q=q,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
    )


def _doc_form(form_data: Any) -> tuple[Form, dict[str, Any]]:
    form = Form(form_data)
    values = {
        "title": form.text("title", required=True, max_len=300),
        "content": form.text("content", required=True, max_len=100_000),
        "category": form.text("category", max_len=100) or None,
        "tags": form.tags("tags"),
        "is_active": form.checkbox("is_active"),
    }
    return form, values


@router.get("/app/katalog/pengetahuan/{doc_id}", response_class=HTMLResponse)
def knowledge_edit(doc_id: str, request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    if doc_id == "baru":
        return render(
            ctx,
            request,
            "knowledge_form.html",
            active="catalog",
            title=ctx.t("kn.new"),
            doc=None,
            values={"is_active": True},
            errors={},
        )
    doc = knowledge.get_document(db, business_id=ctx.business_id, document_id=_int(doc_id))
    values = {
        "title": doc.title,
        "content": doc.content,
        "category": doc.category or "",
        "tags": ", ".join(str(t) for t in doc.tags),
        "is_active": doc.is_active,
    }
    return render(
        ctx,
        request,
        "knowledge_form.html",
        active="catalog",
        title=doc.title,
        doc=doc,
        values=values,
        errors={},
    )


def _int(value: str) -> int:
    if not value.isdigit():
        raise NotFound()
    return int(value)


@router.post("/app/katalog/pengetahuan/{doc_id}", response_class=HTMLResponse)
def knowledge_save(doc_id: str, request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data)
    doc = (
        None
        if doc_id == "baru"
        else knowledge.get_document(db, business_id=ctx.business_id, document_id=_int(doc_id))
    )
    form, values = _doc_form(form_data)
    if form.ok:
        try:
            if doc is None:
                doc = knowledge.create_document(db, business_id=ctx.business_id, **values)
                _audit(db, ctx, "knowledge.create", "knowledge", doc.id)
            else:
                knowledge.update_document(db, doc, **values)
                _audit(db, ctx, "knowledge.update", "knowledge", doc.id)
            flash(request, ctx.t("common.saved"))
            return redirect("/app/katalog/pengetahuan", request)
        except AppError as exc:
            db.rollback()
            form.absorb(exc)
            if doc is not None:
                doc = knowledge.get_document(db, business_id=ctx.business_id, document_id=_int(doc_id))
    return render(
        ctx,
        request,
        "knowledge_form.html",
        status_code=422,
        active="catalog",
        title=ctx.t("kn.new") if doc is None else doc.title,
        doc=doc,
        values=form.values,
        errors=form.errors,
    )


@router.post("/app/katalog/pengetahuan/{doc_id:int}/hapus")
def knowledge_delete(doc_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data)
    doc = knowledge.get_document(db, business_id=ctx.business_id, document_id=doc_id)
    knowledge.delete_document(db, doc)
    _audit(db, ctx, "knowledge.delete", "knowledge", doc_id)
    flash(request, ctx.t("common.saved"))
    return redirect("/app/katalog/pengetahuan", request)


# --- shipping rates ---------------------------------------------------------------------------------------


@router.get("/app/katalog/ongkir", response_class=HTMLResponse)
def rates_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    return _rates(ctx, request, db, values={}, errors={})


def _rates(
    ctx: Ctx,
    request: Request,
    db: Any,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    q = (request.query_params.get("q") or "").strip()
    page = _page(request)
    rows, total = catalog.list_rates(
        db, business_id=ctx.business_id, search=q or None, offset=(page - 1) * 50, limit=50
    )
    if not values:
        from niaga.tenancy.defaults import business_profile, business_settings

        values = {
            "origin_city": business_settings(ctx.business)["shipping"].get("origin_city")
            or business_profile(ctx.business).get("city")
            or ""
        }
    return render(
        ctx,
        request,
        "rates.html",
        status_code=status_code,
        active="catalog",
        title=ctx.t("rates.title"),
        rows=rows,
        total=total,
        q=q,
        page=page,
        pages=max((total + 49) // 50, 1),
        values=values,
        errors=errors,
    )


@router.post("/app/katalog/ongkir", response_class=HTMLResponse)
def rate_create(request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data)
    form = Form(form_data)
    places = {
        "origin_city": form.text("origin_city", required=True, max_len=100),
        "destination_city": form.text("destination_city", required=True, max_len=100),
        "courier": form.text("courier", required=True, max_len=50),
        "service": form.text("service", required=True, max_len=50),
    }
    price_per_kg = form.money("price_per_kg", required=True)
    etd_days = form.text("etd_days", max_len=20) or None
    if form.ok and price_per_kg is not None:  # required: None only with a form error
        try:
            rate = catalog.create_rate(
                db, business_id=ctx.business_id, **places, price_per_kg=price_per_kg, etd_days=etd_days
            )
            _audit(db, ctx, "shipping_rate.create", "shipping_rate", rate.id)
            flash(request, ctx.t("common.saved"))
            return redirect("/app/katalog/ongkir", request)
        except AppError as exc:
            db.rollback()
            form.absorb(exc)
    return _rates(ctx, request, db, values=form.values, errors=form.errors, status_code=422)


@router.post("/app/katalog/ongkir/{rate_id:int}/hapus")
def rate_delete(rate_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data)
    rate = catalog.get_rate(db, business_id=ctx.business_id, rate_id=rate_id)
    catalog.delete_rate(db, rate)
    _audit(db, ctx, "shipping_rate.delete", "shipping_rate", rate_id)
    flash(request, ctx.t("common.saved"))
    return redirect("/app/katalog/ongkir", request)
