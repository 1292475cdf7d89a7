"""Synthetic print-shop inputs for the tests (and bench/): theses, scans, phone photos, bad files.

Everything is generated here, small and deterministic; nothing is read from outside the repository.
"""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

import numpy as np

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
LOREM = (
    "Penelitian ini membahas pengaruh layanan digital terhadap kepuasan pelanggan usaha kecil di kota "
    "contoh, dengan data yang dikumpulkan melalui kuesioner dan dianalisis secara kuantitatif."
)


def _set_font(run, name: str, size: float | None = None) -> None:  # type: ignore[no-untyped-def]
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    rpr = run._r.get_or_add_rPr()
    rpr.rFonts.set(qn("w:eastAsia"), name)
    rpr.rFonts.set(qn("w:cs"), name)
    if size:
        run.font.size = Pt(size)


def thesis_docx(
    path: Path, *, chapters: int = 3, paras_per_sub: int = 2, messy: bool = True, toc: bool = False
) -> dict:
    """A small thesis. Messy: wrong margins, Calibri/Arial body at 11 pt, single spacing (direct, style or
    docDefaults), chapter numerals out of order (one with a line break), a too-deep and a wrong sub-heading
    number, a table. Returns the truth (chapter final texts, sub-heading numbers, body indices)."""
    import docx
    from docx.enum.text import WD_BREAK
    from docx.shared import Cm, Pt

    d = docx.Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    if messy:
        sec.top_margin = sec.bottom_margin = sec.left_margin = sec.right_margin = Cm(2.54)
        normal = d.styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(11)
        custom = d.styles.add_style("Isi Paragraf", 1)
        custom.base_style = normal
        custom.font.name = "Arial"
        custom.paragraph_format.line_spacing = 2.0
    else:
        sec.top_margin, sec.left_margin, sec.bottom_margin, sec.right_margin = Cm(4), Cm(4), Cm(3), Cm(3)
        normal = d.styles["Normal"]
        normal.font.name = "Times New Roman"
        normal.font.size = Pt(12)
        normal.paragraph_format.line_spacing = 1.5
        rpr = normal.element.get_or_add_rPr()
        rpr.rFonts.set(f"{{{W_NS}}}eastAsia", "Times New Roman")
        rpr.rFonts.set(f"{{{W_NS}}}cs", "Times New Roman")
        for a in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            rpr.rFonts.attrib.pop(f"{{{W_NS}}}{a}", None)
    truth: dict = {"chapters": [], "subheadings": [], "body": [], "unnumbered": [], "table_cells": []}

    def para(text: str = "", style: str | None = None, bold: bool = False):  # type: ignore[no-untyped-def]
        p = d.add_paragraph(style=style)
        if text:
            r = p.add_run(text)
            r.bold = bold or None
        return p

    para("JUDUL SKRIPSI CONTOH", bold=True)
    para("SKRIPSI")
    p = para("ABSTRAK", bold=True)
    truth["unnumbered"].append((len(d.paragraphs) - 1, "ABSTRAK"))
    para(LOREM)
    if toc:
        p = para()
        r = p.add_run()
        for kind, txt in (("begin", None), (None, 'TOC \\o "1-3" \\h'), ("separate", None), ("end", None)):
            from docx.oxml import OxmlElement

            if kind:
                fc = OxmlElement("w:fldChar")
                fc.set(f"{{{W_NS}}}fldCharType", kind)
                r._r.append(fc)
            else:
                it = OxmlElement("w:instrText")
                it.text = txt
                r._r.append(it)
    written = list(range(1, chapters + 1))
    if messy and chapters >= 3:
        written[1], written[2] = written[2], written[1]
    titles = [
        "PENDAHULUAN",
        "TINJAUAN PUSTAKA",
        "METODOLOGI PENELITIAN",
        "HASIL DAN PEMBAHASAN",
        "KESIMPULAN",
    ]
    roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
    for c in range(chapters):
        pb = d.add_paragraph()
        pb.add_run().add_break(WD_BREAK.PAGE)
        title = titles[c % len(titles)] + ("" if c < len(titles) else f" {c + 1}")
        idx = len(d.paragraphs)
        if messy and c == 2:
            p = d.add_paragraph()
            r = p.add_run(f"BAB {roman[written[c] - 1]}")
            r.bold = True
            r.add_break()
            r2 = p.add_run(title)
            r2.bold = True
        elif c == 0:
            d.add_paragraph(f"BAB {roman[written[c] - 1]} {title}", style="Heading 1")
        else:
            para(f"BAB {roman[written[c] - 1]} {title}", bold=True)
        truth["chapters"].append((idx, f"BAB {roman[c]} {title}"))
        subs = [(f"{written[c]}.1", 2), (f"{written[c]}.2", 2), (f"{written[c]}.2.1", 3)]
        if messy and c == 1:
            subs = [(f"{written[c]}.1", 2), (f"{written[c]}.3", 2), (f"{written[c]}.3.1.4.2", 5)]
        want = [f"{c + 1}.1", f"{c + 1}.2", f"{c + 1}.2.1"]
        for (num, _lvl), after in zip(subs, want, strict=True):
            idx = len(d.paragraphs)
            para(f"{num} Subjudul {after}", bold=True)
            truth["subheadings"].append((idx, after, f"Subjudul {after}"))
            for k in range(paras_per_sub):
                idx = len(d.paragraphs)
                if messy and k % 3 == 0:
                    p = d.add_paragraph(style="Isi Paragraf")
                    p.add_run(LOREM)
                elif messy and k % 3 == 1:
                    p = d.add_paragraph()
                    r = p.add_run(LOREM + f" Bab {roman[c]} membahas hal ini.")
                    _set_font(r, "Arial", 12)
                    p.paragraph_format.line_spacing = 1.0
                else:
                    p = d.add_paragraph(LOREM)
                truth["body"].append(idx)
        if c == 0:
            idx = len(d.paragraphs)
            para("Tabel 1.1 Contoh tabel")
            t = d.add_table(rows=2, cols=2)
            for i, row in enumerate(t.rows):
                for j, cell in enumerate(row.cells):
                    cell.text = f"sel {i}-{j}"
            truth["table_cells"] = [[f"sel {i}-{j}" for j in range(2)] for i in range(2)]
            truth["caption"] = idx
    pb = d.add_paragraph()
    pb.add_run().add_break(WD_BREAK.PAGE)
    idx = len(d.paragraphs)
    para("DAFTAR PUSTAKA", bold=True)
    truth["unnumbered"].append((idx, "DAFTAR PUSTAKA"))
    para("Penulis, A. (2020). Buku Contoh. Kota Contoh: Penerbit.")
    d.save(str(path))
    truth["paragraphs"] = len(d.paragraphs)
    truth["texts"] = [p.text for p in d.paragraphs]
    return truth


