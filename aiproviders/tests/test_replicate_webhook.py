"""POST /api/v1/webhooks/replicate: a signed "prediction completed" webhook finishes the running
animation job at once (through the job's own poll, which re-reads the prediction with our key);
anything unsigned, stale, replayed or unknown changes nothing. Replicate's HTTP is stubbed at the
transport (respx), so the replicate client, the router, the ledger and storage run for real."""

import base64
import io
import json
import time

import av
import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image
from replicate.webhook import Webhooks, WebhookSigningSecret

from aiproviders import router as ai_router
from aiproviders import services as ai_services
from aiproviders.models import AIModel, Provider, WebhookEvent
from aiproviders.webhooks import REPLICATE_WEBHOOK_PATH, WebhookRejected, sign, verify_replicate
from credits.models import Hold, LedgerEntry
from media import services as media_services
from media.models import MediaAsset
from studio.generate import jobs, worker
from studio.models import Generation
from studio.targets import target_of
from studio.tests.factories import give_plan, make_project

from . import stubs

KEY = "r8_webhook-test-SECRET-4c1d"
SECRET = "whsec_" + base64.b64encode(b"replicate-signing-key-0123456789").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"somebody-else-signing-key-98765").decode()
MODEL = "kwaivgi/kling-v2.1"
API = "https://api.replicate.com"
PREDICTION = "p-vid-7k2m"
CLIP = "https://replicate.delivery/xezq/clip.mp4"
SITE = "https://studio.example"


def mp4(size=(64, 48), frames=6) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264" if "libx264" in av.codecs_available else "mpeg4", rate=6)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for _ in range(frames):
            for packet in stream.encode(av.VideoFrame.from_image(Image.new("RGB", size, (200, 40, 40)))):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def signed_headers(body: bytes, *, webhook_id="msg_2xLq9", timestamp=None, secret=SECRET) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {"webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": f"v1,{sign(body=body, webhook_id=webhook_id, timestamp=timestamp, secret=secret)}"}


def completed(prediction_id=PREDICTION, status="succeeded") -> bytes:
    # The body's output URL is not ours to fetch: the poll asks Replicate for the prediction again.
    return json.dumps(stubs.prediction(prediction_id, status, model=MODEL, input={"duration": 5},
                                       output="https://attacker.example/swap.mp4")).encode()


def deliver(body: bytes, headers: dict):
    client = Client(enforce_csrf_checks=True)  # a public endpoint: no CSRF token to send
    return client.post(REPLICATE_WEBHOOK_PATH, data=body, content_type="application/json", headers=headers)


def stub_replicate(mock):
    """The prediction as Replicate's API tells it (with our key), and its MP4; plus a trap for the
    URL written in the webhook body."""
    poll = mock.get(f"{API}/v1/predictions/{PREDICTION}").respond(200, json=stubs.prediction(
        PREDICTION, "succeeded", model=MODEL, input={"duration": 5}, output=CLIP))
    download = mock.get(CLIP).respond(200, content=mp4(), headers={"content-type": "video/mp4"})
    trap = mock.get("https://attacker.example/swap.mp4").respond(200, content=b"not our video")
    return poll, download, trap


