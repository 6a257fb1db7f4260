"""Teams and money: a team's account (Free, no trial, exactly one owner of the account), one owner
per team, ownership transfer, member caps and usage, orders for a team, and the admin's team
pages and grant / deduct on a team's account through the same ledger action as a user's."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts import teams
from accounts.models import Membership, Team
from accounts.tests.factories import UserFactory
from credits import guards, ledger, selectors
from credits.exceptions import MemberCapReached
from credits.models import CreditAccount, CreditPackage, LedgerEntry, Order, Plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_defaults")]


@pytest.fixture
def team(user):
    return teams.team_create(user=user, name="Ember Studio")


def test_a_team_account_starts_on_free_with_no_trial_and_no_welcome_credits(team):
    account = selectors.credit_account_for(team=team)
    free = Plan.objects.get(code="free")
    assert (account.plan, account.user, account.trial_ends_at) == (free, None, None)
    assert not LedgerEntry.objects.filter(account=account, kind="bonus").exists()
    assert account.balance == free.credits_per_cycle


def test_an_account_belongs_to_a_user_or_a_team_never_both_nor_neither(user, team):
    free = Plan.objects.get(code="free")
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditAccount.objects.create(user=user, team=team, plan=free)
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditAccount.objects.create(plan=free)


def test_a_team_has_exactly_one_owner_and_transfer_keeps_it_so(user, team):
    other = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(team=team, user=other, role="owner")
    member = Membership.objects.create(team=team, user=other, role="editor")
    teams.ownership_transfer(team=team, to=member)
    roles = dict(Membership.objects.filter(team=team).values_list("user_id", "role"))
    assert roles == {user.pk: "admin", other.pk: "owner"}
    with pytest.raises(teams.TeamError):
        teams.member_remove(membership=Membership.objects.get(team=team, user=other))


def test_a_member_cap_counts_charges_this_month_and_running_holds(user, team):
    editor = UserFactory()
    Membership.objects.create(team=team, user=editor, role="editor", monthly_credit_cap=10)
    account = selectors.credit_account_for(team=team)
    ledger.credits_grant(account=account, amount=100, idempotency_key="fund")
    hold = ledger.credits_hold(account=account, amount=4, reference="job:1", idempotency_key="job:1", actor=editor)
    ledger.credits_capture(hold=hold, amount=4, actor=editor)
    ledger.credits_hold(account=account, amount=5, reference="job:2", idempotency_key="job:2", actor=editor)
    assert selectors.member_usage(account=account, since=selectors.month_start())[editor.pk] == 9
    guards.member_cap_check(account=account, actor=editor, cap=10, cost=1)
    with pytest.raises(MemberCapReached) as refusal:
        guards.member_cap_check(account=account, actor=editor, cap=10, cost=2)
    assert refusal.value.extra == {"cap": 10, "used": 9} and refusal.value.status == 402


def test_an_admin_orders_for_the_team_and_an_editor_cannot(client, user, team):
    editor = UserFactory()
    Membership.objects.create(team=team, user=editor, role="editor")
    package = CreditPackage.objects.filter(is_active=True).first()
    client.force_login(user)
    client.post(reverse("credits:order_create"), {"package": package.code})
    order = Order.objects.get()
    assert order.account.team == team and order.user == user
    assert client.get(reverse("credits:order", args=[order.public_id])).status_code == 200
    client.force_login(editor)
    teams.workspace_switch(user=editor, team=team)
    assert client.post(reverse("credits:order_create"), {"package": package.code}).status_code == 404
    assert client.get(reverse("credits:order", args=[order.public_id])).status_code == 404


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_lists_teams_and_grants_and_deducts_on_a_team_account(admin_client, team):
    account = selectors.credit_account_for(team=team)
    page = admin_client.get(reverse("admin:accounts_team_changelist")).content.decode()
    assert "Ember Studio" in page and str(account.available) in page
    assert admin_client.get(reverse("admin:accounts_team_change", args=[team.pk])).status_code == 200
    url = reverse("admin:credits_creditaccount_adjust", args=[account.pk])
    before = account.balance
    admin_client.post(url, {"direction": "grant", "amount": 30, "reason": "Festival prize", "idempotency_key": "a1"})
    admin_client.post(url, {"direction": "deduct", "amount": 10, "reason": "Correction", "idempotency_key": "a2"})
    account.refresh_from_db()
    assert account.balance == before + 20
    assert list(LedgerEntry.objects.filter(account=account, kind="admin_adjust").values_list("amount", flat=True)
                .order_by("id")) == [30, -10]


def test_deleting_a_team_ends_every_membership(user, team):
    editor = UserFactory()
    Membership.objects.create(team=team, user=editor, role="editor")
    teams.team_delete(team=team)
    assert not Membership.objects.filter(team=team).exists()
    assert Team.objects.get(pk=team.pk).deleted_at is not None


def test_a_cap_too_large_for_the_column_is_refused_on_the_page_not_a_500(client, user, team):
    editor = Membership.objects.create(team=team, user=UserFactory(), role="editor")
    client.force_login(user)

    response = client.post(reverse("credits:member_update", args=[editor.public_id]), {"cap": "9" * 12}, follow=True)

    assert "A cap is at most 1,000,000,000 credits." in response.content.decode()
    editor.refresh_from_db()
    assert editor.monthly_credit_cap is None
