"""The cap on running jobs is per paying account: on a team's project its members' jobs count
together against one cap (the team's account), on a personal project the creator's personal
jobs count, and neither fills the other. Checked one request after another and with real
threads on PostgreSQL (the account's row lock serialises the count)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts import teams
from accounts.models import Membership
from accounts.tests.factories import UserFactory
from credits import ledger
from credits.models import Plan
from credits.selectors import credit_account_for
from studio import selectors, services
from studio.generate import jobs
from studio.models import Generation

from .factories import give_plan, make_project

pytestmark = pytest.mark.usefixtures("seeded_defaults")
CAP = 3


def team_with_project(owner, *members):
    """A team on Pro with credits to spare, its members editors, and a project of its own."""
    team = teams.team_create(user=owner, name="Shared Studio")
    account = credit_account_for(team=team)
    ledger.account_plan_change(account=account, plan=Plan.objects.get(code="pro"), key=f"test:pro:{team.pk}")
    ledger.credits_grant(account=account, amount=1000, idempotency_key=f"test:fund:{team.pk}")
    for member in members:
        Membership.objects.create(team=team, user=member, role="editor")
    project = make_project(owner, characters=1, scenes=0, locations=0)
    services.project_move(project=project, team=team, user=owner)
    return team, project


@pytest.mark.django_db
def test_two_members_share_the_teams_cap_and_personal_jobs_are_counted_apart(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.GENERATION_MAX_ACTIVE = CAP
    owner, ana, budi = UserFactory(), UserFactory(), UserFactory()
    team, project = team_with_project(owner, ana, budi)
    character = project.characters.get()

    first = jobs.character_image_request(user=ana, character=character)
    jobs.character_image_request(user=ana, character=character)
    jobs.character_image_request(user=budi, character=character)
    assert selectors.active_job_count(account=credit_account_for(team=team)) == CAP
    for member in (budi, ana, owner):
        with pytest.raises(jobs.TooManyJobs) as refused:
            jobs.character_image_request(user=member, character=character)
        assert refused.value.message == "Your team already has the most jobs running at once. Wait for one to finish."
    assert Generation.objects.filter(project=project).count() == CAP

    # Ana's personal workspace has a cap of its own, which the team's jobs do not fill...
    give_plan(ana, "pro")
    personal = make_project(ana, characters=1, scenes=0, locations=0).characters.get()
    for _ in range(CAP):
        jobs.character_image_request(user=ana, character=personal)
    assert selectors.active_job_count(account=credit_account_for(user=ana)) == CAP
    with pytest.raises(jobs.TooManyJobs) as refused:
        jobs.character_image_request(user=ana, character=personal)
    assert refused.value.message == "You already have the most jobs running at once. Wait for one to finish."

    # ...nor do her personal jobs fill the team's: a team job ending makes room for any member.
    jobs.job_cancel(job=first)
    assert jobs.character_image_request(user=budi, character=character).project == project
    assert selectors.active_job_count(account=credit_account_for(team=team)) == CAP


@pytest.mark.django_db
def test_the_missing_sheets_of_a_team_project_are_measured_against_the_teams_room(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.GENERATION_MAX_ACTIVE = CAP
    owner, ana = UserFactory(), UserFactory()
    team, project = team_with_project(owner, ana)
    services.character_create(project=project, name="Second", role="supporting")
    character = project.characters.order_by("id").first()
    jobs.character_image_request(user=owner, character=character)
    jobs.character_image_request(user=owner, character=character)
    with pytest.raises(jobs.TooManyJobs):  # two sheets wanted, room for one on the team's account
        jobs.sheets_request(user=ana, characters=list(project.characters.all()))


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_members_requesting_at_once_never_run_more_than_the_teams_cap(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.GENERATION_MAX_ACTIVE = CAP
    owner, ana, budi = UserFactory(), UserFactory(), UserFactory()
    team, project = team_with_project(owner, ana, budi)
    character = project.characters.get()
    members = [ana, budi]

    def request(i):
        try:
            return jobs.character_image_request(user=members[i % 2], character=character, idempotency_key=f"race-{i}")
        except Exception as exc:  # collected, not swallowed: asserted on below
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(request, range(20)))

    made = [r for r in results if isinstance(r, Generation)]
    refused = [r for r in results if isinstance(r, jobs.TooManyJobs)]
    assert len(made) == CAP and len(refused) == 20 - CAP, [r for r in results if not isinstance(r, Generation)][:3]
    assert Generation.objects.filter(project=project, status__in=Generation.ACTIVE).count() == CAP
    assert selectors.active_job_count(account=credit_account_for(team=team)) == CAP
