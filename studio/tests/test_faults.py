"""Fault rehearsals: something real is killed or cut off (a worker process, the broker, a
storage write, Redis, the database) and afterwards the money and the jobs must still add up.
Each case's docstring says what it killed and what it checked afterwards. Every wait is bounded.

What "add up" means, checked after every fault (settled_cleanly): the account's ledger sums equal
its balances (credits.tests.factories.assert_consistent), no hold is left held, and the creator's
request made exactly one job and at most one output."""

import contextlib
import io
import os
import time

import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.utils import timezone
from PIL import Image

from credits.models import Hold
from credits.selectors import credit_account_for
from credits.tests.factories import assert_consistent
from media import services as media_services
from media.models import MediaAsset
from studio import selectors
from studio.generate import jobs
from studio.generate import worker as job_worker
from studio.models import Generation
from studio.targets import target_of

from . import test_worker
from .factories import give_plan, make_project
from .test_worker import Worker, settlements, wait_for, wait_until_running

broker = test_worker.broker  # the fixture: this run's own prefix on the Redis broker

LEASE = 3  # seconds: a worker started here renews every second; a dead one is noticed in three


def settled_cleanly(user, *jobs_made):
    """The ledger agrees with the balances, no hold is left held, one output at most per job."""
    assert_consistent(credit_account_for(user=user))
    assert not Hold.objects.filter(account__user=user, status=Hold.Status.HELD).exists()
    assert Generation.objects.filter(owner=user).count() == len(jobs_made)
    for job in jobs_made:
        assert MediaAsset.objects.filter(params__job=str(job.public_id), deleted_at__isnull=True).count() <= 1


@pytest.fixture
def creator(transactional_db, seeded_defaults, user, settings):
    settings.GENERATION_LEASE_SECONDS = LEASE
    give_plan(user, "pro")
    return user


@pytest.fixture
def start_worker(broker, settings, tmp_path):
    """Real Celery workers (test_worker.py's harness) whose leases last LEASE seconds and whose
    heartbeat beats every second (so it is gone three seconds after its worker)."""
    settings.MEDIA_ROOT = str(tmp_path)
    started = []

    def start():
        w = Worker(broker, str(tmp_path))
        w.env.update(GENERATION_LEASE_SECONDS=str(LEASE), WORKER_HEARTBEAT_SECONDS="1")
        started.append(w.start())
        return w

    yield start
    for w in started:
        w.stop()


def wait_lease_expired(job, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.lease_expires_at and job.lease_expires_at < timezone.now():
            return
        time.sleep(0.2)
    raise AssertionError(f"the lease of a dead worker's job was still live after {seconds}s")


def noise_png(width: int, height: int | None = None) -> bytes:
    """A PNG that does not compress: width × height (or width²) × 3 bytes of random pixels."""
    out = io.BytesIO()
    height = height or width
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "PNG")
    return out.getvalue()


def animation_source(creator):
    """A picture of noise: every frame of its pan and zoom is new to the encoder, so the offline
    renderer works for several leases on any machine here (a flat colour took one lease at most)."""
    character = make_project(creator, characters=1, scenes=0).characters.get()
    return media_services.asset_store(data=noise_png(1280, 720), mime="image/png", owner=creator,
                                      target=target_of(character))


# --- 1. a worker SIGKILLed mid-job ---------------------------------------------------------------

