import re
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.socialaccount.models import SocialApp
from django.core import mail
from django.urls import reverse

from accounts.models import User

from .factories import PASSWORD, UserFactory


def _confirm_link(message) -> str:
    match = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", message.body)
    assert match, message.body
    return urlparse(match.group(0)).path


@pytest.mark.django_db
def test_signup_sends_a_verification_mail_and_confirming_signs_in(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "Sari@Example.com", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "sari@example.com"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sari@example.com"]
    # Mandatory verification: not signed in until the address is confirmed.
    assert client.get(reverse("dashboard")).status_code == 302

    link = _confirm_link(mail.outbox[0])
    client.post(link)

    assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.django_db
def test_unverified_user_cannot_sign_in(client):
    UserFactory(email="new@example.com", verified=False)

    client.post(reverse("account_login"), {"login": "new@example.com", "password": PASSWORD})

    assert client.get(reverse("dashboard")).status_code == 302
    assert len(mail.outbox) == 1  # the verification mail is sent again


@pytest.mark.django_db
def test_login_with_any_email_casing(client, user):
    response = client.post(reverse("account_login"), {"login": user.email.upper(), "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("dashboard")


@pytest.mark.django_db
def test_duplicate_signup_in_other_casing_is_refused(client, user):
    client.post(
        reverse("account_signup"),
        {"email": user.email.upper(), "password1": PASSWORD, "password2": PASSWORD},
    )

    assert User.objects.filter(email__iexact=user.email).count() == 1


@pytest.mark.django_db
def test_repeated_failed_logins_are_blocked(client, user):
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password"})
        assert response.status_code == 200

    # Even the right password is refused while the account's attempts are exhausted.
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert "Too many failed login attempts" in " ".join(response.context["form"].non_field_errors())
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.django_db
def test_admin_login_goes_through_the_throttled_login(client):
    admin = UserFactory(is_staff=True, is_superuser=True)

    # Posting credentials to the admin's own form signs nobody in: it only points to allauth.
    response = client.post(reverse("admin:login"), {"username": admin.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert client.get(reverse("admin:index")).status_code == 302

    for _ in range(5):
        client.post(reverse("account_login"), {"login": admin.email, "password": "guess"})
    response = client.post(reverse("account_login") + "?next=/admin/", {"login": admin.email, "password": PASSWORD})

    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.django_db
def test_staff_reaches_the_admin_after_signing_in(client):
    admin = UserFactory(is_staff=True, is_superuser=True)

    response = client.post(reverse("account_login") + "?next=/admin/", {"login": admin.email, "password": PASSWORD})

    assert response.url == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_too_many_login_posts_from_one_address_get_429(client, user):
    for _ in range(30):
        client.post(reverse("account_login"), {"login": f"x{_}@example.com", "password": "nope"})

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 429


@pytest.mark.django_db
def test_password_reset_mails_a_link(client, user):
    response = client.post(reverse("account_reset_password"), {"email": user.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.django_db
def test_auth_page_shows_both_forms_and_only_configured_social_logins(client):
    response = client.get(reverse("auth"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="login-form"' in html and 'id="signup-form"' in html
    assert "/accounts/google/login/" not in html

    SocialApp.objects.create(provider="google", name="Google", client_id="cid", secret="s")
    html = client.get(reverse("auth")).content.decode()
    assert "/accounts/google/login/" in html
    assert "/accounts/github/login/" not in html


@pytest.mark.django_db
def test_signup_errors_stay_on_the_register_tab(client):
    response = client.post(reverse("account_signup"), {"email": "bad", "password1": "x", "password2": "y"})

    assert response.status_code == 200
    assert response.context["active_tab"] == "register"
    assert response.context["signup_form"].errors
    assert not User.objects.exists()


@pytest.mark.django_db
def test_google_login_asks_for_drive_file_scope_and_offline_access(client):
    SocialApp.objects.create(provider="google", name="Google", client_id="cid.apps.googleusercontent.com", secret="s")

    response = client.post("/accounts/google/login/")

    assert response.status_code == 302
    target = urlparse(response.url)
    assert target.netloc == "accounts.google.com"
    params = parse_qs(target.query)
    scopes = params["scope"][0].split()
    assert {"openid", "email", "profile", "https://www.googleapis.com/auth/drive.file"} <= set(scopes)
    assert params["access_type"] == ["offline"]
    assert params["prompt"] == ["consent"]


@pytest.mark.django_db
def test_github_login_redirects_to_github(client):
    SocialApp.objects.create(provider="github", name="GitHub", client_id="gh", secret="s")

    response = client.post("/accounts/github/login/")

    assert response.status_code == 302
    assert urlparse(response.url).netloc == "github.com"
