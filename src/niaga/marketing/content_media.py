"""Posters (Pillow) and short slideshow videos (ffmpeg) for the content studio.

Posters: 1080x1080 (feed) or 1080x1920 (story) from a product photo, its name and price (from the
catalogue), a promo line, the business's colours (settings.branding.primary/secondary) and logo, in the
bundled DejaVu fonts (open licence, full Indonesian character coverage). Every text is fitted into its box:
wrapped, then shrunk down to a minimum size, then cut with an ellipsis, so it never overflows; the layout
(the boxes and the text drawn in them) is returned with the image so tests can check it.

Videos: a 9:16 slideshow (720x1280, H.264 + AAC, at most 60 s) of story posters of the products with an
optional music file (else a silent AAC track), checked with ffprobe before it is returned.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageColor, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from niaga.kit.errors import AppError, ValidationFailed
from niaga.kit.money import format_rupiah

FONTS = Path(__file__).resolve().parent / "fonts"
FONT_REGULAR = FONTS / "DejaVuSans.ttf"
FONT_BOLD = FONTS / "DejaVuSans-Bold.ttf"
FORMATS = {"feed": (1080, 1080), "story": (1080, 1920)}
DEFAULT_PRIMARY = "#7A2E1F"
DEFAULT_SECONDARY = "#F6E7C8"
VIDEO_SIZE = (720, 1280)
MAX_VIDEO_SECONDS = 60
MAX_SLIDES = 12


class MediaError(AppError):
    code = "media_error"
    status = 422


@dataclass
class TextBox:
    name: str
    box: tuple[int, int, int, int]  # x0, y0, x1, y1
    lines: list[str]
    size: int
    bounds: list[tuple[int, int, int, int]] = field(default_factory=list)  # each drawn line's bbox
    truncated: bool = False


@dataclass
class Poster:
    image: Image.Image
    boxes: list[TextBox]

    def png(self) -> bytes:
        buf = io.BytesIO()
        self.image.save(buf, "PNG", optimize=True)
        return buf.getvalue()

    def jpeg(self) -> bytes:
        buf = io.BytesIO()
        self.image.convert("RGB").save(buf, "JPEG", quality=90)
        return buf.getvalue()


def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def _width(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont) -> int:
    x0, _, x1, _ = draw.textbbox((0, 0), text, font=font)
    return int(x1 - x0)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        words = para.split()
        cur = ""
        for w in words:
            trial = f"{cur} {w}".strip()
            if _width(draw, trial, font) <= width:
                cur = trial
                continue
            if cur:
                lines.append(cur)
            # a single word wider than the box is broken by characters
            while _width(draw, w, font) > width and len(w) > 1:
                cut = len(w)
                while cut > 1 and _width(draw, w[:cut], font) > width:
                    cut -= 1
                lines.append(w[:cut])
                w = w[cut:]
            cur = w
        if cur:
            lines.append(cur)
    return lines


def _ellipsize(draw: ImageDraw.ImageDraw, line: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    while line and _width(draw, line + "…", font) > width:
        line = line[:-1].rstrip()
    return line + "…"


def fit_text(
    draw: ImageDraw.ImageDraw,
    name: str,
    text: str,
    box: tuple[int, int, int, int],
    *,
    font_path: Path,
    max_size: int,
    min_size: int,
    max_lines: int,
    line_gap: float = 0.18,
) -> tuple[TextBox, ImageFont.FreeTypeFont]:
    """The largest size in [min_size, max_size] at which `text` wraps into the box within max_lines; at the
    minimum it is cut with an ellipsis. The result always fits the box."""
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    size = max_size
    while True:
        font = _font(font_path, size)
        line_h = int(size * (1 + line_gap))
        lines = _wrap(draw, text, font, width)
        allowed = max(1, min(max_lines, height // max(line_h, 1)))
        if len(lines) <= allowed or size <= min_size:
            truncated = len(lines) > allowed
            if truncated:
                lines = lines[:allowed]
                lines[-1] = _ellipsize(draw, lines[-1], font, width)
            return TextBox(name, box, lines, size, truncated=truncated), font
        size = max(min_size, int(size * 0.9))


def _draw_box(
    draw: ImageDraw.ImageDraw,
    tb: TextBox,
    font: ImageFont.FreeTypeFont,
    fill: Any,
    *,
    align: str = "left",
    line_gap: float = 0.18,
) -> None:
    x0, y0, x1, _ = tb.box
    line_h = int(tb.size * (1 + line_gap))
    for i, line in enumerate(tb.lines):
        w = _width(draw, line, font)
        x = x0 + (x1 - x0 - w) // 2 if align == "center" else x0
        x -= min(int(draw.textbbox((0, 0), line, font=font)[0]), 0)  # a glyph's negative side bearing
        y = y0 + i * line_h
        draw.text((x, y), line, font=font, fill=fill)
        bx = draw.textbbox((x, y), line, font=font)
        tb.bounds.append((int(bx[0]), int(bx[1]), int(bx[2]), int(bx[3])))


def _colour(value: Any, default: str) -> tuple[int, int, int]:
    try:
        rgb = ImageColor.getrgb(str(value or default))
    except ValueError:
        rgb = ImageColor.getrgb(default)
    return (int(rgb[0]), int(rgb[1]), int(rgb[2]))


def _readable_on(bg: tuple[int, int, int]) -> tuple[int, int, int]:
    lum = 0.2126 * bg[0] + 0.7152 * bg[1] + 0.0722 * bg[2]
    return (20, 20, 20) if lum > 150 else (255, 255, 255)


def load_photo(path: Path | None) -> Image.Image | None:
    if path is None:
        return None
    try:
        with Image.open(path) as im:
            im.load()
            return ImageOps.exif_transpose(im).convert("RGB")
    except (OSError, UnidentifiedImageError):
        raise MediaError(
            f"Foto produk tidak bisa dibaca ({Path(path).name}); unggah foto JPG atau PNG.",
            code="photo_unreadable",
        ) from None


def render_poster(
    *,
    shop: str,
    name: str,
    price: int,
    normal_price: int | None = None,
    promo: str = "",
    fmt: str = "feed",
    photo: Image.Image | None = None,
    primary: Any = None,
    secondary: Any = None,
    logo: Image.Image | None = None,
) -> Poster:
    if fmt not in FORMATS:
        raise ValidationFailed(
            f"Format poster '{fmt}' tidak dikenal. Pilihan: feed, story.", code="unknown_poster_format"
        )
    W, H = FORMATS[fmt]
    c1 = _colour(primary, DEFAULT_PRIMARY)
    c2 = _colour(secondary, DEFAULT_SECONDARY)
    img = Image.new("RGB", (W, H), c2)
    draw = ImageDraw.Draw(img)
    pad = 64
    photo_h = int(H * (0.56 if fmt == "feed" else 0.58))
    if photo is not None:
        img.paste(ImageOps.fit(photo, (W, photo_h), method=Image.Resampling.LANCZOS), (0, 0))
    else:
        # a typographic block in the brand colour with the product's initial
        draw.rectangle((0, 0, W, photo_h), fill=c1)
        initial = (name.strip()[:1] or "?").upper()
        f = _font(FONT_BOLD, int(photo_h * 0.55))
        w = _width(draw, initial, f)
        draw.text(((W - w) // 2, int(photo_h * 0.12)), initial, font=f, fill=c2)
    # the panel
    draw.rectangle((0, photo_h, W, H), fill=c1)
    fg = _readable_on(c1)
    boxes: list[TextBox] = []
    y = photo_h + pad // 2
    footer_h = 90
    name_box = (pad, y, W - pad, y + (150 if fmt == "feed" else 240))
    tb, font = fit_text(
        draw, "name", name, name_box, font_path=FONT_BOLD, max_size=64, min_size=30, max_lines=2
    )
    _draw_box(draw, tb, font, fg)
    boxes.append(tb)
    y = name_box[1] + int(len(tb.lines) * tb.size * 1.18) + 24  # right under the name as drawn
    # price badge
    price_text = format_rupiah(price)
    pf = _font(FONT_BOLD, 60 if fmt == "feed" else 76)
    pw = _width(draw, price_text, pf)
    badge = (pad, y, pad + pw + 48, y + (88 if fmt == "feed" else 108))
    draw.rounded_rectangle(badge, radius=22, fill=c2)
    pb = TextBox("price", badge, [price_text], int(pf.size))
    draw.text((badge[0] + 24, badge[1] + 8), price_text, font=pf, fill=c1)
    bx = draw.textbbox((badge[0] + 24, badge[1] + 8), price_text, font=pf)
    pb.bounds.append((int(bx[0]), int(bx[1]), int(bx[2]), int(bx[3])))
    boxes.append(pb)
    if normal_price and normal_price > price:
        nf = _font(FONT_REGULAR, 36)
        nt = format_rupiah(normal_price)
        nx, ny = badge[2] + 24, badge[1] + (badge[3] - badge[1] - 40) // 2
        if nx + _width(draw, nt, nf) <= W - pad:
            draw.text((nx, ny), nt, font=nf, fill=fg)
            nb = draw.textbbox((nx, ny), nt, font=nf)
            mid = (nb[1] + nb[3]) // 2
            draw.line((nb[0], mid, nb[2], mid), fill=fg, width=3)
            boxes.append(TextBox("normal_price", (nx, ny, W - pad, ny + 48), [nt], 36, [tuple(map(int, nb))]))  # type: ignore[list-item]
    y = badge[3] + 24
    promo_box = (pad, y, W - pad, H - footer_h - 16)
    if promo.strip() and promo_box[3] - promo_box[1] >= 40:
        tb, font = fit_text(
            draw, "promo", promo, promo_box, font_path=FONT_REGULAR, max_size=44, min_size=24, max_lines=6
        )
        _draw_box(draw, tb, font, fg)
        boxes.append(tb)
    # footer: logo + shop name
    fy = H - footer_h
    draw.line((pad, fy, W - pad, fy), fill=fg, width=2)
    x = pad
    if logo is not None:
        lg = ImageOps.contain(logo.convert("RGBA"), (64, 64))
        img.paste(lg, (x, fy + 13), lg)
        x += lg.width + 16
    shop_box = (x, fy + 18, W - pad, H - 12)
    tb, font = fit_text(
        draw, "shop", shop, shop_box, font_path=FONT_BOLD, max_size=40, min_size=22, max_lines=1
    )
    _draw_box(draw, tb, font, fg)
    boxes.append(tb)
    return Poster(img, boxes)


# --- videos --------------------------------------------------------------------------------------


def ffmpeg_available() -> bool:
    return bool(shutil.which("ffmpeg") and shutil.which("ffprobe"))


def probe(path: Path) -> dict[str, Any]:
    """ffprobe's view: duration, size, codecs."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if out.returncode != 0:
        raise MediaError("Video tidak bisa dibaca ffprobe: " + out.stderr.strip()[:200], code="video_invalid")
    data = json.loads(out.stdout or "{}")
    streams: list[dict[str, Any]] = data.get("streams") or []
    video: dict[str, Any] = next((s for s in streams if s.get("codec_type") == "video"), {})
    audio: dict[str, Any] = next((s for s in streams if s.get("codec_type") == "audio"), {})
    return {
        "duration_s": round(float((data.get("format") or {}).get("duration") or 0), 2),
        "width": int(video.get("width") or 0),
        "height": int(video.get("height") or 0),
        "video_codec": video.get("codec_name"),
        "audio_codec": audio.get("codec_name"),
        "pix_fmt": video.get("pix_fmt"),
    }


