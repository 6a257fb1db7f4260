"""The team flow through the real pages (test client): the owner creates a team, invites an
editor by email, the invitee opens the link, signs up as a new account and joins, generates a
character image on the team's project (offline local provider, the job run as the worker runs
it), and the owner sees the charge with the editor's name in the team's credit history.
Invitation links that cannot be used get a clear page."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Invitation, Membership, User
from accounts.tests.factories import PASSWORD, UserFactory
from credits import ledger
from credits.models import LedgerEntry
from credits.selectors import credit_account_for
from studio import services
from studio.models import Generation
from studio.tasks import run_generation
from studio.tests.factories import make_project

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_defaults")]


def test_owner_invites_an_editor_who_signs_up_generates_and_the_owner_sees_the_charge(
        settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    owner = UserFactory(display_name="Owner Olga")
    project = make_project(owner, characters=1, scenes=0)
    browser = Client()
    browser.force_login(owner)
    assert browser.post(reverse("credits:team_new"), {"name": "Ember Studio"}).status_code == 302
    team = Membership.objects.get(user=owner).team
    ledger.credits_grant(account=credit_account_for(team=team), amount=200, idempotency_key="test:fund")
    browser.post(reverse("studio:project_move", args=[project.public_id]), {"team": team.slug})
    project.refresh_from_db()
    assert project.team == team
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(reverse("credits:team_invite"), {"email": "ilham@example.com", "role": "editor"})
    assert len(mail.outbox) == 1 and "Ember Studio" in mail.outbox[0].subject
    link = re.search(r"https?://\S+/teams/join/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    path = "/" + path

    editor_browser = Client()
    page = editor_browser.get(path)
    assert page.status_code == 200 and b"Ember Studio" in page.content
    signup = editor_browser.post(reverse("account_signup") + f"?next={path}", {
        "email": "ilham@example.com", "password1": PASSWORD, "password2": PASSWORD, "next": path})
    assert signup.status_code == 302 and signup["Location"] == path, signup.get("Location")
    joined = editor_browser.post(path)
    assert joined.status_code == 302
    editor = User.objects.get(email="ilham@example.com")
    User.objects.filter(pk=editor.pk).update(display_name="Ilham Editor")
    assert Membership.objects.get(team=team, user=editor).role == "editor"
    assert Invitation.objects.get(team=team).accepted_by == editor

    character = project.characters.get()
    response = editor_browser.post(reverse("studio:character_image", args=[character.public_id]),
                                   {"idempotency_key": "flow", "strength": "0.6"})
    assert response.status_code in (200, 302)
    job = Generation.objects.get(project=project)
    assert job.owner == editor
    run_generation(job.pk)
    job.refresh_from_db()
    assert job.status == Generation.Status.SUCCEEDED, job.error_message
    charge = LedgerEntry.objects.get(account=credit_account_for(team=team), kind="capture")
    assert charge.actor == editor and charge.amount == -job.cost_charged
    assert credit_account_for(user=editor).entries.filter(kind="capture").count() == 0

    history = browser.get(reverse("credits:history")).content.decode()
    assert "Ilham Editor" in history and project.characters.get().name in history

    # The link works once.
    again = Client().get(path)
    assert again.status_code == 410 and b"already been used" in again.content


def test_revoked_and_unknown_links_get_a_clear_page(django_capture_on_commit_callbacks):
    owner = UserFactory()
    browser = Client()
    browser.force_login(owner)
    browser.post(reverse("credits:team_new"), {"name": "Quiet Studio"})
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(reverse("credits:team_invite"), {"email": "x@example.com", "role": "viewer"})
    path = "/" + re.search(r"https?://\S+/teams/join/\S+/", mail.outbox[0].body).group(0).split("://", 1)[1].split("/", 1)[1]
    invitation = Invitation.objects.get()
    browser.post(reverse("credits:invitation_revoke", args=[invitation.public_id]))
    response = Client().get(path)
    assert response.status_code == 410 and b"withdrawn" in response.content
    assert Client().get("/teams/join/nonsense/").status_code == 410


def test_a_member_cap_refuses_with_member_cap_reached(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    owner, editor = UserFactory(), UserFactory()
    from accounts import teams
    from accounts.tests.factories import bearer

    team = teams.team_create(user=owner, name="Capped")
    Membership.objects.create(team=team, user=editor, role="editor", monthly_credit_cap=0)
    ledger.credits_grant(account=credit_account_for(team=team), amount=100, idempotency_key="test:cap")
    project = make_project(owner, characters=1, scenes=0)
    services.project_move(project=project, team=team, user=owner)
    response = Client().post("/api/v1/generate/character", {"character": str(project.characters.get().public_id)},
                             content_type="application/json", **bearer(editor))
    assert response.status_code == 402
    body = response.json()
    assert body["error"] == "MEMBER_CAP_REACHED" and body["cap"] == 0 and body["used"] == 0


def test_an_existing_account_signs_in_from_the_link_and_joins(django_capture_on_commit_callbacks):
    owner, existing = UserFactory(), UserFactory(email="mira@example.com")
    from accounts import teams

    team = teams.team_create(user=owner, name="Kite Works")
    with django_capture_on_commit_callbacks(execute=True):
        teams.invitation_create(team=team, email="mira@example.com", role="viewer", invited_by=owner,
                                accept_url=lambda raw: f"http://testserver/teams/join/{raw}/")
    path = "/" + re.search(r"https?://\S+/teams/join/\S+/", mail.outbox[0].body).group(0).split("://", 1)[1].split("/", 1)[1]
    browser = Client()
    assert b"join-login" in browser.get(path).content
    login = browser.post(reverse("account_login") + f"?next={path}", {"login": "mira@example.com", "password": PASSWORD,
                                                                      "next": path})
    assert login.status_code == 302 and login["Location"] == path
    assert browser.post(path).status_code == 302
    assert Membership.objects.get(team=team, user=existing).role == "viewer"
    assert User.objects.get(pk=existing.pk).current_team == team


def test_invitations_are_rate_limited_per_team(monkeypatch):
    from accounts import teams

    owner = UserFactory()
    team = teams.team_create(user=owner, name="Busy Studio")
    monkeypatch.setattr(teams, "INVITATIONS_PER_HOUR", 2)
    for n in range(2):
        teams.invitation_create(team=team, email=f"a{n}@example.com", role="viewer", invited_by=owner,
                                accept_url=lambda raw: raw)
    with pytest.raises(teams.InvitationRateLimited):
        teams.invitation_create(team=team, email="a3@example.com", role="viewer", invited_by=owner,
                                accept_url=lambda raw: raw)
    assert Invitation.objects.filter(team=team).count() == 2
