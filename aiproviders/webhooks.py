"""Checking that a webhook really comes from the vendor, before anything acts on it.

Replicate signs its webhooks the Standard Webhooks (Svix) way: HMAC-SHA256, keyed with the
base64-decoded part of the `whsec_…` secret, over "<webhook-id>.<webhook-timestamp>.<raw body>",
sent base64-encoded in `webhook-signature` as a space-separated list of "v1,<signature>"."""

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from .models import Provider, WebhookEvent

# Statuses of a finished prediction ("completed" events); others would only start a second poll loop.
REPLICATE_TERMINAL = ("succeeded", "failed", "canceled")
REPLICATE_WEBHOOK_PATH = "/api/v1/webhooks/replicate"
TOLERANCE_SECONDS = 5 * 60  # a delivery older (or newer) than this is a replay, or a clock gone wrong
SECRET_PREFIX = "whsec_"
MAX_ID_LENGTH = 200  # WebhookEvent.event_id


# Who acts on a vendor's word that one of its jobs changed: the app that runs such jobs registers
# a handler (studio, from its AppConfig.ready()), so this app never imports the one above it.
# A handler takes `vendor_job_id` and returns whether a job of its own had that id.
_vendor_job_handlers: list[Callable[..., bool]] = []


def vendor_job_handler_register(handler: Callable[..., bool]) -> None:
    """Adds a handler for verified vendor job events (once, however often it is registered)."""
    if handler not in _vendor_job_handlers:
        _vendor_job_handlers.append(handler)


class WebhookRejected(Exception):
    """The request is not a genuine, fresh webhook. `reason` is safe to log and to answer."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def signing_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_…` secret. Raises ImproperlyConfigured (never showing the
    secret) when it is not base64."""
    encoded = secret.strip().removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not key:
        raise ImproperlyConfigured("REPLICATE_WEBHOOK_SECRET is not a whsec_<base64> signing secret")
    return key


def _digest(key: bytes, *, body: bytes, webhook_id: str, timestamp: int | str) -> bytes:
    return hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()


def sign(*, body: bytes, webhook_id: str, timestamp: int | str, secret: str) -> str:
    """The base64 v1 signature of one delivery (what the vendor sends; the tests sign with it)."""
    return base64.b64encode(_digest(signing_key(secret), body=body, webhook_id=webhook_id, timestamp=timestamp)).decode()


def verify_replicate(*, body: bytes, headers: Mapping[str, str], secret: str, now: float | None = None) -> str:
    """The webhook id of a genuine delivery signed with `secret` within the last (or next) five
    minutes of `now` (unix seconds). Raises WebhookRejected otherwise, and ImproperlyConfigured
    when the secret itself is unusable."""
    key = signing_key(secret)
    lowered = {str(name).lower(): value for name, value in headers.items()}
    webhook_id = (lowered.get("webhook-id") or "").strip()
    timestamp = (lowered.get("webhook-timestamp") or "").strip()
    signatures = (lowered.get("webhook-signature") or "").split()
    if not webhook_id or not timestamp or not signatures:
        raise WebhookRejected("missing webhook-id, webhook-timestamp or webhook-signature header")
    if len(webhook_id) > MAX_ID_LENGTH:
        raise WebhookRejected("webhook-id is too long")
    if not timestamp.isascii() or not timestamp.isdigit():
        raise WebhookRejected("webhook-timestamp is not a unix time in seconds")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        raise WebhookRejected("webhook-timestamp is more than five minutes away from now")

    expected = _digest(key, body=body, webhook_id=webhook_id, timestamp=timestamp)
    versions_seen = False
    for entry in signatures:
        version, _, encoded = entry.partition(",")
        if version != "v1":
            continue
        versions_seen = True
        try:
            candidate = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if hmac.compare_digest(candidate, expected):
            return webhook_id
    if not versions_seen:
        raise WebhookRejected("no v1 signature in webhook-signature")
    raise WebhookRejected("the signature does not match")


def replicate_event_receive(*, event_id: str, prediction_id: str, status: str) -> dict:
    """Records one verified Replicate webhook and, for a finished prediction, has the job that
    started it checked at once (by the registered handler — studio's worker.job_vendor_event: a
    poll that re-reads the prediction with our key). A webhook id seen before does nothing: {"duplicate": True}.
    Otherwise {"matched": bool} (no running job with that prediction id: nothing happens), or
    {"ignored": True} for an unfinished prediction."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = WebhookEvent.objects.create(provider=Provider.Kind.REPLICATE, event_id=event_id,
                                                    prediction_id=prediction_id[:200], status=status[:20])
        except IntegrityError:
            return {"duplicate": True}
        if status not in REPLICATE_TERMINAL:
            return {"ignored": True}
        matched = any([handler(vendor_job_id=prediction_id) for handler in _vendor_job_handlers])
        if matched:
            WebhookEvent.objects.filter(pk=event.pk).update(matched=True)
    return {"matched": matched}
