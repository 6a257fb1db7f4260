"""Every absolute link the product writes comes from one helper: the request's host when there is a
request, SITE_URL otherwise (emails sent by a worker)."""

import subprocess

import pytest
from django.core import mail
from django.test import RequestFactory

from modo import services
from modo.http import absolute_url
from modo.models import ContactMessage


def test_absolute_url_uses_the_request_host_when_there_is_one(settings):
    settings.SITE_URL = "https://modo.example"
    request = RequestFactory().get("/", HTTP_HOST="localhost:8123")

    assert absolute_url("/pricing/", request) == "http://localhost:8123/pricing/"
    assert absolute_url("/pricing/") == "https://modo.example/pricing/"


@pytest.mark.django_db
def test_contact_notification_links_to_the_admin_on_site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8123/"
    settings.CONTACT_EMAILS = ["team@modo.example"]
    msg = ContactMessage.objects.create(name="A", email="a@example.com", message="Hello there, team!")

    services.contact_message_notify(message_id=msg.pk)

    assert f"http://127.0.0.1:8123/admin/modo/contactmessage/{msg.pk}/change/" in mail.outbox[0].body
    assert ":8000" not in mail.outbox[0].body


def test_make_web_points_site_url_at_the_port_it_starts_on():
    out = subprocess.run(["make", "-n", "web", "PORT=8123"], capture_output=True, text=True, check=True).stdout
    assert 'SITE_URL="${SITE_URL:-http://127.0.0.1:8123}"' in out
