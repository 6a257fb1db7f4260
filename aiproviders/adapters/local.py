"""The offline provider: no network, no key, the embedded default on a fresh install.

    generate_text  drafts Markdown from the bible's own data (request.context), clearly labelled
                   as an offline draft; deterministic for the same input.
    generate_image renders a title card from the prompt (t2i), stylises one reference (i2i) or
                   composites several (multi-reference) with Pillow; PNG of exactly width×height.
    start_video    animates an image with an eased pan/zoom into an H.264 MP4 (PyAV), at once:
                   the returned job has already succeeded. Nothing is stored between calls, so
                   poll_video only explains that (a failed, permanent job) instead of keeping MP4
                   bytes in process memory that another worker could never see anyway.

Bad inputs (unreadable or oversized references, sizes or durations out of range) raise
ProviderError(permanent=True); nothing here is worth retrying."""

import colorsys
import hashlib
import io
import json
import math
import random
import re
import textwrap
from collections.abc import Iterator
from fractions import Fraction

from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageMath, ImageOps

from .base import Adapter, ImageRequest, ImageResult, ProviderError, TextRequest, Usage, VideoJob, VideoRequest

OFFLINE_LABEL = "[Offline draft — written without an AI service]"
MAX_REFERENCE_PIXELS = 40_000_000
MAX_REFERENCES = 16
MIN_SIDE, MAX_IMAGE_SIDE = 16, 4096
FPS = 24
MAX_VIDEO_SIDE, MAX_VIDEO_PIXELS = 1920, 1920 * 1080
MOTIONS = ("zoom_in", "zoom_out", "pan_left", "pan_right")
CHUNK_CHARS = 40


class LocalAdapter(Adapter):
    """Offline drafts, images and videos. Never touches the network; never raises a transient
    error (the same input would fail the same way)."""

    kind = "local"

    def generate_text(self, model_id: str, request: TextRequest) -> Iterator[str | Usage]:
        text = draft_text(request)
        yield from _chunks(text)
        # Tokens are estimated, not counted: about four tokens for three English words.
        yield Usage(
            input_tokens=_tokens(_words(_request_text(request))),
            output_tokens=_tokens(_words(text)),
            request_id="local-" + _digest(request.prompt, request.system, request.messages, request.context)[:12],
        )

    def generate_image(self, model_id: str, request: ImageRequest) -> ImageResult:
        width, height = _checked_size(request.width, request.height, MAX_IMAGE_SIDE, MAX_IMAGE_SIDE**2)
        if len(request.references) > MAX_REFERENCES:
            raise ProviderError(f"Use at most {MAX_REFERENCES} reference images.", permanent=True, code="bad_request")
        strength = _strength(request.strength)
        if not request.references:
            image = render_card(request.prompt, request.subject or {}, width, height)
        elif len(request.references) == 1:
            source = cover(decode_image(request.references[0], fit=(width, height)), width, height)
            image = Image.blend(source, stylise(source, request.style), strength)
        else:
            collage = composite(request.references, width, height, _palette(request.prompt or "collage"))
            image = Image.blend(collage, stylise(collage, request.style), strength)
        data = _png(image)
        return ImageResult(data=data, mime="image/png", width=width, height=height,
                           request_id="local-" + hashlib.sha256(data).hexdigest()[:12])

    def start_video(self, model_id: str, request: VideoRequest) -> VideoJob:
        duration = _checked_duration(request.duration)
        width, height = _checked_size(request.width, request.height, MAX_VIDEO_SIDE, MAX_VIDEO_PIXELS, even=True)
        motion = request.motion if request.motion in MOTIONS else "zoom_in"
        source = decode_image(request.image, fit=(width, height))
        job_id = "local-" + _digest(hashlib.sha256(request.image).hexdigest(), duration, motion, width, height)[:16]
        data, frames = render_video(source, width=width, height=height, seconds=duration, motion=motion)
        return VideoJob(job_id=job_id, status="succeeded", progress=100, data=data, request_id=job_id,
                        duration=frames / FPS)

    def poll_video(self, model_id: str, job_id: str) -> VideoJob:
        return VideoJob(job_id=job_id, status="failed", error=ProviderError(
            "This offline video is no longer available. Please make it again.", permanent=True, code="not_found",
            detail="the local provider returns videos from start_video and keeps no jobs to poll",
        ))

    def test_connection(self) -> str:
        return "Offline provider ready (no network needed)"


# ---------------------------------------------------------------------------------------------
# Shared helpers


def _digest(*parts) -> str:
    payload = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _rng(*parts) -> random.Random:
    return random.Random(int(_digest(*parts)[:16], 16))


def _checked_size(width, height, max_side: int, max_pixels: int, *, even: bool = False) -> tuple[int, int]:
    try:
        width, height = int(width), int(height)
    except (TypeError, ValueError):
        width = height = 0
    ok = MIN_SIDE <= width <= max_side and MIN_SIDE <= height <= max_side and width * height <= max_pixels
    if even and (width % 2 or height % 2):
        ok = False
    if not ok:
        raise ProviderError("That size is not supported.", permanent=True, code="bad_request",
                            detail=f"size {width}x{height} outside {MIN_SIDE}..{max_side} (max {max_pixels} px, even={even})")
    return width, height


def _checked_duration(duration) -> int:
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or not 1 <= duration <= 10 \
            or duration != int(duration):
        raise ProviderError("Videos can be 1 to 10 seconds long.", permanent=True, code="bad_request",
                            detail=f"duration {duration!r}")
    return int(duration)


