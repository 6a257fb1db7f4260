"""The offline provider: no network, no key, the embedded default on a fresh install.

    generate_text  drafts Markdown from the bible's own data (request.context), clearly labelled
                   as an offline draft (first line "[..."); deterministic for the same input. In
                   Bahasa Indonesia when context["language"] is "id", otherwise in English.
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
        # Tokens are estimated, not counted: about four tokens for three words (English or Indonesian).
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
#
# One set of section builders (_Draft) holds the structure: which headings, which bullets, which
# creator fields, which random picks and in what order. Every word a reader sees comes from the
# phrasebook of the draft's language, PHRASEBOOK["en"] or PHRASEBOOK["id"] (same keys in both),
# chosen by request.context["language"]; anything else is English. The tables that recognise a
# genre, tone or format read the creator's own text, so they know English and Indonesian keywords
# alike, whatever the draft's language.

GENRE_KEYS = [
    (("fantasy", "magic", "myth", "folklore", "fairy", "legend", "wuxia", "sword",
      "fantasi", "sihir", "mitos", "cerita rakyat", "dongeng", "silat", "pendekar"), "fantasy"),
    (("science fiction", "sci-fi", "scifi", "space", "cyberpunk", "robot", "futur", "mecha",
      "fiksi ilmiah", "luar angkasa", "antariksa", "masa depan"), "scifi"),
    (("horror", "ghost", "haunt", "creep", "monster", "zombie", "occult",
      "horor", "hantu", "seram", "mistis", "gaib", "pocong", "kuntilanak"), "horror"),
    (("mystery", "detective", "noir", "crime", "whodunit", "investigat",
      "misteri", "detektif", "kriminal", "kejahatan", "penyelidik"), "mystery"),
    (("romance", "love", "romcom", "rom-com", "romansa", "romantis", "cinta", "asmara"), "romance"),
    (("comedy", "funny", "sitcom", "humor", "humour", "parody", "satir",
      "komedi", "lucu", "jenaka", "lawak", "parodi"), "comedy"),
    (("superhero", "super hero", "superpower", "vigilante", "pahlawan super", "adiwira", "kekuatan super"), "superhero"),
    (("thriller", "spy", "heist", "conspiracy", "espionage", "survival",
      "mata-mata", "spionase", "konspirasi", "perampokan", "bertahan hidup"), "thriller"),
    (("action", "adventure", "quest", "martial", "pirate", "treasure", "explor",
      "aksi", "petualang", "bela diri", "bajak laut", "harta karun", "penjelajah", "eksplor", "ekspedisi"), "adventure"),
    (("slice of life", "slice-of-life", "everyday", "school", "coming of age", "coming-of-age", "family", "cozy", "cosy",
      "kehidupan sehari-hari", "keseharian", "sekolah", "remaja", "keluarga"), "slice"),
]
TONE_KEYS = [
    (("dark", "grim", "gritty", "bleak", "brutal", "noir", "gelap", "kelam", "suram", "sadis"), "dark"),
    (("whims", "playful", "light", "fun", "cozy", "cosy", "wholesome", "warm", "hopeful", "cheer",
      "ceria", "jenaka", "ringan", "hangat", "riang", "penuh harapan", "menyenangkan"), "light"),
    (("epic", "grand", "heroic", "mythic", "epik", "megah", "heroik", "kolosal"), "epic"),
    (("melanch", "bittersweet", "sad", "quiet", "poetic", "nostalg", "melankol", "sendu", "sedih", "haru", "puitis",
      "sunyi"), "melancholy"),
    (("tense", "suspense", "thrill", "paranoi", "tegang", "menegangkan", "mencekam", "mendebarkan"), "tense"),
    (("satir", "absurd", "quirky", "silly", "zany", "konyol", "nyeleneh"), "absurd"),
]
FORMAT_KEYS = [
    (("comic", "manga", "webtoon", "graphic novel", "manhwa", "strip", "komik"), "comic"),
    (("anim", "cartoon", "anime", "kartun"), "animation"),
    (("game", "rpg", "visual novel", "gim", "permainan"), "game"),
    (("series", "episod", "tv", "show", "serial", "sinetron"), "series"),
    (("film", "movie", "feature", "short", "cinema", "layar lebar"), "film"),
]
EPISODIC = ("series", "comic", "animation")
MAIN_ROLES = {"protagonist", "antagonist", "deuteragonist", "main character", "hero", "heroine", "villain", "narrator",
              "mentor", "lead"}
# Save the Cat, in three acts: (act, [(beat, where it lands), ...]); names and notes are in the phrasebooks.
BEAT_SHEET = [
    ("act_one", [("opening_image", "1%"), ("theme_stated", "5%"), ("set_up", "1–10%"), ("catalyst", "10%"),
                 ("debate", "10–20%")]),
    ("act_two", [("break_into_two", "20%"), ("b_story", "22%"), ("fun_and_games", "20–50%"), ("midpoint", "50%"),
                 ("bad_guys_close_in", "50–75%"), ("all_is_lost", "75%"), ("dark_night", "75–80%")]),
    ("act_three", [("break_into_three", "80%"), ("finale", "80–99%"), ("final_image", "99–100%")]),
]
INTERIOR = re.compile(
    r"\b(room|house|home|kitchen|office|inside|interior|hall|shop|cabin|bar|cafe|café|classroom|library|apartment|"
    r"basement|bedroom|corridor|lab|studio|temple|church|workshop|forge|tent|car|train|bus|palace|castle|tavern|inn|"
    r"hospital|warehouse|attic|cellar|dojo|garage|"
    r"kamar|rumah|dapur|kantor|dalam|aula|toko|kabin|kafe|kedai|warung|kelas|perpustakaan|apartemen|ruangan|ruang(?! terbuka)|"
    r"lorong|bengkel|kuil|gereja|masjid|tenda|mobil|kereta|bis|istana|kastil|penginapan|gudang|loteng|sanggar)\b", re.I)
NIGHT_MOODS = ("dark", "tense", "grim", "noir", "gelap", "tegang", "suram", "kelam", "mencekam")


def _a(phrase: str) -> str:
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


def _role_en(role: str) -> str:
    if role.lower() in MAIN_ROLES:
        return "the " + role.lower()
    return _a(role.lower()) if role else "a key character"


ROLES_ID = {"protagonist": "protagonis", "antagonist": "antagonis", "deuteragonist": "deuteragonis",
            "supporting": "tokoh pendukung", "mentor": "mentor", "love interest": "tambatan hati",
            "sidekick": "pendamping setia", "minor": "tokoh figuran", "main character": "tokoh utama",
            "lead": "tokoh utama", "hero": "pahlawan", "heroine": "pahlawan", "villain": "penjahat",
            "narrator": "narator"}


def _role_id(role: str) -> str:
    return ROLES_ID.get(role.lower().replace("_", " "), role.lower()) if role else "salah satu tokoh kunci"


def _kind_en(tone: str, genre: str, fmt: str) -> str:
    """'whimsical fantasy webtoon': adjectives first."""
    return " ".join(filter(None, [tone, genre, fmt])).lower()


def _kind_id(tone: str, genre: str, fmt: str) -> str:
    """'komik fantasi bernuansa ceria': the noun first, the tone after it."""
    noun = " ".join(filter(None, [fmt, genre])) or ("cerita" if tone else "")
    return (noun + (f" bernuansa {tone}" if tone else "")).lower()


EN = {
    "label": "[Offline draft — written without an AI service]",
    "footer": "Assembled offline from your bible, without an AI service. Edit freely, or choose an AI model for a "
              "fuller draft.",
    "shortened": "*(Shortened to the length limit.)*",
    "and": "and", "serial_comma": False,
    "article": _a, "role_phrase": _role_en, "role_title": str.capitalize, "kind": _kind_en,
    "hero": "the hero", "hero_cue": "HERO",
    "genres": {
        "fantasy": {
            "label": "fantasy", "story": "fantasy",
            "motifs": ["an old magic that always asks a price", "a map that redraws itself overnight",
                       "an oath sworn by someone long dead", "a festival that hides an older ritual",
                       "a creature that remembers the first age"],
            "stakes": "the fragile bargain between the old powers and ordinary people",
            "themes": ["the cost of power", "belonging versus freedom", "keeping a promise when it hurts"],
            "rivals": ["a gifted rival who wants the same relic for a better reason",
                       "a smiling regent who believes order excuses anything"],
            "places": ["a lantern market at the edge of the wilds", "a shrine swallowed by roots",
                       "a bridge that only appears at dusk"],
            "senses": ["wind chimes and distant thunder", "smoke, rain and crushed herbs",
                       "gold light through drifting spores"],
        },
        "scifi": {
            "label": "science fiction", "story": "science fiction",
            "motifs": ["a machine that starts asking questions", "a signal from a place that should be empty",
                       "memories that can be bought and sold", "a colony rule nobody remembers voting for"],
            "stakes": "who gets to decide what the future is for",
            "themes": ["what makes us human", "progress and who pays for it", "truth in an age of perfect copies"],
            "rivals": ["a corporate fixer who is never technically lying", "an AI loyal to the letter of its orders"],
            "places": ["a maintenance deck humming with recyclers", "a neon night market under the arcology",
                       "an observation dome facing a dying star"],
            "senses": ["ozone and warm circuitry", "the hum of coolant pipes and distant announcements",
                       "hard white light and flickering holo-ads"],
        },
        "horror": {
            "label": "horror", "story": "horror",
            "motifs": ["a door that was not there yesterday", "a voice that knows a secret nobody told",
                       "a photograph with one person too many", "a house rule that must never be broken"],
            "stakes": "whether anyone gets out with their mind intact",
            "themes": ["guilt that will not stay buried", "the monster we make of fear", "family secrets"],
            "rivals": ["something patient living under the floorboards", "a neighbour who is far too helpful"],
            "places": ["a flooded basement", "a school corridor after the lights go out",
                       "a roadside shrine in thick fog"],
            "senses": ["damp plaster and cold air", "a clock ticking in an empty room",
                       "a flickering bulb and a long shadow"],
        },
        "mystery": {
            "label": "mystery", "story": "mystery",
            "motifs": ["a letter delivered ten years late", "a witness who lies about the weather",
                       "a locked room with the key still inside", "a debt nobody admits to owing"],
            "stakes": "the truth, and who gets hurt when it comes out",
            "themes": ["the price of the truth", "justice versus the law", "people are never only one thing"],
            "rivals": ["a respected patron with an alibi too perfect", "a rival investigator who always arrives first"],
            "places": ["a rain-slick alley behind the theatre", "a records office closing for the night",
                       "a ferry terminal at the last crossing"],
            "senses": ["cigarette smoke and wet asphalt", "a typewriter in the next room", "sodium light on puddles"],
        },
        "romance": {
            "label": "romance", "story": "romance",
            "motifs": ["a misdelivered message", "a promise made as children", "a bet that stops being a game",
                       "a shared secret place"],
            "stakes": "two people choosing each other over what is safe",
            "themes": ["vulnerability as courage", "love versus duty", "second chances"],
            "rivals": ["a charming ex who never really left", "a family who has already chosen someone else"],
            "places": ["a rooftop garden after the rain", "a tiny bookshop at closing time",
                       "a train platform in winter"],
            "senses": ["warm bread and rain", "a song from a passing car", "string lights swaying in the wind"],
        },
        "comedy": {
            "label": "comedy", "story": "comedy",
            "motifs": ["a small lie that grows out of control", "a mix-up of identical bags",
                       "an inspection that arrives a day early", "a pet with a secret talent"],
            "stakes": "pride, reputation and one very important party",
            "themes": ["being yourself is funnier than pretending", "friendship survives chaos", "failing upwards"],
            "rivals": ["an overachieving neighbour with a perfect lawn",
                       "a bureaucrat who loves the rules a little too much"],
            "places": ["a cramped family restaurant", "an office on the morning of the big demo",
                       "a wedding that is going wrong"],
            "senses": ["burnt toast and panic", "a ringtone at the worst moment", "confetti stuck to everything"],
        },
        "superhero": {
            "label": "superhero", "story": "superhero",
            "motifs": ["a power that works only when no one is watching", "a mask that belonged to someone else",
                       "a city that has stopped believing in heroes", "an accident that was no accident"],
            "stakes": "a city and the people who hold it together",
            "themes": ["responsibility without recognition", "identity behind the mask", "power and restraint"],
            "rivals": ["a former ally who thinks heroes made things worse", "a billionaire selling safety"],
            "places": ["a rooftop above the night traffic", "an abandoned subway station",
                       "a hospital during a blackout"],
            "senses": ["sirens and wind", "neon reflected in rain", "the crackle of a police radio"],
        },
        "thriller": {
            "label": "thriller", "story": "thriller",
            "motifs": ["a file that should have been destroyed", "a phone that keeps ringing",
                       "a countdown nobody else can see", "an ally who changed sides last night"],
            "stakes": "lives measured in hours",
            "themes": ["trust as a weapon", "the cost of knowing", "loyalty under pressure"],
            "rivals": ["a handler whose orders keep changing", "a professional who never misses"],
            "places": ["a parking garage at 3 a.m.", "a crowded station at rush hour", "a server room with one exit"],
            "senses": ["fluorescent buzz and cold coffee", "footsteps echoing in concrete",
                       "rain against a dark window"],
        },
        "adventure": {
            "label": "adventure", "story": "adventure",
            "motifs": ["a half-torn map", "a rival crew racing for the same prize",
                       "a legend that turns out to be a warning", "a vehicle held together by hope"],
            "stakes": "the prize, the crew and the way home",
            "themes": ["courage is a choice", "the journey changes the traveller", "found family"],
            "rivals": ["a rival captain who plays fair until it matters",
                       "a collector who buys people as easily as relics"],
            "places": ["a storm-battered harbour", "a canyon of singing stone", "a jungle temple half under water"],
            "senses": ["salt spray and tar", "drums across the water", "heat shimmering over rock"],
        },
        "slice": {
            "label": "slice-of-life", "story": "slice-of-life",
            "motifs": ["a summer job nobody wanted", "a shop about to close", "a festival everyone is preparing for",
                       "a letter from a friend who moved away"],
            "stakes": "a friendship, a dream and a place that feels like home",
            "themes": ["growing up without growing apart", "small kindnesses", "finding your own pace"],
            "rivals": ["a well-meaning parent with other plans",
                       "a classmate who seems to have it all figured out"],
            "places": ["a corner shop with a buzzing fridge", "a riverside path at sunset",
                       "a school rooftop at lunch"],
            "senses": ["cicadas and warm asphalt", "rice steaming in the kitchen", "a bicycle bell down the street"],
        },
        "": {
            "label": "story", "story": "story",
            "motifs": ["a secret kept for too long", "a promise that is hard to keep", "a stranger who knows too much",
                       "an object that should not exist"],
            "stakes": "what the hero loves most",
            "themes": ["courage in ordinary people", "the price of a choice", "belonging"],
            "rivals": ["a rival who wants the same thing for different reasons",
                       "someone trusted who has their own plan"],
            "places": ["a crossroads at night", "a home that no longer feels safe", "the one place nobody goes"],
            "senses": ["wind and distant voices", "a door creaking somewhere", "late light through dusty windows"],
        },
    },
    "tones": {
        "dark": ["shadowed", "uneasy", "heavy"], "light": ["bright", "playful", "warm"],
        "epic": ["sweeping", "bold", "luminous"], "melancholy": ["hushed", "tender", "wistful"],
        "tense": ["taut", "watchful", "restless"], "absurd": ["absurd", "lively", "mischievous"],
        "": ["vivid", "grounded", "honest"],
    },
    "format_names": {"comic": "comic", "animation": "animation", "game": "game", "series": "series", "film": "film"},
    "format_notes": {
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
    },
    "colours": ["saffron", "teal", "crimson", "indigo", "moss green", "coral", "ochre", "cobalt", "plum", "jade", "rust",
                "ivory"],
    "flaws": ["pride that refuses help", "a habit of leaving before the goodbye", "trusting the wrong people too quickly",
              "a temper that cools too late", "keeping secrets to protect others", "needing to be right"],
    "voices": ["short sentences and sudden jokes when nervous", "answers questions with questions",
               "formal until angry, then blunt", "talks to objects and animals as if they answer back",
               "speaks softly and makes people lean in"],
    "needs": ["to accept help without seeing it as weakness", "to choose a path instead of inheriting one",
              "to tell the truth when a lie would be easier", "to let go of a past that no longer fits",
              "to accept that some good things are simply deserved"],
    "fears": ["being forgotten", "turning into the person {they} swore never to become",
              "losing the last person who believes in {them}", "finding out the mission was pointless",
              "being seen as ordinary"],
    "trait_notes": ["shows most clearly under pressure", "the first thing others notice, and the easiest to exploit",
                    "opens doors in the first act and causes trouble in the second", "rooted in the past (see Backstory)",
                    "softened only around people {name} trusts", "what friends love and rivals mock"],
    "builds": ["lean", "sturdy", "small", "tall", "wiry"],
    "eyes": ["watchful", "bright", "tired", "restless", "kind"],
    "silhouettes": ["a strong triangle (broad on top)", "a soft round shape", "a tall narrow line",
                    "an asymmetric shape with one standout detail"],
    "allies": ["an unlikely ally", "an old friend", "a reluctant mentor", "a stranger with a secret"],
    "shapes": ["layered", "cramped", "vast", "crooked", "weathered"],
    "location_uses": ["a moment of calm before the storm", "a confrontation in public", "a secret revealed", "a chase"],
    "scene_openings": ["alone", "mid-argument", "hiding", "at work", "arriving late"],
    "cameras": ["start wide, end tight on a face", "handheld and close", "slow push-in", "static frames, sudden cut"],
    "script": {
        "extras": ["STRANGER", "OLD FRIEND", "RIVAL", "MENTOR"],
        "night": "NIGHT", "times": ["DAY", "DUSK", "NIGHT", "MORNING"],
        "arrivals": ["waits at the edge of the light", "hurries in, out of breath", "works alone, not noticing the time",
                     "stands very still"],
        "moods": ["low", "urgent", "wary"], "pause": "a beat", "quietly": "quietly",
        "open": ["You came. I wasn't sure you would.", "We don't have long. Listen.", "Tell me I'm wrong about this."],
        "answer": ["You're not wrong. That's the problem.", "Not here. Not where they can hear us.",
                   "You always think there's time."],
        "resolve": ["I made a promise. I'm keeping it.", "Then tell me what you know.", "I'm done running from it."],
        "reveal": "There's something you need to know about {motif}.",
        "freeze": "{who} freezes. {sense}",
        "decide": ["Then we do it tonight.", "Show me.", "No more secrets."],
        "reply": ["Then don't look back.", "I hoped you'd say that.", "You won't like it."],
        "exit": "{a} steps past {b} and out of frame. Hold on the empty space.",
        "transitions": ["CUT TO:", "SMASH CUT TO:", "FADE OUT."],
    },
    "acts": {"act_one": "Act One — Setup (0–20%)", "act_two": "Act Two — Confrontation (20–80%)",
             "act_three": "Act Three — Resolution (80–100%)"},
    "beats": {
        "opening_image": ("Opening Image", "{hero} at {place}: one image that shows the world before anything changes."),
        "theme_stated": ("Theme Stated", "Someone says out loud what the story is about — {theme} — and {hero} shrugs "
                                         "it off."),
        "set_up": ("Set-up", "What {hero} has, wants and lacks; the people at home; the flaw ({flaw})."),
        "catalyst": ("Catalyst", "{Motif} turns up and the ordinary world cannot go on."),
        "debate": ("Debate", "{hero} hesitates: stay safe, or follow it? The risks are made clear."),
        "break_into_two": ("Break into Two", "{hero} chooses to act and steps into a new world of rules."),
        "b_story": ("B Story", "{Ally} enters, carrying the theme in a more personal form."),
        "fun_and_games": ("Fun and Games", "The promise of the premise: {label} set pieces, early wins, {sense}."),
        "midpoint": ("Midpoint", "A false victory or false defeat; the stakes rise to {stakes}."),
        "bad_guys_close_in": ("Bad Guys Close In", "{Rival} tightens the net; doubts split the team."),
        "all_is_lost": ("All Is Lost", "The worst moment; something (or someone) is lost for real."),
        "dark_night": ("Dark Night of the Soul", "{hero} faces the flaw and understands the theme."),
        "break_into_three": ("Break into Three", "A new plan that combines what the A and B stories taught."),
        "finale": ("Finale", "{hero} storms the problem, changed; the rival's plan turns against itself."),
        "final_image": ("Final Image", "The mirror of the opening image, showing how much has changed."),
    },
    "text": {
        # shared
        "direction": "> **Your direction:** {prompt}",
        "direction_note": "> *Offline drafts follow the bible rather than free-form instructions; use this as a scaffold.*",
        "work_titled": "*{title}*, {a_kind}", "work_untitled": "this {kind}", "work_plain": "this story",
        "untitled": "untitled",
        # character
        "unnamed_character": "Unnamed character", "this_character": "this character", "age": "age {age}",
        "at_a_glance": "At a glance",
        "glance_traits": "{Who} is {role} in {work}. Defined by being {traits}, {who} carries the story's question of "
                         "{theme}.",
        "glance": "{Who} is {role} in {work}. A figure through whom the story asks about {theme}.",
        "appearance": "Appearance",
        "appearance_seed": "Not described yet. A starting point: a {build} build, {eyes} eyes and one detail that hints "
                           "at {motif}.",
        "clothing": "- **Clothing:** {clothing}", "accessories": "- **Accessories:** {accessories}",
        "signature_colour": "- **Signature colour:** {colour} — keep it in every outfit so {who} is recognisable at a "
                            "glance.",
        "silhouette": "- **Silhouette:** {shape}.",
        "personality": "Personality",
        "personality_missing": "- Not defined yet. Try three words: one virtue, one flaw, one contradiction.",
        "flaw": "- **Flaw:** {flaw}.", "voice": "- **Voice:** {voice}.",
        "backstory": "Backstory", "deepen": "Questions to deepen it:",
        "deepen_loss": "- What did {who} lose, and who is to blame for it?",
        "deepen_return": "- Who from this past could walk back in at the worst possible moment?",
        "backstory_seed": "A seed to develop: {who} grew up near {place}, where {motif} was only a bedtime story — "
                          "until the day it proved true, and nothing at home was the same again.",
        "motivation": "Motivation",
        "wants": "- **Wants (outer goal):** {goal}",
        "wants_missing": "to be decided — make it concrete enough to picture on the page",
        "needs": "- **Needs (inner lesson):** {need}", "fears": "- **Fears:** {fear}",
        "stakes_if": "- **Stakes:** if {who} fails, the story puts {stakes} at risk.",
        "story_hooks": "Story hooks",
        "hook_discovery": "1. {Who} discovers {motif} at {place} — and it points straight at {their} past.",
        "hook_offer": "2. {Rival} offers {who} a shortcut to the goal, for a price nobody says aloud.",
        "hook_quiet": "3. A quiet moment: {who} alone with {sense}, remembering why any of this matters.",
        "hook_plot": "4. Where {who} fits the main plot: *{logline}*",
        "design_notes": "Design notes", "design_notes_for": "Design notes for the {medium}",
        # story
        "untitled_story": "Untitled story", "for_audience": "for {audience}",
        "logline": "Logline",
        "logline_seed": "When {motif} surfaces at {place}, {hero} must stand against {rival} before {stakes} is lost "
                        "for good.",
        "premise": "Premise",
        "premise_seed": "A {mood} {story} about {theme}. {Hero} starts with a small, safe life; the story takes it "
                        "apart piece by piece and asks what is worth rebuilding.",
        "theme": "Theme",
        "theme_body": "**{Theme}.** Every major choice should test it: let {hero} argue one side early and live the "
                      "other side by the end.",
        "tone_and_style": "Tone and style", "textures": "{moods}. Recurring textures: {sense}; {sense2}.",
        "central_conflict": "Central conflict", "outer": "- **Outer:** {hero} against {rival}.",
        "inner": "- **Inner:** {hero} against {flaw}.", "stakes": "- **Stakes:** {stakes}.",
        "story_engine": "Story engine",
        "engine": "What keeps generating new stories: {motif}, and the people who want to use it. Each {unit} should "
                  "open a question about it and close an older one.",
        "episode": "episode", "chapter": "chapter",
        "open_questions": "Open questions",
        "ask_want": "- What does {hero} want on page one, and what do they need by the end?",
        "ask_poster": "- Which scene is the poster? Describe the single image that sells this story.",
        "ask_feel": "- What does the audience {audience}feel in the last minute?", "audience_aside": "({audience}) ",
        # synopsis
        "synopsis_title": "Synopsis — {title}",
        "in_one_sentence": "In one sentence", "one_sentence": "{Hero} must face {rival} when {motif} threatens {stakes}.",
        "beginning": "Beginning",
        "beginning_body": "We meet {hero} at {place}, living a life that seems settled but is quietly missing something. "
                          "Then {motif} appears, and the old routine cannot hold. After resisting, {hero} commits to the "
                          "journey.",
        "middle": "Middle",
        "middle_body": "New allies, new rules and early wins. {Rival} moves from the shadows into the open. At the "
                       "midpoint {hero} learns the real shape of the problem: it was never only about {motif}, but about "
                       "{theme}. The cost rises until everything seems lost.",
        "end": "End",
        "end_body": "With {flaw} finally faced, {hero} returns to the fight with a new plan and wins — or loses in a way "
                    "that means more. The closing image mirrors the opening one and shows how far {hero} has come.",
        "to_refine": "To refine", "refine_names": "- Name the ally, the mentor and the rival.",
        "refine_events": "- Replace each general sentence above with the concrete event from your bible.",
        # beats
        "beat_sheet": "Beat sheet — {title}", "beat_structure": "Save the Cat structure, three acts",
        "logline_line": "**Logline:** {logline}",
        "beats_run": "*For a {format}, read the percentages across the whole run: the midpoint lands halfway through "
                     "the pages or episodes.*",
        # world
        "the_world": "The world", "overview": "Overview",
        "world_seed": "A {mood} {label} world where {motif} shapes daily life.",
        "rules_of_the_world": "Rules of the world", "as_written": "- **As written:** {rules}",
        "possible": "- **What is possible:** {motif} — known to few, feared by many.",
        "costs": "- **What it costs:** every use takes something back; decide what, and who pays.",
        "forbidden": "- **What is forbidden:** one line nobody crosses — and the character who will.",
        "peoples_and_factions": "Peoples and factions",
        "faction": "- **{faction}** — what they want, what they fear, who they trade with.",
        "old_ways": "- Those who keep the old ways, and those who profit from breaking them.",
        "followers": "- {Rival}, and the people who follow them.",
        "history": "History",
        "history_seed": "Three ages to define: the founding (a promise), the breaking (a betrayal), and now (the "
                        "consequences).",
        "everyday_life": "Everyday life", "sounds": "- Sounds and smells: {sense}.",
        "daily": "- Work, food and festivals: what does a normal day look like, and what is celebrated?",
        "visit": "- Places to visit: {places}.",
        "world_conflicts": "Conflicts that drive stories", "stakes_item": "- {Stakes}.",
        "control": "- {Motif}, and who gets to control it.", "neighbours": "- {Theme}, played out between neighbours.",
        # location
        "unnamed_location": "Unnamed location",
        "location_seed": "{Place} — or somewhere very like it. Decide its history in one sentence and its secret in "
                         "another.",
        "look_and_feel": "Look and feel",
        "sights": "- **Sights:** {shape} shapes, {colour} and {colour2} accents, light that changes the mood by the hour.",
        "sounds_smells": "- **Sounds and smells:** {sense}.", "mood_line": "- **Mood:** {moods}{mood}.",
        "notable_features": "Notable features", "landmark": "- One landmark people give directions by.",
        "hidden": "- One hidden place only locals know.", "trace": "- One trace of {motif}.",
        "story_function": "Story function",
        "function": "Use {name} where the story needs {use}. Return to it late in the story, changed, to show what the "
                    "events cost.",
        "scene_ideas": "Scene ideas",
        "idea_arrival": "1. {Hero} arrives for the first time and breaks an unwritten local rule.",
        "idea_waiting": "2. {Rival} is found here, waiting.",
        "idea_upheaval": "3. A storm, a festival or a power cut turns the place upside down.",
        "art_direction": "Art direction", "palette": "- Palette: {colour}, {colour2}, deep shadow.",
        "framing": "- Establishing shot wide and low; then one detail close-up that the audience will remember.",
        # scene
        "untitled_scene": "Untitled scene", "summary": "Summary",
        "summary_seed": "{Lead} reaches {location} expecting one thing and finds another.",
        "purpose": "Purpose", "beat": "- **Beat:** {beat}.", "beat_missing": "decide where this sits in the beat sheet",
        "changes": "- **What changes:** {lead} leaves this scene knowing, wanting or losing something new.",
        "theme_touch": "- **Theme touch:** {theme}.",
        "setting": "Setting", "characters": "Characters",
        "character_want": "- **{name}** — wants something different from everyone else here.",
        "beat_by_beat": "Beat by beat",
        "step_open": "1. **Open:** a strong image — {lead} {opening}.",
        "step_push": "2. **Push:** pressure arrives ({rival}, or news of it).",
        "step_turn": "3. **Turn:** a reveal about {motif} flips the goal.",
        "step_out": "4. **Out:** {lead} makes a choice that launches the next scene.",
        "mood_camera_sound": "Mood, camera and sound", "mood": "- Mood: {moods}{mood}.", "camera": "- Camera: {camera}.",
        "sound": "- Sound: {sense}.",
        # script
        "script_title": "{title} — script draft", "scene": "Scene",
        "script_note": "*Screenplay layout: sluglines, action, character cues, parentheticals, dialogue. Rewrite the "
                       "dialogue in each character's own voice.*",
        # free
        "notes_title": "{title} — notes", "draft_notes": "Draft notes",
        "no_instruction": "*No instruction was given, so here are starting points drawn from the bible.*",
        "ideas_to_start_from": "Ideas to start from", "open_on": "- Open on {place}, with {sense}.",
        "hands": "- Put {motif} in {hero}'s hands early.",
        "same_thing": "- Let {rival} want the same thing for a better-sounding reason.",
        "test_theme": "- Test the theme — {theme} — with one hard choice.", "keep_tone": "- Keep the tone {moods}.",
        "from_your_bible": "From your bible", "premise_line": "- **Premise:** {premise}",
        "logline_item": "- **Logline:** {logline}",
        "questions_to_decide": "Questions to decide",
        "want_most": "- What does {hero} want most, and what stands in the way?",
        "cover": "- Which image would you put on the cover?", "feel_end": "- What should the audience feel at the end?",
    },
}

ID = {
    "label": "[Draf offline — ditulis tanpa layanan AI]",
    "footer": "Disusun secara offline dari bible Anda, tanpa layanan AI. Silakan sunting sesuka Anda, atau pilih model "
              "AI untuk draf yang lebih lengkap.",
    "shortened": "*(Dipersingkat sesuai batas panjang.)*",
    "and": "dan", "serial_comma": True,
    "article": str, "role_phrase": _role_id, "role_title": lambda role: _cap(_role_id(role)), "kind": _kind_id,
    "hero": "sang tokoh utama", "hero_cue": "TOKOH UTAMA",
    "genres": {
        "fantasy": {
            "label": "fantasi", "story": "kisah fantasi",
            "motifs": ["sihir kuno yang selalu menuntut tumbal", "peta yang menggambar ulang dirinya setiap malam",
                       "sumpah yang diucapkan seseorang yang telah lama tiada",
                       "festival yang menyembunyikan ritual yang jauh lebih tua",
                       "makhluk yang masih mengingat zaman pertama"],
            "stakes": "perjanjian rapuh antara kekuatan-kekuatan lama dan orang-orang biasa",
            "themes": ["harga sebuah kekuatan", "rasa memiliki atau kebebasan", "menepati janji meski menyakitkan"],
            "rivals": ["saingan berbakat yang mengincar pusaka yang sama demi alasan yang lebih mulia",
                       "wali raja yang murah senyum dan percaya ketertiban membenarkan segalanya"],
            "places": ["pasar lentera di tepi hutan belantara", "kuil yang ditelan akar pepohonan",
                       "jembatan yang hanya muncul saat senja"],
            "senses": ["denting lonceng angin dan guruh di kejauhan", "asap, hujan, dan aroma dedaunan yang diremas",
                       "cahaya keemasan menembus spora yang melayang"],
        },
        "scifi": {
            "label": "fiksi ilmiah", "story": "kisah fiksi ilmiah",
            "motifs": ["mesin yang mulai mengajukan pertanyaan", "sinyal dari tempat yang seharusnya kosong",
                       "kenangan yang bisa diperjualbelikan",
                       "aturan koloni yang tak seorang pun ingat pernah disetujui"],
            "stakes": "siapa yang berhak menentukan untuk apa masa depan itu ada",
            "themes": ["apa yang membuat kita manusia", "kemajuan dan siapa yang menanggung harganya",
                       "kebenaran di zaman salinan yang sempurna"],
            "rivals": ["makelar korporat yang secara teknis tak pernah berbohong",
                       "AI yang setia pada bunyi harfiah perintahnya"],
            "places": ["dek perawatan yang berdengung oleh mesin daur ulang", "pasar malam bercahaya neon di bawah arkologi",
                       "kubah pengamatan yang menghadap bintang sekarat"],
            "senses": ["bau ozon dan sirkuit yang hangat", "dengung pipa pendingin dan pengumuman di kejauhan",
                       "cahaya putih yang menyilaukan dan iklan hologram yang berkedip"],
        },
        "horror": {
            "label": "horor", "story": "kisah horor",
            "motifs": ["pintu yang kemarin belum ada", "suara yang tahu rahasia yang tak pernah diceritakan siapa pun",
                       "foto dengan satu orang yang seharusnya tidak ada", "pantangan rumah yang tak boleh dilanggar"],
            "stakes": "apakah ada yang bisa keluar dengan kewarasan yang utuh",
            "themes": ["rasa bersalah yang tak mau terkubur", "monster yang kita ciptakan dari rasa takut",
                       "rahasia keluarga"],
            "rivals": ["sesuatu yang sabar menunggu di bawah lantai papan", "tetangga yang terlalu suka menolong"],
            "places": ["ruang bawah tanah yang kebanjiran", "lorong sekolah setelah lampu padam",
                       "makam keramat di pinggir jalan yang diselimuti kabut tebal"],
            "senses": ["tembok lembap dan udara dingin", "detak jam di ruangan kosong",
                       "bohlam yang berkedip dan bayangan panjang"],
        },
        "mystery": {
            "label": "misteri", "story": "kisah misteri",
            "motifs": ["surat yang terlambat datang sepuluh tahun", "saksi yang berbohong soal cuaca",
                       "kamar terkunci dengan kuncinya masih di dalam", "utang yang tak diakui siapa pun"],
            "stakes": "kebenaran, dan siapa yang terluka saat kebenaran itu terungkap",
            "themes": ["harga sebuah kebenaran", "keadilan berhadapan dengan hukum",
                       "manusia tak pernah hanya punya satu sisi"],
            "rivals": ["dermawan terpandang dengan alibi yang terlalu sempurna",
                       "penyelidik saingan yang selalu tiba lebih dulu"],
            "places": ["gang licin oleh hujan di belakang gedung teater", "kantor arsip yang hendak tutup malam itu",
                       "terminal feri pada penyeberangan terakhir"],
            "senses": ["asap rokok dan aspal basah", "ketukan mesin tik dari ruang sebelah",
                       "cahaya lampu jalan yang jingga di genangan air"],
        },
        "romance": {
            "label": "romansa", "story": "kisah romansa",
            "motifs": ["pesan yang salah alamat", "janji yang diucapkan semasa kecil",
                       "taruhan yang tak lagi sekadar permainan", "tempat rahasia milik berdua"],
            "stakes": "dua orang yang memilih satu sama lain alih-alih memilih yang aman",
            "themes": ["keberanian untuk menunjukkan kerapuhan", "cinta atau kewajiban", "kesempatan kedua"],
            "rivals": ["mantan memikat yang tak pernah benar-benar pergi",
                       "keluarga yang sudah memilihkan orang lain"],
            "places": ["taman di atap gedung selepas hujan", "toko buku mungil menjelang tutup",
                       "peron stasiun saat kereta terakhir hendak berangkat"],
            "senses": ["roti hangat dan hujan", "lagu dari mobil yang melintas", "lampu hias yang bergoyang ditiup angin"],
        },
        "comedy": {
            "label": "komedi", "story": "kisah komedi",
            "motifs": ["kebohongan kecil yang membesar tak terkendali", "dua tas kembar yang tertukar",
                       "inspeksi yang datang sehari lebih awal", "hewan peliharaan dengan bakat rahasia"],
            "stakes": "harga diri, reputasi, dan satu pesta yang sangat penting",
            "themes": ["menjadi diri sendiri lebih lucu daripada berpura-pura", "persahabatan yang selamat dari kekacauan",
                       "gagal tapi malah naik pangkat"],
            "rivals": ["tetangga serba berprestasi dengan halaman yang sempurna",
                       "birokrat yang sedikit terlalu mencintai aturan"],
            "places": ["rumah makan keluarga yang sempit", "kantor di pagi hari presentasi besar",
                       "resepsi pernikahan yang mulai kacau"],
            "senses": ["roti bakar gosong dan kepanikan", "nada dering di saat yang paling tidak tepat",
                       "konfeti yang menempel di mana-mana"],
        },
        "superhero": {
            "label": "pahlawan super", "story": "kisah pahlawan super",
            "motifs": ["kekuatan yang hanya bekerja saat tak ada yang melihat", "topeng yang dulu milik orang lain",
                       "kota yang sudah berhenti percaya pada pahlawan", "kecelakaan yang ternyata bukan kecelakaan"],
            "stakes": "sebuah kota dan orang-orang yang menjaganya tetap utuh",
            "themes": ["tanggung jawab tanpa pengakuan", "jati diri di balik topeng", "kekuatan dan pengendalian diri"],
            "rivals": ["mantan sekutu yang yakin para pahlawan justru memperburuk keadaan",
                       "miliarder yang menjual rasa aman"],
            "places": ["atap gedung di atas lalu lintas malam", "stasiun kereta bawah tanah yang terbengkalai",
                       "rumah sakit saat listrik padam"],
            "senses": ["raungan sirene dan deru angin", "pantulan neon di genangan hujan", "gemeresik radio polisi"],
        },
        "thriller": {
            "label": "thriller", "story": "kisah thriller",
            "motifs": ["berkas yang seharusnya sudah dimusnahkan", "telepon yang terus berdering",
                       "hitungan mundur yang tak bisa dilihat orang lain", "sekutu yang berpindah pihak semalam"],
            "stakes": "nyawa yang tinggal dihitung dalam hitungan jam",
            "themes": ["kepercayaan sebagai senjata", "harga dari mengetahui", "kesetiaan di bawah tekanan"],
            "rivals": ["atasan rahasia yang perintahnya terus berubah", "pembunuh bayaran yang tak pernah meleset"],
            "places": ["gedung parkir pukul tiga pagi", "stasiun yang padat di jam sibuk",
                       "ruang server dengan satu pintu keluar"],
            "senses": ["dengung lampu neon dan kopi yang sudah dingin", "langkah kaki yang bergema di lorong beton",
                       "hujan yang menerpa jendela gelap"],
        },
        "adventure": {
            "label": "petualangan", "story": "kisah petualangan",
            "motifs": ["peta yang sobek separuh", "kru saingan yang berlomba memburu hadiah yang sama",
                       "legenda yang ternyata sebuah peringatan", "kendaraan yang hanya bertahan berkat harapan"],
            "stakes": "hadiahnya, para awaknya, dan jalan pulang",
            "themes": ["keberanian adalah pilihan", "perjalanan mengubah sang pengelana",
                       "keluarga yang ditemukan di perjalanan"],
            "rivals": ["kapten saingan yang bermain jujur sampai saat yang menentukan",
                       "kolektor yang membeli manusia semudah membeli pusaka"],
            "places": ["pelabuhan yang dihantam badai", "ngarai batu yang bernyanyi",
                       "candi di tengah rimba yang separuh terendam air"],
            "senses": ["percikan air asin dan bau ter", "tabuhan gendang dari seberang air",
                       "hawa panas yang berkilauan di atas bebatuan"],
        },
        "slice": {
            "label": "keseharian", "story": "kisah keseharian",
            "motifs": ["kerja sambilan liburan yang tak diinginkan siapa pun", "toko yang sebentar lagi tutup",
                       "lomba tujuhbelasan yang sedang disiapkan seisi kampung",
                       "surat dari sahabat yang sudah pindah jauh"],
            "stakes": "sebuah persahabatan, sebuah mimpi, dan tempat yang terasa seperti rumah",
            "themes": ["tumbuh dewasa tanpa tumbuh menjauh", "kebaikan-kebaikan kecil", "menemukan irama hidup sendiri"],
            "rivals": ["orang tua yang bermaksud baik tapi punya rencana lain",
                       "teman sekelas yang tampaknya sudah tahu jawaban atas segalanya"],
            "places": ["warung di sudut jalan dengan kulkas yang berdengung", "jalan setapak di tepi sungai saat senja",
                       "atap sekolah di jam istirahat"],
            "senses": ["suara tonggeret dan aspal yang hangat", "nasi yang mengepul di dapur",
                       "dering bel sepeda di ujung gang"],
        },
        "": {
            "label": "cerita", "story": "kisah",
            "motifs": ["rahasia yang disimpan terlalu lama", "janji yang sulit ditepati", "orang asing yang tahu terlalu banyak",
                       "benda yang seharusnya tidak ada"],
            "stakes": "segala yang paling ia cintai",
            "themes": ["keberanian orang-orang biasa", "harga sebuah pilihan", "rasa memiliki"],
            "rivals": ["saingan yang menginginkan hal yang sama dengan alasan yang berbeda",
                       "orang kepercayaan yang punya rencana sendiri"],
            "places": ["persimpangan jalan di malam hari", "rumah yang tak lagi terasa aman",
                       "satu-satunya tempat yang tak pernah didatangi siapa pun"],
            "senses": ["angin dan suara-suara di kejauhan", "pintu yang berderit entah di mana",
                       "cahaya sore menembus jendela berdebu"],
        },
    },
    "tones": {
        "dark": ["kelam", "gelisah", "berat"], "light": ["cerah", "jenaka", "hangat"],
        "epic": ["megah", "berani", "bercahaya"], "melancholy": ["senyap", "lembut", "sendu"],
        "tense": ["tegang", "waspada", "resah"], "absurd": ["absurd", "riang", "usil"],
        "": ["hidup", "membumi", "jujur"],
    },
    "format_names": {"comic": "komik", "animation": "animasi", "game": "gim", "series": "serial", "film": "film"},
    "format_notes": {
        "comic": ["Jaga agar siluetnya tetap terbaca meski hanya seukuran gambar mini di panel kecil.",
                  "Beri {name} satu warna khas agar mata pembaca langsung menemukannya di halaman yang ramai.",
                  "Buat lembar ekspresi dengan lima suasana hati sebelum menggambar halaman pertama."],
        "animation": ["Pilih bahasa bentuk yang jelas (lingkaran terasa ramah, segitiga berbahaya, persegi kokoh).",
                      "Lebih-lebihkan posturnya agar {name} tetap terbaca dari siluetnya saat bergerak.",
                      "Batasi detail yang harus digambar ulang di setiap bingkai; taruh kepribadiannya pada cara "
                      "berjalan."],
        "game": ["Buat siluetnya tetap terbaca dari jarak pandang saat bermain.",
                 "Ubah kepribadian menjadi aksi pemain: apa yang dilakukan {name} dengan cara yang berbeda dari yang "
                 "lain?",
                 "Rancang animasi diam yang menunjukkan siapa {name} saat tak terjadi apa-apa."],
        "series": ["Sisakan ruang untuk berkembang dari episode ke episode: satu rahasia untuk diungkap setiap musim.",
                   "Beri {name} lelucon berulang atau kebiasaan khas yang dinanti-nanti penonton."],
        "film": ["Biarkan kostumnya berubah seiring perkembangan tokoh: apa yang dikenakan {name} sebelum dan sesudah "
                 "titik balik?",
                 "Temukan satu motif visual (sebuah warna, sebuah benda) yang muncul kembali di klimaks."],
        "": ["Buat siluetnya cukup sederhana untuk disketsa dalam sepuluh detik.",
             "Beri {name} satu warna khas dan satu benda khas."],
    },
    "colours": ["kuning kunyit", "hijau toska", "merah tua", "biru nila", "hijau lumut", "merah koral", "kuning oker",
                "biru kobalt", "ungu terung", "hijau giok", "cokelat karat", "putih gading"],
    "flaws": ["gengsi yang menolak bantuan", "kebiasaan pergi sebelum sempat berpamitan",
              "kecenderungan terlalu cepat memercayai orang yang salah", "amarah yang terlambat reda",
              "kebiasaan menyimpan rahasia demi melindungi orang lain", "keinginan untuk selalu benar"],
    "voices": ["kalimat-kalimat pendek dan lelucon mendadak saat gugup", "menjawab pertanyaan dengan pertanyaan",
               "santun dan resmi sampai marah, lalu blak-blakan", "mengajak bicara benda dan hewan seolah mereka menjawab",
               "berbicara pelan sampai orang mendekat untuk mendengarnya"],
    "needs": ["menerima bantuan tanpa menganggapnya kelemahan", "memilih jalannya sendiri alih-alih mewarisi jalan orang lain",
              "berkata jujur saat berbohong terasa lebih mudah", "melepaskan masa lalu yang tak lagi sesuai",
              "menerima bahwa sebagian hal baik memang pantas didapatkan"],
    "fears": ["dilupakan", "berubah menjadi orang yang dulu bersumpah takkan pernah ditirunya",
              "kehilangan satu-satunya orang yang masih percaya padanya", "mendapati bahwa misinya sia-sia",
              "dianggap biasa-biasa saja"],
    "trait_notes": ["paling terlihat saat berada di bawah tekanan",
                    "hal pertama yang diperhatikan orang, sekaligus yang paling mudah dimanfaatkan",
                    "membuka jalan di babak pertama dan menimbulkan masalah di babak kedua",
                    "berakar di masa lalu (lihat Latar belakang)", "baru melunak di dekat orang-orang yang dipercaya {name}",
                    "yang disukai kawan dan diejek lawan"],
    "builds": ["ramping", "kekar", "mungil", "jangkung", "kurus liat"],
    "eyes": ["awas", "berbinar", "lelah", "gelisah", "teduh"],
    "silhouettes": ["segitiga yang tegas (lebar di bagian atas)", "bentuk bulat yang lembut", "garis tinggi yang ramping",
                    "bentuk asimetris dengan satu detail yang mencolok"],
    "allies": ["sekutu yang tak terduga", "seorang kawan lama", "mentor yang enggan", "orang asing yang menyimpan rahasia"],
    "shapes": ["bertumpuk-tumpuk", "berimpitan", "lapang", "miring dan bengkok", "lapuk dimakan cuaca"],
    "location_uses": ["momen tenang sebelum badai", "konfrontasi di depan umum", "rahasia yang terbongkar",
                      "adegan kejar-kejaran"],
    "scene_openings": ["sendirian", "di tengah pertengkaran", "sedang bersembunyi", "sedang bekerja", "datang terlambat"],
    "cameras": ["mulai dari bidikan lebar, berakhir rapat di satu wajah", "kamera genggam, jarak dekat",
                "gerak maju perlahan", "bingkai statis, lalu potongan mendadak"],
    "script": {
        "extras": ["ORANG ASING", "KAWAN LAMA", "SAINGAN", "GURU"],
        "night": "MALAM", "times": ["SIANG", "SENJA", "MALAM", "PAGI"],
        "arrivals": ["menunggu di tepi cahaya", "bergegas masuk dengan napas terengah-engah",
                     "bekerja sendirian, lupa waktu", "berdiri diam tak bergerak"],
        "moods": ["lirih", "mendesak", "waspada"], "pause": "jeda", "quietly": "pelan",
        "open": ["Kau datang. Aku tak yakin kau akan datang.", "Waktu kita tidak banyak. Dengar.",
                 "Bilang kalau aku salah soal ini."],
        "answer": ["Kau tidak salah. Justru itu masalahnya.", "Jangan di sini. Jangan di tempat mereka bisa mendengar.",
                   "Kau selalu mengira waktunya masih ada."],
        "resolve": ["Aku sudah berjanji. Dan akan kutepati.", "Kalau begitu, katakan apa yang kau tahu.",
                    "Aku sudah lelah lari dari semua ini."],
        "reveal": "Ada yang perlu kau ketahui tentang {motif}.",
        "freeze": "{who} membeku. {sense}",
        "decide": ["Kalau begitu, kita lakukan malam ini.", "Tunjukkan padaku.", "Tidak ada lagi rahasia."],
        "reply": ["Kalau begitu, jangan menoleh ke belakang.", "Aku berharap kau bilang begitu.",
                  "Kau tidak akan suka ini."],
        "exit": "{a} melangkah melewati {b} lalu keluar dari bingkai. Kamera bertahan pada ruang yang kosong.",
        # Indonesian scripts keep the English sluglines and transitions.
        "transitions": ["CUT TO:", "SMASH CUT TO:", "FADE OUT."],
    },
    "acts": {"act_one": "Babak satu — Pengenalan (0–20%)", "act_two": "Babak dua — Konfrontasi (20–80%)",
             "act_three": "Babak tiga — Resolusi (80–100%)"},
    "beats": {
        "opening_image": ("Gambar Pembuka", "{hero} di {place}: satu gambar yang memperlihatkan dunianya sebelum apa "
                                            "pun berubah."),
        "theme_stated": ("Tema Disampaikan", "seseorang mengucapkan dengan lantang inti cerita ini — {theme} — dan "
                                             "{hero} tak menggubrisnya."),
        "set_up": ("Pengenalan", "apa yang dimiliki, diinginkan, dan tidak dimiliki {hero}; orang-orang di rumah; "
                                 "kelemahannya ({flaw})."),
        "catalyst": ("Katalis", "{Motif} muncul, dan dunia sehari-hari tak bisa lagi berjalan seperti biasa."),
        "debate": ("Keraguan", "{hero} bimbang: tetap aman, atau mengikutinya? Risikonya dibuat jelas."),
        "break_into_two": ("Masuk ke Babak Dua", "{hero} memutuskan untuk bertindak dan melangkah ke dunia baru dengan "
                                                 "aturan-aturannya sendiri."),
        "b_story": ("Cerita B", "{Ally} hadir, membawa tema cerita dalam wujud yang lebih personal."),
        "fun_and_games": ("Janji Premis", "adegan-adegan seru khas {label}, kemenangan-kemenangan awal, {sense}."),
        "midpoint": ("Titik Tengah", "kemenangan semu atau kekalahan semu; taruhannya naik menjadi {stakes}."),
        "bad_guys_close_in": ("Musuh Merapat", "{Rival} mempersempit jerat; keraguan memecah belah tim."),
        "all_is_lost": ("Segalanya Hilang", "momen terburuk; sesuatu (atau seseorang) benar-benar hilang."),
        "dark_night": ("Malam Tergelap Jiwa", "{hero} menghadapi kelemahannya dan memahami tema cerita."),
        "break_into_three": ("Masuk ke Babak Tiga", "rencana baru yang memadukan pelajaran dari cerita A dan cerita B."),
        "finale": ("Final", "{hero}, yang kini telah berubah, menerjang masalahnya; rencana sang saingan berbalik "
                            "menjerat dirinya sendiri."),
        "final_image": ("Gambar Penutup", "cermin dari gambar pembuka, memperlihatkan betapa banyak yang telah "
                                          "berubah."),
    },
    "text": {
        # shared
        "direction": "> **Arahan Anda:** {prompt}",
        "direction_note": "> *Draf offline mengikuti bible, bukan instruksi bebas; gunakan ini sebagai kerangka.*",
        "work_titled": "*{title}*, {a_kind}", "work_untitled": "{kind} ini", "work_plain": "cerita ini",
        "untitled": "tanpa judul",
        # character
        "unnamed_character": "Karakter tanpa nama", "this_character": "karakter ini", "age": "usia {age}",
        "at_a_glance": "Sekilas",
        "glance_traits": "{Who} adalah {role} dalam {work}. Dengan sifat {traits}, {who} membawa pertanyaan besar "
                         "cerita ini tentang {theme}.",
        "glance": "{Who} adalah {role} dalam {work}. Melalui sosok inilah cerita mempertanyakan {theme}.",
        "appearance": "Penampilan",
        "appearance_seed": "Belum dideskripsikan. Sebagai titik awal: tubuh {build}, sorot mata yang {eyes}, dan satu "
                           "detail yang mengisyaratkan {motif}.",
        "clothing": "- **Pakaian:** {clothing}", "accessories": "- **Aksesori:** {accessories}",
        "signature_colour": "- **Warna khas:** {colour} — pertahankan di setiap busananya agar {who} langsung dikenali "
                            "sekilas pandang.",
        "silhouette": "- **Siluet:** {shape}.",
        "personality": "Kepribadian",
        "personality_missing": "- Belum ditentukan. Coba tiga kata: satu kebajikan, satu kelemahan, satu kontradiksi.",
        "flaw": "- **Kelemahan:** {flaw}.", "voice": "- **Cara bicara:** {voice}.",
        "backstory": "Latar belakang", "deepen": "Pertanyaan untuk memperdalamnya:",
        "deepen_loss": "- Apa yang hilang dari {who}, dan siapa yang patut disalahkan?",
        "deepen_return": "- Siapa dari masa lalu itu yang bisa muncul kembali di saat yang paling buruk?",
        "backstory_seed": "Benih untuk dikembangkan: {who} tumbuh besar di dekat {place}, tempat {motif} hanyalah "
                          "dongeng pengantar tidur — sampai suatu hari semuanya terbukti nyata, dan rumah tak pernah "
                          "sama lagi.",
        "motivation": "Motivasi",
        "wants": "- **Keinginan (tujuan lahiriah):** {goal}",
        "wants_missing": "belum ditentukan — buat cukup konkret agar bisa dibayangkan di atas halaman",
        "needs": "- **Kebutuhan (pelajaran batin):** {need}", "fears": "- **Ketakutan:** {fear}",
        "stakes_if": "- **Taruhan:** jika {who} gagal, {stakes} ikut dipertaruhkan.",
        "story_hooks": "Pemantik cerita",
        "hook_discovery": "1. {Who} menemukan {motif} di {place} — dan semuanya mengarah langsung ke masa lalunya.",
        "hook_offer": "2. {Rival} menawari {who} jalan pintas menuju tujuannya, dengan harga yang tak pernah diucapkan "
                      "siapa pun.",
        "hook_quiet": "3. Momen hening: {who} sendirian bersama {sense}, mengingat kembali mengapa semua ini penting.",
        "hook_plot": "4. Tempat {who} dalam alur utama: *{logline}*",
        "design_notes": "Catatan desain", "design_notes_for": "Catatan desain untuk {medium}",
        # story
        "untitled_story": "Cerita tanpa judul", "for_audience": "untuk {audience}",
        "logline": "Logline",
        "logline_seed": "Ketika {motif} muncul di {place}, {hero} harus melawan {rival} sebelum {stakes} hilang untuk "
                        "selamanya.",
        "premise": "Premis",
        "premise_seed": "{Story} yang {mood} tentang {theme}. {Hero} memulai dengan hidup yang kecil dan aman; cerita "
                        "ini membongkarnya sedikit demi sedikit lalu bertanya apa yang layak dibangun kembali.",
        "theme": "Tema",
        "theme_body": "**{Theme}.** Setiap pilihan besar harus mengujinya: biarkan {hero} membela satu sisi di awal, "
                      "lalu menjalani sisi sebaliknya di akhir.",
        "tone_and_style": "Nuansa dan gaya", "textures": "{moods}. Tekstur yang terus berulang: {sense}; {sense2}.",
        "central_conflict": "Konflik utama", "outer": "- **Lahiriah:** {hero} melawan {rival}.",
        "inner": "- **Batin:** {hero} melawan {flaw}.", "stakes": "- **Taruhan:** {stakes}.",
        "story_engine": "Penggerak cerita",
        "engine": "Yang terus melahirkan cerita baru: {motif}, dan orang-orang yang ingin memanfaatkannya. Setiap {unit} "
                  "sebaiknya membuka satu pertanyaan tentangnya dan menjawab satu pertanyaan yang lebih lama.",
        "episode": "episode", "chapter": "bab",
        "open_questions": "Pertanyaan terbuka",
        "ask_want": "- Apa yang diinginkan {hero} di halaman pertama, dan apa yang dibutuhkannya di akhir?",
        "ask_poster": "- Adegan mana yang layak jadi poster? Gambarkan satu gambar yang paling menjual cerita ini.",
        "ask_feel": "- Apa yang dirasakan penonton {audience}di menit terakhir?", "audience_aside": "({audience}) ",
        # synopsis
        "synopsis_title": "Sinopsis — {title}",
        "in_one_sentence": "Dalam satu kalimat",
        "one_sentence": "{Hero} harus menghadapi {rival} ketika {motif} mengancam {stakes}.",
        "beginning": "Awal",
        "beginning_body": "Kita bertemu {hero} di {place}, menjalani hidup yang tampak mapan tetapi diam-diam kehilangan "
                          "sesuatu. Lalu {motif} muncul, dan rutinitas lama tak lagi bisa bertahan. Setelah sempat "
                          "menolak, {hero} akhirnya bertekad menempuh perjalanan itu.",
        "middle": "Tengah",
        "middle_body": "Sekutu baru, aturan baru, dan kemenangan-kemenangan awal. {Rival} keluar dari bayang-bayang dan "
                       "bergerak terang-terangan. Di titik tengah, {hero} memahami wujud asli masalahnya: ini tak pernah "
                       "hanya soal {motif}, melainkan soal {theme}. Harganya terus naik sampai segalanya tampak hilang.",
        "end": "Akhir",
        "end_body": "Setelah akhirnya menghadapi {flaw}, {hero} kembali berjuang dengan rencana baru dan menang — atau "
                    "kalah dengan cara yang lebih bermakna. Gambar penutup mencerminkan gambar pembuka dan "
                    "memperlihatkan sejauh mana {hero} telah berubah.",
        "to_refine": "Untuk dipertajam", "refine_names": "- Beri nama sang sekutu, sang mentor, dan sang saingan.",
        "refine_events": "- Ganti setiap kalimat umum di atas dengan peristiwa konkret dari bible Anda.",
        # beats
        "beat_sheet": "Lembar beat — {title}", "beat_structure": "struktur Save the Cat, tiga babak",
        "logline_line": "**Logline:** {logline}",
        "beats_run": "*Untuk {format}, baca persentasenya di sepanjang keseluruhan karya: titik tengah jatuh di "
                     "pertengahan jumlah halaman atau episode.*",
        # world
        "the_world": "Dunia ini", "overview": "Gambaran umum",
        "world_seed": "Dunia {label} yang {mood}, tempat {motif} mewarnai kehidupan sehari-hari.",
        "rules_of_the_world": "Aturan dunia", "as_written": "- **Sebagaimana tertulis:** {rules}",
        "possible": "- **Apa yang mungkin:** {motif} — diketahui segelintir orang, ditakuti banyak orang.",
        "costs": "- **Harganya:** setiap penggunaan merenggut sesuatu; tentukan apa, dan siapa yang membayarnya.",
        "forbidden": "- **Yang terlarang:** satu batas yang tak pernah dilanggar siapa pun — dan tokoh yang akan "
                     "melanggarnya.",
        "peoples_and_factions": "Bangsa dan faksi",
        "faction": "- **{faction}** — apa yang mereka inginkan, apa yang mereka takuti, dengan siapa mereka berdagang.",
        "old_ways": "- Mereka yang menjaga adat lama, dan mereka yang meraup untung dengan melanggarnya.",
        "followers": "- {Rival}, beserta orang-orang yang mengikutinya.",
        "history": "Sejarah",
        "history_seed": "Tiga zaman untuk dirumuskan: masa pendirian (sebuah janji), masa keretakan (sebuah "
                        "pengkhianatan), dan masa kini (akibat-akibatnya).",
        "everyday_life": "Kehidupan sehari-hari", "sounds": "- Kesan indrawi: {sense}.",
        "daily": "- Pekerjaan, makanan, dan perayaan: seperti apa hari yang biasa, dan apa yang dirayakan?",
        "visit": "- Tempat untuk dikunjungi: {places}.",
        "world_conflicts": "Konflik penggerak cerita", "stakes_item": "- {Stakes}.",
        "control": "- {Motif}, dan siapa yang berhak mengendalikannya.",
        "neighbours": "- {Theme}, yang diuji di antara sesama tetangga.",
        # location
        "unnamed_location": "Lokasi tanpa nama",
        "location_seed": "{Place} — atau tempat yang sangat mirip dengannya. Tentukan sejarahnya dalam satu kalimat "
                         "dan rahasianya dalam kalimat lain.",
        "look_and_feel": "Tampilan dan suasana",
        "sights": "- **Pemandangan:** bentuk-bentuk yang {shape}, aksen {colour} dan {colour2}, cahaya yang mengubah "
                  "suasana dari jam ke jam.",
        "sounds_smells": "- **Kesan indrawi:** {sense}.", "mood_line": "- **Suasana:** {moods}{mood}.",
        "notable_features": "Ciri khas", "landmark": "- Satu penanda yang dipakai orang untuk menunjukkan arah.",
        "hidden": "- Satu tempat tersembunyi yang hanya diketahui warga setempat.", "trace": "- Satu jejak {motif}.",
        "story_function": "Fungsi dalam cerita",
        "function": "Gunakan {name} saat cerita membutuhkan {use}. Kembalilah ke sini menjelang akhir cerita, dalam "
                    "keadaan yang telah berubah, untuk menunjukkan harga dari semua peristiwa itu.",
        "scene_ideas": "Ide adegan",
        "idea_arrival": "1. {Hero} datang untuk pertama kalinya dan melanggar aturan tak tertulis setempat.",
        "idea_waiting": "2. {Rival} ditemukan di sini, sedang menunggu.",
        "idea_upheaval": "3. Badai, festival, atau pemadaman listrik menjungkirbalikkan tempat ini.",
        "art_direction": "Arahan artistik", "palette": "- Palet: {colour}, {colour2}, bayangan pekat.",
        "framing": "- Bidikan pembuka yang lebar dan rendah; lalu satu bidikan dekat pada detail yang akan diingat "
                   "penonton.",
        # scene
        "untitled_scene": "Adegan tanpa judul", "summary": "Ringkasan",
        "summary_seed": "{Lead} tiba di {location} dengan harapan akan satu hal, tetapi menemukan hal lain.",
        "purpose": "Tujuan", "beat": "- **Beat:** {beat}.", "beat_missing": "tentukan posisinya di lembar beat",
        "changes": "- **Yang berubah:** {lead} meninggalkan adegan ini dengan mengetahui, menginginkan, atau kehilangan "
                   "sesuatu yang baru.",
        "theme_touch": "- **Sentuhan tema:** {theme}.",
        "setting": "Latar", "characters": "Tokoh",
        "character_want": "- **{name}** — menginginkan sesuatu yang berbeda dari semua orang di sini.",
        "beat_by_beat": "Beat demi beat",
        "step_open": "1. **Buka:** gambar yang kuat — {lead} {opening}.",
        "step_push": "2. **Tekanan:** desakan datang ({rival}, atau kabar tentangnya).",
        "step_turn": "3. **Titik balik:** sebuah pengungkapan tentang {motif} membalikkan tujuan.",
        "step_out": "4. **Tutup:** {lead} mengambil keputusan yang membuka adegan berikutnya.",
        "mood_camera_sound": "Suasana, kamera, dan suara", "mood": "- Suasana: {moods}{mood}.",
        "camera": "- Kamera: {camera}.", "sound": "- Suara: {sense}.",
        # script
        "script_title": "{title} — draf naskah", "scene": "Adegan",
        "script_note": "*Format skenario: slugline, aksi, nama tokoh, keterangan laku (parenthetical), dialog. Tulis "
                       "ulang dialognya dengan suara khas setiap tokoh.*",
        # free
        "notes_title": "{title} — catatan", "draft_notes": "Catatan draf",
        "no_instruction": "*Tidak ada instruksi, jadi berikut beberapa titik awal yang diambil dari bible.*",
        "ideas_to_start_from": "Ide untuk memulai", "open_on": "- Buka cerita di {place}, diiringi {sense}.",
        "hands": "- Serahkan {motif} ke tangan {hero} sejak awal.",
        "same_thing": "- Biarkan {rival} menginginkan hal yang sama dengan alasan yang terdengar lebih mulia.",
        "test_theme": "- Uji temanya — {theme} — dengan satu pilihan sulit.", "keep_tone": "- Jaga nuansanya tetap {moods}.",
        "from_your_bible": "Dari bible Anda", "premise_line": "- **Premis:** {premise}",
        "logline_item": "- **Logline:** {logline}",
        "questions_to_decide": "Pertanyaan untuk diputuskan",
        "want_most": "- Apa yang paling diinginkan {hero}, dan apa yang menghalanginya?",
        "cover": "- Gambar apa yang akan Anda pasang di sampul?", "feel_end": "- Apa yang seharusnya dirasakan penonton di akhir?",
    },
}

PHRASEBOOK = {"en": EN, "id": ID}
OFFLINE_LABEL = EN["label"]  # the English label; PHRASEBOOK[language]["label"] for the others
PERSON_WORDS = {"girl", "boy", "man", "woman", "hero", "heroine", "kid", "child", "warrior", "knight", "princess", "prince",
                "king", "queen", "witch", "wizard", "detective", "captain", "pilot", "maker", "character", "portrait",
                "student", "soldier", "ninja", "samurai", "mage", "thief", "villain", "mother", "father", "sister",
                "brother", "girl's", "boy's", "lady", "gentleman", "teen", "teenager", "elder", "monk", "priestess"}


def language_of(context: dict) -> str:
    """The draft's language: "id" for Indonesian ("id", "id-ID"), English for anything else."""
    code = _clean(context.get("language")).lower().replace("_", "-").split("-")[0]
    return code if code in PHRASEBOOK else "en"


