"""A print shop for the print-job tests: `print` module on, the default price list, WAHA and Midtrans
pointed at their loopback fakes, and helpers to send WhatsApp messages and files as WAHA does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from niaga.integrations.waha import fake as waha_fake
from tests import factories as f
from tests.channels import conftest as channels_conftest

MIXED_ORDER = Path(__file__).resolve().parents[1] / "fixtures" / "printshop" / "mixed_order"
CHAT = "6281377776666@c.us"
NOTE = "cetak 3 rangkap jilid hard cover biru dongker, ambil senin"


@dataclass
class PrintShop:
    business: Any
    waha: Any
    midtrans: Any
    operator: Any


def make_print_shop(
    db: Any, waha: Any, midtrans: Any, *, buffer_seconds: float = 1.0, settings: dict | None = None
) -> PrintShop:
    from niaga.integrations.midtrans import payments
    from niaga.integrations.midtrans.fake import CLIENT_KEY, SERVER_KEY
    from niaga.printshop.models import PrintPriceList
    from niaga.printshop.pricing import DEFAULT_PRICES

    b = f.make_business(
        db,
        slug="smartcopy-test",
        name="SmartCopy",
        profile={"address": "Jl. Kaliurang Km 5 No. 12", "city": "Yogyakarta", "phone": "6281200000000"},
        settings={
            "modules": {"print": True},
            "channels": {"buffer_seconds": buffer_seconds},
            **(settings or {}),
        },
    )
    db.add(PrintPriceList(business_id=b.id, name="default", prices=DEFAULT_PRICES, is_active=True))
    channels_conftest.configure(
        db,
        b,
        "waha",
        base_url=waha.url,
        api_key=waha.api_key,
        session="default",
        hmac_key=channels_conftest.HMAC_KEY,
    )
    payments.do_configure(
        db, business_id=b.id, server_key=SERVER_KEY, client_key=CLIENT_KEY, base_url=midtrans.base_url
    )
    operator = f.make_user(db, email="operator@smartcopy.test", business=b, role="operator")
    db.commit()
    return PrintShop(b, waha, midtrans, operator)


MIMETYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def file_event(
    waha: Any, path: Path, *, chat: str = CHAT, caption: str = "", data: bytes | None = None
) -> dict:
    mimetype = MIMETYPES.get(path.suffix.lower(), "application/octet-stream")
    url = waha.add_file(
        f"{abs(hash((chat, path.name))) % 10**8}-{path.name}",
        data if data is not None else path.read_bytes(),
        mimetype,
    )
    media = {"url": url, "mimetype": mimetype, "filename": path.name, "error": None}
    return waha_fake.message_event(text=caption, chat_id=chat, media=media)


def post(client: Any, business: Any, event: dict) -> None:
    """Deliver a WAHA webhook through `client` (TestClient) or to a URL base (str)."""
    url = f"/webhooks/waha/{business.slug}"
    if isinstance(client, str):
        resp = waha_fake.post_webhook(client + url, event, channels_conftest.HMAC_KEY)
    else:
        resp = waha_fake.post_webhook(url, event, channels_conftest.HMAC_KEY, client=client)
    assert resp.status_code == 200, resp.text


def say(client: Any, business: Any, text: str, *, chat: str = CHAT) -> None:
    post(client, business, waha_fake.message_event(text=text, chat_id=chat))
