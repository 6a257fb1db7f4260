"""Assets on Google Drive, with Drive's HTTP stubbed at the transport (respx): linking, checking,
replacing, storing generated files in the creator's Drive, the connect flow and the
GOOGLE_DRIVE_NOT_CONNECTED refusal."""

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import respx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import bearer
from media import services
from media.models import DriveConnection, MediaAsset

from .conftest import png

pytestmark = pytest.mark.django_db

API = "/api/v1"
FILES = "https://www.googleapis.com/drive/v3/files"
UPLOAD = "https://www.googleapis.com/upload/drive/v3/files"
GOOD_ID, GONE_ID, OTHER_ID = "1AbCdEfGhIjKlMnOp", "1GoneGoneGoneGone", "1OtherOtherOther"
NOT_FOUND = {"error": {"code": 404, "message": "File not found.", "errors": [{"reason": "notFound"}]}}



def post_json(client, path, body, user, method="post"):
    return getattr(client, method)(path, json.dumps(body), content_type="application/json", **bearer(user))


def image_meta(file_id, name="sheet.png"):
    return {"id": file_id, "name": name, "mimeType": "image/png", "size": "2048",
            "webViewLink": f"https://drive.google.com/file/d/{file_id}/view",
            "thumbnailLink": f"https://lh3.googleusercontent.com/d/{file_id}=s220",
            "imageMediaMetadata": {"width": 64, "height": 48}}


@pytest.fixture
def google_client(settings):
    settings.GOOGLE_CLIENT_ID, settings.GOOGLE_CLIENT_SECRET = "client-id.apps", "client-secret"
    settings.GOOGLE_DRIVE_API_KEY = ""


@pytest.fixture
def connection(user, google_client):
    conn = DriveConnection(user=user, expires_at=timezone.now() + timedelta(hours=1), folder_id="folder-000001",
                           drive_email="creator@gmail.com", scopes="https://www.googleapis.com/auth/drive.file")
    conn.access_token, conn.refresh_token = "ya29.access", "1//refresh"
    conn.save()
    return conn


@pytest.fixture
def drive():
    """A stub Drive: `files` (id → metadata) and `contents` (id → bytes) can be changed by a test."""
    state = {"files": {GOOD_ID: image_meta(GOOD_ID), OTHER_ID: image_meta(OTHER_ID, "other.png"),
                       "folder-000001": {"id": "folder-000001", "trashed": False}},
             "contents": {GOOD_ID: png(), OTHER_ID: png(20, 20)}}

    def get_file(request, file_id):
        if request.url.params.get("alt") == "media":
            return httpx.Response(200, content=state["contents"][file_id]) if file_id in state["contents"] \
                else httpx.Response(404, json=NOT_FOUND)
        return httpx.Response(200, json=state["files"][file_id]) if file_id in state["files"] \
            else httpx.Response(404, json=NOT_FOUND)

    def create(request):
        state["files"]["1NewDriveFile01"] = image_meta("1NewDriveFile01", "generated.png")
        return httpx.Response(200, json=state["files"]["1NewDriveFile01"])

    with respx.mock(assert_all_called=False) as mock:
        mock.get(url__regex=rf"^{FILES}/(?P<file_id>[^/?]+)").mock(side_effect=get_file)
        mock.delete(url__regex=rf"^{FILES}/(?P<file_id>[^/?]+)").mock(return_value=httpx.Response(204))
        mock.post(url__startswith=UPLOAD).mock(side_effect=create)
        state["mock"] = mock
        yield state


# --- linking -------------------------------------------------------------------------------------

def test_linking_a_drive_file_checks_it_and_stores_the_canonical_link(client, user, connection, drive, character,
                                                                      local_storage):
    response = post_json(client, f"{API}/assets/link", {
        "target": f"character:{character.public_id}",
        "drive_url": f"https://docs.google.com/open?id={GOOD_ID}&usp=sharing"}, user)

    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert (data["source_type"], data["storage"], data["drive_file_id"], data["is_accessible"]) == (
        "linked", "drive", GOOD_ID, True)
    assert data["original_url"] == f"https://drive.google.com/file/d/{GOOD_ID}/view"
    assert (data["width"], data["height"], data["mime"]) == (64, 48, "image/png")
    # Drive was asked with the creator's own token; nothing else was fetched.
    calls = drive["mock"].calls
    assert [c.request.url.host for c in calls] == ["www.googleapis.com"]
    assert calls[0].request.headers["Authorization"] == "Bearer ya29.access"