def draft_text(request: TextRequest) -> str:
    context = request.context if isinstance(request.context, dict) else {}
    section = _clean(context.get("section")).lower() or "free"
    project = context.get("project") if isinstance(context.get("project"), dict) else {}
    subject = context.get("subject") if isinstance(context.get("subject"), dict) else {}
    words = PHRASEBOOK[language_of(context)]
    d = _Draft(section, project, subject, _clean(request.prompt), _rng(request.prompt, context), words)
    builder = {
        "story": d.story, "synopsis": d.synopsis, "beats": d.beats, "character": d.character, "world": d.world,
        "location": d.location, "scene": d.scene, "script": d.script,
    }.get(section, d.free)
    body = "\n".join(builder()).strip()
    text = f"{words['label']}\n\n{body}\n\n---\n*{words['footer']}*\n"
    return _truncate(text, max(20, int((request.max_tokens or 1024) * 0.75)), words["shortened"])


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
    """A list, or creator text split at commas, semicolons, lines and "and"/"dan"."""
    if isinstance(value, (list, tuple)):
        return [c for c in (_clean(v) for v in value) if c]
    return [c.strip() for c in re.split(r"[,;\n]|\b(?:and|dan)\b", _clean(value)) if c.strip()]


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


def _join(items: list[str], word: str = "and", serial: bool = False) -> str:
    """'a, b and c'; with `serial`, 'a, b, dan c' (the Indonesian list comma)."""
    items = [i for i in items if i]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + ("," if serial and len(items) > 2 else "") + f" {word} " + items[-1]


