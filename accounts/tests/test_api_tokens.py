import hashlib

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import ApiToken

ME = "/api/v1/me"


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.django_db
def test_created_token_authenticates_me(client, user):
    created = services.api_token_create(user=user, name="pipeline")

    response = client.get(ME, **bearer(created.raw))

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["data"]["email"] == user.email
    assert body["data"]["id"] == str(user.public_id)


@pytest.mark.django_db
def test_revoked_token_gets_401_envelope(client, user):
    created = services.api_token_create(user=user, name="pipeline")
    services.api_token_revoke(token=created.token)

    response = client.get(ME, **bearer(created.raw))

    assert response.status_code == 401
    assert response.json()["success"] is False
    assert response.json()["error"] == "UNAUTHENTICATED"


@pytest.mark.django_db
def test_token_is_stored_as_a_hash_never_in_plaintext(user):
    created = services.api_token_create(user=user, name="pipeline")

    row = ApiToken.objects.values().get(pk=created.token.pk)
    assert created.raw not in {str(v) for v in row.values()}
    assert all(created.raw[len(created.token.prefix):] not in str(v) for v in row.values())
    assert row["token_hash"] == hashlib.sha256(created.raw.encode()).hexdigest()
    assert created.raw.startswith(row["prefix"])


@pytest.mark.django_db
def test_unknown_or_malformed_tokens_get_401(client, user):
    services.api_token_create(user=user, name="pipeline")
    for raw in ["modo_not-a-real-token", "garbage", ""]:
        response = client.get(ME, **bearer(raw))
        assert response.status_code == 401, raw


@pytest.mark.django_db
def test_token_of_deactivated_user_gets_401(client, user):
    created = services.api_token_create(user=user, name="pipeline")
    user.is_active = False
    user.save()

    assert client.get(ME, **bearer(created.raw)).status_code == 401


@pytest.mark.django_db
def test_token_use_is_recorded(client, user):
    created = services.api_token_create(user=user, name="pipeline")
    assert created.token.last_used_at is None

    client.get(ME, **bearer(created.raw))

    created.token.refresh_from_db()
    assert created.token.last_used_at is not None


@pytest.mark.django_db
def test_session_authenticates_me(client, user):
    client.force_login(user)
    assert client.get(ME).json()["data"]["email"] == user.email


@pytest.mark.django_db
def test_api_keys_page_shows_a_new_token_once(client, user):
    client.force_login(user)

    response = client.post(reverse("accounts:api_keys"), {"name": "Render farm"})

    assert response.status_code == 200
    raw = response.context["created"].raw
    assert raw in response.content.decode()
    page_again = client.get(reverse("accounts:api_keys")).content.decode()
    assert raw not in page_again
    assert "Render farm" in page_again


@pytest.mark.django_db
def test_api_keys_page_rejects_a_blank_name(client, user):
    client.force_login(user)

    response = client.post(reverse("accounts:api_keys"), {"name": "   "})

    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_revoking_from_the_page_stops_the_token(client, user):
    created = services.api_token_create(user=user, name="pipeline")
    client.force_login(user)

    response = client.post(reverse("accounts:api_key_revoke", args=[created.token.public_id]))

    assert response.status_code == 302
    client.logout()
    assert client.get(ME, **bearer(created.raw)).status_code == 401
    assert "pipeline" not in client.get(reverse("accounts:api_keys")).content.decode()


@pytest.mark.django_db
def test_revoking_someone_elses_token_is_404(client, user, outsider):
    created = services.api_token_create(user=user, name="pipeline")
    client.force_login(outsider)

    response = client.post(reverse("accounts:api_key_revoke", args=[created.token.public_id]))

    assert response.status_code == 404
    created.token.refresh_from_db()
    assert created.token.revoked_at is None


@pytest.mark.django_db
def test_revoke_needs_post(client, user):
    created = services.api_token_create(user=user, name="pipeline")
    client.force_login(user)

    assert client.get(reverse("accounts:api_key_revoke", args=[created.token.public_id])).status_code == 405