@pytest.mark.requires_postgres
@pytest.mark.requires_redis
def test_a_job_whose_worker_was_killed_is_taken_over_within_its_lease(creator, start_worker):
    """Killed: the worker process group (SIGKILL) while it renders an 8-second animation.
    Checked: the job stays `running` with its hold, counts against the cap only while its lease
    lasts, then the sweeper puts it back as "Retrying…"; a second worker finishes it — one job,
    one output, one capture, the ledger consistent, no hold left."""
    source = animation_source(creator)
    first = start_worker()
    job = jobs.animation_request(user=creator, source=source, duration=8, idempotency_key="kill-me")
    wait_until_running(job)
    first.kill()
    job.refresh_from_db()
    assert job.status == "running" and settlements(job) == [], "the job finished before the kill landed"

    wait_lease_expired(job)
    assert selectors.active_job_count(account=credit_account_for(user=creator)) == 0  # an orphan does not block new work
    assert job_worker.jobs_sweep() == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert (job.status, job.progress_text) == ("queued", "Retrying…")

    start_worker()
    job = wait_for(job, {"succeeded", "failed"}, seconds=90)
    assert job.status == "succeeded", job.error_message
    assert job.attempts == 2 and settlements(job) == ["capture"]
    settled_cleanly(creator, job)


@pytest.mark.requires_postgres
@pytest.mark.requires_redis
def test_a_live_worker_keeps_its_lease_while_it_works(creator, start_worker):
    """Killed: nothing — the control case. A worker renders an 8-second animation for longer
    than one lease. Checked: the sweeper, run after each lease has lapsed, never takes the job
    from its living worker; it succeeds on its first attempt with one capture."""
    source = animation_source(creator)
    start_worker()
    job = jobs.animation_request(user=creator, source=source, duration=8)
    wait_until_running(job)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status != "running":
            break
        assert job_worker.jobs_sweep()["requeued"] == 0
        assert selectors.active_job_count(account=credit_account_for(user=creator)) == 1
        time.sleep(1)
    job = wait_for(job, {"succeeded", "failed"}, seconds=60)
    assert job.status == "succeeded" and job.attempts == 1, job.error_message
    assert (job.finished_at - job.started_at).total_seconds() > LEASE, "it ran within one lease: this proved nothing"
    assert settlements(job) == ["capture"]
    settled_cleanly(creator, job)


@pytest.mark.django_db
def test_an_orphan_is_claimed_again_by_a_redelivered_message_but_not_forever(user, seeded_defaults, settings, tmp_path):
    """Killed: a worker, simulated by a lease left to expire (no process needed for this one).
    Checked: a redelivered message claims the orphan (attempt 2, "Retrying…"), a live lease is
    refused, a worker that lost the job cannot settle it; past MAX_ATTEMPTS the sweeper fails it
    and releases the hold — the ledger consistent, no hold left."""
    settings.MEDIA_ROOT = str(tmp_path)
    give_plan(user, "pro")
    character = make_project(user, characters=1, scenes=0).characters.get()
    job = jobs.character_image_request(user=user, character=character)
    old = job_worker.job_claim(job.pk)
    assert job_worker.job_claim(job.pk) is None  # its lease is live

    Generation.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timezone.timedelta(seconds=1))
    new = job_worker.job_claim(job.pk)
    assert new is not None and new.attempts == 2 and new.progress_text == "Retrying…"
    job_worker._progress(old, 50, "Drawing…")
    assert Generation.objects.get(pk=job.pk).progress == 5  # the old attempt's writes are refused
    with pytest.raises(job_worker._Stop):
        job_worker._stop_if_cancelled(old)  # the worker presumed dead wakes up and stops

    Generation.objects.filter(pk=job.pk).update(attempts=job_worker.MAX_ATTEMPTS,
                                                lease_expires_at=timezone.now() - timezone.timedelta(seconds=1))
    assert job_worker.job_claim(job.pk) is None
    assert job_worker.jobs_sweep() == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert (job.status, job.error_code, settlements(job)) == ("failed", "worker_lost", ["release"])
    settled_cleanly(user, job)


# --- 2. a broker blip after the result is stored --------------------------------------------------

