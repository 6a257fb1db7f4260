"""The offline provider: drafts, images and videos made on this machine, no network."""

import io
import re

import av
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from aiproviders.adapters.base import ImageRequest, ProviderConfig, ProviderError, TextRequest, Usage, VideoRequest
from aiproviders.adapters.local import OFFLINE_LABEL, PHRASEBOOK, LocalAdapter, cover, offline_label

PROJECT = {
    "title": "Layang-Layang", "logline": "A kite-maker girl must fly the storm kite to save her drifting island.",
    "genre": "fantasy adventure", "tone": "whimsical", "format": "webtoon", "audience": "teens",
    "premise": "A kite-maker girl chases a storm spirit across floating islands.",
    "characters": [{"name": "Lintang", "role": "protagonist"}, {"name": "Bayu", "role": "antagonist"},
                   {"name": "Sari", "role": "mentor"}],
    "locations": ["Kite Market", "The Storm Cliffs"],
}
SUBJECTS = {
    "character": {"name": "Lintang", "role": "protagonist", "age": 14, "appearance": "small, sun-browned",
                  "clothing": "patched indigo sarong", "personality": "brave, curious, stubborn",
                  "backstory": "her father vanished flying the first storm kite", "motivation": "find her father"},
    "script": {"title": "The Storm Kite", "beat": "Catalyst", "location": "Lintang's workshop",
               "characters": ["Lintang", {"name": "Bayu"}], "mood": "tense"},
    "scene": {"title": "The Storm Kite", "beat": "Catalyst", "location": "the cliff harbour",
              "characters": ["Lintang", "Bayu"]},
    "world": {}, "location": {"name": "Kite Market"}, "beats": {"title": "Catalyst"}, "story": {}, "synopsis": {},
    "free": {},
}
# Every kind of field the studio asks for: (section, field).
FIELDS = [
    ("story", "logline"), ("story", "premise"), ("story", "themes"), ("synopsis", "synopsis"), ("beats", "description"),
    *[("character", f) for f in ("appearance", "clothing", "accessories", "personality", "backstory", "motivation",
                                  "visual_style", "profile")],
    *[("world", f) for f in ("setting", "history", "culture", "rules")],
    ("location", "description"), ("location", "visual_notes"), ("scene", "description"), ("script", "script"),
    ("free", "text"),
]
PROSE = [f for f in FIELDS if f[1] not in ("logline", "script", "text")]
# The names each kind of field must carry from the bible into its text.
NAMES = {"synopsis": ["Layang-Layang", "Lintang", "Bayu", "Kite Market"], "premise": ["Layang-Layang", "Lintang"],
         "themes": ["Layang-Layang", "Lintang", "Bayu"], "logline": ["Lintang", "Bayu"], "character": ["Lintang"],
         "world": ["Kite Market"], "location": ["Kite Market", "Lintang"], "scene": ["Lintang", "Bayu", "cliff harbour"],
         "beats": ["Lintang", "Bayu"], "script": ["LINTANG", "BAYU"], "free": ["Kite Market"],
         "visual_notes": ["Kite Market"]}
# What an offline draft used to carry and must never carry again, whatever the language.
NEVER = ["Offline draft", "Draf offline", "without an AI service", "tanpa layanan AI", "Assembled offline",
         "Disusun", "Your direction", "Arahan Anda", "Canon:", "Creator's instructions", "PROMPT-MARKER", "```",
         "---", "**", "{", "}", "None", "null", "Shortened", "Dipersingkat"]
STYLES = ["cartoon", "anime", "sketch", "cinematic", "realistic", "", "chibi", "cute", "posterise"]


@pytest.fixture
def adapter():
    return LocalAdapter(ProviderConfig(kind="local"))