def check_video(info: dict[str, Any]) -> None:
    """The rules the platforms publish for short videos (Reels, TikTok): H.264/AAC, 9:16, at most 60 s."""
    problems = []
    if info["video_codec"] != "h264":
        problems.append(f"codec video {info['video_codec']} (harus H.264)")
    if info["audio_codec"] != "aac":
        problems.append(f"codec audio {info['audio_codec']} (harus AAC)")
    if not info["height"] or abs(info["width"] / info["height"] - 9 / 16) > 0.01:
        problems.append(f"ukuran {info['width']}x{info['height']} (harus 9:16)")
    if info["duration_s"] > MAX_VIDEO_SECONDS + 0.5 or info["duration_s"] <= 0:
        problems.append(f"durasi {info['duration_s']} detik (maksimal {MAX_VIDEO_SECONDS})")
    if problems:
        raise MediaError("Video tidak memenuhi syarat: " + "; ".join(problems) + ".", code="video_rejected")


def slide_seconds(count: int, requested: float) -> float:
    """Seconds per slide: as asked, shortened so that the whole video stays within 60 s."""
    return max(min(float(requested), MAX_VIDEO_SECONDS / max(count, 1)), 1.0)


def render_video(
    slides: list[Image.Image],
    *,
    seconds_per_slide: float = 3.0,
    music: Path | None = None,
    timeout: float = 300.0,
) -> tuple[bytes, dict[str, Any]]:
    """A slideshow (each slide shown `seconds_per_slide`, shortened so the whole stays within 60 s)."""
    if not ffmpeg_available():
        raise MediaError(
            "ffmpeg belum terpasang di server (jalankan scripts/system-deps.sh).", code="ffmpeg_missing"
        )
    if not slides:
        raise ValidationFailed("Pilih minimal satu produk untuk video.", code="no_slides")
    if len(slides) > MAX_SLIDES:
        raise ValidationFailed(
            f"Terlalu banyak produk untuk satu video ({len(slides)}); maksimal {MAX_SLIDES}.",
            code="too_many_slides",
        )
    if music is not None and not Path(music).is_file():
        raise ValidationFailed(f"File musik tidak ditemukan: {music}.", code="music_not_found")
    per = slide_seconds(len(slides), seconds_per_slide)
    total = per * len(slides)
    with tempfile.TemporaryDirectory(prefix="niaga-video-") as tmp:
        d = Path(tmp)
        inputs: list[str] = []
        for i, s in enumerate(slides):
            p = d / f"s{i:02d}.png"
            ImageOps.fit(s.convert("RGB"), VIDEO_SIZE, method=Image.Resampling.LANCZOS).save(p)
            inputs += ["-loop", "1", "-framerate", "25", "-t", f"{per:.3f}", "-i", str(p)]
        n = len(slides)
        if music is not None:
            inputs += ["-stream_loop", "-1", "-i", str(music)]
        else:
            inputs += [
                "-f",
                "lavfi",
                "-t",
                f"{total:.3f}",
                "-i",
                "anullsrc=channel_layout=stereo:sample_rate=44100",
            ]
        chain = "".join(f"[{i}:v]setsar=1,format=yuv420p[v{i}];" for i in range(n))
        chain += "".join(f"[v{i}]" for i in range(n)) + f"concat=n={n}:v=1:a=0[v]"
        out = d / "out.mp4"
        cmd = [
            "ffmpeg", "-y", "-v", "error", *inputs,
            "-filter_complex", chain,
            "-map", "[v]", "-map", f"{n}:a",
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-r", "25",
            "-c:a", "aac", "-b:a", "128k", "-t", f"{total:.3f}", "-shortest",
            "-movflags", "+faststart", str(out),
        ]  # fmt: skip
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise MediaError("Pembuatan video melewati batas waktu.", code="video_timeout") from None
        if res.returncode != 0 or not out.is_file():
            raise MediaError("ffmpeg gagal membuat video: " + res.stderr.strip()[-300:], code="video_failed")
        info = probe(out)
        check_video(info)
        return out.read_bytes(), info


