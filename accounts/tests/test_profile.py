import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import User


def image_upload(fmt="PNG", size=(640, 480), name="me.png", exif=False):
    buf = io.BytesIO()
    image = Image.new("RGB", size, (200, 80, 40))
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        kwargs["exif"] = data.tobytes()
    image.save(buf, format=fmt, **kwargs)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")


def profile_data(**overrides):
    data = {"display_name": "Dewi Lestari", "locale": "id", "timezone": "Asia/Jakarta"}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_profile_saves_name_language_and_time_zone(client, user):
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), profile_data())

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.locale, user.timezone) == ("Dewi Lestari", "id", "Asia/Jakarta")
    assert response.cookies["modo_language"].value == "id"


@pytest.mark.django_db
def test_avatar_is_reencoded_square_without_metadata(client, user):
    client.force_login(user)

    client.post(reverse("accounts:profile"), {**profile_data(), "avatar": image_upload("JPEG", name="x.jpg", exif=True)})

    user.refresh_from_db()
    assert user.avatar.name.endswith(".webp")
    assert "x.jpg" not in user.avatar.name
    with user.avatar.open("rb") as fh:
        stored = Image.open(io.BytesIO(fh.read()))
        assert stored.format == "WEBP"
        assert stored.size == (256, 256)
        assert not stored.getexif()
    response = client.get(reverse("accounts:avatar", args=[user.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"


@pytest.mark.django_db
def test_replacing_the_avatar_removes_the_old_file(client, user, django_capture_on_commit_callbacks):
    client.force_login(user)
    client.post(reverse("accounts:profile"), {**profile_data(), "avatar": image_upload()})
    user.refresh_from_db()
    old = user.avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:profile"), {**profile_data(), "avatar": image_upload()})

    user.refresh_from_db()
    assert user.avatar.name != old
    assert not user.avatar.storage.exists(old)
    assert user.avatar.storage.exists(user.avatar.name)


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_is_refused_and_nothing_changes(client, user):
    client.force_login(user)
    fake = SimpleUploadedFile("evil.png", b"<?php echo 'hi'; ?>", content_type="image/png")

    response = client.post(reverse("accounts:profile"), {**profile_data(display_name="Changed"), "avatar": fake})

    assert response.status_code == 200
    assert response.context["form"].errors["avatar"]
    user.refresh_from_db()
    assert not user.avatar
    assert user.display_name != "Changed"


@pytest.mark.django_db
def test_an_avatar_over_the_size_cap_is_refused(client, user, settings):
    settings.AVATAR_MAX_BYTES = 1000
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), {**profile_data(), "avatar": image_upload(size=(800, 800))})

    assert "avatar" in response.context["form"].errors
    user.refresh_from_db()
    assert not user.avatar


@pytest.mark.django_db
def test_unknown_time_zone_is_a_field_error(client, user):
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), profile_data(timezone="Mars/Olympus"))

    assert response.context["form"].errors["timezone"]


@pytest.mark.django_db
def test_settings_pages_need_a_signed_in_user(client):
    for name in ("accounts:profile", "accounts:api_keys"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_language_switch_is_remembered_on_the_account(client, user):
    client.force_login(user)

    response = client.post(reverse("accounts:set_language"), {"language": "id", "next": "/dashboard/"})

    assert response.status_code == 302 and response.url == "/dashboard/"
    assert User.objects.get(pk=user.pk).locale == "id"
    # A new browser (no cookie) still gets the account's language.
    client.cookies.clear()
    client.force_login(user)
    assert client.get(reverse("dashboard"))["Content-Language"] == "id"


@pytest.mark.django_db
def test_language_switch_for_visitors_uses_a_cookie_and_refuses_offsite_next(client):
    response = client.post(reverse("accounts:set_language"), {"language": "id", "next": "https://evil.example/"})

    assert response.url == "/"
    assert response.cookies["modo_language"].value == "id"
    assert client.get(reverse("home"))["Content-Language"] == "id"


@pytest.mark.django_db
def test_signed_in_users_time_zone_and_language_apply_to_their_requests(rf, user):
    from django.utils import timezone, translation

    from accounts.middleware import UserPreferencesMiddleware

    user.timezone, user.locale = "Asia/Makassar", "id"
    seen = {}

    def view(request):
        seen["tz"] = timezone.get_current_timezone_name()
        seen["lang"] = translation.get_language()
        return None

    request = rf.get("/")
    request.user = user
    with translation.override("en"):
        UserPreferencesMiddleware(view)(request)

    assert seen == {"tz": "Asia/Makassar", "lang": "id"}


@pytest.mark.django_db
def test_an_avatar_whose_file_is_gone_from_storage_is_a_404_not_an_error(client, user):
    client.force_login(user)
    client.post(reverse("accounts:profile"), {**profile_data(), "avatar": image_upload()})
    user.refresh_from_db()
    user.avatar.storage.delete(user.avatar.name)

    assert client.get(reverse("accounts:avatar", args=[user.public_id])).status_code == 404
