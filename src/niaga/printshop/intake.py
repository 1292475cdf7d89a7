"""`intake`: a customer's mixed order (a folder or files) -> classified files, the cover letter's order
details, and one print-ready PDF in the order the letter lists its attachments."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from niaga.printshop.errors import PrintshopInputError
from niaga.printshop.proclog import ProcessingLog
from niaga.printshop.sniff import sniff

FILE_NAME_RE = re.compile(
    r"[\w\-.()\[\] ]*?[\w\-()\[\]]+\.(?:pdf|docx?|odt|rtf|xlsx?|ods|pptx?|odp|jpe?g|png|heic|heif|webp)\b",
    re.I,
)
NUM_WORDS = {
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
    "sepuluh": 10,
    "sebelas": 11,
    "dua belas": 12,
}
COPY_UNITS = r"(?:eksemplar|exemplar|rangkap|set|jilid|buah|copy|copies|kopi|salinan)"
BINDINGS = (
    (r"hard\s*-?\s*cover|jilid\s+keras|sampul\s+keras", "hard cover"),
    (r"soft\s*-?\s*cover|jilid\s+lunak|sampul\s+lunak|jilid\s+biasa|lakban", "soft cover"),
    (r"spiral|ring", "spiral"),
    (r"staple|steples|stapler|hekter", "staple"),
)
MONTHS = {
    "januari": 1,
    "februari": 2,
    "maret": 3,
    "april": 4,
    "mei": 5,
    "juni": 6,
    "juli": 7,
    "agustus": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "desember": 12,
}
UNREADABLE = "Berkas rusak atau tidak bisa dibaca."
LETTER_WORDS = (
    "rangkap",
    "eksemplar",
    "jilid",
    "cetak",
    "lampiran",
    "pesanan",
    "kertas",
    "sampul",
    "diambil",
)


def _collect(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(q for q in p.iterdir() if q.is_file() and not q.name.startswith(".")))
        elif p.exists():
            files.append(p)
        else:
            raise PrintshopInputError("not_found", f"Berkas atau folder tidak ditemukan: {p}")
    if not files:
        raise PrintshopInputError("empty_order", "Pesanan tidak berisi berkas.")
    return files


def _docx_text(path: Path) -> str:
    from niaga.printshop.docxmodel import open_docx

    doc = open_docx(path)
    lines = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            lines.append("\t".join(c.text for c in row.cells))
    return "\n".join(lines)


def _pdf_text(path: Path, max_pages: int = 3) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(min(len(pdf), max_pages)))
    finally:
        pdf.close()


def _number(s: str) -> int | None:
    s = s.strip().lower()
    if s.isdigit():
        return int(s)
    return NUM_WORDS.get(s)


def _value_after(text: str, labels: str) -> str | None:
    m = re.search(rf"(?im)^[\s\d.\-•*]*(?:{labels})\s*[:=]\s*(.+)$", text)
    return m.group(1).strip() if m else None


def parse_order_details(text: str) -> dict:
    """Order details stated in a cover letter or chat message (Indonesian)."""
    order: dict[str, Any] = {}
    m = re.search(rf"(\d+|{'|'.join(NUM_WORDS)})\s*(?:\(\s*\w+(?:\s\w+)?\s*\)\s*)?{COPY_UNITS}\b", text, re.I)
    v = _value_after(text, r"jumlah(?:\s+(?:rangkap|eksemplar|cetak|salinan))?|rangkap|eksemplar")
    if v:
        mm = re.match(rf"(\d+|{'|'.join(NUM_WORDS)})", v.strip(), re.I)
        if mm:
            order["copies"] = _number(mm.group(1))
    if "copies" not in order and m:
        order["copies"] = _number(m.group(1))
    low = text.lower()
    binding_src = _value_after(text, r"(?:jenis\s+)?jilid(?:an)?|binding") or low
    for pat, name in BINDINGS:
        if re.search(pat, binding_src, re.I):
            order["binding"] = name
            break
    mc = re.search(r"(?:sampul|cover)\s+(?:berwarna\s+|warna\s+)([a-z][a-z\- ]{1,30}?)(?=[,.;\n)]|$)", low)
    if mc:
        order["cover_colour"] = mc.group(1).strip()
    paper = _value_after(text, r"kertas|paper|ukuran\s+kertas")
    if paper:
        order["paper"] = paper.rstrip(".")
    else:
        mp = re.search(r"\b(A4|A3|A5|F4|folio|letter)\b(?:\s*(\d{2,3})\s*(?:gr|gram|gsm))?", text, re.I)
        if mp:
            order["paper"] = mp.group(0)
    if order.get("paper"):
        ms = re.search(r"\b(A3|A4|A5|F4|folio|letter)\b", order["paper"], re.I)
        order["paper_size"] = ms.group(1).upper().replace("FOLIO", "F4") if ms else "A4"
        mg = re.search(r"(\d{2,3})\s*(?:gr|gram|gsm)", order["paper"], re.I)
        if mg:
            order["paper_gsm"] = int(mg.group(1))
    pc = _value_after(text, r"cetak|warna\s+cetak|print")
    if pc:
        order["print_colour"] = pc.rstrip(".")
        pcl = pc.lower()
        if "hitam" in pcl and ("kecuali" in pcl or "berwarna" in pcl):
            order["colour_mode"] = "mixed"
        elif "hitam" in pcl or "grayscale" in pcl:
            order["colour_mode"] = "bw"
        elif "warna" in pcl:
            order["colour_mode"] = "colour"
    if re.search(r"bolak[\s-]?balik|duplex|2\s*sisi|dua\s+sisi", low):
        order["duplex"] = True
    if re.search(r"\bekspres|\bexpress|\bkilat\b", low):
        order["express"] = True
    pickup = _value_after(
        text, r"diambil(?:\s+pada)?(?:\s+tanggal)?|tanggal\s+(?:ambil|pengambilan)|pengambilan"
    )
    if pickup:
        order["pickup_date"] = pickup.rstrip(".")
        md = re.search(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})", pickup)
        if md and md.group(2).lower() in MONTHS:
            try:
                order["pickup_date_iso"] = date(
                    int(md.group(3)), MONTHS[md.group(2).lower()], int(md.group(1))
                ).isoformat()
            except ValueError:
                pass
    return order


def attachments_in_text(text: str, names: list[str]) -> list[str]:
    """The order's file names in the order the text first mentions them."""
    found = []
    low = text.lower()
    for n in names:
        pos = low.find(n.lower())
        if pos < 0:  # mentioned without its extension?
            stem = Path(n).stem.lower()
            pos = low.find(stem) if len(stem) >= 6 else -1
        if pos >= 0:
            found.append((pos, n))
    return [n for _pos, n in sorted(found)]