def _strength(value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0.6
    return 0.6 if math.isnan(value) else min(1.0, max(0.0, value))


# ---------------------------------------------------------------------------------------------
# Text: a structured draft assembled from the bible


GENRES = [
    (("fantasy", "magic", "myth", "folklore", "fairy", "legend", "wuxia", "sword"), {
        "label": "fantasy",
        "motifs": ["an old magic that always asks a price", "a map that redraws itself overnight",
                   "an oath sworn by someone long dead", "a festival that hides an older ritual",
                   "a creature that remembers the first age"],
        "stakes": "the fragile bargain between the old powers and ordinary people",
        "themes": ["the cost of power", "belonging versus freedom", "keeping a promise when it hurts"],
        "rivals": ["a gifted rival who wants the same relic for a better reason",
                   "a smiling regent who believes order excuses anything"],
        "places": ["a lantern market at the edge of the wilds", "a shrine swallowed by roots",
                   "a bridge that only appears at dusk"],
        "senses": ["wind chimes and distant thunder", "smoke, rain and crushed herbs", "gold light through drifting spores"],
    }),
    (("science fiction", "sci-fi", "scifi", "space", "cyberpunk", "robot", "futur", "mecha"), {
        "label": "science fiction",
        "motifs": ["a machine that starts asking questions", "a signal from a place that should be empty",
                   "memories that can be bought and sold", "a colony rule nobody remembers voting for"],
        "stakes": "who gets to decide what the future is for",
        "themes": ["what makes us human", "progress and who pays for it", "truth in an age of perfect copies"],
        "rivals": ["a corporate fixer who is never technically lying", "an AI loyal to the letter of its orders"],
        "places": ["a maintenance deck humming with recyclers", "a neon night market under the arcology",
                   "an observation dome facing a dying star"],
        "senses": ["ozone and warm circuitry", "the hum of coolant pipes and distant announcements",
                   "hard white light and flickering holo-ads"],
    }),
    (("horror", "ghost", "haunt", "creep", "monster", "zombie", "occult"), {
        "label": "horror",
        "motifs": ["a door that was not there yesterday", "a voice that knows a secret nobody told",
                   "a photograph with one person too many", "a house rule that must never be broken"],
        "stakes": "whether anyone gets out with their mind intact",
        "themes": ["guilt that will not stay buried", "the monster we make of fear", "family secrets"],
        "rivals": ["something patient living under the floorboards", "a neighbour who is far too helpful"],
        "places": ["a flooded basement", "a school corridor after the lights go out", "a roadside shrine in thick fog"],
        "senses": ["damp plaster and cold air", "a clock ticking in an empty room", "a flickering bulb and a long shadow"],
    }),
    (("mystery", "detective", "noir", "crime", "whodunit", "investigat"), {
        "label": "mystery",
        "motifs": ["a letter delivered ten years late", "a witness who lies about the weather",
                   "a locked room with the key still inside", "a debt nobody admits to owing"],
        "stakes": "the truth, and who gets hurt when it comes out",
        "themes": ["the price of the truth", "justice versus the law", "people are never only one thing"],
        "rivals": ["a respected patron with an alibi too perfect", "a rival investigator who always arrives first"],
        "places": ["a rain-slick alley behind the theatre", "a records office closing for the night",
                   "a ferry terminal at the last crossing"],
        "senses": ["cigarette smoke and wet asphalt", "a typewriter in the next room", "sodium light on puddles"],
    }),
    (("romance", "love", "romcom", "rom-com"), {
        "label": "romance",
        "motifs": ["a misdelivered message", "a promise made as children", "a bet that stops being a game",
                   "a shared secret place"],
        "stakes": "two people choosing each other over what is safe",
        "themes": ["vulnerability as courage", "love versus duty", "second chances"],
        "rivals": ["a charming ex who never really left", "a family who has already chosen someone else"],
        "places": ["a rooftop garden after the rain", "a tiny bookshop at closing time", "a train platform in winter"],
        "senses": ["warm bread and rain", "a song from a passing car", "string lights swaying in the wind"],
    }),
    (("comedy", "funny", "sitcom", "humor", "humour", "parody", "satir"), {
        "label": "comedy",
        "motifs": ["a small lie that grows out of control", "a mix-up of identical bags",
                   "an inspection that arrives a day early", "a pet with a secret talent"],
        "stakes": "pride, reputation and one very important party",
        "themes": ["being yourself is funnier than pretending", "friendship survives chaos", "failing upwards"],
        "rivals": ["an overachieving neighbour with a perfect lawn", "a bureaucrat who loves the rules a little too much"],
        "places": ["a cramped family restaurant", "an office on the morning of the big demo", "a wedding that is going wrong"],
        "senses": ["burnt toast and panic", "a ringtone at the worst moment", "confetti stuck to everything"],
    }),
    (("superhero", "super hero", "superpower", "vigilante"), {
        "label": "superhero",
        "motifs": ["a power that works only when no one is watching", "a mask that belonged to someone else",
                   "a city that has stopped believing in heroes", "an accident that was no accident"],
        "stakes": "a city and the people who hold it together",
        "themes": ["responsibility without recognition", "identity behind the mask", "power and restraint"],
        "rivals": ["a former ally who thinks heroes made things worse", "a billionaire selling safety"],
        "places": ["a rooftop above the night traffic", "an abandoned subway station", "a hospital during a blackout"],
        "senses": ["sirens and wind", "neon reflected in rain", "the crackle of a police radio"],
    }),
    (("thriller", "spy", "heist", "conspiracy", "espionage", "survival"), {
        "label": "thriller",
        "motifs": ["a file that should have been destroyed", "a phone that keeps ringing", "a countdown nobody else can see",
                   "an ally who changed sides last night"],
        "stakes": "lives measured in hours",
        "themes": ["trust as a weapon", "the cost of knowing", "loyalty under pressure"],
        "rivals": ["a handler whose orders keep changing", "a professional who never misses"],
        "places": ["a parking garage at 3 a.m.", "a crowded station at rush hour", "a server room with one exit"],
        "senses": ["fluorescent buzz and cold coffee", "footsteps echoing in concrete", "rain against a dark window"],
    }),
    (("action", "adventure", "quest", "martial", "pirate", "treasure", "explor"), {
        "label": "adventure",
        "motifs": ["a half-torn map", "a rival crew racing for the same prize", "a legend that turns out to be a warning",
                   "a vehicle held together by hope"],
        "stakes": "the prize, the crew and the way home",
        "themes": ["courage is a choice", "the journey changes the traveller", "found family"],
        "rivals": ["a rival captain who plays fair until it matters", "a collector who buys people as easily as relics"],
        "places": ["a storm-battered harbour", "a canyon of singing stone", "a jungle temple half under water"],
        "senses": ["salt spray and tar", "drums across the water", "heat shimmering over rock"],
    }),
    (("slice of life", "slice-of-life", "everyday", "school", "coming of age", "coming-of-age", "family", "cozy", "cosy"), {
        "label": "slice-of-life",
        "motifs": ["a summer job nobody wanted", "a shop about to close", "a festival everyone is preparing for",
                   "a letter from a friend who moved away"],
        "stakes": "a friendship, a dream and a place that feels like home",
        "themes": ["growing up without growing apart", "small kindnesses", "finding your own pace"],
        "rivals": ["a well-meaning parent with other plans", "a classmate who seems to have it all figured out"],
        "places": ["a corner shop with a buzzing fridge", "a riverside path at sunset", "a school rooftop at lunch"],
        "senses": ["cicadas and warm asphalt", "rice steaming in the kitchen", "a bicycle bell down the street"],
    }),
]
DEFAULT_GENRE = {
    "label": "story",
    "motifs": ["a secret kept for too long", "a promise that is hard to keep", "a stranger who knows too much",
               "an object that should not exist"],
    "stakes": "what the hero loves most",
    "themes": ["courage in ordinary people", "the price of a choice", "belonging"],
    "rivals": ["a rival who wants the same thing for different reasons", "someone trusted who has their own plan"],
    "places": ["a crossroads at night", "a home that no longer feels safe", "the one place nobody goes"],
    "senses": ["wind and distant voices", "a door creaking somewhere", "late light through dusty windows"],
}
TONES = [
    (("dark", "grim", "gritty", "bleak", "brutal", "noir"), ["shadowed", "uneasy", "heavy"]),
    (("whims", "playful", "light", "fun", "cozy", "cosy", "wholesome", "warm", "hopeful", "cheer"), ["bright", "playful", "warm"]),
    (("epic", "grand", "heroic", "mythic"), ["sweeping", "bold", "luminous"]),
    (("melanch", "bittersweet", "sad", "quiet", "poetic", "nostalg"), ["hushed", "tender", "wistful"]),
    (("tense", "suspense", "thrill", "paranoi"), ["taut", "watchful", "restless"]),
    (("satir", "absurd", "quirky", "silly", "zany"), ["absurd", "lively", "mischievous"]),
]
FORMATS = [
    (("comic", "manga", "webtoon", "graphic novel", "manhwa", "strip"), "comic"),
    (("anim", "cartoon", "anime"), "animation"),
    (("game", "rpg", "visual novel"), "game"),
    (("series", "episod", "tv", "show"), "series"),
    (("film", "movie", "feature", "short", "cinema"), "film"),
]
FORMAT_NOTES = {
    "comic": ["Keep the silhouette readable at thumbnail size in a small panel.",
              "Give {name} one signature colour so the eye finds {them} on a busy page.",
              "Draw an expression sheet with five moods before the first page."],
    "animation": ["Pick a clear shape language (circles feel friendly, triangles dangerous, squares steady).",
                  "Exaggerate posture so {name} reads in silhouette while moving.",
                  "Limit details that must be redrawn every frame; put personality in the walk."],
    "game": ["Make the silhouette readable at gameplay distance.",
             "Turn personality into player verbs: what does {name} do differently from everyone else?",
             "Design an idle animation that shows who {name} is when nothing happens."],
    "series": ["Leave room to grow over episodes: one secret to reveal per season.",
               "Give {name} a recurring running gag or ritual the audience can look forward to."],
    "film": ["Let the costume change with the arc: what does {name} wear before and after the turning point?",
             "Find one visual motif (a colour, an object) that returns at the climax."],
    "": ["Keep the silhouette simple enough to sketch in ten seconds.",
         "Give {name} one signature colour and one signature object."],
}
COLOURS = ["saffron", "teal", "crimson", "indigo", "moss green", "coral", "ochre", "cobalt", "plum", "jade", "rust", "ivory"]
FLAWS = ["pride that refuses help", "a habit of leaving before the goodbye", "trusting the wrong people too quickly",
         "a temper that cools too late", "keeping secrets to protect others", "needing to be right"]
VOICES = ["short sentences and sudden jokes when nervous", "answers questions with questions",
          "formal until angry, then blunt", "talks to objects and animals as if they answer back",
          "speaks softly and makes people lean in"]
NEEDS = ["to accept help without seeing it as weakness", "to choose a path instead of inheriting one",
         "to tell the truth when a lie would be easier", "to let go of a past that no longer fits",
         "to accept that some good things are simply deserved"]
FEARS = ["being forgotten", "turning into the person {they} swore never to become",
         "losing the last person who believes in {them}", "finding out the mission was pointless", "being seen as ordinary"]
TRAIT_NOTES = ["shows most clearly under pressure", "the first thing others notice, and the easiest to exploit",
               "opens doors in the first act and causes trouble in the second", "rooted in the past (see Backstory)",
               "softened only around people {name} trusts", "what friends love and rivals mock"]
PERSON_WORDS = {"girl", "boy", "man", "woman", "hero", "heroine", "kid", "child", "warrior", "knight", "princess", "prince",
                "king", "queen", "witch", "wizard", "detective", "captain", "pilot", "maker", "character", "portrait",
                "student", "soldier", "ninja", "samurai", "mage", "thief", "villain", "mother", "father", "sister",
                "brother", "girl's", "boy's", "lady", "gentleman", "teen", "teenager", "elder", "monk", "priestess"}


def draft_text(request: TextRequest) -> str:
    context = request.context if isinstance(request.context, dict) else {}
    section = _clean(context.get("section")).lower() or "free"
    project = context.get("project") if isinstance(context.get("project"), dict) else {}
    subject = context.get("subject") if isinstance(context.get("subject"), dict) else {}
    d = _Draft(section, project, subject, _clean(request.prompt), _rng(request.prompt, context))
    builder = {
        "story": d.story, "synopsis": d.synopsis, "beats": d.beats, "character": d.character, "world": d.world,
        "location": d.location, "scene": d.scene, "script": d.script,
    }.get(section, d.free)
    body = "\n".join(builder()).strip()
    text = f"{OFFLINE_LABEL}\n\n{body}\n\n---\n*{d.footer}*\n"
    return _truncate(text, max(20, int((request.max_tokens or 1024) * 0.75)))


def _clean(value) -> str:
    """Creator text as one tidy string; None, empty and 'None' become ''."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (list, tuple, set)):
        return ", ".join(filter(None, (_clean(v) for v in value)))
    if isinstance(value, dict):
        return _clean(value.get("name") or value.get("title")) or "; ".join(
            f"{k}: {_clean(v)}" for k, v in value.items() if _clean(v))
    text = re.sub(r"\s+", " ", str(value)).strip()
    return "" if text.lower() in {"none", "null", "n/a", "undefined"} else text


def _items(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [c for c in (_clean(v) for v in value) if c]
    return [c.strip() for c in re.split(r"[,;\n]|\band\b", _clean(value)) if c.strip()]


def _sentence(text: str) -> str:
    text = _clean(text)
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…\"'”)" else text + "."


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:] if text and not text[:2].isupper() else text


def _a(phrase: str) -> str:
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _match(text: str, table, default):
    """The value of the first row with a key starting a word in `text` ("love" matches "loves", not "glove")."""
    text = text.lower()
    for keys, value in table:
        if any(re.search(r"\b" + re.escape(k), text) for k in keys):
            return value
    return default


class _Draft:
    """The pieces every section draws on, with phrasing picked by a seeded RNG."""

    def __init__(self, section, project, subject, prompt, rng):
        self.section, self.project, self.subject, self.prompt, self.rng = section, project, subject, prompt, rng
        p = {k: _clean(project.get(k)) for k in ("title", "logline", "premise", "genre", "tone", "format", "audience", "theme")}
        self.title, self.logline, self.premise = p["title"], p["logline"], p["premise"]
        self.genre_text, self.tone, self.format_text, self.audience = p["genre"], p["tone"], p["format"], p["audience"]
        self.g = _match(self.genre_text, GENRES, None) or _match(self.premise, GENRES, DEFAULT_GENRE)
        self.theme = p["theme"] or rng.choice(self.g["themes"])
        self.mood_words = _match(self.tone, TONES, ["vivid", "grounded", "honest"])
        self.format = _match(self.format_text, FORMATS, "")
        self.protagonist = (_clean(project.get("protagonist")) or _clean(subject.get("protagonist"))
                            or next(iter(_names(project.get("characters"))), ""))
        self.footer = ("Assembled offline from your bible, without an AI service. Edit freely, or choose an AI model "
                       "for a fuller draft.")

    # -- small phrasing helpers ----------------------------------------------------------------
    def pick(self, options):
        return self.rng.choice(options)

    def work(self) -> str:
        """'*Title*, a whimsical fantasy comic' / 'this story'."""
        kind = " ".join(filter(None, [self.tone, self.genre_text, self.format_text])).lower()
        if self.title and kind:
            return f"*{self.title}*, {_a(kind)}"
        if self.title:
            return f"*{self.title}*"
        return f"this {kind}" if kind else "this story"

    def direction(self) -> list[str]:
        if not self.prompt:
            return []
        return [f"> **Your direction:** {self.prompt}", ">",
                "> *Offline drafts follow the bible rather than free-form instructions; use this as a scaffold.*", ""]

    def meta(self, *parts) -> list[str]:
        line = _cap(" · ".join(p for p in parts if p))
        return [f"*{line}*", ""] if line else []

    def hero(self) -> str:
        if self.protagonist:
            return self.protagonist
        return (_clean(self.subject.get("name")) if self.section == "character" else "") or "the hero"

    def theme_text(self) -> str:
        return self.theme

    # -- sections ------------------------------------------------------------------------------
    def character(self) -> list[str]:
        s = self.subject
        name = _clean(s.get("name"))
        who = name or "this character"
        role, age = _clean(s.get("role")), _clean(s.get("age"))
        pron = _pronouns(" ".join(_clean(s.get(k)) for k in ("pronouns", "gender", "appearance", "description"))
                         + " " + self.prompt)
        out = [f"# {name or 'Unnamed character'}", ""]
        out += self.meta(role.capitalize() if role else "", f"age {age}" if age.isdigit() else age, self.title)
        out += self.direction()

        if role.lower() in {"protagonist", "antagonist", "deuteragonist", "main character", "hero", "heroine",
                            "villain", "narrator", "mentor", "lead"}:
            role_phrase = "the " + role.lower()
        else:
            role_phrase = _a(role.lower()) if role else "a key character"
        traits = _items(s.get("personality")) or _items(s.get("traits"))
        out += ["## At a glance", "",
                f"{_cap(who)} is {role_phrase} in {self.work()}. "
                + (f"Defined by being {_join([t.lower() for t in traits[:3]])}, " if traits else "A ")
                + (f"{who} carries the story's question of {self.theme_text()}." if traits else
                   f"figure through whom the story asks about {self.theme_text()}."), ""]

        appearance, clothing, accessories = (_clean(s.get(k)) for k in ("appearance", "clothing", "accessories"))
        colour = self.pick(COLOURS)
        out += ["## Appearance", ""]
        if appearance:
            out += [_sentence(appearance), ""]
        else:
            out += [f"Not described yet. A starting point: a {self.pick(['lean', 'sturdy', 'small', 'tall', 'wiry'])} "
                    f"build, {self.pick(['watchful', 'bright', 'tired', 'restless', 'kind'])} eyes and one detail "
                    f"that hints at {_lower_first(self.pick(self.g['motifs']))}.", ""]
        if clothing:
            out.append(f"- **Clothing:** {clothing}")
        if accessories:
            out.append(f"- **Accessories:** {accessories}")
        out += [f"- **Signature colour:** {colour} — keep it in every outfit so {who} is recognisable at a glance.",
                f"- **Silhouette:** {self.pick(['a strong triangle (broad on top)', 'a soft round shape', 'a tall narrow line', 'an asymmetric shape with one standout detail'])}.",
                ""]

        out += ["## Personality", ""]
        if traits:
            for trait in traits[:5]:
                note = self.pick(TRAIT_NOTES).format(name=who)
                out.append(f"- **{_cap(trait)}** — {note}.")
        else:
            out.append("- Not defined yet. Try three words: one virtue, one flaw, one contradiction.")
        out += [f"- **Flaw:** {self.pick(FLAWS)}.", f"- **Voice:** {self.pick(VOICES)}.", ""]

        backstory = _clean(s.get("backstory"))
        out += ["## Backstory", ""]
        if backstory:
            out += [_sentence(backstory), "", "Questions to deepen it:", "",
                    f"- What did {who} lose, and who is to blame for it?",
                    "- Who from this past could walk back in at the worst possible moment?", ""]
        else:
            out += [f"A seed to develop: {who} grew up near {self.pick(self.g['places'])}, where "
                    f"{_lower_first(self.pick(self.g['motifs']))} was only a bedtime story — until the day it proved "
                    f"true, and nothing at home was the same again.", ""]

        motivation = _clean(s.get("motivation")) or _clean(s.get("goal"))
        out += ["## Motivation", "",
                f"- **Wants (outer goal):** {motivation or 'to be decided — make it concrete enough to picture on the page'}",
                f"- **Needs (inner lesson):** {self.pick(NEEDS)}",
                f"- **Fears:** {self.pick(FEARS).format(they=pron[0], them=pron[1])}",
                f"- **Stakes:** if {who} fails, the story puts {self.g['stakes']} at risk.", ""]

        rival = self.pick(self.g["rivals"])
        out += ["## Story hooks", "",
                f"1. {_cap(who)} discovers {self.pick(self.g['motifs'])} at {self.pick(self.g['places'])} — and it points "
                f"straight at {pron[2]} past.",
                f"2. {_sentence(rival)[:-1]} offers {who} a shortcut to the goal, for a price nobody says aloud.",
                f"3. A quiet moment: {who} alone with {self.pick(self.g['senses'])}, remembering why any of this matters."]
        if self.logline:
            out.append(f"4. Where {who} fits the main plot: *{self.logline}*")
        medium = self.format_text.lower() or self.format
        out += ["", f"## Design notes{' for the ' + medium if medium else ''}", ""]
        out += [f"- {n.format(name=who, them=pron[1])}" for n in FORMAT_NOTES[self.format]]
        return out

    def story(self) -> list[str]:
        hero = self.hero()
        motif, rival, place = self.pick(self.g["motifs"]), self.pick(self.g["rivals"]), self.pick(self.g["places"])
        out = [f"# {self.title or 'Untitled story'}", ""]
        out += self.meta(self.genre_text.capitalize(), self.tone.lower(), self.format_text.lower(),
                         f"for {self.audience}" if self.audience else "")
        out += self.direction()
        out += ["## Logline", "", self.logline or (
            f"When {_lower_first(motif)} surfaces at {place}, {hero} must stand against {rival} before "
            f"{self.g['stakes']} is lost for good."), ""]
        out += ["## Premise", "", _sentence(self.premise) or (
            f"A {self.mood_words[0]} {self.g['label']} about {self.theme_text()}. {_cap(hero)} starts with "
            f"a small, safe life; the story takes it apart piece by piece and asks what is worth rebuilding."), ""]
        out += ["## Theme", "", f"**{_cap(self.theme_text())}.** Every major choice "
                f"should test it: let {hero} argue one side early and live the other side by the end.", ""]
        out += ["## Tone and style", "",
                f"{_join([w.capitalize() if i == 0 else w for i, w in enumerate(self.mood_words)])}. "
                f"Recurring textures: {self.pick(self.g['senses'])}; {self.pick(self.g['senses'])}.", ""]
        out += ["## Central conflict", "",
                f"- **Outer:** {hero} against {rival}.",
                f"- **Inner:** {hero} against {self.pick(FLAWS)}.",
                f"- **Stakes:** {self.g['stakes']}.", ""]
        out += ["## Story engine", "",
                f"What keeps generating new stories: {_lower_first(self.pick(self.g['motifs']))}, and the people who "
                f"want to use it. Each {'episode' if self.format in ('series', 'comic', 'animation') else 'chapter'} "
                f"should open a question about it and close an older one.", ""]
        out += ["## Open questions", "", f"- What does {hero} want on page one, and what do they need by the end?",
                "- Which scene is the poster? Describe the single image that sells this story.",
                f"- What does the audience {('(' + self.audience + ') ') if self.audience else ''}feel in the last minute?"]
        return out

    def synopsis(self) -> list[str]:
        hero = self.hero()
        motif, rival, place = self.pick(self.g["motifs"]), self.pick(self.g["rivals"]), self.pick(self.g["places"])
        out = [f"# Synopsis — {self.title or 'untitled'}", ""] + self.direction()
        out += ["## In one sentence", "", self.logline or (
            f"{_cap(hero)} must face {rival} when {_lower_first(motif)} threatens {self.g['stakes']}."), ""]
        out += ["## Beginning", "",
                f"{_sentence(self.premise) + ' ' if self.premise else ''}We meet {hero} at {place}, living a life that "
                f"seems settled but is quietly missing something. Then {_lower_first(motif)} appears, and the old "
                f"routine cannot hold. After resisting, {hero} commits to the journey.", ""]
        out += ["## Middle", "",
                f"New allies, new rules and early wins. {_sentence(rival)[:-1]} moves from the shadows into the open. "
                f"At the midpoint {hero} learns the real shape of the problem: it was never only about "
                f"{_lower_first(motif)}, but about {self.theme_text()}. The cost rises until everything seems lost.", ""]
        out += ["## End", "",
                f"With {self.pick(FLAWS)} finally faced, {hero} returns to the fight with a new plan and wins — or "
                f"loses in a way that means more. The closing image mirrors the opening one and shows how far "
                f"{hero} has come.", ""]
        out += ["## To refine", "", "- Name the ally, the mentor and the rival.",
                "- Replace each general sentence above with the concrete event from your bible."]
        return out

    def beats(self) -> list[str]:
        hero = self.hero()
        motif, rival, place = self.pick(self.g["motifs"]), self.pick(self.g["rivals"]), self.pick(self.g["places"])
        ally = self.pick(["an unlikely ally", "an old friend", "a reluctant mentor", "a stranger with a secret"])
        theme = self.theme_text()
        acts = [
            ("Act One — Setup (0–20%)", [
                ("Opening Image", "1%", f"{hero} at {place}: one image that shows the world before anything changes."),
                ("Theme Stated", "5%", f"Someone says out loud what the story is about — {theme} — and {hero} shrugs it off."),
                ("Set-up", "1–10%", f"What {hero} has, wants and lacks; the people at home; the flaw ({self.pick(FLAWS)})."),
                ("Catalyst", "10%", f"{_sentence(motif)[:-1]} turns up and the ordinary world cannot go on."),
                ("Debate", "10–20%", f"{hero} hesitates: stay safe, or follow it? The risks are made clear."),
            ]),
            ("Act Two — Confrontation (20–80%)", [
                ("Break into Two", "20%", f"{hero} chooses to act and steps into a new world of rules."),
                ("B Story", "22%", f"{_sentence(ally)[:-1]} enters, carrying the theme in a more personal form."),
                ("Fun and Games", "20–50%", f"The promise of the premise: {self.g['label']} set pieces, early wins, "
                 f"{self.pick(self.g['senses'])}."),
                ("Midpoint", "50%", f"A false victory or false defeat; the stakes rise to {self.g['stakes']}."),
                ("Bad Guys Close In", "50–75%", f"{_sentence(rival)[:-1]} tightens the net; doubts split the team."),
                ("All Is Lost", "75%", "The worst moment; something (or someone) is lost for real."),
                ("Dark Night of the Soul", "75–80%", f"{hero} faces the flaw and understands the theme."),
            ]),
            ("Act Three — Resolution (80–100%)", [
                ("Break into Three", "80%", "A new plan that combines what the A and B stories taught."),
                ("Finale", "80–99%", f"{hero} storms the problem, changed; the rival's plan turns against itself."),
                ("Final Image", "99–100%", "The mirror of the opening image, showing how much has changed."),
            ]),
        ]
        out = [f"# Beat sheet — {self.title or 'untitled'}", ""] + self.meta("Save the Cat structure, three acts",
                                                                             self.genre_text.lower())
        out += self.direction()
        if self.logline:
            out += [f"**Logline:** {self.logline}", ""]
        for act, rows in acts:
            out += [f"## {act}", ""]
            out += [f"- **{name}** ({at}) — {_cap(text)}" for name, at, text in rows]
            out.append("")
        if self.format in ("comic", "series", "animation"):
            out.append(f"*For a {self.format}, read the percentages across the whole run: the midpoint lands halfway "
                       "through the pages or episodes.*")
        return out

    def world(self) -> list[str]:
        s = self.subject
        name = _clean(s.get("name")) or self.title or "The world"
        desc = _clean(s.get("description")) or _clean(s.get("summary"))
        rules = _clean(s.get("rules")) or _clean(s.get("magic")) or _clean(s.get("technology"))
        history, factions = _clean(s.get("history")), _items(s.get("factions"))
        out = [f"# {name}", ""] + self.meta(self.genre_text.capitalize(), self.tone.lower(), self.title) + self.direction()
        out += ["## Overview", "", _sentence(desc) or (
            f"A {self.mood_words[0]} {self.g['label']} world where {_lower_first(self.pick(self.g['motifs']))} "
            f"shapes daily life."), ""]
        out += ["## Rules of the world", ""]
        if rules:
            out += [f"- **As written:** {rules}"]
        out += [f"- **What is possible:** {self.pick(self.g['motifs'])} — known to few, feared by many.",
                "- **What it costs:** every use takes something back; decide what, and who pays.",
                "- **What is forbidden:** one line nobody crosses — and the character who will.", ""]
        out += ["## Peoples and factions", ""]
        out += [f"- **{f}** — what they want, what they fear, who they trade with." for f in factions[:5]] or [
            "- Those who keep the old ways, and those who profit from breaking them.",
            f"- {_sentence(self.pick(self.g['rivals']))[:-1]}, and the people who follow them."]
        out += ["", "## History", "", _sentence(history) or (
            "Three ages to define: the founding (a promise), the breaking (a betrayal), and now (the consequences)."), ""]
        out += ["## Everyday life", "", f"- Sounds and smells: {self.pick(self.g['senses'])}.",
                "- Work, food and festivals: what does a normal day look like, and what is celebrated?",
                f"- Places to visit: {_join(self.rng.sample(self.g['places'], 2))}.", ""]
        out += ["## Conflicts that drive stories", "", f"- {_cap(self.g['stakes'])}.",
                f"- {_sentence(self.pick(self.g['motifs']))[:-1]}, and who gets to control it.",
                f"- {_cap(self.theme_text())}, played out between neighbours."]
        return out

    def location(self) -> list[str]:
        s = self.subject
        name = _clean(s.get("name")) or "Unnamed location"
        desc, mood = _clean(s.get("description")), _clean(s.get("mood")) or self.tone
        features = _items(s.get("features"))
        region = _clean(s.get("region")) or _clean(s.get("world"))
        out = [f"# {name}", ""] + self.meta(region, mood.lower(), self.title) + self.direction()
        out += ["## Overview", "", _sentence(desc) or (
            f"{_cap(self.pick(self.g['places']))} — or somewhere very like it. "
            f"Decide its history in one sentence and its secret in another."), ""]
        out += ["## Look and feel", "", f"- **Sights:** {self.pick(['layered', 'cramped', 'vast', 'crooked', 'weathered'])} "
                f"shapes, {self.pick(COLOURS)} and {self.pick(COLOURS)} accents, light that changes the mood by the hour.",
                f"- **Sounds and smells:** {self.pick(self.g['senses'])}.",
                f"- **Mood:** {_join(self.mood_words)}{' — ' + mood.lower() if mood else ''}.", ""]
        out += ["## Notable features", ""]
        out += [f"- {_cap(f)}" for f in features[:6]] or [
            "- One landmark people give directions by.", "- One hidden place only locals know.",
            f"- One trace of {_lower_first(self.pick(self.g['motifs']))}."]
        out += ["", "## Story function", "", f"Use {name} where the story needs "
                f"{self.pick(['a moment of calm before the storm', 'a confrontation in public', 'a secret revealed', 'a chase'])}. "
                "Return to it late in the story, changed, to show what the events cost.", ""]
        out += ["## Scene ideas", "", f"1. {_cap(self.hero())} arrives for the first time and "
                "breaks an unwritten local rule.", f"2. {_sentence(self.pick(self.g['rivals']))[:-1]} is found here, "
                "waiting.", "3. A storm, a festival or a power cut turns the place upside down.", ""]
        out += ["## Art direction", "", f"- Palette: {self.pick(COLOURS)}, {self.pick(COLOURS)}, deep shadow.",
                "- Establishing shot wide and low; then one detail close-up that the audience will remember."]
        return out

    def _scene_parts(self):
        s = self.subject
        title = _clean(s.get("title")) or _clean(s.get("name"))
        location = _clean(s.get("location")) or self.pick(self.g["places"])
        chars = _names(s.get("characters"))
        mood = _clean(s.get("mood")) or self.tone
        beat, summary = _clean(s.get("beat")), _clean(s.get("summary")) or _clean(s.get("description"))
        return title, location, chars, mood, beat, summary

    def scene(self) -> list[str]:
        title, location, chars, mood, beat, summary = self._scene_parts()
        cast = chars or [self.hero()]
        lead = cast[0]
        out = [f"# {title or 'Untitled scene'}", ""] + self.meta(beat, mood.lower(), self.title) + self.direction()
        out += ["## Summary", "", _sentence(summary) or (
            f"{_cap(lead)} reaches {location} expecting one thing and finds another."), ""]
        out += ["## Purpose", "", f"- **Beat:** {beat or 'decide where this sits in the beat sheet'}.",
                f"- **What changes:** {lead} leaves this scene knowing, wanting or losing something new.",
                f"- **Theme touch:** {self.theme_text()}.", ""]
        out += ["## Setting", "", f"{_sentence(location)} {_sentence(self.pick(self.g['senses']))}", ""]
        out += ["## Characters", ""] + [f"- **{c}** — wants something different from everyone else here." for c in cast[:5]]
        out += ["", "## Beat by beat", "",
                f"1. **Open:** a strong image — {lead} {self.pick(['alone', 'mid-argument', 'hiding', 'at work', 'arriving late'])}.",
                f"2. **Push:** pressure arrives ({self.pick(self.g['rivals'])}, or news of it).",
                f"3. **Turn:** a reveal about {_lower_first(self.pick(self.g['motifs']))} flips the goal.",
                f"4. **Out:** {lead} makes a choice that launches the next scene.", ""]
        out += ["## Mood, camera and sound", "", f"- Mood: {_join(self.mood_words)}{' — ' + mood.lower() if mood else ''}.",
                f"- Camera: {self.pick(['start wide, end tight on a face', 'handheld and close', 'slow push-in', 'static frames, sudden cut'])}.",
                f"- Sound: {self.pick(self.g['senses'])}."]
        return out

    def script(self) -> list[str]:
        title, location, chars, mood, beat, summary = self._scene_parts()
        cast = [c.upper() for c in chars[:3]] or [self.hero().upper() if self.hero() != "the hero" else "HERO"]
        if len(cast) == 1:
            cast.append(self.pick(["STRANGER", "OLD FRIEND", "RIVAL", "MENTOR"]))
        a, b = cast[0], cast[1]
        slug_place = re.sub(r"^((int|ext|int\./ext)\.?|an?|the)\s+", "", location, flags=re.I).upper()
        interior = re.search(r"\b(room|house|home|kitchen|office|inside|interior|hall|shop|cabin|bar|cafe|café|"
                             r"classroom|library|apartment|basement|bedroom|corridor|lab|studio|temple|church|workshop|forge|tent|"
                             r"car|train|bus|palace|castle|tavern|inn|hospital|warehouse|attic|cellar|dojo|garage)\b",
                             location, re.I)
        prefix = location.split()[0].upper().rstrip(".") + "." if re.match(r"(int|ext)\b", location, re.I) else \
            ("INT." if interior else "EXT.")
        time_of_day = _clean(self.subject.get("time")).upper() or (
            "NIGHT" if any(w in (mood + self.tone).lower() for w in ("dark", "tense", "grim", "noir")) else
            self.pick(["DAY", "DUSK", "NIGHT", "MORNING"]))
        sense = self.pick(self.g["senses"])
        act = [f"{prefix} {slug_place} - {time_of_day}", ""]
        act += _wrap_action(_sentence(summary)) if summary else []
        act += _wrap_action(f"{_sentence(slug_place.lower())[:-1]}. {_sentence(sense)} "
                            f"{a.title()} {self.pick(['waits at the edge of the light', 'hurries in, out of breath', 'works alone, not noticing the time', 'stands very still'])}.")
        moodp = mood.lower() if mood else self.pick(["low", "urgent", "wary"])
        lines = [
            (a, "", self.pick(["You came. I wasn't sure you would.", "We don't have long. Listen.", "Tell me I'm wrong about this."])),
            (b, moodp, self.pick(["You're not wrong. That's the problem.", "Not here. Not where they can hear us.", "You always think there's time."])),
            (a, "", self.pick(["I made a promise. I'm keeping it.", "Then tell me what you know.", "I'm done running from it."])),
            (b, "a beat", f"There's something you need to know about {_lower_first(self.pick(self.g['motifs']))}."),
        ]
        out = [f"# {title or 'Scene'} — script draft", ""] + self.meta(beat, mood.lower(), self.title) + self.direction()
        body = act
        for who, paren, line in lines:
            body += _cue(who, paren, line)
        body += _wrap_action(f"{a.title()} freezes. {_sentence(self.pick(self.g['senses']))}")
        body += _cue(a, "", self.pick(["Then we do it tonight.", "Show me.", "No more secrets."]))
        body += _cue(b, "quietly", self.pick(["Then don't look back.", "I hoped you'd say that.", "You won't like it."]))
        body += _wrap_action(f"{a.title()} steps past {b.title()} and out of frame. Hold on the empty space.")
        body += [" " * 44 + self.pick(["CUT TO:", "SMASH CUT TO:", "FADE OUT."])]
        out += ["```", *body, "```", "",
                "*Screenplay layout: sluglines, action, character cues, parentheticals, dialogue. Rewrite the dialogue "
                "in each character's own voice.*"]
        return out

    def free(self) -> list[str]:
        hero = self.hero()
        out = [f"# {self.title + ' — notes' if self.title else 'Draft notes'}", ""] + self.direction()
        if not self.prompt:
            out += ["*No instruction was given, so here are starting points drawn from the bible.*", ""]
        out += ["## Ideas to start from", "",
                f"- Open on {self.pick(self.g['places'])}, with {self.pick(self.g['senses'])}.",
                f"- Put {_lower_first(self.pick(self.g['motifs']))} in {hero}'s hands early.",
                f"- Let {self.pick(self.g['rivals'])} want the same thing for a better-sounding reason.",
                f"- Test the theme — {self.theme_text()} — with one hard choice.",
                f"- Keep the tone {_join(self.mood_words)}.", ""]
        if self.logline or self.premise:
            out += ["## From your bible", ""]
            out += [f"- **Logline:** {self.logline}"] if self.logline else []
            out += [f"- **Premise:** {self.premise}"] if self.premise else []
            out.append("")
        out += ["## Questions to decide", "", f"- What does {hero} want most, and what stands in the way?",
                "- Which image would you put on the cover?", "- What should the audience feel at the end?"]
        return out


def _names(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [n for n in (_clean(v.get("name")) if isinstance(v, dict) else _clean(v) for v in value) if n]
    return _items(value)


def _pronouns(text: str) -> tuple[str, str, str]:
    words = set(re.findall(r"[a-z]+", text.lower()))
    if words & {"she", "her", "girl", "woman", "female", "heroine", "princess", "queen", "mother", "sister", "lady"}:
        return "she", "her", "her"
    if words & {"he", "him", "his", "boy", "man", "male", "prince", "king", "father", "brother"}:
        return "he", "him", "his"
    return "they", "them", "their"


def _wrap_action(text: str) -> list[str]:
    return (textwrap.wrap(text, 60) + [""]) if text else []


def _cue(who: str, paren: str, line: str) -> list[str]:
    out = [" " * 22 + who]
    if paren:
        out.append(" " * 16 + f"({paren})")
    out += [" " * 10 + row for row in textwrap.wrap(line, 35)]
    return out + [""]


def _words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def _tokens(words: int) -> int:
    return math.ceil(words * 4 / 3)


def _request_text(request: TextRequest) -> str:
    parts = [request.prompt or "", request.system or ""]
    parts += [_clean(m.get("content")) for m in request.messages if isinstance(m, dict)]

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                yield from walk(v)
        elif value is not None:
            yield str(value)

    return " ".join(parts + list(walk(request.context)))


def _truncate(text: str, max_words: int) -> str:
    tokens = re.findall(r"\S+\s*", text)
    if len(tokens) <= max_words:
        return text
    kept = "".join(tokens[:max_words]).rstrip()
    if kept.count("```") % 2:
        kept += "\n```"
    return kept + " …\n\n*(Shortened to the length limit.)*\n"


def _chunks(text: str) -> Iterator[str]:
    """Small pieces that join back to exactly `text`: a line or ~40 characters at a word boundary."""
    chunk = ""
    for token in re.findall(r"\s+|\S+\s*", text):
        chunk += token
        if len(chunk) >= CHUNK_CHARS or "\n" in token:
            yield chunk
            chunk = ""
    if chunk:
        yield chunk


# ---------------------------------------------------------------------------------------------
# Images


def decode_image(data: bytes, fit: tuple[int, int] | None = None) -> Image.Image:
    """An RGB image from untrusted bytes; unreadable or oversized input is a permanent error.
    `fit` lets JPEG decode at a reduced scale that still covers that size (much faster for photos)."""
    unreadable = ProviderError("The reference image could not be read.", permanent=True, code="bad_image")
    if not isinstance(data, (bytes, bytearray, memoryview)) or not data:
        raise unreadable
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_REFERENCE_PIXELS:
            raise ProviderError("The reference image is too large (40 megapixels at most).", permanent=True,
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


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=max(8, int(size)))


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


CITY_WORDS = {"city", "town", "harbour", "harbor", "cyberpunk", "market", "village", "street", "metropolis", "kota",
              "skyline", "neon", "district", "port", "kingdom", "capital", "castle", "palace"}
FOREST_WORDS = {"forest", "jungle", "wood", "woods", "woodland", "grove", "tree", "trees", "hutan", "garden", "wild",
                "wilds", "rainforest", "swamp"}
FLOAT_WORDS = {"floating", "float", "sky", "skies", "archipelago", "island", "islands", "cloud", "clouds", "flying",
               "airship", "heaven", "heavens"}


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


# -- i2i ------------------------------------------------------------------------------------------


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


def _posterise(image: Image.Image) -> Image.Image:
    return ImageOps.posterize(ImageEnhance.Color(image).enhance(1.4), 3)


STYLES = {
    "cartoon": _cartoon, "comic": _cartoon,
    "anime": _anime, "manga": _anime,
    "sketch": _sketch, "pencil": _sketch,
    "cinematic": _cinematic, "film": _cinematic,
    "realistic": _realistic, "": _realistic,
    "chibi": _chibi, "cute": _chibi,
    "posterise": _posterise, "posterize": _posterise, "poster": _posterise,
}


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
        raise ProviderError("Too many reference images for that size.", permanent=True, code="bad_request")
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


# ---------------------------------------------------------------------------------------------
# Video


def _ease(t: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * t)


def render_video(source: Image.Image, *, width: int, height: int, seconds: int, motion: str) -> tuple[bytes, int]:
    """An H.264 MP4 of `seconds`×24 frames: an eased Ken Burns move over `source`. The source is
    cover-fitted once at 1.25× the output size, so every crop window stays inside it and the
    deepest zoom is still 1:1; each frame is one box-resize of that source."""
    import av  # imported here: only the video path needs FFmpeg loaded

    margin = 1.25
    sw, sh = round(width * margin), round(height * margin)
    big = cover(source, sw, sh)
    frames = seconds * FPS
    buf = io.BytesIO()
    try:
        container = av.open(buf, mode="w", format="mp4")
        stream = container.add_stream("libx264", rate=FPS, options={"preset": "veryfast", "crf": "20"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            t = _ease(index / max(1, frames - 1))
            box = _camera_box(motion, t, sw, sh, margin)
            frame = av.VideoFrame.from_image(big.resize((width, height), Image.Resampling.BILINEAR, box=box))
            frame.pts = index
            frame.time_base = Fraction(1, FPS)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        container.close()
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise ProviderError("The video could not be rendered.", permanent=True, code="render_failed",
                            detail=f"local video encode failed: {type(exc).__name__}: {exc}") from None
    return buf.getvalue(), frames


def _camera_box(motion: str, t: float, sw: int, sh: int, margin: float) -> tuple[float, float, float, float]:
    if motion in ("pan_left", "pan_right"):
        zoom = 1.12 + 0.04 * t
        bw, bh = sw / zoom, sh / zoom
        travel = sw - bw
        x0 = travel * (1 - t) if motion == "pan_left" else travel * t
        y0 = (sh - bh) / 2
        return x0, y0, x0 + bw, y0 + bh
    zoom = 1 + (margin - 1) * (t if motion == "zoom_in" else 1 - t)
    bw, bh = sw / zoom, sh / zoom
    # Drift slightly up while zooming: faces sit in the upper half more often than not.
    x0, y0 = (sw - bw) / 2, (sh - bh) * 0.42
    return x0, y0, x0 + bw, y0 + bh