def text_page(h: int = 1754, w: int = 1240, seed: int = 0, lines: int = 40) -> np.ndarray:
    """A greyscale 'printed' page at 150 dpi: left-aligned lines of glyph-like marks with ascenders."""
    import cv2

    rng = np.random.default_rng(seed)
    img = np.full((h, w), 250, np.uint8)
    y = int(h * 0.1)
    for _ in range(lines):
        x = int(w * 0.12)
        end = int(w * rng.uniform(0.7, 0.88))
        while x < end:
            word = "".join(rng.choice(list("abdefhiklmnoprstuAB"), size=int(rng.integers(3, 9))))
            cv2.putText(img, word, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.62, 20, 2, cv2.LINE_AA)
            x += 14 * len(word) + 14
        y += 34
        if y > h * 0.9:
            break
    return img


def scan_pdf(path: Path, kinds: list[str], dpi: int = 150, seed: int = 1) -> None:
    """Image-only PDF; kinds per page: text | blank | speckle | blur | rot90 | rot180 | colour."""
    import cv2
    from PIL import Image

    pages = []
    rng = np.random.default_rng(seed)
    scale = dpi / 150
    for n, k in enumerate(kinds):
        g = text_page(seed=seed + n)
        if k == "blank":
            g = np.full_like(g, 252)
        elif k == "speckle":
            g = np.full_like(g, 250)
            ys, xs = rng.integers(0, g.shape[0], 400), rng.integers(0, g.shape[1], 400)
            for y, x in zip(ys, xs, strict=True):
                cv2.circle(g, (int(x), int(y)), int(rng.integers(0, 2)), 40, -1)
        elif k == "blur":
            g = cv2.GaussianBlur(g, (0, 0), 3.5)
        elif k == "rot90":  # content turned 90 degrees counter-clockwise: fix is 90 clockwise
            g = cv2.resize(np.rot90(g, 1), (g.shape[1], g.shape[0]))
        elif k == "rot180":
            g = np.rot90(g, 2).copy()
        rgb = cv2.cvtColor(g, cv2.COLOR_GRAY2RGB)
        rgb[:, :, 0] = np.clip(rgb[:, :, 0].astype(int) + 3, 0, 255)  # faint paper tint, not colour
        if k == "colour":
            cv2.rectangle(rgb, (200, 300), (700, 700), (200, 30, 30), -1)
        if scale != 1:
            rgb = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        pages.append(Image.fromarray(rgb))
    pages[0].save(str(path), format="PDF", save_all=True, append_images=pages[1:], resolution=dpi, quality=85)


