"""Rendering with LibreOffice (warm, timeout, restart), intake of a mixed order, pricing and the log."""

from __future__ import annotations

import json

import pypdf
import pytest
import sqlalchemy as sa

from niaga.printshop.errors import PrintshopInputError
from niaga.printshop.formatter import format_docx
from niaga.printshop.intake import intake_order, parse_order_details
from niaga.printshop.pricing import DEFAULT_PRICES, QuoteRequest, quote, quote_for_intake
from niaga.printshop.proclog import ProcessingLog, store_log
from niaga.printshop.render import Converter, render_to_pdf
from niaga.printshop.templates import get_template

from .. import factories as f
from . import gen


@pytest.fixture(scope="module")
def converter():  # type: ignore[no-untyped-def]
    c = Converter(timeout=90)
    yield c
    c.close()


def test_render_formatted_thesis_pages_and_text(tmp_path, converter):
    src, fmt, pdf = tmp_path / "t.docx", tmp_path / "f.docx", tmp_path / "f.pdf"
    truth = gen.thesis_docx(src, chapters=3, messy=True)
    format_docx(src, fmt, get_template("skripsi"))
    pages = render_to_pdf(fmt, pdf, converter=converter)
    reader = pypdf.PdfReader(str(pdf))
    assert pages == len(reader.pages) >= 4  # title/front + one page per chapter at least
    text = "".join("".join((p.extract_text() or "").split()) for p in reader.pages)
    for _i, heading in truth["chapters"]:
        assert "".join(heading.split()) in text
    # LibreOffice opened the formatted file as a normal document (no repair): its text is all there
    assert "DAFTARPUSTAKA" in text and "Subjudul2.2.1" in text


def test_render_timeout_kills_office_and_next_conversion_works(tmp_path):
    src = tmp_path / "t.docx"
    gen.thesis_docx(src, chapters=2, messy=False)
    c = Converter(timeout=90)
    try:
        c.warm()
        office = c._office
        assert office is not None and office.poll() is None
        c.timeout = 0.001  # no conversion finishes in 1 ms: the call counts as hung
        with pytest.raises(PrintshopInputError) as ei:
            c.convert(src, tmp_path / "x.pdf")
        assert ei.value.code == "render_timeout" and "batas waktu" in ei.value.message
        assert office.poll() is not None and c._office is None and c.restarts == 1  # killed, not left behind
        c.timeout = 90
        out = tmp_path / "ok.pdf"
        render_to_pdf(src, out, converter=c)
        assert len(pypdf.PdfReader(str(out)).pages) >= 1
    finally:
        c.close()


def test_wrong_extension_is_sniffed_and_rendered(tmp_path, converter):
    real = tmp_path / "naskah.docx"
    gen.thesis_docx(real, chapters=1, messy=False)
    disguised = tmp_path / "naskah.pdf"  # a DOCX named .pdf
    disguised.write_bytes(real.read_bytes())
    out = tmp_path / "o.pdf"
    assert render_to_pdf(disguised, out, converter=converter) >= 1


