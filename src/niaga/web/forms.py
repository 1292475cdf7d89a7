"""Form parsing for dashboard pages: what shop staff type ("Rp 15.000", "1.5jt", "") becomes typed values or
a field-level Indonesian error; the typed text is always kept for re-display."""

from __future__ import annotations

import re
from typing import Any

from niaga.kit.errors import AppError
from niaga.kit.money import ParseError, parse_rupiah

FIELD_LABELS_ID = {
    "sku": "SKU",
    "name": "nama",
    "price": "harga",
    "sale_price": "harga promo",
    "stock": "stok",
    "weight_g": "berat",
    "category": "kategori",
    "description": "deskripsi",
    "tags": "tag",
    "title": "judul",
    "content": "isi",
    "origin_city": "kota asal",
    "destination_city": "kota tujuan",
    "courier": "kurir",
    "service": "layanan",
    "price_per_kg": "tarif per kg",
    "etd_days": "estimasi",
    "phone": "telepon",
    "email": "email",
    "customer_ref": "kode pelanggan",
    "amount": "jumlah",
    "transaction_ref": "no. transaksi",
    "transaction_date": "tanggal",
    "attributes": "atribut",
    "is_active": "aktif",
    "status": "status",
}


class Form:
    """Collects values and errors while parsing one submitted form."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self.values: dict[str, Any] = {}
        self.errors: dict[str, str] = {}

    def raw(self, name: str) -> str:
        value = self.data.get(name) if self.data is not None else None
        text = value.strip() if isinstance(value, str) else ""
        self.values[name] = text
        return text

    def text(self, name: str, *, required: bool = False, max_len: int = 300, label: str = "") -> str:
        value = self.raw(name)
        if required and not value:
            self.errors[name] = f"{(label or FIELD_LABELS_ID.get(name, name)).capitalize()} wajib diisi."
        elif len(value) > max_len:
            self.errors[name] = f"Maksimal {max_len} karakter."
        return value

    def money(self, name: str, *, required: bool = False, label: str = "") -> int | None:
        value = self.raw(name)
        what = (label or FIELD_LABELS_ID.get(name, name)).capitalize()
        if not value:
            if required:
                self.errors[name] = f"{what} wajib diisi."
            return None
        try:
            amount = parse_rupiah(value)
        except ParseError:
            self.errors[name] = f"{what} harus berupa angka rupiah, mis. 15000 atau Rp15.000."
            return None
        if amount < 0:
            self.errors[name] = f"{what} tidak boleh negatif."
            return None
        return amount

    def integer(
        self,
        name: str,
        *,
        required: bool = False,
        minimum: int | None = 0,
        label: str = "",
        allow_sign: bool = False,
    ) -> int | None:
        value = self.raw(name).replace(".", "").replace(" ", "")
        what = (label or FIELD_LABELS_ID.get(name, name)).capitalize()
        if not value:
            if required:
                self.errors[name] = f"{what} wajib diisi."
            return None
        pattern = r"[+-]?\d+" if allow_sign else r"\d+"
        if not allow_sign and re.fullmatch(r"-\d+", value):
            self.errors[name] = f"{what} tidak boleh negatif."
            return None
        if not re.fullmatch(pattern, value):
            self.errors[name] = f"{what} harus bilangan bulat."
            return None
        number = int(value)
        if minimum is not None and number < minimum:
            self.errors[name] = f"{what} minimal {minimum}."
            return None
        return number

    def checkbox(self, name: str) -> bool:
        value = self.data.get(name) if self.data is not None else None
        checked = value not in (None, "", "0", "off", "false")
        self.values[name] = checked
        return checked

    def tags(self, name: str) -> list[str]:
        return [t.strip() for t in self.raw(name).split(",") if t.strip()]

    def absorb(self, exc: AppError) -> None:
        """Field details of a service error become field errors; otherwise a form-level error."""
        details = exc.details if isinstance(exc.details, dict) else {}
        matched = False
        for key, msg in details.items():
            field = str(key).split(".")[-1]
            if isinstance(msg, str):
                self.errors[field] = msg[:1].upper() + msg[1:] if msg else exc.message
                matched = True
        if not matched:
            self.errors["__all__"] = exc.message

    @property
    def ok(self) -> bool:
        return not self.errors


_REASONS = [
    (re.compile(r"^missing (\w+)$"), "{f} kosong"),
    (re.compile(r"^non-numeric (\w+)$"), "{f} bukan angka"),
    (re.compile(r"^negative (\w+)$"), "{f} negatif"),
    (re.compile(r"^invalid (\w+)$"), "{f} tidak valid"),
    (re.compile(r"^duplicate (\w+)$"), "{f} ganda di file ini"),
    (re.compile(r"^fractional (\w+)$"), "{f} tidak boleh pecahan"),
]
_FIXED = {
    "sale_price greater than price": "harga promo lebih besar dari harga",
    "invalid attributes JSON": "atribut bukan JSON yang valid",
    "date in the future": "tanggal di masa depan",
    "unknown customer": "pelanggan tidak dikenal",
    "title too long": "judul terlalu panjang",
    "transaction_ref too long": "no. transaksi terlalu panjang",
}


def import_reason_id(reason: str) -> str:
    """An importer's reason code ("non-numeric price") in Indonesian ("harga bukan angka")."""
    if reason in _FIXED:
        return _FIXED[reason]
    for pattern, template in _REASONS:
        m = pattern.match(reason)
        if m:
            return template.format(f=FIELD_LABELS_ID.get(m.group(1), m.group(1)))
    return reason
