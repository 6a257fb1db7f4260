"""Voices and lip-sync around the studio: the panels and the lip-sync page, the gallery's Audio
and Lip-sync filters, voice lines in the Markdown zip, players on the published showcase, and
the voices list of the API."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import bearer
from media import audio
from media import services as media_services
from media.tests.conftest import png
from studio import services
from studio.exports.markdown import bible_markdown_zip
from studio.generate import lipsync, voice, worker
from studio.models import Generation
from studio.targets import target_of

from .factories import make_project

pytestmark = pytest.mark.django_db

SCRIPT = "LARAS\nThe lantern is dark again.\n\nLaras: Light it with me.\n"


@pytest.fixture
def made(creator):
    project = make_project(creator, characters=0, scenes=0)
    laras = services.character_create(project=project, name="Laras", role="protagonist")
    scene = services.scene_create(project=project, title="Dawn", script=SCRIPT, characters=[laras])
    sheet = media_services.asset_store(data=png(64, 80), mime="image/png", owner=creator, target=target_of(laras))
    reading = voice.scene_read_request(user=creator, scene=scene, fmt="mp3")
    worker.job_execute(reading.pk)
    line = voice.character_line_request(user=creator, character=laras, text="Hello, Pak.")
    worker.job_execute(line.pk)
    talk = lipsync.lipsync_request(user=creator, source=sheet, sound=Generation.objects.get(pk=line.pk).output_asset)
    worker.job_execute(talk.pk)
    return {"project": project, "laras": laras, "scene": scene, "sheet": sheet,
            **{k: Generation.objects.get(pk=j.pk) for k, j in (("reading", reading), ("line", line), ("talk", talk))}}


def htmx(client, url, **kwargs):
    return client.get(url, HTTP_HX_REQUEST="true", **kwargs)


def test_the_panels_show_the_voice_the_dialogue_and_players(client, creator, made):
    client.force_login(creator)
    laras, scene = made["laras"], made["scene"]
    page = htmx(client, f"/studio/characters/{laras.public_id}/voice/").content.decode()
    assert 'name="voice"' in page and "en-us+f3" in page and "Bahasa Indonesia" in page
    assert "<audio" in page and str(made["line"].output_asset.public_id) in page
    read = htmx(client, f"/studio/scenes/{scene.public_id}/voice/").content.decode()
    assert read.count("<li><strong>Laras</strong>") == 2 and "<audio" in read


def test_saving_a_voice_checks_its_range(client, creator, made):
    client.force_login(creator)
    laras = made["laras"]
    url = f"/studio/characters/{laras.public_id}/voice/"
    ok = client.post(url, {"voice": "id+f3", "language": "id", "speed": "0.8", "pitch": "70"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and "Voice saved." in ok.content.decode()
    laras.refresh_from_db()
    assert laras.voice == {"model": None, "voice": "id+f3", "language": "id", "speed": 0.8, "pitch": 70}
    bad = client.post(url, {"voice": "id", "language": "id", "speed": "9", "pitch": "70"}, HTTP_HX_REQUEST="true")
    assert "Speed goes from 0.5 to 2" in bad.content.decode()
    laras.refresh_from_db()
    assert laras.voice["speed"] == 0.8


def test_lipsync_page_takes_an_uploaded_sound_checked_by_decoding(client, creator, made):
    client.force_login(creator)
    url = f"/studio/{made['project'].public_id}/lipsync/"
    wav, _ = audio.encode(audio.Pcm(audio.silence(0.3) + audio.decode(media_services.asset_open(
        asset=made["line"].output_asset)).samples), "wav")
    broken = client.post(url, {"image": str(made["sheet"].public_id), "sound": SimpleUploadedFile("a.wav", wav[:60])})
    assert broken.status_code == 422 and Generation.objects.filter(kind="lipsync").count() == 1
    sent = client.post(url, {"image": str(made["sheet"].public_id), "sound": SimpleUploadedFile("mine.wav", wav),
                             "idempotency_key": "k-lip"})
    assert sent.status_code == 302 and "?job=" in sent["Location"]
    job = Generation.objects.get(idempotency_key="k-lip")
    assert job.params["audio"] != str(made["line"].output_asset.public_id) and job.credits_quoted == 20
    assert "job--" in client.get(sent["Location"]).content.decode()


def test_gallery_filters_audio_and_lipsync(client, creator, made):
    client.force_login(creator)
    base = f"/studio/{made['project'].public_id}/gallery/"
    assert client.get(base + "?media=audio").content.decode().count('class="asset pg-item') == 2
    lips = client.get(base + "?media=lipsync").content.decode()
    assert lips.count('class="asset pg-item') == 1 and str(made["talk"].output_asset.public_id) in lips


def test_markdown_zip_carries_the_voice_lines_linked_from_their_pages(creator, made):
    archive = zipfile.ZipFile(io.BytesIO(bible_markdown_zip(made["project"])))
    names = archive.namelist()
    sounds = [n for n in names if n.startswith("audio/")]
    assert len(sounds) == 2 and {n.rsplit(".", 1)[1] for n in sounds} == {"mp3", "wav"}
    scene_md = archive.read(next(n for n in names if n.startswith("scenes/"))).decode()
    laras_md = archive.read("characters/laras.md").decode()
    assert "## Voice lines" in scene_md and "(../audio/dawn.mp3)" in scene_md
    assert "(../audio/laras.wav)" in laras_md
    assert audio.decode(archive.read("audio/dawn.mp3")).duration > 1


def test_the_published_showcase_plays_the_voice_lines(client, creator, made):
    project = services.project_publish(project=made["project"], sections=["story", "characters", "scenes"])
    page = client.get(f"/showcase/{project.slug}/").content.decode()
    assert page.count("<audio") == 2
    line = made["line"].output_asset
    response = client.get(reverse("studio:showcase_file", args=[project.slug, line.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
    services.project_publish(project=project, sections=["story"])
    assert client.get(reverse("studio:showcase_file", args=[project.slug, line.public_id])).status_code == 404


def test_the_api_lists_the_voices_of_a_model(client, creator):
    response = client.get("/api/v1/voices", **bearer(creator))
    data = response.json()["data"]
    assert response.status_code == 200 and {"en", "id"} <= {v["language"] for v in data}
    assert client.get("/api/v1/voices?model=999999", **bearer(creator)).status_code == 404  # no such speech model


def test_the_api_reads_a_line_and_lipsyncs_it(client, creator, made, celery_eager, django_capture_on_commit_callbacks):
    def post(path, body):
        return client.post(f"/api/v1/{path}", json.dumps(body), content_type="application/json", **bearer(creator))

    with django_capture_on_commit_callbacks(execute=True):
        said = post("generate/voice", {"character": str(made["laras"].public_id), "text": "Bring the oil.",
                                       "format": "opus", "idempotency_key": "api-1"})
    assert said.status_code == 202 and said.json()["data"]["kind"] == "voice"
    again = post("generate/voice", {"character": str(made["laras"].public_id), "text": "Bring the oil.",
                                    "idempotency_key": "api-1"})
    assert again.json()["data"]["id"] == said.json()["data"]["id"]  # the same key: the same job
    job = Generation.objects.get(public_id=said.json()["data"]["id"])
    assert job.status == "succeeded" and job.output_asset.mime == "audio/ogg"
    talk = post("generate/lipsync", {"source_asset": str(made["sheet"].public_id),
                                     "audio_asset": str(job.output_asset.public_id)})
    assert talk.status_code == 202 and talk.json()["data"]["credits_quoted"] == 20
    wrong = post("generate/lipsync", {"source_asset": str(made["sheet"].public_id),
                                      "audio_asset": str(made["sheet"].public_id)})
    assert wrong.status_code == 422


def test_the_job_quote_fragment_prices_voice_and_lipsync_by_length(client, creator):
    client.force_login(creator)
    voice_quote = client.get("/studio/jobs/quote/?kind=voice")
    lipsync_quote = client.get("/studio/jobs/quote/?kind=lipsync")
    assert voice_quote.status_code == lipsync_quote.status_code == 200
    assert "1 credit" in voice_quote.content.decode() and "20 credits" in lipsync_quote.content.decode()