def draft(adapter, section, *, field="", direction="", project=PROJECT, subject=None, max_tokens=1024,
          language=None):
    """The items the adapter streams for one field; the request's prompt is what the studio sends
    (instruction, the creator's words, the canon), which the draft must never echo."""
    context = {"section": section, "field": field, "direction": direction, "project": project,
               "subject": SUBJECTS.get(section, {}) if subject is None else subject}
    if language is not None:
        context["language"] = language
    prompt = f"Write it. Creator's instructions: {direction} PROMPT-MARKER\n\nCanon:\n- Title: Layang-Layang"
    return list(adapter.generate_text("offline-writer", TextRequest(prompt=prompt, max_tokens=max_tokens,
                                                                     context=context)))


def text_of(items):
    return "".join(item for item in items if isinstance(item, str))


def png(image):
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def decode(result):
    image = Image.open(io.BytesIO(result.data))
    assert image.format == "PNG" and result.mime == "image/png"
    return image.convert("RGB")


def mean_difference(a, b):
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def reference_image():
    """A small picture with gradients, shapes and outlines, like a character sheet would have."""
    ramp = Image.linear_gradient("L").resize((400, 300))
    image = Image.merge("RGB", (ramp, ramp.transpose(Image.Transpose.ROTATE_90).resize((400, 300)), Image.new("L", (400, 300), 120)))
    draw = ImageDraw.Draw(image)
    draw.ellipse([120, 60, 280, 240], fill=(230, 190, 150), outline=(40, 30, 20), width=4)
    draw.rectangle([20, 200, 110, 290], fill=(30, 60, 160))
    draw.polygon([(300, 40), (380, 150), (320, 260)], fill=(200, 40, 60))
    return image


def video_frames(data):
    """(stream, frame count, first frame, last frame) of an MP4."""
    container = av.open(io.BytesIO(data))
    stream = container.streams.video[0]
    count, first, last = 0, None, None
    for frame in container.decode(video=0):
        count += 1
        first = first or frame.to_image()
        last = frame
    return stream, count, first, last.to_image()


# -- text ------------------------------------------------------------------------------------


def paragraphs(text):
    return [p for p in text.strip().split("\n\n") if p.strip()]


def sentences(text):
    return re.findall(r"[^.!?]+[.!?]+(?=\s|$)", text.strip())


def test_text_streams_small_chunks_then_exactly_one_usage(adapter):
    items = draft(adapter, "character", field="profile")

    assert isinstance(items[-1], Usage)
    assert not any(isinstance(item, Usage) for item in items[:-1])
    chunks = items[:-1]
    assert len(chunks) > 10 and all(isinstance(c, str) and c for c in chunks)
    assert max(len(c) for c in chunks) < 200
    words = len(text_of(items).split())
    assert items[-1].output_tokens == pytest.approx(words * 4 / 3, abs=1)
    assert items[-1].input_tokens > 10 and items[-1].request_id.startswith("local-")


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize(("section", "field"), FIELDS)
def test_a_draft_is_only_the_fields_text(adapter, section, field, language):
    """No label, no prompt, no canon, no footer, no headings, no Markdown: what the field will hold."""
    text = text_of(draft(adapter, section, field=field, direction="Make it vivid, 3 paragraphs", language=language))

    assert text.strip()
    for never in NEVER + ["Make it vivid"]:
        assert never not in text, never
    assert not re.search(r"^\s*(#|>|- )", text, re.M)
    assert text == text_of(draft(adapter, section, field=field, direction="Make it vivid, 3 paragraphs",
                                 language=language))


def test_the_offline_label_is_for_the_panel(adapter):
    assert offline_label("en") == OFFLINE_LABEL == "Offline draft — written without an AI service"
    assert offline_label("id") == offline_label("id-ID") == "Draf offline — ditulis tanpa layanan AI"
    assert offline_label(None) == offline_label("fr") == OFFLINE_LABEL


@pytest.mark.parametrize(("direction", "language", "count"), [
    ("3 paragraphs", "en", 3), ("Write it in 2 paragraphs please", "en", 2), ("five short paragraphs", "en", 5),
    ("one paragraph", "en", 1), ("3 paragraf", "id", 3), ("tulis dalam dua paragraf", "id", 2),
    ("empat paragraf pendek", "id", 4), ("satu paragraf saja", "id", 1),
])
@pytest.mark.parametrize(("section", "field"), [("synopsis", "synopsis"), ("character", "backstory"),
                                                ("world", "setting"), ("location", "description"),
                                                ("story", "premise"), ("scene", "description")])
