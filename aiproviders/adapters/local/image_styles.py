"""The style presets of the offline image-to-image path (cartoon, anime, sketch, cinematic,
realistic, chibi, plush, posterise, and their aliases): stylise() applies one at full strength with
Pillow; the adapter blends the result with the source by the request's strength."""

import random

from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageMath, ImageOps

from .images import _grain, _supersampled, _vignette


def stylise(image: Image.Image, style: str) -> Image.Image:
    """The full-strength effect of a style preset on an RGB image (same size back)."""
    style = (style or "").strip().lower().replace("-", "_")
    effect = STYLES.get(style, _realistic)
    return effect(image.convert("RGB")).convert("RGB")


def _ink(image: Image.Image, threshold: int, sigma: float) -> Image.Image:
    """Line-art mask (255 = ink) by difference of Gaussians: a pixel darker than its blurred
    surroundings by more than `threshold` is on the dark side of an edge."""
    gray = image.convert("L")
    near = gray.filter(ImageFilter.GaussianBlur(sigma))
    wide = gray.filter(ImageFilter.GaussianBlur(sigma * 2.2))
    lines = ImageChops.subtract(wide, near).point(lambda v: 255 if v > threshold else 0)
    return lines.filter(ImageFilter.MedianFilter(3)).filter(ImageFilter.GaussianBlur(0.6))


