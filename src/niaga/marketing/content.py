"""Content generation: captions, broadcast texts, promo ideas and product descriptions for a segment, a
product or an occasion.

Facts (product names, prices, stock) are read from the catalogue; the offline generator writes Indonesian
text from them with real variety (several openers, bodies and calls to action per kind, chosen by a seeded
random so a regeneration gives another version). When the business configured a language model, the chain
of `niaga.agent.llm` (primary -> backup) phrases the same facts; the number guard then rejects any money or
stock figure the catalogue did not give, and an empty answer, and the offline text is used instead.

Results are cached by business + segment + kind + prompt hash (the hash covers the request and the facts,
so a price change is a new prompt); a regeneration adds a new row. Every new row counts against the daily
quota (default 10 per business per day); a monthly budget in rupiah stops model calls (offline text then).
Tokens and cost go to `AiUsage` per provider and model and on the row itself.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.catalog.models import Product
from niaga.kit.errors import NotFound, RateLimited, ValidationFailed
from niaga.kit.money import format_rupiah
from niaga.kit.ports import Port
from niaga.kit.providers import LLMError
from niaga.kit.timeutil import local_now, local_today, tz
from niaga.marketing import rfm
from niaga.marketing.content_models import ContentGeneration
from niaga.ops.logging import get_logger
from niaga.tenancy.defaults import business_settings
from niaga.tenancy.models import Business

log = get_logger("niaga.marketing.content")
# The language-model chain (provider configs, the clients, usage records, the figures guard) is the agent's:
# `niaga.agent.llm` registers itself here when it is loaded. Content sits below the agent in the layers, so it
# reaches the models through this port, never by importing the agent.
MODEL_ACCESS: Port[Any] = Port("content language model")

KINDS: dict[str, dict[str, Any]] = {
    "ig_caption": {"label": "Caption Instagram/Facebook", "limit": 2200, "hashtags": 12},
    "tiktok_caption": {"label": "Caption TikTok", "limit": 2200, "hashtags": 6},
    "wa_broadcast": {"label": "Pesan broadcast WhatsApp", "limit": 1000, "hashtags": 0},
    "promo_idea": {"label": "Ide promo", "limit": 1500, "hashtags": 0},
    "product_description": {"label": "Deskripsi produk", "limit": 2000, "hashtags": 0},
}

# name -> (label, hashtags, a line of the occasion)
OCCASIONS: dict[str, dict[str, Any]] = {
    "ramadan": {
        "label": "Ramadan",
        "tags": ["ramadan", "ngabuburit", "berkahramadan"],
        "lines": [
            "Ramadan penuh berkah, saatnya siapkan yang terbaik untuk keluarga.",
            "Temani ibadah dan silaturahmi Ramadan dengan pilihan terbaik.",
            "Bulan suci sudah tiba, yuk lengkapi kebutuhan Ramadan dari sekarang.",
        ],
    },
    "lebaran": {
        "label": "Lebaran",
        "tags": ["lebaran", "idulfitri", "mudik"],
        "lines": [
            "Menjelang Lebaran, tampil istimewa di hari yang fitri.",
            "Siapkan hadiah dan busana Lebaran tanpa antre.",
        ],
    },
    "harbolnas": {
        "label": "Harbolnas 12.12",
        "tags": ["harbolnas", "1212", "belanjaonline"],
        "lines": [
            "Harbolnas 12.12 datang, waktunya belanja hemat!",
            "Hari Belanja Online Nasional: jangan sampai ketinggalan!",
            "12.12 cuma setahun sekali, amankan incaranmu sekarang.",
        ],
    },
    "payday": {
        "label": "Gajian",
        "tags": ["gajian", "paydaysale", "selfreward"],
        "lines": [
            "Gajian sudah cair? Saatnya self-reward!",
            "Tanggal muda, dompet tebal, waktunya belanja yang kamu incar.",
            "Hadiahi dirimu setelah sebulan kerja keras.",
        ],
    },
    "hari_batik": {
        "label": "Hari Batik Nasional",
        "tags": ["haribatiknasional", "batikindonesia", "cintabatik"],
        "lines": [
            "Selamat Hari Batik Nasional! Bangga memakai warisan budaya Indonesia.",
            "Rayakan Hari Batik dengan tampil berbatik hari ini.",
        ],
    },
    "kemerdekaan": {
        "label": "HUT RI 17 Agustus",
        "tags": ["merdeka", "hutri", "17agustus"],
        "lines": [
            "Dirgahayu Republik Indonesia! Rayakan semangat merdeka bersama kami.",
            "Semangat kemerdekaan, semangat dukung produk lokal!",
        ],
    },
    "akhir_pekan": {
        "label": "Akhir pekan",
        "tags": ["weekendsale", "akhirpekan"],
        "lines": [
            "Akhir pekan tiba, saatnya santai dan belanja.",
            "Weekend ini jangan dilewatkan begitu saja!",
        ],
    },
    "tahun_baru": {
        "label": "Tahun Baru",
        "tags": ["tahunbaru", "resolusi"],
        "lines": ["Sambut tahun baru dengan semangat dan tampilan baru!"],
    },
}
_OCCASION_ALIASES = {
    "harbolnas 12.12": "harbolnas",
    "12.12": "harbolnas",
    "1212": "harbolnas",
    "gajian": "payday",
    "hari batik": "hari_batik",
    "batik": "hari_batik",
    "idul fitri": "lebaran",
    "idulfitri": "lebaran",
    "17 agustus": "kemerdekaan",
    "hut ri": "kemerdekaan",
    "weekend": "akhir_pekan",
    "akhir pekan": "akhir_pekan",
    "tahun baru": "tahun_baru",
}

# How to speak to each segment (the segment's name never appears in what customers read).
SEGMENT_TONE: dict[str, dict[str, list[str]]] = {
    "champions": {
        "open": ["Terima kasih sudah jadi pelanggan setia kami!", "Spesial untuk pelanggan terbaik kami!"],
        "offer": ["Kamu yang pertama tahu koleksi ini.", "Akses lebih dulu sebelum yang lain."],
    },
    "loyal_customers": {
        "open": ["Untuk kamu yang selalu setia belanja di sini.", "Pelanggan setia, ini untukmu!"],
        "offer": ["Pilihan favorit yang pasti cocok untukmu.", "Tambah koleksimu dengan yang satu ini."],
    },
    "potential_loyalists": {
        "open": ["Senang kamu sudah beberapa kali belanja di sini!", "Yuk, lanjutkan belanjamu!"],
        "offer": ["Ini rekomendasi yang pas untuk pembelian berikutnya.", "Lengkapi koleksimu sekarang."],
    },
    "new_customers": {
        "open": ["Selamat datang di keluarga kami!", "Terima kasih sudah mencoba belanja di sini!"],
        "offer": ["Kenalan lebih dekat dengan produk unggulan kami.", "Ini produk favorit pelanggan kami."],
    },
    "promising": {
        "open": ["Masih ingat kami? Ada yang baru, lho!", "Hai, ada kabar baik dari kami!"],
        "offer": ["Cek pilihan yang lagi banyak dicari.", "Jangan sampai kehabisan."],
    },
    "need_attention": {
        "open": ["Sudah lama tidak mampir, ada yang baru untukmu!", "Kami punya kabar menarik untukmu."],
        "offer": ["Penawaran ini berlaku terbatas.", "Yuk, cek sebelum kehabisan."],
    },
    "about_to_sleep": {
        "open": ["Kangen belanja di sini? Kami juga kangen kamu!", "Psst, ada yang baru nih!"],
        "offer": ["Lihat-lihat dulu juga boleh.", "Siapa tahu ada yang cocok."],
    },
    "at_risk": {
        "open": ["Kami kangen kamu! Sudah lama tidak berbelanja bersama kami.", "Apa kabar? Lama tak jumpa!"],
        "offer": ["Kami siapkan pilihan khusus untuk kamu kembali.", "Balas pesan ini untuk info lengkap."],
    },
    "cant_lose_them": {
        "open": [
            "Kamu pelanggan yang sangat berarti untuk kami.",
            "Kami rindu pelanggan istimewa seperti kamu.",
        ],
        "offer": ["Ada penawaran terbaik yang kami siapkan khusus.", "Hubungi kami, kami bantu langsung."],
    },
    "lost": {
        "open": ["Halo lagi! Sudah lama sekali ya.", "Masih ingat kami? Kami masih di sini untukmu."],
        "offer": ["Coba lagi produk kami, banyak yang baru.", "Yuk mampir lagi, banyak pilihan baru."],
    },
}
_GENERAL_OPEN = [
    "Ada yang baru dan spesial di {shop}!",
    "Kabar gembira dari {shop}!",
    "Lagi cari yang pas? {shop} punya jawabannya.",
    "Yuk intip pilihan terbaik dari {shop}.",
    "Hai! {shop} punya rekomendasi buat kamu.",
]
_PRODUCT_LINES = [
    "{name} hanya {price}.",
    "{name}, harganya {price} saja.",
    "Dapatkan {name} seharga {price}.",
    "{name} kini {price}.",
]
_STOCK_LINES = [
    "Stok tinggal {stock}, jangan sampai kehabisan!",
    "Tersedia {stock} pcs saja.",
    "Sisa {stock} pcs, siapa cepat dia dapat.",
]
_CTA = {
    "ig_caption": [
        "Klik link di bio atau DM kami untuk pesan.",
        "Order sekarang lewat DM atau WhatsApp kami.",
        "Simpan postingan ini dan tag temanmu yang butuh!",
        "Pesan sekarang, kami kirim ke seluruh Indonesia.",
    ],
    "tiktok_caption": [
        "Cek link di bio ya!",
        "Komen 'mau' kalau kamu tertarik!",
        "Follow untuk info promo berikutnya!",
    ],
    "wa_broadcast": [
        "Balas pesan ini untuk pesan ya, {kak}.",
        "Mau dibantu pesan? Langsung balas chat ini saja.",
        "Ketik nama produknya untuk pesan, kami bantu prosesnya.",
    ],
}
_IDEAS = [
    "Bundling: tawarkan {name} bersama produk pelengkap dalam satu paket.",
    "Konten 'di balik layar': tunjukkan proses pembuatan atau pengemasan {name}.",
    "Testimoni: minta pelanggan setia membagikan foto memakai {name}.",
    "Giveaway kecil: pemenang mendapat {name}, syaratnya follow dan tag 3 teman.",
    "Flash sale 2 jam di story dengan hitung mundur untuk {name}.",
    "Gratis ongkir untuk pembelian {name} di akhir pekan.",
    "Live shopping: tampilkan {name} secara langsung dan jawab pertanyaan penonton.",
]
_DESC_OPEN = [
    "{name} dari {shop} dibuat untuk menemani aktivitasmu sehari-hari.",
    "Kenalkan {name}, salah satu produk andalan {shop}.",
    "{name} hadir dengan kualitas yang bisa kamu andalkan.",
]
_DESC_CLOSE = [
    "Cocok untuk dipakai sendiri maupun dijadikan hadiah.",
    "Pesan sekarang dan rasakan sendiri kualitasnya.",
    "Tersedia selama persediaan masih ada.",
]
_STOP_HINT = "Balas STOP jika tidak ingin menerima pesan seperti ini lagi."

DEFAULT_CONTENT: dict[str, Any] = {
    "daily_quota": 10,  # generations per business per day (cached answers are free)
    "monthly_budget_idr": 0,  # 0 = no limit on model cost
    "usd_idr": 16000,  # exchange rate for the cost shown in rupiah
}


def content_settings(business: Business) -> dict[str, Any]:
    raw = (business.settings or {}).get("content") or {}
    return {**DEFAULT_CONTENT, **{k: v for k, v in raw.items() if k in DEFAULT_CONTENT}}


# --- inputs ------------------------------------------------------------------------------------------


def check_kind(kind: str) -> str:
    k = (kind or "").strip().lower()
    if k not in KINDS:
        raise ValidationFailed(
            f"Jenis konten '{kind}' tidak dikenal. Pilihan: {', '.join(KINDS)}.",
            code="unknown_content_kind",
            details={"kind": "tidak dikenal"},
        )
    return k


def check_segment(segment: str | None) -> str | None:
    if not segment:
        return None
    s = segment.strip().lower()
    if s not in rfm.SEGMENTS:
        raise ValidationFailed(
            f"Segmen '{segment}' tidak dikenal. Pilihan: {', '.join(rfm.SEGMENT_ORDER)}.",
            code="unknown_segment",
            details={"segment": "tidak dikenal"},
        )
    return s


def check_occasion(occasion: str | None) -> str | None:
    if not occasion:
        return None
    o = occasion.strip().lower()
    o = _OCCASION_ALIASES.get(o, o.replace(" ", "_"))
    if o not in OCCASIONS:
        raise ValidationFailed(
            f"Momen '{occasion}' tidak dikenal. Pilihan: {', '.join(OCCASIONS)}.",
            code="unknown_occasion",
            details={"occasion": "tidak dikenal"},
        )
    return o


def get_product(db: Session, *, business_id: int, sku: str) -> Product:
    p = db.scalars(
        sa.select(Product).where(Product.business_id == business_id, Product.sku == sku.strip())
    ).first()
    if p is None:
        raise NotFound(f"Produk dengan SKU '{sku}' tidak ditemukan.", code="product_not_found")
    return p


def price_of(p: Product) -> int:
    return int(p.sale_price if p.sale_price is not None and p.sale_price < p.price else p.price)


def available(p: Product) -> int | None:
    return None if p.stock is None else max(int(p.stock) - int(p.reserved or 0), 0)


def featured_products(db: Session, *, business_id: int, limit: int = 3) -> list[Product]:
    """Active products in stock, the fullest shelves first (what a shop wants to move)."""
    rows = db.scalars(
        sa.select(Product)
        .where(Product.business_id == business_id, Product.is_active.is_(True))
        .order_by(Product.id)
    ).all()
    in_stock = [p for p in rows if available(p) is None or (available(p) or 0) > 0]
    in_stock.sort(key=lambda p: (-(available(p) or 0), p.id))
    return in_stock[:limit]


@dataclass
class Facts:
    shop: str
    products: list[dict[str, Any]]
    segment: str | None
    occasion: str | None
    kak: str = "kak"
    numbers: set[int] = field(default_factory=set)

    def as_prompt(self) -> dict[str, Any]:
        return {
            "toko": self.shop,
            "produk": [
                {k: v for k, v in p.items() if k in ("sku", "name", "price_text", "stock", "category")}
                for p in self.products
            ],
            "segmen": rfm.label_of(self.segment) if self.segment else None,
            "momen": OCCASIONS[self.occasion]["label"] if self.occasion else None,
        }


def gather_facts(
    db: Session, *, business: Business, segment: str | None, product_sku: str | None, occasion: str | None
) -> Facts:
    if product_sku:
        products = [get_product(db, business_id=business.id, sku=product_sku)]
    else:
        products = featured_products(db, business_id=business.id)
    items = []
    numbers: set[int] = set()
    for p in products:
        price = price_of(p)
        stock = available(p)
        items.append(
            {
                "sku": p.sku,
                "name": p.name,
                "price": price,
                "price_text": format_rupiah(price),
                "normal_price": int(p.price),
                "stock": stock,
                "category": p.category,
                "description": (p.description or "")[:300],
            }
        )
        numbers |= {price, int(p.price)}
        if stock is not None:
            numbers.add(stock)
    kak = str(business_settings(business).get("agent", {}).get("address_customer_as") or "kak")
    return Facts(
        shop=business.name, products=items, segment=segment, occasion=occasion, kak=kak, numbers=numbers
    )


def prompt_hash(*, kind: str, facts: Facts, instruction: str) -> str:
    raw = json.dumps(
        {"kind": kind, "facts": facts.as_prompt(), "instruction": instruction.strip()},
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def cache_key(*, business_id: int, segment: str | None, kind: str, phash: str) -> str:
    return hashlib.sha256(f"{business_id}|{segment or '-'}|{kind}|{phash}".encode()).hexdigest()


# --- the offline generator -----------------------------------------------------------------------


def _slug_tag(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())[:30]


def hashtags_for(kind: str, facts: Facts, rnd: random.Random) -> list[str]:
    n = KINDS[kind]["hashtags"]
    if not n:
        return []
    tags: list[str] = [_slug_tag(facts.shop)]
    for p in facts.products[:2]:
        if p.get("category"):
            tags.append(_slug_tag(str(p["category"])))
        tags.append(_slug_tag(str(p["name"]).split(" ")[0]))
    if facts.occasion:
        tags += OCCASIONS[facts.occasion]["tags"]
    pool = [
        "produklokal",
        "umkm",
        "belanjaonline",
        "promo",
        "racunshopee",
        "olshop",
        "bangganbuatanindonesia",
    ]
    rnd.shuffle(pool)
    tags += pool
    out: list[str] = []
    for t in tags:
        if t and t not in out and len(t) >= 3:
            out.append(t)
    return ["#" + t for t in out[:n]]


def offline_text(kind: str, facts: Facts, *, variant: int, phash: str) -> tuple[str, list[str]]:
    rnd = random.Random(f"{phash}:{variant}")
    shop, kak = facts.shop, facts.kak
    lines: list[str] = []
    tone = SEGMENT_TONE.get(facts.segment or "")
    if facts.occasion:
        lines.append(rnd.choice(OCCASIONS[facts.occasion]["lines"]))
    if kind == "product_description":
        if not facts.products:
            raise ValidationFailed(
                "Deskripsi produk butuh produk: pilih SKU.",
                code="product_required",
                details={"product": "wajib"},
            )
        p = facts.products[0]
        lines = [rnd.choice(_DESC_OPEN).format(name=p["name"], shop=shop)]
        if p.get("description"):
            lines.append(str(p["description"]).strip())
        lines.append(f"Harga: {p['price_text']}.")
        if p.get("stock") is not None:
            lines.append(f"Stok tersedia: {p['stock']} pcs.")
        lines.append(rnd.choice(_DESC_CLOSE))
        return "\n".join(lines), []
    if kind == "promo_idea":
        names = [p["name"] for p in facts.products] or ["produk unggulan"]
        ideas = rnd.sample(_IDEAS, k=3)
        head = f"Ide promo untuk {shop}"
        if facts.segment:
            head += f" (pelanggan {rfm.label_of(facts.segment)})"
        if facts.occasion:
            head += f" menyambut {OCCASIONS[facts.occasion]['label']}"
        out = [head + ":"]
        for i, idea in enumerate(ideas, 1):
            out.append(f"{i}. " + idea.format(name=names[(i - 1) % len(names)]))
        if facts.segment:
            out.append("Saran: " + str(rfm.SEGMENTS[facts.segment]["action"]))
        return "\n".join(out), []
    if tone:
        lines.append(rnd.choice(tone["open"]))
    else:
        lines.append(rnd.choice(_GENERAL_OPEN).format(shop=shop))
    if kind == "wa_broadcast":
        lines.insert(0, "Halo {nama}!")
    for p in facts.products[: 1 if kind == "tiktok_caption" else 3]:
        line = rnd.choice(_PRODUCT_LINES).format(name=p["name"], price=p["price_text"])
        if p["price"] < p["normal_price"]:
            line += f" (normal {format_rupiah(p['normal_price'])})"
        lines.append(("✨ " if kind != "wa_broadcast" else "• ") + line)
    stocked = [p for p in facts.products if p.get("stock") is not None and 0 < p["stock"] <= 20]
    if stocked and rnd.random() < 0.7:
        lines.append(rnd.choice(_STOCK_LINES).format(stock=stocked[0]["stock"]))
    if tone:
        lines.append(rnd.choice(tone["offer"]))
    lines.append(rnd.choice(_CTA[kind]).format(kak=kak))
    if kind == "wa_broadcast":
        lines.append(_STOP_HINT)
    sep = "\n" if kind == "wa_broadcast" else "\n\n" if kind == "ig_caption" else " "
    text = sep.join(lines)
    return text, hashtags_for(kind, facts, rnd)


# --- the model -----------------------------------------------------------------------------------


def _allowed_numbers(facts: Facts, offline: str, instruction: str) -> set[int]:
    figures_in = MODEL_ACCESS.get("llm").figures_in

    allowed = set(facts.numbers) | figures_in(offline)
    allowed |= {int(x) for x in re.findall(r"\d+", instruction or "")}
    return allowed


def guard(text: str, *, facts: Facts, offline: str, instruction: str) -> list[int]:
    """Money and stock figures in `text` that the catalogue did not give (empty = grounded)."""
    figures_in = MODEL_ACCESS.get("llm").figures_in

    allowed = _allowed_numbers(facts, offline, instruction)
    return sorted(v for v in figures_in(text) if v not in allowed)


def _messages(kind: str, facts: Facts, offline: str, instruction: str) -> list[dict[str, Any]]:
    spec = KINDS[kind]
    system = (
        f"Kamu copywriter media sosial untuk UMKM Indonesia. Tulis {spec['label']} dalam Bahasa Indonesia yang "
        "santai dan sopan. ATURAN: semua nama produk, harga dan stok HANYA dari data JSON berikut; jangan "
        "menambah angka, diskon atau harga lain. Jangan sebut nama segmen. Format uang seperti Rp150.000. "
        f"Maksimal {spec['limit']} karakter."
        + (" Akhiri dengan baris berisi hashtag." if spec["hashtags"] else "")
        + (" Sapa pelanggan dengan {nama} (persis begitu)." if kind == "wa_broadcast" else "")
    )
    user = (
        "Data: "
        + json.dumps(facts.as_prompt(), ensure_ascii=False)
        + "\nContoh draf yang benar (boleh ditulis ulang lebih menarik):\n"
        + offline
        + (f"\nPermintaan pemilik: {instruction.strip()}" if instruction.strip() else "")
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def split_hashtags(text: str) -> tuple[str, list[str]]:
    """Hashtags at the end of a model's text become the list; the text keeps the rest."""
    tags = re.findall(r"#[0-9A-Za-z_]+", text)
    body = text
    lines = text.rstrip().split("\n")
    while lines and lines[-1].strip() and all(w.startswith("#") for w in lines[-1].split()):
        lines.pop()
    body = "\n".join(lines).strip()
    return body, list(dict.fromkeys(tags))


