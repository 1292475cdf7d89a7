"""Entry points used by the CLI, jobs and (part 2) chat: each returns a JSON-ready dict with a processing log."""

from __future__ import annotations

from pathlib import Path

from niaga.printshop.errors import PrintshopInputError
from niaga.printshop.proclog import ProcessingLog
from niaga.printshop.sniff import sniff


def check_file(path: Path, template: str = "skripsi", log: ProcessingLog | None = None) -> dict:
    from niaga.printshop.templates import get_template

    log = log or ProcessingLog(str(path))
    with log.step("sniff") as st:
        sn = sniff(path)
        if sn.note:
            st.findings.append(sn.note)
    if sn.kind == "pdf":
        from niaga.printshop.pdfcheck import check_pdf

        with log.step("check_pdf") as st:
            out = check_pdf(path)
            st.findings.extend(out["findings"])
    elif sn.kind == "image":
        from niaga.printshop.photo import check_image

        with log.step("check_image") as st:
            out = check_image(path)
            st.findings.extend(out["findings"])
    elif sn.kind == "docx":
        from niaga.printshop.docxmodel import check_docx

        with log.step("check_docx") as st:
            out = check_docx(path, get_template(template))
            st.findings.extend(out["findings"])
    else:
        out = {
            "kind": sn.kind,
            "findings": ["Berkas akan diubah ke PDF dengan LibreOffice sebelum diperiksa."],
        }
    if sn.note:
        out["findings"] = [sn.note, *out.get("findings", [])]
    out["log"] = log.as_list()
    return out


def format_file(
    src: Path,
    out: Path,
    template: str = "skripsi",
    business: str | None = None,
    log: ProcessingLog | None = None,
) -> dict:
    from niaga.printshop.formatter import format_docx
    from niaga.printshop.templates import get_template, template_for_business

    log = log or ProcessingLog(str(src))
    if src.resolve() == out.resolve():
        raise PrintshopInputError("same_file", "Berkas hasil harus berbeda dari berkas asli.")
    if business:
        from niaga.db.engine import session_scope
        from niaga.kit.errors import AppError
        from niaga.tenancy.service import get_business_by_slug

        try:
            with session_scope() as s:
                tpl = template_for_business(s, get_business_by_slug(s, business).id, template)
        except AppError as exc:
            raise PrintshopInputError("business_not_found", exc.message) from exc
    else:
        tpl = get_template(template)
    with log.step("format", template=template) as st:
        result = format_docx(src, out, tpl)
        st.outputs.append(str(out))
        st.findings.append(
            f"{result['changes']['chapters_renumbered']} judul bab dan {result['changes']['subheadings_renumbered']}"
            f" subjudul dinomori ulang; {result['changes']['body_paragraphs']} paragraf isi diseragamkan."
        )
    result["log"] = log.as_list()
    return result


def render_file(src: Path, out: Path, log: ProcessingLog | None = None) -> dict:
    from niaga.printshop.render import render_to_pdf

    log = log or ProcessingLog(str(src))
    with log.step("render") as st:
        pages = render_to_pdf(src, out)
        st.outputs.append(str(out))
    return {"pages": pages, "output": str(out), "log": log.as_list()}
