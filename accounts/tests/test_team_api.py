"""The team API against the page's rules: every role × every team action (owner, admin, editor,
viewer, a removed member, an outsider), then what each action does and the errors it gives.

Allowed: a 2xx and the change. A member whose role is too low: 403 FORBIDDEN with their role and
who may, nothing changed. A removed member or an outsider: the 404 envelope, nothing changed.
The owner leaving (or being removed or demoted): 409 OWNER_CONFLICT, as the page refuses it."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from PIL import Image

from accounts import teams
from accounts.models import Invitation, Membership, Team
from accounts.tests.factories import UserFactory, bearer

pytestmark = pytest.mark.django_db

API = "/api/v1"
ROLES = ("owner", "admin", "editor", "viewer", "removed", "outsider")
READERS = {"owner", "admin", "editor", "viewer"}
ADMINS = {"owner", "admin"}
OWNER = {"owner"}


def png(size=(64, 48), fmt="PNG", trailer=b"") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 140, 90)).save(out, format=fmt)
    return out.getvalue() + trailer


def upload(data=None, name="team.png"):
    return SimpleUploadedFile(name, png() if data is None else data, content_type="image/png")


@pytest.fixture
def studio(settings, tmp_path):
    """A team with a member of each role (and a second viewer, for changes that need a target that
    is not the caller), a removed member, an outsider, an open invitation and a picture."""
    settings.MEDIA_ROOT = str(tmp_path)
    people = {role: UserFactory() for role in ROLES}
    team = teams.team_create(user=people["owner"], name="Ember Studio")
    members = {"owner": Membership.objects.get(team=team, role="owner")}
    for role in ("admin", "editor", "viewer", "removed"):
        members[role] = Membership.objects.create(team=team, user=people[role], role="editor" if role == "removed"
                                                  else role, monthly_credit_cap=30 if role == "editor" else None)
    members["target"] = Membership.objects.create(team=team, user=UserFactory(display_name="Tari Target"),
                                                  role="viewer")
    teams.member_remove(membership=members.pop("removed"))
    invitation = teams.invitation_create(team=team, email="new@example.com", role="viewer",
                                         invited_by=people["owner"], accept_url=lambda raw: raw).invitation
    teams.team_avatar_set(team=team, upload=upload())
    return {"people": people, "team": team, "members": members, "invitation": invitation}


def team_state(team) -> tuple:
    """Everything a team action could change."""
    return (list(Team.objects.filter(pk=team.pk).values_list("name", "avatar", "deleted_at")),
            list(Membership.objects.filter(team=team).order_by("pk").values_list("user_id", "role",
                                                                                 "monthly_credit_cap")),
            list(Invitation.objects.filter(team=team).order_by("pk").values_list("pk", "revoked_at")))


def call(client, method, url, headers, data=None, multipart=False):
    if multipart:
        return getattr(client, method)(url, data, **headers)
    if data is None:
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(url, data, content_type="application/json", **headers)


# action: (who may, request(world) -> (method, path, body, multipart), status when allowed)
ACTIONS = {
    "read the team": (READERS, lambda w: ("get", "", None, False), 200),
    "list members": (READERS, lambda w: ("get", "/members", None, False), 200),
    "see the picture": (READERS, lambda w: ("get", "/avatar", None, False), 200),
    "rename": (ADMINS, lambda w: ("patch", "", {"name": "Kiln Studio"}, False), 200),
    "upload a picture": (ADMINS, lambda w: ("post", "/avatar", {"file": upload()}, True), 200),
    "remove the picture": (ADMINS, lambda w: ("delete", "/avatar", None, False), 200),
    "change a role": (ADMINS, lambda w: ("patch", f"/members/{w['members']['target'].public_id}",
                                         {"role": "editor"}, False), 200),
    "set a cap": (ADMINS, lambda w: ("patch", f"/members/{w['members']['target'].public_id}",
                                     {"monthly_credit_cap": 50}, False), 200),
    "clear a cap": (ADMINS, lambda w: ("patch", f"/members/{w['members']['editor'].public_id}",
                                       {"monthly_credit_cap": None}, False), 200),
    "remove a member": (ADMINS, lambda w: ("delete", f"/members/{w['members']['target'].public_id}", None, False),
                        200),
    "list invitations": (ADMINS, lambda w: ("get", "/invitations", None, False), 200),
    "invite": (ADMINS, lambda w: ("post", "/invitations", {"email": "api@example.com", "role": "viewer"}, False), 201),
    "withdraw an invitation": (ADMINS, lambda w: ("delete", f"/invitations/{w['invitation'].public_id}", None,
                                                  False), 200),
    "transfer ownership": (OWNER, lambda w: ("post", "/transfer",
                                             {"member_id": str(w["members"]["admin"].public_id)}, False), 200),
    "delete the team": (OWNER, lambda w: ("delete", "", None, False), 200),
    # Every member may leave but the owner, who is told why (the service's rule, as on the page).
    "leave": (READERS - OWNER, lambda w: ("post", "/leave", None, False), 200),
}
READS = {"read the team", "list members", "see the picture", "list invitations"}


def _in_savepoint(call_):
    with transaction.atomic():
        response = call_()
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("role", ROLES)
def test_role_action_matrix_on_the_team_api(studio, role):
    """One row of the table: every team action of this role, each in a rolled-back savepoint."""
    client, team = Client(), studio["team"]
    headers = bearer(studio["people"][role])
    wrong = []
    for action, (allowed, request, ok_status) in ACTIONS.items():
        method, tail, data, multipart = request(studio)
        before = team_state(team)

        def cell(method=method, tail=tail, data=data, multipart=multipart):
            response = call(client, method, f"{API}/teams/{team.slug}{tail}", headers, data, multipart)
            return response, team_state(team)

        response, after = _in_savepoint(cell)
        status = response.status_code
        if role in allowed:
            if status != ok_status:
                wrong.append(f"{action}: {status} {response.content[:160]!r}")
            elif action not in READS and after == before:
                wrong.append(f"{action}: answered {status} but changed nothing")
            continue
        if action == "leave" and role == "owner":
            expected = (409, "OWNER_CONFLICT")
        elif role in READERS:
            expected = (403, "FORBIDDEN")
        else:
            expected = (404, "NOT_FOUND")
        body = response.json()
        if (status, body.get("error")) != expected:
            wrong.append(f"{action}: {status} {body.get('error')}, expected {expected}")
        elif expected[0] == 403 and (body["role"], sorted(body["allowed_roles"])) != (role, sorted(allowed)):
            wrong.append(f"{action}: 403 says {body['role']} / {body['allowed_roles']}")
        if after != before:
            wrong.append(f"{action}: refused with {status} but changed the team")
    assert not wrong, f"{role}: {wrong}"


def test_a_session_gets_the_same_answers_as_a_token(client, studio):
    slug = studio["team"].slug
    client.force_login(studio["people"]["viewer"])
    assert client.get(f"{API}/teams/{slug}").json()["data"]["role"] == "viewer"
    response = client.patch(f"{API}/teams/{slug}", {"name": "X"}, content_type="application/json")
    assert (response.status_code, response.json()["error"]) == (403, "FORBIDDEN")
    assert response.json()["message"] == "Only the team’s owner or an admin can do this."
    client.force_login(studio["people"]["outsider"])
    assert client.get(f"{API}/teams/{slug}").json() == {"success": False, "error": "NOT_FOUND", "message": "Not found."}


# --- members -----------------------------------------------------------------------------------

def patch_member(client, studio, member, body, as_role="admin"):
    return client.patch(f"{API}/teams/{studio['team'].slug}/members/{member.public_id}", body,
                        content_type="application/json", **bearer(studio["people"][as_role]))


def test_an_admin_changes_a_role_and_sets_then_clears_a_cap(client, studio):
    target = studio["members"]["target"]

    response = patch_member(client, studio, target, {"role": "editor", "monthly_credit_cap": 120})

    assert response.status_code == 200
    assert response.json()["data"] == {"id": str(target.public_id), "email": target.user.email,
                                       "display_name": "Tari Target", "role": "editor", "monthly_credit_cap": 120}
    target.refresh_from_db()
    assert (target.role, target.monthly_credit_cap) == ("editor", 120)

    # Only the cap (a null role is no change): the role stays; a null cap clears it.
    response = patch_member(client, studio, target, {"role": None, "monthly_credit_cap": None})
    assert response.json()["data"]["role"] == "editor"
    target.refresh_from_db()
    assert (target.role, target.monthly_credit_cap) == ("editor", None)


@pytest.mark.parametrize("body, field", [
    ({}, "__all__"),
    ({"role": "owner"}, "role"),
    ({"role": "boss"}, "role"),
    ({"monthly_credit_cap": -1}, "monthly_credit_cap"),
    ({"monthly_credit_cap": 10**12}, "monthly_credit_cap"),
    ({"monthly_credit_cap": "lots"}, "monthly_credit_cap"),
])
def test_a_member_change_that_makes_no_sense_is_a_422_naming_the_field(client, studio, body, field):
    target = studio["members"]["target"]
    before = team_state(studio["team"])

    response = patch_member(client, studio, target, body)

    assert response.status_code == 422
    assert response.json()["error"] == "INVALID_INPUT" and field in response.json()["fields"]
    assert team_state(studio["team"]) == before


def test_the_owners_role_changes_only_by_a_transfer(client, studio):
    owner = studio["members"]["owner"]

    response = patch_member(client, studio, owner, {"role": "viewer"})

    assert (response.status_code, response.json()["error"], response.json()["action"]) == (409, "OWNER_CONFLICT",
                                                                                           "transfer")
    assert response.json()["message"] == "The owner's role changes only by transferring ownership."
    owner.refresh_from_db()
    assert owner.role == "owner"
    # Their cap is the admins' to set, as on the page.
    assert patch_member(client, studio, owner, {"monthly_credit_cap": 10}).status_code == 200


def test_a_member_of_another_team_or_no_one_is_a_404(client, studio):
    elsewhere = teams.team_create(user=UserFactory(), name="Elsewhere")
    stranger = Membership.objects.get(team=elsewhere)
    assert patch_member(client, studio, stranger, {"role": "viewer"}).status_code == 404
    response = client.delete(f"{API}/teams/{studio['team'].slug}/members/{stranger.public_id}",
                             **bearer(studio["people"]["admin"]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=stranger.pk).exists()


def test_a_removed_member_gets_404_from_the_moment_they_are_removed(client, studio):
    slug, editor = studio["team"].slug, studio["members"]["editor"]
    editor_headers = bearer(editor.user)
    assert client.get(f"{API}/teams/{slug}/members", **editor_headers).status_code == 200

    response = client.delete(f"{API}/teams/{slug}/members/{editor.public_id}", **bearer(studio["people"]["admin"]))

    assert response.json() == {"success": True, "data": {"deleted": True}}
    for url in (f"{API}/teams/{slug}", f"{API}/teams/{slug}/members", f"{API}/teams/{slug}/avatar"):
        assert client.get(url, **editor_headers).json()["error"] == "NOT_FOUND", url
    assert client.get(f"{API}/projects?team={slug}", **editor_headers).status_code == 404


def test_the_owner_cannot_be_removed(client, studio):
    owner = studio["members"]["owner"]
    response = client.delete(f"{API}/teams/{studio['team'].slug}/members/{owner.public_id}",
                             **bearer(studio["people"]["admin"]))
    assert (response.status_code, response.json()["error"]) == (409, "OWNER_CONFLICT")
    assert Membership.objects.filter(pk=owner.pk, role="owner").exists()


# --- leaving, ownership, deletion ----------------------------------------------------------------

def test_a_member_leaves_and_their_workspace_goes_back_to_personal(client, studio):
    viewer = studio["people"]["viewer"]
    teams.workspace_switch(user=viewer, team=studio["team"])
    headers = bearer(viewer)

    response = client.post(f"{API}/teams/{studio['team'].slug}/leave", **headers)

    assert response.json() == {"success": True, "data": {"left": True}}
    viewer.refresh_from_db()
    assert viewer.current_team is None
    assert not Membership.objects.filter(team=studio["team"], user=viewer).exists()
    assert client.get(f"{API}/teams/{studio['team'].slug}", **headers).status_code == 404
    assert studio["team"].slug not in [t["slug"] for t in client.get(f"{API}/teams", **headers).json()["data"]]


def test_the_owner_is_told_to_transfer_or_delete_before_leaving(client, studio):
    response = client.post(f"{API}/teams/{studio['team'].slug}/leave", **bearer(studio["people"]["owner"]))

    assert (response.status_code, response.json()["error"]) == (409, "OWNER_CONFLICT")
    assert "Transfer ownership first, or delete the team" in response.json()["message"]


def test_the_owner_transfers_ownership_and_becomes_an_admin(client, studio):
    owner, editor = studio["members"]["owner"], studio["members"]["editor"]
    slug = studio["team"].slug

    response = client.post(f"{API}/teams/{slug}/transfer", {"member_id": str(editor.public_id)},
                           content_type="application/json", **bearer(owner.user))

    assert response.status_code == 200 and response.json()["data"]["role"] == "owner"
    roles = dict(Membership.objects.filter(team=studio["team"]).values_list("pk", "role"))
    assert (roles[owner.pk], roles[editor.pk]) == ("admin", "owner")
    # Now an admin, the old owner may no longer delete the team; the new owner may.
    assert client.delete(f"{API}/teams/{slug}", **bearer(owner.user)).status_code == 403
    assert client.delete(f"{API}/teams/{slug}", **bearer(editor.user)).status_code == 200


def test_a_transfer_needs_a_member_of_this_team(client, studio):
    elsewhere = Membership.objects.get(team=teams.team_create(user=UserFactory(), name="Elsewhere"))
    headers = bearer(studio["people"]["owner"])
    slug = studio["team"].slug

    response = client.post(f"{API}/teams/{slug}/transfer", {"member_id": str(elsewhere.public_id)},
                           content_type="application/json", **headers)
    assert response.status_code == 404
    response = client.post(f"{API}/teams/{slug}/transfer", {"member_id": "not-a-uuid"},
                           content_type="application/json", **headers)
    assert response.status_code == 422 and "member_id" in response.json()["fields"]
    assert Membership.objects.get(team=studio["team"], role="owner").user == studio["people"]["owner"]


def test_deleting_the_team_does_what_the_page_does(client, studio, django_capture_on_commit_callbacks):
    team, slug = studio["team"], studio["team"].slug
    people = studio["people"]
    teams.workspace_switch(user=people["editor"], team=team)

    response = client.delete(f"{API}/teams/{slug}", **bearer(people["owner"]))

    assert response.json() == {"success": True, "data": {"deleted": True}}
    team.refresh_from_db()
    assert team.deleted_at is not None
    assert not Membership.objects.filter(team=team).exists()
    assert Invitation.objects.get(pk=studio["invitation"].pk).revoked_at is not None
    people["editor"].refresh_from_db()
    assert people["editor"].current_team is None
    for role in READERS:
        assert client.get(f"{API}/teams/{slug}", **bearer(people[role])).status_code == 404, role


# --- invitations -------------------------------------------------------------------------------

def test_a_withdrawn_invitation_link_stops_working(client, studio):
    raw_link = []
    teams.invitation_create(team=studio["team"], email="late@example.com", role="editor",
                            invited_by=studio["people"]["owner"], accept_url=lambda raw: raw_link.append(raw) or raw)
    invitation = Invitation.objects.get(email="late@example.com")
    slug = studio["team"].slug

    response = client.delete(f"{API}/teams/{slug}/invitations/{invitation.public_id}",
                             **bearer(studio["people"]["admin"]))

    assert response.json() == {"success": True, "data": {"deleted": True}}
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    open_ids = [i["id"] for i in client.get(f"{API}/teams/{slug}/invitations",
                                            **bearer(studio["people"]["admin"])).json()["data"]]
    assert str(invitation.public_id) not in open_ids
    assert client.get(f"/teams/join/{raw_link[0]}/").status_code == 410
    # Another team's invitation is not this team's to withdraw.
    other = teams.team_create(user=studio["people"]["outsider"], name="Other")
    theirs = teams.invitation_create(team=other, email="x@example.com", role="viewer",
                                     invited_by=studio["people"]["outsider"], accept_url=lambda raw: raw).invitation
    assert client.delete(f"{API}/teams/{slug}/invitations/{theirs.public_id}",
                         **bearer(studio["people"]["admin"])).status_code == 404


# --- the team and its picture ------------------------------------------------------------------

def test_the_team_answers_with_its_picture_and_initials_when_it_has_none(client, studio):
    slug, headers = studio["team"].slug, bearer(studio["people"]["viewer"])

    data = client.get(f"{API}/teams/{slug}", **headers).json()["data"]

    assert data["avatar_url"] == f"http://testserver{API}/teams/{slug}/avatar"
    listed = {t["slug"]: t for t in client.get(f"{API}/teams", **headers).json()["data"]}
    assert listed[slug]["avatar_url"] == data["avatar_url"]
    picture = client.get(data["avatar_url"], **headers)
    assert picture.status_code == 200 and picture["Content-Type"] == "image/webp"
    assert Image.open(io.BytesIO(b"".join(picture.streaming_content))).size == (256, 256)

    client.delete(f"{API}/teams/{slug}/avatar", **bearer(studio["people"]["admin"]))
    assert client.get(f"{API}/teams/{slug}", **headers).json()["data"]["avatar_url"] is None
    assert client.get(f"{API}/teams/{slug}/avatar", **headers).status_code == 404


def test_an_uploaded_picture_is_reencoded_square_and_replaces_the_old_file(client, studio,
                                                                          django_capture_on_commit_callbacks):
    team = studio["team"]
    old = Team.objects.get(pk=team.pk).avatar.name
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    out = io.BytesIO()
    Image.new("RGB", (900, 300), "navy").save(out, format="JPEG", exif=exif.tobytes())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}/teams/{team.slug}/avatar",
                               {"file": SimpleUploadedFile("logo.jpg", out.getvalue(), "image/jpeg")},
                               **bearer(studio["people"]["admin"]))

    assert response.status_code == 200 and response.json()["data"]["avatar_url"]
    team.refresh_from_db()
    assert team.avatar.name.startswith(f"team-avatars/{team.public_id}/") and team.avatar.name.endswith(".webp")
    assert "logo" not in team.avatar.name and team.avatar.name != old
    with team.avatar.open("rb") as fh:
        stored = Image.open(io.BytesIO(fh.read()))
        assert (stored.format, stored.size, dict(stored.getexif())) == ("WEBP", (256, 256), {})
    assert not team.avatar.storage.exists(old)


@pytest.mark.parametrize("data, status, code", [
    (b"<?php echo 'hi'; ?>", 422, "UNSUPPORTED_FILE"),
    (png(trailer=b"<script>alert(1)</script>"), 422, "UNSUPPORTED_FILE"),
    (png()[:60], 422, "UNSUPPORTED_FILE"),
])
def test_a_file_that_is_not_a_clean_image_is_refused_and_nothing_is_stored(client, studio, data, status, code):
    team = studio["team"]
    before = (team_state(team), sorted(team.avatar.storage.listdir(f"team-avatars/{team.public_id}")[1]))

    response = client.post(f"{API}/teams/{team.slug}/avatar", {"file": upload(data)}, **bearer(studio["people"]["owner"]))

    assert (response.status_code, response.json()["error"]) == (status, code)
    assert (team_state(team), sorted(team.avatar.storage.listdir(f"team-avatars/{team.public_id}")[1])) == before


def test_a_picture_past_the_size_or_pixel_cap_is_refused(client, studio, settings):
    headers, url = bearer(studio["people"]["owner"]), f"{API}/teams/{studio['team'].slug}/avatar"
    before = team_state(studio["team"])
    settings.AVATAR_MAX_BYTES = 1024
    big = png(size=(400, 400)) + b"\x00" * 2048

    response = client.post(url, {"file": upload(big)}, **headers)

    assert (response.status_code, response.json()["error"]) == (413, "FILE_TOO_LARGE")
    settings.AVATAR_MAX_BYTES = 5 * 1024 * 1024
    settings.UPLOAD_MAX_PIXELS = 100 * 100
    response = client.post(url, {"file": upload(png(size=(200, 200)))}, **headers)
    assert response.status_code == 422 and "megapixels" in response.json()["message"]
    assert team_state(studio["team"]) == before


def test_an_upload_without_a_file_is_a_422(client, studio):
    response = client.post(f"{API}/teams/{studio['team'].slug}/avatar", {}, **bearer(studio["people"]["owner"]))
    assert response.status_code == 422 and list(response.json()["fields"]) == ["file.file"]


def test_renaming_through_the_api_keeps_the_slug(client, studio):
    team = studio["team"]
    response = client.patch(f"{API}/teams/{team.slug}", {"name": "  Kiln Studio "}, content_type="application/json",
                            **bearer(studio["people"]["admin"]))
    assert response.json()["data"]["name"] == "Kiln Studio" and response.json()["data"]["slug"] == team.slug
    response = client.patch(f"{API}/teams/{team.slug}", {"name": "   "}, content_type="application/json",
                            **bearer(studio["people"]["admin"]))
    assert response.status_code == 422 and "name" in response.json()["fields"]


# --- the document ------------------------------------------------------------------------------

TEAM_OPERATIONS = {
    # (method, path): (documented refusals beyond 401/404/422, request body content type)
    ("get", "/teams/{slug}"): (set(), None),
    ("patch", "/teams/{slug}"): ({"403"}, "application/json"),
    ("delete", "/teams/{slug}"): ({"403"}, None),
    ("get", "/teams/{slug}/avatar"): (set(), None),
    ("post", "/teams/{slug}/avatar"): ({"403", "413"}, "multipart/form-data"),
    ("delete", "/teams/{slug}/avatar"): ({"403"}, None),
    ("patch", "/teams/{slug}/members/{member_id}"): ({"403", "409"}, "application/json"),
    ("delete", "/teams/{slug}/members/{member_id}"): ({"403", "409"}, None),
    ("post", "/teams/{slug}/leave"): ({"409"}, None),
    ("post", "/teams/{slug}/transfer"): ({"403"}, "application/json"),
    ("get", "/teams/{slug}/invitations"): ({"403"}, None),
    ("post", "/teams/{slug}/invitations"): ({"403", "429"}, "application/json"),
    ("delete", "/teams/{slug}/invitations/{invitation_id}"): ({"403"}, None),
}


def test_the_openapi_document_describes_every_team_operation(client):
    document = client.get(f"{API}/openapi.json").json()
    paths = document["paths"]
    missing = []
    for (method, path), (refusals, content_type) in TEAM_OPERATIONS.items():
        operation = paths.get(API + path, {}).get(method)
        if operation is None:
            missing.append(f"{method} {path}: not documented")
            continue
        responses = set(operation["responses"])
        if not {"401", "404", "422"} | refusals <= responses:
            missing.append(f"{method} {path}: responses {sorted(responses)}")
        if content_type != next(iter(operation.get("requestBody", {}).get("content", {})), None):
            missing.append(f"{method} {path}: body {operation.get('requestBody')}")
        if "teams" not in operation["tags"] or not operation.get("security"):
            missing.append(f"{method} {path}: tags {operation['tags']} / security")
    assert not missing, "\n".join(missing)
    upload_body = paths[f"{API}/teams/{{slug}}/avatar"]["post"]["requestBody"]["content"]["multipart/form-data"]
    schema = upload_body["schema"]
    assert schema["properties"]["file"]["format"] == "binary" and schema["required"] == ["file"]
    assert "image/webp" in paths[f"{API}/teams/{{slug}}/avatar"]["get"]["responses"]["200"]["content"]
    member_in = document["components"]["schemas"]["MemberUpdateIn"]
    assert member_in["minProperties"] == 1
    assert member_in["properties"]["role"]["anyOf"][0]["enum"] == ["admin", "editor", "viewer"]
    assert member_in["properties"]["monthly_credit_cap"]["anyOf"][0] == {"maximum": teams.CAP_MAX, "minimum": 0,
                                                                         "type": "integer"}
    assert document["components"]["schemas"]["TeamOut"]["properties"]["avatar_url"]
