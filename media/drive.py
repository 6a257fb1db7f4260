"""Google Drive, reached with each creator's own OAuth tokens (drive.file scope).

The Drive API goes through google-api-python-client and google-auth, as the stack requires, but
every byte travels over one httpx client: `_HttpxRequest` is google-auth's transport (token
refresh) and `_AuthorizedHttp` is the httplib2 stand-in googleapiclient calls. Tests stub that one
transport with respx, so the real SDK code runs.

Tokens are never logged and never put in an exception message.
"""

import functools
import io
import logging
import re
from datetime import UTC, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import google.auth.exceptions
import google.auth.transport
import httplib2
import httpx
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from media.models import DriveConnection
from modo import crypto
from modo.errors import AppError

logger = logging.getLogger(__name__)

AUTH_URI = "https://accounts.google.com/o/oauth2/v2/auth"
TOKEN_URI = "https://oauth2.googleapis.com/token"
REVOKE_URI = "https://oauth2.googleapis.com/revoke"
FILES_URI = "https://www.googleapis.com/drive/v3/files"
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive.file"
SCOPES = ("openid", "email", DRIVE_SCOPE)

FOLDER_MIME = "application/vnd.google-apps.folder"
APP_FOLDER_PROPERTIES = {"modo": "app-folder"}
FILE_FIELDS = "id,name,mimeType,size,webViewLink,thumbnailLink"
METADATA_FIELDS = (
    FILE_FIELDS + ",imageMediaMetadata(width,height),videoMediaMetadata(width,height,durationMillis),trashed"
)
# Resumable chunks must be multiples of 256 KiB; 5 MiB sends a 6 MB file in two.
CHUNK_SIZE = 20 * 256 * 1024
RETRIES = 2  # googleapiclient's own retries of 5xx and rate-limit answers


class DriveError(AppError):
    code = "DRIVE_ERROR"
    status = 502
    default_message = _("Google Drive did not answer. Try again.")


class DriveNotConnected(AppError):
    code = "GOOGLE_DRIVE_NOT_CONNECTED"
    status = 409
    action = "connect_drive"
    default_message = _("Connect your Google Drive first, or switch storage to MODO storage.")


class DriveReconnectRequired(DriveNotConnected):
    default_message = _("Google Drive access was revoked or expired. Reconnect your Drive.")


class DriveFileNotFound(DriveError):
    code = "DRIVE_FILE_NOT_ACCESSIBLE"
    status = 422
    default_message = _("That Drive file does not exist or is not shared with you.")


class DriveNotConfigured(AppError):
    code = "DRIVE_NOT_CONFIGURED"
    status = 503
    default_message = _("Google Drive is not set up on this site yet.")


# --- transport ---------------------------------------------------------------------------------


@functools.cache
def _http() -> httpx.Client:
    """One pooled client per process (created on first use, so after any fork)."""
    return httpx.Client(timeout=httpx.Timeout(60.0, connect=10.0))


class _HttpxResponse(google.auth.transport.Response):
    def __init__(self, response: httpx.Response):
        self._response = response

    @property
    def status(self):
        return self._response.status_code

    @property
    def headers(self):
        return self._response.headers

    @property
    def data(self):
        return self._response.content


class _HttpxRequest(google.auth.transport.Request):
    """google-auth's transport interface over httpx."""

    def __init__(self, client: httpx.Client):
        self._client = client

    def __call__(self, url, method="GET", body=None, headers=None, timeout=None, **kwargs):
        try:
            response = self._client.request(
                method, url, content=body, headers=headers, timeout=timeout or httpx.USE_CLIENT_DEFAULT
            )
        except httpx.HTTPError as exc:
            raise google.auth.exceptions.TransportError(type(exc).__name__) from exc
        return _HttpxResponse(response)


