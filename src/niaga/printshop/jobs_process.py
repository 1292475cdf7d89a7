"""Processing a print job with part 1's pipeline (intake → per-file checks → one print-ready PDF), then
the customer loop's first message: findings in plain Indonesian, a preview of the first pages and the
itemised quote from the business's price list.

The heavy work (LibreOffice, page checks) runs with no database transaction open; the result is written in
one short transaction that only applies when the job is still `processing` with the same files (a newer
file makes a newer processing job, which wins)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from niaga.db.engine import session_scope
from niaga.kit.money import format_rupiah
from niaga.ops.logging import get_logger
from niaga.printshop import jobs
from niaga.printshop.errors import PrintshopInputError
from niaga.printshop.jobs_models import PrintJob
from niaga.printshop.proclog import ProcessingLog, store_log
from niaga.tenancy.models import Business

log = get_logger("niaga.printshop.jobs")

THESIS_TYPES = ("skripsi", "tesis", "disertasi")


def _pages(nums: list[int]) -> str:
    return ", ".join(str(n) for n in nums)


def _remove_pages(pdf: Path, drop: set[int]) -> int:
    """Drop the 1-based pages `drop` from `pdf` in place; returns the pages left."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(str(pdf))
    writer = PdfWriter()
    for n, page in enumerate(reader.pages, start=1):
        if n not in drop:
            writer.add_page(page)
    tmp = pdf.with_name(pdf.name + ".part")
    with tmp.open("wb") as fh:
        writer.write(fh)
    tmp.replace(pdf)
    return len(writer.pages)


def render_previews(pdf: Path, folder: Path, *, pages: int, width: int = 640) -> list[Path]:
    import pypdfium2 as pdfium

    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for i in range(min(pages, len(doc))):
            page = doc[i]
            scale = width / max(page.get_width(), 1)
            img = page.render(scale=scale).to_pil().convert("RGB")
            path = folder / f"pratinjau-{i + 1}.jpg"
            img.save(path, "JPEG", quality=70)
            out.append(path)
    finally:
        doc.close()
    return out


def _format_theses(
    paths: list[Path], work: Path, template: str, plog: ProcessingLog
) -> tuple[list[Path], list[str]]:
    """Thesis DOCX files formatted to the business's template before rendering (part 1's formatter)."""
    from niaga.printshop.service import format_file

    out, done = [], []
    for p in paths:
        if p.suffix.lower() != ".docx":
            out.append(p)
            continue
        dest = work / p.name
        try:
            format_file(p, dest, template=template, log=plog)
        except PrintshopInputError:
            out.append(p)  # not a document the formatter understands: printed as sent
            continue
        out.append(dest)
        done.append(p.name)
    return out, done


def run(job_id: int) -> str:
    """The job `printshop.process_job`."""
    t0 = time.perf_counter()
    with session_scope() as db:
        job = db.get(PrintJob, job_id)
        if job is None or job.status != "processing":
            return "skipped"
        business = db.get(Business, job.business_id)
        assert business is not None
        n_files = len(job.files or [])
        inputs = [(f["name"], jobs.absolute(f["path"])) for f in job.files or [] if f.get("path")]
        spec = jobs.effective_spec(job)
        template = (business.settings or {}).get("printshop", {}).get("default_template", "skripsi")
        cfg = jobs.print_settings(business)
        folder = jobs.job_dir(job.business_id, job.id)
        number = job.number
    plog = ProcessingLog(f"print_job:{job_id}")
    result: dict[str, Any] | None = None
    formatted: list[str] = []
    error: str | None = None
    out = folder / "out" / f"{number}.pdf"
    present = [(name, p) for name, p in inputs if p.exists()]
    if present:
        from niaga.printshop.intake import intake_order
        from niaga.printshop.render import default_converter

        paths = [p for _n, p in present]
        if spec.get("doc_type") in THESIS_TYPES:
            work = folder / "formatted"
            work.mkdir(parents=True, exist_ok=True)
            paths, formatted = _format_theses(paths, work, template, plog)
        try:
            result = intake_order(paths, out, log=plog, converter=default_converter())
        except PrintshopInputError as exc:
            error = exc.message
    removed: list[int] = []
    if result is not None:
        removed = _drop_blank_pages(result, out)
        result["pages"] = result["pages"] - len(removed)
        previews = (
            render_previews(out, folder / "preview", pages=int(cfg["preview_pages"]))
            if result["pages"]
            else []
        )
    else:
        previews = []
    elapsed_ms = round((time.perf_counter() - t0) * 1000)
    with session_scope(immediate=True) as db:
        job = db.get(PrintJob, job_id)
        if job is None or job.status != "processing" or len(job.files or []) != n_files:
            return "stale"
        business = db.get(Business, job.business_id)
        assert business is not None
        store_log(db, job.business_id, plog, document=f"print_job:{job.id}")
        return _apply(db, business, job, result, error, previews, formatted, removed, elapsed_ms)


def _drop_blank_pages(result: dict[str, Any], out: Path) -> list[int]:
    """Blank pages found per file, mapped to the assembled PDF (attachments in the letter's order, then the
    other files, never the letter) and removed from it. The file entries are corrected to match."""
    files = {f["name"]: f for f in result["files"]}
    letter = result.get("cover_letter")
    order = list(result.get("attachments_in_letter_order") or [])
    order += [f["name"] for f in result["files"] if f["name"] not in order and f["name"] != letter]
    offset, drop = 0, set()
    for name in order:
        f = files[name]
        if f["kind"] == "rejected" or not f.get("pages"):
            continue
        for n in f.get("blank_pages") or []:
            drop.add(offset + int(n))
        offset += int(f["pages"])
    if not drop or len(drop) >= offset:
        return []
    _remove_pages(out, drop)
    for f in result["files"]:
        blanks = set(f.get("blank_pages") or [])
        if blanks and f["name"] != letter:
            f["pages"] = int(f["pages"]) - len(blanks)
            f["colour_pages"] = [p for p in f.get("colour_pages", []) if p not in blanks]
    return sorted(drop)


