"""The email of a finished job shows what it made: a small JPEG attached inline and named by
`cid:` in the HTML (never a media URL), made by the email task from the asset or the video's
poster. A digest shows at most four small ones; a missing or undecodable file sends the email
without. Real jobs with the offline provider, real storage, the email task run after commit."""

import base64
import email
import io
import json
import re
from datetime import timedelta

import pytest
import responses
from django.core import mail
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import Notification
from accounts.notifications import emails, pictures
from media import audio, storage
from media import services as media_services
from media.tests.conftest import png
from media.tests.test_images import mp4
from studio import services
from studio.generate import jobs, voice
from studio.targets import target_of

from .factories import make_project

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


@pytest.fixture
def hero(creator):
    project = make_project(creator, characters=1, scenes=0)
    hero = project.characters.first()
    services.character_update(character=hero, name="Lintang", appearance="short black hair")
    hero.refresh_from_db()
    return hero


@pytest.fixture
def run(celery_eager, django_capture_on_commit_callbacks):
    """Calls `request(...)` and lets everything queued on commit (the job, its thumbnail, the
    notification's email) run in this process."""

    def go(request, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = request(**kwargs)
        if hasattr(result, "refresh_from_db"):
            result.refresh_from_db()
        return result

    return go


def notify(user, asset, *, subject="generation:x"):
    """What announce.job_ended sends for a finished job whose output is `asset`."""
    from accounts import notifications

    return notifications.notification_send(
        user=user,
        kind=Kind.JOB_FINISHED,
        subject=subject,
        params={"what": "image", "name": "Lintang", "project": "P"},
        url=reverse("studio:asset", args=[asset.public_id]),
        image_asset=asset.public_id,
    )


def parts(message):
    """(the parsed MIME message, its html, its text, [(cid, image part)])."""
    parsed = email.message_from_bytes(message.message().as_bytes())
    html = text = ""
    images = []
    for part in parsed.walk():
        if part.get_content_type() == "text/html":
            html = part.get_payload(decode=True).decode()
        elif part.get_content_type() == "text/plain":
            text = part.get_payload(decode=True).decode()
        elif part.get_content_maintype() == "image":
            images.append((part["Content-ID"].strip("<>"), part))
    return parsed, html, text, images


def no_file_urls(html: str, text: str, asset) -> bool:
    """Neither part names the asset's file or thumbnail (private: served to its owner only)."""
    files = (reverse("media:file", args=[asset.public_id]), reverse("media:thumb", args=[asset.public_id]))
    return not any(url in part for url in files for part in (html, text))


def cids(html: str) -> list[str]:
    return re.findall(r'src="cid:([^"]+)"', html)


def jpeg_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        return image.size


def test_a_finished_image_job_emails_its_picture_inline(creator, hero, run):
    job = run(jobs.character_image_request, user=creator, character=hero)

    assert job.status == "succeeded"
    notification = Notification.objects.get(user=creator)
    assert notification.image_asset == job.output_asset.public_id
    [message] = mail.outbox
    parsed, html, text, images = parts(message)
    assert parsed.get_content_type() == "multipart/related"
    assert [p.get_content_type() for p in parsed.get_payload()] == ["multipart/alternative", "image/jpeg"]
    [(cid, image)] = images
    assert cids(html) == [cid]
    assert image.get_content_disposition() == "inline" and image.get_filename() == "preview-1.jpg"
    data = image.get_payload(decode=True)
    assert len(data) <= pictures.LARGE.max_bytes
    width, height = jpeg_size(data)
    assert max(width, height) <= 480 and f'width="{width}" height="{height}"' in html
    # The picture and the link lead to the asset's page; no file of the creator's is linked.
    asset_page = reverse("studio:asset", args=[job.output_asset.public_id])
    assert html.count(f'{asset_page}"') == 2 and asset_page in text
    assert no_file_urls(html, text, job.output_asset) and "cid:" not in text


def test_an_animation_email_shows_its_poster(creator, hero, run):
    source = media_services.asset_store(data=png(640, 360), mime="image/png", owner=creator, target=target_of(hero))
    job = run(jobs.animation_request, user=creator, source=source, duration=3)

    assert job.status == "succeeded" and job.output_asset.is_video
    job.output_asset.refresh_from_db()
    assert job.output_asset.thumbnail  # the poster frame the thumbnail task made
    message = mail.outbox[-1]
    assert message.subject == "Your animation is ready!"
    _, html, _, [(cid, image)] = parts(message)
    assert cids(html) == [cid]
    assert jpeg_size(image.get_payload(decode=True))[0] <= 480


def test_a_video_without_its_poster_yet_is_pictured_from_its_first_frame(creator, hero, run):
    video = media_services.asset_store(
        data=mp4(size=(320, 240)), mime="video/mp4", owner=creator, target=target_of(hero)
    )  # its thumbnail task never ran
    assert video.thumbnail == ""
    run(notify, user=creator, asset=video)

    _, html, _, [(cid, image)] = parts(mail.outbox[0])
    assert jpeg_size(image.get_payload(decode=True)) == (320, 240) and cids(html) == [cid]


def test_the_stored_poster_is_what_the_picture_is_made_from(creator, hero):
    video = media_services.asset_store(data=mp4(size=(320, 240)), mime="video/mp4", owner=creator, target=target_of(hero))
    video = media_services.asset_thumbnail_make(asset=video)
    wav, _ = audio.encode(audio.Pcm(audio.silence(0.5)), "wav")
    sound = media_services.asset_store(data=wav, mime="audio/wav", owner=creator, target=target_of(hero))

    assert media_services.asset_picture(user=creator, asset_id=video.public_id) == storage.read(video.thumbnail)
    assert media_services.asset_picture(user=creator, asset_id=sound.public_id) is None  # a sound has no picture


def test_a_voice_line_has_no_picture_and_says_what_it_is(creator, run):
    project = make_project(creator, characters=0, scenes=0)
    laras = services.character_create(project=project, name="Laras", role="protagonist")
    job = run(voice.character_line_request, user=creator, character=laras, text="The lantern is dark again.")

    assert job.status == "succeeded", job.error_message
    notification = Notification.objects.get(user=creator)
    assert notification.image_asset is None and notification.image_url == ""
    [message] = mail.outbox
    assert message.subject == "Your voice line is ready!"
    parsed, html, _, images = parts(message)
    assert parsed.get_content_type() == "multipart/alternative" and images == [] and "cid:" not in html


@pytest.mark.parametrize("damage", ["missing", "garbage", "deleted", "not_theirs"])
def test_a_picture_that_cannot_be_made_leaves_the_email_without_one(creator, hero, run, outsider, damage):
    owner = outsider if damage == "not_theirs" else creator
    if damage == "not_theirs":
        hero = make_project(outsider, characters=1, scenes=0).characters.first()
    asset = media_services.asset_store(data=png(300, 200), mime="image/png", owner=owner, target=target_of(hero))
    if damage == "missing":
        default_storage.delete(asset.storage_key)
    elif damage == "garbage":
        default_storage.delete(asset.storage_key)
        default_storage.save(asset.storage_key, io.BytesIO(b"\x89PNG\r\n\x1a\n not really a picture"))
    elif damage == "deleted":
        media_services.asset_delete(asset=asset)

    run(notify, user=creator, asset=asset)

    [message] = mail.outbox
    parsed, html, text, images = parts(message)
    assert images == [] and "cid:" not in html and parsed.get_content_type() == "multipart/alternative"
    assert reverse("studio:asset", args=[asset.public_id]) in text  # the link is still there
    assert Notification.objects.get(user=creator).email_state == Notification.Email.SENT


def test_a_source_that_raises_still_sends_the_email(creator, hero, run, monkeypatch):
    asset = media_services.asset_store(data=png(300, 200), mime="image/png", owner=creator, target=target_of(hero))

    def broken(**kwargs):
        raise RuntimeError("the storage is down")

    monkeypatch.setattr(pictures, "_source", broken)
    run(notify, user=creator, asset=asset)

    [message] = mail.outbox
    assert parts(message)[3] == []


def test_the_picture_is_made_by_the_email_task_not_when_the_notification_is_sent(
    creator, hero, celery_eager, django_capture_on_commit_callbacks, monkeypatch
):
    asset = media_services.asset_store(data=png(300, 200), mime="image/png", owner=creator, target=target_of(hero))
    calls = []
    real = pictures._source
    monkeypatch.setattr(pictures, "_source", lambda **kw: calls.append(kw) or real(**kw))  # a spy around media's

    with django_capture_on_commit_callbacks(execute=False) as queued:
        notify(creator, asset)
    assert calls == [] and mail.outbox == []  # the request is done; nothing was read
    for callback in queued:
        callback()  # the task, after commit

    assert [c["asset_id"] for c in calls] == [asset.public_id]
    assert len(parts(mail.outbox[0])[3]) == 1


def test_a_digest_shows_at_most_four_small_pictures(creator, hero, run):
    target = target_of(hero)
    assets = [
        media_services.asset_store(
            data=png(400 + 10 * i, 300, color=(40 * i, 90, 160)), mime="image/png", owner=creator, target=target
        )
        for i in range(6)
    ]
    for number, asset in enumerate(assets):
        run(notify, user=creator, asset=asset, subject=f"generation:{number}")
    assert len(mail.outbox) == 1  # the first; the other five wait for the window

    assert emails.notification_emails_flush(now=timezone.now() + timedelta(minutes=11)) == 5

    digest = mail.outbox[1]
    assert digest.subject == "5 updates from MODO Creator Verse"
    _, html, text, images = parts(digest)
    assert len(images) == pictures.DIGEST_PICTURES == 4
    assert cids(html) == [cid for cid, _ in images]  # in the order of the items, each named once
    for _, image in images:
        data = image.get_payload(decode=True)
        assert len(data) <= pictures.SMALL.max_bytes and max(jpeg_size(data)) <= 192
    assert 'width="96"' in html  # drawn at half its pixels: sharp on a phone
    for asset in assets[1:]:
        assert reverse("studio:asset", args=[asset.public_id]) in text


def test_the_anymail_test_backend_gets_the_picture_as_an_inline_attachment(creator, hero, run, settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    asset = media_services.asset_store(data=png(300, 200), mime="image/png", owner=creator, target=target_of(hero))
    run(notify, user=creator, asset=asset)

    [message] = mail.outbox
    sent = message.anymail_test_params
    [attachment] = sent["attachments"]
    assert attachment.inline and attachment.mimetype == "image/jpeg" and attachment.name == "preview-1.jpg"
    assert cids(sent["html_body"]) == [attachment.cid]
    assert sent["tags"] == ["notification:job_finished"]
    assert jpeg_size(attachment.content)[0] <= 480


@responses.activate
def test_resend_receives_the_picture_as_an_inline_attachment_with_its_content_id(creator, hero, run, settings):
    settings.EMAIL_BACKEND = "anymail.backends.resend.EmailBackend"
    settings.ANYMAIL = {"RESEND_API_KEY": "re_test_key"}
    responses.add(responses.POST, "https://api.resend.com/emails", json={"id": "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"})
    asset = media_services.asset_store(data=png(300, 200), mime="image/png", owner=creator, target=target_of(hero))
    run(notify, user=creator, asset=asset)

    [call] = responses.calls
    body = json.loads(call.request.body)
    [attachment] = body["attachments"]
    assert attachment["content_id"] in cids(body["html"])
    assert attachment["filename"] == "preview-1.jpg" and attachment["content_type"] == "image/jpeg"
    assert jpeg_size(base64.b64decode(attachment["content"]))[0] <= 480
    assert no_file_urls(body["html"], body["text"], asset) and "cid:" not in body["text"]
