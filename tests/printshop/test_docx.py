"""Thesis DOCX check and template formatting on generated theses."""

from __future__ import annotations

import docx
import pytest

from niaga.printshop.docxmodel import EffectiveFormat, check_docx, is_spacing, is_tnr12, norm_ws
from niaga.printshop.errors import PrintshopInputError
from niaga.printshop.formatter import format_docx
from niaga.printshop.templates import get_template

from . import gen

T = get_template("skripsi")


def test_check_messy_thesis(tmp_path):
    path = tmp_path / "messy.docx"
    truth = gen.thesis_docx(path, chapters=3, messy=True)
    r = check_docx(path, T)
    assert r["paragraphs"] == truth["paragraphs"]
    assert r["margins_cm"] == {"top": 2.54, "bottom": 2.54, "left": 2.54, "right": 2.54}
    assert [(c["paragraph_index"], norm_ws(c["final_text"])) for c in r["chapters"]] == truth["chapters"]
    assert "\n" in r["chapters"][2]["text_before"]
    assert {s["paragraph_index"]: s["number_after"] for s in r["subheadings"]} == {
        i: n for i, n, _t in truth["subheadings"]
    }
    assert r["body"]["paragraphs"] == len(truth["body"])
    assert r["body"]["not_tnr12"] == len(truth["body"]) and r["body"]["not_1_5_spacing"] == len(truth["body"])
    assert r["nothing_to_fix"] is False
    assert [u["text"] for u in r["unnumbered_headings"]] == ["ABSTRAK", "DAFTAR PUSTAKA"]


def test_clean_thesis_has_nothing_to_fix(tmp_path):
    path = tmp_path / "clean.docx"
    gen.thesis_docx(path, chapters=2, messy=False)
    r = check_docx(path, T)
    assert r["body"]["not_tnr12"] == 0 and r["body"]["not_1_5_spacing"] == 0
    assert r["nothing_to_fix"] is True


def test_format_applies_template_and_keeps_text(tmp_path):
    src, out = tmp_path / "messy.docx", tmp_path / "out.docx"
    truth = gen.thesis_docx(src, chapters=3, messy=True, toc=True)
    before = src.read_bytes()
    result = format_docx(src, out, T)
    assert src.read_bytes() == before  # the input is never modified
    assert result["changes"]["toc_marked_for_update"] is True
    d = docx.Document(str(out))
    assert len(d.paragraphs) == truth["paragraphs"]
    for s in d.sections:
        assert (
            round(s.top_margin.cm, 2),
            round(s.left_margin.cm, 2),
            round(s.bottom_margin.cm, 2),
            round(s.right_margin.cm, 2),
        ) == (4.0, 4.0, 3.0, 3.0)
        assert round(s.page_width.cm, 1) == 21.0 and round(s.page_height.cm, 1) == 29.7
    eff = EffectiveFormat(d)
    for i in truth["body"]:
        e = eff.paragraph(d.paragraphs[i])
        assert is_tnr12(e) and is_spacing(e, 1.5), (i, e)
    for i, want in truth["chapters"]:
        assert norm_ws(d.paragraphs[i].text) == want
    for i, num, title in truth["subheadings"]:
        assert norm_ws(d.paragraphs[i].text) == f"{num} {title}"
        assert eff.outline_level(d.paragraphs[i]) == len(num.split(".")) - 1  # found by the ToC
    assert all(eff.outline_level(d.paragraphs[i]) == 0 for i, _ in truth["chapters"])
    heading_idx = {i for i, _ in truth["chapters"]} | {i for i, _n, _t in truth["subheadings"]}
    for i, text in enumerate(truth["texts"]):
        if i not in heading_idx:
            assert norm_ws(d.paragraphs[i].text) == norm_ws(text), i
    assert [[c.text for c in row.cells] for row in d.tables[0].rows] == truth["table_cells"]
    # page numbers: roman front matter, arabic from BAB I
    fmts = [s._sectPr.find(f"{{{gen.W_NS}}}pgNumType").get(f"{{{gen.W_NS}}}fmt") for s in d.sections]
    assert fmts == ["lowerRoman", "decimal"]
    assert b"updateFields" in _part(out, "word/settings.xml")