class _AuthorizedHttp:
    """The part of httplib2.Http that googleapiclient calls, sent through httpx with the creator's
    token: google-auth refreshes an expired token before the request, and once after a 401."""

    def __init__(self, credentials: Credentials, client: httpx.Client):
        self.credentials = credentials
        self._client = client
        self._auth_request = _HttpxRequest(client)

    def request(self, uri, method="GET", body=None, headers=None, redirections=5, connection_type=None):
        headers = dict(headers or {})
        if hasattr(body, "read"):  # a resumable upload's chunk comes as a file-like slice
            body = body.read()
        self.credentials.before_request(self._auth_request, method, uri, headers)
        response = self._send(uri, method, body, headers, redirections)
        if response.status_code == 401:
            self.credentials.refresh(self._auth_request)
            self.credentials.apply(headers)
            response = self._send(uri, method, body, headers, redirections)
        info = {key.lower(): value for key, value in response.headers.items()}
        info["status"] = str(response.status_code)
        return httplib2.Response(info), response.content

    def _send(self, uri, method, body, headers, redirections) -> httpx.Response:
        # Like httplib2, follow redirects of GETs only: a resumable upload's 308 is not a redirect.
        follow = method == "GET" and bool(redirections)
        return self._client.request(method, uri, content=body, headers=headers, follow_redirects=follow)


# --- OAuth -------------------------------------------------------------------------------------


def oauth_client() -> tuple[str, str] | None:
    """Google login's OAuth client (id, secret): from settings, else allauth's SocialApp; None if neither."""
    if settings.GOOGLE_CLIENT_ID and settings.GOOGLE_CLIENT_SECRET:
        return settings.GOOGLE_CLIENT_ID, settings.GOOGLE_CLIENT_SECRET
    app = SocialApp.objects.filter(provider="google").exclude(client_id="").exclude(secret="").order_by("pk").first()
    return (app.client_id, app.secret) if app else None


def configured() -> bool:
    """Whether this site offers Google Drive: its OAuth client is set (GOOGLE_CLIENT_ID and
    GOOGLE_CLIENT_SECRET). Where it is not, no page links to Drive or to the storage settings.
    Every page asks, so this reads settings only — never the admin's Social applications, which
    would cost a query per page (they still serve oauth_client() where one is asked for)."""
    return bool(settings.GOOGLE_CLIENT_ID and settings.GOOGLE_CLIENT_SECRET)


def _required_client() -> tuple[str, str]:
    client = oauth_client()
    if client is None:
        raise DriveNotConfigured()
    return client


def auth_url(*, state: str, redirect_uri: str, login_hint: str = "") -> str:
    """Google's consent page asking for drive.file with offline access (a refresh token).
    Raises DriveNotConfigured without an OAuth client."""
    client_id, _secret = _required_client()
    params = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": " ".join(SCOPES),
        "access_type": "offline",
        "prompt": "consent",
        "include_granted_scopes": "true",
        "state": state,
    }
    if login_hint:
        params["login_hint"] = login_hint
    return f"{AUTH_URI}?{urlencode(params)}"


def exchange_code(*, code: str, redirect_uri: str) -> dict:
    """Trades the consent page's code for tokens: {"access_token", "refresh_token" ("" if Google sent
    none), "expires_at" (aware), "scopes"}. Raises DriveError when Google refuses or does not answer."""
    client_id, client_secret = _required_client()
    form = {
        "code": code,
        "client_id": client_id,
        "client_secret": client_secret,
        "redirect_uri": redirect_uri,
        "grant_type": "authorization_code",
    }
    try:
        response = _http().post(TOKEN_URI, data=form)
        payload = response.json()
    except (httpx.HTTPError, ValueError):
        raise DriveError() from None
    if response.status_code != 200 or not isinstance(payload, dict) or not payload.get("access_token"):
        logger.warning("Google refused the Drive code: %s", payload.get("error") if isinstance(payload, dict) else "")
        raise DriveError()
    return {
        "access_token": payload["access_token"],
        "refresh_token": payload.get("refresh_token", ""),
        "expires_at": timezone.now() + timedelta(seconds=int(payload.get("expires_in", 3600))),
        "scopes": payload.get("scope", ""),
    }


