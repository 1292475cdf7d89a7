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


def analyse_page(rgb: Any, px_per_cm: float) -> PageFindings:
    import cv2
    import numpy as np

    s = get_settings()
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    inner = _inner(gray)
    ink_cm2 = _letter_ink_cm2(inner, px_per_cm)
    blank = ink_cm2 < s.printshop_blank_ink_cm2
    metrics: dict = {"ink_cm2": round(ink_cm2, 3)}

    blur = False
    if not blank:
        lap = cv2.Laplacian(gray, cv2.CV_16S)
        _mean, std = cv2.meanStdDev(lap)
        lap_var = float(std[0][0]) ** 2
        inkish = float(cv2.countNonZero(cv2.threshold(gray, 199, 255, cv2.THRESH_BINARY_INV)[1])) / gray.size
        energy = lap_var / max(inkish, 1e-4)
        metrics.update(laplacian_var=round(lap_var, 1), edge_energy=round(energy, 1))
        blur = energy < s.printshop_blur_edge_energy

    # colour: saturated pixels (beyond paper tint), measured as an area on paper. Computed at half resolution
    # (area averaging), which also dissolves isolated JPEG chroma specks at glyph edges.
    half = cv2.resize(rgb, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    r, g, b = cv2.split(half)
    chroma = cv2.subtract(cv2.max(cv2.max(r, g), b), cv2.min(cv2.min(r, g), b))
    sat = cv2.threshold(chroma, s.printshop_colour_chroma, 1, cv2.THRESH_BINARY)[1]
    sat = cv2.morphologyEx(sat, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    colour_cm2 = float(cv2.countNonZero(sat)) * 4.0 / (px_per_cm * px_per_cm)
    metrics["colour_cm2"] = round(colour_cm2, 2)
    colour = colour_cm2 >= s.printshop_colour_min_area_cm2

    fix = 0 if blank else text_fix_rotation(inner < 160)
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


def _line_asymmetry(mask: Any) -> float:
    """For horizontal text lines in `mask` (True = ink): ink above the x-height core minus ink below it,
    summed over lines and normalised. Latin script puts ascenders and capitals above the core far more
    often than descenders below it, so upright text scores > 0 and upside-down text < 0."""
    import numpy as np

    prof = mask.sum(axis=1).astype(np.float64)
    if prof.max() <= 0:
        return 0.0
    on = prof > max(2.0, 0.02 * prof.max())
    above = below = 0.0
    y, n = 0, len(prof)
    while y < n:
        if not on[y]:
            y += 1
            continue
        y0 = y
        while y < n and on[y]:
            y += 1
        seg = prof[y0:y]
        if len(seg) < 4:
            continue
        core = np.nonzero(seg >= 0.5 * seg.max())[0]
        c0, c1 = core[0], core[-1]
        above += float(seg[:c0].sum())
        below += float(seg[c1 + 1 :].sum())
    total = above + below
    return 0.0 if total <= 0 else (above - below) / total


def text_fix_rotation(mask: Any) -> int:
    """Clockwise rotation (0/90/180/270) that makes the text in an ink mask upright."""
    import numpy as np

    s = get_settings()
    small = mask
    rows = small.sum(axis=1).astype(np.float64)
    cols = small.sum(axis=0).astype(np.float64)
    if rows.sum() < 50:
        return 0
    # text lines: the profile across lines alternates ink/gap, along lines it is flat
    rv = float(np.std(rows) / (np.mean(rows) + 1e-9))
    cv = float(np.std(cols) / (np.mean(cols) + 1e-9))
    if cv > rv * s.printshop_rotation_profile_ratio:
        # lines run vertically: try both quarter turns
        cw = np.rot90(small, k=-1)  # rotated 90 degrees clockwise
        return 90 if _line_asymmetry(cw) >= _line_asymmetry(np.rot90(small, k=1)) else 270
    return 180 if _line_asymmetry(small) < 0 else 0