@pytest.mark.django_db(transaction=True)  # on_commit runs as in production: at once, inside the worker
def test_a_broker_blip_after_the_image_is_stored_does_not_fail_the_job(user, seeded_defaults, settings, tmp_path,
                                                                      request):
    """Killed: the broker, at the moment the worker has stored the image and sends its thumbnail
    task (kombu's publish raises, as it does when Redis drops the connection). Checked: the job
    still succeeds and is charged once — the creator never keeps an output that was released —
    and the sweeper, with the broker back, sends the thumbnail again; the ledger consistent, no
    hold left."""
    from kombu.exceptions import OperationalError
    from kombu.messaging import Producer

    settings.MEDIA_ROOT = str(tmp_path)
    give_plan(user, "pro")
    character = make_project(user, characters=1, scenes=0).characters.get()
    job = jobs.character_image_request(user=user, character=character)

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Producer, "publish", broker_down)
        job_worker.job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error_message
    assert settlements(job) == ["capture"] and job.output_asset.thumbnail == ""

    request.getfixturevalue("celery_eager")  # the broker is back: the thumbnail is made in-process
    job_worker.jobs_sweep(now=timezone.now() + job_worker.THUMBNAIL_GRACE + timezone.timedelta(seconds=1))
    job.output_asset.refresh_from_db()
    assert job.output_asset.thumbnail, "the sweeper did not send the thumbnail again"
    settled_cleanly(user, job)


# --- 3. a write that fails part-way ----------------------------------------------------------------



def files_under(root) -> list:
    import os

    return [os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names]


@pytest.mark.django_db
def test_a_write_cut_off_by_file_too_large_leaves_no_file_and_no_row(user, settings, tmp_path):
    """Killed: the file write, for real — the process's file size limit (RLIMIT_FSIZE) is set
    below the image's size, so the kernel refuses the write part-way with EFBIG "File too large"
    after the first bytes landed on disk. Checked: the error reaches the caller, and nothing is
    left under MEDIA_ROOT and no MediaAsset row."""
    import resource
    import signal

    settings.MEDIA_ROOT = str(tmp_path)
    character = make_project(user, characters=1, scenes=0).characters.get()
    data = noise_png(300)  # ~270 kB, written in 64 kB chunks
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an error from write(), not a killed process
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, hard))
    try:
        with pytest.raises(OSError, match="File too large"):
            media_services.asset_store(data=data, mime="image/png", owner=user, target=target_of(character))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old_handler)
    assert files_under(tmp_path) == []
    assert not MediaAsset.objects.exists()


# --- 4. typed refusals when a service is down --------------------------------------------------------

@pytest.mark.django_db
def test_redis_down_refuses_a_generation_with_a_typed_503(client, user, seeded_defaults, settings, tmp_path):
    """Killed: Redis for the rate limits — RATE_LIMIT_REDIS_URL points at a closed port, so the
    real client's connection is refused. Checked: the API answers 503 SERVICE_UNAVAILABLE in the
    envelope with Retry-After (not a 500), no job was made and no hold taken; the ledger consistent."""
    import json

    from accounts.tests.factories import bearer

    settings.MEDIA_ROOT = str(tmp_path)
    settings.RATE_LIMIT_REDIS_URL = "redis://127.0.0.1:1/0"
    give_plan(user, "pro")
    character = make_project(user, characters=1, scenes=0).characters.get()
    response = client.post("/api/v1/generate/character", json.dumps({"character": str(character.public_id)}),
                           content_type="application/json", **bearer(user))
    assert response.status_code == 503, response.content
    assert response.json()["error"] == "SERVICE_UNAVAILABLE" and int(response["Retry-After"]) > 0
    settled_cleanly(user)
    assert not Hold.objects.exists()


@pytest.mark.requires_postgres
def test_healthz_answers_its_json_503_with_the_database_down_even_with_a_session_cookie(db):
    """Killed: the database, for real — a separate process runs the app against a database that
    does not exist, so every connection attempt fails with OperationalError. Checked: /healthz
    with a session cookie still answers its JSON 503 naming the database (before, the user
    lookup raised first and an HTML 500 came back)."""
    import json
    import os
    import subprocess
    import sys

    from django.db import connection

    script = ("import django, json; django.setup(); from django.test import Client; "
              "r = Client(raise_request_exception=False).get('/healthz', HTTP_COOKIE='sessionid=abcdefghijklmnopqrstuvwxyz012345'); "
              "print(json.dumps({'status': r.status_code, 'type': r['Content-Type'], 'body': r.content.decode()}))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "modo.settings.test", "WORKER_BROKER_URL": "memory://",
           "WORKER_DATABASE_NAME": f"{connection.settings_dict['NAME']}_missing"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60,
                          cwd=test_worker.ROOT)
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert (answer["status"], answer["type"]) == (503, "application/json"), done.stderr[-2000:]
    assert json.loads(answer["body"])["checks"]["database"] == "error"


