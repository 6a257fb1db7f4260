"""media/drive.py against Google stubbed at the httpx transport: the real googleapiclient and
google-auth code runs, and no test reaches the internet."""

import email
import email.policy
import json
import logging
import socket
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx
from allauth.socialaccount.models import SocialApp
from django.db import connection as db
from django.utils import timezone

from media import drive
from media.models import DriveConnection

FILES = "https://www.googleapis.com/drive/v3/files"
UPLOAD = "https://www.googleapis.com/upload/drive/v3/files"
ABOUT = "https://www.googleapis.com/drive/v3/about"
FILE_ID = "1AbCdEfGhIjKlMnOpQrStUvWxYz_-0123"
FILE = {
    "id": FILE_ID,
    "name": "mira.png",
    "mimeType": "image/png",
    "size": "2048",
    "webViewLink": f"https://drive.google.com/file/d/{FILE_ID}/view",
    "thumbnailLink": "https://lh3.googleusercontent.com/thumb",
}
ACCOUNT = {"user": {"emailAddress": "mira@gmail.com"}, "storageQuota": {"usage": "1024", "limit": "16106127360"}}


@pytest.fixture(autouse=True)
def no_network():
    """Belt and braces: respx fails unmatched requests, this fails any real socket.

    Undone before conftest's cache clean-up, which may talk to Redis."""

    def refuse(self, address):
        raise AssertionError(f"Drive tests must not open network connections (tried {address!r})")

    saved = socket.socket.connect, socket.socket.connect_ex
    socket.socket.connect = socket.socket.connect_ex = refuse
    yield
    socket.socket.connect, socket.socket.connect_ex = saved


@pytest.fixture(autouse=True)
def oauth_client(settings):
    settings.GOOGLE_CLIENT_ID = "client-id.apps.googleusercontent.com"
    settings.GOOGLE_CLIENT_SECRET = "client-secret"
    settings.GOOGLE_DRIVE_API_KEY = ""


@pytest.fixture
def google():
    """Google, stubbed: a request no route matches, or a route never called, fails the test."""
    with respx.mock(assert_all_mocked=True, assert_all_called=True) as router:
        yield router


def connect(user, *, access="access-1", refresh="refresh-1", expires_in=timedelta(hours=1), folder_id=""):
    connection = DriveConnection(user=user, expires_at=timezone.now() + expires_in, folder_id=folder_id)
    connection.access_token = access
    connection.refresh_token = refresh
    connection.save()
    return connection


def drive_error(status: int, reason: str = "notFound") -> httpx.Response:
    return httpx.Response(
        status, json={"error": {"code": status, "message": reason, "errors": [{"reason": reason}]}}
    )


def form(request: httpx.Request) -> dict:
    return {key: values[0] for key, values in parse_qs(request.content.decode()).items()}


def bearer(request: httpx.Request) -> str:
    return request.headers["authorization"].removeprefix("Bearer ")


def stored_tokens(connection) -> str:
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT access_token_encrypted, refresh_token_encrypted FROM media_driveconnection WHERE id = %s",
            [connection.pk],
        )
        return " ".join(cursor.fetchone())


# --- tokens ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_connection_save_encrypts_tokens_and_reads_the_drive_account(google, user):
    about = google.get(ABOUT).respond(200, json=ACCOUNT)
    expires = timezone.now() + timedelta(hours=1)

    connection = drive.connection_save(
        user=user, access_token="ya29.plain-access", refresh_token="1//plain-refresh", expires_at=expires,
        scopes="openid email https://www.googleapis.com/auth/drive.file",
    )

    row = DriveConnection.objects.filter(pk=connection.pk).values().get()
    assert "plain-access" not in str(row) and "plain-refresh" not in str(row)
    assert "plain" not in stored_tokens(connection)
    fresh = DriveConnection.objects.get(user=user)
    assert (fresh.access_token, fresh.refresh_token) == ("ya29.plain-access", "1//plain-refresh")
    assert bearer(about.calls.last.request) == "ya29.plain-access"
    assert (fresh.drive_email, fresh.storage_used, fresh.storage_limit) == ("mira@gmail.com", 1024, 16106127360)
    assert fresh.is_active and fresh.expires_at == expires