@pytest.mark.parametrize("url", [
    "https://evil.com/file/d/1AbCdEfGhIjKlMnOp/view",
    "https://drive.google.com@evil.com/file/d/1AbCdEfGhIjKlMnOp/view",
    "javascript:alert(1)//drive.google.com/file/d/1AbCdEfGhIjKlMnOp/view",
    "http://142.250.72.14/file/d/1AbCdEfGhIjKlMnOp/view",
    "https://drive.google.com/drive/folders/1AbCdEfGhIjKlMnOp",
])
def test_linking_refuses_anything_but_a_drive_file_link(client, user, connection, drive, character, url):
    response = post_json(client, f"{API}/assets/link", {"target": f"character:{character.public_id}",
                                                        "drive_url": url}, user)
    assert (response.status_code, response.json()["error"]) == (422, "INVALID_DRIVE_URL")
    assert not drive["mock"].calls and not MediaAsset.objects.exists()


def test_linking_a_file_drive_does_not_show_us_is_refused(client, user, connection, drive, character):
    response = post_json(client, f"{API}/assets/link", {"target": f"character:{character.public_id}",
                                                        "drive_url": f"https://drive.google.com/file/d/{GONE_ID}/view"},
                         user)
    assert (response.status_code, response.json()["error"]) == (422, "DRIVE_FILE_NOT_ACCESSIBLE")
    assert not MediaAsset.objects.exists()


def test_linking_an_image_as_a_video_is_refused(client, user, connection, drive, character):
    response = post_json(client, f"{API}/assets/link", {"target": f"character:{character.public_id}",
                                                        "media_type": "video",
                                                        "drive_url": f"https://drive.google.com/file/d/{GOOD_ID}"}, user)
    assert (response.status_code, response.json()["error"]) == (422, "WRONG_MEDIA_TYPE")


def test_linking_without_drive_or_api_key_asks_to_connect(client, user, google_client, character):
    response = post_json(client, f"{API}/assets/link", {"target": f"character:{character.public_id}",
                                                        "drive_url": f"https://drive.google.com/uc?id={GOOD_ID}"}, user)
    body = response.json()
    assert (response.status_code, body["error"], body["action"]) == (409, "GOOGLE_DRIVE_NOT_CONNECTED", "connect_drive")


def test_linking_a_public_file_without_a_connection_uses_the_api_key(client, settings, user, google_client, drive,
                                                                     character, local_storage):
    settings.GOOGLE_DRIVE_API_KEY = "site-api-key"
    response = post_json(client, f"{API}/assets/link", {"target": f"character:{character.public_id}",
                                                        "drive_url": f"https://drive.google.com/file/d/{GOOD_ID}/view"},
                         user)
    assert response.status_code == 201
    assert drive["mock"].calls[0].request.headers["X-Goog-Api-Key"] == "site-api-key"


# --- checking and replacing ------------------------------------------------------------------------

def linked(user, character, connection, file_id=GOOD_ID):
    from studio.targets import target_of

    return services.asset_link_drive(url=f"https://drive.google.com/file/d/{file_id}/view", owner=user,
                                     target=target_of(character))


