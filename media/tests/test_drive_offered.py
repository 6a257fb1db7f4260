"""Google Drive is offered only where the site has its OAuth client (GOOGLE_CLIENT_ID and
GOOGLE_CLIENT_SECRET): elsewhere no nav item, call-out or gallery button points to the storage
settings or to a Drive connect that can do nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from media import services
from media.tests.conftest import png
from studio.targets import target_of

pytestmark = pytest.mark.django_db

DRIVE_HINTS = ("Add from Google Drive", "Connect Google Drive", "Replace from Drive")


@pytest.fixture(params=["configured", "not configured"])
def drive_site(request, settings):
    configured = request.param == "configured"
    settings.GOOGLE_CLIENT_ID = "client-id.apps" if configured else ""
    settings.GOOGLE_CLIENT_SECRET = "client-secret" if configured else ""
    settings.GOOGLE_DRIVE_API_KEY = ""
    return configured


def pages(client, project, character):
    urls = [reverse("dashboard"), reverse("accounts:profile"), reverse("studio:project", args=[project.public_id]),
            reverse("studio:character", args=[character.public_id]), reverse("studio:gallery", args=[project.public_id]),
            reverse("studio:target_gallery") + f"?target=character:{character.public_id}"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        yield url, response.content.decode()


def test_drive_links_show_only_where_drive_is_configured(client, user, project, character, local_storage, drive_site):
    services.asset_store(data=png(), mime="image/png", owner=user, target=target_of(character))
    client.force_login(user)
    storage_link = f'href="{reverse("media:storage_settings")}"'

    for url, html in pages(client, project, character):
        if drive_site:
            if url != reverse("studio:target_gallery") + f"?target=character:{character.public_id}":
                assert storage_link in html, url  # the nav's Storage item
        else:
            assert storage_link not in html, url
            assert reverse("media:drive_connect") not in html, url
            assert not any(hint in html for hint in DRIVE_HINTS), url

    fragment = client.get(reverse("studio:target_gallery"), {"target": f"character:{character.public_id}"}).content.decode()
    assert ("Connect Google Drive" in fragment) is drive_site  # "connect Google Drive to add files from your Drive"


def test_a_drive_refusal_offers_to_connect_only_where_drive_is_configured(client, user, character, local_storage,
                                                                          drive_site):
    user.storage_preference = "drive"  # chosen while the site had Drive
    user.save()
    client.force_login(user)

    response = client.post(reverse("studio:asset_upload"), {"file": SimpleUploadedFile("a.png", png()),
                                                             "target": f"character:{character.public_id}"},
                           HTTP_HX_REQUEST="true")
    assert (reverse("media:drive_connect") in response.content.decode()) is drive_site


def test_the_storage_page_says_drive_is_not_available_where_it_is_not(client, user, drive_site):
    client.force_login(user)
    html = client.get(reverse("media:storage_settings")).content.decode()
    assert ("Not available on this site yet." in html) is not drive_site