def photo_of_object(
    path: Path, *, kind: str = "page", angle_deg: float = 8.0, size: tuple = (1200, 1600), seed: int = 3
) -> dict:
    """A light page (A4 proportions) or ID card (85.6 x 54) rotated by angle_deg (ccw) on a darker textured
    surface. Returns the truth corners (object's own frame) and skew."""
    import cv2

    rng = np.random.default_rng(seed)
    w, h = size
    bg = np.zeros((h, w, 3), np.uint8)
    bg[:] = (120, 80, 45) if kind == "id_card" else (70, 70, 75)
    noise = rng.normal(0, 6, (h, w, 1)).astype(np.int16)
    bg = np.clip(bg.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    if kind == "id_card":
        ow = 0.5 * w
        oh = ow / (85.6 / 54.0)
    else:
        oh = 0.7 * h
        ow = oh / math.sqrt(2)
    cx, cy = w / 2, h / 2
    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)

    def rot(px: float, py: float) -> tuple:  # object frame (centred) -> image, ccw on screen
        return cx + px * ca + py * sa, cy - px * sa + py * ca

    corners = {
        "top_left": rot(-ow / 2, -oh / 2),
        "top_right": rot(ow / 2, -oh / 2),
        "bottom_right": rot(ow / 2, oh / 2),
        "bottom_left": rot(-ow / 2, oh / 2),
    }
    obj = np.full((int(oh), int(ow), 3), 245, np.uint8)
    tp = text_page(h=int(oh), w=int(ow), lines=12 if kind == "id_card" else 30)
    obj = cv2.cvtColor(tp, cv2.COLOR_GRAY2RGB) if kind == "page" else obj
    if kind == "id_card":
        cv2.putText(obj, "CONTOH", (20, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (30, 60, 160), 3)
    src = np.array(
        [[0, 0], [obj.shape[1] - 1, 0], [obj.shape[1] - 1, obj.shape[0] - 1], [0, obj.shape[0] - 1]],
        np.float32,
    )
    dst = np.array([corners[k] for k in ("top_left", "top_right", "bottom_right", "bottom_left")], np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(obj, m, (w, h))
    mask = cv2.warpPerspective(np.full(obj.shape[:2], 255, np.uint8), m, (w, h))
    out = np.where(mask[:, :, None] > 127, warped, bg)
    cv2.imwrite(str(path), cv2.cvtColor(out, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
    return {"corners": {k: [float(x), float(y)] for k, (x, y) in corners.items()}, "skew_deg": angle_deg}


def cover_letter_docx(path: Path, attachments: list[str], copies: int = 2, binding: str = "spiral") -> None:
    import docx

    d = docx.Document()
    for line in [
        "Perihal: Permohonan cetak",
        "Dengan hormat,",
        "Rincian pesanan:",
        f"1. Jumlah rangkap: {copies} eksemplar",
        f"2. Jenis jilid: {binding}, sampul warna hijau tua",
        "3. Kertas: A4 80 gram",
        "4. Cetak: hitam putih",
        "5. Diambil pada: Senin, 3 Juni 2024",
        "Berkas yang dilampirkan:",
    ] + [f"{i + 1}. {a} – lampiran" for i, a in enumerate(attachments)]:
        d.add_paragraph(line)
    d.save(str(path))


def text_pdf(path: Path, pages: int = 2, title: str = "LAMPIRAN") -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for n in range(pages):
        c.setFont("Times-Bold", 14)
        c.drawString(72, 770, f"{title} {n + 1}")
        c.setFont("Times-Roman", 11)
        for i in range(30):
            c.drawString(72, 740 - i * 20, LOREM[: 80 + (i % 5) * 5])
        c.showPage()
    c.save()


def encrypted_pdf(path: Path) -> None:
    from pypdf import PdfWriter

    wr = PdfWriter()
    wr.add_blank_page(595, 842)
    wr.encrypt(user_password="rahasia", owner_password="pemilik")
    with path.open("wb") as fh:
        wr.write(fh)


def many_page_pdf(path: Path, pages: int) -> None:
    from pypdf import PdfWriter

    wr = PdfWriter()
    for _ in range(pages):
        wr.add_blank_page(595, 842)
    with path.open("wb") as fh:
        wr.write(fh)


def zip_bomb_docx(path: Path, inflated_mb: int = 20) -> None:
    """A DOCX-looking zip whose document.xml inflates to many MB of zeros (ratio ~1000:1)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(inflated_mb):
                fh.write(chunk)


def corrupt_docx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types")
        zf.writestr("word/document.xml", "<w:document><w:body><w:p>not xml")


def encrypted_docx(path: Path) -> None:
    """What Word writes for a password-protected DOCX: an OLE2 compound file holding EncryptedPackage."""
    buf = io.BytesIO()
    buf.write(bytes.fromhex("d0cf11e0a1b11ae1"))
    buf.write(b"\0" * 504)
    buf.write("EncryptionInfo".encode("utf-16-le") + b"\0" * 50 + "EncryptedPackage".encode("utf-16-le"))
    buf.write(b"\0" * 2048)
    path.write_bytes(buf.getvalue())


def plain_docx(path: Path, paragraphs: int = 5) -> None:
    import docx

    d = docx.Document()
    for i in range(paragraphs):
        d.add_paragraph(f"Paragraf biasa nomor {i + 1}. {LOREM}")
    d.save(str(path))


def vector_pdf(path: Path, kinds: list[str]) -> None:
    """Born-digital pages: text | blank | colour | upside_down | table (digits and rules)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    w, h = A4
    for k in kinds:
        if k == "upside_down":
            c.translate(w, h)
            c.rotate(180)
        if k in ("text", "colour", "upside_down"):
            c.setFont("Times-Roman", 12)
            for i in range(35):
                c.drawString(72, h - 90 - i * 18, (LOREM + " " + LOREM)[i * 3 : i * 3 + 85])
        if k == "colour":
            c.setFillColorRGB(0.85, 0.1, 0.1)
            c.rect(100, 100, 90, 90, fill=1, stroke=0)
            c.setFillColorRGB(0, 0, 0)
        if k == "table":
            c.setFont("Helvetica", 10)
            for r in range(25):
                y = h - 100 - r * 20
                c.line(72, y - 5, w - 72, y - 5)
                for col in range(6):
                    c.drawString(80 + col * 75, y, f"{(r * 7 + col * 13) % 97:02d}")
        c.showPage()
    c.save()


def photo_of_page_quad(path: Path, corners: dict, size: tuple = (1200, 1600), seed: int = 5) -> None:
    """A page photographed at an angle: the page maps to any quadrilateral (perspective), with a shadow
    falling across it, on a dark desk."""
    import cv2

    rng = np.random.default_rng(seed)
    w, h = size
    bg = np.clip(np.full((h, w, 3), (75, 65, 50), np.int16) + rng.normal(0, 8, (h, w, 1)), 0, 255).astype(
        np.uint8
    )
    page = cv2.cvtColor(text_page(h=1402, w=992), cv2.COLOR_GRAY2RGB)
    page = (page * np.linspace(0.75, 1.0, page.shape[1])[None, :, None]).astype(np.uint8)
    src = np.float32([[0, 0], [991, 0], [991, 1401], [0, 1401]])
    dst = np.float32([corners[k] for k in ("top_left", "top_right", "bottom_right", "bottom_left")])
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(page, m, (w, h))
    mask = cv2.warpPerspective(np.full(page.shape[:2], 255, np.uint8), m, (w, h))
    out = np.where(mask[:, :, None] > 127, warped, bg)
    cv2.imwrite(str(path), cv2.cvtColor(out, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