def test_check_marks_a_vanished_file_inaccessible_and_replace_restores_it(client, user, connection, drive, character,
                                                                          local_storage):
    asset = linked(user, character, connection)
    del drive["files"][GOOD_ID]

    checked = client.get(f"{API}/assets/{asset.public_id}/check", **bearer(user)).json()["data"]
    assert checked["is_accessible"] is False and checked["last_checked_at"]
    gallery = client.get(reverse("studio:target_gallery") + f"?target=character:{character.public_id}")
    assert gallery.status_code == 302  # (not logged in: the page flow is covered below)
    client.force_login(user)
    gallery = client.get(reverse("studio:target_gallery") + f"?target=character:{character.public_id}")
    assert reverse("studio:asset_action", args=[asset.public_id, "replace"]).encode() in gallery.content

    replaced = post_json(client, f"{API}/assets/{asset.public_id}/replace",
                         {"drive_url": f"https://drive.google.com/file/d/{OTHER_ID}/view"}, user, method="put")
    data = replaced.json()["data"]
    assert (data["is_accessible"], data["source_type"], data["drive_file_id"], data["file_name"]) == (
        True, "replaced", OTHER_ID, "other.png")
    assert client.get(f"{API}/assets/{asset.public_id}/check", **bearer(user)).json()["data"]["is_accessible"]


def test_daily_check_marks_inaccessible_files_in_batches(user, connection, drive, character, local_storage):
    keep, gone = linked(user, character, connection), linked(user, character, connection, OTHER_ID)
    MediaAsset.objects.update(last_checked_at=timezone.now() - timedelta(days=2))
    del drive["files"][OTHER_ID]

    call_command("check_assets", "--dry-run")
    assert MediaAsset.objects.filter(is_accessible=False).count() == 0
    call_command("check_assets", "--limit", "10")

    keep.refresh_from_db(), gone.refresh_from_db()
    assert keep.is_accessible and not gone.is_accessible
    assert gone.last_checked_at > timezone.now() - timedelta(minutes=1)


# --- storing in the creator's Drive ----------------------------------------------------------------

def test_preferring_drive_without_a_connection_refuses_with_connect_drive(client, user, project, local_storage):
    user.storage_preference = "drive"
    user.save()
    response = client.post(f"{API}/assets", {"file": SimpleUploadedFile("a.png", png()),
                                              "project": str(project.public_id)}, **bearer(user))
    body = response.json()
    assert (response.status_code, body["error"], body["action"]) == (409, "GOOGLE_DRIVE_NOT_CONNECTED", "connect_drive")
    assert not MediaAsset.objects.exists() and local_storage.keys() == set()
    with pytest.raises(services.drive.DriveNotConnected):
        services.storage_ready(user=user)


def test_gallery_upload_without_drive_offers_to_connect(client, user, character, local_storage, google_client):
    user.storage_preference = "drive"
    user.save()
    client.force_login(user)
    response = client.post(reverse("studio:asset_upload"), {"file": SimpleUploadedFile("a.png", png()),
                                                     "target": f"character:{character.public_id}"},
                           HTTP_HX_REQUEST="true")
    assert reverse("media:drive_connect").encode() in response.content


def test_choosing_drive_needs_a_working_connection(client, user, google_client):
    client.force_login(user)
    client.post(reverse("media:storage_settings"), {"preference": "drive"})
    user.refresh_from_db()
    assert user.storage_preference == "platform"


def test_uploads_go_to_the_app_folder_when_drive_is_preferred(client, user, connection, drive, project, celery_eager,
                                                              local_storage, django_capture_on_commit_callbacks):
    user.storage_preference = "drive"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}/assets", {"file": SimpleUploadedFile("a.png", png()),
                                                  "project": str(project.public_id)}, **bearer(user))
    assert response.status_code == 201, response.content
    asset = MediaAsset.objects.get()
    assert (asset.storage, asset.drive_file_id, asset.storage_key) == ("drive", "1NewDriveFile01", "")
    upload = next(c.request for c in drive["mock"].calls if c.request.url.path.startswith("/upload/"))
    assert upload.url.params["uploadType"] == "multipart"
    assert b'"parents": ["folder-000001"]' in upload.content
    # The thumbnail was made from the Drive copy and kept on platform storage.
    drive["contents"]["1NewDriveFile01"] = png()
    services.asset_thumbnail_make(asset=asset)
    assert asset.thumbnail in local_storage.keys()


