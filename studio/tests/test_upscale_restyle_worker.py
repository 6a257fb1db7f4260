"""Upscale and restyle on a real Celery worker (its own process, Redis broker, the test's
PostgreSQL database; test_worker.py's harness): success with exactly the quoted credits captured,
a provider failure released, a cancelled job released and never run, and a plan without the
feature refused with 403 PLAN_REQUIRED before anything is held. The ledger is checked each time."""

import json

import pytest

from accounts.tests.factories import bearer
from aiproviders.models import AIModel
from credits.models import Hold
from credits.selectors import credit_account_for
from credits.tests.factories import assert_consistent
from media import services as media_services
from media.tests.conftest import png
from studio.generate import jobs, restyle, upscale
from studio.models import Generation
from studio.targets import target_of

from . import test_worker
from .factories import give_plan, make_project
from .test_worker import settlements, wait_for

pytestmark = [pytest.mark.requires_postgres, pytest.mark.requires_redis]

broker = test_worker.broker  # the fixtures: this run's own prefix on the Redis broker, and its workers
worker = test_worker.worker


@pytest.fixture
def creator(transactional_db, seeded_defaults, user):
    give_plan(user, "basic")  # the first plan that sells upscale
    return user


@pytest.fixture
def photo(creator, worker):  # after `worker`: the file goes under the MEDIA_ROOT the workers share
    project = make_project(creator, characters=1, scenes=0)
    return media_services.asset_store(data=png(64, 48), mime="image/png", owner=creator,
                                      target=target_of(project.characters.get()), source_type="uploaded")


def balance(user) -> int:
    return credit_account_for(user=user).available


@pytest.mark.parametrize("kind", ["upscale", "restyle"])
def test_each_kind_succeeds_on_a_real_worker_with_exactly_its_price_captured(creator, photo, worker, kind):
    worker()
    before = balance(creator)
    if kind == "upscale":
        job = upscale.upscale_request(user=creator, source=photo, scale=4)
    else:
        job = restyle.restyle_request(user=creator, source=photo, style="plush", size="small")
    job = wait_for(job, {"succeeded", "failed"})
    assert job.status == "succeeded", job.error_message
    hold = Hold.objects.get(pk=job.hold_id)
    assert (job.credits_quoted, job.cost_charged, hold.captured_amount, hold.status) == (5, 5, 5, "captured")
    assert settlements(job) == ["capture"] and balance(creator) == before - 5
    out = job.output_asset
    assert out.derived_from_id == photo.pk and (out.target_kind, out.target_id) == (photo.target_kind, photo.target_id)
    assert (out.width, out.height) == ((256, 192) if kind == "upscale" else (768, 512))
    assert out.storage_key and out.params["kind"] == kind
    assert_consistent(credit_account_for(user=creator))


@pytest.mark.parametrize("kind", ["upscale", "restyle"])
def test_a_provider_failure_on_a_real_worker_releases_the_hold(creator, photo, worker, kind):
    """The offline provider cannot read the source (its bytes are not an image): a permanent
    provider error, so the job fails at once and its credits come back."""
    broken = media_services.asset_store(data=b"\x89PNG\r\n\x1a\nnot really a png", mime="image/png", owner=creator,
                                        target=target_of(photo.project), width=64, height=48)
    worker()
    before = balance(creator)
    job = (upscale.upscale_request(user=creator, source=broken, scale=2) if kind == "upscale"
           else restyle.restyle_request(user=creator, source=broken, style="anime"))
    assert balance(creator) == before - 5  # held while it runs
    job = wait_for(job, {"succeeded", "failed"})
    assert (job.status, job.error_code, job.cost_charged) == ("failed", "bad_image", 0)
    assert settlements(job) == ["release"] and balance(creator) == before and job.output_asset is None
    assert_consistent(credit_account_for(user=creator))


def test_cancelled_jobs_are_released_and_never_run_by_the_worker(creator, photo, worker):
    """Cancelled while queued (before any worker is up): released at once. The worker then gets
    their messages first (FIFO) and a later job behind them: once that one is done, the cancelled
    ones were seen and refused by the claim."""
    before = balance(creator)
    queued = [upscale.upscale_request(user=creator, source=photo, scale=2),
              restyle.restyle_request(user=creator, source=photo, style="cartoon")]
    assert balance(creator) == before - 10
    for job in queued:
        assert jobs.job_cancel(job=job).status == "cancelled"
    assert balance(creator) == before
    worker()
    later = wait_for(upscale.upscale_request(user=creator, source=photo, scale=2), {"succeeded", "failed"})
    assert later.status == "succeeded", later.error_message
    for job in queued:
        job.refresh_from_db()
        assert (job.status, job.attempts, job.output_asset_id, settlements(job)) == ("cancelled", 0, None, ["release"])
    assert balance(creator) == before - 5
    assert_consistent(credit_account_for(user=creator))


def test_a_plan_without_the_feature_is_refused_before_any_hold_with_a_worker_running(client, user, seeded_defaults,
                                                                                     transactional_db, worker):
    """Upscale needs feature_upscale (Free has none); restyle is on every seeded plan at the image
    price (feature_restyle: test_restyle_plan.py), and what Free lacks for it here is the premium
    model asked for. Both: 403 PLAN_REQUIRED, and no hold, no job, nothing sent to the worker."""
    give_plan(user, "free")
    project = make_project(user, characters=1, scenes=0)
    source = media_services.asset_store(data=png(), mime="image/png", owner=user, target=target_of(project))
    premium = AIModel.objects.select_related("provider").get(model_id="gpt-image-1")
    premium.provider.enabled = True
    premium.provider.save()
    AIModel.objects.filter(pk=premium.pk).update(enabled=True)
    w = worker()
    for path, body in (("/api/v1/generate/upscale", {"source_asset": str(source.public_id), "scale": 2}),
                       ("/api/v1/generate/restyle", {"source_asset": str(source.public_id), "style": "anime",
                                                     "model": premium.pk})):
        response = client.post(path, json.dumps(body), content_type="application/json", **bearer(user))
        assert (response.status_code, response.json()["error"]) == (403, "PLAN_REQUIRED"), response.content
    assert not Hold.objects.exists() and not Generation.objects.exists()
    assert w.process.poll() is None
    assert_consistent(credit_account_for(user=user))
