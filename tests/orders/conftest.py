from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from niaga.catalog.models import Product
from niaga.customers.models import Customer
from niaga.integrations.midtrans.fake import CLIENT_KEY, SERVER_KEY, FakeMidtrans
from niaga.tenancy.models import Business
from tests import factories as f


@pytest.fixture
def fake_midtrans() -> Iterator[FakeMidtrans]:
    with FakeMidtrans() as fake:
        yield fake


@dataclass
class Shop:
    business: Business
    book: Product  # sale price below list price
    quran: Product
    service: Product  # not stock-tracked
    customer: Customer


@pytest.fixture
def shop(db, world, fake_midtrans) -> Shop:  # type: ignore[no-untyped-def]
    from niaga.integrations.midtrans import payments

    b = world.a
    b.profile = {
        "address": "Jl. Parangtritis No. 10",
        "city": "Yogyakarta",
        "phone": "6281234500000",
        "email": "halo@toko-a.test",
    }
    b.settings = {"shipping": {"origin_city": "Yogyakarta"}}
    db.commit()
    book = f.make_product(
        db,
        business=b,
        sku="BK-001",
        name="Seri Kisah Teladan (5 Jilid)",
        price=175000,
        sale_price=149000,
        stock=30,
        weight_g=1500,
    )
    quran = f.make_product(db, business=b, sku="QR-001", name="Mushaf A5", price=95000, stock=5, weight_g=650)
    service = f.make_product(
        db, business=b, sku="SV-001", name="Jasa Sampul", price=5000, stock=None, weight_g=None
    )
    for courier, service_name, per_kg in (
        ("JNE", "REG", 16000),
        ("JNE", "YES", 30000),
        ("SiCepat", "REG", 15000),
    ):
        f.make_rate(
            db,
            business=b,
            origin="Yogyakarta",
            destination="Bandung",
            courier=courier,
            service=service_name,
            price_per_kg=per_kg,
        )
    customer = f.make_customer(
        db, business=b, name="Budi Santoso", phone="6281111111111", email="budi@contoh.id"
    )
    payments.do_configure(
        db,
        business_id=b.id,
        server_key=SERVER_KEY,
        client_key=CLIENT_KEY,
        mode="sandbox",
        base_url=fake_midtrans.base_url,
    )
    db.commit()
    return Shop(business=b, book=book, quran=quran, service=service, customer=customer)


def drain() -> list[str]:
    from niaga.jobs.runner import drain as _drain

    return _drain()