def _letter_score(text: str, other_names: list[str]) -> float:
    low = text.lower()
    return 3.0 * len(attachments_in_text(text, other_names)) + sum(1.0 for w in LETTER_WORDS if w in low)


def intake_order(
    paths: list[Path],
    out: Path | None = None,
    log: ProcessingLog | None = None,
    converter: Any = None,
    *,
    separators: bool = False,
    watermark: str | None = None,
    page_numbers: bool | None = None,
) -> dict:
    """`page_numbers`: None = as the letter asks (it mentions "nomor halaman"), True/False = forced."""
    from niaga.printshop.pdfcheck import check_pdf
    from niaga.printshop.render import render_to_pdf

    files = _collect(paths)
    log = log or ProcessingLog(", ".join(str(p) for p in paths))
    if out is None:
        base = paths[0] if paths[0].is_dir() else paths[0].parent
        out = base.parent / f"{base.name or 'pesanan'}_siap_cetak.pdf"
    work = Path(tempfile.mkdtemp(prefix="niaga-intake-"))
    entries: list[dict] = []
    texts: dict[str, str] = {}
    for f in files:
        e: dict[str, Any] = {"name": f.name, "path": f}
        with log.step("classify", file=f.name) as st:
            try:
                sn = sniff(f)
            except PrintshopInputError as exc:
                e.update(kind="rejected", pages=0, colour_pages=[], finding=exc.message)
                st.findings.append(exc.message)
                entries.append(e)
                continue
            e["kind"] = sn.kind
            if sn.note:
                st.findings.append(sn.note)
        entries.append(e)
        try:
            if sn.kind == "docx":
                texts[f.name] = _docx_text(f)
            elif sn.kind == "pdf":
                texts[f.name] = _pdf_text(f)
        except PrintshopInputError as exc:
            e.update(kind="rejected", pages=0, colour_pages=[], finding=exc.message)
        except Exception:  # a damaged file: this file is refused, the rest of the order goes on
            e.update(kind="rejected", pages=0, colour_pages=[], finding=UNREADABLE)
    names = [e["name"] for e in entries]
    letter = None
    scored = [(_letter_score(texts[n], [m for m in names if m != n]), n) for n in texts]
    scored = [s for s in scored if s[0] >= 4.0]
    if scored:
        letter = max(scored)[1]
    order = parse_order_details(texts[letter]) if letter else {}
    attachments = attachments_in_text(texts[letter], [n for n in names if n != letter]) if letter else []
    log.steps.append(_note_step("read_letter", letter, order, attachments))

    # page count, colour pages and a print-ready PDF per file
    for e in entries:
        if e["kind"] == "rejected":
            continue
        src: Path = e["path"]
        with log.step("prepare", file=src.name) as st:
            try:
                pdf_path = work / f"{len(list(work.iterdir()))}.pdf"
                if e["kind"] == "image":
                    from niaga.printshop.photo import images_to_a4_pdf, page_image_for_print

                    flat, obj = page_image_for_print(src)
                    images_to_a4_pdf([[(flat, obj.kind)]], pdf_path)
                    st.findings.append(f"Foto diluruskan ({obj.skew_deg:+.1f}°) dan diletakkan di A4.")
                else:
                    render_to_pdf(src, pdf_path, converter=converter)
                chk = check_pdf(pdf_path)
                if e["kind"] == "image":
                    # a phone photo placed on A4 is enlarged from ~100 dpi: its sharpness is not comparable
                    # with a scan's, so the blur test does not apply (skew and crop were reported above)
                    chk["blur_pages"] = []
                    chk["findings"] = [f for f in chk["findings"] if "buram" not in f]
                e["pages"] = chk["pages"]
                e["colour_pages"] = chk["colour_pages"]
                e["rotated_pages"] = chk["rotated_pages"]
                e["blank_pages"] = chk["blank_pages"]
                e["blur_pages"] = chk["blur_pages"]
                e["pdf"] = pdf_path
                st.findings.extend(chk["findings"])
            except PrintshopInputError as exc:
                e.update(kind=e["kind"], pages=0, colour_pages=[], finding=exc.message)
                st.findings.append(exc.message)
            except Exception as exc:  # damaged beyond what the checks name: refuse this file only
                e.update(kind="rejected", pages=0, colour_pages=[], finding=UNREADABLE)
                st.status = "rejected"
                st.findings.append(f"{UNREADABLE} ({type(exc).__name__})")

    # the print-ready PDF: the letter's attachments in its order, then any other files (never the letter)
    ordered = [n for n in attachments] + [n for n in names if n not in attachments and n != letter]
    by_name = {e["name"]: e for e in entries}
    with log.step("assemble", output=str(out)) as st:
        if page_numbers is None:
            page_numbers = bool(
                letter and re.search(r"nomor\s+halaman|penomoran\s+halaman", texts[letter], re.I)
            )
        total = _assemble(
            [by_name[n] for n in ordered if by_name[n].get("pdf")],
            out,
            separators=separators,
            watermark=watermark,
            page_numbers=page_numbers,
        )
        st.params.update(separators=separators, watermark=watermark or "", page_numbers=page_numbers)
        st.outputs.append(str(out))
    files_out = []
    for e in entries:
        d = {
            "name": e["name"],
            "kind": e["kind"],
            "pages": int(e.get("pages", 0)),
            "colour_pages": e.get("colour_pages", []),
            "role": "cover_letter" if e["name"] == letter else "attachment",
        }
        for k in ("rotated_pages", "blank_pages", "blur_pages", "finding"):
            if e.get(k):
                d[k] = e[k]
        files_out.append(d)
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    return {
        "files": files_out,
        "cover_letter": letter,
        "order": order,
        "attachments_in_letter_order": attachments,
        "output": str(out),
        "pages": total,
        "log": log.as_list(),
    }


