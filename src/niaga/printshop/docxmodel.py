"""Reading a thesis DOCX: effective formatting as Word resolves it, and its structure (chapters, sub-headings,
front/back matter, body text).

Effective formatting follows Word's order: run -> character style chain -> paragraph style chain ->
docDefaults; `w:asciiTheme` wins over `w:ascii` at the same level and resolves through the theme part.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from niaga.printshop.errors import PrintshopInputError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
ROMAN = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
]

CHAPTER_RE = re.compile(r"^BAB\s+([IVXLCDM]+|\d+)\b\.?\s*[:.\-–—]?\s*(.*)$")
SUB_RE = re.compile(r"^(\d+(?:\.\d+)+)\.?[ \t]+(\S.*)$")
CAPTION_RE = re.compile(
    r"^(Tabel|Gambar|Grafik|Bagan|Diagram|Skema|Lampiran)\s+\d+([.\-]\d+)*\b|^Sumber\s*:", re.I
)
MAX_HEADING_CHARS = 160


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def to_roman(n: int) -> str:
    out = ""
    for v, s in ROMAN:
        while n >= v:
            out += s
            n -= v
    return out


def norm_ws(s: str) -> str:
    return " ".join(str(s).split())


def open_docx(path: Path) -> Any:
    """python-docx Document, after the container was sniffed (zip bombs are refused before this)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from niaga.printshop.sniff import sniff

    sn = sniff(path)
    if sn.kind != "docx":
        raise PrintshopInputError("not_docx", f"Berkas {path.name} bukan DOCX (terdeteksi: {sn.kind}).")
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PrintshopInputError(
            "corrupt",
            f"Dokumen {path.name} rusak dan tidak dapat dibuka. Mohon simpan ulang dari Word lalu kirim lagi.",
        ) from exc
    except Exception as exc:  # lxml XMLSyntaxError and friends: a damaged part
        raise PrintshopInputError(
            "corrupt",
            f"Dokumen {path.name} rusak dan tidak dapat dibuka ({type(exc).__name__}). Mohon simpan ulang dari Word lalu kirim lagi.",
        ) from exc


