"""Every app page, read by a creator whose language is Bahasa Indonesia, shows no English: not
the templates' strings, and not what was stored earlier by code that had no reader (a worker's
progress and failure messages, a provider's error, preset and offline model names, beat
templates). The creator's own content is written in Indonesian here, so any English word left in
the visible text came from the product."""

import html
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from PIL import Image

from aiproviders.adapters import errors as provider_errors
from aiproviders.models import AIModel
from media import services as media_services
from media.models import MediaAsset
from studio import moodboards, services
from studio.generate import jobs
from studio.models import Generation
from studio.targets import target_of

from .factories import give_plan

pytestmark = pytest.mark.django_db

# Words that only an untranslated string can bring. Names (MODO Creator Verse, Google Drive, plan
# names), shared words (Studio, Model, Video, Status, Detail, Total, Offline) and the glossary's
# English-kept terms (beat, logline, moodboard, pitch bible, prompt, file, filter) are allowed.
ENGLISH = {
    "the", "and", "your", "Your", "with", "you", "You", "Please", "again", "This", "cannot", "not", "has", "was",
    "Generate", "Delete", "Save", "Cancel", "Settings", "Credits", "credits", "credit", "Jobs", "job", "jobs",
    "Project", "Projects", "Story", "Characters", "Character", "Scenes", "Scene", "Script", "World", "Gallery",
    "Failed", "Queued", "Running", "Done", "Upload", "Download", "Search", "image", "images", "Image", "Images",
    "Waiting", "worker", "provider", "declined", "rephrase", "Square", "Portrait", "Landscape", "Cinematic",
    "Realistic", "Cartoon", "Edit", "Back", "New", "Add", "Open", "Close", "Dashboard", "Subscription", "Storage",
    "Profile", "Language", "available", "reserved", "charged", "trial", "plan", "Buy", "history", "Balance",
    "Available", "Reserved", "Activity", "Order", "orders", "Showcase", "Publish", "Overview", "Cover", "Free",
    "Drawing", "Starting", "Setup", "Inciting", "Midpoint", "Climax", "Resolution", "Offline drafts",
    "studio (local)", "pan & zoom", "Details", "Generations", "generation", "generations", "interrupted",
    "Location", "Welcome", "Trial", "for", "this", "to", "changed", "cycle", "cinematic", "square", "zoom_in",
}
# Proper nouns and data that are English by nature: a book's title, time zone names, file names.
NOT_PRODUCT_TEXT = re.compile(r"Save the Cat|Hero's Journey|\S+\.(?:png|jpe?g|webp|mp4)\b|\b(?:image|video|audio)/[\w.+-]+")
TIME_ZONE_OPTION = re.compile(r"<option[^>]*>[^<]*/[^<]*</option>")
# A file's raw parameters (keys and values as the API has them), for the curious.
ALL_PARAMETERS = re.compile(r"<summary>[^<]*</summary>\s*<dl class=\"fact-list\">.*?</dl>", re.S)


# Attributes a reader sees or hears (a title may hold a style's prompt words, which go to the model).
READ_ATTRIBUTES = re.compile(r'\s(?:placeholder|aria-label|alt|hx-confirm|data-confirm)="([^"]*)"')


def visible_text(page: str) -> str:
    """The text a reader sees (and the labels a screen reader reads): no scripts, styles,
    templates for scripts, tags or entities."""
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    page = TIME_ZONE_OPTION.sub(" ", page)
    page = ALL_PARAMETERS.sub(" ", page)
    labels = READ_ATTRIBUTES.findall(page)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(" ".join([page, *labels]))).strip()


def english_in(page: str, *, data: tuple[str, ...] = ()) -> list[str]:
    """The English words of ENGLISH in the visible text, leaving out NOT_PRODUCT_TEXT and `data`."""
    text = NOT_PRODUCT_TEXT.sub(" ", visible_text(page))
    for stored in data:
        text = text.replace(stored, " ")
    found = {word for word in ENGLISH if " " in word and word in text}
    found |= {w for w in re.findall(r"[A-Za-z][A-Za-z'’]*", text) if w in ENGLISH}
    return sorted(found)


