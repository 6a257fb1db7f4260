"""The sentences of one field's offline draft, from the bible's facts and the phrasebook.

FieldDraft reads the request's context once: which kind of text the field wants (a synopsis, a
backstory, a logline, a script ...), the bible's names (title, characters, places) and the
creator's data, and fills the phrasebook's templates (words["prose"][kind]) with them. Where the
bible names something (the protagonist, the antagonist, a location) its name is used; where it is
silent a seeded pick from the genre's phrases stands in. The tables that recognise a genre, tone
or format read the creator's own text, so they know English and Indonesian keywords alike."""

import re
import textwrap

from .phrasebook_en import EN
from .phrasebook_id import ID
from .wording import _cap, _clean, _items, _join, _lower_first, _sentence

# (section, field) → the kind of text; a section without a known field gets its DEFAULT_KIND.
KINDS = {
    ("story", "logline"): "logline", ("story", "premise"): "premise", ("story", "themes"): "themes",
    ("story", "synopsis"): "synopsis",
    **{("character", f): f for f in ("appearance", "clothing", "accessories", "personality", "backstory",
                                      "motivation", "visual_style", "profile")},
    **{("world", f): f for f in ("setting", "history", "culture", "rules")},
    ("location", "description"): "location", ("location", "visual_notes"): "visual_notes",
}
DEFAULT_KIND = {"story": "premise", "synopsis": "synopsis", "beats": "beat", "character": "profile",
                "world": "setting", "location": "location", "scene": "scene", "script": "script"}
# How many paragraphs a kind has when the creator does not say.
PARAGRAPHS = {"synopsis": 4, "premise": 2, "themes": 2, "personality": 2, "backstory": 3, "setting": 2,
              "history": 3, "culture": 2, "rules": 2, "location": 2, "scene": 2, "profile": 4}
PROFILE = ("appearance", "personality", "backstory", "motivation")
CHARACTER_KINDS = (*PROFILE, "clothing", "accessories", "visual_style", "profile")
ALLY_ROLES = ("deuteragonist", "sidekick", "love_interest", "mentor", "supporting")
IDEAS = re.compile(r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|satu|dua|tiga|empat|lima|enam|tujuh|delapan)"
                   r"\s+(?:\w+\s+)?(ideas?|ide|gagasan)\b", re.I)
IDEA_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "satu": 1,
                "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8}

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
INTERIOR = re.compile(
    r"\b(room|house|home|kitchen|office|inside|interior|hall|shop|cabin|bar|cafe|café|classroom|library|apartment|"
    r"basement|bedroom|corridor|lab|studio|temple|church|workshop|forge|tent|car|train|bus|palace|castle|tavern|inn|"
    r"hospital|warehouse|attic|cellar|dojo|garage|"
    r"kamar|rumah|dapur|kantor|dalam|aula|toko|kabin|kafe|kedai|warung|kelas|perpustakaan|apartemen|ruangan|ruang(?! terbuka)|"
    r"lorong|bengkel|kuil|gereja|masjid|tenda|mobil|kereta|bis|istana|kastil|penginapan|gudang|loteng|sanggar)\b", re.I)
NIGHT_MOODS = ("dark", "tense", "grim", "noir", "gelap", "tegang", "suram", "kelam", "mencekam")


def _match(text: str, table, default):
    """The value of the first row with a key starting a word in `text` ("love" matches "loves", not "glove")."""
    text = text.lower()
    for keys, value in table:
        if any(re.search(r"\b" + re.escape(k), text) for k in keys):
            return value
    return default


