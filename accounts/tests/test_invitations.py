"""The invitee's side of team invitations: an inbox entry (with no token in it) for an invitee who
already has an account, /teams/invitations/ to accept or decline while signed in through the same
service as the emailed link, a clear word for invitations that ended, and 404 for anyone else's."""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import selectors, teams
from accounts.models import Invitation, Membership, Notification, User

from .factories import UserFactory

pytestmark = pytest.mark.django_db
INBOX = "/teams/invitations/"


@pytest.fixture
def owner(db):
    return UserFactory(display_name="Sari Owner")


@pytest.fixture
def team(owner):
    return teams.team_create(user=owner, name="Studio Lentera")


@pytest.fixture
def invite(team, owner, django_capture_on_commit_callbacks):
    """Invites an address as the team's owner does, and runs what follows the commit (the
    invitation email, the invitee's inbox)."""
    def make(email, role="editor"):
        with django_capture_on_commit_callbacks(execute=True):
            return teams.invitation_create(team=team, email=email, role=role, invited_by=owner,
                                           accept_url=lambda raw: f"http://testserver/teams/join/{raw}/")
    return make


def accept_url(invitation):
    return reverse("accounts:team_invitation_accept", args=[invitation.public_id])


def decline_url(invitation):
    return reverse("accounts:team_invitation_decline", args=[invitation.public_id])


def test_an_invitee_with_an_account_finds_it_in_their_inbox_and_the_entry_holds_no_token(user, invite):
    sent = invite(user.email.upper())
    notification = Notification.objects.get(user=user, kind=Notification.Kind.TEAM_INVITATION)
    assert notification.url == reverse("accounts:team_invitations") == INBOX
    stored = json.dumps([notification.url, notification.image_url, notification.subject, notification.params])
    assert sent.raw not in stored and sent.invitation.token_hash not in stored
    assert notification.subject == f"invitation:{sent.invitation.public_id}"
    assert notification.params == {"inviter": "Sari Owner", "team": "Studio Lentera"}
    # One email: the invitation itself, with its link (a mailbox, not the database).
    assert notification.email_state == Notification.Email.NONE
    assert len(mail.outbox) == 1 and f"/teams/join/{sent.raw}/" in mail.outbox[0].body
    assert User.objects.get(pk=user.pk).notifications_unread == 1


def test_no_inbox_entry_for_an_address_without_a_verified_account(invite):
    UserFactory(email="unverified@example.com", verified=False)
    invite("unverified@example.com")
    invite("stranger@example.com")
    assert not Notification.objects.exists()
    assert len(mail.outbox) == 2


def test_the_page_lists_it_and_accepting_there_joins_the_team(client, user, invite, team):
    sent = invite(user.email, role="viewer")
    client.force_login(user)
    page = client.get(INBOX).content.decode()
    assert "Studio Lentera" in page and "Sari Owner invited you as Viewer." in page
    assert accept_url(sent.invitation) in page and decline_url(sent.invitation) in page

    response = client.post(accept_url(sent.invitation))
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert Membership.objects.get(team=team, user=user).role == "viewer"
    invitation = Invitation.objects.get(pk=sent.invitation.pk)
    assert invitation.accepted_by == user and User.objects.get(pk=user.pk).current_team == team
    assert Notification.objects.get(user=user).read_at is not None
    assert User.objects.get(pk=user.pk).notifications_unread == 0

    after = client.get(INBOX).content.decode()
    assert "invitations-empty" in after and accept_url(sent.invitation) not in after
    used = Client().get(f"/teams/join/{sent.raw}/")
    assert used.status_code == 410 and b"already been used" in used.content


