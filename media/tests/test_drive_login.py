"""Signing in with Google connects the creator's Drive: the whole allauth flow runs, with Google's
token endpoint stubbed for allauth's requests session (responses) and Drive for ours (respx)."""

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import responses
import respx
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.utils import timezone

from accounts.models import User
from media.models import DriveConnection

CLIENT_ID = "client-id.apps.googleusercontent.com"
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive.file"
ABOUT = "https://www.googleapis.com/drive/v3/about"
ACCOUNT = {"user": {"emailAddress": "mira@gmail.com"}, "storageQuota": {"usage": "1024", "limit": "16106127360"}}


@pytest.fixture(autouse=True)
def google_app(db, settings):
    settings.GOOGLE_CLIENT_ID = settings.GOOGLE_CLIENT_SECRET = ""  # the SocialApp row is the OAuth client
    settings.SOCIALACCOUNT_STORE_TOKENS = False
    return SocialApp.objects.create(provider="google", name="Google", client_id=CLIENT_ID, secret="client-secret")


def id_token(email="mira@gmail.com") -> str:
    # allauth skips the signature check of an id_token it fetched itself over TLS.
    claims = {"iss": "https://accounts.google.com", "aud": CLIENT_ID, "sub": "1098765432101234567890",
              "email": email, "email_verified": True, "name": "Mira Sol", "exp": int(time.time()) + 3600}
    return jwt.encode(claims, "not-checked-" * 4, algorithm="HS256")


def sign_in_with_google(client, *, scope: str, refresh_token: str | None = "1//refresh-login"):
    """Clicks "Continue with Google", then comes back from Google's consent page with a code."""
    started = client.post("/accounts/google/login/")
    state = parse_qs(urlsplit(started.url).query)["state"][0]
    tokens = {"access_token": "ya29.access-login", "expires_in": 3599, "scope": scope, "token_type": "Bearer",
              "id_token": id_token()}
    if refresh_token:
        tokens["refresh_token"] = refresh_token
    with responses.RequestsMock() as google:
        google.post("https://oauth2.googleapis.com/token", json=tokens)
        return client.get("/accounts/google/login/callback/", {"state": state, "code": "4/code", "scope": scope})


@pytest.mark.django_db
def test_new_creator_signing_in_with_google_gets_their_drive_connected(client):
    with respx.mock(assert_all_mocked=True) as drive:
        about = drive.get(ABOUT).respond(200, json=ACCOUNT)
        response = sign_in_with_google(client, scope=f"openid email profile {DRIVE_SCOPE}")

    assert response.status_code == 302
    user = User.objects.get(email="mira@gmail.com")
    assert client.session["_auth_user_id"] == str(user.pk)
    connection = DriveConnection.objects.get(user=user)
    assert (connection.access_token, connection.refresh_token) == ("ya29.access-login", "1//refresh-login")
    assert "ya29" not in connection.access_token_encrypted
    assert connection.is_active and connection.drive_email == "mira@gmail.com"
    assert DRIVE_SCOPE in connection.scopes.split()
    assert timezone.now() + timedelta(minutes=55) < connection.expires_at
    assert about.calls.last.request.headers["authorization"] == "Bearer ya29.access-login"
    assert not SocialToken.objects.exists()  # no plaintext copy in allauth's table


@pytest.mark.django_db
def test_returning_creator_gets_fresh_tokens_and_keeps_the_refresh_token(client, user):
    SocialAccount.objects.create(user=user, provider="google", uid="1098765432101234567890")
    old = DriveConnection(user=user, folder_id="folder-1", is_active=False)
    old.access_token, old.refresh_token = "ya29.old", "1//refresh-old"
    old.save()

    with respx.mock(assert_all_mocked=True) as drive:
        drive.get(ABOUT).respond(200, json=ACCOUNT)
        response = sign_in_with_google(client, scope=f"openid {DRIVE_SCOPE} email", refresh_token=None)

    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    connection = DriveConnection.objects.get(user=user)
    assert connection.pk == old.pk and connection.is_active and connection.folder_id == "folder-1"
    assert (connection.access_token, connection.refresh_token) == ("ya29.access-login", "1//refresh-old")


@pytest.mark.django_db
def test_signing_in_without_granting_drive_connects_nothing(client):
    with respx.mock(assert_all_mocked=True):  # Drive is never called
        response = sign_in_with_google(client, scope="openid email profile")

    assert response.status_code == 302
    assert User.objects.filter(email="mira@gmail.com").exists()
    assert not DriveConnection.objects.exists()