def _order(tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "order"
    folder.mkdir()
    gen.text_pdf(folder / "A_lampiran.pdf", pages=3)
    gen.photo_of_object(folder / "Z_foto_pengesahan.jpg", kind="page", angle_deg=6)
    gen.cover_letter_docx(
        folder / "Surat.docx", ["Z_foto_pengesahan.jpg", "A_lampiran.pdf"], copies=2, binding="soft cover"
    )
    return folder


def test_intake_builds_one_pdf_in_letter_order(tmp_path, converter):
    folder = _order(tmp_path)
    r = intake_order([folder], tmp_path / "siap.pdf", converter=converter)
    files = {x["name"]: x for x in r["files"]}
    assert files["A_lampiran.pdf"]["kind"] == "pdf" and files["A_lampiran.pdf"]["pages"] == 3
    assert files["Z_foto_pengesahan.jpg"]["kind"] == "image" and files["Z_foto_pengesahan.jpg"]["pages"] == 1
    assert files["Surat.docx"]["role"] == "cover_letter" and files["Surat.docx"]["pages"] == 1
    assert r["attachments_in_letter_order"] == ["Z_foto_pengesahan.jpg", "A_lampiran.pdf"]
    assert r["order"]["copies"] == 2 and r["order"]["binding"] == "soft cover"
    assert r["order"]["cover_colour"] == "hijau tua" and r["order"]["pickup_date_iso"] == "2024-06-03"
    reader = pypdf.PdfReader(r["output"])
    assert r["pages"] == len(reader.pages) == 4  # photo page first, then the appendix; never the letter
    assert "LAMPIRAN1" in "".join((reader.pages[1].extract_text() or "").split())
    steps = [s["step"] for s in r["log"]]
    assert steps.count("classify") == 3 and "read_letter" in steps and steps[-1] == "assemble"
    assert all("duration_ms" in s for s in r["log"])


def test_order_details_parsing_variants():
    o = parse_order_details("Mohon dicetak dua (2) rangkap, jilid spiral, kertas F4, bolak-balik, ekspres ya")
    assert o["binding"] == "spiral" and o["paper_size"] == "F4" and o["duplex"] and o["express"]
    assert parse_order_details("Jumlah: tiga eksemplar hardcover")["copies"] == 3


def test_quote_is_itemised_integer_rupiah():
    q = quote(
        DEFAULT_PRICES,
        QuoteRequest(
            bw_pages=95,
            colour_pages=5,
            photo_pages=1,
            copies=3,
            binding="Hard-Cover",
            cover_colour="emas",
            express=True,
        ),
    )
    d = q.as_dict()
    assert all(isinstance(i["amount"], int) and i["amount"] == i["qty"] * i["unit_price"] for i in d["items"])
    codes = [i["code"] for i in d["items"]]
    assert codes == [
        "print_bw_A4",
        "print_colour_A4",
        "photo_page",
        "binding_hard_cover",
        "cover_colour_custom",
        "express",
    ]
    sub = 95 * 3 * 300 + 5 * 3 * 1500 + 3 * 2000 + 3 * 35000 + 3 * 5000
    assert d["subtotal"] == sub and d["total"] == sub + (sub * 50 + 50) // 100
    small = quote(DEFAULT_PRICES, QuoteRequest(bw_pages=2)).as_dict()
    assert (
        small["total"] == DEFAULT_PRICES["minimum_charge"] and small["items"][-1]["code"] == "minimum_charge"
    )
    duplex = quote(DEFAULT_PRICES, QuoteRequest(bw_pages=10, duplex=True, copies=10)).as_dict()
    assert duplex["items"][0]["unit_price"] == 270
    with pytest.raises(PrintshopInputError):
        quote(DEFAULT_PRICES, QuoteRequest(bw_pages=1, binding="kawat emas"))
    with pytest.raises(PrintshopInputError):
        quote(DEFAULT_PRICES, QuoteRequest(bw_pages=1, paper_size="B5"))


def test_smartcopy_price_list_quote_for_intake_and_stored_log(db):
    from niaga.demo.loader import _printshop_prices
    from niaga.printshop.models import PrintPriceList, ProcessingStep

    b = f.make_business(db, slug="smartcopy")
    assert "dibuat" in _printshop_prices(db, b)
    assert "diperbarui" in _printshop_prices(db, b)  # idempotent: still one row
    db.flush()
    assert db.scalar(sa.select(sa.func.count()).select_from(PrintPriceList)) == 1
    intake = {
        "cover_letter": "s.docx",
        "order": {"copies": 2, "binding": "spiral", "colour_mode": "mixed"},
        "files": [
            {"name": "s.docx", "kind": "docx", "pages": 1, "colour_pages": []},
            {"name": "a.pdf", "kind": "pdf", "pages": 10, "colour_pages": [3, 4]},
            {"name": "p.jpg", "kind": "image", "pages": 1, "colour_pages": [1]},
        ],
    }
    d = quote_for_intake(db, b.id, intake)
    assert [(i["code"], i["qty"]) for i in d["items"]] == [
        ("print_bw_A4", 16),
        ("print_colour_A4", 4),
        ("photo_page", 2),
        ("binding_spiral", 2),
    ]
    assert d["total"] == 16 * 300 + 4 * 1500 + 2 * 2000 + 2 * 8000
    log = ProcessingLog("a.pdf")
    with log.step("check_pdf") as st:
        st.findings.append("Halaman kosong: 2.")
    with pytest.raises(PrintshopInputError), log.step("render"):
        raise PrintshopInputError("render_timeout", "Konversi melebihi batas waktu.")
    assert store_log(db, b.id, log) == 2
    rows = db.scalars(sa.select(ProcessingStep).order_by(ProcessingStep.seq)).all()
    assert [(r.step, r.status) for r in rows] == [("check_pdf", "ok"), ("render", "rejected")]
    assert rows[1].findings == ["Konversi melebihi batas waktu."]
    json.dumps([r.findings for r in rows])


def test_intake_separators_watermark_page_numbers_and_rotation_fix(tmp_path, converter):
    folder = tmp_path / "order"
    folder.mkdir()
    gen.text_pdf(folder / "a.pdf", pages=2)
    gen.vector_pdf(folder / "b.pdf", ["text", "upside_down"])
    out = tmp_path / "o.pdf"
    r = intake_order(
        [folder], out, converter=converter, separators=True, watermark="CONTOH", page_numbers=True
    )
    assert r["pages"] == 2 + 2 + 2  # one separator sheet per file
    reader = pypdf.PdfReader(str(out))
    texts = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    assert "a.pdf" in texts[0] and "b.pdf" in texts[3]
    assert all("CONTOH" in t for t in texts)
    assert all(t.rstrip().endswith(str(n)) or f" {n} " in f" {t} " for n, t in enumerate(texts, start=1))
    # the upside-down page was turned upright: checking the result finds nothing to rotate
    from niaga.printshop.pdfcheck import check_pdf

    assert check_pdf(out)["rotated_pages"] == []


def test_render_spreadsheet(tmp_path, converter):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 40):
        ws.append([f"Responden {r}", r * 3, r % 5])
    src = tmp_path / "tabulasi.xlsx"
    wb.save(src)
    out = tmp_path / "t.pdf"
    assert render_to_pdf(src, out, converter=converter) >= 1
    assert "Responden 39" in "".join(p.extract_text() or "" for p in pypdf.PdfReader(str(out)).pages)
