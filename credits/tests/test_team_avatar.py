"""The team's picture on /settings/team/: uploaded and removed by the owner or an admin (the
shared upload decoder refuses what is not a clean image), shown on the team page and in the
app shell's workspace switcher with the team's initials when there is none, served to members
only, and shown in the admin."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts import teams
from accounts.models import Membership, Team
from accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_defaults")]

ROLES = ("owner", "admin", "editor", "viewer", "removed", "outsider")


def picture(fmt="PNG", size=(120, 80)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 90, 40)).save(out, format=fmt)
    return SimpleUploadedFile(f"logo.{fmt.lower()}", out.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def studio(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    people = {role: UserFactory() for role in ROLES}
    team = teams.team_create(user=people["owner"], name="Ember Studio")
    for role in ("admin", "editor", "viewer", "removed"):
        Membership.objects.create(team=team, user=people[role], role="editor" if role == "removed" else role)
        teams.workspace_switch(user=people[role], team=team)
    teams.member_remove(membership=Membership.objects.get(team=team, user=people["removed"]))
    return {"people": people, "team": team}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def avatar_url(team) -> str:
    return reverse("accounts:team_avatar", args=[team.public_id])


@pytest.mark.parametrize("role", ROLES)
def test_only_the_owner_and_admins_change_the_picture_on_the_page(studio, role):
    team = studio["team"]
    client = signed_in(studio["people"][role])

    response = client.post(reverse("credits:team_avatar"), {"avatar": picture(), "team_slug": team.slug})

    team.refresh_from_db()
    if role in ("owner", "admin"):
        assert response.status_code == 302 and team.avatar
        assert client.post(reverse("credits:team_avatar"), {"remove": "1", "team_slug": team.slug}).status_code == 302
        team.refresh_from_db()
        assert not team.avatar
    else:
        assert response.status_code == 404 and not team.avatar


def test_the_picture_shows_on_the_team_page_and_in_the_switcher(studio):
    team = studio["team"]
    client = signed_in(studio["people"]["owner"])

    response = client.post(reverse("credits:team_avatar"), {"avatar": picture("JPEG")}, follow=True)

    html = response.content.decode()
    assert "The team’s picture was updated." in html
    team.refresh_from_db()
    src = re.escape(avatar_url(team)) + r"\?v=\d+"
    assert re.search(r'id="team-header-avatar"><img class="avatar avatar--team avatar--xl" src="' + src, html)
    assert re.search(r'<img class="avatar avatar--team avatar--sm" src="' + src, html)  # the switcher
    assert 'id="team-avatar-remove"' in html
    menu = client.get(reverse("credits:workspaces"), HTTP_HX_REQUEST="true").content.decode()
    assert re.search(src, menu)
    # Every member sees it; the file is a 256 px square WebP.
    for role in ("admin", "editor", "viewer"):
        served = signed_in(studio["people"][role]).get(avatar_url(team))
        assert served.status_code == 200 and served["Content-Type"] == "image/webp", role
        assert served["Cache-Control"] == "private, max-age=3600"
    image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert (image.format, image.size) == ("WEBP", (256, 256))


def test_without_a_picture_the_team_shows_its_initials(studio):
    client = signed_in(studio["people"]["viewer"])

    html = client.get(reverse("credits:team")).content.decode()

    initials = '<span class="avatar avatar--team avatar--initials avatar--{}" aria-hidden="true">ES</span>'
    assert initials.format("xl") in html and initials.format("sm") in html
    assert 'id="team-avatar-form"' not in html  # a viewer has no upload form
    assert "ES" in client.get(reverse("credits:workspaces"), HTTP_HX_REQUEST="true").content.decode()
    assert client.get(avatar_url(studio["team"])).status_code == 404


@pytest.mark.parametrize("name, initials", [("Ember Studio", "ES"), ("kite", "K"), ("P.T. Awan-Biru", "PT"),
                                            ("  ", "?"), ("☁ cloud nine", "CN")])
def test_initials_are_the_first_letters_of_the_first_two_words(name, initials):
    assert Team(name=name).initials == initials


def test_a_file_that_is_not_a_clean_image_is_refused_on_the_page(studio):
    team = studio["team"]
    client = signed_in(studio["people"]["owner"])
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")

    html = client.post(reverse("credits:team_avatar"), {"avatar": fake}, follow=True).content.decode()

    assert "Only JPEG, PNG or WebP images can be uploaded." in html
    team.refresh_from_db()
    assert not team.avatar
    html = client.post(reverse("credits:team_avatar"), {}, follow=True).content.decode()
    assert "Choose an image to upload." in html


def test_a_picture_too_large_is_refused_with_the_limit(studio, settings):
    settings.AVATAR_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024 + 10), content_type="image/png")
    client = signed_in(studio["people"]["admin"])

    html = client.post(reverse("credits:team_avatar"), {"avatar": big}, follow=True).content.decode()

    assert "The image is too large (1.0 MB); the limit is 1 MB." in html
    studio["team"].refresh_from_db()
    assert not studio["team"].avatar


def test_removing_or_replacing_the_picture_deletes_the_old_file(studio, django_capture_on_commit_callbacks):
    team = studio["team"]
    client = signed_in(studio["people"]["owner"])
    client.post(reverse("credits:team_avatar"), {"avatar": picture()})
    team.refresh_from_db()
    first = team.avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("credits:team_avatar"), {"avatar": picture("WEBP")})
    team.refresh_from_db()
    assert team.avatar.name != first and not team.avatar.storage.exists(first)
    second = team.avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        html = client.post(reverse("credits:team_avatar"), {"remove": "1"}, follow=True).content.decode()
    assert "The team’s picture was removed." in html
    team.refresh_from_db()
    assert not team.avatar and not team.avatar.storage.exists(second)


def test_the_picture_is_for_members_and_staff_only(studio, client):
    team = teams.team_avatar_set(team=studio["team"], upload=picture())
    url = avatar_url(team)
    for role in ("removed", "outsider"):
        assert signed_in(studio["people"][role]).get(url).status_code == 404, role
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    staff = UserFactory(is_staff=True, is_superuser=True)
    assert signed_in(staff).get(url).status_code == 200
    owner = signed_in(studio["people"]["owner"])
    teams.team_delete(team=team)
    assert owner.get(url).status_code == 404
    assert signed_in(staff).get(url).status_code == 200  # the admin still shows a deleted team's picture


def test_the_team_page_in_indonesian_has_the_picture_card(studio):
    owner = studio["people"]["owner"]
    owner.locale = "id"
    owner.save(update_fields=["locale"])

    html = signed_in(owner).get(reverse("credits:team")).content.decode()

    assert 'lang="id"' in html and 'id="team-avatar-form"' in html and 'enctype="multipart/form-data"' in html


def test_the_admin_shows_the_picture_and_removes_it_through_the_service(studio, django_capture_on_commit_callbacks):
    team = teams.team_avatar_set(team=studio["team"], upload=picture())
    name = team.avatar.name
    admin = signed_in(UserFactory(is_staff=True, is_superuser=True))

    listing = admin.get(reverse("admin:accounts_team_changelist")).content.decode()
    assert avatar_url(team) in listing
    change = admin.get(reverse("admin:accounts_team_change", args=[team.pk])).content.decode()
    assert avatar_url(team) in change and 'name="avatar"' not in change  # shown, never uploaded raw here

    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("admin:accounts_team_changelist"),
                   {"action": "remove_picture", "_selected_action": [team.pk]})
    team.refresh_from_db()
    assert not team.avatar and not team.avatar.storage.exists(name)
    assert ">ES<" in admin.get(reverse("admin:accounts_team_changelist")).content.decode()


def test_a_picture_whose_file_is_gone_from_storage_is_a_404_not_an_error(studio):
    team, owner = studio["team"], studio["people"]["owner"]
    client = signed_in(owner)
    client.post(reverse("credits:team_avatar"), {"avatar": picture(), "team_slug": team.slug})
    team.refresh_from_db()
    team.avatar.storage.delete(team.avatar.name)  # lost, or removed by hand

    assert client.get(avatar_url(team)).status_code == 404