# --- from the catalogue --------------------------------------------------------------------------


def branding(business: Any) -> dict[str, Any]:
    return dict((business.settings or {}).get("branding") or {})


def _file(raw: Any) -> Path | None:
    from niaga.settings import get_settings

    if not raw:
        return None
    p = Path(str(raw))
    if not p.is_absolute():
        p = get_settings().files_dir / p
    return p


def product_photo_path(product: Any) -> Path | None:
    """The product's photo (attributes.image or attributes.photo: a path under files/ or absolute)."""
    attrs = product.attributes or {}
    return _file(attrs.get("image") or attrs.get("photo"))


def poster_for_product(
    db: Any,
    *,
    business: Any,
    sku: str,
    fmt: str = "feed",
    promo: str = "",
    allow_without_photo: bool = False,
) -> tuple[Poster, dict[str, Any]]:
    """A poster of one catalogue product. A product without a photo is refused with a clear message unless
    `allow_without_photo` (then a typographic poster in the brand colour)."""
    from niaga.marketing import content

    product = content.get_product(db, business_id=business.id, sku=sku)
    path = product_photo_path(product)
    if path is None or not path.is_file():
        if not allow_without_photo:
            raise MediaError(
                f"Produk '{product.name}' belum punya foto. Tambahkan foto produk dulu, atau buat poster tanpa "
                "foto.",
                code="product_without_photo",
            )
        path = None
    if len(promo) > 300:
        raise ValidationFailed("Teks promo poster maksimal 300 karakter.", code="promo_too_long")
    brand = branding(business)
    logo_path = _file(brand.get("logo"))
    logo = load_photo(logo_path) if logo_path is not None and logo_path.is_file() else None
    price = content.price_of(product)
    poster = render_poster(
        shop=business.name,
        name=product.name,
        price=price,
        normal_price=int(product.price),
        promo=promo,
        fmt=fmt,
        photo=load_photo(path),
        primary=brand.get("primary"),
        secondary=brand.get("secondary"),
        logo=logo,
    )
    return poster, {"sku": product.sku, "name": product.name, "price": price, "photo": path is not None}


def video_for_products(
    db: Any, *, business: Any, skus: list[str], music: Path | None = None, seconds_per_slide: float = 3.0
) -> tuple[bytes, dict[str, Any]]:
    skus = [s.strip() for s in skus if s.strip()]
    if not skus:
        raise ValidationFailed("Pilih minimal satu produk untuk video.", code="no_slides")
    slides = []
    for sku in skus:
        poster, _ = poster_for_product(db, business=business, sku=sku, fmt="story", allow_without_photo=True)
        slides.append(poster.image)
    data, info = render_video(slides, seconds_per_slide=seconds_per_slide, music=music)
    return data, {**info, "products": skus, "size": len(data)}