class EffectiveFormat:
    """Font, size and line spacing of a paragraph's text runs, resolved as Word does."""

    def __init__(self, document: Any) -> None:
        styles_el = document.styles.element
        self.styles = {st.get(w("styleId")): st for st in styles_el.findall(w("style"))}
        self.default_para_style = None
        for sid, st in self.styles.items():
            if st.get(w("type")) == "paragraph" and st.get(w("default")) in ("1", "true", "on"):
                self.default_para_style = sid
        dd = styles_el.find(w("docDefaults"))
        self.dd_rpr = dd.find(f"{w('rPrDefault')}/{w('rPr')}") if dd is not None else None
        self.dd_ppr = dd.find(f"{w('pPrDefault')}/{w('pPr')}") if dd is not None else None
        self.theme = self._theme_fonts(document)

    @staticmethod
    def _theme_fonts(document: Any) -> dict:
        from lxml import etree

        for rel in document.part.rels.values():
            if rel.is_external or not rel.reltype.endswith("/theme"):
                continue
            root = etree.fromstring(rel.target_part.blob)
            out = {}
            for kind in ("major", "minor"):
                latin = root.find(f".//{{{A_NS}}}{kind}Font/{{{A_NS}}}latin")
                if latin is not None and latin.get("typeface"):
                    out[f"{kind}Ascii"] = out[f"{kind}HAnsi"] = latin.get("typeface")
            return out
        return {}

    def chain(self, style_id: str | None) -> list:
        out, seen = [], set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            st = self.styles[style_id]
            out.append(st)
            based = st.find(w("basedOn"))
            style_id = based.get(w("val")) if based is not None else None
        return out

    def _font(self, rpr: Any) -> str | None:
        rf = rpr.find(w("rFonts")) if rpr is not None else None
        if rf is None:
            return None
        theme = rf.get(w("asciiTheme"))
        if theme:
            return self.theme.get(theme, f"theme:{theme}")
        return rf.get(w("ascii"))

    @staticmethod
    def _size(rpr: Any) -> float | None:
        sz = rpr.find(w("sz")) if rpr is not None else None
        if sz is None or sz.get(w("val")) is None:
            return None
        try:
            return int(sz.get(w("val"))) / 2.0
        except ValueError:
            return None

    @staticmethod
    def _spacing(ppr: Any) -> float | None:
        sp = ppr.find(w("spacing")) if ppr is not None else None
        if sp is None or sp.get(w("line")) is None:
            return None
        if sp.get(w("lineRule"), "auto") != "auto":
            return float("nan")  # exact / at-least spacing is never "1.5 lines"
        try:
            return int(sp.get(w("line"))) / 240.0
        except ValueError:
            return float("nan")

    def paragraph_style_id(self, p: Any) -> str | None:
        ppr = p._p.find(w("pPr"))
        pstyle = ppr.find(w("pStyle")) if ppr is not None else None
        psid = pstyle.get(w("val")) if pstyle is not None else None
        return psid if psid in self.styles else self.default_para_style

    def paragraph(self, p: Any) -> dict:
        from docx.text.run import Run

        ppr = p._p.find(w("pPr"))
        pchain = self.chain(self.paragraph_style_id(p))
        fonts, sizes = set(), set()
        for r in p._p.xpath(".//w:r[not(ancestor::w:del)]"):
            if not Run(r, p).text.strip():
                continue
            rpr = r.find(w("rPr"))
            rstyle = rpr.find(w("rStyle")) if rpr is not None else None
            cchain = self.chain(rstyle.get(w("val"))) if rstyle is not None else []
            levels = [rpr] + [s.find(w("rPr")) for s in cchain + pchain] + [self.dd_rpr]
            font = next((f for f in (self._font(x) for x in levels) if f is not None), None)
            size = next((s for s in (self._size(x) for x in levels) if s is not None), 10.0)
            fonts.add(font if font is not None else "(none)")
            sizes.add(size)
        levels = [ppr] + [s.find(w("pPr")) for s in pchain] + [self.dd_ppr]
        spacing = next((v for v in (self._spacing(x) for x in levels) if v is not None), 1.0)
        return {"fonts": sorted(fonts), "sizes_pt": sorted(sizes), "line_spacing": spacing}

    def is_bold(self, p: Any) -> bool:
        """All text runs bold (direct or through the paragraph style)."""
        from docx.text.run import Run

        pchain = self.chain(self.paragraph_style_id(p))
        runs = [r for r in p._p.xpath(".//w:r") if Run(r, p).text.strip()]
        if not runs:
            return False
        for r in runs:
            levels = [r.find(w("rPr"))] + [s.find(w("rPr")) for s in pchain]
            val = None
            for x in levels:
                b = x.find(w("b")) if x is not None else None
                if b is not None:
                    val = b.get(w("val"), "true") not in ("0", "false", "off")
                    break
            if not val:
                return False
        return True

    def outline_level(self, p: Any) -> int | None:
        ppr = p._p.find(w("pPr"))
        for x in [ppr] + [s.find(w("pPr")) for s in self.chain(self.paragraph_style_id(p))]:
            ol = x.find(w("outlineLvl")) if x is not None else None
            if ol is not None:
                try:
                    return int(ol.get(w("val")))
                except (TypeError, ValueError):
                    return None
        sid = self.paragraph_style_id(p) or ""
        m = re.match(r"^Heading(\d)$", sid)
        return int(m.group(1)) - 1 if m else None


def is_tnr12(e: dict, font: str = "Times New Roman", size: float = 12.0) -> bool:
    return e["fonts"] == [font] and bool(e["sizes_pt"]) and all(abs(s - size) <= 0.01 for s in e["sizes_pt"])


def is_spacing(e: dict, want: float = 1.5) -> bool:
    return abs(e["line_spacing"] - want) <= 0.01


@dataclass
class Structure:
    chapters: list = field(
        default_factory=list
    )  # dicts: paragraph_index, text_before, final_text, title, ...
    subheadings: list = field(default_factory=list)
    unnumbered: list = field(default_factory=list)
    body: list = field(default_factory=list)  # paragraph indices
    captions: list = field(default_factory=list)
    first_back: int | None = None


def _numbering_level_text(document: Any, p: Any) -> str | None:
    """The level text (e.g. 'BAB %1') of a paragraph's Word numbering, or None."""
    ppr = p._p.find(w("pPr"))
    numpr = ppr.find(w("numPr")) if ppr is not None else None
    if numpr is None:
        return None
    try:
        num_id = numpr.find(w("numId")).get(w("val"))
        ilvl_el = numpr.find(w("ilvl"))
        ilvl = ilvl_el.get(w("val")) if ilvl_el is not None else "0"
        numbering = document.part.numbering_part.element
    except (AttributeError, KeyError, NotImplementedError):
        return None
    num = next((n for n in numbering.findall(w("num")) if n.get(w("numId")) == num_id), None)
    if num is None:
        return None
    abs_id = num.find(w("abstractNumId")).get(w("val"))
    absn = next((a for a in numbering.findall(w("abstractNum")) if a.get(w("abstractNumId")) == abs_id), None)
    if absn is None:
        return None
    lvl = next((lv for lv in absn.findall(w("lvl")) if lv.get(w("ilvl")) == ilvl), None)
    lt = lvl.find(w("lvlText")) if lvl is not None else None
    return lt.get(w("val")) if lt is not None else None