def _part(path, name):  # type: ignore[no-untyped-def]
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def test_theme_fonts_and_east_asia_are_resolved(tmp_path):
    """Body text whose font comes from the theme (minorHAnsi = Calibri) is not Times New Roman until
    formatted; after formatting no theme reference or eastAsia/cs font is left on body runs."""
    src, out = tmp_path / "theme.docx", tmp_path / "out.docx"
    truth = gen.thesis_docx(src, chapters=2, messy=False)
    d = docx.Document(str(src))
    rpr = d.styles["Normal"].element.get_or_add_rPr()
    rpr.rFonts.set(f"{{{gen.W_NS}}}asciiTheme", "minorHAnsi")
    d.save(str(src))
    r = check_docx(src, T)
    assert r["body"]["not_tnr12"] == len(truth["body"])
    format_docx(src, out, T)
    d2 = docx.Document(str(out))
    eff = EffectiveFormat(d2)
    assert all(is_tnr12(eff.paragraph(d2.paragraphs[i])) for i in truth["body"])
    body_run = d2.paragraphs[truth["body"][0]].runs[0]._r
    fonts = body_run.rPr.rFonts
    assert (
        fonts.get(f"{{{gen.W_NS}}}eastAsia") == "Times New Roman"
        and fonts.get(f"{{{gen.W_NS}}}cs") == "Times New Roman"
        and fonts.get(f"{{{gen.W_NS}}}asciiTheme") is None
    )


def test_docx_without_chapters_is_a_clear_finding(tmp_path):
    src = tmp_path / "surat.docx"
    gen.plain_docx(src)
    r = check_docx(src, T)
    assert r["chapters"] == [] and r["nothing_to_fix"] is False
    assert any("judul bab" in f.lower() for f in r["findings"])
    with pytest.raises(PrintshopInputError) as ei:
        format_docx(src, tmp_path / "out.docx", T)
    assert ei.value.code == "no_chapters" and "BAB I" in ei.value.message
    assert not (tmp_path / "out.docx").exists()


def test_business_template_override_merges_over_packaged():
    t = get_template("skripsi", {"page": {"margins_cm": {"top": 3.0}}, "body": {"line_spacing": 2.0}})
    assert t["page"]["margins_cm"] == {"top": 3.0, "left": 4.0, "bottom": 3.0, "right": 3.0}
    assert t["body"]["line_spacing"] == 2.0 and t["body"]["font"] == "Times New Roman"
    with pytest.raises(PrintshopInputError):
        get_template("tidak-ada")


