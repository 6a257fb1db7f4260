"""Ownership: another creator's asset is a 404 everywhere; anonymous visitors are sent to log in
(pages) or get 401 (API). Public showcase files exist only while their project is published."""

import json

import pytest
from django.urls import reverse

from accounts.tests.factories import bearer
from media import services
from media.models import MediaAsset
from studio import services as studio_services
from studio.gallery import services as gallery_services

from .conftest import png

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def asset(local_storage, user, character_target):
    return services.asset_store(data=png(), mime="image/png", owner=user, target=character_target)


def pages(asset):
    return [reverse(name, args=[asset.public_id]) for name in ("studio:asset", "media:file", "media:thumb")]


def api_paths(asset):
    base = f"{API}/assets/{asset.public_id}"
    return [("get", base), ("get", f"{base}/download"), ("get", f"{base}/check"), ("delete", base),
            ("post", f"{base}/primary"), ("put", f"{base}/replace")]



def test_owner_opens_the_asset_page_file_and_thumbnail(client, user, asset):
    client.force_login(user)
    assert [client.get(url).status_code for url in pages(asset)] == [200, 200, 200]


def test_outsider_gets_404_for_pages_files_and_actions(client, outsider, asset, character):
    client.force_login(outsider)
    assert [client.get(url).status_code for url in pages(asset)] == [404, 404, 404]
    for action in ("primary", "favourite", "delete", "check", "replace"):
        assert client.post(reverse("studio:asset_action", args=[asset.public_id, action])).status_code == 404
    assert client.get(reverse("studio:target_gallery") + f"?target=character:{character.public_id}").status_code == 404
    asset.refresh_from_db()
    assert asset.deleted_at is None and not asset.is_primary


def test_outsider_gets_404_from_every_asset_endpoint(client, outsider, asset, project):
    headers = bearer(outsider)
    for method, path in api_paths(asset):
        body = {} if method == "get" else {"data": json.dumps({"drive_url": "https://drive.google.com/file/d/"
                                                                   "abcdefghijkl/view"}),
                                           "content_type": "application/json"}
        response = getattr(client, method)(path, **body, **headers)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"] == "NOT_FOUND"
    listing = client.get(f"{API}/assets?project={project.public_id}", **headers)
    assert listing.status_code == 404
    assert client.get(f"{API}/assets", **headers).json()["data"] == []
    assert MediaAsset.objects.get(pk=asset.pk).deleted_at is None


def test_anonymous_is_sent_to_log_in_or_gets_401(client, asset):
    for url in pages(asset):
        response = client.get(url)
        assert response.status_code == 302
        assert "/auth/" in response["Location"] or "login" in response["Location"]
    for method, path in api_paths(asset):
        assert getattr(client, method)(path).status_code == 401
    assert client.get(reverse("media:storage_settings")).status_code == 302


def test_owner_lists_assets_by_target_and_project(client, user, asset, project, character):
    headers = bearer(user)
    by_target = client.get(f"{API}/assets?target=character:{character.public_id}", **headers).json()
    by_project = client.get(f"{API}/assets?project={project.public_id}", **headers).json()
    other = client.get(f"{API}/assets?target=character:{project.characters.last().public_id}", **headers).json()
    assert [a["id"] for a in by_target["data"]] == [str(asset.public_id)]
    assert by_project["meta"]["total"] == 1 and other["data"] == []
    bad = client.get(f"{API}/assets?target=spaceship:123", **headers)
    assert bad.status_code == 422


def showcase_url(project, asset):
    return reverse("studio:showcase_file", args=[project.slug, asset.public_id])


def test_published_cover_is_public_only_while_published(client, user, project, project_target, local_storage):
    cover = gallery_services.asset_set_primary(asset=services.asset_store(data=png(), mime="image/png", owner=user,
                                                                  target=project_target))
    other = services.asset_store(data=png(), mime="image/png", owner=user, target=project_target)
    assert client.get(showcase_url(project, cover)).status_code == 404  # private project

    studio_services.project_publish(project=project, sections=["story"])
    assert client.get(showcase_url(project, cover)).status_code == 200
    assert client.get(showcase_url(project, other)).status_code == 404  # not the cover

    client.force_login(user)
    client.post(reverse("studio:publish", args=[project.public_id]))  # "Unpublish": no section ticked
    client.logout()
    assert client.get(showcase_url(project, cover)).status_code == 404


def test_character_sheet_is_public_only_with_the_characters_section(client, user, project, character_target,
                                                                    local_storage):
    sheet = gallery_services.asset_set_primary(asset=services.asset_store(data=png(), mime="image/png", owner=user,
                                                                  target=character_target))
    studio_services.project_publish(project=project, sections=["story"])
    assert client.get(showcase_url(project, sheet)).status_code == 404
    studio_services.project_publish(project=project, sections=["story", "characters"])
    assert client.get(showcase_url(project, sheet)).status_code == 200
    page = client.get(reverse("showcase_detail", args=[project.slug]))
    assert showcase_url(project, sheet).encode() in page.content
    assert b"/media/assets/" not in page.content  # never the private URLs on a public page