@pytest.fixture
def configured(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.REPLICATE_WEBHOOK_SECRET = SECRET
    settings.SITE_URL = SITE
    return settings


@pytest.fixture
def replicate_model(db):
    provider = Provider.objects.create(name="Replicate (webhook test)", kind=Provider.Kind.REPLICATE, enabled=True,
                                       timeout_seconds=30, config={"poll_interval": 0})
    ai_services.provider_set_key(provider=provider, api_key=KEY)
    return AIModel.objects.create(provider=provider, model_id=MODEL, display_name="Kling 2.1", type=AIModel.Type.VIDEO,
                                  tier=AIModel.Tier.FAST, cap_i2v=True, durations=[3, 5, 8])


@pytest.fixture
def running_job(user, configured, replicate_model):
    """An animation requested as a creator would, then started by the worker step: Replicate
    answered "starting", so the job runs with the prediction id, and its hold is open."""
    give_plan(user, "pro")  # the first plan with video
    character = make_project(user).characters.first()
    source = media_services.asset_store(data=stubs.png(64, 48), mime="image/png", owner=user,
                                        target=target_of(character))
    job = jobs.animation_request(user=user, source=source, duration=5, model=replicate_model)
    with stubs.mock_http() as mock:
        create = mock.post(f"{API}/v1/models/{MODEL}/predictions").respond(
            201, json=stubs.prediction(PREDICTION, "starting", model=MODEL, input={"duration": 5}))
        worker.job_execute(job.pk)  # its next poll goes to the (in-memory) broker and is never run here
    job.refresh_from_db()
    assert (job.status, job.vendor_job_id) == (Generation.Status.RUNNING, PREDICTION)
    job.create_request = create.calls.last.request
    return job


def assert_untouched(job):
    job.refresh_from_db()
    assert (job.status, job.output_asset_id, job.finishing_at) == (Generation.Status.RUNNING, None, None)
    assert Hold.objects.get(pk=job.hold_id).status == Hold.Status.HELD
    assert not MediaAsset.objects.filter(media_type=MediaAsset.MediaType.VIDEO).exists()


# ------------------------------------------------------------------------------ the happy path


@pytest.mark.django_db
def test_the_job_asks_replicate_to_call_our_webhook(running_job):
    sent = stubs.json_body(running_job.create_request)
    assert (sent["webhook"], sent["webhook_events_filter"]) == (f"{SITE}/api/v1/webhooks/replicate", ["completed"])
    assert reverse("api:replicate_webhook") == REPLICATE_WEBHOOK_PATH


@pytest.mark.django_db
def test_a_signed_completed_webhook_stores_the_video_and_captures_the_hold(
        running_job, celery_eager, django_capture_on_commit_callbacks):
    body = completed()
    with stubs.mock_http() as mock:
        poll, download, trap = stub_replicate(mock)
        with django_capture_on_commit_callbacks(execute=True):
            response = deliver(body, signed_headers(body))

    assert response.status_code == 200
    assert response.json() == {"success": True, "data": {"matched": True}}
    job = Generation.objects.select_related("output_asset", "hold").get(pk=running_job.pk)
    assert job.status == Generation.Status.SUCCEEDED
    asset = job.output_asset
    assert (asset.media_type, asset.mime, asset.target_id) == (MediaAsset.MediaType.VIDEO, "video/mp4", job.target_id)
    assert asset.vendor_request_id == PREDICTION and asset.duration
    assert media_services.asset_open(asset=asset) == download.calls.last.response.content
    assert job.hold.status == Hold.Status.CAPTURED and job.hold.captured_amount == job.cost_charged > 0
    assert LedgerEntry.objects.filter(hold=job.hold, kind=LedgerEntry.Kind.CAPTURE).count() == 1
    # The output came from the prediction as Replicate reports it to us, never from the body.
    assert poll.call_count == 1 and poll.calls.last.request.headers["authorization"] == f"Bearer {KEY}"
    assert not trap.called
    event = WebhookEvent.objects.get()
    assert (event.provider, event.event_id, event.prediction_id, event.status, event.matched) == (
        "replicate", "msg_2xLq9", PREDICTION, "succeeded", True)


@pytest.mark.django_db
def test_a_replayed_webhook_has_no_second_effect(running_job, celery_eager, django_capture_on_commit_callbacks):
    body = completed()
    headers = signed_headers(body)
    with stubs.mock_http() as mock:
        poll, download, _trap = stub_replicate(mock)
        with django_capture_on_commit_callbacks(execute=True):
            first = deliver(body, headers)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            again = deliver(body, headers)

    assert first.json()["data"] == {"matched": True}
    assert again.status_code == 200 and again.json() == {"success": True, "data": {"duplicate": True}}
    assert callbacks == []
    assert (poll.call_count, download.call_count) == (1, 1)
    assert MediaAsset.objects.filter(media_type=MediaAsset.MediaType.VIDEO).count() == 1
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CAPTURE).count() == 1
    assert WebhookEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_new_webhook_for_a_finished_job_matches_nothing(running_job, celery_eager,
                                                          django_capture_on_commit_callbacks):
    body = completed()
    with stubs.mock_http() as mock:
        poll, _download, _trap = stub_replicate(mock)
        with django_capture_on_commit_callbacks(execute=True):
            deliver(body, signed_headers(body, webhook_id="msg_first"))
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            late = deliver(body, signed_headers(body, webhook_id="msg_second"))

    assert late.json() == {"success": True, "data": {"matched": False}}
    assert callbacks == [] and poll.call_count == 1
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CAPTURE).count() == 1