def connection_save(*, user, access_token, refresh_token, expires_at, scopes) -> DriveConnection:
    """Creates or updates the user's active Drive connection, tokens encrypted; keeps the stored
    refresh token when Google sent none. Then fills the Drive account and quota, best effort: a
    Drive failure there leaves the connection saved."""
    connection, _created = DriveConnection.objects.get_or_create(user=user)
    connection.access_token = access_token
    if refresh_token:
        connection.refresh_token = refresh_token
    connection.expires_at = expires_at
    connection.scopes = " ".join(scopes) if isinstance(scopes, list | tuple) else (scopes or "")
    connection.is_active = True
    connection.save()
    try:
        about = DriveClient(connection).about()
    except DriveError:
        logger.warning("Drive connected for user %s, but its account details did not load", user.pk)
        return connection
    connection.drive_email = about["email"]
    connection.storage_used = about["used"]
    connection.storage_limit = about["limit"]
    connection.save(update_fields=["drive_email", "storage_used", "storage_limit", "updated_at"])
    return connection


def connection_disconnect(*, connection: DriveConnection) -> None:
    """Asks Google to revoke the tokens (best effort) and deletes the connection whatever it answers."""
    try:
        token = connection.refresh_token or connection.access_token
    except crypto.InvalidToken:
        token = ""
    if token:
        try:
            response = _http().post(REVOKE_URI, data={"token": token})
            if response.status_code != 200:
                logger.info("Google did not revoke a Drive token (HTTP %s)", response.status_code)
        except httpx.HTTPError as exc:
            logger.warning("Could not reach Google to revoke a Drive token: %s", type(exc).__name__)
    connection.delete()


# --- links -------------------------------------------------------------------------------------

_FILE_ID = re.compile(r"[A-Za-z0-9_-]{10,200}")
_FILE_PATH = re.compile(r"/file(?:/u/\d{1,2})?/d/([A-Za-z0-9_-]{10,200})(?:/(?:view|edit|preview))?/?")
_DRIVE_HOSTS = {"drive.google.com", "docs.google.com"}
# The links parse_drive_url takes, as the API's document states them (the common forms; the code,
# which also takes a query after them, is the judge and gives the message).
DRIVE_URL_PATTERN = (r"^https://(drive|docs)\.google\.com(" + _FILE_PATH.pattern
                     + r"|/(open|uc)\?id=[A-Za-z0-9_-]{10,200})$")


def parse_drive_url(url: str) -> str:
    """The file id in a Google Drive file link; raises ValueError (a message for the creator) for
    anything else. Only drive.google.com and docs.google.com links are accepted. Fetches nothing."""
    refused = ValueError(str(_("Paste a Google Drive file link, like https://drive.google.com/file/d/…/view.")))
    if not isinstance(url, str) or len(url) > 2048:
        raise refused
    url = url.strip()
    # Printable ASCII only: no whitespace or control characters, no backslash or userinfo tricks.
    if not url.isascii() or not url.isprintable() or " " in url or "\\" in url or "@" in url:
        raise refused
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise refused from None
    host, colon, port = parts.netloc.lower().partition(":")
    if parts.scheme not in ("https", "http") or host not in _DRIVE_HOSTS or (colon and port != "443"):
        raise refused
    if match := _FILE_PATH.fullmatch(parts.path):
        return match.group(1)
    if parts.path in ("/open", "/uc"):
        ids = parse_qs(parts.query).get("id", [])
        if len(ids) == 1 and _FILE_ID.fullmatch(ids[0]):
            return ids[0]
    raise refused


