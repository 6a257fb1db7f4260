"""The notification email's HTML in Chromium, as a mail client shows it (the inline pictures put
where their `cid:` is): at 600 and 390 px, in English and Indonesian, one job's email and a
digest fit the width, every picture decodes and sits inside the card. Screenshots go to
$FLOW_SHOTS when it is set."""

import base64
import email
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import notifications
from accounts.models import Notification
from accounts.notifications import emails
from media import services as media_services
from media.tests.conftest import png
from studio.targets import target_of

from .factories import make_project

# Transactional like the other browser tests: Playwright runs its own event loop in this thread.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("FLOW_SHOTS", "")


def as_shown(message) -> str:
    """The HTML part with each `cid:` replaced by its inline picture."""
    parsed = email.message_from_bytes(message.message().as_bytes())
    html, pictures = "", {}
    for part in parsed.walk():
        if part.get_content_type() == "text/html":
            html = part.get_payload(decode=True).decode()
        elif part.get_content_maintype() == "image":
            pictures[part["Content-ID"].strip("<>")] = part.get_payload(decode=True)
    for cid, data in pictures.items():
        html = html.replace(f"cid:{cid}", "data:image/jpeg;base64," + base64.b64encode(data).decode())
    return html


@pytest.fixture
def emails_sent(creator, celery_eager, django_capture_on_commit_callbacks):
    """One job's email and a digest of three (two of them pictured), in the creator's language."""

    def send(language):
        creator.locale = language
        creator.save(update_fields=["locale"])
        mail.outbox.clear()
        hero = make_project(creator, characters=1, scenes=0).characters.get()
        shapes = [(640, 360), (360, 640), None, (512, 512)]  # None: a voice line, no picture
        for number, shape in enumerate(shapes):
            asset = media_services.asset_store(
                data=png(*(shape or (10, 10)), color=(60 * number, 110, 180)),
                mime="image/png",
                owner=creator,
                target=target_of(hero),
            )
            with django_capture_on_commit_callbacks(execute=True):
                notifications.notification_send(
                    user=creator,
                    kind=Notification.Kind.JOB_FINISHED,
                    subject=f"generation:{language}:{number}",
                    url=reverse("studio:asset", args=[asset.public_id]),
                    params={"what": "voice" if shape is None else "animation", "name": "Laras", "project": "Kota Hujan"},
                    image_asset=asset.public_id if shape else None,
                )
        emails.notification_emails_flush(now=timezone.now() + timedelta(minutes=11))
        single, digest = mail.outbox
        return {"single": as_shown(single), "digest": as_shown(digest)}

    return send


@pytest.mark.parametrize("language", ["en", "id"])
def test_the_email_fits_a_phone_and_a_mail_pane_with_its_pictures(browser, seeded_defaults, creator, emails_sent, language):
    shown = emails_sent(language)
    page = browser.new_page()
    try:
        for name, html in shown.items():
            for width in (600, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.set_content(html)
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                card = page.locator("body > table").bounding_box()
                images = page.locator("img")
                assert images.count() == (1 if name == "single" else 2)
                for i in range(images.count()):
                    image = images.nth(i)
                    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
                    box = image.bounding_box()
                    assert card["x"] <= box["x"] and box["x"] + box["width"] <= card["x"] + card["width"]
                    assert box["width"] <= (480 if name == "single" else 96)
                if SHOTS:
                    Path(SHOTS).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=f"{SHOTS}/email-{name}-{language}-{width}.png", full_page=True)
    finally:
        page.close()
