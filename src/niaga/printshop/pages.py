"""Page-image measurements shared by the PDF check and photo pages: blank, blur, colour and text orientation.

Every threshold lives in settings (`printshop_*`) with the reasoning next to it; the functions here only take
an RGB page image (numpy array, H x W x 3, uint8) rendered at the fixed width `printshop_render_width_px`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from niaga.settings import get_settings

MARGIN_FRACTION = 0.06
# Scanner speckle on a blank sheet covers well under 0.5 % of the page (~3 cm^2 of an A4 inner area); above
# 5 cm^2 of dark pixels a page is content (or so dirty that staff must look at it) without sizing every mark.
CLEARLY_CONTENT_CM2 = 5.0  # scanner edges, punch holes and page shadows live in the outer 6 % of each side


@dataclass
class PageFindings:
    blank: bool
    blur: bool
    colour: bool
    fix_rotate_cw_deg: int
    metrics: dict


def _inner(a: Any) -> Any:
    h, w = a.shape[:2]
    my, mx = int(h * MARGIN_FRACTION), int(w * MARGIN_FRACTION)
    return a[my : h - my, mx : w - mx]


def analyse_page(rgb: Any, px_per_cm: float, vector: bool = False) -> PageFindings:
    """Findings for one page image. `vector`: a born-digital page (no raster image on it), rendered at half
    the width: it has no scanner speckle (every dark pixel is content), cannot be blurred, and its colour and
    text orientation read the same at 75 dpi."""
    import cv2
    import numpy as np

    s = get_settings()
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    inner = _inner(gray)
    if vector:  # every dark pixel of a born-digital page is content
        ink_cm2 = cv2.countNonZero(cv2.threshold(inner, 127, 255, cv2.THRESH_BINARY_INV)[1]) / px_per_cm**2
    else:
        ink_cm2 = _letter_ink_cm2(inner, px_per_cm)
    blank = ink_cm2 < s.printshop_blank_ink_cm2
    metrics: dict = {"ink_cm2": round(ink_cm2, 3), "vector": vector}

    blur = False
    if not blank and not vector:
        lap = cv2.Laplacian(gray, cv2.CV_16S)
        _mean, std = cv2.meanStdDev(lap)
        lap_var = float(std[0][0]) ** 2
        inkish = float(cv2.countNonZero(cv2.threshold(gray, 199, 255, cv2.THRESH_BINARY_INV)[1])) / gray.size
        energy = lap_var / max(inkish, 1e-4)
        metrics.update(laplacian_var=round(lap_var, 1), edge_energy=round(energy, 1))
        blur = energy < s.printshop_blur_edge_energy

    # colour: saturated pixels (beyond paper tint), measured as an area on paper. Computed at half resolution
    # (area averaging), which also dissolves isolated JPEG chroma specks at glyph edges.
    f = 1.0 if vector else 0.5
    half = rgb if vector else cv2.resize(rgb, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    r, g, b = cv2.split(half)
    chroma = cv2.subtract(cv2.max(cv2.max(r, g), b), cv2.min(cv2.min(r, g), b))
    sat = cv2.threshold(chroma, s.printshop_colour_chroma, 1, cv2.THRESH_BINARY)[1]
    sat = cv2.morphologyEx(sat, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    colour_cm2 = float(cv2.countNonZero(sat)) / (f * f) / (px_per_cm * px_per_cm)
    metrics["colour_cm2"] = round(colour_cm2, 2)
    colour = colour_cm2 >= s.printshop_colour_min_area_cm2

    # born-digital pages take their direction from the text layer (pdfcheck); scans from the ink
    fix = 0 if blank or vector else text_fix_rotation(inner < 160, px_per_cm)
    return PageFindings(blank=blank, blur=blur, colour=colour, fix_rotate_cw_deg=fix, metrics=metrics)


def _letter_ink_cm2(gray: Any, px_per_cm: float) -> float:
    """Area (cm^2 on paper) of dark marks at least letter-sized. Scanner speckle and dust are dots well under
    1 mm across (dots of 1-5 px at 150 dpi), while the x-height of 8 pt text is already ~1.3 mm, so marks smaller
    than 1.2 mm in both directions are not ink."""
    import cv2

    mask = cv2.threshold(gray, 127, 255, cv2.THRESH_BINARY_INV)[1]
    raw = cv2.countNonZero(mask) / (px_per_cm * px_per_cm)
    if raw < get_settings().printshop_blank_ink_cm2:
        return raw  # even counting every speck, too little to be content
    if raw > CLEARLY_CONTENT_CM2:
        return raw  # far more dark area than scanner speckle leaves: the blank test is decided already
    _n, _labels, stats, _c = cv2.connectedComponentsWithStats(mask, connectivity=8)
    min_px = 0.12 * px_per_cm
    keep = (stats[1:, cv2.CC_STAT_WIDTH] >= min_px) | (stats[1:, cv2.CC_STAT_HEIGHT] >= min_px)
    return float(stats[1:, cv2.CC_STAT_AREA][keep].sum()) / (px_per_cm * px_per_cm)


# A printed text line (8-16 pt body text, headings up to ~24 pt) is 1.5-10 mm tall; taller dark bands are
# tables, rules or pictures and say nothing about the text direction.
LINE_MIN_CM, LINE_MAX_CM = 0.15, 1.0
MIN_LINES = 3
# Upright body text puts 3-10 % of its line ink in ascenders beyond descenders; digits, tables and rules sit
# near 0. A page is called upside down only below -2 %.
UPSIDE_DOWN_MARGIN = 0.02


def _line_asymmetry(mask: Any, px_per_cm: float) -> float:
    """For horizontal text lines in `mask` (True = ink): ink above the x-height core minus ink below it,
    summed over lines, as a fraction of the lines' ink. Latin script puts ascenders and capitals above the core far more
    often than descenders below it, so upright text scores > 0 and upside-down text < 0. 0 when fewer than
    MIN_LINES text-line-sized bands exist (no evidence)."""
    import numpy as np

    prof = mask.sum(axis=1).astype(np.float64)
    if prof.max() <= 0:
        return 0.0
    on = prof > max(2.0, 0.02 * prof.max())
    lo, hi = LINE_MIN_CM * px_per_cm, LINE_MAX_CM * px_per_cm
    above = below = ink = 0.0
    lines = 0
    y, n = 0, len(prof)
    while y < n:
        if not on[y]:
            y += 1
            continue
        y0 = y
        while y < n and on[y]:
            y += 1
        seg = prof[y0:y]
        if not (lo <= len(seg) <= hi):
            continue
        core = np.nonzero(seg >= 0.5 * seg.max())[0]
        c0, c1 = core[0], core[-1]
        above += float(seg[:c0].sum())
        below += float(seg[c1 + 1 :].sum())
        ink += float(seg.sum())
        lines += 1
    return 0.0 if ink <= 0 or lines < MIN_LINES else (above - below) / ink


def text_fix_rotation(mask: Any, px_per_cm: float) -> int:
    """Clockwise rotation (0/90/180/270) that makes the text in an ink mask upright (0 when unsure)."""
    import numpy as np

    s = get_settings()
    rows = mask.sum(axis=1).astype(np.float64)
    cols = mask.sum(axis=0).astype(np.float64)
    if rows.sum() < 50:
        return 0
    # compare the profiles inside the text block only: the page around it would look like variation
    ry, cx = np.nonzero(rows)[0], np.nonzero(cols)[0]
    rows, cols = rows[ry[0] : ry[-1] + 1], cols[cx[0] : cx[-1] + 1]
    # text lines: the profile across lines alternates ink/gap, along lines it is flat
    rv = float(np.std(rows) / (np.mean(rows) + 1e-9))
    cv = float(np.std(cols) / (np.mean(cols) + 1e-9))
    if cv > rv * s.printshop_rotation_profile_ratio:
        # lines run vertically: try both quarter turns
        a_cw = _line_asymmetry(np.rot90(mask, k=-1), px_per_cm)  # page turned 90 degrees clockwise
        a_ccw = _line_asymmetry(np.rot90(mask, k=1), px_per_cm)
        if a_cw == a_ccw == 0.0:
            return 0
        return 90 if a_cw >= a_ccw else 270
    return 180 if _line_asymmetry(mask, px_per_cm) < -UPSIDE_DOWN_MARGIN else 0
