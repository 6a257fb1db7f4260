"""The offline provider: drafts, images and videos made on this machine, no network."""

import io
import re

import av
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from aiproviders.adapters.base import ImageRequest, ProviderConfig, ProviderError, TextRequest, Usage, VideoRequest
from aiproviders.adapters.local import OFFLINE_LABEL, PHRASEBOOK, LocalAdapter, cover

PROJECT = {
    "title": "Layang-Layang", "logline": "A kite-maker girl must fly the storm kite to save her drifting island.",
    "genre": "fantasy adventure", "tone": "whimsical", "format": "webtoon", "audience": "teens",
}
SUBJECTS = {
    "character": {"name": "Lintang", "role": "protagonist", "age": 14, "appearance": "small, sun-browned",
                  "clothing": "patched indigo sarong", "personality": "brave, curious, stubborn",
                  "backstory": "her father vanished flying the first storm kite", "motivation": "find her father"},
    "script": {"title": "The Storm Kite", "beat": "Catalyst", "location": "Lintang's workshop",
               "characters": ["Lintang", {"name": "Bayu"}], "mood": "tense"},
    "scene": {"title": "The Storm Kite", "beat": "Catalyst", "location": "the cliff harbour", "characters": ["Lintang"]},
    "world": {"name": "The Drifting Isles"},
    "location": {"name": "Kite Market", "features": "rope bridges; paper lanterns"},
    "beats": {}, "story": {}, "synopsis": {}, "free": {},
}
STRUCTURE = {
    "character": ["## Appearance", "## Personality", "## Backstory", "## Motivation", "## Story hooks", "Lintang"],
    "script": ["```", "LINTANG", "BAYU", "INT. LINTANG'S WORKSHOP"],
    "beats": ["Act One", "Catalyst", "Midpoint", "All Is Lost", "Final Image"],
    "story": ["## Logline", "## Premise", "## Theme", "## Central conflict"],
    "synopsis": ["## Beginning", "## Middle", "## End"],
    "world": ["The Drifting Isles", "## Rules of the world", "## Peoples and factions"],
    "location": ["Kite Market", "## Look and feel", "Rope bridges", "## Scene ideas"],
    "scene": ["The Storm Kite", "## Beat by beat", "Lintang"],
    "free": ["## Ideas to start from", "## Questions to decide"],
}
STYLES = ["cartoon", "anime", "sketch", "cinematic", "realistic", "", "chibi", "cute", "posterise"]


@pytest.fixture
def adapter():
    return LocalAdapter(ProviderConfig(kind="local"))


def draft(adapter, section, *, prompt="Make it vivid", project=PROJECT, subject=None, max_tokens=1024, language=None):
    context = {"section": section, "project": project, "subject": SUBJECTS.get(section, {}) if subject is None else subject}
    if language is not None:
        context["language"] = language
    items = list(adapter.generate_text("offline-writer", TextRequest(prompt=prompt, max_tokens=max_tokens, context=context)))
    return items


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


def test_text_streams_small_chunks_then_exactly_one_usage(adapter):
    items = draft(adapter, "character")

    assert isinstance(items[-1], Usage)
    assert not any(isinstance(item, Usage) for item in items[:-1])
    chunks = items[:-1]
    assert len(chunks) > 10 and all(isinstance(c, str) and c for c in chunks)
    assert max(len(c) for c in chunks) < 200
    words = len(text_of(items).split())
    assert items[-1].output_tokens == pytest.approx(words * 4 / 3, abs=1)
    assert items[-1].input_tokens > 10 and items[-1].request_id.startswith("local-")


def test_text_is_labelled_offline_and_uses_the_bible(adapter):
    text = text_of(draft(adapter, "character"))

    assert text.startswith(OFFLINE_LABEL + "\n")
    assert "# Lintang" in text and "Layang-Layang" in text
    assert "patched indigo sarong" in text and "Her father vanished" in text
    assert "Make it vivid" in text


