"""Notifications without the studio: sending by preference, the email window and its digest,
bounces from the vendor's tracking webhook, the inbox and settings pages, low credits."""

import base64
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import notifications
from accounts.models import Notification, NotificationPreference
from accounts.notifications import emails, services

from .factories import UserFactory

pytestmark = pytest.mark.django_db
Kind, Email = Notification.Kind, Notification.Email


def send(user, subject="", kind=Kind.ORDER_PAID, **params):
    return notifications.notification_send(user=user, kind=kind, subject=subject, url="/settings/subscription/",
                                           params={"credits": 200, "package": "200 credits", **params})


@pytest.fixture
def sent(celery_eager, django_capture_on_commit_callbacks):
    """Sends and runs the email task enqueued on commit."""
    def run(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return send(*args, **kwargs)
    return run


def test_a_notification_goes_to_the_inbox_and_by_email_once(user, sent):
    first = sent(user, subject="order:1")
    again = sent(user, subject="order:1")

    assert first is not None and again is None
    assert Notification.objects.filter(user=user).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert mail.outbox[0].subject == "Payment received"
    assert "200 credits were added" in mail.outbox[0].body
    first.refresh_from_db()
    assert first.email_state == Email.SENT and first.in_app


def test_a_second_email_of_a_kind_within_ten_minutes_waits_for_a_digest(user, sent):
    sent(user, subject="order:1")
    sent(user, subject="order:2")
    sent(user, subject="order:3")
    assert len(mail.outbox) == 1  # the window is closed for this kind
    sent(user, subject="", kind=Kind.TRIAL_ENDED)  # another kind has its own window
    assert len(mail.outbox) == 2

    assert emails.notification_emails_flush(now=timezone.now() + timedelta(minutes=5)) == 0
    assert emails.notification_emails_flush(now=timezone.now() + timedelta(minutes=11)) == 2

    digest = mail.outbox[-1]
    assert len(mail.outbox) == 3
    assert digest.subject == "2 updates from MODO Creator Verse"
    assert digest.body.count("Payment received") == 2
    assert not Notification.objects.filter(email_state=Email.PENDING).exists()
    assert emails.notification_emails_flush(now=timezone.now() + timedelta(minutes=30)) == 0


def test_after_the_window_a_new_notification_is_emailed_on_its_own(user, sent):
    first = sent(user, subject="order:1")
    emails.notification_email_deliver(user_id=user.pk, kind=Kind.ORDER_PAID)
    Notification.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=20))
    from accounts.models import EmailThrottle
    EmailThrottle.objects.filter(user=user).update(last_sent_at=timezone.now() - timedelta(minutes=20))

    sent(user, subject="order:2")

    assert [m.subject for m in mail.outbox] == ["Payment received", "Payment received"]


@pytest.mark.parametrize("channel, in_inbox, emailed", [
    ("off", False, False), ("app", True, False), ("email", False, True), ("all", True, True)])
def test_the_preference_decides_inbox_and_email(user, sent, channel, in_inbox, emailed):
    NotificationPreference.objects.create(user=user, kind=Kind.ORDER_PAID, channel=channel)
    sent(user, subject="order:1")
    sent(user, subject="order:2", kind=Kind.ORDER_EXPIRED)  # another kind keeps its default

    assert Notification.objects.filter(user=user, kind=Kind.ORDER_PAID, in_app=True).exists() is in_inbox
    assert any(m.subject == "Payment received" for m in mail.outbox) is emailed
    assert Notification.objects.filter(user=user, kind=Kind.ORDER_EXPIRED).count() == 1
    if channel == "off":
        assert not Notification.objects.filter(kind=Kind.ORDER_PAID).exists()


def test_the_email_is_written_in_the_users_language(sent):
    user = UserFactory(locale="id")
    sent(user, subject="order:1")
    html = mail.outbox[0].alternatives[0][0]
    assert '<html lang="id">' in html
    assert ">Buka →</a>" in html  # the link's word, already translated ("Open")


