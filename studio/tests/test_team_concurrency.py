"""Real threads against PostgreSQL: five members of one team generating at once from the team's
100 credits. The account's row lock serialises the checks (balance, each member's monthly cap)
and the holds, so the account is never overspent and no member passes their cap."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.db.models import Sum

from accounts import teams
from accounts.models import Membership
from accounts.tests.factories import UserFactory
from credits import ledger
from credits.exceptions import InsufficientCredits, MemberCapReached
from credits.models import Hold, LedgerEntry, Plan
from credits.selectors import credit_account_for
from credits.tests.factories import assert_consistent
from studio import services
from studio.generate import jobs
from studio.models import Generation
from studio.tests.factories import make_project

pytestmark = [pytest.mark.requires_postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("seeded_defaults")]

MEMBERS = 5
REQUESTS = 50


def test_five_members_generating_at_once_never_overspend_the_team_or_pass_their_caps(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.GENERATION_MAX_ACTIVE = REQUESTS  # the per-creator cap on running jobs is not what is tested here
    owner = UserFactory()
    team = teams.team_create(user=owner, name="Threaded Studio")
    account = credit_account_for(team=team)
    ledger.account_plan_change(account=account, plan=Plan.objects.get(code="pro"), key="test:pro")
    account.refresh_from_db()
    ledger.credits_admin_adjust(account=account, delta=100 - account.balance, reason="exactly 100", actor=owner)
    project = make_project(owner, characters=1, scenes=0)
    services.project_move(project=project, team=team, user=owner)
    character = project.characters.get()
    cost = jobs.job_quote(user=owner, kind=Generation.Kind.CHARACTER_IMAGE, project=project)["cost"]
    cap = cost * 3  # three jobs each: 5 × 3 × cost may exceed 100, so both refusals can happen
    members = [UserFactory() for _ in range(MEMBERS)]
    for member in members:
        Membership.objects.create(team=team, user=member, role="editor", monthly_credit_cap=cap)

    def request(i):
        try:
            return jobs.character_image_request(user=members[i % MEMBERS], character=character,
                                                idempotency_key=f"thread-{i}")
        except Exception as exc:  # collected, not swallowed: asserted on below
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(request, range(REQUESTS)))

    made = [r for r in results if isinstance(r, Generation)]
    refused = [r for r in results if isinstance(r, (InsufficientCredits, MemberCapReached))]
    assert len(made) + len(refused) == REQUESTS, [r for r in results if not isinstance(r, Generation)][:3]
    assert len(made) == min(MEMBERS * 3, 100 // cost)
    account.refresh_from_db()
    assert account.balance == 100 and 0 <= account.available and account.held == len(made) * cost
    assert account.balance == LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"]
    assert_consistent(account)
    for member in members:
        held = (LedgerEntry.objects.filter(account=account, actor=member, kind="hold").aggregate(s=Sum("held_delta"))
                ["s"] or 0)
        assert held <= cap
    assert Hold.objects.filter(account=account, status="held").count() == len(made)
    cap_refusals = [r for r in refused if isinstance(r, MemberCapReached)]
    assert all(r.extra["cap"] == cap and r.extra["used"] <= cap for r in cap_refusals)