# --- 5. a task delivered while PostgreSQL is down ---------------------------------------------------

@contextlib.contextmanager
def connections_to_test_database(*, allowed: bool):
    """Sets whether the test database accepts new connections, for the block (said from the
    server's maintenance database: a database cannot refuse the session that asks)."""
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    params = {k: v for k, v in params.items() if k in ("host", "port", "user", "password")}
    name = connection.ops.quote_name(connection.settings_dict["NAME"])

    def allow(value: bool):
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS {'true' if value else 'false'}")

    allow(allowed)
    try:
        yield
    finally:
        allow(True)


@pytest.mark.requires_postgres
@pytest.mark.requires_redis
def wait_retried(broker, seconds=30):
    """Polls (bounded) the broker until the worker holds a retry of a task (its message carries
    `retries` ≥ 1): the task met the database down and was sent again, not acknowledged and lost."""
    import json

    import redis

    client = redis.Redis.from_url(broker["url"])
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            for raw in client.hvals(f"{broker['prefix']}unacked"):
                if json.loads(raw)[0]["headers"].get("retries", 0) >= 1:
                    return
            time.sleep(0.2)
    finally:
        client.close()
    raise AssertionError(f"no retried task in the broker after {seconds}s")


def test_a_job_delivered_while_the_database_refuses_connections_retries_itself(creator, start_worker, broker):
    """Killed: PostgreSQL for the worker, for real — the test database stops accepting new
    connections (ALTER DATABASE … ALLOW_CONNECTIONS false; this process keeps the one it has)
    while a worker starts and receives the job's task. Checked: the task was not lost — once
    connections are allowed again the job succeeds by itself, well before the sweeper's two
    minutes, with one capture; the ledger consistent, no hold left."""
    character = make_project(creator, characters=1, scenes=0).characters.get()
    with connections_to_test_database(allowed=False):
        start_worker()
        job = jobs.character_image_request(user=creator, character=character)
        wait_retried(broker)  # the worker took the task, failed to reach the database, and sent it again
        job.refresh_from_db()
        assert job.status == "queued" and job.attempts == 0
    job = wait_for(job, {"succeeded", "failed"}, seconds=60)
    assert job.status == "succeeded", job.error_message
    assert (job.finished_at - job.queued_at).total_seconds() < job_worker.REQUEUE_AFTER.total_seconds()
    assert settlements(job) == ["capture"]
    settled_cleanly(creator, job)


# --- 6. a dead worker is impossible to miss ---------------------------------------------------------

def wait_alive(queue: str, expected: bool, seconds=30):
    from modo import workers

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if workers.alive(queue) == expected:
            return
        time.sleep(0.2)
    raise AssertionError(f"queue {queue}: alive is not {expected} after {seconds}s")