@pytest.mark.django_db
def test_reconnecting_keeps_the_refresh_token_when_google_sends_none(google, user):
    google.get(ABOUT).respond(200, json=ACCOUNT)
    old = connect(user, refresh="refresh-old")
    DriveConnection.objects.filter(pk=old.pk).update(is_active=False)

    drive.connection_save(user=user, access_token="access-new", refresh_token="",
                          expires_at=timezone.now() + timedelta(hours=1), scopes="")

    fresh = DriveConnection.objects.get(user=user)
    assert fresh.pk == old.pk and fresh.is_active
    assert (fresh.access_token, fresh.refresh_token) == ("access-new", "refresh-old")


@pytest.mark.django_db
def test_connection_is_kept_when_the_drive_account_cannot_be_read(google, user):
    google.get(ABOUT).mock(return_value=drive_error(403, "insufficientPermissions"))

    drive.connection_save(user=user, access_token="access-1", refresh_token="refresh-1",
                          expires_at=timezone.now() + timedelta(hours=1), scopes="openid email")

    connection = DriveConnection.objects.get(user=user)
    assert connection.is_active and connection.drive_email == ""


@pytest.mark.django_db
def test_expired_token_is_refreshed_first_and_the_new_one_saved_encrypted(google, user, caplog):
    caplog.set_level(logging.DEBUG)
    connection = connect(user, access="access-old", refresh="refresh-1", expires_in=-timedelta(minutes=5))
    token = google.post(drive.TOKEN_URI).respond(200, json={"access_token": "access-new", "expires_in": 3599})
    files = google.get(f"{FILES}/{FILE_ID}").respond(200, json=FILE)

    assert drive.DriveClient(connection).metadata(FILE_ID)["size"] == 2048

    assert [str(call.request.url).split("?")[0] for call in google.calls] == [drive.TOKEN_URI, f"{FILES}/{FILE_ID}"]
    sent = form(token.calls.last.request)
    assert sent["grant_type"] == "refresh_token" and sent["refresh_token"] == "refresh-1"
    assert sent["client_id"] == "client-id.apps.googleusercontent.com"
    assert bearer(files.calls.last.request) == "access-new"
    fresh = DriveConnection.objects.get(pk=connection.pk)
    assert fresh.access_token == "access-new" and "access-new" not in stored_tokens(fresh)
    assert fresh.expires_at > timezone.now() + timedelta(minutes=55)
    assert not any(secret in caplog.text for secret in ("access-old", "access-new", "refresh-1"))


