"""Offline text drafts: a structured Markdown draft assembled from the bible (request.context).

One set of section builders (_Draft) holds the structure: which headings, which bullets, which
creator fields, which random picks and in what order. Every word a reader sees comes from the
phrasebook of the draft's language, PHRASEBOOK["en"] or PHRASEBOOK["id"] (same keys in both,
phrasebook_en.py and phrasebook_id.py), chosen by request.context["language"]; anything else is
English. The tables that recognise a genre, tone or format read the creator's own text, so they
know English and Indonesian keywords alike, whatever the draft's language.

The draft opens with the phrasebook's offline label, ends with its footer, and is shortened to
the request's max_tokens; the adapter streams it in small chunks (_chunks) with estimated tokens."""

import math
import re
import textwrap
from collections.abc import Iterator

from ..base import TextRequest
from .phrasebook_en import EN
from .phrasebook_id import ID
from .seeding import _rng
from .wording import _cap, _clean, _items, _join, _lower_first, _sentence

CHUNK_CHARS = 40


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


PHRASEBOOK = {"en": EN, "id": ID}
OFFLINE_LABEL = EN["label"]  # the English label; PHRASEBOOK[language]["label"] for the others


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
