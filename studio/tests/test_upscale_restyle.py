"""Upscale and restyle in one process (the task run eagerly once committed): the endpoints and
pages, their refusals before any hold (pixel cap, plan, premium model, bad upload), the result
linked to its source next to it, the gallery filters, using a result as a character's sheet and
the exports, and another creator's objects as 404. The real worker runs them in
test_upscale_restyle_worker.py."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.tests.factories import bearer
from aiproviders.models import AIModel
from credits.models import Hold, LedgerEntry
from media import services as media_services
from media.tests.conftest import png
from modo import analytics
from studio.exports.markdown import bible_markdown_zip
from studio.models import Generation
from studio.targets import target_of

from .factories import give_plan, make_project

pytestmark = pytest.mark.django_db

API = "/api/v1"


def post(client, path, body, user):
    return client.post(path, json.dumps(body), content_type="application/json", **bearer(user))


@pytest.fixture
def project(creator):
    return make_project(creator, characters=2, scenes=1)


@pytest.fixture
def photo(creator, project):
    return media_services.asset_store(data=png(64, 48), mime="image/png", owner=creator,
                                      target=target_of(project.characters.first()), source_type="uploaded")


def run(django_capture_on_commit_callbacks, call):
    with django_capture_on_commit_callbacks(execute=True):
        response = call()
    return response


def captured(job_id) -> tuple[int, list[tuple[str, int]]]:
    """(credits held, the hold's settlements with their amounts)."""
    job = Generation.objects.select_related("hold").get(public_id=job_id)
    return job.hold.amount, list(LedgerEntry.objects.filter(hold_id=job.hold_id).exclude(kind="hold")
                                 .values_list("kind", "amount"))


def test_upscale_makes_a_larger_copy_next_to_its_source_for_exactly_its_price(
        client, creator, photo, celery_eager, django_capture_on_commit_callbacks):
    response = run(django_capture_on_commit_callbacks, lambda: post(
        client, f"{API}/generate/upscale", {"source_asset": str(photo.public_id), "scale": 4, "idempotency_key": "u1"},
        creator))
    assert response.status_code == 202, response.content
    data = response.json()["data"]
    assert (data["kind"], data["credits_quoted"], data["target"]) == ("upscale", 5, f"character:{photo.target_id}")

    job = Generation.objects.select_related("output_asset").get(public_id=data["id"])
    assert job.status == "succeeded", job.error_message
    out = job.output_asset
    assert (out.width, out.height, out.derived_from_id) == (256, 192, photo.pk)
    assert (out.target_kind, out.target_id, out.params["kind"]) == (photo.target_kind, photo.target_id, "upscale")
    assert Image.open(io.BytesIO(media_services.asset_open(asset=out))).size == (256, 192)
    assert captured(data["id"]) == (5, [("capture", -5)]) and job.cost_charged == 5
    assert job.model_used.model_id == "local-upscale"

    again = post(client, f"{API}/generate/upscale", {"source_asset": str(photo.public_id), "scale": 4,
                                                     "idempotency_key": "u1"}, creator)
    assert again.json()["data"]["id"] == data["id"] and Generation.objects.count() == 1


def test_an_upscale_over_the_pixel_cap_is_refused_before_anything_is_held(client, creator, project, settings):
    settings.UPLOAD_MAX_PIXELS = 40_000_000
    big = media_services.asset_store(data=png(8, 8), mime="image/png", owner=creator, target=target_of(project),
                                      width=4000, height=3000)
    response = post(client, f"{API}/generate/upscale", {"source_asset": str(big.public_id), "scale": 2}, creator)
    body = response.json()
    assert (response.status_code, body["error"]) == (422, "INVALID_INPUT")
    assert "8000 × 6000" in body["message"] and "40 megapixels" in body["message"]
    assert body["max_pixels"] == 40_000_000 and body["fields"]["scale"]
    assert not Hold.objects.exists() and not Generation.objects.exists()
    assert post(client, f"{API}/generate/upscale", {"source_asset": str(big.public_id), "scale": 3},
                creator).status_code == 422  # only 2 or 4


def test_upscale_needs_a_plan_with_it_403_before_any_hold(client, user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    give_plan(user, "free")
    project = make_project(user, characters=1, scenes=0)
    source = media_services.asset_store(data=png(), mime="image/png", owner=user, target=target_of(project))
    response = post(client, f"{API}/generate/upscale", {"source_asset": str(source.public_id), "scale": 2}, user)
    assert (response.status_code, response.json()["error"], response.json()["action"]) == (403, "PLAN_REQUIRED", "upgrade")
    assert not Hold.objects.exists() and not Generation.objects.exists()
    page = client.get(reverse("studio:upscale", args=[source.public_id]))  # the page says so before any click
    assert page.status_code == 302  # not signed in: the page is for its owner
    client.force_login(user)
    assert b'id="upscale-upgrade"' in client.get(reverse("studio:upscale", args=[source.public_id])).content


def test_restyle_redraws_an_image_in_a_style_next_to_it_for_the_image_price(
        client, creator, photo, celery_eager, django_capture_on_commit_callbacks):
    response = run(django_capture_on_commit_callbacks, lambda: post(
        client, f"{API}/generate/restyle", {"source_asset": str(photo.public_id), "style": "plush", "size": "small",
                                            "idempotency_key": "r1"}, creator))
    assert response.status_code == 202, response.content
    data = response.json()["data"]
    job = Generation.objects.select_related("output_asset").get(public_id=data["id"])
    assert job.status == "succeeded", job.error_message
    out = job.output_asset
    # 64 × 48 is landscape: the small landscape preset, the style's words in the prompt.
    assert (out.width, out.height, out.derived_from_id, out.target_id) == (768, 512, photo.pk, photo.target_id)
    assert job.params["style"] == "plush" and "plush toy" in job.prompt
    assert captured(data["id"]) == (5, [("capture", -5)])

    again = post(client, f"{API}/generate/restyle", {"source_asset": str(photo.public_id), "style": "plush",
                                                     "idempotency_key": "r1"}, creator)
    assert again.json()["data"]["id"] == data["id"]
    unknown = post(client, f"{API}/generate/restyle", {"source_asset": str(photo.public_id), "style": "vaporwave"}, creator)
    assert unknown.status_code == 422 and Generation.objects.count() == 1


def test_restyle_with_a_premium_model_needs_a_plan_with_premium_models(client, user, settings, tmp_path):
    """Restyle is sold at the image price to every seeded plan (a plan without feature_restyle:
    test_restyle_plan.py); what Basic lacks is the premium model: 403 PLAN_REQUIRED, before any hold."""
    settings.MEDIA_ROOT = str(tmp_path)
    give_plan(user, "basic")
    premium = AIModel.objects.select_related("provider").get(model_id="gpt-image-1")
    premium.provider.enabled = True
    premium.provider.save()
    AIModel.objects.filter(pk=premium.pk).update(enabled=True)
    project = make_project(user, characters=1, scenes=0)
    source = media_services.asset_store(data=png(), mime="image/png", owner=user, target=target_of(project))
    response = post(client, f"{API}/generate/restyle", {"source_asset": str(source.public_id), "style": "anime",
                                                        "model": premium.pk}, user)
    assert (response.status_code, response.json()["error"]) == (403, "PLAN_REQUIRED")
    assert not Hold.objects.exists() and not Generation.objects.exists()


def test_the_restyle_page_takes_an_uploaded_photo_and_follows_the_job(
        client, creator, project, celery_eager, django_capture_on_commit_callbacks):
    client.force_login(creator)
    url = reverse("studio:restyle", args=[project.public_id])
    page = client.get(url)
    assert page.status_code == 200
    for label in (b"Plush toy / kawaii", b"Realistic", b"Cartoon", b"Anime", b"Cinematic", b"Small", b"Large"):
        assert label in page.content
    upload = SimpleUploadedFile("me.png", png(300, 400), content_type="image/png")
    response = run(django_capture_on_commit_callbacks, lambda: client.post(
        url, {"photo": upload, "style": "cartoon", "size": "medium", "idempotency_key": "p1"}))
    assert response.status_code == 302
    job = Generation.objects.select_related("output_asset__derived_from").get()
    assert response["Location"].endswith(f"?job={job.public_id}#result")
    assert job.status == "succeeded" and job.kind == "restyle"
    source = job.output_asset.derived_from
    assert (source.source_type, source.target_kind, source.file_name) == ("uploaded", "project", "me.png")
    assert (job.output_asset.width, job.output_asset.height) == (768, 1024)  # portrait, medium

    followed = client.get(response["Location"])
    assert b"data-compare" in followed.content and str(source.public_id).encode() in followed.content


def test_a_photo_that_is_not_an_image_is_refused_on_the_restyle_page_before_any_hold(client, creator, project):
    client.force_login(creator)
    bad = SimpleUploadedFile("me.png", b"<html>not a photo</html>", content_type="image/png")
    response = client.post(reverse("studio:restyle", args=[project.public_id]),
                           {"photo": bad, "style": "anime", "size": "small"})
    assert response.status_code == 422 and b'data-error-code="UNSUPPORTED_FILE"' in response.content
    assert not Hold.objects.exists() and not Generation.objects.exists()


def test_the_upscale_page_offers_only_the_scales_under_the_cap_and_follows_the_job(
        client, creator, project, settings, celery_eager, django_capture_on_commit_callbacks):
    settings.UPLOAD_MAX_PIXELS = 40_000_000
    source = media_services.asset_store(data=png(64, 48), mime="image/png", owner=creator, target=target_of(project),
                                        width=2000, height=2000)
    client.force_login(creator)
    url = reverse("studio:upscale", args=[source.public_id])
    page = client.get(url).content.decode()
    assert 'id="scale-2" checked' in page and 'id="scale-4" disabled' in page  # 8000² is over 40 MP
    refused = client.post(url, {"scale": 4})
    assert refused.status_code == 422 and not Hold.objects.exists()

    small = media_services.asset_store(data=png(40, 30), mime="image/png", owner=creator, target=target_of(project))
    response = run(django_capture_on_commit_callbacks, lambda: client.post(
        reverse("studio:upscale", args=[small.public_id]), {"scale": 2, "idempotency_key": "p2"}))
    assert response.status_code == 302
    job = Generation.objects.get()
    assert job.status == "succeeded" and (job.output_asset.width, job.output_asset.height) == (80, 60)
    detail = client.get(reverse("studio:asset", args=[job.output_asset.public_id])).content.decode()
    assert "Upscaled from" in detail and str(small.public_id) in detail


def test_gallery_filters_find_upscaled_and_restyled_images(client, creator, project, photo, celery_eager,
                                                            django_capture_on_commit_callbacks):
    up = run(django_capture_on_commit_callbacks, lambda: post(
        client, f"{API}/generate/upscale", {"source_asset": str(photo.public_id)}, creator)).json()["data"]
    re = run(django_capture_on_commit_callbacks, lambda: post(
        client, f"{API}/generate/restyle", {"source_asset": str(photo.public_id), "style": "anime"}, creator)).json()["data"]
    outputs = {kind: Generation.objects.get(public_id=job["id"]).output_asset.public_id
               for kind, job in (("upscale", up), ("restyle", re))}
    client.force_login(creator)
    gallery = reverse("studio:gallery", args=[project.public_id])
    for source, kind in (("upscaled", "upscale"), ("restyled", "restyle")):
        html = client.get(gallery, {"source": source}).content.decode()
        shown = {str(p) for p in outputs.values() if f"/media/assets/{p}/" in html}
        assert shown == {str(outputs[kind])}, source
    everything = client.get(gallery).content.decode()
    assert reverse("studio:upscale", args=[photo.public_id]) in everything  # the card's menu offers both
    assert f"{reverse('studio:restyle', args=[project.public_id])}?source={photo.public_id}" in everything


def test_a_restyled_image_becomes_a_characters_sheet_and_is_exported(
        client, creator, project, celery_eager, django_capture_on_commit_callbacks):
    source = media_services.asset_store(data=png(64, 64), mime="image/png", owner=creator, target=target_of(project),
                                        source_type="uploaded")
    job = run(django_capture_on_commit_callbacks, lambda: post(
        client, f"{API}/generate/restyle", {"source_asset": str(source.public_id), "style": "anime"}, creator)).json()
    result = Generation.objects.get(public_id=job["data"]["id"]).output_asset
    character = project.characters.order_by("order", "id").last()
    client.force_login(creator)
    url = reverse("studio:use_as_sheet", args=[result.public_id])
    assert character.name.encode() in client.get(url).content
    response = client.post(url, {"character": str(character.public_id)})
    assert response.status_code == 302
    character.refresh_from_db()
    result.refresh_from_db()
    assert character.primary_image_id == result.pk and result.is_primary
    assert (result.target_kind, result.target_id) == ("character", character.public_id)

    archive = zipfile.ZipFile(io.BytesIO(bible_markdown_zip(project)))
    images = [n for n in archive.namelist() if n.startswith("images/")]
    assert any(Image.open(io.BytesIO(archive.read(n))).size == (result.width, result.height) for n in images)


def test_admin_analytics_count_the_new_kinds(creator, photo):
    from studio.generate import restyle, upscale

    upscale.upscale_request(user=creator, source=photo, scale=2)
    restyle.restyle_request(user=creator, source=photo, style="cinematic")
    from django.utils import timezone

    today = timezone.localdate()
    report = analytics.generations_per_day(period=analytics.Period(start=today, end=today))
    by_kind = {row["kind"]: row["total"] for row in report["by_kind"]}
    assert (by_kind["upscale"], by_kind["restyle"]) == (1, 1)


def test_outsiders_get_404_for_upscale_restyle_and_sheets(client, creator, project, photo, outsider):
    give_plan(outsider, "pro")
    client.force_login(outsider)
    for url in (reverse("studio:upscale", args=[photo.public_id]), reverse("studio:restyle", args=[project.public_id]),
                reverse("studio:use_as_sheet", args=[photo.public_id])):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"scale": 2, "style": "anime", "size": "small"}).status_code == 404, url
    mine = make_project(outsider, characters=0, scenes=0)
    assert client.post(reverse("studio:restyle", args=[mine.public_id]),
                       {"source": str(photo.public_id), "style": "anime", "size": "small"}).status_code == 404
    for path, body in ((f"{API}/generate/upscale", {"source_asset": str(photo.public_id)}),
                       (f"{API}/generate/restyle", {"source_asset": str(photo.public_id), "style": "anime"})):
        assert post(client, path, body, outsider).status_code == 404
    assert not Generation.objects.exists()