@dataclass
class Generated:
    text: str
    hashtags: list[str]
    provider: str
    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_micro_usd: int = 0
    note: str | None = None


def _via_models(
    db: Session, *, business: Business, kind: str, facts: Facts, offline: str, instruction: str
) -> tuple[Generated | None, str | None]:
    """The provider chain; (None, why) when no model produced a usable text."""
    llm = MODEL_ACCESS.get("llm")

    agent = business_settings(business).get("agent", {})
    chain = [k for k in (agent.get("provider"), agent.get("backup_provider")) if k and k != "offline"]
    chain = list(dict.fromkeys(chain))
    if not chain:
        return None, None
    why: str | None = "provider_failed"
    for kind_name in chain:
        found = llm.client_for(db, business_id=business.id, kind=kind_name, model=agent.get("model") or "")
        if found is None:
            continue
        client, cfg = found
        conf = cfg.config or {}
        try:
            c = client.complete(_messages(kind, facts, offline, instruction), [], timeout=client.timeout)
        except LLMError as exc:
            log.warning(
                "content.provider_failed", business_id=business.id, provider=kind_name, error=str(exc)[:200]
            )
            llm.record_usage(
                db,
                business_id=business.id,
                timezone=business.timezone,
                provider=kind_name,
                model=client.model,
                failures=1,
                config=conf,
            )
            continue
        llm.record_usage(
            db,
            business_id=business.id,
            timezone=business.timezone,
            provider=kind_name,
            model=client.model,
            prompt_tokens=c.prompt_tokens,
            completion_tokens=c.completion_tokens,
            config=conf,
        )
        cost = round(
            c.prompt_tokens * float(conf.get("input_cost_per_mtok_usd") or 0)
            + c.completion_tokens * float(conf.get("output_cost_per_mtok_usd") or 0)
        )
        text = (c.text or "").strip()
        if not text:
            why = "empty_answer"
            continue
        bad = guard(text, facts=facts, offline=offline, instruction=instruction)
        if bad:
            log.warning(
                "content.guard_override", business_id=business.id, provider=kind_name, figures=bad[:10]
            )
            # the tokens were spent: the offline text carries the cost and says why
            return (
                Generated(
                    text="",
                    hashtags=[],
                    provider=kind_name,
                    model=client.model,
                    prompt_tokens=c.prompt_tokens,
                    completion_tokens=c.completion_tokens,
                    cost_micro_usd=cost,
                    note="guard_override",
                ),
                "guard_override",
            )
        body, tags = split_hashtags(text)
        limit = KINDS[kind]["limit"]
        return (
            Generated(
                text=body[:limit],
                hashtags=tags[: max(KINDS[kind]["hashtags"], 0) or 0] if KINDS[kind]["hashtags"] else [],
                provider=kind_name,
                model=client.model,
                prompt_tokens=c.prompt_tokens,
                completion_tokens=c.completion_tokens,
                cost_micro_usd=cost,
            ),
            None,
        )
    return None, why