def test_the_paragraph_count_asked_for_is_obeyed(adapter, section, field, direction, language, count):
    text = text_of(draft(adapter, section, field=field, direction=direction, language=language))

    assert len(paragraphs(text)) == count
    assert all(len(sentences(p)) >= 1 for p in paragraphs(text))


@pytest.mark.parametrize(("direction", "language", "count"), [
    ("2 sentences", "en", 2), ("just one sentence", "en", 1), ("in four sentences", "en", 4),
    ("dua kalimat", "id", 2), ("5 kalimat", "id", 5),
])
@pytest.mark.parametrize(("section", "field"), [("synopsis", "synopsis"), ("character", "motivation"),
                                                ("world", "history")])
def test_the_sentence_count_asked_for_is_obeyed(adapter, section, field, direction, language, count):
    text = text_of(draft(adapter, section, field=field, direction=direction, language=language))

    assert len(paragraphs(text)) == 1
    assert len(sentences(text)) == count


@pytest.mark.parametrize(("direction", "language"), [("about 100 words", "en"), ("100 kata", "id")])
@pytest.mark.parametrize(("section", "field"), [("synopsis", "synopsis"), ("location", "description"),
                                                ("character", "backstory")])
def test_a_word_count_is_met_closely_in_whole_sentences(adapter, section, field, direction, language):
    text = text_of(draft(adapter, section, field=field, direction=direction, language=language))

    assert 80 <= len(text.split()) <= 120
    assert text.rstrip().endswith(".")


def test_without_a_length_each_kind_has_its_own(adapter):
    def count(section, field):
        return len(paragraphs(text_of(draft(adapter, section, field=field))))

    assert count("synopsis", "synopsis") == 4
    assert count("story", "premise") == 2
    assert count("character", "appearance") == 1
    assert count("character", "profile") == 4


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize(("section", "field"), FIELDS)
def test_the_bibles_names_are_in_the_draft(adapter, section, field, language):
    text = text_of(draft(adapter, section, field=field, language=language))

    key = field if field in NAMES else section
    for name in NAMES[key]:
        assert name in text, name


@pytest.mark.parametrize("language", ["en", "id"])
def test_a_logline_is_one_sentence_whatever_was_asked(adapter, language):
    for direction in ("", "3 paragraphs", "make it punchy"):
        text = text_of(draft(adapter, "story", field="logline", direction=direction, language=language))
        assert len(sentences(text)) == 1 and len(paragraphs(text)) == 1
        assert len(text.strip()) <= 280  # the logline field holds 300 characters
        assert "Lintang" in text and "Bayu" in text


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize(("section", "field"), PROSE)
def test_each_prose_field_reads_as_sentences(adapter, section, field, language):
    text = text_of(draft(adapter, section, field=field, language=language))

    for paragraph in paragraphs(text):
        assert paragraph[0].isupper() and paragraph.rstrip()[-1] in ".!?"
        assert len(sentences(paragraph)) >= 1
    assert len(sentences(text)) >= 3
    assert " ." not in text and " ," not in text and ".." not in text


def test_fields_read_as_what_they_are(adapter):
    def text(section, field, **kwargs):
        return text_of(draft(adapter, section, field=field, **kwargs))

    assert "Lintang grew up" in text("character", "backstory")
    assert "wears patched indigo sarong" in text("character", "appearance")
    assert "The brave side of Lintang" in text("character", "personality")
    assert text("story", "premise").startswith("Layang-Layang is ")
    assert text("synopsis", "synopsis").startswith("Layang-Layang opens on Lintang at Kite Market")
    assert "closing image" in text("synopsis", "synopsis")  # three paragraphs or four: the ending is kept
    assert "closing image" in text("synopsis", "synopsis", direction="2 paragraphs")
    assert text("location", "description").startswith("Kite Market is ")
    assert text("world", "setting").startswith("The world of Layang-Layang is ")
    assert text("beats", "description").startswith("A ") or "turns up" in text("beats", "description")
    assert "This is the Catalyst of the story" in text("scene", "description")


