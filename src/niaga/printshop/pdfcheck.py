"""`check` for PDFs: page count plus blank, blurred, rotated and colour pages (1-based)."""

from __future__ import annotations

import os
from pathlib import Path

from niaga.printshop.errors import PrintshopInputError
from niaga.settings import get_settings

# Helper processes cost ~1 s to start (Python, numpy, OpenCV, pdfium): only worth it for >= 24 pages left
# and >= 4 CPU-seconds of estimated work (a scan; born-digital pages cost ~10 ms each).
PARALLEL_MIN_PAGES = 24
PARALLEL_MIN_WORK_S = 4.0
MIN_TEXT_CHARS = 20  # a text layer with fewer characters says nothing reliable about the page's direction
MAX_RENDER_PIXELS = 12_000_000  # ~A4 at 300 dpi is 8.7 Mpx; a page's analysis bitmap never exceeds this
TEXT_SAMPLES = 120  # characters sampled across the page for the direction vote


def open_pdf(path: Path):  # -> pypdfium2.PdfDocument
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg:
            raise PrintshopInputError(
                "encrypted", f"PDF {path.name} dilindungi kata sandi. Mohon kirim versi tanpa kata sandi."
            ) from exc
        raise PrintshopInputError("corrupt", f"PDF {path.name} rusak dan tidak dapat dibuka.") from exc


def pdf_page_count(path: Path) -> int:
    pdf = open_pdf(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


def check_pdf(path: Path, with_metrics: bool = False) -> dict:
    s = get_settings()
    pdf = open_pdf(path)
    try:
        n = len(pdf)
        if n == 0:
            raise PrintshopInputError("corrupt", f"PDF {path.name} tidak berisi halaman.")
        findings: list[str] = []
        limit = min(n, s.printshop_check_max_pages)
        if n > limit:
            findings.append(
                f"PDF berisi {n} halaman; pemeriksaan kualitas hanya untuk {limit} halaman pertama."
            )
        out: dict = {
            "kind": "pdf",
            "pages": n,
            "blank_pages": [],
            "blur_pages": [],
            "rotated_pages": [],
            "colour_pages": [],
        }
        metrics = []
        for i, f in _analyse_pages(path, pdf, limit):
            if f is None:
                findings.append(f"Halaman {i + 1} tidak dapat dirender.")
                continue
            # a page's own /Rotate is applied by the renderer, so the fix is relative to how it is shown
            if f.blank:
                out["blank_pages"].append(i + 1)
            elif f.blur:
                out["blur_pages"].append(i + 1)
            if f.colour:
                out["colour_pages"].append(i + 1)
            if f.fix_rotate_cw_deg:
                out["rotated_pages"].append({"page": i + 1, "fix_rotate_cw_deg": f.fix_rotate_cw_deg})
            if with_metrics:
                metrics.append({"page": i + 1, **f.metrics})
        out["findings"] = findings + _summary(out)
        if with_metrics:
            out["metrics"] = metrics
        return out
    finally:
        pdf.close()


def _analyse_one(pdf, i: int):
    import pypdfium2.raw as pdfium_c

    from niaga.printshop.pages import analyse_page

    width = get_settings().printshop_render_width_px
    page = pdf[i]
    try:
        # born-digital pages (no raster image) are measured at half the width: nothing on them can be
        # blurred or speckled, and colour and text direction read the same at 75 dpi
        vector = next(iter(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4)), None) is None
        w_pt, h_pt = page.get_size()
        scale = (width / 2 if vector else width) / max(w_pt, 1.0)
        # A page drawn 3 pt wide and 14,400 pt tall would render billions of pixels: cap the bitmap.
        scale = min(scale, (MAX_RENDER_PIXELS / max(w_pt * h_pt, 1.0)) ** 0.5)
        bitmap = page.render(scale=scale, rev_byteorder=True, may_draw_forms=False)
        try:
            rgb = bitmap.to_numpy()[:, :, :3]  # a view of pdfium's buffer: used only before close()
            ppc = scale * 72.0 / 2.54
            found = analyse_page(rgb, ppc, vector=vector)
            if vector and not found.blank:
                fix = _text_layer_fix(page)
                if fix is None:  # (almost) no text layer: read the direction from the drawn ink instead
                    from niaga.printshop.pages import MARGIN_FRACTION, text_fix_rotation

                    gray = rgb.min(axis=2)
                    h, w = gray.shape
                    my, mx = int(h * MARGIN_FRACTION), int(w * MARGIN_FRACTION)
                    fix = text_fix_rotation(gray[my : h - my, mx : w - mx] < 160, ppc)
                found.fix_rotate_cw_deg = fix
        finally:
            bitmap.close()
        return found
    except Exception:  # a damaged page: reported, the others are still checked
        return None
    finally:
        page.close()


