"""`format`: apply an institution template to a thesis DOCX.

What changes: page size and margins of every section; body paragraphs get the template's font/size/spacing
as direct formatting on every run (ascii, hAnsi, eastAsia and cs, theme references removed) so no style or
default can override them; chapter headings become `BAB <ROMAN> <TITLE>` by position; sub-headings are
renumbered by position within their chapter (depth capped); page numbers are roman in the front matter and
arabic from BAB I; a table of contents is marked for update. Every other paragraph keeps its index and text.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from niaga.printshop.docxmodel import (
    EffectiveFormat,
    Structure,
    analyse_structure,
    norm_ws,
    open_docx,
    w,
)
from niaga.printshop.errors import PrintshopInputError

FONT_ATTRS = ("ascii", "hAnsi", "eastAsia", "cs")
THEME_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")


def _child(parent: Any, tag: str, before: tuple = ()) -> Any:
    """The child element `tag`, created (in a schema-friendly position) when missing."""
    from docx.oxml import OxmlElement

    el = parent.find(w(tag))
    if el is None:
        el = OxmlElement(f"w:{tag}")
        for b in before:
            ref = parent.find(w(b))
            if ref is not None:
                ref.addprevious(el)
                return el
        parent.append(el)
    return el


# element order inside w:rPr / w:pPr (ECMA-376), used to insert new children where Word expects them
RPR_ORDER = (
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
)
PPR_ORDER = (
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
)


def _ordered_child(parent: Any, tag: str, order: tuple) -> Any:
    after = order[order.index(tag) + 1 :] if tag in order else ()
    return _child(parent, tag, before=after)


def _rpr(r: Any) -> Any:
    from docx.oxml import OxmlElement

    rpr = r.find(w("rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        r.insert(0, rpr)
    return rpr


def _ppr(p_el: Any) -> Any:
    from docx.oxml import OxmlElement

    ppr = p_el.find(w("pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        p_el.insert(0, ppr)
    return ppr


def set_run_font(rpr: Any, font: str, size_pt: float | None, bold: bool | None = None) -> None:
    rf = _ordered_child(rpr, "rFonts", RPR_ORDER)
    for a in THEME_ATTRS:
        rf.attrib.pop(w(a), None)
    for a in FONT_ATTRS:
        rf.set(w(a), font)
    if bold is not None:
        b = _ordered_child(rpr, "b", RPR_ORDER)
        b.set(w("val"), "1" if bold else "0")
        bcs = _ordered_child(rpr, "bCs", RPR_ORDER)
        bcs.set(w("val"), "1" if bold else "0")
    if size_pt is not None:
        half = str(round(size_pt * 2))
        _ordered_child(rpr, "sz", RPR_ORDER).set(w("val"), half)
        _ordered_child(rpr, "szCs", RPR_ORDER).set(w("val"), half)


def set_line_spacing(ppr: Any, lines: float) -> None:
    sp = _ordered_child(ppr, "spacing", PPR_ORDER)
    sp.set(w("line"), str(round(lines * 240)))
    sp.set(w("lineRule"), "auto")


def set_outline_level(ppr: Any, level: int) -> None:
    """Outline level on the paragraph itself (0 = chapter): the table of contents and the navigation pane
    find the heading whatever style it has, without changing its look."""
    _ordered_child(ppr, "outlineLvl", PPR_ORDER).set(w("val"), str(level))


def set_jc(ppr: Any, val: str) -> None:
    _ordered_child(ppr, "jc", PPR_ORDER).set(w("val"), val)


def _text_runs(p_el: Any) -> list:
    return [r for r in p_el.xpath("./w:r | ./w:hyperlink/w:r | ./w:ins/w:r | ./w:smartTag/w:r")]


def _rewrite_text(p: Any, pieces: list, font: str, size_pt: float, bold: bool) -> None:
    """Replace a heading paragraph's runs by `pieces` (strings; None = a line break), keeping the first run's
    character formatting and the paragraph properties."""
    from docx.oxml import OxmlElement

    p_el = p._p
    runs = _text_runs(p_el)
    proto = runs[0].find(w("rPr")) if runs else None
    for r in runs:
        r.getparent().remove(r)
    r = OxmlElement("w:r")
    if proto is not None:
        r.append(copy.deepcopy(proto))
    set_run_font(_rpr(r), font, size_pt, bold)
    for piece in pieces:
        if piece is None:
            r.append(OxmlElement("w:br"))
        else:
            t = OxmlElement("w:t")
            t.text = piece
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            r.append(t)
    p_el.append(r)


def _remove_numbering(p: Any) -> None:
    ppr = p._p.find(w("pPr"))
    if ppr is not None:
        for n in ppr.findall(w("numPr")):
            ppr.remove(n)


def apply_page_setup(doc: Any, template: dict) -> None:
    from docx.shared import Cm

    page = template["page"]
    for sec in doc.sections:
        sec.page_width = Cm(page["width_cm"])
        sec.page_height = Cm(page["height_cm"])
        m = page["margins_cm"]
        sec.top_margin, sec.bottom_margin = Cm(m["top"]), Cm(m["bottom"])
        sec.left_margin, sec.right_margin = Cm(m["left"]), Cm(m["right"])


def _has_page_break_only(p: Any) -> bool:
    if norm_ws(p.text):
        return False
    return bool(p._p.xpath('.//w:br[@w:type="page"]'))


def add_page_numbers(doc: Any, st: Structure, template: dict) -> bool:
    """Roman numbers for the front matter, arabic from BAB I: a section break before the first chapter."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement

    if not st.chapters or len(doc.sections) != 1:
        return False
    first = st.chapters[0]["paragraph_index"]
    body_sect = doc.element.body.find(w("sectPr"))
    if first == 0 or body_sect is None:
        return False
    prev = doc.paragraphs[first - 1]
    if _has_page_break_only(prev):
        for br in prev._p.xpath('.//w:br[@w:type="page"]'):
            br.getparent().remove(br)
    front_sect = copy.deepcopy(body_sect)
    for tag in ("headerReference", "footerReference", "pgNumType", "titlePg"):
        for el in front_sect.findall(w(tag)):
            front_sect.remove(el)
    _ppr(prev._p).append(front_sect)
    pn = template.get("page_numbers", {})

    def set_fmt(sect: Any, fmt: str, start: int | None) -> None:
        el = sect.find(w("pgNumType"))
        if el is None:
            el = OxmlElement("w:pgNumType")
            anchor = sect.find(w("cols"))
            if anchor is None:
                anchor = sect.find(w("docGrid"))
            if anchor is not None:
                anchor.addprevious(el)
            else:
                sect.append(el)
        el.set(w("fmt"), fmt)
        if start is not None:
            el.set(w("start"), str(start))

    set_fmt(front_sect, pn.get("front_matter", "lowerRoman"), 1)
    set_fmt(body_sect, pn.get("main", "decimal"), 1)
    # one footer with a centred PAGE field, shared by both sections (the number format is per section)
    footer = doc.sections[0].footer
    footer.is_linked_to_previous = False
    fp = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = fp.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            fc = OxmlElement("w:fldChar")
            fc.set(w("fldCharType"), kind)
            run._r.append(fc)
        elif text == " PAGE ":
            it = OxmlElement("w:instrText")
            it.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            it.text = text
            run._r.append(it)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)
    return True