def test_deleting_removes_our_drive_file_but_never_a_linked_one(user, connection, drive, character, project,
                                                                local_storage, django_capture_on_commit_callbacks):
    from studio.targets import target_of

    mine = services.asset_store(data=png(), mime="image/png", owner=user, target=target_of(project), storage_to="drive")
    theirs = linked(user, character, connection)
    with django_capture_on_commit_callbacks(execute=True):
        services.asset_delete(asset=mine)
        services.asset_delete(asset=theirs)
    deleted = [c.request.url.path for c in drive["mock"].calls if c.request.method == "DELETE"]
    assert deleted == ["/drive/v3/files/1NewDriveFile01"]


def test_a_revoked_connection_asks_to_reconnect(user, connection, drive, project):
    connection.is_active = False
    connection.save()
    user.storage_preference = "drive"
    user.save()
    with pytest.raises(services.drive.DriveReconnectRequired):
        services.storage_ready(user=user)


# --- the connect flow -------------------------------------------------------------------------------

def test_connect_flow_stores_encrypted_tokens(client, user, google_client):
    client.force_login(user)
    start = client.get(reverse("media:drive_connect"))
    assert start.status_code == 302
    google = urlparse(start["Location"])
    query = parse_qs(google.query)
    assert google.netloc == "accounts.google.com" and query["access_type"] == ["offline"]
    assert "https://www.googleapis.com/auth/drive.file" in query["scope"][0]

    bad = client.get(reverse("media:drive_callback"), {"state": "forged", "code": "c"})
    assert bad.status_code == 400 and not DriveConnection.objects.exists()

    client.get(reverse("media:drive_connect"))
    state = parse_qs(urlparse(client.get(reverse("media:drive_connect"))["Location"]).query)["state"][0]
    with respx.mock() as mock:
        token = mock.post("https://oauth2.googleapis.com/token").mock(return_value=httpx.Response(200, json={
            "access_token": "ya29.fresh", "refresh_token": "1//fresh-refresh", "expires_in": 3599,
            "scope": "openid https://www.googleapis.com/auth/drive.file email", "token_type": "Bearer"}))
        mock.get(url__startswith="https://www.googleapis.com/drive/v3/about").mock(return_value=httpx.Response(
            200, json={"user": {"emailAddress": "creator@gmail.com"}, "storageQuota": {"usage": "1024", "limit": "2048"}}))
        done = client.get(reverse("media:drive_callback"), {"state": state, "code": "auth-code"})
    assert done.status_code == 302 and done["Location"] == reverse("media:storage_settings")
    assert b"code=auth-code" in token.calls[0].request.content
    row = DriveConnection.objects.filter(user=user).values().get()
    assert "ya29.fresh" not in json.dumps(row, default=str) and "1//fresh-refresh" not in json.dumps(row, default=str)
    connection = DriveConnection.objects.get(user=user)
    assert (connection.access_token, connection.drive_email, connection.storage_used) == (
        "ya29.fresh", "creator@gmail.com", 1024)

    page = client.get(reverse("media:storage_settings"))
    assert b"creator@gmail.com" in page.content and b"ya29" not in page.content

    with respx.mock() as mock:
        revoke = mock.post(url__startswith="https://oauth2.googleapis.com/revoke").mock(return_value=httpx.Response(200))
        client.post(reverse("media:drive_disconnect"))
    assert revoke.called and not DriveConnection.objects.filter(user=user).exists()


def test_a_drive_file_that_became_inaccessible_is_announced_once(user, connection, drive, character, local_storage):
    from accounts.models import Notification

    keep, gone = linked(user, character, connection), linked(user, character, connection, OTHER_ID)
    del drive["files"][OTHER_ID]
    services.asset_check(asset=keep)
    services.asset_check(asset=gone)
    services.asset_check(asset=gone)  # still gone: nothing new to say

    n = Notification.objects.get(user=user)
    assert (n.kind, n.subject, n.params["name"]) == ("drive_file_lost", f"asset:{gone.public_id}", "other.png")
    assert n.url == reverse("studio:asset", args=[gone.public_id])