# --- quota and usage -----------------------------------------------------------------------------


def _day_bounds(business: Business) -> tuple[datetime, datetime]:
    start = datetime.combine(local_today(business.timezone), time(0), tzinfo=tz(business.timezone))
    return start, start + timedelta(days=1)


def used_today(db: Session, *, business: Business) -> int:
    start, end = _day_bounds(business)
    return int(
        db.scalar(
            sa.select(sa.func.count())
            .select_from(ContentGeneration)
            .where(
                ContentGeneration.business_id == business.id,
                ContentGeneration.created_at >= start,
                ContentGeneration.created_at < end,
            )
        )
        or 0
    )


def cost_this_month(db: Session, *, business: Business) -> int:
    now = local_now(business.timezone)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return int(
        db.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(ContentGeneration.cost_idr), 0)).where(
                ContentGeneration.business_id == business.id, ContentGeneration.created_at >= start
            )
        )
        or 0
    )


def usage_summary(db: Session, *, business: Business, days: int = 30) -> dict[str, Any]:
    """Generations, tokens and cost per provider/model over the last `days` days, and today's quota."""
    since = local_now(business.timezone) - timedelta(days=days)
    rows = db.execute(
        sa.select(
            ContentGeneration.provider,
            ContentGeneration.model,
            sa.func.count(),
            sa.func.coalesce(
                sa.func.sum(ContentGeneration.prompt_tokens + ContentGeneration.completion_tokens), 0
            ),
            sa.func.coalesce(sa.func.sum(ContentGeneration.cost_idr), 0),
        )
        .where(ContentGeneration.business_id == business.id, ContentGeneration.created_at >= since)
        .group_by(ContentGeneration.provider, ContentGeneration.model)
        .order_by(ContentGeneration.provider, ContentGeneration.model)
    ).all()
    cfg = content_settings(business)
    return {
        "quota": {"used": used_today(db, business=business), "limit": int(cfg["daily_quota"])},
        "month_cost_idr": cost_this_month(db, business=business),
        "monthly_budget_idr": int(cfg["monthly_budget_idr"]),
        "by_provider": [
            {"provider": p, "model": m, "generations": int(n), "tokens": int(t), "cost_idr": int(c)}
            for p, m, n, t, c in rows
        ],
    }