def mark_toc_for_update(doc: Any) -> bool:
    """When the document has a TOC field, ask Word/LibreOffice to refresh fields on open."""
    from docx.oxml import OxmlElement

    body = doc.element.body
    has_toc = any("TOC" in (t.text or "") for t in body.iter(w("instrText"))) or any(
        "TOC" in (f.get(w("instr")) or "") for f in body.iter(w("fldSimple"))
    )
    if not has_toc:
        return False
    settings = doc.settings.element
    uf = settings.find(w("updateFields"))
    if uf is None:
        uf = OxmlElement("w:updateFields")
        settings.insert(0, uf)
    uf.set(w("val"), "true")
    return True


def format_docx(src: Path, out: Path, template: dict) -> dict:
    from docx.shared import Cm

    doc = open_docx(src)
    eff = EffectiveFormat(doc)
    st = analyse_structure(doc, template, eff)
    if not st.chapters:
        raise PrintshopInputError(
            "no_chapters",
            "Dokumen tidak memiliki judul bab (BAB I, BAB II, ...), jadi template skripsi tidak dapat diterapkan. "
            "Periksa kembali naskahnya atau pilih template lain.",
        )
    body_t = template["body"]
    heads = template.get("headings", {})
    ch_t = heads.get("chapter", {})
    sub_t = heads.get("subheading", {})
    changes = {
        "page_setup": True,
        "chapters_renumbered": 0,
        "subheadings_renumbered": 0,
        "body_paragraphs": 0,
    }

    apply_page_setup(doc, template)
    paras = doc.paragraphs
    for c in st.chapters:
        p = paras[c["paragraph_index"]]
        numeral = c["final_numeral"]
        if c.get("numbering_list"):
            _remove_numbering(p)
        if not c["title"]:
            pieces: list = [f"BAB {numeral}"]
        elif ch_t.get("line_break", True):
            pieces = [f"BAB {numeral}", None, c["title"]]
        else:
            pieces = [c["final_text"]]
        if norm_ws(p.text) != c["final_text"] or c.get("numbering_list"):
            changes["chapters_renumbered"] += 1
        _rewrite_text(
            p,
            pieces,
            ch_t.get("font", body_t["font"]),
            float(ch_t.get("size_pt", 14)),
            bool(ch_t.get("bold", True)),
        )
        ppr = _ppr(p._p)
        set_jc(ppr, {"center": "center", "left": "left"}.get(ch_t.get("align", "center"), "center"))
        set_outline_level(ppr, 0)
        if c is not st.chapters[0] and ch_t.get("page_break_before", True):
            prev = paras[c["paragraph_index"] - 1] if c["paragraph_index"] > 0 else None
            if prev is None or not _has_page_break_only(prev):
                _ordered_child(ppr, "pageBreakBefore", PPR_ORDER)
    for s in st.subheadings:
        p = paras[s["paragraph_index"]]
        if s["changed"]:
            changes["subheadings_renumbered"] += 1
        _rewrite_text(
            p,
            [f"{s['number_after']} {s['title']}"],
            sub_t.get("font", body_t["font"]),
            float(sub_t.get("size_pt", body_t["size_pt"])),
            bool(sub_t.get("bold", True)),
        )
        _ordered_child(_ppr(p._p), "keepNext", PPR_ORDER)
        set_outline_level(_ppr(p._p), s["level_after"] - 1)
    for i in st.body:
        p = paras[i]
        for r in p._p.xpath(".//w:r"):
            set_run_font(_rpr(r), body_t["font"], float(body_t["size_pt"]))
        ppr = _ppr(p._p)
        set_line_spacing(ppr, float(body_t["line_spacing"]))
        if body_t.get("justify"):
            set_jc(ppr, "both")
        changes["body_paragraphs"] += 1
    indent = body_t.get("first_line_indent_cm")
    if indent:
        for i in st.body:
            p = paras[i]
            text = norm_ws(p.text)
            if p.paragraph_format.first_line_indent is None and not text[:3].rstrip(".").isdigit():
                p.paragraph_format.first_line_indent = Cm(float(indent))
    changes["page_numbers"] = add_page_numbers(doc, st, template)
    changes["toc_marked_for_update"] = mark_toc_for_update(doc)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    doc.save(str(tmp))
    tmp.replace(out)
    return {
        "output": str(out),
        "template": template["name"],
        "paragraphs": len(paras),
        "chapters": [
            {
                "paragraph_index": c["paragraph_index"],
                "text_before": c["text_before"],
                "final_text": c["final_text"],
            }
            for c in st.chapters
        ],
        "subheadings": [
            {
                "paragraph_index": s["paragraph_index"],
                "number_before": s["number_before"],
                "number_after": s["number_after"],
            }
            for s in st.subheadings
        ],
        "changes": changes,
    }
