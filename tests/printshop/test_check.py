"""`check` on generated scans and phone photos: page findings and photo geometry."""

from __future__ import annotations

import pytest

from niaga.printshop.pdfcheck import check_pdf
from niaga.printshop.photo import check_image

from . import gen


def test_scan_findings_are_exact(tmp_path):
    pdf = tmp_path / "scan.pdf"
    gen.scan_pdf(pdf, ["text", "blank", "text", "blur", "rot90", "speckle", "colour", "rot180", "text"])
    r = check_pdf(pdf)
    assert r["pages"] == 9
    assert r["blank_pages"] == [2, 6]
    assert r["blur_pages"] == [4]
    assert sorted((x["page"], x["fix_rotate_cw_deg"]) for x in r["rotated_pages"]) == [(5, 90), (8, 180)]
    assert r["colour_pages"] == [7]
    assert any("kosong" in f for f in r["findings"])


def test_thresholds_do_not_depend_on_scan_resolution(tmp_path):
    """Pages are measured at a fixed rendering width, so a 200 dpi scan gives the same findings."""
    pdf = tmp_path / "scan200.pdf"
    gen.scan_pdf(pdf, ["text", "blank", "blur", "colour"], dpi=200)
    r = check_pdf(pdf)
    assert (r["blank_pages"], r["blur_pages"], r["colour_pages"], r["rotated_pages"]) == ([2], [3], [4], [])


@pytest.mark.parametrize(
    ("kind", "angle"), [("page", 8.0), ("page", -11.0), ("id_card", -9.0), ("id_card", 4.0)]
)
def test_photo_corners_and_skew(tmp_path, kind, angle):
    jpg = tmp_path / "photo.jpg"
    size = (1280, 960) if kind == "id_card" else (1200, 1600)
    truth = gen.photo_of_object(jpg, kind=kind, angle_deg=angle, size=size)
    r = check_image(jpg)
    assert r["kind"] == "image" and r["object"] == kind
    assert abs(r["skew_deg"] - truth["skew_deg"]) <= 1.0
    for name, (x, y) in truth["corners"].items():
        gx, gy = r["corners"][name]
        assert abs(gx - x) <= 6 and abs(gy - y) <= 6, (name, (gx, gy), (x, y))


def test_photo_to_a4_puts_an_id_card_at_real_size(tmp_path):
    import pypdf

    from niaga.printshop.photo import images_to_a4_pdf, page_image_for_print

    front, back = tmp_path / "front.jpg", tmp_path / "back.jpg"
    gen.photo_of_object(front, kind="id_card", angle_deg=-7, size=(1280, 960))
    gen.photo_of_object(back, kind="id_card", angle_deg=5, size=(1280, 960), seed=9)
    items = []
    for f in (front, back):
        flat, obj = page_image_for_print(f)
        assert obj.kind == "id_card"
        assert abs(flat.shape[1] / flat.shape[0] - 85.6 / 54) < 0.02
        items.append((flat, obj.kind))
    out = tmp_path / "ktp.pdf"
    assert images_to_a4_pdf([items], out) == 1
    page = pypdf.PdfReader(str(out)).pages[0]
    assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842
    # both card images are drawn 85.6 mm wide (242.6 pt)
    content = page.get_contents().get_data().decode("latin-1")
    assert content.count("242.6") >= 2


def test_born_digital_pages(tmp_path):
    """Pages without raster images take the half-width path: colour, blank and upside-down are found, a
    table of digits and rules is not mistaken for upside-down text, and nothing vector is 'blurred'."""
    pdf = tmp_path / "digital.pdf"
    gen.vector_pdf(pdf, ["text", "blank", "colour", "upside_down", "table", "text"])
    r = check_pdf(pdf, with_metrics=True)
    assert all(m["vector"] for m in r["metrics"])
    assert r["blank_pages"] == [2] and r["colour_pages"] == [3] and r["blur_pages"] == []
    assert r["rotated_pages"] == [{"page": 4, "fix_rotate_cw_deg": 180}]


def test_born_digital_quarter_turn_from_text_layer(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "r.pdf"
    w, h = A4
    c = canvas.Canvas(str(pdf), pagesize=A4)
    for angle in (90, 270):
        c.translate(w / 2, h / 2)
        c.rotate(angle)  # counter-clockwise: the fix is the same angle clockwise
        c.setFont("Times-Roman", 12)
        for i in range(25):
            c.drawString(-300, 200 - i * 16, gen.LOREM[:80])
        c.showPage()
    c.save()
    r = check_pdf(pdf)
    assert r["rotated_pages"] == [{"page": 1, "fix_rotate_cw_deg": 90}, {"page": 2, "fix_rotate_cw_deg": 270}]


def test_heic_photo(tmp_path):
    """iPhone photos arrive as HEIC: read through pillow-heif like any JPEG."""
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    jpg, heic = tmp_path / "p.jpg", tmp_path / "IMG_0001.HEIC"
    truth = gen.photo_of_object(jpg, kind="page", angle_deg=6)
    Image.open(jpg).save(heic, format="HEIF", quality=90)
    from niaga.printshop.service import check_file

    r = check_file(heic)
    assert r["kind"] == "image" and abs(r["skew_deg"] - 6) <= 1
    assert all(
        abs(a - b) <= 6
        for k in truth["corners"]
        for a, b in zip(r["corners"][k], truth["corners"][k], strict=True)
    )


def test_photo_in_perspective_with_shadow(tmp_path):
    """Corners come from lines fitted to the page's sides, so a trapezoid (photo taken at an angle) is
    measured as well as a rotated rectangle; straightening gives an upright page."""
    import math

    from niaga.printshop.photo import page_image_for_print

    corners = {
        "top_left": [230.0, 260.0],
        "top_right": [1010.0, 190.0],
        "bottom_right": [1090.0, 1420.0],
        "bottom_left": [140.0, 1330.0],
    }
    jpg = tmp_path / "miring.jpg"
    gen.photo_of_page_quad(jpg, corners)
    r = check_image(jpg)
    for k, (x, y) in corners.items():
        assert abs(r["corners"][k][0] - x) <= 6 and abs(r["corners"][k][1] - y) <= 6, k
    tl, tr = corners["top_left"], corners["top_right"]
    assert abs(r["skew_deg"] - math.degrees(math.atan2(-(tr[1] - tl[1]), tr[0] - tl[0]))) <= 1
    flat, obj = page_image_for_print(jpg)
    assert obj.kind == "page" and flat.shape[0] > flat.shape[1]
    # shadow evened out: left and right margins of the straightened page are equally light
    assert abs(float(flat[:, :40].mean()) - float(flat[:, -40:].mean())) < 12