# --- the use case --------------------------------------------------------------------------------


def generation_out(
    row: ContentGeneration, *, cached: bool, quota: dict[str, int] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id,
        "kind": row.kind,
        "segment": row.segment,
        "product": row.product_sku,
        "occasion": row.occasion,
        "text": row.text,
        "hashtags": list(row.hashtags or []),
        "cached": cached,
        "provider": row.provider,
        "model": row.model,
        "tokens": row.prompt_tokens + row.completion_tokens,
        "cost_idr": row.cost_idr,
        "note": row.note,
        "created_at": row.created_at.isoformat() if row.created_at else None,
    }
    if quota is not None:
        out["quota"] = quota
    return out


def do_generate(
    db: Session,
    *,
    business: Business,
    kind: str,
    segment: str | None = None,
    product_sku: str | None = None,
    occasion: str | None = None,
    instruction: str = "",
    regenerate: bool = False,
) -> dict[str, Any]:
    """Generate (or answer from the cache) one text. Raises `RateLimited` when the daily quota is spent and
    `ValidationFailed`/`NotFound` for unknown kinds, segments, occasions or products."""
    kind = check_kind(kind)
    segment = check_segment(segment)
    occasion = check_occasion(occasion)
    if len(instruction or "") > 500:
        raise ValidationFailed(
            "Permintaan tambahan terlalu panjang (maksimal 500 karakter).",
            code="instruction_too_long",
            details={"instruction": "maksimal 500 karakter"},
        )
    facts = gather_facts(db, business=business, segment=segment, product_sku=product_sku, occasion=occasion)
    if kind != "promo_idea" and not facts.products:
        raise ValidationFailed(
            "Belum ada produk aktif yang tersedia di katalog; tambahkan produk dulu.",
            code="no_products",
        )
    phash = prompt_hash(kind=kind, facts=facts, instruction=instruction)
    key = cache_key(business_id=business.id, segment=segment, kind=kind, phash=phash)
    cfg = content_settings(business)
    limit = int(cfg["daily_quota"])
    previous = db.scalars(
        sa.select(ContentGeneration)
        .where(ContentGeneration.business_id == business.id, ContentGeneration.cache_key == key)
        .order_by(ContentGeneration.id.desc())
    ).all()
    if previous and not regenerate:
        return generation_out(
            previous[0], cached=True, quota={"used": used_today(db, business=business), "limit": limit}
        )
    used = used_today(db, business=business)
    if limit and used >= limit:
        raise RateLimited(
            f"Kuota pembuatan konten hari ini sudah habis ({used} dari {limit}). Coba lagi besok, atau pakai "
            "hasil yang sudah ada.",
            code="content_quota_exceeded",
            details={"used": used, "limit": limit},
        )
    offline, offline_tags = offline_text(kind, facts, variant=len(previous), phash=phash)
    gen: Generated | None = None
    note: str | None = None
    budget = int(cfg["monthly_budget_idr"] or 0)
    if budget and cost_this_month(db, business=business) >= budget:
        note = "budget_spent"
    else:
        gen, note = _via_models(
            db, business=business, kind=kind, facts=facts, offline=offline, instruction=instruction
        )
    if gen is None or not gen.text:
        spent = gen
        gen = Generated(text=offline, hashtags=offline_tags, provider="offline", note=note)
        if spent is not None:  # a model answered but its text was refused: keep its cost on the row
            gen.prompt_tokens, gen.completion_tokens = spent.prompt_tokens, spent.completion_tokens
            gen.cost_micro_usd, gen.model = spent.cost_micro_usd, spent.model
    if not gen.hashtags and KINDS[kind]["hashtags"]:
        gen.hashtags = offline_tags
    row = ContentGeneration(
        business_id=business.id,
        cache_key=key,
        kind=kind,
        segment=segment,
        product_sku=product_sku.strip() if product_sku else None,
        occasion=occasion,
        prompt_hash=phash,
        text=gen.text,
        hashtags=gen.hashtags,
        provider=gen.provider,
        model=gen.model[:100],
        prompt_tokens=gen.prompt_tokens,
        completion_tokens=gen.completion_tokens,
        cost_idr=round(gen.cost_micro_usd * float(cfg["usd_idr"]) / 1_000_000),
        note=gen.note,
    )
    db.add(row)
    db.flush()
    log.info("content.generated", business_id=business.id, kind=kind, provider=row.provider, note=row.note)
    return generation_out(row, cached=False, quota={"used": used + 1, "limit": limit})


def list_generations(db: Session, *, business_id: int, limit: int = 20) -> list[ContentGeneration]:
    return list(
        db.scalars(
            sa.select(ContentGeneration)
            .where(ContentGeneration.business_id == business_id)
            .order_by(ContentGeneration.id.desc())
            .limit(limit)
        )
    )