def test_script_is_in_screenplay_form(adapter):
    text = text_of(draft(adapter, "script", field="script"))

    assert re.search(r"^(INT|EXT)\. .+ - (DAY|NIGHT|DUSK|MORNING)$", text, re.M)
    assert text.startswith("INT. LINTANG'S WORKSHOP - NIGHT\n")  # the slugline first: no title above it
    assert re.search(r"^ {20,}LINTANG$", text, re.M)  # a character cue
    assert re.search(r"^ {10}\S", text, re.M)  # dialogue under it
    assert "(tense)" in text


@pytest.mark.parametrize(("direction", "count"), [("Three ideas for a twist", 3), ("5 ideas", 5), ("", 3),
                                                  ("dua ide untuk babak kedua", 2)])
def test_the_free_prompt_answers_with_a_numbered_list_of_ideas(adapter, direction, count):
    text = text_of(draft(adapter, "free", field="text", direction=direction))

    assert re.findall(r"^(\d+)\. \S", text, re.M) == [str(i) for i in range(1, count + 1)]


def test_same_input_gives_the_same_draft_and_other_input_another(adapter):
    first, again = text_of(draft(adapter, "character", field="backstory")), text_of(draft(adapter, "character",
                                                                                             field="backstory"))
    other = text_of(draft(adapter, "character", field="backstory", subject={**SUBJECTS["character"], "name": "Bayu"}))

    assert first == again
    assert other != first and "Bayu" in other


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize(("section", "field"), FIELDS + [("unknown-section", "")])
def test_missing_fields_never_show_none(adapter, section, field, language):
    empty_subject = {"name": None, "role": "", "age": None, "personality": [None, ""], "characters": [None],
                     "location": None, "mood": "None", "traits": None}
    for project, subject in [({}, {}), ({"title": None, "genre": None, "logline": "", "characters": [None]},
                                        empty_subject)]:
        text = text_of(draft(adapter, section, field=field, project=project, subject=subject, language=language))
        assert text.strip()
        assert "None" not in text and "null" not in text and "{" not in text
        assert " ." not in text and " ," not in text


def test_text_without_any_context_is_still_a_draft(adapter):
    items = list(adapter.generate_text("m", TextRequest(prompt="Ideas for a heist comic")))

    assert re.match(r"1\. \S", text_of(items))
    assert "Ideas for a heist comic" not in text_of(items)
    assert isinstance(items[-1], Usage)


def test_max_tokens_shortens_the_draft_at_a_sentence(adapter):
    text = text_of(draft(adapter, "synopsis", field="synopsis", max_tokens=80))

    assert len(text.split()) <= 80 * 0.75
    assert text.rstrip().endswith(".") and "Shortened" not in text


# -- text in Bahasa Indonesia --------------------------------------------------------------------