@pytest.mark.parametrize("section", list(STRUCTURE))
def test_each_section_has_its_own_structure(adapter, section):
    text = text_of(draft(adapter, section))

    assert text.startswith(OFFLINE_LABEL)
    for marker in STRUCTURE[section]:
        assert marker in text, marker


def test_script_is_in_screenplay_form(adapter):
    text = text_of(draft(adapter, "script"))

    assert re.search(r"^(INT|EXT)\. .+ - (DAY|NIGHT|DUSK|MORNING)$", text, re.M)
    assert re.search(r"^ {20,}LINTANG$", text, re.M)  # a character cue
    assert re.search(r"^ {10}\S", text, re.M)  # dialogue under it
    assert "(tense)" in text


def test_same_input_gives_the_same_draft_and_other_input_another(adapter):
    first, again = text_of(draft(adapter, "character")), text_of(draft(adapter, "character"))
    other = text_of(draft(adapter, "character", subject={**SUBJECTS["character"], "name": "Bayu"}))

    assert first == again
    assert other != first and "Bayu" in other


@pytest.mark.parametrize("section", list(STRUCTURE) + ["unknown-section"])
def test_missing_fields_never_show_none(adapter, section):
    empty_subject = {"name": None, "role": "", "age": None, "personality": [None, ""], "characters": [None],
                     "location": None, "mood": "None", "traits": None}
    for project, subject in [({}, {}), ({"title": None, "genre": None, "logline": ""}, empty_subject)]:
        text = text_of(draft(adapter, section, prompt="", project=project, subject=subject))
        assert text.startswith(OFFLINE_LABEL)
        assert "None" not in text and "null" not in text and "{" not in text
        assert " ." not in text and " ," not in text


def test_text_without_any_context_is_still_a_draft(adapter):
    items = list(adapter.generate_text("m", TextRequest(prompt="Ideas for a heist comic")))

    assert text_of(items).startswith(OFFLINE_LABEL)
    assert "Ideas for a heist comic" in text_of(items)
    assert isinstance(items[-1], Usage)


def test_max_tokens_shortens_the_draft(adapter):
    text = text_of(draft(adapter, "beats", max_tokens=80))

    assert len(text.split()) <= 80 * 0.75 + 8
    assert text.startswith(OFFLINE_LABEL) and "length limit" in text


# -- text in Bahasa Indonesia --------------------------------------------------------------------

ID = PHRASEBOOK["id"]
# What the Indonesian studio sends: genre and format as the translated choice labels.
PROJECT_ID = {
    "title": "Layang-Layang", "genre": "Fantasi", "tone": "ceria", "format": "Komik", "audience": "remaja",
    "logline": "Seorang gadis pembuat layang-layang harus menerbangkan layang-layang badai demi pulaunya yang hanyut.",
}
SUBJECTS_ID = {
    "character": {"name": "Lintang", "role": "protagonist", "age": "14", "appearance": "mungil, kulitnya legam",
                  "clothing": "sarung nila penuh tambalan", "personality": "berani, penasaran dan keras kepala",
                  "backstory": "ayahnya menghilang saat menerbangkan layang-layang badai pertama",
                  "motivation": "menemukan ayahnya"},
    "script": {"title": "Layang-Layang Badai", "beat": "Katalis", "location": "bengkel Lintang",
               "characters": ["Lintang", {"name": "Bayu"}], "mood": "tegang"},
    "scene": {"title": "Layang-Layang Badai", "beat": "Katalis", "location": "pelabuhan di tebing", "characters": ["Lintang"]},
    "world": {"name": "Kepulauan Hanyut", "factions": "serikat pembuat layang-layang; bajak laut angin"},
    "location": {"name": "Pasar Layang-Layang", "features": "jembatan tali; lentera kertas"},
    "beats": {}, "story": {}, "synopsis": {}, "free": {},
}
# The subject or project name each section must carry into the draft.
NAMES_ID = {"character": "Lintang", "script": "LINTANG", "scene": "Layang-Layang Badai", "world": "Kepulauan Hanyut",
            "location": "Pasar Layang-Layang", "beats": "Layang-Layang", "story": "Layang-Layang",
            "synopsis": "Layang-Layang", "free": "Layang-Layang"}