class FieldDraft:
    """One field's draft: `kind` says what it is; sentences() gives a prose field's sentences in
    reading order, write() the whole text of a logline, a script or a list of ideas."""

    def __init__(self, context: dict, words: dict, rng):
        self.words, self.rng, self.prose = words, rng, words["prose"]
        section = _clean(context.get("section")).lower() or "free"
        field = _clean(context.get("field")).lower()
        self.kind = KINDS.get((section, field)) or DEFAULT_KIND.get(section, "ideas")
        project = context.get("project") if isinstance(context.get("project"), dict) else {}
        self.subject = context.get("subject") if isinstance(context.get("subject"), dict) else {}
        self.direction = _clean(context.get("direction"))
        self.project = {k: _clean(project.get(k)) for k in ("title", "logline", "premise", "genre", "tone", "format",
                                                            "audience", "theme", "protagonist")}
        self.cast = _cast(project.get("characters"))
        self.places = _items(project.get("locations"))
        self.v = self._values()

    # -- facts ---------------------------------------------------------------------------------
    def pick(self, options):
        return self.rng.choice(options)

    def _values(self) -> dict:
        """Every value a template may name, and a Capitalised twin of each ("hero" → "Hero")."""
        w, p, s = self.words, self.project, self.subject
        g = w["genres"][_match(p["genre"], GENRE_KEYS, None) or _match(p["premise"], GENRE_KEYS, "")]
        self.g = g
        moods = w["tones"][_match(p["tone"], TONE_KEYS, "")]
        self.format = _match(p["format"], FORMAT_KEYS, "")
        kind = w["kind"](p["tone"], p["genre"], p["format"])
        title = p["title"] or self.prose["this_story"]
        work = self.prose["work"].format(title=title, a_kind=w["article"](kind)) if p["title"] and kind else title
        hero = (p["protagonist"] or next((n for n, r in self.cast if r == "protagonist"), "")
                or next((n for n, _ in self.cast), "") or w["hero"])
        rival_name = next((n for n, r in self.cast if r == "antagonist" and n != hero), "")
        ally_name = next((n for role in ALLY_ROLES for n, r in self.cast if r == role and n != hero), "")
        ally = ally_name or self.pick(w["allies"])
        scene_place = _clean(s.get("location")) if self.kind == "scene" else ""
        own = _clean(s.get("name"))
        places = ([scene_place] if scene_place else []) + [pl for pl in self.places if pl not in (scene_place, own)]
        # "near the Storm Cliffs": a place named "The …" takes a small "the" inside a sentence.
        places = [re.sub(r"^The ", "the ", pl) for pl in places]
        place = places[0] if places else self.pick(g["places"])
        place2 = places[1] if len(places) > 1 else self.pick([pl for pl in g["places"] if pl != place])
        themes, colours = self.rng.sample(g["themes"], 2), self.rng.sample(w["colours"], 2)
        name = own or (place if self.kind in ("location", "visual_notes") else
                       self.prose["this_character"] if self.kind in CHARACTER_KINDS else hero)
        pron = _pronouns(" ".join(_clean(s.get(k)) for k in ("gender", "appearance", "backstory", "personality"))
                         + " " + self.direction)
        fear = self.pick(w["fears"]).format(they=pron[0], them=pron[1])
        role = _clean(s.get("role"))
        chars = _names(s.get("characters")) if self.kind in ("scene", "script") else []
        lead = chars[0] if chars else hero
        v = {
            "title": title, "work": work, "hero": hero, "name": name, "lead": lead,
            "rival": rival_name or self.pick(g["rivals"]), "rival2": rival_name or self.prose["the_rival"],
            "ally": ally, "ally2": ally_name or w["definite"](ally),
            "place": place, "place2": place2, "location": scene_place or place,
            "motif": _lower_first(self.pick(g["motifs"])), "stakes": g["stakes"], "theme": p["theme"] or themes[0],
            "theme2": themes[1], "sense": self.pick(g["senses"]), "sense2": self.pick(g["senses"]),
            "flaw": self.pick(w["flaws"]), "need": self.pick(w["needs"]), "fear": fear, "voice": self.pick(w["voices"]),
            "colour": colours[0], "colour2": colours[1], "build": self.pick(w["builds"]),
            "eyes": self.pick(w["eyes"]), "shape": self.pick(w["silhouettes"]), "texture": self.pick(w["shapes"]),
            "use": self.pick(w["location_uses"]), "camera": self.pick(w["cameras"]),
            "opening": self.pick(w["scene_openings"]),
            "mood": moods[0], "moods": self.join(moods), "a_mood": w["article"](moods[0]),
            "genre": g["label"], "story": g["story"], "label": g["label"],
            "role": w["role_phrase"](role), "they": pron[0], "them": pron[1], "their": pron[2],
            "cast": self.join(chars), "beat": _clean(s.get("beat")),
            "clothing": _lower_first(_clean(s.get("clothing")).rstrip(".")),
            "accessories": _lower_first(_clean(s.get("accessories")).rstrip(".")),
        }
        return {**v, **{k[0].upper() + k[1:]: _cap(val) for k, val in v.items() if isinstance(val, str)}}

    def join(self, items: list[str]) -> str:
        return _join(items, self.words["and"], self.words["serial_comma"])

    def say(self, template: str) -> str:
        return _cap(template.format(**self.v))

    def lines(self, kind: str) -> list[str]:
        return [self.say(t) for t in self.prose[kind]]

    # -- prose fields --------------------------------------------------------------------------
    def default_paragraphs(self) -> int:
        return PARAGRAPHS.get(self.kind, 1)

    def sentences(self) -> list[str]:
        """The field's sentences in reading order, the creator's own facts among them."""
        kind, s, p = self.kind, self.subject, self.project
        if kind == "profile":
            return [line for part in PROFILE for line in self._sentences_of(part)[:2]]
        out = self._sentences_of(kind)
        if kind in ("synopsis", "premise") and p["premise"]:
            out.insert(1, _sentence(p["premise"]))
        if kind == "beat":
            note = self._beat_note(_clean(s.get("title")))
            out = ([note] if note else []) + out
        return out

    def _sentences_of(self, kind: str) -> list[str]:
        out = self.lines(kind)
        v, s = self.v, self.subject
        if kind == "appearance":
            out += [self.say(self.prose["wears"])] if v["clothing"] else []
            out += [self.say(self.prose["carries"])] if v["accessories"] else []
        if kind == "personality":
            traits = _items(s.get("personality")) or _items(s.get("traits"))
            notes = [self.pick(self.words["trait_notes"]).format(name=v["name"]) for _ in traits[:3]]
            out[1:1] = [_cap(self.prose["trait"].format(trait=t.lower(), note=n, **{k: v[k] for k in ("name", "Name")}))
                        for t, n in zip(traits[:3], notes, strict=True)]
        if kind == "visual_style":
            out[2:2] = [n.format(name=v["name"], them=v["them"]) for n in self.words["format_notes"][self.format][:2]]
        if kind == "scene":
            out += [self.say(self.prose["scene_cast"])] if len(_names(s.get("characters"))) > 1 else []
            out[1:1] = [self.say(self.prose["scene_beat"])] if v["beat"] else []
        return out

    def _beat_note(self, title: str) -> str:
        """The Save the Cat note for a beat named like one, in either language."""
        for key in self.words["beats"]:
            if title and any(title.lower() == book["beats"][key][0].lower() for book in (EN, ID)):
                return self.say(self.words["beats"][key][1]).rstrip(".") + "."
        return ""

    def more_sentences(self) -> list[str]:
        """Further sentences for a draft asked to be longer than its field's own."""
        return self.lines("more")

    # -- fields that are not paragraphs ------------------------------------------------------
    def write(self, asked=None) -> str:
        if self.kind == "logline":
            line = self.say(self.prose["logline"])
            return (line if len(line) <= 280 else self.say(self.prose["logline_short"])) + "\n"
        if self.kind == "script":
            return self.script()
        found = IDEAS.search(self.direction)
        count = (int(found.group(1)) if found.group(1).isdigit() else IDEA_NUMBERS[found.group(1).lower()]) \
            if found else (asked.count if asked and asked.unit != "words" else 3)
        ideas = self.lines("ideas")  # the first, where the story opens, always; then a seeded pick
        ideas = ideas[:1] + self.rng.sample(ideas[1:], min(max(count, 1), len(ideas)) - 1)
        return "\n".join(f"{i}. {idea}" for i, idea in enumerate(ideas, 1)) + "\n"

    def script(self) -> str:
        """One scene in screenplay layout: slugline, action, character cues, dialogue, transition."""
        g, sw, s = self.g, self.words["script"], self.subject
        location = _clean(s.get("location")) or self.v["place"]
        mood = _clean(s.get("mood")) or self.project["tone"]
        summary = _clean(s.get("description")) or _clean(s.get("summary"))
        chars = _names(s.get("characters"))
        hero = self.v["hero"]
        cast = [c.upper() for c in chars[:3]] or [hero.upper() if hero != self.words["hero"] else self.words["hero_cue"]]
        if len(cast) == 1:
            cast.append(self.pick(sw["extras"]))
        a, b = cast[0], cast[1]
        place = re.sub(r"^((int|ext|int\./ext)\.?|an?|the)\s+", "", location, flags=re.I)
        prefix = location.split()[0].upper().rstrip(".") + "." if re.match(r"(int|ext)\b", location, re.I) else \
            ("INT." if INTERIOR.search(location) else "EXT.")
        time_of_day = _clean(s.get("time")).upper() or (
            sw["night"] if any(w in (mood + self.project["tone"]).lower() for w in NIGHT_MOODS) else self.pick(sw["times"]))
        body = [f"{prefix} {place.upper()} - {time_of_day}", ""]
        body += _wrap_action(_sentence(summary)) if summary else []
        # The creator's own capitals survive ("Bengkel Lintang"), unless the whole place was in capitals.
        place = place.lower() if place.isupper() else place
        body += _wrap_action(f"{_sentence(place)[:-1]}. {_sentence(self.pick(g['senses']))} {a.title()} "
                             f"{self.pick(sw['arrivals'])}.")
        for who, paren, line in [
            (a, "", self.pick(sw["open"])),
            (b, mood.lower() if mood else self.pick(sw["moods"]), self.pick(sw["answer"])),
            (a, "", self.pick(sw["resolve"])),
            (b, sw["pause"], sw["reveal"].format(motif=self.v["motif"])),
        ]:
            body += _cue(who, paren, line)
        body += _wrap_action(sw["freeze"].format(who=a.title(), sense=_sentence(self.pick(g["senses"]))))
        body += _cue(a, "", self.pick(sw["decide"]))
        body += _cue(b, sw["quietly"], self.pick(sw["reply"]))
        body += _wrap_action(sw["exit"].format(a=a.title(), b=b.title()))
        body += [" " * 44 + self.pick(sw["transitions"])]
        return "\n".join(body) + "\n"


def _cast(value) -> list[tuple[str, str]]:
    """(name, role) of the bible's characters, in order."""
    if not isinstance(value, (list, tuple)):
        return [(n, "") for n in _items(value)]
    out = []
    for c in value:
        name = _clean(c.get("name")) if isinstance(c, dict) else _clean(c)
        if name:
            out.append((name, _clean(c.get("role")).lower() if isinstance(c, dict) else ""))
    return out


def _names(value) -> list[str]:
    return [name for name, _ in _cast(value)]


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