# ------------------------------------------------------------------------------ refusals


def tampered(body, now):
    return body.replace(b'"succeeded"', b'"failed"'), signed_headers(body, timestamp=now)


def wrong_secret(body, now):
    return body, signed_headers(body, timestamp=now, secret=OTHER_SECRET)


def stale(body, now):
    return body, signed_headers(body, timestamp=now - 6 * 60)


def future(body, now):
    return body, signed_headers(body, timestamp=now + 6 * 60)


def without(header):
    def build(body, now):
        headers = signed_headers(body, timestamp=now)
        del headers[header]
        return body, headers

    build.__name__ = f"without_{header}"
    return build


def unknown_version(body, now):
    headers = signed_headers(body, timestamp=now)
    headers["webhook-signature"] = headers["webhook-signature"].replace("v1,", "v2,")
    return body, headers


@pytest.mark.django_db
@pytest.mark.parametrize("forge", [tampered, wrong_secret, stale, future, without("webhook-id"),
                                   without("webhook-timestamp"), without("webhook-signature"), unknown_version],
                         ids=lambda f: f.__name__)
def test_an_unverified_webhook_is_refused_and_changes_nothing(running_job, celery_eager,
                                                              django_capture_on_commit_callbacks, caplog, forge):
    body, headers = forge(completed(), int(time.time()))
    with stubs.mock_http() as mock:
        poll, download, trap = stub_replicate(mock)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = deliver(body, headers)

    assert response.status_code == 400
    answer = response.json()
    assert (answer["success"], answer["error"]) == (False, "INVALID_SIGNATURE") and answer["message"]
    assert callbacks == [] and not (poll.called or download.called or trap.called)
    assert not WebhookEvent.objects.exists()
    assert_untouched(running_job)
    assert SECRET not in caplog.text and SECRET.removeprefix("whsec_") not in caplog.text


@pytest.mark.django_db
def test_an_unknown_prediction_is_acknowledged_without_effect(running_job, django_capture_on_commit_callbacks):
    body = completed(prediction_id="p-somebody-else")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = deliver(body, signed_headers(body))

    assert response.status_code == 200
    assert response.json() == {"success": True, "data": {"matched": False}}
    assert callbacks == []
    assert_untouched(running_job)
    assert WebhookEvent.objects.get().matched is False


@pytest.mark.django_db
def test_an_unfinished_prediction_does_not_start_a_second_poll(running_job, django_capture_on_commit_callbacks):
    body = completed(status="processing")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = deliver(body, signed_headers(body))

    assert response.json() == {"success": True, "data": {"ignored": True}}
    assert callbacks == []
    assert_untouched(running_job)


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"status": "succeeded"}', b'{"id": "", "status": "x"}'])
def test_a_signed_body_that_is_not_a_prediction_is_invalid(configured, body):
    response = deliver(body, signed_headers(body))

    assert response.status_code == 400 and response.json()["error"] == "INVALID_INPUT"
    assert not WebhookEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("secret", ["", "whsec_%%%not-base64%%%"])
def test_without_a_usable_secret_webhooks_are_not_configured(configured, secret):
    configured.REPLICATE_WEBHOOK_SECRET = secret
    body = completed()
    response = deliver(body, signed_headers(body))

    assert response.status_code == 503
    assert response.json()["error"] == "WEBHOOKS_NOT_CONFIGURED" and response.json()["success"] is False
    assert not WebhookEvent.objects.exists()