ID = PHRASEBOOK["id"]
# What the Indonesian studio sends: genre and format as the translated choice labels.
PROJECT_ID = {
    "title": "Layang-Layang", "genre": "Fantasi", "tone": "ceria", "format": "Komik", "audience": "remaja",
    "logline": "Seorang gadis pembuat layang-layang harus menerbangkan layang-layang badai demi pulaunya yang hanyut.",
    "characters": [{"name": "Lintang", "role": "protagonist"}, {"name": "Bayu", "role": "antagonist"}],
    "locations": ["Pasar Layang-Layang", "Tebing Badai"],
}
SUBJECTS_ID = {
    "character": {"name": "Lintang", "role": "protagonist", "age": "14", "appearance": "mungil, kulitnya legam",
                  "clothing": "sarung nila penuh tambalan", "personality": "berani, penasaran dan keras kepala",
                  "backstory": "ayahnya menghilang saat menerbangkan layang-layang badai pertama",
                  "motivation": "menemukan ayahnya"},
    "script": {"title": "Layang-Layang Badai", "beat": "Katalis", "location": "bengkel Lintang",
               "characters": ["Lintang", {"name": "Bayu"}], "mood": "tegang"},
    "scene": {"title": "Layang-Layang Badai", "beat": "Katalis", "location": "pelabuhan di tebing",
              "characters": ["Lintang"]},
    "world": {}, "location": {"name": "Pasar Layang-Layang"}, "beats": {"title": "Katalis"}, "story": {},
    "synopsis": {}, "free": {},
}
# Words of the English phrasebook that must not survive in an Indonesian draft (whole words, case as written).
ENGLISH_LEFTOVERS = [
    "Offline draft", "Your direction", "grew up", "wears", "The world of", "opens on", "closing image", "Catalyst",
    "the rival", "the ally", "the hero", "HERO", "DAY", "NIGHT", "DUSK", "MORNING", "a beat", "quietly",
    "this story", "this character",
]
# English function words: with Indonesian bible data, none of these may appear at all.
ENGLISH_WORDS = re.compile(r"\b(the|and|with|of|to|is|in|at|for|or|a|an|who|what|when|your)\b")


