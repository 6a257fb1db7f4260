"""A job that ends while the creator is away: one inbox notification and one email; several
within ten minutes: a digest; a card being watched: none; "off": nothing. Real jobs with the
offline provider, the email task run after commit."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, NotificationPreference
from accounts.notifications import emails
from credits.exceptions import CreditsError
from credits.models import CreditAccount
from modo import alerts
from modo.models import Alert, AlertRule
from studio import services
from studio.generate import drafts, jobs

from .factories import make_project

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


@pytest.fixture
def hero(creator):
    project = make_project(creator, characters=1)
    hero = project.characters.first()
    services.character_update(character=hero, name="Lintang", appearance="short black hair")
    hero.refresh_from_db()
    return hero


@pytest.fixture
def finish(creator, hero, celery_eager, django_capture_on_commit_callbacks):
    """Requests a character image and lets the worker (eager) run it to the end."""
    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            job = jobs.character_image_request(user=creator, character=hero, **kwargs)
        job.refresh_from_db()
        return job
    return run


def test_a_job_finished_while_away_makes_one_notification_and_one_email(creator, hero, finish, client):
    job = finish()

    assert job.status == "succeeded"
    notification = Notification.objects.get(user=creator)
    assert (notification.kind, notification.subject) == (Kind.JOB_FINISHED, f"generation:{job.public_id}")
    assert notification.url == reverse("studio:asset", args=[job.output_asset.public_id])
    assert notification.image_url.startswith(reverse("media:thumb", args=[job.output_asset.public_id]))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Your image is ready!"
    assert "Lintang" in mail.outbox[0].body and notification.url in mail.outbox[0].body

    client.force_login(creator)
    inbox = client.get(reverse("accounts:notifications")).content.decode()
    assert "Your image is ready!" in inbox and notification.image_url.replace("&", "&amp;") in inbox
    assert client.get(notification.image_url).status_code == 200  # the thumbnail opens for its owner


def test_two_jobs_within_ten_minutes_send_one_email_then_a_digest(creator, finish):
    for prompt in ("smiling", "running", "waving"):
        assert finish(prompt=prompt).status == "succeeded"

    assert Notification.objects.filter(user=creator, kind=Kind.JOB_FINISHED).count() == 3
    assert [m.subject for m in mail.outbox] == ["Your image is ready!"]
    emails.notification_emails_flush(now=timezone.now() + timedelta(minutes=10, seconds=1))

    assert len(mail.outbox) == 2
    digest = mail.outbox[1]
    assert digest.subject == "2 updates from MODO Creator Verse"
    assert digest.body.count("Your image is ready!") == 2
    assert "since our last email" in digest.body


def test_preference_off_means_no_notification_and_no_email(creator, finish):
    NotificationPreference.objects.create(user=creator, kind=Kind.JOB_FINISHED, channel="off")
    job = finish()
    assert job.status == "succeeded"
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_job_whose_card_is_being_watched_is_not_notified(creator, hero, client, celery_eager,
                                                            django_capture_on_commit_callbacks):
    client.force_login(creator)
    job = jobs.character_image_request(user=creator, character=hero)  # queued (nothing ran yet)
    assert client.get(reverse("studio:job", args=[job.public_id]) + "?poll=1").status_code == 200  # the card polls

    from studio.generate import worker
    with django_capture_on_commit_callbacks(execute=True):
        worker.job_execute(job.pk)

    job.refresh_from_db()
    assert job.status == "succeeded"
    assert not Notification.objects.exists() and mail.outbox == []


def test_a_failed_job_is_announced_as_failed(creator, hero, celery_eager, django_capture_on_commit_callbacks):
    job = jobs.character_image_request(user=creator, character=hero)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.job_fail(job=job, code="provider_error", message="The AI service refused the prompt.")

    notification = Notification.objects.get(user=creator)
    assert notification.kind == Kind.JOB_FAILED
    assert mail.outbox[0].subject == "Your image could not be made"
    assert "not charged" in mail.outbox[0].body


def test_seeing_the_ended_card_marks_its_notification_read(creator, finish, client):
    job = finish()
    client.force_login(creator)
    client.get(reverse("studio:job", args=[job.public_id]) + "?poll=1")
    assert Notification.objects.get(user=creator).read_at is not None


def test_refused_text_drafts_count_towards_the_failed_generation_alert(user):
    AlertRule.objects.filter(kind=AlertRule.Kind.FAILED_GENERATIONS).update(threshold=2)
    alerts.rule_changed(AlertRule.Kind.FAILED_GENERATIONS)
    project = make_project(user)
    CreditAccount.objects.filter(user=user).update(balance=0, bonus_balance=0, cycle_balance=0)  # nothing to spend
    for _ in range(3):
        with pytest.raises(CreditsError):
            drafts.text_stream(user=user, project=project, target_kind="story", target_id=None, field="synopsis",
                               prompt="")
    assert Alert.objects.get(kind=AlertRule.Kind.FAILED_GENERATIONS).key == f"user:{user.pk}"