def analyse_structure(document: Any, template: dict, eff: EffectiveFormat | None = None) -> Structure:
    from niaga.printshop.templates import unnumbered_sets

    eff = eff or EffectiveFormat(document)
    front_set, back_set = unnumbered_sets(template)
    max_depth = int(template.get("headings", {}).get("subheading", {}).get("max_depth", 3))
    st = Structure()
    paras = document.paragraphs
    counters: list[int] = []
    in_main = False
    in_toc = False
    last_seen = {norm_ws(p.text): n for n, p in enumerate(paras)}
    for i, p in enumerate(paras):
        raw = p.text
        text = norm_ws(raw)
        if not text:
            continue
        upper = text.upper().rstrip(":.")
        is_back = upper in back_set or (re.match(r"^LAMPIRAN\b", upper) is not None and len(text) < 60)
        if in_main and is_back and (eff.is_bold(p) or eff.outline_level(p) == 0 or text.isupper()):
            st.unnumbered.append({"paragraph_index": i, "text": text, "where": "back"})
            in_main = False
            st.first_back = i
            continue
        if not in_main and st.first_back is None and upper in front_set:
            st.unnumbered.append({"paragraph_index": i, "text": text, "where": "front"})
            in_toc = upper.startswith("DAFTAR")  # DAFTAR ISI / TABEL / GAMBAR / LAMPIRAN list other headings
            continue
        if st.first_back is not None:
            continue
        if _is_toc_entry(eff, p, raw):
            continue  # a typed table-of-contents line ("BAB I PENDAHULUAN ...... 1") is not a heading
        if in_toc and not in_main and last_seen.get(text, i) > i:
            continue  # listed in DAFTAR ISI without page numbers: the same heading follows later
        chap = _chapter_match(document, eff, p, text, raw)
        if chap is not None:
            pos = len(st.chapters) + 1
            title, written, from_list = chap
            numeral = to_roman(pos)
            st.chapters.append(
                {
                    "paragraph_index": i,
                    "text_before": raw.strip(),
                    "final_text": f"BAB {numeral} {title}".strip(),
                    "title": title,
                    "written_numeral": written,
                    "final_numeral": numeral,
                    "numeral_changed": written != numeral,
                    "line_break_inside": "\n" in raw.strip(),
                    "numbering_list": from_list,
                }
            )
            in_main = True
            counters = []
            continue
        if not in_main:
            continue
        m = SUB_RE.match(text)
        if m and len(text) <= MAX_HEADING_CHARS and not text.endswith("."):
            number_before = m.group(1)
            level = min(len(number_before.split(".")), max_depth)
            depth = level - 1  # components after the chapter number
            while len(counters) < depth:
                counters.append(0)
            counters = counters[:depth]
            counters[depth - 1] += 1
            number_after = ".".join([str(len(st.chapters))] + [str(c) for c in counters])
            st.subheadings.append(
                {
                    "paragraph_index": i,
                    "number_before": number_before,
                    "number_after": number_after,
                    "title": norm_ws(m.group(2)),
                    "level_before": len(number_before.split(".")),
                    "level_after": level,
                    "changed": number_before != number_after,
                }
            )
            continue
        if CAPTION_RE.match(text):
            st.captions.append(i)
            continue
        st.body.append(i)
    return st


TOC_ENTRY_RE = re.compile(r"(\t|\.{3,}|…{1,}|\s{3,})\s*([0-9]{1,4}|[ivxlcdm]{1,7})\s*$", re.I)


def _is_toc_entry(eff: EffectiveFormat, p: Any, raw: str) -> bool:
    """A line of a table of contents: a toc style ("toc 1", id TOC1), or text ending in a tab/dot leader and
    a page number."""
    sid = eff.paragraph_style_id(p) or ""
    st = eff.styles.get(sid)
    name_el = st.find(w("name")) if st is not None else None
    name = (name_el.get(w("val")) if name_el is not None else "") or ""
    return (
        sid.lower().startswith("toc")
        or name.lower().startswith("toc")
        or TOC_ENTRY_RE.search(raw.rstrip()) is not None
    )


