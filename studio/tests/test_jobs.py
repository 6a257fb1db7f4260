"""Visual generation jobs: the lifecycle with the offline provider, failures and retries with a
real vendor SDK over stubbed HTTP, exactly-once settlement, cancel, the sweeper, idempotency,
enqueue-on-commit, staleness, refusals."""

import httpx
import pytest
from django.db import transaction
from django.utils import timezone

from aiproviders import services as ai_services
from aiproviders.models import AIModel, Provider
from aiproviders.tests import stubs
from credits.models import CreditAccount, Hold, LedgerEntry
from credits.selectors import credit_account_for
from media import services as media_services
from media.models import MediaAsset
from media.tests.conftest import png
from studio import services
from studio.gallery import services as gallery_services
from studio.generate import jobs, prompts, worker
from studio.models import Generation, Moodboard
from studio.targets import target_of

from .factories import give_plan, make_project

pytestmark = pytest.mark.django_db

IMAGES = "https://api.openai.com/v1/images/generations"



@pytest.fixture
def project(creator):
    return make_project(creator, characters=2, scenes=1, locations=1)


@pytest.fixture
def hero(project):
    hero = project.characters.first()
    services.character_update(character=hero, name="Lintang", appearance="short black hair, freckles",
                              clothing="a yellow raincoat", accessories="a paper lantern", visual_style="watercolour")
    hero.refresh_from_db()
    return hero


def run(django_capture_on_commit_callbacks, request, **kwargs):
    """Makes the request and runs what it enqueued on commit (the task, eagerly)."""
    with django_capture_on_commit_callbacks(execute=True):
        job = request(**kwargs)
    job.refresh_from_db()
    return job


def balance(user) -> tuple[int, int]:
    account = CreditAccount.objects.get(user=user)
    return account.balance, account.held


def settlements(job) -> list[str]:
    return list(LedgerEntry.objects.filter(hold=job.hold).exclude(kind="hold").values_list("kind", flat=True))


# --- the offline provider, end to end ----------------------------------------------------------

def test_character_image_job_stores_the_image_and_captures_the_hold(creator, hero, celery_eager,
                                                                    django_capture_on_commit_callbacks):
    before, _ = balance(creator)
    job = run(django_capture_on_commit_callbacks, jobs.character_image_request, user=creator, character=hero,
              prompt="smiling", style="anime", size="portrait-s")

    assert (job.status, job.progress, job.attempts) == ("succeeded", 100, 1)
    asset = job.output_asset
    assert (asset.source_type, asset.target_kind, asset.target_id, asset.media_type) == (
        "generated", "character", hero.public_id, "image")
    assert (asset.width, asset.height) == (512, 768)
    assert "wearing a yellow raincoat" in job.prompt and "with a paper lantern" in job.prompt and "anime" in job.prompt
    assert asset.prompt == job.prompt and asset.credits == job.cost_charged == job.credits_quoted > 0
    assert settlements(job) == ["capture"]
    assert balance(creator) == (before - job.cost_charged, 0)


def test_i2i_uses_a_reference_from_the_project(creator, hero, project, celery_eager,
                                               django_capture_on_commit_callbacks):
    upload = media_services.asset_store(data=png(64, 64), mime="image/png", owner=creator, target=target_of(project),
                                        source_type="uploaded")
    job = run(django_capture_on_commit_callbacks, jobs.character_image_request, user=creator, character=hero,
              reference=upload, strength=0.3)
    assert job.status == "succeeded"
    assert job.params["references"] == [str(upload.public_id)] and job.params["strength"] == 0.3
    assert job.output_asset.params["references"] == [str(upload.public_id)]


def test_moodboard_job_composites_the_reference_sheets(creator, project, celery_eager,
                                                       django_capture_on_commit_callbacks):
    cast = list(project.characters.all())
    for character in cast:
        sheet = media_services.asset_store(data=png(40, 40), mime="image/png", owner=creator,
                                           target=target_of(character))
        gallery_services.asset_set_primary(asset=sheet)
    board = Moodboard.objects.create(project=project, title="Storm at the pier", scene=project.scenes.first(),
                                     location=project.locations.first(), pose="back to back", action="facing the storm")
    board.characters.set(cast)

    job = run(django_capture_on_commit_callbacks, jobs.moodboard_request, user=creator, moodboard=board)

    assert job.status == "succeeded", job.error_message
    assert job.prompt.startswith("Character 0 and Character 1, facing the storm, back to back, in Scene 0")
    assert "cinematic composition, detailed background" in job.prompt
    assert job.output_asset.target_kind == "moodboard" and len(job.params["references"]) == 2


