"""Voice lines and lip-sync through the job pipeline, run in this process (worker.job_execute):
the offline provider speaks and renders for real; the money moves through the real ledger."""

import io

import av
import pytest

from credits.models import Hold, LedgerEntry
from credits.selectors import credit_account_for
from media import audio
from media import services as media_services
from media.tests.conftest import png
from studio.generate import lipsync, voice, worker
from studio.models import Generation
from studio.targets import target_of

from .factories import give_plan, make_project

pytestmark = pytest.mark.django_db

SCRIPT = """INT. LANTERN HOUSE - NIGHT

Laras climbs the ladder.

LARAS
The lantern is dark again.

PAK DARTO (V.O.)
(quietly)
Then we light it together.

Laras: One more time, for the village.
"""


@pytest.fixture
def project(creator):
    project = make_project(creator, characters=0, scenes=0)
    return project


@pytest.fixture
def cast(project):
    from studio import services

    laras = services.character_create(project=project, name="Laras", role="protagonist")
    darto = services.character_create(project=project, name="Pak Darto", role="mentor")
    return laras, darto


@pytest.fixture
def scene(project, cast):
    from studio import services

    return services.scene_create(project=project, title="The dark lantern", script=SCRIPT, characters=list(cast))


def settlements(job):
    return list(LedgerEntry.objects.filter(hold_id=job.hold_id).exclude(kind="hold").values_list("kind", flat=True))


def stored(job) -> bytes:
    return media_services.asset_open(asset=job.output_asset)


def test_scene_dialogue_is_parsed_in_order_with_each_speaker(scene, cast):
    laras, darto = cast
    lines = voice.scene_lines(scene, list(cast))
    assert [(line.character, line.text) for line in lines] == [
        (laras, "The lantern is dark again."), (darto, "Then we light it together."),
        (laras, "One more time, for the village.")]


def test_reading_a_scene_stitches_its_lines_and_captures_the_price_of_its_length(creator, scene, cast):
    laras, darto = cast
    voice.character_voice_set(character=darto, model=None, voice="en+m3", language="en", speed=0.9, pitch=30)
    before = credit_account_for(user=creator).available
    job = voice.scene_read_request(user=creator, scene=scene, fmt="mp3")
    assert job.credits_quoted == 1  # about 10 s estimated: one started 15 s
    worker.job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error_message
    asset = job.output_asset
    assert (asset.media_type, asset.mime, asset.target_kind) == ("audio", "audio/mpeg", "scene")
    pcm = audio.decode(stored(job))
    assert abs(pcm.duration - asset.duration) < 0.1 and pcm.duration > 3 and audio.rms(pcm.samples) > 0.02
    assert job.cost_charged == 1 and settlements(job) == ["capture"]
    assert credit_account_for(user=creator).available == before - 1
    assert [line["voice"] for line in job.params["lines"]] == ["", "en+m3", ""]


def test_a_line_longer_than_the_estimate_is_charged_no_more_than_the_hold(creator, cast, settings, monkeypatch):
    laras, _ = cast
    monkeypatch.setattr(voice, "ESTIMATE_MARGIN", 0.2)  # an estimate far too short: 1 credit held
    job = voice.character_line_request(user=creator, character=laras, text="word " * 80)
    assert job.credits_quoted == 1
    worker.job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.output_asset.duration > 15  # two started 15 s made...
    assert job.cost_charged == 1  # ...one charged: never above the hold
    assert Hold.objects.get(pk=job.hold_id).captured_amount == 1


def test_a_plan_without_audio_is_refused_before_any_hold(user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    give_plan(user, "basic")
    project = make_project(user, characters=1, scenes=0)
    with pytest.raises(Exception) as refused:
        voice.character_line_request(user=user, character=project.characters.get(), text="Hello")
    assert refused.value.code == "PLAN_REQUIRED"
    assert not Hold.objects.exists() and not Generation.objects.exists()


def test_lipsync_makes_a_video_with_the_lines_sound(creator, project, cast):
    laras, _ = cast
    sheet = media_services.asset_store(data=png(96, 128), mime="image/png", owner=creator, target=target_of(laras))
    line = voice.character_line_request(user=creator, character=laras, text="The lantern is dark again, Pak.")
    worker.job_execute(line.pk)
    line.refresh_from_db()
    job = lipsync.lipsync_request(user=creator, source=sheet, sound=line.output_asset)
    assert job.credits_quoted == 20
    worker.job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error_message
    assert job.output_asset.media_type == "video" and job.cost_charged == 20 and settlements(job) == ["capture"]
    with av.open(io.BytesIO(stored(job))) as container:
        kinds = {s.type: s for s in container.streams}
        sound = kinds["audio"]
        assert "video" in kinds
        assert abs(float(sound.duration * sound.time_base) - line.output_asset.duration) < 0.15


def test_a_failed_voice_line_is_released_and_can_be_retried_as_a_new_hold(creator, cast):
    from aiproviders.models import AIModel
    from studio.generate import jobs

    laras, _ = cast
    speech = AIModel.objects.select_related("provider").get(model_id="gpt-4o-mini-tts")
    speech.provider.enabled, speech.enabled = True, True
    speech.provider.save(update_fields=["enabled"])
    speech.save(update_fields=["enabled"])
    job = voice.character_line_request(user=creator, character=laras, text="Hello there", model=speech)
    worker.job_execute(job.pk)  # no key: a permanent provider error
    job.refresh_from_db()
    assert job.status == "failed" and settlements(job) == ["release"]
    speech.enabled = False
    speech.save(update_fields=["enabled"])
    again = jobs.job_retry(job=job)
    assert again.pk != job.pk and again.credits_quoted == job.credits_quoted and again.hold.status == "held"
    assert again.params["lines"] == job.params["lines"]


def test_the_daily_limit_and_the_running_cap_apply_to_voice_lines(creator, cast, settings):
    from studio.generate.jobs import TooManyJobs

    laras, _ = cast
    settings.GENERATION_MAX_ACTIVE = 1
    voice.character_line_request(user=creator, character=laras, text="One")
    with pytest.raises(TooManyJobs):
        voice.character_line_request(user=creator, character=laras, text="Two")