def _chapter_match(document: Any, eff: EffectiveFormat, p: Any, text: str, raw: str) -> tuple | None:
    """(title, written numeral, from a numbering list) when the paragraph is a chapter heading."""
    if len(text) > MAX_HEADING_CHARS:
        return None
    m = CHAPTER_RE.match(text)
    if m:
        written, title = m.group(1), m.group(2).strip()
        if written.isdigit():
            written = to_roman(int(written))
        heading_like = (
            eff.outline_level(p) == 0
            or eff.is_bold(p)
            or "\n" in raw.strip()
            or (title and title == title.upper())
        )
        # "Bab III Metodologi ..." in running text is a mention: lower-case "Bab" and a sentence
        if heading_like and not title.endswith("."):
            # the title may also sit in the next paragraph ("BAB I" alone): then only the numeral is ours
            return title.upper() if title.isupper() else title, written, False
        return None
    lvl_text = _numbering_level_text(document, p)
    if lvl_text and lvl_text.strip().upper().startswith("BAB") and text == text.upper():
        return text, "", True
    return None


def body_stats(document: Any, st: Structure, template: dict, eff: EffectiveFormat) -> dict:
    body = template["body"]
    not_font = not_spacing = 0
    paras = document.paragraphs
    for i in st.body:
        e = eff.paragraph(paras[i])
        if not is_tnr12(e, body["font"], float(body["size_pt"])):
            not_font += 1
        if not is_spacing(e, float(body["line_spacing"])):
            not_spacing += 1
    return {"paragraphs": len(st.body), "not_tnr12": not_font, "not_1_5_spacing": not_spacing}


def margins_cm(section: Any) -> dict:
    def cm(v: Any) -> float | None:
        return round(v.cm, 3) if v is not None else None

    return {
        "top": cm(section.top_margin),
        "bottom": cm(section.bottom_margin),
        "left": cm(section.left_margin),
        "right": cm(section.right_margin),
    }


def check_docx(path: Path, template: dict) -> dict:
    doc = open_docx(path)
    eff = EffectiveFormat(doc)
    st = analyse_structure(doc, template, eff)
    stats = body_stats(doc, st, template, eff)
    sec = doc.sections[0] if len(doc.sections) else None
    margins = margins_cm(sec) if sec is not None else {}
    page = template["page"]
    want_m = page["margins_cm"]
    page_ok = True
    for s in doc.sections:
        m = margins_cm(s)
        if any(m[k] is None or abs(m[k] - want_m[k]) > 0.02 for k in want_m):
            page_ok = False
        if (
            s.page_width is None
            or abs(s.page_width.cm - page["width_cm"]) > 0.05
            or s.page_height is None
            or abs(s.page_height.cm - page["height_cm"]) > 0.05
        ):
            page_ok = False
    chapters_ok = all(norm_ws(c["text_before"]) == norm_ws(c["final_text"]) for c in st.chapters)
    subs_ok = all(not s["changed"] for s in st.subheadings)
    body_ok = stats["not_tnr12"] == 0 and stats["not_1_5_spacing"] == 0
    findings = []
    if not st.chapters:
        findings.append("Tidak ditemukan judul bab (BAB I, BAB II, ...). Periksa apakah ini naskah skripsi.")
    if not page_ok:
        findings.append(
            "Ukuran kertas/margin belum sesuai template (A4, atas 4, kiri 4, bawah 3, kanan 3 cm)."
        )
    for c in st.chapters:
        if norm_ws(c["text_before"]) != norm_ws(c["final_text"]):
            findings.append(f"Judul bab '{norm_ws(c['text_before'])}' akan menjadi '{c['final_text']}'.")
    for s in st.subheadings:
        if s["changed"]:
            findings.append(f"Subjudul {s['number_before']} {s['title']} akan dinomori {s['number_after']}.")
    if stats["not_tnr12"]:
        findings.append(f"{stats['not_tnr12']} paragraf isi belum Times New Roman 12 pt.")
    if stats["not_1_5_spacing"]:
        findings.append(f"{stats['not_1_5_spacing']} paragraf isi belum berspasi 1,5.")
    return {
        "kind": "docx",
        "paragraphs": len(doc.paragraphs),
        "tables": len(doc.tables),
        "sections": len(doc.sections),
        "margins_cm": margins,
        "chapters": [
            {k: c[k] for k in ("paragraph_index", "text_before", "final_text")} for c in st.chapters
        ],
        "subheadings": [
            {k: s[k] for k in ("paragraph_index", "number_before", "number_after", "title")}
            for s in st.subheadings
        ],
        "unnumbered_headings": st.unnumbered,
        "body": stats,
        "nothing_to_fix": bool(st.chapters) and page_ok and chapters_ok and subs_ok and body_ok,
        "findings": findings,
    }