def _note_step(name: str, letter: str | None, order: dict, attachments: list) -> Any:
    from niaga.printshop.proclog import Step

    st = Step(name, params={"letter": letter})
    if letter is None:
        st.findings.append("Tidak ada surat pengantar; urutan berkas mengikuti nama berkas.")
    else:
        st.findings.append(f"Rincian pesanan dari {letter}: {order}")
        st.findings.append(f"Urutan lampiran: {', '.join(attachments) or '-'}")
    return st


def _overlay(width: float, height: float, *, text: str | None, number: int | None, title: str | None) -> Any:
    """A one-page PDF (pypdf page) of the given size: diagonal watermark, page number at the bottom centre,
    or a separator sheet's title."""
    import io

    from pypdf import PdfReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height))
    if title:
        c.setFont("Helvetica-Bold", 20)
        c.drawCentredString(width / 2, height / 2, title)
    if text:
        c.saveState()
        c.setFillColorRGB(0.6, 0.6, 0.6, alpha=0.25)
        c.setFont("Helvetica-Bold", min(width, height) / 9)
        c.translate(width / 2, height / 2)
        c.rotate(45)
        c.drawCentredString(0, 0, text)
        c.restoreState()
    if number is not None:
        c.setFont("Times-Roman", 11)
        c.drawCentredString(width / 2, 28, str(number))
    c.showPage()
    c.save()
    buf.seek(0)
    return PdfReader(buf).pages[0]


