"""The offline text-to-image picture: a poster-like title card drawn with Pillow. Its palette and
landscape come from the prompt's hash, its props from the prompt's words (a skyline, conifers,
floating islands, a bust silhouette); the subject's name, a tagline, trait chips and an
'Offline preview' label are set on it. Same prompt, same bytes."""

import math
import random
import re

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from .images import _gradient, _grain, _mix, _palette, _supersampled, _vignette
from .wording import _clean

PERSON_WORDS = {"girl", "boy", "man", "woman", "hero", "heroine", "kid", "child", "warrior", "knight", "princess", "prince",
                "king", "queen", "witch", "wizard", "detective", "captain", "pilot", "maker", "character", "portrait",
                "student", "soldier", "ninja", "samurai", "mage", "thief", "villain", "mother", "father", "sister",
                "brother", "girl's", "boy's", "lady", "gentleman", "teen", "teenager", "elder", "monk", "priestess"}
CITY_WORDS = {"city", "town", "harbour", "harbor", "cyberpunk", "market", "village", "street", "metropolis", "kota",
              "skyline", "neon", "district", "port", "kingdom", "capital", "castle", "palace"}
FOREST_WORDS = {"forest", "jungle", "wood", "woods", "woodland", "grove", "tree", "trees", "hutan", "garden", "wild",
                "wilds", "rainforest", "swamp"}
FLOAT_WORDS = {"floating", "float", "sky", "skies", "archipelago", "island", "islands", "cloud", "clouds", "flying",
               "airship", "heaven", "heavens"}
SPLIT_WORDS = {"in", "at", "on", "with", "under", "over", "from", "near", "during", "who", "that", "and", "where",
               "while", "after", "before", "inside", "above", "below", "beyond", "across", "through", "of"}


def _title_from(prompt: str, subject: dict) -> tuple[str, str]:
    """(title, tagline): the subject's name, else the prompt's head up to a comma or a natural break."""
    name = _clean(subject.get("name"))
    prompt = _clean(prompt)
    if name:
        rest = prompt[len(name):].lstrip(" ,:;—-") if prompt.lower().startswith(name.lower()) else prompt
        return name, rest
    head, sep, rest = (re.split(r"([,:;.—]| - )", prompt, maxsplit=1) + ["", ""])[:3]
    words, rest = head.split(), rest.strip()
    if not words:
        return "Untitled", ""
    if len(words) > 6:
        # Break before a preposition late enough to keep a meaningful title ("…of Kota Angin | at dusk").
        cut = next((i for i in range(min(7, len(words) - 1), 1, -1) if words[i].lower() in SPLIT_WORDS
                    and words[i].lower() != "of"), 4)
        while cut > 1 and words[cut - 1].lower() in SPLIT_WORDS | {"the", "a", "an"}:
            cut -= 1
        tail = " ".join(words[cut:])
        words, rest = words[:cut], f"{tail}{sep.strip()} {rest}".strip() if rest else tail
    title = " ".join(words)
    return title[:1].upper() + title[1:], rest


