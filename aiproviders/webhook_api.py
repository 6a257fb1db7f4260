"""POST /api/v1/webhooks/replicate: Replicate tells us a prediction finished.

Public (no auth, so no CSRF check), and trusted only once its signature checks out. Even then
the body is only a hint: the job's poll re-reads the prediction from Replicate with our key and
downloads the output itself, so no URL from the body is ever fetched."""

import json
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from ninja import Router

from modo import alerts, envelope
from modo.errors import AppError

from . import webhooks

log = logging.getLogger(__name__)

router = Router(tags=["webhooks"])


class InvalidSignature(AppError):
    code, status = "INVALID_SIGNATURE", 400
    default_message = _("The webhook signature could not be verified.")


class WebhooksNotConfigured(AppError):
    code, status = "WEBHOOKS_NOT_CONFIGURED", 503
    default_message = _("Replicate webhooks are not configured on this server.")


class InvalidPayload(AppError):
    code, status = "INVALID_INPUT", 400
    default_message = _("The body is not a Replicate prediction.")


@router.post("/webhooks/replicate", auth=None, include_in_schema=False, url_name="replicate_webhook")
def replicate_webhook(request):
    secret = settings.REPLICATE_WEBHOOK_SECRET
    if not secret:
        raise WebhooksNotConfigured()
    try:
        event_id = webhooks.verify_replicate(body=request.body, headers=request.headers, secret=secret)
    except ImproperlyConfigured as exc:
        log.error("replicate webhook refused: %s", exc)
        raise WebhooksNotConfigured() from None
    except webhooks.WebhookRejected as exc:
        log.warning("replicate webhook rejected: %s", exc.reason)
        alerts.event_count(kind=alerts.Kind.WEBHOOK_FORGERY, key="replicate",
                           evidence={"webhook": "replicate", "last_reason": exc.reason, "last_ip": alerts.client_ip()})
        raise InvalidSignature(f"{InvalidSignature.default_message} ({exc.reason})") from None
    try:
        prediction = json.loads(request.body)
    except ValueError:
        raise InvalidPayload() from None
    prediction_id = prediction.get("id") if isinstance(prediction, dict) else None
    status = prediction.get("status") if isinstance(prediction, dict) else None
    if not isinstance(prediction_id, str) or not prediction_id.strip() or not isinstance(status, str):
        raise InvalidPayload()
    outcome = webhooks.replicate_event_receive(event_id=event_id, prediction_id=prediction_id.strip(), status=status)
    log.info("replicate webhook %s for prediction %s (%s): %s", event_id, prediction_id[:200], status[:20], outcome)
    return envelope.ok(outcome)
