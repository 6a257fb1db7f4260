"""The offline provider: drafts, images and videos made on this machine, no network."""

import io
import re

import av
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from aiproviders.adapters.base import ImageRequest, ProviderConfig, ProviderError, TextRequest, Usage, VideoRequest
from aiproviders.adapters.local import OFFLINE_LABEL, LocalAdapter, cover

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


def draft(adapter, section, *, prompt="Make it vivid", project=PROJECT, subject=None, max_tokens=1024):
    items = list(adapter.generate_text("offline-writer", TextRequest(
        prompt=prompt, max_tokens=max_tokens,
        context={"section": section, "project": project, "subject": SUBJECTS.get(section, {}) if subject is None else subject},
    )))
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