def test_moodboard_without_reference_sheets_is_refused_before_charging(creator, project):
    board = Moodboard.objects.create(project=project, title="Pier")
    board.characters.set(project.characters.all())
    with pytest.raises(jobs.MissingReferences) as refused:
        jobs.moodboard_request(user=creator, moodboard=board)
    assert refused.value.extra["missing"] == ["Character 0", "Character 1"]
    assert not Generation.objects.exists() and not Hold.objects.exists()


def test_reference_grid_puts_every_picture_in_one_image():
    import io

    from PIL import Image

    grid = Image.open(io.BytesIO(worker.reference_grid([png(30, 30), png(30, 60), png(60, 30), png(10, 10)], cell=100)))
    assert grid.size == (300, 200)


def test_animation_job_makes_a_video_next_to_its_source(creator, hero, celery_eager,
                                                        django_capture_on_commit_callbacks):
    source = media_services.asset_store(data=png(128, 72), mime="image/png", owner=creator, target=target_of(hero))
    job = run(django_capture_on_commit_callbacks, jobs.animation_request, user=creator, source=source, duration=3,
              motion="pan_left")
    assert job.status == "succeeded", job.error_message
    video = job.output_asset
    assert (video.media_type, video.mime, video.target_id) == ("video", "video/mp4", hero.public_id)
    assert video.duration == pytest.approx(3, abs=0.2)
    assert job.cost_charged == 25  # up to 5 s