def _match(text: str, table, default):
    """The value of the first row with a key starting a word in `text` ("love" matches "loves", not "glove")."""
    text = text.lower()
    for keys, value in table:
        if any(re.search(r"\b" + re.escape(k), text) for k in keys):
            return value
    return default


class _Draft:
    """The pieces every section draws on, with phrasing picked by a seeded RNG from the phrasebook
    `words` (PHRASEBOOK["en"] or another language with the same keys)."""

    def __init__(self, section, project, subject, prompt, rng, words=EN):
        self.section, self.project, self.subject, self.prompt, self.rng = section, project, subject, prompt, rng
        self.words = words
        p = {k: _clean(project.get(k)) for k in ("title", "logline", "premise", "genre", "tone", "format", "audience", "theme")}
        self.title, self.logline, self.premise = p["title"], p["logline"], p["premise"]
        self.genre_text, self.tone, self.format_text, self.audience = p["genre"], p["tone"], p["format"], p["audience"]
        self.g = words["genres"][_match(self.genre_text, GENRE_KEYS, None) or _match(self.premise, GENRE_KEYS, "")]
        self.theme = p["theme"] or rng.choice(self.g["themes"])
        self.mood_words = words["tones"][_match(self.tone, TONE_KEYS, "")]
        self.format = _match(self.format_text, FORMAT_KEYS, "")
        self.protagonist = (_clean(project.get("protagonist")) or _clean(subject.get("protagonist"))
                            or next(iter(_names(project.get("characters"))), ""))

    # -- small phrasing helpers ----------------------------------------------------------------
    def pick(self, options):
        return self.rng.choice(options)

    def say(self, key: str, **values) -> str:
        """A line of the phrasebook with the creator's values filled in."""
        return self.words["text"][key].format(**values)

    def heading(self, key: str) -> str:
        return "## " + self.say(key)

    def join(self, items: list[str]) -> str:
        return _join(items, self.words["and"], self.words["serial_comma"])

    def work(self) -> str:
        """'*Title*, a whimsical fantasy comic' / 'this story'."""
        kind = self.words["kind"](self.tone, self.genre_text, self.format_text)
        if self.title and kind:
            return self.say("work_titled", title=self.title, a_kind=self.words["article"](kind))
        if self.title:
            return f"*{self.title}*"
        return self.say("work_untitled", kind=kind) if kind else self.say("work_plain")

    def direction(self) -> list[str]:
        if not self.prompt:
            return []
        return [self.say("direction", prompt=self.prompt), ">", self.say("direction_note"), ""]

    def meta(self, *parts) -> list[str]:
        line = _cap(" · ".join(p for p in parts if p))
        return [f"*{line}*", ""] if line else []

    def hero(self) -> str:
        if self.protagonist:
            return self.protagonist
        return (_clean(self.subject.get("name")) if self.section == "character" else "") or self.words["hero"]

    def theme_text(self) -> str:
        return self.theme

    def mood_suffix(self, mood: str) -> str:
        return " — " + mood.lower() if mood else ""

    # -- sections ------------------------------------------------------------------------------
    def character(self) -> list[str]:
        s, w, g = self.subject, self.words, self.g
        name = _clean(s.get("name"))
        who = name or self.say("this_character")
        role, age = _clean(s.get("role")), _clean(s.get("age"))
        pron = _pronouns(" ".join(_clean(s.get(k)) for k in ("pronouns", "gender", "appearance", "description"))
                         + " " + self.prompt)
        out = [f"# {name or self.say('unnamed_character')}", ""]
        out += self.meta(w["role_title"](role) if role else "", self.say("age", age=age) if age.isdigit() else age,
                         self.title)
        out += self.direction()

        traits = _items(s.get("personality")) or _items(s.get("traits"))
        glance = dict(Who=_cap(who), who=who, role=w["role_phrase"](role), work=self.work(), theme=self.theme_text())
        out += [self.heading("at_a_glance"), "",
                self.say("glance_traits", traits=self.join([t.lower() for t in traits[:3]]), **glance) if traits else
                self.say("glance", **glance), ""]

        appearance, clothing, accessories = (_clean(s.get(k)) for k in ("appearance", "clothing", "accessories"))
        colour = self.pick(w["colours"])
        out += [self.heading("appearance"), ""]
        if appearance:
            out += [_sentence(appearance), ""]
        else:
            out += [self.say("appearance_seed", build=self.pick(w["builds"]), eyes=self.pick(w["eyes"]),
                             motif=_lower_first(self.pick(g["motifs"]))), ""]
        if clothing:
            out.append(self.say("clothing", clothing=clothing))
        if accessories:
            out.append(self.say("accessories", accessories=accessories))
        out += [self.say("signature_colour", colour=colour, who=who),
                self.say("silhouette", shape=self.pick(w["silhouettes"])), ""]

        out += [self.heading("personality"), ""]
        if traits:
            for trait in traits[:5]:
                note = self.pick(w["trait_notes"]).format(name=who)
                out.append(f"- **{_cap(trait)}** — {note}.")
        else:
            out.append(self.say("personality_missing"))
        out += [self.say("flaw", flaw=self.pick(w["flaws"])), self.say("voice", voice=self.pick(w["voices"])), ""]

        backstory = _clean(s.get("backstory"))
        out += [self.heading("backstory"), ""]
        if backstory:
            out += [_sentence(backstory), "", self.say("deepen"), "", self.say("deepen_loss", who=who),
                    self.say("deepen_return"), ""]
        else:
            out += [self.say("backstory_seed", who=who, place=self.pick(g["places"]),
                             motif=_lower_first(self.pick(g["motifs"]))), ""]

        motivation = _clean(s.get("motivation")) or _clean(s.get("goal"))
        out += [self.heading("motivation"), "",
                self.say("wants", goal=motivation or self.say("wants_missing")),
                self.say("needs", need=self.pick(w["needs"])),
                self.say("fears", fear=self.pick(w["fears"]).format(they=pron[0], them=pron[1])),
                self.say("stakes_if", who=who, stakes=g["stakes"]), ""]

        rival = self.pick(g["rivals"])
        out += [self.heading("story_hooks"), "",
                self.say("hook_discovery", Who=_cap(who), motif=self.pick(g["motifs"]), place=self.pick(g["places"]),
                         their=pron[2]),
                self.say("hook_offer", Rival=_sentence(rival)[:-1], who=who),
                self.say("hook_quiet", who=who, sense=self.pick(g["senses"]))]
        if self.logline:
            out.append(self.say("hook_plot", who=who, logline=self.logline))
        medium = self.format_text.lower() or self.format
        out += ["", "## " + (self.say("design_notes_for", medium=medium) if medium else self.say("design_notes")), ""]
        out += [f"- {n.format(name=who, them=pron[1])}" for n in w["format_notes"][self.format]]
        return out

    def story(self) -> list[str]:
        hero, g = self.hero(), self.g
        motif, rival, place = self.pick(g["motifs"]), self.pick(g["rivals"]), self.pick(g["places"])
        out = [f"# {self.title or self.say('untitled_story')}", ""]
        out += self.meta(self.genre_text.capitalize(), self.tone.lower(), self.format_text.lower(),
                         self.say("for_audience", audience=self.audience) if self.audience else "")
        out += self.direction()
        out += [self.heading("logline"), "", self.logline or self.say(
            "logline_seed", motif=_lower_first(motif), place=place, hero=hero, rival=rival, stakes=g["stakes"]), ""]
        out += [self.heading("premise"), "", _sentence(self.premise) or self.say(
            "premise_seed", mood=self.mood_words[0], story=g["story"], Story=_cap(g["story"]), theme=self.theme_text(),
            Hero=_cap(hero)), ""]
        out += [self.heading("theme"), "", self.say("theme_body", Theme=_cap(self.theme_text()), hero=hero), ""]
        out += [self.heading("tone_and_style"), "",
                self.say("textures", moods=self.join([m.capitalize() if i == 0 else m
                                                      for i, m in enumerate(self.mood_words)]),
                         sense=self.pick(g["senses"]), sense2=self.pick(g["senses"])), ""]
        out += [self.heading("central_conflict"), "",
                self.say("outer", hero=hero, rival=rival),
                self.say("inner", hero=hero, flaw=self.pick(self.words["flaws"])),
                self.say("stakes", stakes=g["stakes"]), ""]
        out += [self.heading("story_engine"), "",
                self.say("engine", motif=_lower_first(self.pick(g["motifs"])),
                         unit=self.say("episode" if self.format in EPISODIC else "chapter")), ""]
        out += [self.heading("open_questions"), "", self.say("ask_want", hero=hero), self.say("ask_poster"),
                self.say("ask_feel", audience=self.say("audience_aside", audience=self.audience) if self.audience else "")]
        return out

    def synopsis(self) -> list[str]:
        hero, g = self.hero(), self.g
        motif, rival, place = self.pick(g["motifs"]), self.pick(g["rivals"]), self.pick(g["places"])
        out = [f"# {self.say('synopsis_title', title=self.title or self.say('untitled'))}", ""] + self.direction()
        out += [self.heading("in_one_sentence"), "", self.logline or self.say(
            "one_sentence", Hero=_cap(hero), rival=rival, motif=_lower_first(motif), stakes=g["stakes"]), ""]
        out += [self.heading("beginning"), "",
                (_sentence(self.premise) + " " if self.premise else "")
                + self.say("beginning_body", hero=hero, place=place, motif=_lower_first(motif)), ""]
        out += [self.heading("middle"), "",
                self.say("middle_body", Rival=_sentence(rival)[:-1], hero=hero, motif=_lower_first(motif),
                         theme=self.theme_text()), ""]
        out += [self.heading("end"), "", self.say("end_body", flaw=self.pick(self.words["flaws"]), hero=hero), ""]
        out += [self.heading("to_refine"), "", self.say("refine_names"), self.say("refine_events")]
        return out

    def beats(self) -> list[str]:
        hero, g, w = self.hero(), self.g, self.words
        motif, rival, place = self.pick(g["motifs"]), self.pick(g["rivals"]), self.pick(g["places"])
        ally = self.pick(w["allies"])
        values = dict(hero=hero, place=place, theme=self.theme_text(), flaw=self.pick(w["flaws"]),
                      Motif=_sentence(motif)[:-1], Ally=_sentence(ally)[:-1], label=g["label"],
                      sense=self.pick(g["senses"]), stakes=g["stakes"], Rival=_sentence(rival)[:-1])
        out = [f"# {self.say('beat_sheet', title=self.title or self.say('untitled'))}", ""]
        out += self.meta(self.say("beat_structure"), self.genre_text.lower())
        out += self.direction()
        if self.logline:
            out += [self.say("logline_line", logline=self.logline), ""]
        for act, beats in BEAT_SHEET:
            out += [f"## {w['acts'][act]}", ""]
            for beat, at in beats:
                name, note = w["beats"][beat]
                out.append(f"- **{name}** ({at}) — {_cap(note.format(**values))}")
            out.append("")
        if self.format in EPISODIC:
            out.append(self.say("beats_run", format=w["format_names"][self.format]))
        return out

    def world(self) -> list[str]:
        s, g = self.subject, self.g
        name = _clean(s.get("name")) or self.title or self.say("the_world")
        desc = _clean(s.get("description")) or _clean(s.get("summary"))
        rules = _clean(s.get("rules")) or _clean(s.get("magic")) or _clean(s.get("technology"))
        history, factions = _clean(s.get("history")), _items(s.get("factions"))
        out = [f"# {name}", ""] + self.meta(self.genre_text.capitalize(), self.tone.lower(), self.title) + self.direction()
        out += [self.heading("overview"), "", _sentence(desc) or self.say(
            "world_seed", mood=self.mood_words[0], label=g["label"], motif=_lower_first(self.pick(g["motifs"]))), ""]
        out += [self.heading("rules_of_the_world"), ""]
        if rules:
            out += [self.say("as_written", rules=rules)]
        out += [self.say("possible", motif=self.pick(g["motifs"])), self.say("costs"), self.say("forbidden"), ""]
        out += [self.heading("peoples_and_factions"), ""]
        out += [self.say("faction", faction=f) for f in factions[:5]] or [
            self.say("old_ways"), self.say("followers", Rival=_sentence(self.pick(g["rivals"]))[:-1])]
        out += ["", self.heading("history"), "", _sentence(history) or self.say("history_seed"), ""]
        out += [self.heading("everyday_life"), "", self.say("sounds", sense=self.pick(g["senses"])), self.say("daily"),
                self.say("visit", places=self.join(self.rng.sample(g["places"], 2))), ""]
        out += [self.heading("world_conflicts"), "", self.say("stakes_item", Stakes=_cap(g["stakes"])),
                self.say("control", Motif=_sentence(self.pick(g["motifs"]))[:-1]),
                self.say("neighbours", Theme=_cap(self.theme_text()))]
        return out

    def location(self) -> list[str]:
        s, g, w = self.subject, self.g, self.words
        name = _clean(s.get("name")) or self.say("unnamed_location")
        desc, mood = _clean(s.get("description")), _clean(s.get("mood")) or self.tone
        features = _items(s.get("features"))
        region = _clean(s.get("region")) or _clean(s.get("world"))
        out = [f"# {name}", ""] + self.meta(region, mood.lower(), self.title) + self.direction()
        out += [self.heading("overview"), "", _sentence(desc) or self.say(
            "location_seed", Place=_cap(self.pick(g["places"]))), ""]
        out += [self.heading("look_and_feel"), "",
                self.say("sights", shape=self.pick(w["shapes"]), colour=self.pick(w["colours"]),
                         colour2=self.pick(w["colours"])),
                self.say("sounds_smells", sense=self.pick(g["senses"])),
                self.say("mood_line", moods=self.join(self.mood_words), mood=self.mood_suffix(mood)), ""]
        out += [self.heading("notable_features"), ""]
        out += [f"- {_cap(f)}" for f in features[:6]] or [
            self.say("landmark"), self.say("hidden"), self.say("trace", motif=_lower_first(self.pick(g["motifs"])))]
        out += ["", self.heading("story_function"), "", self.say("function", name=name, use=self.pick(w["location_uses"])),
                ""]
        out += [self.heading("scene_ideas"), "", self.say("idea_arrival", Hero=_cap(self.hero())),
                self.say("idea_waiting", Rival=_sentence(self.pick(g["rivals"]))[:-1]), self.say("idea_upheaval"), ""]
        out += [self.heading("art_direction"), "",
                self.say("palette", colour=self.pick(w["colours"]), colour2=self.pick(w["colours"])),
                self.say("framing")]
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
        g, w = self.g, self.words
        title, location, chars, mood, beat, summary = self._scene_parts()
        cast = chars or [self.hero()]
        lead = cast[0]
        out = [f"# {title or self.say('untitled_scene')}", ""] + self.meta(beat, mood.lower(), self.title)
        out += self.direction()
        out += [self.heading("summary"), "", _sentence(summary) or self.say(
            "summary_seed", Lead=_cap(lead), location=location), ""]
        out += [self.heading("purpose"), "", self.say("beat", beat=beat or self.say("beat_missing")),
                self.say("changes", lead=lead), self.say("theme_touch", theme=self.theme_text()), ""]
        out += [self.heading("setting"), "", f"{_sentence(location)} {_sentence(self.pick(g['senses']))}", ""]
        out += [self.heading("characters"), ""] + [self.say("character_want", name=c) for c in cast[:5]]
        out += ["", self.heading("beat_by_beat"), "",
                self.say("step_open", lead=lead, opening=self.pick(w["scene_openings"])),
                self.say("step_push", rival=self.pick(g["rivals"])),
                self.say("step_turn", motif=_lower_first(self.pick(g["motifs"]))),
                self.say("step_out", lead=lead), ""]
        out += [self.heading("mood_camera_sound"), "",
                self.say("mood", moods=self.join(self.mood_words), mood=self.mood_suffix(mood)),
                self.say("camera", camera=self.pick(w["cameras"])), self.say("sound", sense=self.pick(g["senses"]))]
        return out

    def script(self) -> list[str]:
        g, sw = self.g, self.words["script"]
        title, location, chars, mood, beat, summary = self._scene_parts()
        hero = self.hero()
        cast = [c.upper() for c in chars[:3]] or [hero.upper() if hero != self.words["hero"] else self.words["hero_cue"]]
        if len(cast) == 1:
            cast.append(self.pick(sw["extras"]))
        a, b = cast[0], cast[1]
        place = re.sub(r"^((int|ext|int\./ext)\.?|an?|the)\s+", "", location, flags=re.I)
        slug_place = place.upper()
        prefix = location.split()[0].upper().rstrip(".") + "." if re.match(r"(int|ext)\b", location, re.I) else \
            ("INT." if INTERIOR.search(location) else "EXT.")
        time_of_day = _clean(self.subject.get("time")).upper() or (
            sw["night"] if any(w in (mood + self.tone).lower() for w in NIGHT_MOODS) else self.pick(sw["times"]))
        sense = self.pick(g["senses"])
        act = [f"{prefix} {slug_place} - {time_of_day}", ""]
        act += _wrap_action(_sentence(summary)) if summary else []
        # The creator's own capitals survive ("Bengkel Lintang"), unless the whole place was in capitals.
        place = place.lower() if place.isupper() else place
        act += _wrap_action(f"{_sentence(place)[:-1]}. {_sentence(sense)} {a.title()} {self.pick(sw['arrivals'])}.")
        moodp = mood.lower() if mood else self.pick(sw["moods"])
        lines = [
            (a, "", self.pick(sw["open"])),
            (b, moodp, self.pick(sw["answer"])),
            (a, "", self.pick(sw["resolve"])),
            (b, sw["pause"], sw["reveal"].format(motif=_lower_first(self.pick(g["motifs"])))),
        ]
        out = [f"# {self.say('script_title', title=title or self.say('scene'))}", ""]
        out += self.meta(beat, mood.lower(), self.title) + self.direction()
        body = act
        for who, paren, line in lines:
            body += _cue(who, paren, line)
        body += _wrap_action(sw["freeze"].format(who=a.title(), sense=_sentence(self.pick(g["senses"]))))
        body += _cue(a, "", self.pick(sw["decide"]))
        body += _cue(b, sw["quietly"], self.pick(sw["reply"]))
        body += _wrap_action(sw["exit"].format(a=a.title(), b=b.title()))
        body += [" " * 44 + self.pick(sw["transitions"])]
        out += ["```", *body, "```", "", self.say("script_note")]
        return out

    def free(self) -> list[str]:
        hero, g = self.hero(), self.g
        out = [f"# {self.say('notes_title', title=self.title) if self.title else self.say('draft_notes')}", ""]
        out += self.direction()
        if not self.prompt:
            out += [self.say("no_instruction"), ""]
        out += [self.heading("ideas_to_start_from"), "",
                self.say("open_on", place=self.pick(g["places"]), sense=self.pick(g["senses"])),
                self.say("hands", motif=_lower_first(self.pick(g["motifs"])), hero=hero),
                self.say("same_thing", rival=self.pick(g["rivals"])),
                self.say("test_theme", theme=self.theme_text()),
                self.say("keep_tone", moods=self.join(self.mood_words)), ""]
        if self.logline or self.premise:
            out += [self.heading("from_your_bible"), ""]
            out += [self.say("logline_item", logline=self.logline)] if self.logline else []
            out += [self.say("premise_line", premise=self.premise)] if self.premise else []
            out.append("")
        out += [self.heading("questions_to_decide"), "", self.say("want_most", hero=hero), self.say("cover"),
                self.say("feel_end")]
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


def _truncate(text: str, max_words: int, note: str = EN["shortened"]) -> str:
    tokens = re.findall(r"\S+\s*", text)
    if len(tokens) <= max_words:
        return text
    kept = "".join(tokens[:max_words]).rstrip()
    if kept.count("```") % 2:
        kept += "\n```"
    return kept + f" …\n\n{note}\n"


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