# Words of the English phrasebook that must not survive in an Indonesian draft (whole words, case as written).
ENGLISH_LEFTOVERS = [
    "Offline draft", "Assembled offline", "Your direction", "At a glance", "Appearance", "Personality", "Backstory",
    "Motivation", "Story hooks", "Design notes", "Signature colour", "Silhouette", "Flaw", "Voice", "Wants", "Needs",
    "Fears", "Stakes", "Premise", "Theme", "Tone and style", "Central conflict", "Story engine", "Open questions",
    "Synopsis", "Beginning", "Middle", "To refine", "Beat sheet", "Act One", "Act Two", "Act Three", "Opening Image",
    "Catalyst", "Debate", "Midpoint", "All Is Lost", "Dark Night of the Soul", "Finale", "Final Image", "Overview",
    "Rules of the world", "Peoples and factions", "History", "Everyday life", "Look and feel", "Notable features",
    "Story function", "Scene ideas", "Art direction", "Summary", "Purpose", "Setting", "Characters", "Beat by beat",
    "Mood", "Camera", "Sound", "Ideas to start from", "From your bible", "Questions to decide", "script draft",
    "DAY", "NIGHT", "DUSK", "MORNING", "a beat", "quietly", "Shortened", "the hero", "HERO",
]
# English function words: with Indonesian bible data, none of these may appear at all.
ENGLISH_WORDS = re.compile(r"\b(the|and|with|of|to|is|in|at|for|or|a|an|who|what|when|your)\b")


