"""Telling the creator a job ended when they are not watching it, and counting failed or refused
generations for the abuse alert.

"Not on its page": every job card on a page polls itself every 2 s while the job runs
(templates/studio/visual/_job.html, views.job), and each poll marks the creator present for that
job for a few seconds (accounts.notifications.presence). When the job ends, the worker asks: a
creator still looking at the card sees the result there; otherwise (the tab was closed, or the
job was started from the API) an inbox notification and an email go out. If the card shows the
ended job afterwards, its notification is marked read."""

import logging

from django.db import transaction
from django.urls import reverse

from accounts import notifications
from accounts.models import Notification
from media.models import MediaAsset
from modo import alerts

from .. import targets
from ..models import Generation

log = logging.getLogger(__name__)
Kind, Status = Generation.Kind, Generation.Status
WHAT = {Kind.ANIMATION: "animation", Kind.MOODBOARD: "moodboard", Kind.CHARACTER_IMAGE: "image",
        Kind.VOICE: "voice", Kind.LIPSYNC: "lipsync"}


def subject_of(job: Generation) -> str:
    return f"generation:{job.public_id}"


def job_watched(*, user, job: Generation) -> None:
    """The creator's page polled the card of this job (views.job)."""
    if job.is_active:
        notifications.presence_mark(user_id=user.pk, subject=subject_of(job))
    else:
        notifications.notifications_read_subject(user=user, subject=subject_of(job))


def job_ended(*, job_id: int) -> None:
    """After a job succeeded or failed (called once committed): the notification, unless the
    creator is on the job's page. Never raises: the job's outcome stands whatever happens here."""
    try:
        job = Generation.objects.select_related("owner", "project", "output_asset").get(pk=job_id)
        if job.status not in (Status.SUCCEEDED, Status.FAILED):
            return
        info = targets.with_targets(job.owner, [job])[0].target_info
        params = {"what": WHAT.get(job.kind, "image"), "name": str(info["label"]) if info else str(job.get_kind_display()),
                  "project": job.project.title}
        image_url, image_asset = "", None
        if job.status == Status.SUCCEEDED and job.output_asset_id:
            kind = Notification.Kind.JOB_FINISHED
            asset = job.output_asset
            url = reverse("studio:asset", args=[asset.public_id])
            if asset.media_type != MediaAsset.MediaType.AUDIO:  # a picture, or a video's poster
                image_url = reverse("media:thumb", args=[asset.public_id]) + "?w=192"
                image_asset = asset.public_id  # the email's picture is made from it by the email task
        else:
            kind = Notification.Kind.JOB_FAILED
            url = info["url"] if info else reverse("studio:jobs") + "?status=failed"
        notifications.notification_send(user=job.owner, kind=kind, subject=subject_of(job), params=params, url=url,
                                        image_url=image_url, image_asset=image_asset, unless_present=True)
    except Exception:
        log.exception("could not announce the end of generation %s", job_id)


def job_ended_on_commit(job: Generation) -> None:
    transaction.on_commit(lambda: job_ended(job_id=job.pk))


def generation_refused_or_failed(*, user_id: int, reason: str) -> None:
    """Counts one failed or refused generation against the account and the client's IP."""
    alerts.actor_event(kind=alerts.Kind.FAILED_GENERATIONS, user_id=user_id, evidence={"last_reason": reason[:200]})