def test_a_failing_mail_server_leaves_the_email_to_be_sent_again(user, celery_eager, django_capture_on_commit_callbacks,
                                                                 monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def broken(self, messages):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    with pytest.raises(OSError), django_capture_on_commit_callbacks(execute=True):
        send(user, subject="order:1")
    n = Notification.objects.get(user=user)
    assert n.email_state == Email.PENDING
    monkeypatch.undo()

    assert emails.notification_emails_flush() == 1
    assert len(mail.outbox) == 1


# --- bounces: the vendor's tracking webhook (anymail) ---------------------------------------------

def resend_event(kind: str, to: str) -> dict:
    return {"type": kind, "created_at": "2026-12-06T02:00:00.000Z",
            "data": {"email_id": "4ef9a417", "to": [to], "from": "noreply@modo.example", "subject": "Payment received",
                     "created_at": "2026-12-06T01:59:00.000Z",
                     "bounce": {"message": "The recipient's email provider sent a hard bounce message."}}}


def post_tracking(client, payload, secret="hook:s3cret"):
    auth = base64.b64encode(secret.encode()).decode()
    return client.post("/anymail/resend/tracking/", json.dumps(payload), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Basic {auth}")


def test_a_bounce_marks_the_address_and_stops_email(client, user, sent, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}
    sent(user, subject="order:1")
    sent(user, subject="order:2")  # waiting for the digest
    assert len(mail.outbox) == 1

    response = post_tracking(client, resend_event("email.bounced", user.email.upper()))

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email_undeliverable_at is not None
    assert "bounced" in user.email_undeliverable_reason
    assert Notification.objects.get(subject="order:2").email_state == Email.SKIPPED
    sent(user, subject="order:3")
    emails.notification_emails_flush(now=timezone.now() + timedelta(hours=1))
    assert len(mail.outbox) == 1  # nothing more was emailed
    assert Notification.objects.filter(user=user, in_app=True).count() == 3  # the inbox still gets them


def test_a_complaint_stops_email_and_a_delivery_does_not(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}
    delivered, complained = UserFactory(), UserFactory()
    post_tracking(client, resend_event("email.delivered", delivered.email))
    post_tracking(client, resend_event("email.complained", complained.email))
    delivered.refresh_from_db()
    complained.refresh_from_db()
    assert delivered.email_undeliverable_at is None
    assert complained.email_undeliverable_at is not None


def test_the_tracking_webhook_refuses_a_caller_without_the_secret(client, user, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}
    response = post_tracking(client, resend_event("email.bounced", user.email), secret="hook:wrong")
    assert response.status_code in (400, 401, 403)
    user.refresh_from_db()
    assert user.email_undeliverable_at is None


# --- pages ---------------------------------------------------------------------------------------

def test_the_inbox_lists_newest_first_and_marks_read(client, user):
    client.force_login(user)
    old = send(user, subject="order:1")
    new = send(user, subject="order:2", kind=Kind.ORDER_EXPIRED)
    page = client.get(reverse("accounts:notifications")).content.decode()
    assert page.index("Your order expired") < page.index("Payment received")
    assert 'data-unread="2"' in page

    response = client.post(reverse("accounts:notification_open", args=[old.public_id]))
    assert response.status_code == 302 and response.url == "/settings/subscription/"
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.read_at is not None and new.read_at is None
    assert 'data-unread="1"' in client.get(reverse("accounts:notification_bell")).content.decode()

    client.post(reverse("accounts:notifications_read_all"))
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert 'data-unread="0"' in client.get(reverse("accounts:notification_bell")).content.decode()


def test_the_inbox_is_empty_and_paginated(client, user):
    client.force_login(user)
    assert "Nothing new" in client.get(reverse("accounts:notifications")).content.decode()
    for i in range(23):
        send(user, subject=f"order:{i}")
    first = client.get(reverse("accounts:notifications")).content.decode()
    second = client.get(reverse("accounts:notifications") + "?page=2").content.decode()
    assert first.count('class="notif ') == 20 and second.count('class="notif ') == 3
    assert "Page 1 of 2" in first


def test_someone_elses_notification_is_a_404(client, user, outsider):
    theirs = send(outsider, subject="order:1")
    client.force_login(user)
    assert client.post(reverse("accounts:notification_open", args=[theirs.public_id])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_settings_page_saves_each_kinds_channel_and_the_threshold(client, user):
    client.force_login(user)
    page = client.get(reverse("accounts:notification_settings"))
    assert page.status_code == 200
    data = {f"kind_{kind}": "all" for kind in Kind.values}
    data.update({"kind_job_finished": "app", "kind_credits_low": "off", "low_credits_threshold": "50"})

    response = client.post(reverse("accounts:notification_settings"), data)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.low_credits_threshold == 50
    saved = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    assert saved["job_finished"] == "app" and saved["credits_low"] == "off" and saved["order_paid"] == "all"
    assert client.post(reverse("accounts:notification_settings"), {**data, "kind_job_failed": "loud"}).status_code == 200


def test_credits_low_is_announced_once_when_crossing_the_threshold(user):
    user.low_credits_threshold = 20
    assert services.credits_low_check(user=user, available_before=30, available_after=25) is None
    assert services.credits_low_check(user=user, available_before=25, available_after=15) is not None
    assert services.credits_low_check(user=user, available_before=15, available_after=10) is None
    user.low_credits_threshold = 0
    assert services.credits_low_check(user=user, available_before=25, available_after=0) is None
    assert Notification.objects.filter(user=user, kind=Kind.CREDITS_LOW).count() == 1


def test_a_team_invitation_notifies_an_invitee_who_has_an_account(user):
    inviter = UserFactory(display_name="Sari")
    n = notifications.team_invitation_sent(inviter=inviter, email=user.email.upper(), team_name="Studio Lentera",
                                           invitation_id="abc")
    assert n is not None and n.user == user and n.url == reverse("accounts:team_invitations")
    assert n.in_app and n.email_state == Email.NONE  # the invitation email is the teams feature's
    assert notifications.team_invitation_sent(inviter=inviter, email="nobody@example.com",
                                              team_name="Studio Lentera") is None


# --- the API -------------------------------------------------------------------------------------

def test_the_api_lists_the_inbox_and_marks_read(client, user, outsider):
    from .factories import bearer

    older = send(user, subject="order:1")
    send(user, subject="order:2", kind=Kind.ORDER_EXPIRED)
    theirs = send(outsider, subject="order:3")
    auth = bearer(user)

    data = client.get("/api/v1/notifications", **auth).json()["data"]
    assert data["unread"] == 2
    assert [n["title"] for n in data["notifications"]] == ["Your order expired", "Payment received"]
    assert data["notifications"][1]["url"] == "http://testserver/settings/subscription/"

    assert client.post(f"/api/v1/notifications/{older.public_id}/read", **auth).json()["data"] == {"unread": 1}
    assert client.post(f"/api/v1/notifications/{theirs.public_id}/read", **auth).status_code == 404
    unread = client.get("/api/v1/notifications?unread=true", **auth).json()["data"]["notifications"]
    assert [n["kind"] for n in unread] == ["order_expired"]
    assert client.post("/api/v1/notifications/read-all", **auth).json()["data"] == {"unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None