def english_leftovers(text, creator_data=()):
    """Phrasebook words found in `text`, leaving out those the creator wrote themselves."""
    own = " ".join(str(v) for v in creator_data)
    return [w for w in ENGLISH_LEFTOVERS
            if re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", text) and w not in own]


def draft_id(adapter, section, **kwargs):
    kwargs = {"project": PROJECT_ID, "subject": SUBJECTS_ID.get(section, {}), "prompt": "Buat lebih hidup", **kwargs}
    return draft(adapter, section, language="id", **kwargs)


@pytest.mark.parametrize("section", list(STRUCTURE))
def test_indonesian_draft_is_labelled_named_and_deterministic(adapter, section):
    text = text_of(draft_id(adapter, section))

    assert text.startswith(ID["label"] + "\n") and text.startswith("[")
    assert NAMES_ID[section] in text
    assert "Buat lebih hidup" in text and ID["footer"] in text
    assert english_leftovers(text) == []
    assert text == text_of(draft_id(adapter, section))


@pytest.mark.parametrize("section", list(STRUCTURE))
def test_indonesian_draft_from_an_english_bible_still_has_indonesian_phrasing(adapter, section):
    """The creator's data may be in English; only that data stays English."""
    text = text_of(draft(adapter, section, language="id"))

    assert text.startswith(ID["label"])
    assert english_leftovers(text, [PROJECT, SUBJECTS[section]]) == []
    for name in ("Lintang", "Layang-Layang", "The Drifting Isles", "Kite Market", "The Storm Kite"):
        if name in text_of(draft(adapter, section)):
            assert name in text


@pytest.mark.parametrize("section", list(STRUCTURE) + ["unknown-section"])
@pytest.mark.parametrize("data", ["full", "empty"])
def test_indonesian_draft_has_no_english_phrasing_at_all(adapter, section, data):
    project, subject = (PROJECT_ID, SUBJECTS_ID.get(section, {})) if data == "full" else ({}, {})
    text = text_of(draft(adapter, section, language="id", project=project, subject=subject, prompt=""))

    assert ENGLISH_WORDS.findall(text.replace("Save the Cat", "")) == []
    assert english_leftovers(text) == []


@pytest.mark.parametrize("section", list(STRUCTURE))
def test_indonesian_draft_keeps_the_english_structure(adapter, section):
    def headings(text):
        return [line.split()[0] for line in text.splitlines() if line.startswith("#")]

    english = text_of(draft(adapter, section, project=PROJECT_ID, subject=SUBJECTS_ID[section]))
    indonesian = text_of(draft_id(adapter, section, prompt="Make it vivid"))

    def cues(text):
        return re.findall(r"^ {22}(\S.*)$", text, re.M)

    assert headings(indonesian) == headings(english) and headings(english)
    assert indonesian.count("\n- ") == english.count("\n- ")
    assert re.findall(r"^\d\. ", indonesian, re.M) == re.findall(r"^\d\. ", english, re.M)
    assert indonesian.count("```") == english.count("```")
    assert cues(indonesian) == cues(english)


@pytest.mark.parametrize("section", list(STRUCTURE) + ["unknown-section"])
def test_indonesian_missing_fields_never_show_none(adapter, section):
    empty_subject = {"name": None, "role": "", "age": None, "personality": [None, ""], "characters": [None],
                     "location": None, "mood": "None", "traits": None}
    for project, subject in [({}, {}), ({"title": None, "genre": None, "logline": ""}, empty_subject)]:
        text = text_of(draft(adapter, section, prompt="", project=project, subject=subject, language="id"))
        assert text.startswith(ID["label"])
        assert "None" not in text and "null" not in text and "{" not in text
        assert " ." not in text and " ," not in text


def test_indonesian_character_reads_naturally(adapter):
    text = text_of(draft_id(adapter, "character"))

    for heading in ("## Sekilas", "## Penampilan", "## Kepribadian", "## Latar belakang", "## Motivasi",
                    "## Pemantik cerita", "## Catatan desain untuk komik"):
        assert heading in text, heading
    assert "*Protagonis · usia 14 · Layang-Layang*" in text
    assert "Lintang adalah protagonis dalam *Layang-Layang*, komik fantasi bernuansa ceria." in text
    assert "berani, penasaran, dan keras kepala" in text  # "dan" splits the traits; the Indonesian list comma
    assert "- **Pakaian:** sarung nila penuh tambalan" in text and "Ayahnya menghilang" in text
    assert "- **Keinginan (tujuan lahiriah):** menemukan ayahnya" in text


def test_indonesian_script_keeps_sluglines_and_writes_the_rest_in_indonesian(adapter):
    text = text_of(draft_id(adapter, "script"))

    assert "# Layang-Layang Badai — draf naskah" in text
    assert re.search(r"^INT\. BENGKEL LINTANG - MALAM$", text, re.M)  # "tegang" is a night mood; bengkel is inside
    assert "Bengkel Lintang." in text  # the creator's capitals survive in the action line
    assert re.search(r"^ {20,}LINTANG$", text, re.M) and re.search(r"^ {20,}BAYU$", text, re.M)
    assert "(tegang)" in text and "(jeda)" in text and "(pelan)" in text
    assert re.search(r"^ {10}\S", text, re.M)
    assert re.search(r"^ {40,}(CUT TO:|SMASH CUT TO:|FADE OUT\.)$", text, re.M)


@pytest.mark.parametrize("location", ["pasar malam", "rumah Bayu", "EXT. alun-alun", "ruang terbuka di tepi sungai", None])
def test_indonesian_script_slugline_times_are_indonesian(adapter, location):
    subject = {"title": "Pasar", "characters": ["Sari"], "location": location, "mood": "hangat"}
    text = text_of(draft(adapter, "script", language="id", project={}, subject=subject))

    slug = re.search(r"^(INT|EXT)\. (.+) - (SIANG|SENJA|MALAM|PAGI)$", text, re.M)
    assert slug
    if location:
        expected = "INT" if location == "rumah Bayu" else "EXT"
        assert slug.group(1) == expected
    assert re.search(r"^ {20,}SARI$", text, re.M)


def test_indonesian_beat_sheet_uses_indonesian_beat_names(adapter):
    text = text_of(draft_id(adapter, "beats"))

    assert "# Lembar beat — Layang-Layang" in text and "*Struktur Save the Cat, tiga babak · fantasi*" in text
    for name in ("## Babak satu — Pengenalan (0–20%)", "## Babak dua — Konfrontasi (20–80%)",
                 "## Babak tiga — Resolusi (80–100%)", "**Gambar Pembuka** (1%)", "**Katalis** (10%)",
                 "**Titik Tengah** (50%)", "**Segalanya Hilang** (75%)", "**Gambar Penutup** (99–100%)"):
        assert name in text, name
    assert "*Untuk komik, baca persentasenya" in text


@pytest.mark.parametrize(("genre", "label"), [
    ("Fantasi", "fantasi"), ("Cerita rakyat & mitos", "fantasi"), ("Fiksi ilmiah", "fiksi ilmiah"), ("Horor", "horor"),
    ("Misteri", "misteri"), ("Romansa", "romansa"), ("Komedi", "komedi"), ("Petualangan", "petualangan"),
    ("Aksi", "petualangan"), ("Slice of life", "keseharian"), ("Drama", "cerita"),
])
def test_indonesian_genre_labels_are_recognised(adapter, genre, label):
    text = text_of(draft(adapter, "world", language="id", project={"genre": genre, "tone": "kelam"}, subject={}))

    assert f"Dunia {label} yang kelam, tempat " in text


def test_indonesian_text_streams_small_chunks_then_exactly_one_usage(adapter):
    items = draft_id(adapter, "character")

    assert isinstance(items[-1], Usage) and not any(isinstance(item, Usage) for item in items[:-1])
    chunks = items[:-1]
    assert len(chunks) > 10 and all(isinstance(c, str) and c for c in chunks) and max(len(c) for c in chunks) < 200
    assert items[-1].output_tokens == pytest.approx(len(text_of(items).split()) * 4 / 3, abs=1)
    assert items[-1].request_id.startswith("local-")


@pytest.mark.parametrize("section", ["beats", "script"])
def test_indonesian_max_tokens_shortens_with_an_indonesian_note(adapter, section):
    text = text_of(draft_id(adapter, section, max_tokens=80))

    assert len(text.split()) <= 80 * 0.75 + 8
    assert text.startswith(ID["label"]) and text.rstrip().endswith("*(Dipersingkat sesuai batas panjang.)*")
    assert "Shortened" not in text and text.count("```") % 2 == 0


@pytest.mark.parametrize("language", [None, "en", "fr", "", "EN", 7])
def test_any_other_or_missing_language_stays_english(adapter, language):
    for section in STRUCTURE:
        text = text_of(draft(adapter, section, language=language))
        assert text.startswith(OFFLINE_LABEL + "\n")
        assert ID["label"] not in text and "Disusun" not in text
        for marker in STRUCTURE[section]:
            assert marker in text, (section, marker)


@pytest.mark.parametrize("language", ["id", "ID", "id-ID", "id_ID"])
def test_indonesian_language_codes(adapter, language):
    assert text_of(draft(adapter, "story", language=language)).startswith(ID["label"])


def test_english_drafts_do_not_depend_on_the_indonesian_phrasebook(adapter):
    """Same input, same English draft, whether or not "language": "en" is spelled out twice."""
    assert text_of(draft(adapter, "beats", language="en")) == text_of(draft(adapter, "beats", language="en"))
    assert text_of(draft(adapter, "beats")) == text_of(draft(adapter, "beats"))


def test_phrasebooks_have_the_same_shape():
    from string import Formatter

    en, indonesian = PHRASEBOOK["en"], PHRASEBOOK["id"]

    def shape(value):
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            assert value, "empty phrase list"
            return type(value).__name__
        return "callable" if callable(value) else type(value).__name__

    assert shape(indonesian) == shape(en)

    def fields(template):
        return {name for _, name, _, _ in Formatter().parse(template) if name}

    # Each Indonesian line needs only values the builders already pass for the English one ("Story": the
    # capitalised story noun, which English writes with an article instead).
    for key, template in en["text"].items():
        assert fields(indonesian["text"][key]) - fields(template) <= {"Story"}, key
    for beat, (_name, note) in en["beats"].items():
        assert fields(indonesian["beats"][beat][1]) <= fields(note), beat


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