def _smooth(image: Image.Image, passes: int = 1) -> Image.Image:
    """Edge-preserving smoothing: median filters on a half-size copy (cheap on big images)."""
    w, h = image.size
    small = image.resize((max(1, w // 2), max(1, h // 2)), Image.Resampling.BOX)
    for _ in range(passes):
        small = small.filter(ImageFilter.MedianFilter(5))
    return small.resize((w, h), Image.Resampling.BICUBIC)


def _flat(image: Image.Image, colours: int) -> Image.Image:
    """Flat colour regions: a median-cut palette from a small copy, mapped onto the full image."""
    palette = image.resize((256, max(1, round(256 * image.height / image.width))), Image.Resampling.BOX).quantize(
        colors=colours, method=Image.Quantize.MEDIANCUT)
    return image.quantize(palette=palette, dither=Image.Dither.NONE).convert("RGB")


def _line_scale(image: Image.Image) -> float:
    return max(1.0, min(image.size) / 700)


def _cartoon(image: Image.Image) -> Image.Image:
    smooth = _smooth(image)
    flat = _flat(ImageEnhance.Contrast(ImageEnhance.Color(smooth).enhance(1.35)).enhance(1.1), 12)
    lines = _ink(smooth, 7, 1.2 * _line_scale(image)).filter(ImageFilter.MaxFilter(3))
    return Image.composite(Image.new("RGB", image.size, (22, 18, 28)), flat, lines)


def _anime(image: Image.Image) -> Image.Image:
    smooth = _smooth(image, passes=2)
    bright = ImageEnhance.Brightness(ImageEnhance.Color(smooth).enhance(1.7)).enhance(1.08)
    flat = _flat(bright, 18).filter(ImageFilter.SMOOTH_MORE)
    glow = flat.filter(ImageFilter.GaussianBlur(max(2, min(image.size) // 80)))
    flat = ImageChops.screen(flat, Image.blend(Image.new("RGB", image.size), glow, 0.3))
    lines = _ink(image, 9, 0.9 * _line_scale(image))
    return Image.composite(Image.new("RGB", image.size, (48, 32, 64)), flat, lines)


def _sketch(image: Image.Image) -> Image.Image:
    # Pre-smoothed so grain and JPEG noise in dark areas are not amplified by the dodge; the
    # +8 in the divisor does the same for near-black flat regions.
    gray = ImageOps.autocontrast(image.convert("L"), cutoff=1).filter(ImageFilter.MedianFilter(3))
    gray = gray.filter(ImageFilter.GaussianBlur(_line_scale(image) * 0.7))
    blur = ImageOps.invert(gray).filter(ImageFilter.GaussianBlur(max(2, min(image.size) / 120)))
    dodge = ImageMath.lambda_eval(lambda a: a["min"](a["g"] * 256 / (264 - a["b"]), 255), g=gray, b=blur).convert("L")
    dodge = ImageEnhance.Contrast(dodge).enhance(1.4)
    paper = Image.new("RGB", image.size, (246, 241, 230))
    graphite = Image.new("RGB", image.size, (52, 50, 58))
    pencil = Image.composite(paper, graphite, dodge)
    grain = _grain(image.size, random.Random(7), amount=14)
    return ImageChops.multiply(pencil, ImageChops.lighter(grain, Image.new("RGB", image.size, (236, 236, 236))))


def _cinematic(image: Image.Image) -> Image.Image:
    lum = image.convert("L")
    teal = Image.blend(image, Image.new("RGB", image.size, (0, 110, 130)), 0.3)
    orange = Image.blend(image, Image.new("RGB", image.size, (255, 150, 60)), 0.22)
    graded = Image.composite(orange, teal, ImageOps.autocontrast(lum))
    graded = ImageEnhance.Contrast(graded).enhance(1.2)
    graded = ImageEnhance.Color(graded).enhance(0.9)
    graded = Image.composite(Image.new("RGB", image.size, (5, 8, 12)), graded, _vignette(image.size, 0.7))
    w, h = image.size
    bar = int(max(0, h - w / 2.39) / 2) if w / h > 1.2 else int(h * 0.08)
    if bar:
        draw = ImageDraw.Draw(graded)
        draw.rectangle([0, 0, w, bar], fill=(0, 0, 0))
        draw.rectangle([0, h - bar, w, h], fill=(0, 0, 0))
    return graded


def _realistic(image: Image.Image) -> Image.Image:
    enhanced = ImageOps.autocontrast(image, cutoff=1, preserve_tone=True)
    enhanced = ImageEnhance.Color(enhanced).enhance(1.15)
    enhanced = ImageEnhance.Contrast(enhanced).enhance(1.08)
    return enhanced.filter(ImageFilter.UnsharpMask(radius=max(1, min(image.size) // 400), percent=90, threshold=2))


def _chibi(image: Image.Image) -> Image.Image:
    w, h = image.size
    soft = image.filter(ImageFilter.SMOOTH_MORE).filter(ImageFilter.GaussianBlur(_line_scale(image) * 0.6))
    pastel = Image.blend(ImageEnhance.Color(soft).enhance(1.2), Image.new("RGB", (w, h), (255, 236, 244)), 0.32)
    pastel = ImageChops.screen(pastel, Image.blend(Image.new("RGB", (w, h)), pastel.filter(ImageFilter.GaussianBlur(
        max(2, min(w, h) / 40))), 0.3))
    inset, radius = int(min(w, h) * 0.05), int(min(w, h) * 0.12)
    frame = _supersampled((w, h), lambda d, f: d.rounded_rectangle(
        [inset * f, inset * f, (w - inset) * f, (h - inset) * f], radius=radius * f, fill=255))
    frame = frame.filter(ImageFilter.GaussianBlur(max(1, min(w, h) / 90)))
    return Image.composite(pastel, Image.new("RGB", (w, h), (255, 214, 230)), frame)


def _plush(image: Image.Image) -> Image.Image:
    """A soft toy: rounded flat pastel shapes, a felt-like grain and soft darker seams."""
    w, h = image.size
    soft = _smooth(image, passes=2)
    flat = _flat(ImageEnhance.Color(soft).enhance(1.25), 14).filter(ImageFilter.GaussianBlur(_line_scale(image)))
    pastel = Image.blend(ImageEnhance.Brightness(flat).enhance(1.06), Image.new("RGB", (w, h), (255, 232, 240)), 0.2)
    felt = ImageChops.overlay(pastel, _grain((w, h), random.Random(11), amount=16).filter(ImageFilter.GaussianBlur(0.7)))
    seams = _ink(soft, 8, 1.4 * _line_scale(image)).filter(ImageFilter.GaussianBlur(1.2 * _line_scale(image)))
    return Image.composite(Image.blend(felt, Image.new("RGB", (w, h), (96, 64, 86)), 0.5), felt, seams)


def _posterise(image: Image.Image) -> Image.Image:
    return ImageOps.posterize(ImageEnhance.Color(image).enhance(1.4), 3)


STYLES = {
    "cartoon": _cartoon, "comic": _cartoon,
    "anime": _anime, "manga": _anime,
    "sketch": _sketch, "pencil": _sketch,
    "cinematic": _cinematic, "film": _cinematic,
    "realistic": _realistic, "": _realistic,
    "chibi": _chibi, "cute": _chibi,
    "plush": _plush, "kawaii": _plush, "plush_toy": _plush,
    "posterise": _posterise, "posterize": _posterise, "poster": _posterise,
}
