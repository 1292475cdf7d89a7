"""`niaga content generate|poster|video --json` through the real Typer app: the issue's contract, the cache,
prices from the catalogue, posters that never overflow and videos checked with ffprobe; bad input exits 2
with an Indonesian message."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from niaga.marketing import content_media
from tests import factories as f
from tests.publishing.conftest import photo


def _run(*args: str):  # type: ignore[no-untyped-def]
    from niaga.cli import app

    return CliRunner().invoke(app, list(args))


def _one_json(result) -> dict:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1
    return json.loads(lines[0])


@pytest.fixture
def shop(db):  # type: ignore[no-untyped-def]
    b = f.make_business(db, slug="sekar-cli", name="Batik Sekar")
    f.make_product(db, business=b, sku="BS-01", name="Kemeja Batik Kawung", price=175000, stock=9,
                   attributes={"image": photo("bs01", (120, 70, 30))})  # fmt: skip
    f.make_product(db, business=b, sku="BS-02", name="Daster Batik Cap", price=85000, stock=30,
                   attributes={"image": photo("bs02", (40, 90, 60))})  # fmt: skip
    f.make_product(db, business=b, sku="BS-03", name="Tas Batik", price=65000, stock=4)
    return b


def test_generate_contract_and_cache(shop) -> None:  # type: ignore[no-untyped-def]
    args = ("content", "generate", "--business", "sekar-cli", "--kind", "ig_caption", "--segment", "champions",
            "--product", "BS-01", "--occasion", "payday", "--json")  # fmt: skip
    first = _one_json(_run(*args))
    assert set(first) >= {"text", "hashtags", "cached", "provider", "tokens", "cost_idr"}
    assert first["cached"] is False and first["provider"] == "offline" and first["tokens"] == 0
    prices = {int(x.replace(".", "")) for x in re.findall(r"Rp([0-9.]+)", first["text"])}
    assert prices == {175000}
    second = _one_json(_run(*args))
    assert second["cached"] is True and second["text"] == first["text"]
    usage = _one_json(_run("content", "usage", "--business", "sekar-cli", "--json"))
    assert usage["quota"] == {"used": 1, "limit": 10}


def test_generate_bad_input_exits_2(shop) -> None:  # type: ignore[no-untyped-def]
    for args, msg in (
        (("--kind", "puisi"), "Jenis konten"),
        (("--kind", "ig_caption", "--segment", "sultan"), "Segmen"),
        (("--kind", "ig_caption", "--product", "NOPE"), "tidak ditemukan"),
    ):
        r = _run("content", "generate", "--business", "sekar-cli", *args, "--json")
        assert r.exit_code == 2 and msg in r.output and "Traceback" not in r.output
    r = _run("content", "generate", "--business", "tidak-ada", "--kind", "ig_caption")
    assert r.exit_code == 2 and "tidak ditemukan" in r.output


def test_poster_feed_and_story(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for fmt, size in (("feed", (1080, 1080)), ("story", (1080, 1920))):
        out = tmp_path / f"p-{fmt}.png"
        res = _one_json(_run("content", "poster", "--business", "sekar-cli", "--product", "BS-01", "--format", fmt,
                             "--promo", "Gajian tiba, gratis ongkir!", "--out", str(out), "--json"))  # fmt: skip
        with Image.open(out) as im:
            assert im.size == size and im.format == "PNG"
        assert (res["width"], res["height"]) == size and res["photo"] is True
        assert any(t["lines"] == ["Rp175.000"] for t in res["texts"])
    r = _run(
        "content", "poster", "--business", "sekar-cli", "--product", "BS-03", "--out", str(tmp_path / "x.png")
    )
    assert r.exit_code == 2 and "belum punya foto" in r.output
    ok = _one_json(_run("content", "poster", "--business", "sekar-cli", "--product", "BS-03", "--no-photo",
                        "--out", str(tmp_path / "x.png"), "--json"))  # fmt: skip
    assert ok["photo"] is False
    r = _run("content", "poster", "--business", "sekar-cli", "--product", "BS-01", "--format", "square",
             "--out", str(tmp_path / "y.png"))  # fmt: skip
    assert r.exit_code == 2 and "feed, story" in r.output


@pytest.mark.parametrize("seed", range(6))
def test_poster_text_never_overflows(seed: int) -> None:
    import random

    rnd = random.Random(seed)
    words = ["Kemeja", "Batik", "Tulis", "Parang", "Rusak", "Premium", "Lengan", "Panjang", "Edisi", "Lebaran",
             "Supercalifragilisticexpialidocious", "Sutra", "Ekslusif", "Nusantara", "Harbolnas", "12.12"]  # fmt: skip
    name = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 40)))
    promo = " ".join(rnd.choice(words) for _ in range(rnd.randint(0, 120)))
    shop = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 12)))
    for fmt in ("feed", "story"):
        p = content_media.render_poster(shop=shop, name=name, price=rnd.randint(1000, 99_999_999),
                                        normal_price=rnd.randint(1000, 99_999_999), promo=promo, fmt=fmt)  # fmt: skip
        w, h = p.image.size
        for tb in p.boxes:
            x0, _y0, x1, y1 = tb.box
            assert tb.bounds, tb.name
            for bx in tb.bounds:
                assert x0 <= bx[0] and bx[2] <= x1 and bx[3] <= y1, (tb.name, bx, tb.box)
                assert bx[0] >= 0 and bx[2] <= w and bx[3] <= h
        names = {tb.name for tb in p.boxes}
        assert {"name", "price", "shop"} <= names


def test_video_is_h264_aac_9_16_within_60s(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert shutil.which("ffmpeg"), "ffmpeg not found: run `make system-deps` (apt-get install ffmpeg)"
    out = tmp_path / "v.mp4"
    res = _one_json(_run("content", "video", "--business", "sekar-cli", "--products", "BS-01,BS-02,BS-03",
                         "--seconds-per-slide", "2", "--out", str(out), "--json"))  # fmt: skip
    info = content_media.probe(out)  # ffprobe, independently of what the command said
    assert info["video_codec"] == "h264" and info["audio_codec"] == "aac"
    assert (info["width"], info["height"]) == (720, 1280)
    assert 5.5 <= info["duration_s"] <= 6.5 and res["duration_s"] == info["duration_s"]
    # too many products for 60 s at the asked pace: each slide is shortened, the video stays within 60 s
    assert content_media.slide_seconds(12, 10) == 5.0 and content_media.slide_seconds(3, 2) == 2.0
    with pytest.raises(content_media.ValidationFailed, match="maksimal 12"):
        content_media.render_video([Image.new("RGB", (10, 10))] * 13)
    r = _run("content", "video", "--business", "sekar-cli", "--products", "NOPE", "--out", str(out))
    assert r.exit_code == 2 and "tidak ditemukan" in r.output


def test_video_the_platform_would_reject_is_refused() -> None:
    info = {"video_codec": "hevc", "audio_codec": None, "width": 1920, "height": 1080, "duration_s": 75.0}
    with pytest.raises(content_media.MediaError) as exc:
        content_media.check_video(info)
    msg = exc.value.message
    assert "H.264" in msg and "AAC" in msg and "9:16" in msg and "maksimal 60" in msg


def test_poster_uses_the_brand_colours_and_logo() -> None:
    logo = Image.new("RGB", (200, 200), (0, 200, 0))
    p = content_media.render_poster(
        shop="Batik Sekar",
        name="Kain",
        price=99000,
        fmt="feed",
        primary="#112233",
        secondary="#FFEEDD",
        logo=logo,
    )
    h = p.image.size[1]
    assert p.image.getpixel((5, h - 150)) == (0x11, 0x22, 0x33)  # the panel in the primary colour
    assert p.image.getpixel((64 + 32, h - 90 + 13 + 32)) == (0, 200, 0)  # the logo in the footer
    shop = next(t for t in p.boxes if t.name == "shop")
    assert shop.box[0] >= 64 + 64 + 16  # the shop name starts after the logo
    bad = content_media.render_poster(shop="S", name="K", price=1, primary="not-a-colour")
    assert bad.image.getpixel((5, bad.image.size[1] - 150)) == content_media._colour(
        None, content_media.DEFAULT_PRIMARY
    )
