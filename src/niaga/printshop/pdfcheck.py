"""`check` for PDFs: page count plus blank, blurred, rotated and colour pages (1-based)."""

from __future__ import annotations

from pathlib import Path

from niaga.printshop.errors import PrintshopInputError
from niaga.settings import get_settings


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
    from niaga.printshop.pages import analyse_page

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
        for i in range(limit):
            page = pdf[i]
            w_pt, _h_pt = page.get_size()
            scale = s.printshop_render_width_px / max(w_pt, 1.0)
            try:
                bitmap = page.render(scale=scale, rev_byteorder=True, may_draw_forms=False)
                rgb = bitmap.to_numpy()[:, :, :3]
            except Exception:  # a damaged page: reported, the others are still checked
                findings.append(f"Halaman {i + 1} tidak dapat dirender.")
                continue
            px_per_cm = scale * 72.0 / 2.54
            f = analyse_page(rgb, px_per_cm)
            # a page's own /Rotate is applied by the renderer, so f.fix is relative to how it is shown
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