def findings_for(
    result: dict[str, Any] | None, job: PrintJob, *, formatted: list[str], error: str | None
) -> list[str]:
    """What the customer should know, in plain Indonesian, one line each."""
    lines: list[str] = []
    for f in job.files or []:
        if f.get("kind") == "rejected":
            lines.append(
                f'File "{f["name"]}" tidak bisa kami terima ({f.get("finding") or "rusak"}). Berkas lain tetap kami proses.'
            )
    if error:
        lines.append(error)
    if result is None:
        return lines
    letter = result.get("cover_letter")
    spec = jobs.effective_spec(job)
    for f in result["files"]:
        name = f["name"]
        if f["kind"] == "rejected" or f.get("finding"):
            lines.append(
                f'File "{name}" tidak bisa dibuka: {f.get("finding") or "format tidak didukung"}. '
                "Mohon kirim ulang (PDF/DOCX/JPG); berkas lain tetap kami proses."
            )
            continue
        if name == letter:
            lines.append(f'"{name}" kami baca sebagai surat pengantar (rincian pesanan), tidak ikut dicetak.')
            continue
        if f.get("blank_pages"):
            n = len(f["blank_pages"])
            lines.append(f'{n} halaman kosong di "{name}" (hlm {_pages(f["blank_pages"])}) akan dilewati.')
        if f.get("blur_pages"):
            lines.append(
                f'Halaman {_pages(f["blur_pages"])} di "{name}" buram, mohon kirim ulang versi yang lebih jelas '
                "(kalau tidak, kami cetak apa adanya)."
            )
        if f.get("rotated_pages"):
            nums = [r["page"] if isinstance(r, dict) else r for r in f["rotated_pages"]]
            lines.append(
                f'Halaman {_pages(nums)} di "{name}" posisinya miring/terbalik dan sudah kami putar.'
            )
        if f["kind"] == "image":
            lines.append(f'Foto "{name}" sudah diluruskan dan dirapikan ke kertas A4.')
        elif f.get("colour_pages") and spec.get("colour_mode", "mixed") == "mixed":
            lines.append(
                f'{len(f["colour_pages"])} halaman berwarna di "{name}" (hlm {_pages(f["colour_pages"])}) dicetak '
                "berwarna, sisanya hitam-putih."
            )
    for name in formatted:
        lines.append(
            f'Format "{name}" sudah disesuaikan ke template kampus: margin, font, spasi dan nomor BAB.'
        )
    return lines


def _apply(
    db: Session,
    business: Business,
    job: PrintJob,
    result: dict[str, Any] | None,
    error: str | None,
    previews: list[Path],
    formatted: list[str],
    removed: list[int],
    elapsed_ms: int,
) -> str:
    from niaga.printshop import jobs_notify
    from niaga.printshop.pricing import price_list_for, quote, request_from_intake

    system = jobs.Actor.system()
    if result is not None:
        by_name = {f["name"]: f for f in result["files"]}
        job.files = [
            {**f, **{k: v for k, v in by_name.get(f["name"], {}).items() if k != "name"}}
            for f in job.files or []
        ]
        if result.get("order"):
            job.spec = {**(job.spec or {}), "letter": result["order"]}
        spec = jobs.effective_spec(job)
        job.express = bool(spec.get("express") or job.express)
        job.pickup_text = job.pickup_text or jobs._pickup_text(spec)
        job.output_path = jobs.rel(Path(result["output"])) if result["pages"] else None
        job.previews = [jobs.rel(p) for p in previews]
    job.findings = findings_for(result, job, formatted=formatted, error=error)
    printable = bool(result and result["pages"])
    if not printable:
        job.quote, job.total = {}, 0
        jobs.do_transition(
            db,
            job=job,
            to="needs_customer",
            actor=system,
            note="tidak ada halaman yang bisa dicetak",
            data={"elapsed_ms": elapsed_ms},
        )
        jobs_notify.ask_for_files(db, business, job)
        return "needs_customer"
    assert result is not None
    spec = jobs.effective_spec(job)
    intake = {**result, "order": spec}
    try:
        req = request_from_intake(intake)
        q = quote(price_list_for(db, business.id), req)
    except PrintshopInputError as exc:
        job.findings = [*job.findings, exc.message]
        jobs.do_transition(db, job=job, to="needs_customer", actor=system, note=exc.message)
        jobs_notify.ask_for_files(db, business, job, reason=exc.message)
        return "needs_customer"
    job.quote = q.as_dict()
    job.total = q.total
    job.copies = req.copies
    job.pages_bw = req.bw_pages
    job.pages_colour = req.colour_pages + req.photo_pages
    job.spec = {**(job.spec or {}), "quoted": {k: v for k, v in req.__dict__.items()}}
    jobs.do_transition(
        db,
        job=job,
        to="quoted",
        actor=system,
        data={"total": q.total, "pages": result["pages"], "elapsed_ms": elapsed_ms, "blank_removed": removed},
    )
    jobs_notify.send_quote(db, business, job)
    log.info("print_job.quoted", business_id=job.business_id, job_id=job.id, total=q.total, ms=elapsed_ms)
    return f"quoted {format_rupiah(q.total)}"