def public_metadata(file_id: str) -> dict:
    """A file shared as "anyone with the link", read with the site's API key (no creator's Drive).
    Raises DriveNotConnected without GOOGLE_DRIVE_API_KEY, DriveFileNotFound when the file is missing,
    private or trashed, DriveError when Drive fails."""
    if not settings.GOOGLE_DRIVE_API_KEY:
        raise DriveNotConnected()
    if not _FILE_ID.fullmatch(file_id or ""):
        raise DriveFileNotFound()
    try:
        # The key goes in a header, not the query string, so it stays out of httpx's request log.
        response = _http().get(
            f"{FILES_URI}/{file_id}",
            params={"fields": METADATA_FIELDS, "supportsAllDrives": "true"},
            headers={"X-Goog-Api-Key": settings.GOOGLE_DRIVE_API_KEY},
        )
    except httpx.HTTPError:
        raise DriveError() from None
    if response.status_code in (403, 404):
        raise DriveFileNotFound()
    if response.status_code != 200:
        logger.warning("Drive answered HTTP %s to a public file lookup", response.status_code)
        raise DriveError()
    return _visible(response.json())


def _visible(file: dict) -> dict:
    if file.get("trashed"):
        raise DriveFileNotFound()
    if "size" in file:
        file["size"] = int(file["size"])
    return file


# --- one creator's Drive -------------------------------------------------------------------------


