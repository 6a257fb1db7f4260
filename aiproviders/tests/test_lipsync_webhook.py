"""A lip-sync on Replicate runs like an animation: the worker starts the prediction (with our
webhook), the job runs with the prediction id and its hold open, and a signed "completed"
webhook makes the worker ask Replicate for the prediction, download the MP4, store it next to
the image and capture the price of the sound's length. HTTP is stubbed at the transport."""

import json

import pytest

from aiproviders import services as ai_services
from aiproviders.models import AIModel, Provider
from credits.models import Hold
from media import audio
from media import services as media_services
from studio.generate import lipsync, worker
from studio.models import Generation
from studio.targets import target_of
from studio.tests.factories import give_plan, make_project

from . import stubs
from .test_replicate_webhook import API, CLIP, KEY, completed, configured, deliver, mp4, signed_headers  # noqa: F401

SADTALKER = "cjwbw/sadtalker:3aa3dac9353cc4d6bd62a8f95957bd844003b401ca4e4a9b33baa574c549d376"
PREDICTION = "p-lip-9q"


@pytest.mark.django_db
def test_a_replicate_lipsync_is_finished_by_its_webhook_and_charged_by_the_sounds_length(
        user, configured, django_capture_on_commit_callbacks, request):  # noqa: F811
    provider = Provider.objects.create(name="Replicate (lip-sync test)", kind=Provider.Kind.REPLICATE, enabled=True,
                                       timeout_seconds=30, config={"poll_interval": 0})
    ai_services.provider_set_key(provider=provider, api_key=KEY)
    model = AIModel.objects.create(provider=provider, model_id=SADTALKER, display_name="SadTalker (test)",
                                   type=AIModel.Type.VIDEO, cap_lipsync=True)
    give_plan(user, "pro")
    character = make_project(user).characters.first()
    sheet = media_services.asset_store(data=stubs.png(64, 48), mime="image/png", owner=user, target=target_of(character))
    wav, _ = audio.encode(audio.Pcm(audio.silence(12.0)), "wav")
    sound = media_services.asset_store(data=wav, mime="audio/wav", owner=user, target=target_of(character), duration=12.0)
    job = lipsync.lipsync_request(user=user, source=sheet, sound=sound, model=model)
    assert job.credits_quoted == 40  # 12 s: two started 10 s

    with stubs.mock_http() as mock:
        create = mock.post(f"{API}/v1/predictions").respond(201, json=stubs.prediction(PREDICTION, "starting"))
        worker.job_execute(job.pk)  # its next poll goes to the broker and is not run here
    job.refresh_from_db()
    assert (job.status, job.vendor_job_id) == ("running", PREDICTION)
    assert Hold.objects.get(pk=job.hold_id).status == Hold.Status.HELD
    sent = json.loads(create.calls.last.request.content)
    assert sent["webhook"].startswith("https://studio.example/") and sent["version"] == SADTALKER.split(":")[1]
    assert sent["input"]["driven_audio"].startswith("data:audio/wav;base64,")

    request.getfixturevalue("celery_eager")  # from here on the webhook's poll runs at once
    body = completed(PREDICTION)
    with stubs.mock_http() as mock:
        mock.get(f"{API}/v1/predictions/{PREDICTION}").respond(200, json=stubs.prediction(
            PREDICTION, "succeeded", output=CLIP))
        mock.get(CLIP).respond(200, content=mp4(), headers={"content-type": "video/mp4"})
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver(body, signed_headers(body)).status_code == 200
    job = Generation.objects.select_related("output_asset", "hold").get(pk=job.pk)
    assert job.status == "succeeded" and job.output_asset.media_type == "video"
    assert job.output_asset.target_id == character.public_id
    assert job.cost_charged == 40 and job.hold.captured_amount == 40