def in_context(page: str, word: str) -> str:
    text = NOT_PRODUCT_TEXT.sub(" ", visible_text(page))
    at = re.search(rf"\b{re.escape(word)}\b", text)
    return text[max(0, at.start() - 40):at.end() + 40] if at else word


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def files(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def creator(user):
    user.locale = "id"
    user.display_name = "Dewi"
    user.save(update_fields=["locale", "display_name"])
    give_plan(user, "premium")
    return user


@pytest.fixture
def bible(creator):
    """An Indonesian creator's project, built through the services in their language (the beat
    template is written in it), with a moodboard, a picture and three jobs: queued, running, failed."""
    with translation.override("id"):
        project = services.project_create(owner=creator, title="Layang-Layang Bara", genre="fantasy",
                                          logline="Seorang gadis pembuat layang-layang mengejar roh badai.",
                                          premise="Di kepulauan terapung, angin adalah mata uang.", tone="hangat")
        services.beats_apply_template(project=project, structure="three_act")
    sari = services.character_create(project=project, name="Sari", role="protagonist", personality="Berani",
                                      appearance="Rambut hitam panjang")
    bayu = services.character_create(project=project, name="Bayu", role="minor", personality="Pendiam")
    pasar = services.location_create(project=project, name="Pasar Terapung", description="Perahu-perahu berjajar")
    scene = services.scene_create(project=project, title="Badai pertama", description="Langit menggelap",
                                  location=pasar, characters=[sari, bayu])
    board = moodboards.moodboard_create(project=project, title="Senja di dermaga", characters=[sari], scene=scene,
                                        action="menerbangkan layang-layang")
    picture = media_services.asset_store(
        data=png(), mime="image/png", owner=creator, target=target_of(sari), source_type=MediaAsset.Source.GENERATED,
        generation={"model": AIModel.objects.get(model_id="local-image").display_name, "prompt": "layang-layang",
                    "credits": 1, "params": {"kind": "character_image", "style": "cinematic", "size": "square-m",
                                             "width": 768, "height": 768}})
    clip = media_services.asset_store(
        data=png(), mime="image/png", owner=creator, target=target_of(sari), source_type=MediaAsset.Source.GENERATED,
        generation={"model": AIModel.objects.get(model_id="local-video").display_name, "prompt": "",
                    "credits": 1, "params": {"kind": "animation", "motion": "zoom_in", "duration": 3}})
    queued = jobs.character_image_request(user=creator, character=sari, style="cinematic", idempotency_key="a")
    running = jobs.character_image_request(user=creator, character=bayu, idempotency_key="b")
    Generation.objects.filter(pk=running.pk).update(status=Generation.Status.RUNNING, progress=20,
                                                    progress_message="Drawing…")
    failed = jobs.character_image_request(user=creator, character=sari, idempotency_key="c")
    # What the worker stores when a provider refuses: the msgid, translated when shown.
    jobs.job_fail(job=failed, code="content_policy", message=provider_errors.CONTENT_POLICY)
    too_many = jobs.character_image_request(user=creator, character=bayu, idempotency_key="d")
    jobs.job_fail(job=too_many, code="unsupported", message="This model accepts at most %(n)s reference images.",
                  params={"n": 2})
    return {"project": project, "character": sari, "location": pasar, "scene": scene, "moodboard": board,
            "picture": picture, "clip": clip, "queued": queued, "running": running, "failed": failed, "too_many": too_many}


def app_pages(b) -> list[str]:
    p = b["project"].public_id
    return [
        reverse("dashboard"), reverse("studio:projects"), reverse("studio:project", args=[p]),
        reverse("studio:story", args=[p]), reverse("studio:characters", args=[p]),
        reverse("studio:character", args=[b["character"].public_id]), reverse("studio:world", args=[p]),
        reverse("studio:location", args=[b["location"].public_id]), reverse("studio:scenes", args=[p]),
        reverse("studio:scene", args=[b["scene"].public_id]), reverse("studio:script", args=[p]),
        reverse("studio:publish", args=[p]), reverse("studio:moodboards", args=[p]),
        reverse("studio:moodboard", args=[b["moodboard"].public_id]), reverse("studio:gallery", args=[p]),
        reverse("studio:character_image", args=[b["character"].public_id]),
        reverse("studio:animate", args=[b["picture"].public_id]), reverse("studio:jobs"),
        reverse("studio:asset", args=[b["picture"].public_id]), reverse("studio:asset", args=[b["clip"].public_id]),
        reverse("studio:project_new"), reverse("studio:trash"), reverse("studio:import"),
        reverse("studio:job", args=[b["queued"].public_id]), reverse("studio:job", args=[b["running"].public_id]),
        reverse("studio:job", args=[b["failed"].public_id]), reverse("studio:job", args=[b["too_many"].public_id]),
        reverse("credits:subscription"), reverse("accounts:profile"),
        reverse("accounts:api_keys"), reverse("media:storage_settings"),
    ]


def test_visible_text_drops_markup_and_scripts():
    page = '<p title="Generate">Buat <b>gambar</b></p><script>var x = "Delete the job";</script>&amp; selesai'
    assert visible_text(page).split() == ["Buat", "gambar", "&", "selesai"]
    assert visible_text('<input placeholder="Search"><a href="/x" aria-label="Tutup">x</a>').split() == [
        "x", "Search", "Tutup"]
    assert english_in("<p>Delete this beat with the prompt</p>") == ["Delete", "the", "this", "with"]


def test_every_app_page_reads_in_indonesian(client, creator, bible):
    client.force_login(creator)
    english = {}
    for url in app_pages(bible):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Language"] == "id", url
        page = response.content.decode()
        found = english_in(page)
        if found:
            english[url] = [in_context(page, word) for word in found]
    assert not english, "\n".join(f"{url}: {words}" for url, words in english.items())


def test_the_credit_history_reads_in_indonesian_reasons_included(client, creator, bible):
    client.force_login(creator)
    page = client.get(reverse("credits:history")).content.decode()
    assert english_in(page) == []


def test_the_credit_history_reads_in_indonesian_around_the_stored_reasons(client, creator, bible):
    from credits.models import LedgerEntry

    client.force_login(creator)
    response = client.get(reverse("credits:history"))
    assert response.headers["Content-Language"] == "id"
    stored = tuple(LedgerEntry.objects.exclude(reason="").values_list("reason", flat=True))
    references = tuple(re.findall(r"generation:[0-9a-f-]{36}", visible_text(response.content.decode())))
    assert english_in(response.content.decode(), data=stored + references) == []


def test_a_failed_jobs_provider_error_is_shown_in_the_readers_language(client, creator, bible):
    client.force_login(creator)
    card = client.get(reverse("studio:job", args=[bible["failed"].public_id])).content.decode()
    with translation.override("id"):
        assert translation.gettext(provider_errors.CONTENT_POLICY) in visible_text(card)
        assert "Model ini menerima maksimal 2 gambar referensi." == Generation.objects.get(pk=bible["too_many"].pk).error_text
    with translation.override("en"):
        assert Generation.objects.get(pk=bible["failed"].pk).error_text == provider_errors.CONTENT_POLICY


def test_a_stored_english_sentence_from_before_is_still_shown():
    job = Generation(error_message="Some vendor said no.", error_params={"x": 1})
    with translation.override("id"):
        assert job.error_text == "Some vendor said no."
        assert Generation(progress_message="Drawing…").progress_text == "Menggambar…"


def test_a_files_style_size_and_motion_are_named_in_the_readers_language(client, creator, bible):
    client.force_login(creator)
    picture = visible_text(client.get(reverse("studio:asset", args=[bible["picture"].public_id])).content.decode())
    clip = visible_text(client.get(reverse("studio:asset", args=[bible["clip"].public_id])).content.decode())
    assert "Sinematik" in picture and "Persegi · sedang" in picture and "Studio gambar offline" in picture
    assert "Zoom in perlahan" in clip


def test_beat_templates_are_written_in_the_creators_language(bible):
    titles = list(bible["project"].beats.order_by("order").values_list("title", flat=True))
    assert titles[:3] == ["Pengenalan", "Insiden pemicu", "Konflik memanas"]