class DriveClient:
    """One creator's Drive through their own tokens. Every call raises DriveReconnectRequired when
    Google no longer accepts the tokens (the connection is then marked inactive) and DriveError
    when Drive fails; a token refreshed on the way is saved, encrypted, on the connection."""

    def __init__(self, connection: DriveConnection):
        if not connection.is_active:
            raise DriveReconnectRequired()
        client_id, client_secret = _required_client()
        try:
            access_token, refresh_token = connection.access_token, connection.refresh_token
        except crypto.InvalidToken:
            raise DriveReconnectRequired() from None
        expires_at = connection.expires_at
        self.connection = connection
        self._credentials = Credentials(
            access_token or None,
            refresh_token=refresh_token or None,
            token_uri=TOKEN_URI,
            client_id=client_id,
            client_secret=client_secret,
            # google-auth compares expiry with a naive UTC clock.
            expiry=expires_at.astimezone(UTC).replace(tzinfo=None) if expires_at else None,
        )
        self._saved = (self._credentials.token, self._credentials.refresh_token)
        self._service = build(
            "drive",
            "v3",
            http=_AuthorizedHttp(self._credentials, _http()),
            static_discovery=True,
            cache_discovery=False,
        )

    def about(self) -> dict:
        """{"email", "used", "limit"} of the Drive account; limit is None for unlimited storage."""
        about = self._execute(self._service.about().get(fields="user(emailAddress),storageQuota(usage,limit)"))
        quota = about.get("storageQuota", {})
        return {
            "email": about.get("user", {}).get("emailAddress", ""),
            "used": int(quota.get("usage") or 0),
            "limit": int(quota["limit"]) if quota.get("limit") else None,
        }

    def ensure_folder(self) -> str:
        """The id of the app's folder, found or created once and remembered on the connection."""
        files = self._service.files()
        folder_id = self.connection.folder_id
        if folder_id:
            try:
                folder = self._execute(files.get(fileId=folder_id, fields="id,trashed"), file_call=True)
                if not folder.get("trashed"):
                    return folder_id
            except DriveFileNotFound:
                pass
        name = settings.DRIVE_FOLDER_NAME.replace("\\", "\\\\").replace("'", "\\'")
        query = (
            f"name = '{name}' and mimeType = '{FOLDER_MIME}' and trashed = false"
            " and appProperties has { key='modo' and value='app-folder' }"
        )
        found = self._execute(files.list(q=query, spaces="drive", fields="files(id)", pageSize=1)).get("files", [])
        if found:
            folder_id = found[0]["id"]
        else:
            body = {"name": settings.DRIVE_FOLDER_NAME, "mimeType": FOLDER_MIME, "appProperties": APP_FOLDER_PROPERTIES}
            folder_id = self._execute(files.create(body=body, fields="id"))["id"]
        self.connection.folder_id = folder_id
        self.connection.save(update_fields=["folder_id", "updated_at"])
        return folder_id

    def upload(self, data: bytes, *, name: str, mime: str) -> dict:
        """Stores the bytes in the app folder: one multipart request up to DRIVE_RESUMABLE_ABOVE,
        a resumable session in CHUNK_SIZE chunks above. Returns {"id", "name", "mimeType", "size"
        (int), "webViewLink", "thumbnailLink"} ("" for a link Drive has not made yet)."""
        folder_id = self.ensure_folder()
        media = MediaIoBaseUpload(
            io.BytesIO(data), mimetype=mime, chunksize=CHUNK_SIZE, resumable=len(data) > settings.DRIVE_RESUMABLE_ABOVE
        )
        request = self._service.files().create(
            body={"name": name, "parents": [folder_id]}, media_body=media, fields=FILE_FIELDS
        )
        file = self._execute(request)
        self._touch()
        return {
            "id": file["id"],
            "name": file.get("name", name),
            "mimeType": file.get("mimeType", mime),
            "size": int(file.get("size") or len(data)),
            "webViewLink": file.get("webViewLink", ""),
            "thumbnailLink": file.get("thumbnailLink", ""),
        }

    def download(self, file_id: str) -> bytes:
        """The file's bytes; DriveFileNotFound when it is missing or not shared with this app."""
        content = self._execute(
            self._service.files().get_media(fileId=file_id, supportsAllDrives=True), file_call=True
        )
        self._touch()
        return content

    def metadata(self, file_id: str) -> dict:
        """Drive's fields METADATA_FIELDS for the file (size as int); DriveFileNotFound when it is
        missing, trashed or not shared with this app."""
        request = self._service.files().get(fileId=file_id, fields=METADATA_FIELDS, supportsAllDrives=True)
        return _visible(self._execute(request, file_call=True))

    def delete(self, file_id: str) -> None:
        """Deletes the file from Drive; one that is already gone is fine."""
        self._execute(self._service.files().delete(fileId=file_id, supportsAllDrives=True), missing_ok=True)

    def _execute(self, request, *, file_call: bool = False, missing_ok: bool = False):
        """Runs a googleapiclient request. file_call: a 403 or 404 means DriveFileNotFound;
        missing_ok: a 404 returns None."""
        try:
            return request.execute(num_retries=RETRIES)
        except google.auth.exceptions.RefreshError as exc:
            detail = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
            if detail.get("error") == "invalid_grant" or not self._credentials.refresh_token:
                self._deactivate()
                raise DriveReconnectRequired() from exc
            logger.warning("Drive token refresh failed: %s", detail.get("error", "no detail"))
            raise DriveError() from exc
        except HttpError as exc:
            status = exc.status_code
            if status == 401:
                self._deactivate()
                raise DriveReconnectRequired() from exc
            if missing_ok and status == 404:
                return None
            if file_call and status in (403, 404):
                raise DriveFileNotFound() from exc
            logger.warning("Drive answered HTTP %s: %s", status, exc.reason)
            raise DriveError() from exc
        except (httpx.HTTPError, google.auth.exceptions.TransportError) as exc:
            logger.warning("Could not reach Google Drive: %s", type(exc).__name__)
            raise DriveError() from exc
        finally:
            self._keep_refreshed_tokens()

    def _keep_refreshed_tokens(self):
        token, refresh_token = self._credentials.token, self._credentials.refresh_token
        if not token or (token, refresh_token) == self._saved:
            return
        connection = self.connection
        connection.access_token = token
        expiry = self._credentials.expiry
        connection.expires_at = expiry.replace(tzinfo=UTC) if expiry else None
        fields = ["access_token_encrypted", "expires_at", "updated_at"]
        if refresh_token and refresh_token != self._saved[1]:
            connection.refresh_token = refresh_token
            fields.append("refresh_token_encrypted")
        connection.save(update_fields=fields)
        self._saved = (token, refresh_token)

    def _deactivate(self):
        self.connection.is_active = False
        self.connection.save(update_fields=["is_active", "updated_at"])

    def _touch(self):
        self.connection.last_used_at = timezone.now()
        self.connection.save(update_fields=["last_used_at", "updated_at"])