def _text_layer_fix(page) -> int | None:
    """Clockwise turn that makes a born-digital page's text upright, from its text layer: the dominant
    character angle (pdfium reports it clockwise) plus the page's own /Rotate, as the page is displayed."""
    import math
    from collections import Counter

    import pypdfium2.raw as pdfium_c

    tp = page.get_textpage()
    try:
        n = tp.count_chars()
        votes: Counter = Counter()
        for k in range(0, n, max(1, n // TEXT_SAMPLES)):
            a = pdfium_c.FPDFText_GetCharAngle(tp.raw, k)
            if a >= 0 and not tp.get_text_range(k, 1).isspace():
                votes[round(math.degrees(a) / 90) % 4] += 1
    finally:
        tp.close()
    if sum(votes.values()) < MIN_TEXT_CHARS:
        return None
    quarter, _count = votes.most_common(1)[0]
    return (360 - (quarter * 90 + page.get_rotation())) % 360


def _analyse_range(path: str, start: int, stop: int) -> list:
    """Worker-process entry: analyse pages [start, stop) of the PDF at `path`."""
    pdf = open_pdf(Path(path))
    try:
        return [(i, _analyse_one(pdf, i)) for i in range(start, stop)]
    finally:
        pdf.close()


def _analyse_pages(path: Path, pdf, limit: int):
    """(index, PageFindings | None) for the first `limit` pages. Pages are measured in this process until
    the work left is clearly worth more than starting helpers (a heavy scan): then the rest is split over
    `printshop_check_workers` processes (rendering and measuring a scanned page is CPU-bound)."""
    import time

    workers = min(get_settings().printshop_check_workers or os.cpu_count() or 1, os.cpu_count() or 1)
    t0 = time.process_time()  # CPU time: a busy machine must not make a light document look heavy
    i = 0
    while i < limit:
        yield i, _analyse_one(pdf, i)
        i += 1
        left = limit - i
        per_page = (time.process_time() - t0) / i
        if workers > 1 and left >= PARALLEL_MIN_PAGES and per_page * left > PARALLEL_MIN_WORK_S:
            break
    if i >= limit:
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    rest = limit - i
    chunk = max(4, -(-rest // (workers * 2)))
    ranges = [(s, min(s + chunk, limit)) for s in range(i, limit, chunk)]
    ctx = multiprocessing.get_context("spawn")  # safe in threaded workers; no inherited locks
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as ex:
        for part in ex.map(_analyse_range, [str(path)] * len(ranges), *zip(*ranges, strict=True)):
            yield from part


def _summary(out: dict) -> list[str]:
    msgs = []
    if out["blank_pages"]:
        msgs.append(f"Halaman kosong: {', '.join(map(str, out['blank_pages']))}.")
    if out["blur_pages"]:
        msgs.append(f"Halaman buram (perlu dipindai ulang): {', '.join(map(str, out['blur_pages']))}.")
    if out["rotated_pages"]:
        msgs.append(
            "Halaman terbalik/miring 90°: " + ", ".join(str(r["page"]) for r in out["rotated_pages"]) + "."
        )
    if out["colour_pages"]:
        msgs.append(f"Halaman berwarna: {', '.join(map(str, out['colour_pages']))}.")
    return msgs