def test_video_needs_a_plan_that_includes_it(user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    project = make_project(user, characters=1, scenes=0)
    source = media_services.asset_store(data=png(), mime="image/png", owner=user, target=target_of(project))
    from credits.exceptions import PlanRequired

    with pytest.raises(PlanRequired):
        jobs.animation_request(user=user, source=source, duration=3)
    assert not Generation.objects.exists()


# --- failures through a real SDK (OpenAI images), HTTP stubbed at the transport --------------------

@pytest.fixture
def openai_images(db, settings):
    settings.AI_MODEL_COOLDOWN_SECONDS = 0  # the job's own retries come at once (eager tasks)
    AIModel.objects.filter(type="image").update(enabled=False, is_default=False)
    provider = ai_services.provider_set_key(provider=Provider.objects.create(name="OpenAI images test", kind="openai"),
                                            api_key="sk-test-0000")
    return AIModel.objects.create(provider=provider, model_id="gpt-image-1", display_name="GPT Image", type="image",
                                  cap_t2i=True, is_default=True, priority=1)


def test_transient_errors_retry_then_a_permanent_one_fails_and_releases_once(
        creator, hero, openai_images, celery_eager, django_capture_on_commit_callbacks):
    answers = [httpx.Response(500, json=stubs.openai_error("boom", type="server_error"))] * 4 + [
        httpx.Response(400, json=stubs.openai_error("Your prompt was rejected.", code="content_policy_violation"))]
    before = balance(creator)
    with stubs.mock_http() as mock:
        route = mock.post(IMAGES).mock(side_effect=answers)
        job = run(django_capture_on_commit_callbacks, jobs.character_image_request, user=creator, character=hero)

    assert route.call_count == 5  # two attempts × (call + the router's retry), then the permanent answer
    assert (job.status, job.attempts) == ("failed", 3)
    assert job.error_message and "sk-test" not in job.error_message
    assert settlements(job) == ["release"]
    assert balance(creator) == before
    assert not MediaAsset.objects.exists()


def test_a_transient_error_then_success_charges_once(creator, hero, openai_images, celery_eager,
                                                     django_capture_on_commit_callbacks):
    answers = [httpx.Response(503, json=stubs.openai_error("busy", type="server_error"))] * 2 + [
        httpx.Response(200, json=stubs.openai_images(b64_json=stubs.b64(png(32, 32))))]
    with stubs.mock_http() as mock:
        mock.post(IMAGES).mock(side_effect=answers)
        job = run(django_capture_on_commit_callbacks, jobs.character_image_request, user=creator, character=hero)
    assert (job.status, job.attempts) == ("succeeded", 2)
    assert settlements(job) == ["capture"]


def test_a_transient_failure_goes_back_to_the_queue_with_a_backoff(creator, hero, openai_images, settings,
                                                                   monkeypatch):
    from studio import tasks

    settings.AI_MODEL_COOLDOWN_SECONDS = 60
    sent = []
    monkeypatch.setattr(tasks.run_generation, "apply_async", lambda *a, **k: sent.append(k))
    job = jobs.character_image_request(user=creator, character=hero)
    with stubs.mock_http() as mock:
        mock.post(IMAGES).mock(return_value=httpx.Response(503, json=stubs.openai_error("busy", type="server_error")))
        worker.job_execute(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("queued", 1)
    assert sent == [{"args": [job.pk], "queue": "image", "countdown": 60}]  # not before the model's cooldown
    assert job.queued_at > timezone.now() + timezone.timedelta(seconds=55)
    assert settlements(job) == []  # still held


# --- exactly once ---------------------------------------------------------------------------------

def test_a_second_delivery_of_the_task_does_nothing(creator, hero, celery_eager, django_capture_on_commit_callbacks,
                                                    monkeypatch):
    from aiproviders import router

    calls = []
    real = router.generate_image
    monkeypatch.setattr(router, "generate_image", lambda *a, **k: calls.append(1) or real(*a, **k))
    job = run(django_capture_on_commit_callbacks, jobs.character_image_request, user=creator, character=hero)
    worker.job_execute(job.pk)  # the broker delivers it again
    assert len(calls) == 1 and settlements(job) == ["capture"]
    assert MediaAsset.objects.count() == 1


def test_enqueue_happens_only_after_commit(creator, hero, django_capture_on_commit_callbacks, monkeypatch):
    from studio import tasks

    sent = []
    monkeypatch.setattr(tasks.run_generation, "apply_async", lambda *a, **k: sent.append(k))

    class Boom(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Boom), transaction.atomic():
            jobs.character_image_request(user=creator, character=hero)
            raise Boom
    assert callbacks == [] and sent == [] and not Generation.objects.exists() and not Hold.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        jobs.character_image_request(user=creator, character=hero)
        assert sent == []  # not before the commit
    # the enqueue and the ledger's account_changed (credits.signals); the hold's low-credits warning
    # only when it crosses the creator's threshold (credits/notices.py)
    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    assert sent == [{"args": [Generation.objects.get().pk], "queue": "image", "countdown": None}]


def test_the_same_idempotency_key_makes_one_job(creator, hero, django_capture_on_commit_callbacks):
    first = jobs.character_image_request(user=creator, character=hero, idempotency_key="click-1")
    second = jobs.character_image_request(user=creator, character=hero, idempotency_key="click-1")
    assert first.pk == second.pk and Generation.objects.count() == 1 and Hold.objects.count() == 1


def test_the_job_is_written_with_its_hold_pointing_at_it(creator, hero):
    job = jobs.character_image_request(user=creator, character=hero)

    saved = Generation.objects.select_related("hold").get(pk=job.pk)
    assert saved.hold_id == job.hold.pk and saved.hold.status == Hold.Status.HELD
    assert saved.hold.reference == saved.hold.idempotency_key == f"generation:{job.public_id}"
    assert (saved.status, saved.credits_quoted, saved.hold.amount) == ("queued", job.credits_quoted, job.credits_quoted)
    assert balance(creator)[1] == job.credits_quoted


def test_a_refused_request_writes_neither_job_nor_hold(creator, hero):
    from credits.exceptions import InsufficientCredits

    account = credit_account_for(user=creator)
    CreditAccount.objects.filter(pk=account.pk).update(held=account.balance)  # nothing available
    with pytest.raises(InsufficientCredits):
        jobs.character_image_request(user=creator, character=hero)
    assert not Generation.objects.exists() and not Hold.objects.exists()


def test_concurrency_cap(creator, hero, settings):
    settings.GENERATION_MAX_ACTIVE = 2
    jobs.character_image_request(user=creator, character=hero)
    jobs.character_image_request(user=creator, character=hero)
    with pytest.raises(jobs.TooManyJobs):
        jobs.character_image_request(user=creator, character=hero)
    assert Generation.objects.count() == 2


def test_the_cap_counts_the_queued_and_running_jobs_on_the_creators_account_only(creator, hero):
    from accounts.tests.factories import UserFactory
    from studio import selectors

    first, second, third = (jobs.character_image_request(user=creator, character=hero) for _ in range(3))
    Generation.objects.filter(pk=second.pk).update(status="running")
    jobs.job_cancel(job=third)
    other = UserFactory()
    give_plan(other, "pro")
    jobs.character_image_request(user=other, character=make_project(other, characters=1).characters.get())

    assert selectors.active_job_count(account=credit_account_for(user=creator)) == 2
    assert selectors.active_job_count(account=credit_account_for(user=other)) == 1


@pytest.mark.requires_postgres
def test_the_caps_count_can_use_its_partial_index_as_a_prepared_statement(creator):
    """The generic plan of a prepared statement knows no parameter values: with the hold's status
    bound, the partial index (WHERE status = 'held') could not serve it."""
    from django.db import connection

    from studio import selectors

    with connection.cursor() as cursor:
        sql = []
        with connection.execute_wrapper(lambda execute, q, *args: sql.append(q) or execute(q, *args)):
            selectors.active_job_count(account=credit_account_for(user=creator))
        statement = sql[-1].replace("%s", "$1")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE active_jobs (bigint) AS {statement}")
        cursor.execute("EXPLAIN EXECUTE active_jobs (1)")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE active_jobs")
    assert "hold_account_open_idx" in plan, plan


# --- cancel, retry, sweeper -----------------------------------------------------------------------

def test_cancelling_a_queued_job_releases_at_once(creator, hero):
    job = jobs.character_image_request(user=creator, character=hero)
    jobs.job_cancel(job=job)
    job.refresh_from_db()
    assert job.status == "cancelled" and settlements(job) == ["release"]
    worker.job_execute(job.pk)  # its message arrives later: nothing happens
    assert job.hold.status == "released" and not MediaAsset.objects.exists()


def test_cancelling_a_running_job_stops_it_at_the_next_checkpoint(creator, hero, monkeypatch):
    from aiproviders import router

    job = jobs.character_image_request(user=creator, character=hero)
    real = router.generate_image

    def slow(*args, **kwargs):
        jobs.job_cancel(job=Generation.objects.get(pk=job.pk))  # the creator clicks Cancel meanwhile
        return real(*args, **kwargs)

    monkeypatch.setattr(router, "generate_image", slow)
    worker.job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == "cancelled" and settlements(job) == ["release"] and not MediaAsset.objects.exists()


def test_retry_makes_a_new_job_with_the_same_params(creator, hero):
    job = jobs.character_image_request(user=creator, character=hero, prompt="laughing")
    jobs.job_cancel(job=job)
    again = jobs.job_retry(job=Generation.objects.get(pk=job.pk))
    assert again.pk != job.pk and again.params == job.params and again.hold_id != job.hold_id
    with pytest.raises(jobs.InvalidJob):
        jobs.job_retry(job=again)


def test_sweeper_requeues_lost_messages_then_fails_and_releases(creator, hero, monkeypatch):
    from studio import tasks

    sent = []
    monkeypatch.setattr(tasks.run_generation, "apply_async", lambda *a, **k: sent.append(k))
    job = jobs.character_image_request(user=creator, character=hero)
    later = timezone.now() + worker.REQUEUE_AFTER + timezone.timedelta(seconds=1)

    assert worker.jobs_sweep(now=later) == {"requeued": 1, "failed": 0}
    assert worker.jobs_sweep(now=later) == {"requeued": 0, "failed": 0}  # requeued just now
    assert worker.jobs_sweep(now=later + worker.REQUEUE_AFTER * 2)["requeued"] == 1
    assert worker.jobs_sweep(now=later + worker.REQUEUE_AFTER * 4) == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == "failed" and job.error_code == "timeout" and settlements(job) == ["release"]
    assert len(sent) == 2


def test_sweeper_fails_a_job_stuck_running_and_a_late_worker_changes_nothing(creator, hero):
    job = jobs.character_image_request(user=creator, character=hero)
    worker.job_claim(job.pk)  # a worker took it ... and died
    assert worker.jobs_sweep(now=timezone.now() + timezone.timedelta(minutes=11)) == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == "failed" and settlements(job) == ["release"]
    worker.job_execute(job.pk)
    assert settlements(job) == ["release"] and not MediaAsset.objects.exists()


# --- staleness and ownership ----------------------------------------------------------------------

def test_images_go_out_of_date_when_a_visual_field_changes(creator, hero, celery_eager,
                                                           django_capture_on_commit_callbacks):
    job = run(django_capture_on_commit_callbacks, jobs.character_image_request, user=creator, character=hero)
    assets = [job.output_asset]
    assert prompts.stale_asset_ids(hero, assets) == set()

    services.character_update(character=hero, backstory="She lost her brother to the storm.")
    hero.refresh_from_db()
    assert prompts.stale_asset_ids(hero, assets) == set()  # not a visual field

    services.character_update(character=hero, clothing="a red raincoat")
    hero.refresh_from_db()
    assert prompts.stale_asset_ids(hero, assets) == {job.output_asset.pk}


def test_another_creators_reference_is_refused(creator, hero, outsider, settings):
    theirs = make_project(outsider, characters=0, scenes=0)
    their_image = media_services.asset_store(data=png(), mime="image/png", owner=outsider, target=target_of(theirs))
    with pytest.raises(jobs.InvalidJob):
        jobs.character_image_request(user=creator, character=hero, reference=their_image)
    assert not Generation.objects.exists()


def test_trial_counter_moves_on_success_only(user, settings, tmp_path, celery_eager, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    project = make_project(user, characters=1, scenes=0)
    character = project.characters.get()
    account = credit_account_for(user=user)
    assert account.plan.is_trial
    run(django_capture_on_commit_callbacks, jobs.character_image_request, user=user, character=character)
    account.refresh_from_db()
    assert account.trial_generations_used == 1
