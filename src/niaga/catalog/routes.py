"""REST API v1: products, stock, shipping rates and their imports.

Roles: reading is staff and above; creating/updating products and adjusting stock is staff and above
(shop assistants keep the catalogue current); deleting products, changing shipping rates and bulk
imports are admin and above (they change prices customers are quoted at scale). Every query is scoped to
`principal.business_id`; another business's id answers 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from sqlalchemy.orm import Session

from niaga.catalog import importer, service
from niaga.catalog.schemas import (
    ProductIn,
    ProductOut,
    ProductUpdate,
    ShippingRateIn,
    ShippingRateOut,
    ShippingRateUpdate,
    StockAdjustIn,
)
from niaga.db.session import SessionDep
from niaga.kit.envelope import Page, ok, page_params
from niaga.tenancy.auth import AdminDep, Principal, StaffDep
from niaga.tenancy.service import record

router = APIRouter(prefix="/api/v1", tags=["catalog"])


def handle_upload(db: Session, principal: Principal, *, kind: str, file: UploadFile, dry_run: bool) -> dict:
    """Shared body of every `POST …/import` route: multipart `file`, optional `?dry_run=true`."""
    data = file.file.read()
    report = importer.import_file(
        db,
        kind=kind,
        business_id=principal.business_id,
        data=data,
        filename=file.filename,
        dry_run=dry_run,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
    )
    return ok({**report.as_dict(), "created": report.created, "updated": report.updated, "dry_run": dry_run})


def _product(p: Any) -> dict:
    return ProductOut.model_validate(p).model_dump(mode="json")


def _rate(r: Any) -> dict:
    return ShippingRateOut.model_validate(r).model_dump(mode="json")


# --- products -----------------------------------------------------------------------------------


@router.get("/products")
def list_products(
    principal: StaffDep,
    db: SessionDep,
    page: Page = Depends(page_params),
    search: str | None = Query(None, max_length=200),
    category: str | None = None,
    tag: str | None = None,
    is_active: bool | None = None,
    in_stock: bool | None = None,
    sort: str = Query(
        "name",
        description="name, price, stock, sku, category, created_at, updated_at; prefix '-' for descending",
    ),
) -> dict:
    rows, total = service.list_products(
        db,
        business_id=principal.business_id,
        search=search,
        category=category,
        tag=tag,
        is_active=is_active,
        in_stock=in_stock,
        sort=sort,
        offset=page.offset,
        limit=page.limit,
    )
    return ok([_product(p) for p in rows], page.meta(total))


@router.post("/products", status_code=201)
def create_product(body: ProductIn, principal: StaffDep, db: SessionDep) -> dict:
    p = service.create_product(db, business_id=principal.business_id, **body.model_dump())
    record(db, principal, "product.create", "product", p.id, {"sku": p.sku})
    return ok(_product(p))


@router.post("/products/import")
def import_products(
    principal: AdminDep, db: SessionDep, file: UploadFile = File(...), dry_run: bool = Query(False)
) -> dict:
    """CSV or XLSX with columns sku,name,price[,category,description,sale_price,stock,weight_g,tags,
    attributes,is_active]; upsert by SKU."""
    return handle_upload(db, principal, kind="products", file=file, dry_run=dry_run)


@router.get("/products/{id}")
def get_product(id: int, principal: StaffDep, db: SessionDep) -> dict:
    return ok(_product(service.get_product(db, business_id=principal.business_id, product_id=id)))


@router.patch("/products/{id}")
def update_product(id: int, body: ProductUpdate, principal: StaffDep, db: SessionDep) -> dict:
    p = service.get_product(db, business_id=principal.business_id, product_id=id)
    changes = body.model_dump(exclude_unset=True)
    before = {k: getattr(p, k) for k in changes if k in ("price", "sale_price", "stock", "is_active", "sku")}
    service.update_product(db, p, **changes)
    record(db, principal, "product.update", "product", p.id, {"fields": sorted(changes), "before": before})
    return ok(_product(p))


@router.delete("/products/{id}")
def delete_product(id: int, principal: AdminDep, db: SessionDep) -> dict:
    p = service.get_product(db, business_id=principal.business_id, product_id=id)
    sku = p.sku
    service.delete_product(db, p)
    record(db, principal, "product.delete", "product", id, {"sku": sku})
    return ok({"id": id, "deleted": True})


@router.post("/products/{id}/stock")
def adjust_stock(id: int, body: StockAdjustIn, principal: StaffDep, db: SessionDep) -> dict:
    """Body `{"delta": -2, "reason": "rusak"}` or `{"set": 40, "reason": "stock opname"}`."""
    p = service.get_product(db, business_id=principal.business_id, product_id=id)
    before, after = service.do_adjust_stock(db, p, delta=body.delta, set_to=body.set_to)
    record(
        db,
        principal,
        "product.stock_adjust",
        "product",
        p.id,
        {"before": before, "after": after, "delta": body.delta, "set": body.set_to, "reason": body.reason},
    )
    return ok(_product(p))


# --- shipping rates -----------------------------------------------------------------------------


@router.get("/shipping-rates")
def list_rates(
    principal: StaffDep,
    db: SessionDep,
    page: Page = Depends(page_params),
    search: str | None = Query(None, max_length=200),
    origin: str | None = None,
    destination: str | None = None,
    courier: str | None = None,
) -> dict:
    rows, total = service.list_rates(
        db,
        business_id=principal.business_id,
        search=search,
        origin=origin,
        destination=destination,
        courier=courier,
        offset=page.offset,
        limit=page.limit,
    )
    return ok([_rate(r) for r in rows], page.meta(total))


@router.post("/shipping-rates", status_code=201)
def create_rate(body: ShippingRateIn, principal: AdminDep, db: SessionDep) -> dict:
    r = service.create_rate(db, business_id=principal.business_id, **body.model_dump())
    record(db, principal, "shipping_rate.create", "shipping_rate", r.id)
    return ok(_rate(r))


@router.post("/shipping-rates/import")
def import_rates(
    principal: AdminDep, db: SessionDep, file: UploadFile = File(...), dry_run: bool = Query(False)
) -> dict:
    """CSV or XLSX with origin_city,destination_city,courier,service,price_per_kg[,etd_days]."""
    return handle_upload(db, principal, kind="shipping-rates", file=file, dry_run=dry_run)


@router.get("/shipping-rates/{id}")
def get_rate(id: int, principal: StaffDep, db: SessionDep) -> dict:
    return ok(_rate(service.get_rate(db, business_id=principal.business_id, rate_id=id)))


@router.patch("/shipping-rates/{id}")
def update_rate(id: int, body: ShippingRateUpdate, principal: AdminDep, db: SessionDep) -> dict:
    r = service.get_rate(db, business_id=principal.business_id, rate_id=id)
    changes = body.model_dump(exclude_unset=True)
    service.update_rate(db, r, **changes)
    record(db, principal, "shipping_rate.update", "shipping_rate", r.id, {"fields": sorted(changes)})
    return ok(_rate(r))


@router.delete("/shipping-rates/{id}")
def delete_rate(id: int, principal: AdminDep, db: SessionDep) -> dict:
    r = service.get_rate(db, business_id=principal.business_id, rate_id=id)
    service.delete_rate(db, r)
    record(db, principal, "shipping_rate.delete", "shipping_rate", id)
    return ok({"id": id, "deleted": True})


# --- imports of the other domains' data (one importer, `niaga.catalog.importer`) --------------------


@router.post("/customers/import", tags=["customers"])
def import_customers(
    principal: AdminDep, db: SessionDep, file: UploadFile = File(...), dry_run: bool = Query(False)
) -> dict:
    """CSV or XLSX with customer_ref,name,phone[,email,city,address,tags]; upsert by customer_ref."""
    return handle_upload(db, principal, kind="customers", file=file, dry_run=dry_run)


@router.post("/transactions/import", tags=["customers"])
def import_transactions(
    principal: AdminDep, db: SessionDep, file: UploadFile = File(...), dry_run: bool = Query(False)
) -> dict:
    """CSV or XLSX with transaction_ref,customer_ref,transaction_date,amount[,status,products]. Dates
    `yyyy-mm-dd` or `dd/mm/yyyy`; amounts `150000`, `Rp 1.250.000`, `1.250.000,00`."""
    return handle_upload(db, principal, kind="transactions", file=file, dry_run=dry_run)


@router.post("/knowledge/import", tags=["knowledge"])
def import_documents(
    principal: AdminDep, db: SessionDep, file: UploadFile = File(...), dry_run: bool = Query(False)
) -> dict:
    """Markdown (each `## ` section is one document titled by its heading) or CSV/XLSX with
    title,content[,category]. Upsert by title."""
    return handle_upload(db, principal, kind="knowledge", file=file, dry_run=dry_run)
