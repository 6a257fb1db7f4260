import time

import pytest
from django.core import mail, signing
from django.urls import reverse

from accounts.tests.factories import UserFactory
from modo.forms import _SALT
from modo.models import ContactMessage


def started(seconds_ago=30):
    return signing.dumps(time.time() - seconds_ago, salt=_SALT)


def message(**overrides):
    data = {
        "name": "Budi Santoso",
        "email": "budi@example.com",
        "topic": "sales",
        "message": "We are a small animation studio in Bandung. Can we get a team plan?",
        "website": "",
        "started": started(),
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_message_is_stored_and_emailed_to_admins(client, celery_eager, django_capture_on_commit_callbacks, settings):
    settings.CONTACT_EMAILS = ["team@modo.example"]
    admin = UserFactory(is_superuser=True, is_staff=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("contact"), message())

    assert response.status_code == 302
    stored = ContactMessage.objects.get()
    assert (stored.name, stored.email, stored.topic) == ("Budi Santoso", "budi@example.com", "sales")
    assert stored.notified_at is not None
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {admin.email, "team@modo.example"}
    assert mail.outbox[0].reply_to == ["budi@example.com"]
    assert "Bandung" in mail.outbox[0].body


@pytest.mark.django_db
def test_notification_is_sent_once_even_if_the_task_runs_twice(settings):
    from modo import services

    settings.CONTACT_EMAILS = ["team@modo.example"]
    msg = ContactMessage.objects.create(name="A", email="a@example.com", message="Hello there, team!")

    services.contact_message_notify(message_id=msg.pk)
    services.contact_message_notify(message_id=msg.pk)

    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_invalid_input_shows_field_errors_and_keeps_what_was_typed(client):
    response = client.post(reverse("contact"), message(email="not-an-email", message="hi"))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "email" in errors and "message" in errors
    assert "Budi Santoso" in response.content.decode()
    assert not ContactMessage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spam",
    [
        {"website": "http://buy-now.example"},  # honeypot filled
        {"started": "now"},  # posted instantly
        {"started": "forged"},  # tampered timestamp
    ],
)
def test_spam_is_dropped_silently(client, spam):
    if spam.get("started") == "now":
        spam = {"started": started(seconds_ago=0)}
    response = client.post(reverse("contact"), message(**spam))

    assert response.status_code == 302  # same answer as a person gets
    assert not ContactMessage.objects.exists()
    assert not mail.outbox


@pytest.mark.django_db
def test_too_many_messages_from_one_address_are_refused(client):
    for _ in range(5):
        assert client.post(reverse("contact"), message()).status_code == 302

    response = client.post(reverse("contact"), message())

    assert response.status_code == 429
    assert ContactMessage.objects.count() == 5


@pytest.mark.django_db
def test_signed_in_users_get_their_details_prefilled(client, user):
    client.force_login(user)

    form = client.get(reverse("contact")).context["form"]

    assert form.initial["email"] == user.email