def test_cancel_releases_and_retry_runs_the_same_upscale_again(client, creator, photo, celery_eager,
                                                               django_capture_on_commit_callbacks):
    job = post(client, f"{API}/generate/upscale", {"source_asset": str(photo.public_id), "scale": 2}, creator).json()
    cancelled = client.post(f"{API}/jobs/{job['data']['id']}/cancel", **bearer(creator)).json()["data"]
    assert (cancelled["status"], cancelled["cost_charged"]) == ("cancelled", 0)
    assert captured(job["data"]["id"]) == (5, [("release", 0)])
    retried = run(django_capture_on_commit_callbacks, lambda: client.post(
        f"{API}/jobs/{job['data']['id']}/retry", **bearer(creator)))
    assert retried.status_code == 202
    again = Generation.objects.get(public_id=retried.json()["data"]["id"])
    assert (again.kind, again.params["scale"], again.status, again.credits_quoted) == ("upscale", 2, "succeeded", 5)
    assert again.output_asset.derived_from_id == photo.pk and captured(again.public_id) == (5, [("capture", -5)])


def test_restyle_counts_against_the_trial_and_the_running_job_cap(client, user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    project = make_project(user, characters=1, scenes=0)  # a new account is on the trial: 2 generations
    source = media_services.asset_store(data=png(), mime="image/png", owner=user, target=target_of(project))
    body = {"source_asset": str(source.public_id), "style": "anime"}
    assert [post(client, f"{API}/generate/restyle", body, user).status_code for _ in range(2)] == [202, 202]
    refused = post(client, f"{API}/generate/restyle", body, user)
    assert (refused.status_code, refused.json()["error"]) == (402, "TRIAL_LIMIT")
    upscale = post(client, f"{API}/generate/upscale", {"source_asset": str(source.public_id)}, user)
    assert (upscale.status_code, upscale.json()["error"]) == (403, "PLAN_REQUIRED")  # the trial has no upscale
    assert Hold.objects.count() == 2

    settings.GENERATION_MAX_ACTIVE = 2
    give_plan(user, "pro")
    busy = post(client, f"{API}/generate/upscale", {"source_asset": str(source.public_id)}, user)
    assert (busy.status_code, busy.json()["error"]) == (429, "TOO_MANY_JOBS") and Hold.objects.count() == 2


def test_the_restyle_page_preselects_the_image_it_was_opened_for(client, creator, project, photo):
    client.force_login(creator)
    url = reverse("studio:restyle", args=[project.public_id])
    for _ in range(26):  # newer than the photo: it is not among the newest the page offers
        media_services.asset_store(data=png(8, 8), mime="image/png", owner=creator, target=target_of(project))
    html = client.get(url, {"source": str(photo.public_id)}).content.decode()
    assert f'value="{photo.public_id}" id="source-{photo.public_id}" checked' in html
    assert client.get(url, {"source": "7d0a3c1e-0000-4000-8000-000000000000"}).status_code == 404