def _title_layout(draw, title: str, max_width: float, unit: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font that fits the title on one line (down to a readable size), else on two."""
    size = int(unit * 0.13)
    while size >= unit * 0.085:
        font = _font(size)
        if draw.textlength(title, font=font) <= max_width:
            return font, [title]
        size = int(size * 0.94)
    size = int(unit * 0.095)
    while size > unit * 0.045:
        font = _font(size)
        lines = _wrap_pixels(draw, title, font, max_width, 2)
        if not lines[-1].endswith("…"):
            return font, lines
        size = int(size * 0.92)
    font = _font(unit * 0.045)
    return font, _wrap_pixels(draw, title, font, max_width, 2)


def _ridge(width: int, rng: random.Random, base: float, amp: float, steps: int = 72) -> list[tuple[float, float]]:
    waves = [(rng.uniform(0.6, 1.6), rng.uniform(0, math.tau), 1.0), (rng.uniform(2, 4), rng.uniform(0, math.tau), 0.45),
             (rng.uniform(5, 9), rng.uniform(0, math.tau), 0.18)]
    points = []
    for i in range(steps + 1):
        x = i / steps
        y = sum(math.sin(x * f * math.pi + p) * a for f, p, a in waves) / 1.63
        points.append((x * width, base - y * amp))
    return points


def _ridge_y(points, x: float) -> float:
    step = points[1][0] - points[0][0]
    i = min(len(points) - 2, max(0, int(x / step)))
    (x0, y0), (x1, y1) = points[i], points[i + 1]
    return y0 + (y1 - y0) * (x - x0) / max(1e-6, x1 - x0)


def render_card(prompt: str, subject: dict, width: int, height: int) -> Image.Image:
    """The offline t2i image: a poster-like card whose palette and landscape come from the
    prompt's hash (with props picked by its words), the subject's name, traits and an
    'Offline preview' label. Same prompt, same bytes."""
    pal = _palette(prompt or _clean(subject.get("name")) or "untitled")
    rng = pal["rng"]
    size = (width, height)
    unit = min(width, height)
    words = set(re.findall(r"[a-z']+", f"{prompt} {_clean(subject.get('traits'))}".lower()))
    title, tagline = _title_from(prompt, subject)

    image = _gradient(width, height, [(0.0, pal["sky_top"]), (0.4, pal["sky_mid"]), (0.62, pal["horizon"]),
                                      (1.0, pal["mid"])])

    # Soft light: a sun/moon with a wide glow and a few bokeh, drawn small and blurred for speed.
    small = (max(1, width // 4), max(1, height // 4))
    sun_x, sun_y, sun_r = rng.uniform(0.22, 0.78) * width, rng.uniform(0.2, 0.32) * height, unit * rng.uniform(0.07, 0.11)
    glow = Image.new("L", small, 0)
    gd = ImageDraw.Draw(glow)
    r = sun_r * 3 / 4
    gd.ellipse([sun_x / 4 - r, sun_y / 4 - r, sun_x / 4 + r, sun_y / 4 + r], fill=170)
    for _ in range(3):
        bx, by, br = rng.uniform(0, small[0]), rng.uniform(0, small[1] * 0.5), unit / 4 * rng.uniform(0.08, 0.2)
        gd.ellipse([bx - br, by - br, bx + br, by + br], fill=rng.randint(25, 55))
    glow = glow.filter(ImageFilter.GaussianBlur(unit / 4 * 0.09)).resize(size, Image.Resampling.BICUBIC)
    image = Image.composite(Image.new("RGB", size, pal["glow"]), image, glow)
    sun = _supersampled(size, lambda d, f: d.ellipse([(sun_x - sun_r) * f, (sun_y - sun_r) * f,
                                                     (sun_x + sun_r) * f, (sun_y + sun_r) * f], fill=240))
    image = Image.composite(Image.new("RGB", size, _mix(pal["glow"], (255, 255, 255), 0.6)), image, sun)

    motes = Image.new("L", size, 0)
    md = ImageDraw.Draw(motes)
    for _ in range(int(26 * width * height / 1024**2) + 8):
        x, y, rr = rng.uniform(0, width), rng.uniform(0, height * 0.55), unit * rng.uniform(0.0012, 0.0042)
        md.ellipse([x - rr, y - rr, x + rr, y + rr], fill=rng.randint(60, 190))
    image = Image.composite(Image.new("RGB", size, pal["text"]), image, motes.filter(ImageFilter.GaussianBlur(unit * 0.001)))

    if words & FLOAT_WORDS:
        image = _floating_islands(image, pal, rng, avoid=(sun_x, sun_y, sun_r))

    far = _ridge(width, rng, height * 0.62, height * 0.06)
    mid = _ridge(width, rng, height * 0.7, height * 0.045)
    near = _ridge(width, rng, height * 0.8, height * 0.035)

    def far_shape(d, f):
        d.polygon([(x * f, y * f) for x, y in far] + [(width * f, height * f), (0, height * f)], fill=255)
        if words & CITY_WORDS:  # a skyline standing on the far ridge
            x = rng.uniform(0, unit * 0.03)
            while x < width:
                w = unit * rng.uniform(0.025, 0.06)
                top = _ridge_y(far, x + w / 2) - height * rng.uniform(0.03, 0.13)
                d.rectangle([x * f, top * f, (x + w) * f, (_ridge_y(far, x + w / 2) + 4) * f], fill=255)
                if rng.random() < 0.25:
                    d.rectangle([(x + w * 0.45) * f, (top - unit * 0.03) * f, (x + w * 0.55) * f, top * f], fill=255)
                x += w + unit * rng.uniform(0.0, 0.012)

    far_mask = _supersampled(size, far_shape).filter(ImageFilter.GaussianBlur(unit * 0.0015))
    image = Image.composite(Image.new("RGB", size, pal["far"]), image, far_mask)
    if words & CITY_WORDS:  # lit windows
        lights = Image.new("L", size, 0)
        ld = ImageDraw.Draw(lights)
        for _ in range(int(160 * width / 1024)):
            x = rng.uniform(0, width)
            y = _ridge_y(far, x) - height * rng.uniform(0.0, 0.11)
            s = max(1, unit * 0.0035)
            ld.rectangle([x, y, x + s, y + s * 1.4], fill=rng.randint(90, 220))
        image = Image.composite(Image.new("RGB", size, pal["glow"]), image, ImageChops.multiply(lights, far_mask))

    def mid_shape(d, f):
        d.polygon([(x * f, y * f) for x, y in mid] + [(width * f, height * f), (0, height * f)], fill=255)
        if words & FOREST_WORDS:  # conifers along the middle ridge
            for _ in range(int(34 * width / 1024)):
                x = rng.uniform(0, width)
                th, tw = height * rng.uniform(0.04, 0.1), unit * rng.uniform(0.012, 0.025)
                base = _ridge_y(mid, x) + height * 0.01
                d.polygon([((x - tw) * f, base * f), (x * f, (base - th) * f), ((x + tw) * f, base * f)], fill=255)

    image = Image.composite(Image.new("RGB", size, pal["mid"]), image, _supersampled(size, mid_shape))

    # The foreground: the near ridge, and a bust silhouette behind its crest when the prompt is
    # about someone; a rim light from the sun's side outlines both.
    person = bool(_clean(subject.get("name"))) or bool(words & PERSON_WORDS)
    fg = _supersampled(size, lambda d, f: _draw_foreground(d, f, near, width, height, rng, person))
    shift = max(2, int(unit * 0.006))
    rim = ImageChops.subtract(fg, ImageChops.offset(fg, shift if sun_x < width / 2 else -shift, shift))
    # Faded out where the text will sit.
    rim = ImageChops.multiply(rim, _gradient(1, 256, [(0, (255,) * 3), (0.62, (255,) * 3), (0.8, (0,) * 3),
                                                      (1, (0,) * 3)]).convert("L").resize(size))
    image = Image.composite(Image.new("RGB", size, pal["ink"]), image, fg)
    image = Image.composite(Image.new("RGB", size, pal["glow"]),
                            image, rim.filter(ImageFilter.GaussianBlur(shift * 0.4)).point(lambda v: v * 0.85))

    # Scrim at the bottom so the text always reads, then vignette and grain.
    scrim = _gradient(1, 256, [(0, (0, 0, 0)), (0.5, (0, 0, 0)), (1, (230, 230, 230))]).convert("L").resize(size)
    image = Image.composite(Image.new("RGB", size, pal["ink"]), image, scrim)
    image = Image.composite(Image.new("RGB", size, pal["ink"]), image, _vignette(size, 0.7))
    image = ImageChops.overlay(image, _grain(size, rng))

    _card_text(image, pal, title, tagline, [_clean(t) for t in (subject.get("traits") or []) if _clean(t)])
    return image


def _draw_foreground(d, f, near, width, height, rng, person: bool) -> None:
    d.polygon([(x * f, y * f) for x, y in near] + [(width * f, height * f), (0, height * f)], fill=255)
    if not person:
        return
    unit = min(width, height)
    r = unit * 0.08  # head radius
    cx = width * rng.uniform(0.5, 0.66)
    hy = height * 0.5
    hair = rng.choice(["short", "long", "bun", "ponytail", "hood", "hat"])

    def ell(x0, y0, x1, y1):
        d.ellipse([x0 * f, y0 * f, x1 * f, y1 * f], fill=255)

    if hair == "long":
        ell(cx - r * 1.2, hy - r * 1.1, cx + r * 1.2, hy + r * 2.1)
    if hair == "hood":
        ell(cx - r * 1.35, hy - r * 1.3, cx + r * 1.35, hy + r * 1.5)
        d.polygon([((cx - r * 0.7) * f, (hy - r * 0.95) * f), ((cx + r * 0.35) * f, (hy - r * 1.85) * f),
                   ((cx + r * 0.9) * f, (hy - r * 0.6) * f)], fill=255)
    ell(cx - r * 0.92, hy - r, cx + r * 0.92, hy + r * 1.05)
    d.rectangle([(cx - r * 0.38) * f, hy * f, (cx + r * 0.38) * f, (hy + r * 1.8) * f], fill=255)
    ell(cx - r * 2.6, hy + r * 1.5, cx + r * 2.6, hy + r * 4.6)  # sloped shoulders, then the chest to the edge
    d.rectangle([(cx - r * 2.6) * f, (hy + r * 3.05) * f, (cx + r * 2.6) * f, height * f], fill=255)
    if hair == "bun":
        ell(cx - r * 0.45, hy - r * 1.55, cx + r * 0.45, hy - r * 0.65)
    if hair == "short":
        ell(cx - r * 1.02, hy - r * 1.1, cx + r * 1.02, hy + r * 0.25)
    if hair == "ponytail":
        ell(cx - r * 1.02, hy - r * 1.08, cx + r * 1.02, hy + r * 0.1)
        d.polygon([((cx + r * 0.6) * f, (hy - r * 0.7) * f), ((cx + r * 1.7) * f, (hy + r * 0.9) * f),
                   ((cx + r * 1.25) * f, (hy + r * 1.2) * f), ((cx + r * 0.8) * f, (hy - r * 0.1) * f)], fill=255)
    if hair == "hat":
        ell(cx - r * 1.9, hy - r * 0.75, cx + r * 1.9, hy - r * 0.35)
        d.rounded_rectangle([(cx - r * 0.8) * f, (hy - r * 1.5) * f, (cx + r * 0.8) * f, (hy - r * 0.5) * f],
                            radius=r * 0.35 * f, fill=255)


def _floating_islands(image: Image.Image, pal: dict, rng: random.Random, avoid) -> Image.Image:
    width, height = image.size
    unit = min(width, height)
    sx, sy, sr = avoid
    islands = []
    for _ in range(rng.randint(2, 4)):
        for _try in range(8):
            w = unit * rng.uniform(0.1, 0.22)
            x, y = rng.uniform(0.05, 0.95) * width, rng.uniform(0.14, 0.46) * height
            if math.hypot(x - sx, y - sy) > sr + w * 0.8 and all(math.hypot(x - ox, y - oy) > (w + ow) * 0.7
                                                                  for ox, oy, ow in islands):
                islands.append((x, y, w))
                break

    def draw(d, f):
        for x, y, w in islands:
            top = w * 0.07
            d.ellipse([(x - w / 2) * f, (y - top) * f, (x + w / 2) * f, (y + top) * f], fill=255)
            points, steps = [(x - w / 2, y)], 9
            for k in range(1, steps):  # a jagged rock hanging below, deepest near the middle
                px = x - w / 2 + w * k / steps + rng.uniform(-0.03, 0.03) * w
                depth = w * (0.08 + 0.55 * math.sin(math.pi * k / steps) ** 3) * rng.uniform(0.75, 1.15)
                points.append((px, y + depth))
            points.append((x + w / 2, y))
            d.polygon([(px * f, py * f) for px, py in points], fill=255)
            for _ in range(rng.randint(1, 3)):  # a tree or two on top
                tx, tw, th = x + rng.uniform(-0.32, 0.32) * w, w * rng.uniform(0.05, 0.08), w * rng.uniform(0.15, 0.25)
                d.polygon([((tx - tw) * f, y * f), (tx * f, (y - th) * f), ((tx + tw) * f, y * f)], fill=255)

    mask = _supersampled(image.size, draw)
    image = Image.composite(Image.new("RGB", image.size, _mix(pal["far"], pal["ink"], 0.35)), image, mask)
    edge = ImageChops.subtract(mask, ImageChops.offset(mask, 0, max(2, int(unit * 0.005))))
    return Image.composite(Image.new("RGB", image.size, pal["glow"]), image, edge)


def _card_text(image: Image.Image, pal: dict, title: str, tagline: str, traits: list[str]) -> None:
    width, height = image.size
    unit = min(width, height)
    margin = int(unit * 0.07)
    draw = ImageDraw.Draw(image, "RGBA")

    # Laid out bottom-up: trait chips, tagline, title, accent bar.
    y = height - margin
    chip_font = _font(unit * 0.026)
    chip_h = int(unit * 0.052)
    pad = int(unit * 0.022)
    rows, row, row_w = [], [], 0
    for trait in traits[:6]:
        trait = trait if len(trait) <= 28 else trait[:27] + "…"
        w = int(draw.textlength(trait, font=chip_font)) + 2 * pad
        if row and row_w + w > width - 2 * margin:
            rows.append(row)
            row, row_w = [], 0
        row.append((trait, w))
        row_w += w + int(pad * 0.6)
    if row:
        rows.append(row)
    for row in reversed(rows[:2]):
        x = margin
        top = y - chip_h
        for trait, w in row:
            draw.rounded_rectangle([x, top, x + w, y], radius=chip_h // 2, fill=pal["accent"] + (60,),
                                   outline=pal["accent"] + (230,), width=max(1, unit // 400))
            draw.text((x + w / 2, top + chip_h / 2), trait, font=chip_font, fill=pal["text"], anchor="mm")
            x += w + int(pad * 0.6)
        y = top - int(chip_h * 0.3)
    if rows:
        y -= int(unit * 0.02)

    if tagline:
        tag_font = _font(unit * 0.034)
        lines = _wrap_pixels(draw, (tagline[:1].upper() + tagline[1:]).rstrip("."), tag_font, width - 2 * margin, 2)
        for line in reversed(lines):
            draw.text((margin, y), line, font=tag_font, fill=pal["soft"] + (240,), anchor="ls")
            y -= int(unit * 0.046)
        y -= int(unit * 0.012)

    title_font, lines = _title_layout(draw, title, width - 2 * margin, unit)
    stroke = max(1, int(title_font.size * 0.03))
    line_h = int(title_font.size * 1.02)
    for line in reversed(lines):
        draw.text((margin + unit * 0.003, y + unit * 0.004), line, font=title_font, fill=(0, 0, 0, 110), anchor="ls",
                  stroke_width=stroke, stroke_fill=(0, 0, 0, 110))
        draw.text((margin, y), line, font=title_font, fill=pal["text"], anchor="ls", stroke_width=stroke,
                  stroke_fill=pal["text"])
        y -= line_h
    bar_y = y + line_h - int(title_font.size * 0.95) - int(unit * 0.035)
    draw.rounded_rectangle([margin, bar_y, margin + int(unit * 0.09), bar_y + max(3, int(unit * 0.007))],
                           radius=max(1, unit // 200), fill=pal["glow"])

    # The label: small, top left, unmistakable.
    label_font = _font(unit * 0.022)
    label = "OFFLINE PREVIEW"
    lw = draw.textlength(label, font=label_font)
    lh = int(unit * 0.044)
    top = int(unit * 0.05)
    draw.rounded_rectangle([margin, top, margin + lw + lh, top + lh], radius=lh // 2, fill=(0, 0, 0, 120),
                           outline=pal["text"] + (140,), width=max(1, unit // 512))
    draw.text((margin + (lw + lh) / 2, top + lh / 2), label, font=label_font, fill=pal["text"], anchor="mm")


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=max(8, int(size)))


def _wrap_pixels(draw, text: str, font, max_width: float, max_lines: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and draw.textlength(candidate, font=font) > max_width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    if len(lines) > max_lines or (lines and draw.textlength(lines[-1], font=font) > max_width):
        lines = lines[:max_lines]
        last = lines[-1]
        while last and draw.textlength(last + "…", font=font) > max_width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines
