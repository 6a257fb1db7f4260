"""Lip-sync from a video face — an uploaded video or an animation clip — through the page, the API
and the job pipeline (the offline provider renders for real; the money moves through the real
ledger): the talking video has a video and an audio stream of the sound's length and costs what
a lip-sync costs; someone else's video is a 404; a video that does not decode, is too long, or
goes to a model that takes pictures only is refused with 422 before anything is held."""

import io
import json
import math
from array import array

import av
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import bearer
from aiproviders import services as ai_services
from aiproviders.models import AIModel, Provider
from aiproviders.tests import stubs
from aiproviders.tests.test_adapter_contract import KEY
from credits.models import Hold, LedgerEntry
from media import audio
from media import services as media_services
from media.models import MediaAsset
from media.tests.conftest import clip, png
from studio import services
from studio.generate import jobs, lipsync, worker
from studio.models import Generation
from studio.targets import target_of

from .factories import give_plan, make_project

pytestmark = pytest.mark.django_db

API = "/api/v1"
REPLICATE = "https://api.replicate.com"


def tone(seconds: float) -> bytes:
    samples = array(
        "h", (int(9000 * math.sin(i / 9) * (1 if (i // 6000) % 2 else 0.1)) for i in range(int(seconds * audio.RATE)))
    )
    return audio.encode(audio.Pcm(samples), "wav")[0]


def post(client, path, body, user):
    return client.post(f"{API}/{path}", json.dumps(body), content_type="application/json", **bearer(user))


def lengths(data: bytes) -> dict:
    with av.open(io.BytesIO(data)) as container:
        return {s.type: float(s.duration * s.time_base) for s in container.streams}


def nothing_held():
    return not Hold.objects.exists() and not Generation.objects.exists()


@pytest.fixture
def made(creator):
    project = make_project(creator, characters=0, scenes=0)
    laras = services.character_create(project=project, name="Laras", role="protagonist")
    target = target_of(laras)
    sheet = media_services.asset_store(data=png(64, 80), mime="image/png", owner=creator, target=target)
    sound = media_services.audio_upload(file=SimpleUploadedFile("line.wav", tone(10.5)), owner=creator, target=target)
    face = media_services.video_upload(
        file=SimpleUploadedFile("face.mp4", clip((96, 64), seconds=1.5, sound=True)), owner=creator, target=target
    )
    return {"project": project, "laras": laras, "sheet": sheet, "sound": sound, "face": face}


def test_the_api_lipsyncs_an_uploaded_video_face_for_the_lipsync_price(
    client, creator, made, celery_eager, django_capture_on_commit_callbacks
):
    uploaded = client.post(
        f"{API}/assets",
        {
            "file": SimpleUploadedFile("me.mp4", clip((96, 64), seconds=2.0)),
            "project": str(made["project"].public_id),
            "target": f"character:{made['laras'].public_id}",
        },
        **bearer(creator),
    )
    assert uploaded.status_code == 201 and uploaded.json()["data"]["media_type"] == "video"
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            "generate/lipsync",
            {"source_asset": uploaded.json()["data"]["id"], "audio_asset": str(made["sound"].public_id)},
            creator,
        )
    assert response.status_code == 202, response.content
    assert response.json()["data"]["credits_quoted"] == 40  # 10.5 s of sound: two started 10 s
    job = Generation.objects.select_related("output_asset", "hold").get(public_id=response.json()["data"]["id"])
    assert job.status == "succeeded", job.error_message
    assert (job.params["face"], job.params["capability"]) == ("video", "lipsync_video")
    out = job.output_asset
    assert (out.media_type, out.target_kind, out.target_id) == ("video", "character", made["laras"].public_id)
    found = lengths(media_services.asset_open(asset=out))
    assert abs(found["video"] - 10.5) < 0.1 and abs(found["audio"] - 10.5) < 0.1
    assert job.cost_charged == 40 and list(
        LedgerEntry.objects.filter(hold_id=job.hold_id).exclude(kind="hold").values_list("kind", "amount")
    ) == [("capture", -40)]


def test_an_animation_clip_is_a_face_too(creator, made):
    animation = jobs.animation_request(user=creator, source=made["sheet"], duration=3)
    worker.job_execute(animation.pk)
    animation.refresh_from_db()
    sound = media_services.audio_upload(
        file=SimpleUploadedFile("short.wav", tone(4.2)), owner=creator, target=target_of(made["laras"])
    )
    job = lipsync.lipsync_request(user=creator, source=animation.output_asset, sound=sound)
    assert job.credits_quoted == 20 and (job.params["width"], job.params["height"]) == (540, 720)
    worker.job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error_message
    found = lengths(media_services.asset_open(asset=job.output_asset))
    assert abs(found["video"] - 4.2) < 0.1 and abs(found["audio"] - 4.2) < 0.1  # the 3 s clip looped


def test_someone_elses_video_is_a_404_on_the_api_and_the_page(client, creator, made, outsider):
    give_plan(outsider, "pro")
    theirs = make_project(outsider, characters=1, scenes=0)
    their_face = media_services.video_upload(
        file=SimpleUploadedFile("them.mp4", clip()), owner=outsider, target=target_of(theirs)
    )
    response = post(
        client,
        "generate/lipsync",
        {"source_asset": str(their_face.public_id), "audio_asset": str(made["sound"].public_id)},
        creator,
    )
    assert (response.status_code, response.json()["error"]) == (404, "NOT_FOUND")
    client.force_login(creator)
    page = client.post(
        reverse("studio:lipsync", args=[made["project"].public_id]),
        {"image": str(their_face.public_id), "audio": str(made["sound"].public_id)},
    )
    assert page.status_code == 404
    assert nothing_held()


def test_a_malformed_video_is_refused_with_422_before_anything_is_held(client, creator, made):
    # A video stored without our checks (say, one kept from before them) whose bytes do not decode.
    broken = media_services.asset_store(
        data=clip(seconds=3.0)[:700],
        mime="video/mp4",
        owner=creator,
        target=target_of(made["laras"]),
        source_type=MediaAsset.Source.UPLOADED,
    )
    response = post(
        client, "generate/lipsync", {"source_asset": str(broken.public_id), "audio_asset": str(made["sound"].public_id)}, creator
    )
    assert (response.status_code, response.json()["error"]) == (422, "INVALID_VIDEO"), response.content
    assert nothing_held()

    client.force_login(creator)
    before = MediaAsset.objects.count()
    cut = clip(seconds=3.0)
    page = client.post(
        reverse("studio:lipsync", args=[made["project"].public_id]),
        {"face_video": SimpleUploadedFile("broken.mp4", cut[: int(len(cut) * 0.7)]), "audio": str(made["sound"].public_id)},
    )
    assert page.status_code == 422 and 'data-error-code="INVALID_VIDEO"' in page.content.decode()
    assert nothing_held() and MediaAsset.objects.count() == before  # nothing of it stored


def test_a_video_over_the_length_cap_is_refused(client, creator, made, settings):
    settings.VIDEO_MAX_SECONDS = 1
    response = post(
        client,
        "generate/lipsync",
        {"source_asset": str(made["face"].public_id), "audio_asset": str(made["sound"].public_id)},
        creator,
    )
    assert (response.status_code, response.json()["error"]) == (422, "INVALID_VIDEO")
    assert "too long" in response.json()["message"] and nothing_held()


def sadtalker(*, video_key: str = ""):
    """SadTalker (a picture only), or with `video_key` a Replicate lip-sync model that takes a video."""
    provider = Provider.objects.create(
        name="Replicate (video faces)",
        kind=Provider.Kind.REPLICATE,
        enabled=True,
        timeout_seconds=30,
        config={"poll_interval": 0},
    )
    ai_services.provider_set_key(provider=provider, api_key=KEY)
    return AIModel.objects.create(
        provider=provider,
        model_id="example/lipsync:0123" if video_key else "cjwbw/sadtalker:3aa3",
        display_name="Video lip-sync" if video_key else "SadTalker",
        type=AIModel.Type.VIDEO,
        cap_lipsync=True,
        cap_lipsync_video=bool(video_key),
        config={"lipsync_video_key": video_key} if video_key else {},
    )


def test_a_model_that_takes_pictures_only_is_refused_a_video_face(client, creator, made):
    model = sadtalker()
    body = {"source_asset": str(made["face"].public_id), "audio_asset": str(made["sound"].public_id)}
    response = post(client, "generate/lipsync", {**body, "model": model.pk}, creator)
    assert (response.status_code, response.json()["error"]) == (422, "VIDEO_FACE_UNSUPPORTED")
    assert "picture" in response.json()["message"] and nothing_held()
    # The same model takes the sheet, a picture.
    assert (
        post(
            client, "generate/lipsync", {**body, "source_asset": str(made["sheet"].public_id), "model": model.pk}, creator
        ).status_code
        == 202
    )
    # With no model asked for, a video face needs one that takes it switched on.
    AIModel.objects.filter(model_id="local-lipsync").update(enabled=False)
    response = post(client, "generate/lipsync", body, creator)
    assert (response.status_code, response.json()["error"]) == (422, "VIDEO_FACE_UNSUPPORTED")
    assert Generation.objects.count() == Hold.objects.count() == 1  # the sheet's, nothing more


def test_a_vendor_model_that_takes_a_video_is_sent_the_face_video(creator, made):
    model = sadtalker(video_key="video")
    job = lipsync.lipsync_request(user=creator, source=made["face"], sound=made["sound"], model=model)
    with stubs.mock_http() as mock:
        create = mock.post(f"{REPLICATE}/v1/predictions").respond(201, json=stubs.prediction("p-video", "starting"))
        worker.job_execute(job.pk)
    job.refresh_from_db()
    assert (job.status, job.vendor_job_id, job.model_used_id) == ("running", "p-video", model.pk)
    sent = json.loads(create.calls.last.request.content)["input"]
    assert sent["video"].startswith("data:video/mp4;base64,") and "source_image" not in sent


def test_a_plan_without_lipsync_is_refused_a_video_face_before_any_hold(client, creator, made):
    give_plan(creator, "premium")
    response = post(
        client,
        "generate/lipsync",
        {"source_asset": str(made["face"].public_id), "audio_asset": str(made["sound"].public_id)},
        creator,
    )
    assert (response.status_code, response.json()["error"]) == (403, "PLAN_REQUIRED") and nothing_held()


def test_the_lipsync_page_offers_the_projects_videos_and_takes_an_uploaded_one(client, creator, made):
    client.force_login(creator)
    url = reverse("studio:lipsync", args=[made["project"].public_id])
    asset_page = client.get(reverse("studio:asset", args=[made["face"].public_id])).content.decode()
    assert f'href="{url}?image={made["face"].public_id}" id="lipsync-button"' in asset_page  # a video's page leads here
    page = client.get(url, {"image": str(made["face"].public_id)}).content.decode()
    assert f'id="vid-{made["face"].public_id}" checked' in page and 'name="face_video"' in page
    sent = client.post(
        url, {"image": str(made["face"].public_id), "audio": str(made["sound"].public_id), "idempotency_key": "k-vid"}
    )
    assert sent.status_code == 302 and "?job=" in sent["Location"]
    assert Generation.objects.get(idempotency_key="k-vid").params["face"] == "video"

    uploaded = client.post(
        url,
        {
            "face_video": SimpleUploadedFile("new face.webm", clip(seconds=1.0, fmt="webm")),
            "audio": str(made["sound"].public_id),
            "idempotency_key": "k-up",
        },
    )
    assert uploaded.status_code == 302
    job = Generation.objects.get(idempotency_key="k-up")
    face = MediaAsset.objects.get(public_id=job.params["source"])
    assert (face.media_type, face.mime, face.target_kind, face.file_name) == ("video", "video/mp4", "project", "new face.mp4")