def test_declining_closes_the_invitation_and_its_link(client, user, invite, team, owner):
    sent = invite(user.email)
    client.force_login(user)
    response = client.post(decline_url(sent.invitation), follow=True)
    assert response.redirect_chain == [(INBOX, 302)]
    assert "You declined the invitation to Studio Lentera." in response.content.decode()
    assert Invitation.objects.get(pk=sent.invitation.pk).declined_at is not None
    assert not Membership.objects.filter(team=team, user=user).exists()
    assert Notification.objects.get(user=user).read_at is not None
    assert not selectors.team_invitations_open(team=team).exists()  # the team's page no longer lists it

    link = Client().get(f"/teams/join/{sent.raw}/")
    assert link.status_code == 410 and b"declined" in link.content
    again = client.post(accept_url(sent.invitation), follow=True).content.decode()
    assert "This invitation was declined." in again
    assert not Membership.objects.filter(team=team, user=user).exists()


def test_someone_elses_invitation_is_a_404(client, user, outsider, invite, team):
    sent = invite(user.email)
    client.force_login(outsider)
    assert client.post(accept_url(sent.invitation)).status_code == 404
    assert client.post(decline_url(sent.invitation)).status_code == 404
    assert "Studio Lentera" not in client.get(INBOX).content.decode()
    assert client.post(reverse("accounts:team_invitation_accept",
                               args=["00000000-0000-0000-0000-000000000000"])).status_code == 404
    invitation = Invitation.objects.get(pk=sent.invitation.pk)
    assert invitation.is_open and not Membership.objects.filter(team=team, user=outsider).exists()


def test_a_second_address_counts_once_it_is_verified(client, user, invite, team):
    address = EmailAddress.objects.create(user=user, email="Work@Example.com", verified=False, primary=False)
    sent = invite("work@example.com")
    assert not Notification.objects.exists()  # an unverified address may not be theirs
    client.force_login(user)
    assert client.post(accept_url(sent.invitation)).status_code == 404

    address.verified = True
    address.save()
    assert "Studio Lentera" in client.get(INBOX).content.decode()
    assert client.post(accept_url(sent.invitation)).status_code == 302
    assert Membership.objects.filter(team=team, user=user).exists()


def test_an_expired_invitation_is_shown_as_such_and_accepting_it_says_why(client, user, invite, team):
    sent = invite(user.email)
    Invitation.objects.filter(pk=sent.invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(user)
    page = client.get(INBOX).content.decode()
    assert "invitations-ended" in page and "This invitation has expired. Ask the team to send a new one." in page
    assert accept_url(sent.invitation) not in page  # nothing to press

    response = client.post(accept_url(sent.invitation), follow=True)
    assert response.redirect_chain == [(INBOX, 302)]
    assert response.content.decode().count("This invitation has expired. Ask the team to send a new one.") == 2
    assert not Membership.objects.filter(team=team, user=user).exists()


def test_a_withdrawn_invitation_is_shown_as_such(client, user, invite):
    sent = invite(user.email)
    teams.invitation_revoke(invitation=sent.invitation)
    client.force_login(user)
    page = client.get(INBOX).content.decode()
    assert "This invitation was withdrawn by the team." in page and accept_url(sent.invitation) not in page
    assert client.post(decline_url(sent.invitation)).status_code == 302
    assert Invitation.objects.get(pk=sent.invitation.pk).declined_at is None


def test_answers_are_posted_with_the_csrf_token(user, invite):
    sent = invite(user.email)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.get(accept_url(sent.invitation)).status_code == 405
    assert browser.post(accept_url(sent.invitation)).status_code == 403
    assert browser.post(decline_url(sent.invitation)).status_code == 403
    assert Invitation.objects.get(pk=sent.invitation.pk).is_open


def test_accepting_from_the_emailed_link_reads_the_inbox_entry_too(client, user, invite, team):
    sent = invite(user.email)
    client.force_login(user)
    assert client.post(f"/teams/join/{sent.raw}/").status_code == 302
    assert Membership.objects.filter(team=team, user=user).exists()
    assert Notification.objects.get(user=user).read_at is not None


def test_signed_out_visitors_are_asked_to_sign_in(client, user, invite):
    sent = invite(user.email)
    for response in (client.get(INBOX), client.post(accept_url(sent.invitation))):
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