@pytest.mark.django_db
def test_revoked_refresh_token_asks_for_a_reconnect_and_deactivates(google, user, caplog):
    connection = connect(user, refresh="refresh-revoked", expires_in=-timedelta(minutes=5))
    google.post(drive.TOKEN_URI).respond(
        400, json={"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
    )

    with pytest.raises(drive.DriveReconnectRequired) as raised:
        drive.DriveClient(connection).metadata(FILE_ID)

    assert raised.value.code == "GOOGLE_DRIVE_NOT_CONNECTED" and raised.value.action == "connect_drive"
    assert "refresh-revoked" not in str(raised.value) and "refresh-revoked" not in caplog.text
    assert DriveConnection.objects.get(pk=connection.pk).is_active is False
    with pytest.raises(drive.DriveReconnectRequired):
        drive.DriveClient(DriveConnection.objects.get(pk=connection.pk))


@pytest.mark.django_db
def test_token_refused_even_after_a_refresh_asks_for_a_reconnect(google, user):
    connection = connect(user, access="access-1")
    files = google.get(f"{FILES}/{FILE_ID}").mock(return_value=drive_error(401, "authError"))
    google.post(drive.TOKEN_URI).respond(200, json={"access_token": "access-2", "expires_in": 3599})

    with pytest.raises(drive.DriveReconnectRequired):
        drive.DriveClient(connection).metadata(FILE_ID)

    assert [bearer(call.request) for call in files.calls] == ["access-1", "access-2"]
    assert DriveConnection.objects.get(pk=connection.pk).is_active is False


@pytest.mark.django_db
def test_unreachable_drive_is_a_drive_error(google, user):
    google.get(f"{FILES}/{FILE_ID}").mock(side_effect=httpx.ConnectError("connection refused"))

    with pytest.raises(drive.DriveError) as raised:
        drive.DriveClient(connect(user)).metadata(FILE_ID)

    assert type(raised.value) is drive.DriveError and raised.value.status == 502


# --- files -------------------------------------------------------------------------------------


def multipart(request: httpx.Request) -> tuple[dict, bytes]:
    """The metadata and the media of a multipart/related upload."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.content, policy=email.policy.HTTP)
    metadata, media = message.get_payload()
    return json.loads(metadata.get_payload()), media.get_payload(decode=True)


@pytest.mark.django_db
def test_small_upload_is_one_multipart_request_into_the_app_folder(google, user):
    connection = connect(user, folder_id="folder-1")
    google.get(f"{FILES}/folder-1").respond(200, json={"id": "folder-1", "trashed": False})
    upload = google.post(UPLOAD).respond(200, json=FILE)
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64

    file = drive.DriveClient(connection).upload(data, name="mira.png", mime="image/png")

    assert file == {**FILE, "size": 2048}
    assert upload.call_count == 1
    request = upload.calls.last.request
    assert parse_qs(request.url.query.decode())["uploadType"] == ["multipart"]
    assert request.headers["content-type"].startswith("multipart/related")
    metadata, media = multipart(request)
    assert metadata == {"name": "mira.png", "parents": ["folder-1"]}
    assert media == data
    assert DriveConnection.objects.get(pk=connection.pk).last_used_at is not None


@pytest.mark.django_db
def test_large_upload_is_sent_in_chunks_through_a_resumable_session(google, user):
    connection = connect(user, folder_id="folder-1")
    data = bytes(range(256)) * (6 * 1024 * 4)  # 6 MiB
    session = f"{UPLOAD}?uploadType=resumable&upload_id=session-42"
    google.get(f"{FILES}/folder-1").respond(200, json={"id": "folder-1", "trashed": False})
    start = google.post(UPLOAD, params={"uploadType": "resumable"}).respond(200, headers={"Location": session})
    received = bytearray()

    def chunk(request):
        first, last, total = map(int, request.headers["content-range"].removeprefix("bytes ").replace("/", "-").split("-"))
        assert first == len(received)
        received.extend(request.content)
        if last + 1 < total:
            return httpx.Response(308, headers={"Range": f"bytes=0-{last}"})
        return httpx.Response(200, json={**FILE, "size": str(total)})

    chunks = google.put(UPLOAD, params={"upload_id": "session-42"}).mock(side_effect=chunk)

    file = drive.DriveClient(connection).upload(data, name="scene.mp4", mime="video/mp4")

    assert file["id"] == FILE_ID and file["size"] == len(data)
    assert start.call_count == 1
    assert json.loads(start.calls.last.request.content) == {"name": "scene.mp4", "parents": ["folder-1"]}
    assert start.calls.last.request.headers["x-upload-content-type"] == "video/mp4"
    assert [call.request.headers["content-range"] for call in chunks.calls] == [
        "bytes 0-5242879/6291456",
        "bytes 5242880-6291455/6291456",
    ]
    assert bytes(received) == data


@pytest.mark.django_db
def test_download_returns_the_file_bytes(google, user):
    route = google.get(f"{FILES}/{FILE_ID}", params={"alt": "media"}).respond(200, content=b"\x00video-bytes\xff")

    assert drive.DriveClient(connect(user)).download(FILE_ID) == b"\x00video-bytes\xff"
    assert bearer(route.calls.last.request) == "access-1"


@pytest.mark.django_db
@pytest.mark.parametrize("status", [403, 404])
def test_download_of_a_missing_or_private_file_is_not_found(google, user, status):
    google.get(f"{FILES}/{FILE_ID}", params={"alt": "media"}).mock(return_value=drive_error(status))

    with pytest.raises(drive.DriveFileNotFound) as raised:
        drive.DriveClient(connect(user)).download(FILE_ID)

    assert raised.value.code == "DRIVE_FILE_NOT_ACCESSIBLE" and raised.value.status == 422


@pytest.mark.django_db
def test_metadata_of_a_trashed_file_is_not_found(google, user):
    route = google.get(f"{FILES}/{FILE_ID}").respond(200, json={**FILE, "trashed": True})

    with pytest.raises(drive.DriveFileNotFound):
        drive.DriveClient(connect(user)).metadata(FILE_ID)

    assert parse_qs(route.calls.last.request.url.query.decode())["fields"] == [drive.METADATA_FIELDS]


@pytest.mark.django_db
def test_app_folder_is_created_once_then_reused(google, user):
    connection = connect(user)
    search = google.get(FILES).respond(200, json={"files": []})
    create = google.post(FILES).respond(200, json={"id": "folder-9"})
    check = google.get(f"{FILES}/folder-9").respond(200, json={"id": "folder-9", "trashed": False})

    assert drive.DriveClient(connection).ensure_folder() == "folder-9"
    again = DriveConnection.objects.get(pk=connection.pk)
    assert again.folder_id == "folder-9"
    assert drive.DriveClient(again).ensure_folder() == "folder-9"

    assert (search.call_count, create.call_count, check.call_count) == (1, 1, 1)
    query = parse_qs(search.calls.last.request.url.query.decode())["q"][0]
    assert "name = 'MODO Creator Verse'" in query and drive.FOLDER_MIME in query
    assert "appProperties has { key='modo' and value='app-folder' }" in query
    assert json.loads(create.calls.last.request.content) == {
        "name": "MODO Creator Verse", "mimeType": drive.FOLDER_MIME, "appProperties": {"modo": "app-folder"},
    }


@pytest.mark.django_db
def test_a_deleted_app_folder_is_found_again_by_search(google, user):
    connection = connect(user, folder_id="folder-gone")
    google.get(f"{FILES}/folder-gone").mock(return_value=drive_error(404))
    google.get(FILES).respond(200, json={"files": [{"id": "folder-found"}]})

    assert drive.DriveClient(connection).ensure_folder() == "folder-found"
    assert DriveConnection.objects.get(pk=connection.pk).folder_id == "folder-found"


@pytest.mark.django_db
def test_delete_ignores_a_file_that_is_already_gone(google, user):
    route = google.delete(f"{FILES}/{FILE_ID}").mock(return_value=drive_error(404))

    drive.DriveClient(connect(user)).delete(FILE_ID)

    assert route.call_count == 1


@pytest.mark.django_db
def test_inactive_connection_asks_for_a_reconnect(user):
    connection = connect(user)
    connection.is_active = False

    with pytest.raises(drive.DriveReconnectRequired):
        drive.DriveClient(connection)


# --- OAuth -------------------------------------------------------------------------------------


def test_auth_url_asks_for_drive_file_with_offline_access():
    url = drive.auth_url(state="state-123", redirect_uri="https://modo.test/drive/callback/", login_hint="mira@gmail.com")

    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://accounts.google.com/o/oauth2/v2/auth"
    assert query == {
        "client_id": "client-id.apps.googleusercontent.com",
        "redirect_uri": "https://modo.test/drive/callback/",
        "response_type": "code",
        "scope": "openid email https://www.googleapis.com/auth/drive.file",
        "access_type": "offline",
        "prompt": "consent",
        "include_granted_scopes": "true",
        "state": "state-123",
        "login_hint": "mira@gmail.com",
    }


@pytest.mark.django_db
def test_oauth_client_falls_back_to_allauths_social_app(settings):
    settings.GOOGLE_CLIENT_ID = settings.GOOGLE_CLIENT_SECRET = ""
    assert drive.oauth_client() is None
    with pytest.raises(drive.DriveNotConfigured):
        drive.auth_url(state="s", redirect_uri="https://modo.test/cb/")

    SocialApp.objects.create(provider="google", name="Google", client_id="db-client", secret="db-secret")

    assert drive.oauth_client() == ("db-client", "db-secret")


@pytest.mark.django_db
def test_exchange_code_returns_tokens_and_expiry(google):
    token = google.post(drive.TOKEN_URI).respond(200, json={
        "access_token": "access-1", "refresh_token": "refresh-1", "expires_in": 3599,
        "scope": "openid https://www.googleapis.com/auth/drive.file", "token_type": "Bearer",
    })

    tokens = drive.exchange_code(code="4/code", redirect_uri="https://modo.test/drive/callback/")

    assert form(token.calls.last.request) == {
        "code": "4/code", "redirect_uri": "https://modo.test/drive/callback/", "grant_type": "authorization_code",
        "client_id": "client-id.apps.googleusercontent.com", "client_secret": "client-secret",
    }
    assert tokens["access_token"] == "access-1" and tokens["refresh_token"] == "refresh-1"
    assert tokens["scopes"] == "openid https://www.googleapis.com/auth/drive.file"
    assert timedelta(minutes=59) < tokens["expires_at"] - timezone.now() <= timedelta(seconds=3599)


@pytest.mark.django_db
@pytest.mark.parametrize("answer", [
    httpx.Response(400, json={"error": "invalid_grant"}),
    httpx.Response(502, text="<html>bad gateway</html>"),
    httpx.ConnectTimeout("timed out"),
])
def test_exchange_code_failure_is_a_drive_error(google, answer):
    route = google.post(drive.TOKEN_URI)
    route.mock(side_effect=answer) if isinstance(answer, Exception) else route.mock(return_value=answer)

    with pytest.raises(drive.DriveError):
        drive.exchange_code(code="4/code", redirect_uri="https://modo.test/drive/callback/")


@pytest.mark.django_db
def test_disconnect_revokes_the_refresh_token_and_deletes_the_connection(google, user):
    revoke = google.post(drive.REVOKE_URI).respond(200)

    drive.connection_disconnect(connection=connect(user, refresh="refresh-1"))

    assert form(revoke.calls.last.request) == {"token": "refresh-1"}
    assert not DriveConnection.objects.filter(user=user).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("answer", [httpx.Response(400, json={"error": "invalid_token"}), httpx.ConnectError("down")])
def test_disconnect_deletes_the_connection_even_when_revoking_fails(google, user, answer):
    route = google.post(drive.REVOKE_URI)
    route.mock(side_effect=answer) if isinstance(answer, Exception) else route.mock(return_value=answer)

    drive.connection_disconnect(connection=connect(user))

    assert not DriveConnection.objects.filter(user=user).exists()


# --- links -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    f"https://drive.google.com/file/d/{FILE_ID}/view",
    f"https://drive.google.com/file/d/{FILE_ID}/view?usp=sharing",
    f"https://drive.google.com/file/d/{FILE_ID}",
    f"https://drive.google.com/file/d/{FILE_ID}/edit",
    f"https://drive.google.com/file/d/{FILE_ID}/preview",
    f"https://drive.google.com/file/u/1/d/{FILE_ID}/view?usp=drive_link",
    f"https://drive.google.com/open?id={FILE_ID}",
    f"https://drive.google.com/uc?export=download&id={FILE_ID}",
    f"https://docs.google.com/file/d/{FILE_ID}/edit",
    f"HTTPS://Drive.Google.COM:443/file/d/{FILE_ID}/view",
    f"http://drive.google.com/file/d/{FILE_ID}/view",
    f"  https://drive.google.com/file/d/{FILE_ID}/view\n",
])
def test_drive_links_give_the_file_id(url):
    assert drive.parse_drive_url(url) == FILE_ID


@pytest.mark.parametrize("url", [
    f"https://drive.google.com.evil.com/file/d/{FILE_ID}/view",
    f"https://evil.com/drive.google.com/file/d/{FILE_ID}/view",
    f"https://evil.com/?u=https://drive.google.com/file/d/{FILE_ID}/view",
    f"https://doc-0s-8c-docs.googleusercontent.com/file/d/{FILE_ID}/view",
    f"https://evil-drive.google.com/file/d/{FILE_ID}/view",
    f"https://drive.google.com@evil.com/file/d/{FILE_ID}/view",
    f"https://evil.com@drive.google.com/file/d/{FILE_ID}/view",
    f"https://drive.google.com:8443/file/d/{FILE_ID}/view",
    f"https://drive.google.com:/file/d/{FILE_ID}/view",
    f"https://142.250.72.14/file/d/{FILE_ID}/view",
    f"https://[2607:f8b0:4005:80c::200e]/file/d/{FILE_ID}/view",
    f"https://[drive.google.com/file/d/{FILE_ID}/view",
    f"javascript:alert(1)//drive.google.com/file/d/{FILE_ID}/view",
    f"data:text/html,https://drive.google.com/file/d/{FILE_ID}/view",
    f"file:///drive.google.com/file/d/{FILE_ID}/view",
    f"ftp://drive.google.com/file/d/{FILE_ID}/view",
    f"//drive.google.com/file/d/{FILE_ID}/view",
    f"drive.google.com/file/d/{FILE_ID}/view",
    f"https://drive.google.com\\@evil.com/file/d/{FILE_ID}/view",
    f"https://drive.google.com/file/d/{FILE_ID}\\view",
    f"https://drive.google.com/file/d/{FILE_ID[:10]} {FILE_ID[10:]}/view",
    f"https://drive.google.com/file/d/{FILE_ID}\t/view",
    f"https://drive.google.com/file/d/{FILE_ID}%0a/view",
    f"https://drive.google.com/file/d/\x00{FILE_ID}/view",
    f"https://drive.goog\u0142e.com/file/d/{FILE_ID}/view",
    f"https://drive.google.com/file/d/{'A' * 2100}/view",
    "https://drive.google.com/file/d/short/view",
    f"https://drive.google.com/file/d/{FILE_ID}/../../evil",
    f"https://drive.google.com/drive/folders/{FILE_ID}",
    "https://drive.google.com/open?id=",
    f"https://drive.google.com/open?id={FILE_ID}&id=1ZzZzZzZzZzZzZzZzZ",
    f"https://drive.google.com/open?id={FILE_ID}'%3Balert(1)",
    "https://drive.google.com/",
    "",
])
def test_anything_but_a_drive_file_link_is_refused(url):
    with pytest.raises(ValueError, match="Google Drive file link"):
        drive.parse_drive_url(url)


# --- public files ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_metadata_reads_a_shared_file_with_the_api_key(google, settings):
    settings.GOOGLE_DRIVE_API_KEY = "api-key-1"
    route = google.get(f"{FILES}/{FILE_ID}").respond(200, json={**FILE, "imageMediaMetadata": {"width": 8}})

    file = drive.public_metadata(FILE_ID)

    assert file["name"] == "mira.png" and file["size"] == 2048 and file["imageMediaMetadata"] == {"width": 8}
    request = route.calls.last.request
    assert request.headers["x-goog-api-key"] == "api-key-1" and "api-key-1" not in str(request.url)
    assert "authorization" not in request.headers


@pytest.mark.django_db
@pytest.mark.parametrize("status", [403, 404])
def test_public_metadata_of_a_private_or_missing_file_is_not_found(google, settings, status):
    settings.GOOGLE_DRIVE_API_KEY = "api-key-1"
    google.get(f"{FILES}/{FILE_ID}").mock(return_value=drive_error(status))

    with pytest.raises(drive.DriveFileNotFound):
        drive.public_metadata(FILE_ID)


def test_public_metadata_without_an_api_key_needs_a_drive_connection(google):
    with pytest.raises(drive.DriveNotConnected) as raised:
        drive.public_metadata(FILE_ID)

    assert raised.value.status == 409 and not google.calls
