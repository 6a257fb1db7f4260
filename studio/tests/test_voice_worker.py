"""Voice lines and lip-sync through a real Celery worker on Redis (started by the test in its own
process, as in test_worker.py; the offline provider speaks and renders for real): success with
the exact credits captured, a provider failure released, a cancel released, and a plan without
the feature refused with 403 PLAN_REQUIRED before any hold. The ledger is checked every time."""

import json

import pytest

from accounts.tests.factories import bearer
from aiproviders.models import AIModel
from credits.models import Hold
from credits.selectors import credit_account_for
from credits.tests.factories import assert_consistent
from media import services as media_services
from media.tests.conftest import png
from studio import services
from studio.generate import jobs, lipsync, voice
from studio.models import Generation
from studio.targets import target_of

from . import test_worker
from .factories import give_plan, make_project
from .test_worker import settlements, wait_for, wait_until_running

broker = test_worker.broker  # the fixtures: this run's own Redis broker prefix, and workers started on it
worker = test_worker.worker

pytestmark = [pytest.mark.requires_postgres, pytest.mark.requires_redis]

API = "/api/v1"
SCRIPT = "LARAS\nThe lantern is dark again.\n\nPAK DARTO\nThen we light it together, child.\n"


@pytest.fixture
def creator(transactional_db, seeded_defaults, user):
    give_plan(user, "pro")
    return user


@pytest.fixture
def cast(creator, worker):  # after `worker`, which points MEDIA_ROOT at the directory the worker shares
    project = make_project(creator, characters=0, scenes=0)
    laras = services.character_create(project=project, name="Laras", role="protagonist")
    darto = services.character_create(project=project, name="Pak Darto", role="mentor")
    scene = services.scene_create(project=project, title="The dark lantern", script=SCRIPT, characters=[laras, darto])
    sheet = media_services.asset_store(data=png(96, 128), mime="image/png", owner=creator, target=target_of(laras))
    return {"project": project, "laras": laras, "darto": darto, "scene": scene, "sheet": sheet}


def _vendor_without_key(model_id: str) -> AIModel:
    """A vendor model switched on with no API key: the adapter fails permanently (no request made)."""
    model = AIModel.objects.select_related("provider").get(model_id=model_id)
    model.provider.enabled = True
    model.provider.save(update_fields=["enabled"])
    model.enabled = True
    model.save(update_fields=["enabled"])
    return model


def test_voice_and_lipsync_succeed_on_a_real_worker_with_the_exact_credits(creator, cast, worker):
    worker()
    start = credit_account_for(user=creator).available
    read = wait_for(voice.scene_read_request(user=creator, scene=cast["scene"], fmt="opus"), {"succeeded", "failed"})
    assert read.status == "succeeded", read.error_message
    assert (read.output_asset.mime, read.output_asset.target_kind) == ("audio/ogg", "scene")
    assert read.cost_charged == 1 and settlements(read) == ["capture"]  # a few seconds: one started 15 s

    line = wait_for(voice.character_line_request(user=creator, character=cast["laras"], text="Light it, Pak!"),
                    {"succeeded", "failed"})
    assert line.status == "succeeded" and line.cost_charged == 1
    talk = wait_for(lipsync.lipsync_request(user=creator, source=cast["sheet"], sound=line.output_asset),
                    {"succeeded", "failed"}, seconds=120)
    assert talk.status == "succeeded", talk.error_message
    assert talk.output_asset.media_type == "video" and talk.cost_charged == 20 and settlements(talk) == ["capture"]
    assert credit_account_for(user=creator).available == start - 1 - 1 - 20
    assert_consistent(credit_account_for(user=creator))


