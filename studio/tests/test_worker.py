"""Jobs through a real Celery worker on Redis, started by the test in its own process (the
`local` provider, the test database, shared files). And a worker killed with SIGKILL mid-job:
the job must end succeeded, or failed and released — never charged twice, never lost.

How the kill is tested: the worker runs an 8-second animation (a few seconds of rendering); the
test polls the database until the job is `running` (no fixed sleep), then the whole worker
process group gets SIGKILL, and the job must still be `running`. The task was acknowledged late,
so its message is not lost. The sweeper (run with a clock past the running timeout) fails the job
and releases its hold; a second worker then starts on the same queues and runs a new job — should
the broker redeliver the old message, the claim (a conditional update from `queued`) refuses it.
The test checks the ledger every time: one settlement, and the account's sums agree."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from credits.models import LedgerEntry
from credits.selectors import credit_account_for
from credits.tests.factories import assert_consistent
from media import services as media_services
from media.tests.conftest import png
from studio.gallery import services as gallery_services
from studio.generate import jobs
from studio.generate import worker as job_worker
from studio.models import Generation
from studio.targets import target_of

from .factories import give_plan, make_project

pytestmark = [pytest.mark.requires_postgres, pytest.mark.requires_redis]

ROOT = Path(__file__).resolve().parents[2]
# Parallel test runs (other checkouts, other database names) share the Redis server: each run's
# broker keys carry its own prefix, so no other run's worker takes its tasks or wipes its queues.
# Database 10, not 9: runs from before the prefix emptied database 9 whole.
BROKER_DB = 10


def _celery_bin() -> str:
    return str(Path(sys.executable).with_name("celery"))


class Worker:
    def __init__(self, broker: dict, media_root: str):
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "modo.settings.test", "WORKER_BROKER_URL": broker["url"],
                    "WORKER_BROKER_PREFIX": broker["prefix"], "WORKER_DATABASE_NAME": connection.settings_dict["NAME"],
                    "WORKER_MEDIA_ROOT": media_root}
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [_celery_bin(), "-A", "modo", "worker", "-Q", "default,image,video", "--concurrency", "1",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
            cwd=ROOT, env=self.env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return self

    def kill(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def broker(settings):
    """The test process sends tasks to Redis too (the app's producer pool is rebuilt for it), under
    this run's key prefix; its keys are removed before and after."""
    import redis

    from modo.celery import app

    url = f"{settings.TEST_REDIS_URL.rsplit('/', 1)[0]}/{BROKER_DB}"
    prefix = f"modo-test:{connection.settings_dict['NAME']}:{os.getpid()}:"

    def clear():
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
        client.close()

    clear()
    old = app.conf.broker_url, app.conf.broker_transport_options
    app.conf.broker_url = url
    app.conf.broker_transport_options = {"global_keyprefix": prefix}
    app._pool = None
    app.amqp._producer_pool = None
    yield {"url": url, "prefix": prefix}
    app.conf.broker_url, app.conf.broker_transport_options = old
    app._pool = None
    app.amqp._producer_pool = None
    clear()


@pytest.fixture
def worker(broker, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    started = []

    def start():
        started.append(Worker(broker, str(tmp_path)).start())
        return started[-1]

    yield start
    for w in started:
        w.stop()


@pytest.fixture
def creator(transactional_db, seeded_defaults, user):
    give_plan(user, "pro")
    return user


def wait_for(job, statuses, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job still {job.status} after {seconds}s: {job.progress_message}")


def settlements(job):
    return list(LedgerEntry.objects.filter(hold_id=job.hold_id).exclude(kind="hold").values_list("kind", flat=True))


def test_each_kind_of_job_runs_on_a_real_worker(creator, worker):
    project = make_project(creator, characters=2, scenes=1)
    cast = list(project.characters.all())
    w = worker()

    portrait = wait_for(jobs.character_image_request(user=creator, character=cast[0]), {"succeeded", "failed"})
    assert portrait.status == "succeeded", portrait.error_message
    assert settlements(portrait) == ["capture"] and portrait.output_asset.storage_key

    for character in cast:
        sheet = media_services.asset_store(data=png(48, 48), mime="image/png", owner=creator,
                                           target=target_of(character))
        gallery_services.asset_set_primary(asset=sheet)
    board = project.moodboards.create(title="Pier")
    board.characters.set(cast)
    mood = wait_for(jobs.moodboard_request(user=creator, moodboard=board), {"succeeded", "failed"})
    assert mood.status == "succeeded", mood.error_message
    assert settlements(mood) == ["capture"]

    clip = wait_for(jobs.animation_request(user=creator, source=mood.output_asset, duration=3), {"succeeded", "failed"})
    assert clip.status == "succeeded", clip.error_message
    assert clip.output_asset.media_type == "video" and settlements(clip) == ["capture"]
    assert w.process.poll() is None


def wait_until_running(job, seconds=30):
    """Polls (bounded) until the worker has claimed the job. A job seen finished first fails the
    test: it ended before it could be killed mid-run, so the kill would prove nothing."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == "running":
            return job
        assert job.status == "queued", f"job {job.status} before it was seen running: {job.error_message}"
        time.sleep(0.02)
    raise AssertionError(f"job still {job.status} after {seconds}s: no worker claimed it")


def test_a_worker_killed_mid_job_never_charges_twice_or_loses_the_job(creator, worker):
    project = make_project(creator, characters=1, scenes=0)
    character = project.characters.get()
    source = media_services.asset_store(data=png(1280, 720), mime="image/png", owner=creator,
                                        target=target_of(character))
    first = worker()
    job = jobs.animation_request(user=creator, source=source, duration=8)
    wait_until_running(job)
    assert first.process.poll() is None  # the worker holding the job is alive: the kill lands mid-job
    first.kill()

    job.refresh_from_db()
    assert job.status == "running", "the job finished before the kill landed"
    assert settlements(job) == []  # killed before it could capture or release

    # Recovery, every time: the sweeper fails the orphaned job and releases its hold ...
    past_timeout = timezone.now() + job_worker.RUNNING_TIMEOUT[Generation.Kind.ANIMATION] + timezone.timedelta(seconds=1)
    assert job_worker.jobs_sweep(now=past_timeout)["failed"] == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.error_message
    assert settlements(job) == ["release"]

    # ... and a fresh worker on the same queues takes new work without touching the old job (a
    # redelivered message would be refused by the claim). The new job finishing is the bounded wait.
    worker()
    after = wait_for(jobs.character_image_request(user=creator, character=character), {"succeeded", "failed"})
    assert after.status == "succeeded", after.error_message

    job.refresh_from_db()
    assert job.status == "failed"
    assert settlements(job) == ["release"]
    assert job.hold.status == "released"
    assert_consistent(credit_account_for(user=creator))