def _numbering_chapters(path):  # type: ignore[no-untyped-def]
    """Chapters typed as plain titles on a Word numbering list whose level text is 'BAB %1'."""
    from docx.oxml import parse_xml

    d = docx.Document()
    numbering = d.part.numbering_part.element
    ns = f'xmlns:w="{gen.W_NS}"'
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum {ns} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            '<w:numFmt w:val="upperRoman"/><w:lvlText w:val="BAB %1"/></w:lvl></w:abstractNum>'
        ),
    )
    numbering.append(parse_xml(f'<w:num {ns} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    d.add_paragraph("ABSTRAK")
    d.add_paragraph(gen.LOREM)
    idx = []
    for title in ("PENDAHULUAN", "LANDASAN TEORI"):
        p = d.add_paragraph(title)
        p._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {ns}><w:ilvl w:val="0"/><w:numId w:val="90"/></w:numPr>')
        )
        idx.append(len(d.paragraphs) - 1)
        d.add_paragraph("1.1 Subjudul")
        d.add_paragraph(gen.LOREM)
    d.add_paragraph("DAFTAR PUSTAKA")
    d.save(str(path))
    return idx


def test_chapters_on_a_word_numbering_list(tmp_path):
    src, out = tmp_path / "num.docx", tmp_path / "out.docx"
    idx = _numbering_chapters(src)
    r = check_docx(src, T)
    assert [(c["paragraph_index"], c["final_text"]) for c in r["chapters"]] == [
        (idx[0], "BAB I PENDAHULUAN"),
        (idx[1], "BAB II LANDASAN TEORI"),
    ]
    assert [s["number_after"] for s in r["subheadings"]] == ["1.1", "2.1"]
    format_docx(src, out, T)
    d = docx.Document(str(out))
    assert [norm_ws(d.paragraphs[i].text) for i in idx] == ["BAB I PENDAHULUAN", "BAB II LANDASAN TEORI"]
    assert d.paragraphs[idx[0]]._p.pPr.numPr is None  # typed now, so it no longer depends on the list


def test_business_template_override_from_the_database(db):
    from niaga.printshop.models import PrintTemplate
    from niaga.printshop.templates import template_for_business

    from .. import factories as f

    b = f.make_business(db, slug="fotokopi-x")
    db.add(
        PrintTemplate(
            business_id=b.id, name="skripsi", label="Kampus X", data={"page": {"margins_cm": {"left": 3.5}}}
        )
    )
    db.flush()
    t = template_for_business(db, b.id, "skripsi")
    assert t["page"]["margins_cm"]["left"] == 3.5 and t["page"]["margins_cm"]["top"] == 4.0
    assert template_for_business(db, None, "skripsi")["page"]["margins_cm"]["left"] == 4.0


def test_typed_table_of_contents_and_title_on_its_own_line(tmp_path):
    """DAFTAR ISI lines ("BAB I PENDAHULUAN ..... 1", "1.1 Latar Belakang<TAB>2") are neither chapters nor
    sub-headings; a chapter typed as "BAB 2" alone (title in the next paragraph) is still chapter II."""
    d = docx.Document()
    d.add_paragraph("DAFTAR ISI")
    d.add_paragraph("BAB I PENDAHULUAN ........ 1")
    d.add_paragraph("1.1 Latar Belakang\t2")
    d.add_paragraph("BAB II TINJAUAN PUSTAKA\t5")
    d.add_paragraph("BAB I PENDAHULUAN", style="Heading 1")
    d.add_paragraph("1.1 Latar Belakang")
    d.add_paragraph(gen.LOREM)
    p = d.add_paragraph()
    p.add_run("BAB 3").bold = True
    d.add_paragraph("TINJAUAN PUSTAKA")
    d.add_paragraph("3.1 Teori")
    d.add_paragraph(gen.LOREM)
    path = tmp_path / "toc.docx"
    d.save(str(path))
    r = check_docx(path, T)
    assert [(c["paragraph_index"], c["final_text"]) for c in r["chapters"]] == [
        (4, "BAB I PENDAHULUAN"),
        (7, "BAB II"),
    ]
    assert [(s["paragraph_index"], s["number_after"]) for s in r["subheadings"]] == [(5, "1.1"), (9, "2.1")]
    out = tmp_path / "out.docx"
    format_docx(path, out, T)
    d2 = docx.Document(str(out))
    assert [d2.paragraphs[i].text for i in (1, 2, 3)] == [d.paragraphs[i].text for i in (1, 2, 3)]
    assert d2.paragraphs[7].text == "BAB II" and d2.paragraphs[8].text == "TINJAUAN PUSTAKA"


def test_table_of_contents_without_page_numbers(tmp_path):
    d = docx.Document()
    d.add_paragraph("DAFTAR ISI").runs[0].bold = True
    for line in ("BAB I PENDAHULUAN", "1.1 Latar Belakang", "BAB II TINJAUAN PUSTAKA"):
        d.add_paragraph(line)
    for title, sub in (("BAB I PENDAHULUAN", "1.1 Latar Belakang"), ("BAB II TINJAUAN PUSTAKA", "2.1 Teori")):
        d.add_paragraph(title, style="Heading 1")
        d.add_paragraph(sub)
        d.add_paragraph(gen.LOREM)
    path = tmp_path / "toc2.docx"
    d.save(str(path))
    r = check_docx(path, T)
    assert [c["paragraph_index"] for c in r["chapters"]] == [4, 7]
    assert [s["paragraph_index"] for s in r["subheadings"]] == [5, 8]
    assert r["body"]["paragraphs"] == 2
