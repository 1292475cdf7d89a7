"""Photos to pages: find the paper page or ID card in a phone photo, straighten it and place it on A4.

Corner convention (as the fixtures): [x, y] in pixels, origin at the centre of the top-left pixel, the
object's own corners in its upright frame; skew_deg = degrees(atan2(-(tr.y - tl.y), tr.x - tl.x)), positive
when the object is turned counter-clockwise. An object turned by more than 45 degrees is taken as the nearest
upright orientation (a photo of a page is shot roughly upright).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from niaga.printshop.errors import PrintshopInputError

ID_CARD_MM = (85.6, 54.0)  # ISO/IEC 7810 ID-1, the KTP format
ID_CARD_ASPECT = ID_CARD_MM[0] / ID_CARD_MM[1]  # 1.585
A4_MM = (210.0, 297.0)
PAGE_ASPECT = A4_MM[1] / A4_MM[0]  # 1.414
MAX_SIDE_PX = 1600  # detection works on at most this size; corners are scaled back


@dataclass
class FoundObject:
    corners: dict  # top_left/top_right/bottom_right/bottom_left -> [x, y]
    skew_deg: float
    kind: str  # "id_card" | "page"
    size_px: tuple  # (width, height) of the object in its own frame
    area_fraction: float


def load_image(path: Path) -> Any:
    """RGB uint8 array; HEIC through pillow-heif when installed; EXIF orientation applied."""
    import numpy as np
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        try:
            from pillow_heif import register_heif_opener

            register_heif_opener()
        except ImportError:  # HEIC support is optional
            pass
        Image.MAX_IMAGE_PIXELS = 80_000_000
        with Image.open(path) as raw:
            upright = ImageOps.exif_transpose(raw)
            return np.asarray(upright.convert("RGB"))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as exc:
        raise PrintshopInputError("corrupt", f"Foto {path.name} rusak atau tidak dapat dibaca.") from exc


def _line_through(points: Any) -> tuple:
    import cv2

    vx, vy, x0, y0 = cv2.fitLine(points.astype("float32"), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    return float(x0), float(y0), float(vx), float(vy)


def _intersect(a: tuple, b: tuple) -> tuple:
    x1, y1, dx1, dy1 = a
    x2, y2, dx2, dy2 = b
    det = dx1 * (-dy2) - dy1 * (-dx2)
    if abs(det) < 1e-9:
        return x1, y1
    t = ((x2 - x1) * (-dy2) - (y2 - y1) * (-dx2)) / det
    return x1 + t * dx1, y1 + t * dy1


def _object_mask(rgb: Any) -> Any:
    """Foreground mask of a light, low-saturation object (paper, card) on a darker or more colourful surface."""
    import cv2
    import numpy as np

    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    sat = hsv[:, :, 1].astype(np.float32)
    val = hsv[:, :, 2].astype(np.float32)
    # paper is bright and grey; desks and tables are darker and/or saturated
    score = cv2.GaussianBlur(val - 0.8 * sat, (5, 5), 0)
    score = cv2.normalize(score, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)  # type: ignore[call-overload]
    _t, mask = cv2.threshold(score, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    k = max(3, round(min(rgb.shape[:2]) / 150) | 1)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((k * 3, k * 3), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
    return mask


def find_object(rgb: Any) -> FoundObject:
    import cv2
    import numpy as np

    h0, w0 = rgb.shape[:2]
    scale = min(1.0, MAX_SIDE_PX / max(h0, w0))
    img = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    mask = _object_mask(img)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        raise PrintshopInputError(
            "no_page", "Halaman atau kartu tidak ditemukan di foto. Foto ulang di atas alas gelap."
        )
    cnt = max(contours, key=cv2.contourArea)
    area_fraction = cv2.contourArea(cnt) / float(img.shape[0] * img.shape[1])
    if area_fraction < 0.05:
        raise PrintshopInputError("no_page", "Halaman atau kartu terlalu kecil di foto. Foto lebih dekat.")
    hull = cv2.convexHull(cnt)
    peri = cv2.arcLength(hull, True)
    quad = None
    for eps in (0.01, 0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            quad = approx.reshape(4, 2).astype(np.float64)
            break
    if quad is None:  # rounded corners or a ragged outline: the minimum-area rectangle
        quad = cv2.boxPoints(cv2.minAreaRect(hull)).astype(np.float64)
    # refine each side with a line fitted to the contour points near its middle (skips rounded corners)
    pts = cnt.reshape(-1, 2).astype(np.float64)
    lines = []
    for i in range(4):
        p, q = quad[i], quad[(i + 1) % 4]
        d = q - p
        length = float(np.hypot(*d)) or 1.0
        u = d / length
        n = np.array([-u[1], u[0]])
        rel = pts - p
        along = rel @ u
        across = np.abs(rel @ n)
        sel = pts[(along > 0.15 * length) & (along < 0.85 * length) & (across < max(4.0, 0.02 * length))]
        lines.append(_line_through(sel) if len(sel) >= 10 else (p[0], p[1], u[0], u[1]))
    corners = np.array([_intersect(lines[i - 1], lines[i]) for i in range(4)])
    corners /= scale
    named = _name_corners(corners)
    tl, tr, br, bl = (np.array(named[k]) for k in ("top_left", "top_right", "bottom_right", "bottom_left"))
    width = float(np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = float(np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    aspect = max(width, height) / max(1.0, min(width, height))
    kind = (
        "id_card" if abs(aspect - ID_CARD_ASPECT) < abs(aspect - PAGE_ASPECT) and width > height else "page"
    )
    skew = math.degrees(math.atan2(-(tr[1] - tl[1]), tr[0] - tl[0]))
    return FoundObject(
        corners={k: [round(float(v[0]), 1), round(float(v[1]), 1)] for k, v in named.items()},
        skew_deg=round(skew, 2),
        kind=kind,
        size_px=(float(width), float(height)),
        area_fraction=round(area_fraction, 3),
    )


def _name_corners(c: Any) -> dict:
    """Name four corners in the object's upright frame (rotation within +-45 degrees)."""
    import numpy as np

    centre = c.mean(axis=0)
    ang = np.arctan2(c[:, 1] - centre[1], c[:, 0] - centre[0])  # image coords, y down
    order = np.argsort(ang)  # clockwise on screen starting from the left-ish/up-ish corner
    c = c[order]
    # pick the edge that is most horizontal and highest as the top edge
    best, best_key = 0, None
    for i in range(4):
        p, q = c[i], c[(i + 1) % 4]
        dx, dy = q[0] - p[0], q[1] - p[1]
        if dx <= 0 or abs(dy) > abs(dx):
            continue
        key = (p[1] + q[1]) / 2
        if best_key is None or key < best_key:
            best, best_key = i, key
    tl, tr, br, bl = (c[(best + k) % 4] for k in range(4))
    return {"top_left": tl, "top_right": tr, "bottom_right": br, "bottom_left": bl}