def english_leftovers(text, creator_data=()):
    """Phrasebook words found in `text`, leaving out those the creator wrote themselves."""
    own = " ".join(str(v) for v in creator_data)
    return [w for w in ENGLISH_LEFTOVERS
            if re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", text) and w not in own]


def draft_id(adapter, section, field="", **kwargs):
    kwargs = {"project": PROJECT_ID, "subject": SUBJECTS_ID.get(section, {}), "direction": "Buat lebih hidup",
              **kwargs}
    return draft(adapter, section, field=field, language="id", **kwargs)


@pytest.mark.parametrize(("section", "field"), FIELDS)
def test_indonesian_draft_is_named_deterministic_and_indonesian(adapter, section, field):
    text = text_of(draft_id(adapter, section, field))

    assert "Lintang" in text.title() or "Pasar Layang-Layang" in text
    assert english_leftovers(text) == []
    assert text == text_of(draft_id(adapter, section, field))


@pytest.mark.parametrize(("section", "field"), FIELDS)
def test_indonesian_draft_from_an_english_bible_still_has_indonesian_phrasing(adapter, section, field):
    """The creator's data may be in English; only that data stays English."""
    text = text_of(draft(adapter, section, field=field, language="id"))

    assert english_leftovers(text, [PROJECT, SUBJECTS[section]]) == []
    for name in ("Lintang", "Layang-Layang", "Kite Market", "Bayu"):
        if name in text_of(draft(adapter, section, field=field)):
            assert name in text


@pytest.mark.parametrize(("section", "field"), FIELDS + [("unknown-section", "")])
@pytest.mark.parametrize("data", ["full", "empty"])
def test_indonesian_draft_has_no_english_phrasing_at_all(adapter, section, field, data):
    project, subject = (PROJECT_ID, SUBJECTS_ID.get(section, {})) if data == "full" else ({}, {})
    text = text_of(draft(adapter, section, field=field, language="id", project=project, subject=subject))

    assert ENGLISH_WORDS.findall(text) == []
    assert english_leftovers(text) == []


def test_indonesian_character_reads_naturally(adapter):
    def text(field):
        return text_of(draft_id(adapter, "character", field))

    assert text("personality").startswith("Lintang adalah protagonis dalam Layang-Layang, komik fantasi bernuansa ceria.")
    assert "Sisi berani dalam diri Lintang" in text("personality")  # "dan" splits the traits
    assert "Lintang biasanya mengenakan sarung nila penuh tambalan." in text("appearance")
    assert text("backstory").startswith("Lintang tumbuh besar di dekat Pasar Layang-Layang")


def test_indonesian_synopsis_follows_the_story_in_three_paragraphs(adapter):
    text = text_of(draft_id(adapter, "synopsis", "synopsis", direction="Tulis tiga paragraf"))

    assert len(paragraphs(text)) == 3
    assert text.startswith("Layang-Layang dibuka dengan Lintang di Pasar Layang-Layang")
    assert "Bayu" in text and "Gambar penutup" in text


def test_indonesian_script_keeps_sluglines_and_writes_the_rest_in_indonesian(adapter):
    text = text_of(draft_id(adapter, "script", "script"))

    assert text.startswith("INT. BENGKEL LINTANG - MALAM\n")  # "tegang" is a night mood; bengkel is inside
    assert "Bengkel Lintang." in text  # the creator's capitals survive in the action line
    assert re.search(r"^ {20,}LINTANG$", text, re.M) and re.search(r"^ {20,}BAYU$", text, re.M)
    assert "(tegang)" in text and "(jeda)" in text and "(pelan)" in text
    assert re.search(r"^ {10}\S", text, re.M)
    assert re.search(r"^ {40,}(CUT TO:|SMASH CUT TO:|FADE OUT\.)$", text, re.M)


@pytest.mark.parametrize("location", ["pasar malam", "rumah Bayu", "EXT. alun-alun", "ruang terbuka di tepi sungai", None])
def test_indonesian_script_slugline_times_are_indonesian(adapter, location):
    subject = {"title": "Pasar", "characters": ["Sari"], "location": location, "mood": "hangat"}
    text = text_of(draft(adapter, "script", field="script", language="id", project={}, subject=subject))

    slug = re.search(r"^(INT|EXT)\. (.+) - (SIANG|SENJA|MALAM|PAGI)$", text, re.M)
    assert slug
    if location:
        expected = "INT" if location == "rumah Bayu" else "EXT"
        assert slug.group(1) == expected
    assert re.search(r"^ {20,}SARI$", text, re.M)


def test_indonesian_beat_uses_the_note_of_a_beat_named_in_either_language(adapter):
    for title in ("Katalis", "Catalyst"):
        text = text_of(draft_id(adapter, "beats", "description", subject={"title": title}))
        assert "dunia sehari-hari tak bisa lagi berjalan seperti biasa" in text


@pytest.mark.parametrize(("genre", "label"), [
    ("Fantasi", "fantasi"), ("Cerita rakyat & mitos", "fantasi"), ("Fiksi ilmiah", "fiksi ilmiah"), ("Horor", "horor"),
    ("Misteri", "misteri"), ("Romansa", "romansa"), ("Komedi", "komedi"), ("Petualangan", "petualangan"),
    ("Aksi", "petualangan"), ("Slice of life", "keseharian"), ("Drama", "cerita"),
])
def test_indonesian_genre_labels_are_recognised(adapter, genre, label):
    text = text_of(draft(adapter, "world", field="setting", language="id", project={"genre": genre, "tone": "kelam"},
                         subject={}))

    assert f"dunia {label} yang kelam, tempat " in text


@pytest.mark.parametrize("language", [None, "en", "fr", "", "EN", 7])
def test_any_other_or_missing_language_stays_english(adapter, language):
    text = text_of(draft(adapter, "synopsis", field="synopsis", language=language))
    assert text.startswith("Layang-Layang opens on Lintang")


@pytest.mark.parametrize("language", ["id", "ID", "id-ID", "id_ID"])
def test_indonesian_language_codes(adapter, language):
    assert text_of(draft(adapter, "synopsis", field="synopsis", language=language)).startswith(
        "Layang-Layang dibuka dengan Lintang")


def test_phrasebooks_have_the_same_shape():
    from string import Formatter

    en, indonesian = PHRASEBOOK["en"], PHRASEBOOK["id"]

    def shape(value):
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            assert value, "empty phrase list"
            return type(value).__name__ + str(len(value) if isinstance(value, list) and value
                                              and isinstance(value[0], str) and "{" in value[0] else "")
        return "callable" if callable(value) else type(value).__name__

    assert shape(indonesian) == shape(en)

    def fields(template):
        return {name.lower() for _, name, _, _ in Formatter().parse(template) if name}

    # Each Indonesian sentence names only values the English one can name (writers.FieldDraft fills both).
    for key, value in en["prose"].items():
        for en_line, id_line in zip(*[v if isinstance(v, list) else [v] for v in (value, indonesian["prose"][key])],
                                    strict=True):
            assert fields(id_line) <= fields(en_line) | {"story", "mood"}, (key, id_line)

# -- images ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1024, 1024), (768, 1024)])
def test_text_to_image_is_a_png_of_the_exact_size(adapter, size):
    result = adapter.generate_image("offline-image", ImageRequest(
        prompt="Lintang, a brave kite-maker girl in a floating archipelago", width=size[0], height=size[1],
        subject={"name": "Lintang", "traits": ["brave", "kite-maker", "curious"]},
    ))

    assert decode(result).size == size
    assert (result.width, result.height) == size
    assert result.request_id.startswith("local-")


def test_text_to_image_is_deterministic_per_prompt(adapter):
    def make(prompt):
        return adapter.generate_image("m", ImageRequest(prompt=prompt, width=256, height=256))

    first, again, other = make("A lantern market at dusk"), make("A lantern market at dusk"), make("A drowned city")

    assert first.data == again.data
    assert mean_difference(decode(first), decode(other)) > 10


@pytest.mark.parametrize("style", STYLES)
def test_each_style_transforms_the_reference(adapter, style):
    reference = reference_image()
    result = adapter.generate_image("m", ImageRequest(
        prompt="restyle", references=[png(reference)], style=style, strength=1.0, width=320, height=240,
    ))

    image = decode(result)
    assert image.size == (320, 240)
    assert mean_difference(image, cover(reference, 320, 240)) > 8


def test_strength_blends_between_reference_and_style(adapter):
    reference = reference_image()
    plain = cover(reference, 320, 240)

    def at(strength):
        return decode(adapter.generate_image("m", ImageRequest(
            prompt="x", references=[png(reference)], style="cartoon", strength=strength, width=320, height=240)))

    assert mean_difference(at(0.0), plain) < 1
    assert mean_difference(at(0.3), plain) < mean_difference(at(1.0), plain)


def test_reference_is_cover_fitted_to_the_requested_size(adapter):
    result = adapter.generate_image("m", ImageRequest(
        prompt="x", references=[png(reference_image())], style="sketch", width=200, height=360))

    assert decode(result).size == (200, 360)


def test_several_references_are_composited_side_by_side(adapter):
    colours = [(220, 30, 30), (30, 200, 60), (40, 60, 220)]
    references = [png(Image.new("RGB", (300, 400), colour)) for colour in colours]

    image = decode(adapter.generate_image("m", ImageRequest(
        prompt="the crew", references=references, style="", width=900, height=300)))

    assert image.size == (900, 300)
    for index, colour in enumerate(colours):
        sample = image.getpixel((150 + 300 * index, 150))
        assert max(range(3), key=lambda channel: sample[channel]) == max(range(3), key=lambda channel: colour[channel])
        assert max(sample) > 150


def test_four_or_more_references_make_a_grid(adapter):
    colours = [(220, 30, 30), (30, 200, 60), (40, 60, 220), (230, 220, 40)]
    references = [png(Image.new("RGB", (64, 64), colour)) for colour in colours]

    image = decode(adapter.generate_image("m", ImageRequest(
        prompt="grid", references=references, style="realistic", strength=0.0, width=400, height=400)))

    for (x, y), colour in zip([(100, 100), (300, 100), (100, 300), (300, 300)], colours, strict=True):
        assert mean_difference(Image.new("RGB", (1, 1), image.getpixel((x, y))), Image.new("RGB", (1, 1), colour)) < 3


@pytest.mark.parametrize("data", [b"", b"not an image", png(Image.new("RGB", (8, 8)))[:30]])
def test_unreadable_reference_is_a_permanent_error(adapter, data):
    with pytest.raises(ProviderError) as caught:
        adapter.generate_image("m", ImageRequest(prompt="x", references=[data], width=64, height=64))

    assert caught.value.permanent
    assert caught.value.user_message == "The reference image could not be read."


def test_oversized_reference_is_refused_before_decoding(adapter):
    huge = io.BytesIO()
    Image.new("1", (8000, 6000)).save(huge, "PNG")  # 48 MP, a few kilobytes on disk

    with pytest.raises(ProviderError) as caught:
        adapter.generate_image("m", ImageRequest(prompt="x", references=[huge.getvalue()], width=64, height=64))

    assert caught.value.permanent and "too large" in caught.value.user_message


@pytest.mark.parametrize("size", [(0, 100), (5000, 100), ("wide", 100)])
def test_unsupported_image_size_is_a_permanent_error(adapter, size):
    with pytest.raises(ProviderError) as caught:
        adapter.generate_image("m", ImageRequest(prompt="x", width=size[0], height=size[1]))

    assert caught.value.permanent


# -- video -----------------------------------------------------------------------------------


@pytest.mark.parametrize("motion", ["zoom_in", "zoom_out", "pan_left", "pan_right", "spin"])
def test_video_is_h264_of_the_requested_size_and_length_and_moves(adapter, motion):
    source = png(reference_image())

    job = adapter.start_video("offline-video", VideoRequest(image=source, duration=2, motion=motion, width=320, height=180))

    assert job.status == "succeeded" and job.progress == 100 and job.mime == "video/mp4"
    assert job.job_id.startswith("local-") and job.duration == pytest.approx(2.0)
    stream, count, first, last = video_frames(job.data)
    assert stream.codec_context.name == "h264"
    assert (stream.width, stream.height) == (320, 180)
    assert abs(count - 48) <= 1
    assert mean_difference(first.convert("RGB"), last.convert("RGB")) > 2


def test_three_second_video_lasts_three_seconds(adapter):
    job = adapter.start_video("m", VideoRequest(image=png(reference_image()), duration=3, width=320, height=180))

    stream, count, _first, _last = video_frames(job.data)
    assert abs(count - 72) <= 1
    assert float(stream.duration * stream.time_base) == pytest.approx(3.0, abs=1 / 24)


def test_five_second_720p_video(adapter):
    job = adapter.start_video("m", VideoRequest(image=png(reference_image()), duration=5, motion="zoom_out"))

    stream, count, first, last = video_frames(job.data)
    assert stream.codec_context.name == "h264" and stream.codec_context.pix_fmt == "yuv420p"
    assert (stream.width, stream.height) == (1280, 720)
    assert abs(count - 120) <= 1
    assert first.size == (1280, 720) and mean_difference(first, last) > 2
    assert float(stream.duration * stream.time_base) == pytest.approx(5.0, abs=1 / 24)


@pytest.mark.parametrize("duration", [0, 11, 2.5, "5", None, True])
def test_bad_duration_is_a_permanent_error(adapter, duration):
    with pytest.raises(ProviderError) as caught:
        adapter.start_video("m", VideoRequest(image=png(reference_image()), duration=duration, width=320, height=180))

    assert caught.value.permanent


@pytest.mark.parametrize("size", [(321, 180), (320, 181), (2560, 1440), (0, 0)])
def test_bad_video_size_is_a_permanent_error(adapter, size):
    with pytest.raises(ProviderError) as caught:
        adapter.start_video("m", VideoRequest(image=png(reference_image()), duration=1, width=size[0], height=size[1]))

    assert caught.value.permanent


def test_bad_video_source_is_a_permanent_error(adapter):
    with pytest.raises(ProviderError) as caught:
        adapter.start_video("m", VideoRequest(image=b"\x00" * 100, duration=1, width=320, height=180))

    assert caught.value.permanent


def test_polling_explains_that_local_videos_come_back_at_once(adapter):
    job = adapter.poll_video("m", "local-abc")

    assert job.job_id == "local-abc" and job.status == "failed"
    assert job.error.permanent


def test_connection_needs_no_network(adapter):
    assert adapter.test_connection() == "Offline provider ready (no network needed)"