def test_a_provider_failure_releases_the_hold_on_a_real_worker(creator, cast, worker):
    worker()
    start = credit_account_for(user=creator).available
    speech = _vendor_without_key("gpt-4o-mini-tts")
    failed_line = wait_for(voice.character_line_request(user=creator, character=cast["laras"], text="Hello",
                                                        model=speech), {"succeeded", "failed"})
    assert failed_line.status == "failed" and settlements(failed_line) == ["release"]

    # Named: with a vendor switched on, the default voice is the vendor's (aiproviders/router.py).
    offline = AIModel.objects.get(model_id="local-speech")
    line = wait_for(voice.character_line_request(user=creator, character=cast["laras"], text="Hello", model=offline),
                    {"succeeded", "failed"})
    assert line.status == "succeeded", line.error_message
    talker = _vendor_without_key(AIModel.objects.get(cap_lipsync=True, provider__kind="replicate").model_id)
    failed_talk = wait_for(lipsync.lipsync_request(user=creator, source=cast["sheet"], sound=line.output_asset,
                                                   model=talker), {"succeeded", "failed"})
    assert failed_talk.status == "failed" and settlements(failed_talk) == ["release"]
    assert failed_talk.error_code and failed_talk.cost_charged == 0
    assert credit_account_for(user=creator).available == start - line.cost_charged
    assert_consistent(credit_account_for(user=creator))


def test_cancelling_releases_the_hold_on_a_real_worker(creator, cast, worker, settings):
    start = credit_account_for(user=creator).available
    # Queued (no worker yet): cancelled and released at once; the worker, started after, never runs it.
    queued = voice.scene_read_request(user=creator, scene=cast["scene"])
    jobs.job_cancel(job=queued)
    w = worker()
    line = wait_for(voice.character_line_request(user=creator, character=cast["laras"], text="One more time, " * 12),
                    {"succeeded", "failed"})
    queued.refresh_from_db()
    assert queued.status == "cancelled" and settlements(queued) == ["release"] and queued.output_asset is None

    # Running: a lip-sync of ~12 s takes the worker a few seconds to render; cancelled mid-run, it
    # stops at its next checkpoint and nothing is charged or kept.
    talk = lipsync.lipsync_request(user=creator, source=cast["sheet"], sound=line.output_asset)
    wait_until_running(talk)
    jobs.job_cancel(job=talk)
    talk = wait_for(talk, {"cancelled", "succeeded", "failed"}, seconds=120)
    assert talk.status == "cancelled" and settlements(talk) == ["release"] and talk.output_asset is None
    assert credit_account_for(user=creator).available == start - line.cost_charged
    assert w.process.poll() is None
    assert_consistent(credit_account_for(user=creator))


def test_a_plan_without_the_feature_is_refused_with_403_before_any_hold(client, user, seeded_defaults, transactional_db,
                                                                       worker, settings, tmp_path):
    worker()
    give_plan(user, "basic")  # neither audio nor lip-sync
    project = make_project(user, characters=1, scenes=0)
    character = project.characters.get()
    sheet = media_services.asset_store(data=png(32, 32), mime="image/png", owner=user, target=target_of(character))
    sound = media_services.asset_store(data=b"RIFF", mime="audio/wav", owner=user, target=target_of(character),
                                       duration=2.0)
    for path, body in (("generate/voice", {"character": str(character.public_id), "text": "Hello"}),
                       ("generate/lipsync", {"source_asset": str(sheet.public_id), "audio_asset": str(sound.public_id)})):
        response = client.post(f"{API}/{path}", json.dumps(body), content_type="application/json", **bearer(user))
        assert response.status_code == 403 and response.json()["error"] == "PLAN_REQUIRED", response.content
    give_plan(user, "premium")  # audio but not lip-sync
    response = client.post(f"{API}/generate/lipsync", json.dumps(
        {"source_asset": str(sheet.public_id), "audio_asset": str(sound.public_id)}), content_type="application/json",
        **bearer(user))
    assert response.status_code == 403 and response.json()["error"] == "PLAN_REQUIRED"
    assert not Hold.objects.exists() and not Generation.objects.exists()
    assert credit_account_for(user=user).held == 0
