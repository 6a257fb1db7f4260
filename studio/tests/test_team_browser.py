"""In Chromium against a live server: the owner creates a team, moves a bible into it and
invites an editor; the invitee opens the emailed link, creates an account and joins; the editor
draws a character image on the team's bible (offline provider, tasks run eagerly); the owner
sees the charge, with the editor's name, in the team's credit history. Also at phone width."""

import re

import pytest
from django.core import mail

from accounts.models import Membership
from accounts.tests.factories import PASSWORD, UserFactory, log_in
from credits import ledger
from credits.models import LedgerEntry
from credits.selectors import credit_account_for
from studio.models import Generation

from .factories import make_project

pytestmark = pytest.mark.browser


def test_owner_invites_an_editor_who_generates_on_the_team_bible(page, browser, live_server, settings, tmp_path,
                                                                 celery_eager):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    owner = UserFactory(email="olga@example.com", display_name="Olga Owner")
    project = make_project(owner, characters=1, scenes=0)
    character = project.characters.get()
    log_in(page, "olga@example.com")

    page.goto("/settings/team/")
    page.click("#create-team")
    page.fill("#team-name-input", "Ember Studio")
    page.click("#team-form [type=submit]")
    page.wait_for_selector("#team-name")
    assert page.inner_text("#team-name") == "Ember Studio"
    assert page.inner_text("#workspace-name") == "Ember Studio"
    team = Membership.objects.get(user=owner).team
    ledger.credits_grant(account=credit_account_for(team=team), amount=200, idempotency_key="test:fund-team")

    page.goto(f"/studio/{project.public_id}/")
    page.click("#move-link")
    page.select_option("#move-team", team.slug)
    page.click("#confirm-move")
    page.wait_for_url(re.compile(rf"/studio/{project.public_id}/$"))
    project.refresh_from_db()
    assert project.team_id == team.pk

    page.goto("/settings/team/")
    page.fill("#invite-email", "ilham@example.com")
    page.select_option("#invite-role", "editor")
    page.click("#invite-form [type=submit]")
    page.wait_for_selector("#invitation-list")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/teams/join/\S+/", mail.outbox[0].body).group(0)

    editor_context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844},
                                         locale="en-US")
    editor_page = editor_context.new_page()
    editor_page.set_default_timeout(10_000)
    editor_page.goto(link)
    assert "Ember Studio" in editor_page.inner_text("#team-join")
    editor_page.click("#join-signup")
    editor_page.fill("#signup-email", "ilham@example.com")
    editor_page.fill("#signup-password1", PASSWORD)
    editor_page.fill("#signup-password2", PASSWORD)
    editor_page.click("#signup-form [type=submit]")
    editor_page.wait_for_selector("#accept-invitation")
    editor_page.click("#accept-invitation")
    editor_page.wait_for_url(re.compile(r"/dashboard/$"))
    editor = Membership.objects.get(team=team, role="editor").user
    editor.display_name = "Ilham Editor"
    editor.save(update_fields=["display_name"])

    editor_page.goto(f"/studio/characters/{character.public_id}/")
    panel = f"#gen-{character.public_id}"
    editor_page.wait_for_selector(f"{panel} form")
    editor_page.click(f"{panel} button[type=submit]")
    editor_page.wait_for_selector(f"{panel}-jobs .job--succeeded", timeout=30_000)
    job = Generation.objects.get(project=project)
    assert job.owner == editor and job.status == Generation.Status.SUCCEEDED
    charge = LedgerEntry.objects.get(account=credit_account_for(team=team), kind="capture")
    assert charge.actor == editor
    editor_context.close()

    page.goto("/settings/credits/")
    row = page.inner_text(".statement")
    assert "Ilham Editor" in row and character.name in row

    # The team page fits a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/settings/team/")
    page.wait_for_selector("#member-list")
    assert "Ilham Editor" in page.inner_text("#member-list")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # The switcher in the app shell: back to the personal workspace.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/dashboard/")
    page.click("#workspace-switch summary")
    page.wait_for_selector("#workspace-list")
    page.click("#workspace-list button:has-text('Personal')")
    page.wait_for_url(re.compile(r"/dashboard/$"))
    assert page.inner_text("#workspace-name") == "Personal"
    owner.refresh_from_db()
    assert owner.current_team_id is None