def check_image(path: Path) -> dict:
    rgb = load_image(path)
    obj = find_object(rgb)
    h, w = rgb.shape[:2]
    findings: list[str] = []
    out = {
        "kind": "image",
        "object": obj.kind,
        "image_size": [w, h],
        "skew_deg": obj.skew_deg,
        "corners": obj.corners,
        "object_size_px": [round(obj.size_px[0], 1), round(obj.size_px[1], 1)],
        "findings": findings,
    }
    if abs(obj.skew_deg) > 1.0:
        findings.append(f"Foto miring {obj.skew_deg:.1f}°; diluruskan otomatis.")
    return out


def straighten(rgb: Any, obj: FoundObject, px_per_mm: float | None = None) -> Any:
    """Perspective-correct the object to an upright rectangle (its measured proportions, or the ID-card
    proportions for a card)."""
    import cv2
    import numpy as np

    w, h = obj.size_px
    if obj.kind == "id_card":
        h = w / ID_CARD_ASPECT
    if px_per_mm:
        base_mm = ID_CARD_MM if obj.kind == "id_card" else (w / h * A4_MM[1], A4_MM[1])
        w, h = base_mm[0] * px_per_mm, base_mm[1] * px_per_mm
    src = np.array(
        [obj.corners[k] for k in ("top_left", "top_right", "bottom_right", "bottom_left")], np.float32
    )
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(
        rgb, m, (round(w), round(h)), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )


def enhance(rgb: Any) -> Any:
    """Even out shadows (divide by a blurred background estimate) and stretch contrast for printing."""
    import cv2
    import numpy as np

    k = max(15, (min(rgb.shape[:2]) // 12) | 1)
    out = np.empty_like(rgb)
    for ch in range(3):
        c = rgb[:, :, ch]
        bg = cv2.morphologyEx(c, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
        bg = cv2.GaussianBlur(bg, (k, k), 0)
        norm = cv2.divide(c.astype(np.float32), bg.astype(np.float32) + 1.0, scale=255.0)
        out[:, :, ch] = np.clip(norm, 0, 255).astype(np.uint8)
    lo, hi = np.percentile(out, (1, 99.5))
    if hi - lo > 10:
        out = np.clip((out.astype(np.float32) - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)
    return out


def page_image_for_print(path: Path, dpi: int = 200) -> tuple:
    """(straightened and enhanced RGB array, FoundObject) for one photo."""
    rgb = load_image(path)
    obj = find_object(rgb)
    flat = straighten(rgb, obj, px_per_mm=dpi / 25.4 if obj.kind == "id_card" else None)
    if obj.kind == "page":
        flat = enhance(flat)
    return flat, obj


def images_to_a4_pdf(pages: list, out: Path) -> int:
    """Write photos as A4 pages. `pages` is a list of lists of (RGB array, kind): one inner list per page; ID
    cards are printed at 85.6 x 54 mm (front above back), pages fill the printable area keeping proportions."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(out), pagesize=A4)
    pw, ph = A4
    for items in pages:
        cards = [im for im, kind in items if kind == "id_card"]
        others = [im for im, kind in items if kind != "id_card"]
        if cards:
            y = ph - 40 * mm
            for im in cards[:2]:
                cw, ch = ID_CARD_MM[0] * mm, ID_CARD_MM[1] * mm
                c.drawImage(ImageReader(Image.fromarray(im)), (pw - cw) / 2, y - ch, cw, ch)
                y -= ch + 15 * mm
        for im in others[:1]:
            margin = 10 * mm
            ih, iw = im.shape[:2]
            s = min((pw - 2 * margin) / iw, (ph - 2 * margin) / ih)
            c.drawImage(
                ImageReader(Image.fromarray(im)), (pw - iw * s) / 2, (ph - ih * s) / 2, iw * s, ih * s
            )
        c.showPage()
    c.save()
    return len(pages)