# ------------------------------------------------------------------------------ the webhook URL


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "secret", "site", "config", "expected"), [
    ("replicate", SECRET, SITE, {}, f"{SITE}/api/v1/webhooks/replicate"),
    ("replicate", SECRET, SITE + "/", {}, f"{SITE}/api/v1/webhooks/replicate"),
    ("replicate", SECRET, SITE, {"webhook_url": "https://hooks.example/r"}, "https://hooks.example/r"),
    ("replicate", "", SITE, {}, None),  # we could not verify its signature
    ("replicate", SECRET, "", {}, None),
    ("replicate", SECRET, "http://127.0.0.1:8000", {}, None),  # Replicate only calls HTTPS URLs
    ("openai", SECRET, SITE, {}, None),
])
def test_config_points_replicate_webhooks_at_us(settings, kind, secret, site, config, expected):
    settings.REPLICATE_WEBHOOK_SECRET, settings.SITE_URL = secret, site
    provider = Provider.objects.create(name=f"{kind} config test", kind=kind, config=config)

    built = ai_router.config_for(provider)

    assert built.config.get("webhook_url") == expected
    provider.refresh_from_db()
    assert provider.config == config  # the stored configuration is not changed


# ------------------------------------------------------------------------------ verify_replicate

NOW = 1_767_225_600
BODY = b'{"id": "p-1", "status": "succeeded"}'


def headers_for(body=BODY, *, webhook_id="msg_1", timestamp=NOW, secret=SECRET, signature=None):
    signature = signature or f"v1,{sign(body=body, webhook_id=webhook_id, timestamp=timestamp, secret=secret)}"
    return {"webhook-id": webhook_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


GOOD = headers_for()["webhook-signature"]
SAME_FROM_OTHER = headers_for(secret=OTHER_SECRET)["webhook-signature"]


@pytest.mark.parametrize(("headers", "now", "body", "error"), [
    (headers_for(), NOW, BODY, None),
    ({k.title(): v for k, v in headers_for().items()}, NOW, BODY, None),  # as Django's request.headers gives them
    (headers_for(signature=f"{SAME_FROM_OTHER} v2,abc {GOOD}"), NOW, BODY, None),  # one of several
    (headers_for(), NOW + 300, BODY, None),
    (headers_for(), NOW - 300, BODY, None),
    (headers_for(), NOW + 301, BODY, "more than five minutes"),
    (headers_for(), NOW - 301, BODY, "more than five minutes"),
    (headers_for(), NOW, BODY.replace(b"p-1", b"p-2"), "does not match"),
    (headers_for(secret=OTHER_SECRET), NOW, BODY, "does not match"),
    (headers_for(webhook_id="msg_2", signature=GOOD), NOW, BODY, "does not match"),
    (headers_for(signature="v1,***not-base64***"), NOW, BODY, "does not match"),
    (headers_for(signature=GOOD[3:]), NOW, BODY, "no v1 signature"),
    (headers_for(signature=GOOD.replace("v1,", "v1a,")), NOW, BODY, "no v1 signature"),
    ({**headers_for(), "webhook-timestamp": "1767225600.5"}, NOW, BODY, "unix time"),
    ({**headers_for(), "webhook-timestamp": "-1"}, NOW, BODY, "unix time"),
    ({k: v for k, v in headers_for().items() if k != "webhook-id"}, NOW, BODY, "missing"),
    ({k: v for k, v in headers_for().items() if k != "webhook-timestamp"}, NOW, BODY, "missing"),
    ({k: v for k, v in headers_for().items() if k != "webhook-signature"}, NOW, BODY, "missing"),
    ({**headers_for(), "webhook-signature": "  "}, NOW, BODY, "missing"),
    (headers_for(webhook_id="m" * 201), NOW, BODY, "too long"),
])
def test_verify_replicate(headers, now, body, error):
    if error is None:
        assert verify_replicate(body=body, headers=headers, secret=SECRET, now=now) == "msg_1"
        return
    with pytest.raises(WebhookRejected) as info:
        verify_replicate(body=body, headers=headers, secret=SECRET, now=now)
    assert error in info.value.reason


def test_our_signature_is_the_one_replicates_own_client_checks():
    """The replicate package's validator (Standard Webhooks) accepts what `sign` produces."""
    now = int(time.time())
    headers = headers_for(timestamp=now)
    Webhooks.validate(headers=headers, body=BODY.decode(), secret=WebhookSigningSecret(key=SECRET), tolerance=300)
    assert verify_replicate(body=BODY, headers=headers, secret=SECRET) == "msg_1"