@pytest.mark.requires_postgres
@pytest.mark.requires_redis
def test_with_no_live_worker_jobs_are_refused_and_healthz_says_so(client, creator, start_worker, settings):
    """Killed: the only worker (SIGKILL), with GENERATION_REQUIRE_WORKERS on as in production.
    Checked: before any worker and after the kill (its heartbeat gone within three beats),
    /healthz/workers answers 503 naming the queue and a generation request is refused with a
    typed 503 SERVICE_UNAVAILABLE — nothing held; with the worker alive the job runs. Afterwards
    one job, one capture, the ledger consistent, no hold left."""
    import json

    from accounts.tests.factories import bearer

    settings.GENERATION_REQUIRE_WORKERS = True
    character = make_project(creator, characters=1, scenes=0).characters.get()

    def generate():
        return client.post("/api/v1/generate/character", json.dumps({"character": str(character.public_id)}),
                           content_type="application/json", **bearer(creator))

    from django.core.cache import cache

    from modo import workers

    cache.delete_many([workers._key(q) for q in ("default", "image", "video")])  # earlier tests' stopped workers
    assert client.get("/healthz/workers").json()["queues"]["image"] == "missing"
    refused = generate()
    assert refused.status_code == 503 and refused.json()["error"] == "SERVICE_UNAVAILABLE", refused.content
    assert refused["Retry-After"] and not Generation.objects.exists()

    w = start_worker()
    wait_alive("image", True)
    health = client.get("/healthz/workers")
    assert health.status_code == 200 and health.json()["queues"] == {"default": "ok", "image": "ok", "video": "ok"}
    accepted = generate()
    assert accepted.status_code == 202, accepted.content
    job = wait_for(Generation.objects.get(), {"succeeded", "failed"})
    assert job.status == "succeeded", job.error_message

    w.kill()
    wait_alive("image", False, seconds=10)
    assert client.get("/healthz/workers").status_code == 503
    assert generate().status_code == 503
    assert settlements(job) == ["capture"]
    settled_cleanly(creator, job)


# --- 7. the backup and restore drill ----------------------------------------------------------------

def seed_secrets(user):
    from aiproviders.models import Provider
    from media.models import DriveConnection
    from modo import crypto

    Provider.objects.create(name="Drill OpenAI", kind=Provider.Kind.OPENAI, api_key_encrypted=crypto.encrypt("sk-drill"))
    drive = DriveConnection(user=user, drive_email="drill@example.com")
    drive.access_token, drive.refresh_token = "ya29.drill", "1//drill"
    drive.save()
    return drive


@pytest.mark.requires_postgres
def test_the_backup_drill_restores_a_seeded_database_and_opens_every_secret(transactional_db, seeded_defaults, user):
    """Killed: nothing live — the database is dumped (pg_dump -Fc), restored into a new database
    and the copy is checked (`check`, row counts, every balance equals its ledger, every
    encrypted secret opens with the keys and none with a wrong key), then dropped. Checked: the
    drill passes on a seeded database with a job's hold, a provider key and Drive tokens; then a
    secret sealed with another key makes it fail, naming the row; no drill database is left."""
    import os
    import subprocess
    import sys

    from django.db import connection

    from modo import crypto

    def drill():  # as ops run it: its own process, on this test database
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "modo.settings.test", "WORKER_BROKER_URL": "memory://",
               "WORKER_DATABASE_NAME": connection.settings_dict["NAME"]}
        return subprocess.run([sys.executable, "manage.py", "backup_drill"], env=env, capture_output=True, text=True,
                              timeout=300, cwd=test_worker.ROOT)

    give_plan(user, "pro")
    drive = seed_secrets(user)
    jobs.character_image_request(user=user, character=make_project(user, characters=1, scenes=0).characters.get())

    passed = drill()
    assert passed.returncode == 0, passed.stderr[-3000:]
    assert "Backup drill passed." in passed.stdout
    assert "3 secret(s) open with the configured keys and not with a wrong one." in passed.stdout

    foreign = MultiFernet([Fernet(Fernet.generate_key())]).encrypt(b"stolen").decode()
    type(drive).objects.filter(pk=drive.pk).update(refresh_token_encrypted=foreign)
    failed = drill()
    assert failed.returncode != 0 and f"refresh_token_encrypted #{drive.pk} does not open" in failed.stderr, failed.stderr

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", [f"{connection.settings_dict['NAME']}_drill_%"])
        assert cursor.fetchone()[0] == 0
    assert crypto.decrypt(Generation.objects.get().owner.drive.access_token_encrypted) == "ya29.drill"
