"""Pillow basics of the offline provider's images: decoding untrusted reference bytes, fitting
(cover) and PNG encoding, a palette seeded from the prompt, the drawing primitives the title card
and the style presets share (gradient, grain, vignette, supersampled masks), and the
multi-reference collage (composite)."""

import colorsys
import io
import math
import random

from django.utils.translation import gettext_noop
from PIL import Image, ImageDraw, ImageOps

from ..base import ProviderError
from .seeding import _rng

MAX_REFERENCE_PIXELS = 40_000_000


def decode_image(data: bytes, fit: tuple[int, int] | None = None) -> Image.Image:
    """An RGB image from untrusted bytes; unreadable or oversized input is a permanent error.
    `fit` lets JPEG decode at a reduced scale that still covers that size (much faster for photos)."""
    unreadable = ProviderError(gettext_noop("The reference image could not be read."), permanent=True, code="bad_image")
    if not isinstance(data, (bytes, bytearray, memoryview)) or not data:
        raise unreadable
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_REFERENCE_PIXELS:
            raise ProviderError(gettext_noop("The reference image is too large (40 megapixels at most)."), permanent=True,
                                code="bad_image", detail=f"reference {image.width}x{image.height}")
        if fit and image.format == "JPEG":
            image.draft("RGB", (max(fit), max(fit)))  # rotation-safe: either side may end up the long one
        image.load()
        image = ImageOps.exif_transpose(image)
        if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        return image.convert("RGB")
    except ProviderError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, EOFError) as exc:
        unreadable.detail = f"reference decode failed: {type(exc).__name__}"
        raise unreadable from None


def cover(image: Image.Image, width: int, height: int, centering=(0.5, 0.5)) -> Image.Image:
    return ImageOps.fit(image, (width, height), method=Image.Resampling.LANCZOS, centering=centering)


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "PNG", compress_level=3)  # nearly as small as 6, four times faster
    return buf.getvalue()


def _hsl(h: float, s: float, lum: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(h % 1.0, min(1, max(0, lum)), min(1, max(0, s)))
    return round(r * 255), round(g * 255), round(b * 255)


def _mix(c1, c2, t: float) -> tuple[int, int, int]:
    return tuple(round(a + (b - a) * t) for a, b in zip(c1, c2, strict=True))


# Sky hue, light hue: cool skies against warm light read as dusk; the pairs are hand-picked so
# any hash lands on something pleasant, and a small jitter keeps neighbouring prompts distinct.
PALETTES = [(0.62, 0.07), (0.72, 0.94), (0.52, 0.12), (0.58, 0.52), (0.78, 0.10), (0.97, 0.11), (0.47, 0.07),
            (0.67, 0.48), (0.85, 0.05), (0.60, 0.98), (0.55, 0.83), (0.05, 0.13)]


def _palette(prompt: str) -> dict:
    """Harmonious colours from the prompt's hash: a curated sky/light hue pair, jittered."""
    rng = _rng("palette", prompt.strip().lower())
    sky, light = rng.choice(PALETTES)
    jitter = rng.uniform(-0.03, 0.03)
    sky, light = sky + jitter, light + rng.uniform(-0.02, 0.02)
    accent = light + rng.choice([0.5, -0.08, 0.08])
    dusk = rng.uniform(0.0, 1.0)  # 0: deep night, 1: bright dusk
    return {
        "rng": rng,
        "sky_top": _hsl(sky, 0.55, 0.09 + 0.06 * dusk),
        "sky_mid": _hsl(sky + 0.03, 0.45, 0.24 + 0.12 * dusk),
        "horizon": _hsl(light, 0.75, 0.55 + 0.08 * dusk),
        "glow": _hsl(light, 0.95, 0.7),
        "accent": _hsl(accent, 0.7, 0.62),
        "far": _hsl(sky + 0.06, 0.3, 0.32 + 0.1 * dusk),
        "mid": _hsl(sky + 0.04, 0.35, 0.17 + 0.05 * dusk),
        "ink": _hsl(sky, 0.45, 0.06),
        "text": _hsl(light, 0.4, 0.96),
        "soft": _hsl(light, 0.35, 0.82),
    }


def _gradient(width: int, height: int, stops: list[tuple[float, tuple]]) -> Image.Image:
    """A vertical gradient through colour stops, built as one column then stretched."""
    column = Image.new("RGB", (1, 256))
    for y in range(256):
        t = y / 255
        for (t0, c0), (t1, c1) in zip(stops, stops[1:], strict=False):
            if t0 <= t <= t1:
                column.putpixel((0, y), _mix(c0, c1, (t - t0) / max(1e-6, t1 - t0)))
                break
    return column.resize((width, height), Image.Resampling.BICUBIC)


def _grain(size: tuple[int, int], rng: random.Random, amount: int = 10) -> Image.Image:
    """Film grain around mid-grey (neutral under overlay), tiled from a seeded 128² patch."""
    tile_size = 128
    tile = Image.frombytes("L", (tile_size, tile_size),
                          bytes(128 - amount + b % (2 * amount + 1) for b in rng.randbytes(tile_size * tile_size)))
    grain = Image.new("L", size)
    for x in range(0, size[0], tile_size):
        for y in range(0, size[1], tile_size):
            grain.paste(tile, (x, y))
    return Image.merge("RGB", (grain, grain, grain))


def _vignette(size: tuple[int, int], strength: float, radius: float = 1.0) -> Image.Image:
    """An L mask, 0 in the centre rising to 255*strength at the corners."""
    mask = Image.radial_gradient("L").resize(size, Image.Resampling.BILINEAR)
    start = 0.35 * radius
    return mask.point(lambda v: int(min(1.0, max(0.0, (v / 255 - start) / (1 - start))) ** 1.6 * 255 * strength))


def _supersampled(size: tuple[int, int], draw_fn) -> Image.Image:
    """An anti-aliased L mask: drawn at 2× and shrunk (at 1× for very large images, to bound memory)."""
    factor = 2 if size[0] * size[1] <= 2048 * 2048 else 1
    big = Image.new("L", (size[0] * factor, size[1] * factor), 0)
    draw_fn(ImageDraw.Draw(big), factor)
    return big.resize(size, Image.Resampling.BOX)


def composite(references: list[bytes], width: int, height: int, pal: dict) -> Image.Image:
    """References side by side (a grid from four up) with gutters on a background from the palette.
    Each is decoded, fitted into its cell and dropped before the next, so memory stays bounded."""
    count = len(references)
    cols = count if count <= 3 else math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    if cols > 1 and height > width * 1.3 and count <= 3:  # portrait canvas: stack instead
        cols, rows = 1, count
    gutter = max(2, int(min(width, height) * 0.025))
    canvas = _gradient(width, height, [(0, pal["sky_top"]), (1, pal["sky_mid"])])
    cell_w = (width - gutter * (cols + 1)) / cols
    cell_h = (height - gutter * (rows + 1)) / rows
    if cell_w < 4 or cell_h < 4:
        raise ProviderError(gettext_noop("Too many reference images for that size."), permanent=True, code="bad_request")
    for index, data in enumerate(references):
        row, col = divmod(index, cols)
        in_row = min(cols, count - row * cols)
        offset = (cols - in_row) * (cell_w + gutter) / 2  # centre a short last row
        x = round(gutter + col * (cell_w + gutter) + offset)
        y = round(gutter + row * (cell_h + gutter))
        cell = cover(decode_image(data, fit=(round(cell_w), round(cell_h))), round(cell_w), round(cell_h),
                     centering=(0.5, 0.35))
        canvas.paste(cell, (x, y))
    return canvas