def _assemble(
    entries: list[dict],
    out: Path,
    *,
    separators: bool = False,
    watermark: str | None = None,
    page_numbers: bool = False,
) -> int:
    """Merge the prepared PDFs; pages found rotated are turned upright with /Rotate; optional separator
    sheet before each file, watermark and page numbers (stamped upright, after the rotation fix)."""
    from pypdf import PdfReader, PdfWriter, Transformation

    writer = PdfWriter()
    for e in entries:
        reader = PdfReader(str(e["pdf"]))
        if separators:
            box = reader.pages[0].mediabox
            writer.add_page(
                _overlay(float(box.width), float(box.height), text=None, number=None, title=e["name"])
            )
        fixes = {r["page"]: r["fix_rotate_cw_deg"] for r in e.get("rotated_pages", [])}
        for n, page in enumerate(reader.pages, start=1):
            if n in fixes:
                page.rotate(fixes[n])
            added = writer.add_page(page)
            if (watermark or page_numbers) and added.rotation % 360:
                added.transfer_rotation_to_content()  # so the stamp lands upright on the page as printed
    if watermark or page_numbers:
        for n, page in enumerate(writer.pages, start=1):
            box = page.mediabox
            stamp = _overlay(
                float(box.width),
                float(box.height),
                text=watermark,
                number=n if page_numbers else None,
                title=None,
            )
            page.merge_transformed_page(stamp, Transformation().translate(float(box.left), float(box.bottom)))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with tmp.open("wb") as fh:
        writer.write(fh)
    tmp.replace(out)
    return len(writer.pages)
