"""Teams and money: a team's account (Free, no trial, exactly one owner of the account), one owner
per team, ownership transfer, member caps and usage, orders for a team, and the admin's team
pages and grant / deduct on a team's account through the same ledger action as a user's."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import teams
from accounts.models import Membership, Team
from accounts.tests.factories import UserFactory
from credits import guards, ledger, selectors
from credits.exceptions import MemberCapReached
from credits.models import CreditAccount, CreditPackage, LedgerEntry, Order, Plan
from credits.periods import add_months

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


def test_a_member_cap_counts_charges_this_cycle_and_running_holds(user, team):
    editor = UserFactory()
    Membership.objects.create(team=team, user=editor, role="editor", monthly_credit_cap=10)
    account = selectors.credit_account_for(team=team)
    ledger.credits_grant(account=account, amount=100, idempotency_key="fund")
    hold = ledger.credits_hold(account=account, amount=4, reference="job:1", idempotency_key="job:1", actor=editor)
    ledger.credits_capture(hold=hold, amount=4, actor=editor)
    ledger.credits_hold(account=account, amount=5, reference="job:2", idempotency_key="job:2", actor=editor)
    assert selectors.member_usage(account=account)[editor.pk] == 9
    guards.member_cap_check(account=account, actor=editor, cap=10, cost=1)
    with pytest.raises(MemberCapReached) as refusal:
        guards.member_cap_check(account=account, actor=editor, cap=10, cost=2)
    assert refusal.value.extra == {"cap": 10, "used": 9} and refusal.value.status == 402


def _charge(account, member, amount: int, key: str, when) -> None:
    """A job's credits charged to `member` at `when` (the ledger dates entries now; moved back here)."""
    hold = ledger.credits_hold(account=account, amount=amount, reference=key, idempotency_key=key, actor=member)
    ledger.credits_capture(hold=hold, amount=amount, actor=member)
    LedgerEntry.objects.filter(hold=hold).update(created_at=when)


def test_usage_counts_the_team_accounts_plan_cycle_across_its_boundary_not_the_calendar_month(team):
    editor = UserFactory()
    Membership.objects.create(team=team, user=editor, role="editor", monthly_credit_cap=10)
    account = selectors.credit_account_for(team=team)
    ledger.credits_grant(account=account, amount=100, idempotency_key="fund")
    # Cycles from 31 January: the next ones are due on 28 February and 28 March (clamped), 10:00.
    start = datetime(2026, 1, 31, 10, tzinfo=UTC)
    CreditAccount.objects.filter(pk=account.pk).update(cycle_started_at=start, next_cycle_at=add_months(start, 1))
    account.refresh_from_db()
    _charge(account, editor, 4, "job:before-boundary", datetime(2026, 2, 28, 9, tzinfo=UTC))
    _charge(account, editor, 2, "job:after-boundary", datetime(2026, 2, 28, 11, tzinfo=UTC))  # February, new cycle
    _charge(account, editor, 1, "job:march", datetime(2026, 3, 2, tzinfo=UTC))
    now = datetime(2026, 3, 5, tzinfo=UTC)

    # The cycle fell due on 28 February; the scheduled run has not reached it yet: it counts all the same.
    assert selectors.usage_cycle(account, now) == (datetime(2026, 2, 28, 10, tzinfo=UTC),
                                                   datetime(2026, 3, 28, 10, tzinfo=UTC))
    assert selectors.member_usage(account=account, now=now) == {editor.pk: 3}
    assert selectors.usage_cycle(account, datetime(2026, 2, 28, 9, 59, tzinfo=UTC)) == (start, add_months(start, 1))

    assert ledger.credits_run_cycle(account=account, now=now) == "granted"
    account.refresh_from_db()
    assert account.cycle_started_at == datetime(2026, 2, 28, 10, tzinfo=UTC)
    assert selectors.usage_cycle(account, now)[0] == account.cycle_started_at
    assert selectors.member_usage(account=account, now=now) == {editor.pk: 3}


def test_the_cap_under_the_lock_and_the_team_page_count_the_same_cycle(client, user, team):
    editor = UserFactory()
    member = Membership.objects.create(team=team, user=editor, role="editor", monthly_credit_cap=10)
    account = selectors.credit_account_for(team=team)
    ledger.credits_grant(account=account, amount=100, idempotency_key="fund")
    start = timezone.now() - timedelta(days=3)
    CreditAccount.objects.filter(pk=account.pk).update(cycle_started_at=start, next_cycle_at=add_months(start, 1))
    _charge(account, editor, 6, "job:last-cycle", start - timedelta(minutes=1))
    _charge(account, editor, 3, "job:this-cycle", start + timedelta(minutes=1))
    ledger.credits_hold(account=account, amount=2, reference="job:running", idempotency_key="job:running", actor=editor)

    with transaction.atomic():
        locked = ledger.account_lock(account=account)
        guards.member_cap_check(account=locked, actor=editor, cap=10, cost=5)
        with pytest.raises(MemberCapReached) as refusal:
            guards.member_cap_check(account=locked, actor=editor, cap=10, cost=6)
    assert refusal.value.extra == {"cap": 10, "used": 5}

    client.force_login(user)
    response = client.get(reverse("credits:team"))
    used = {m.pk: m.used for m in response.context["members"]}
    assert used[member.pk] == 5
    page = response.content.decode()
    assert "Used this cycle" in page and f"{timezone.localtime(start):%-d %b %Y}" in page


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


def test_ownership_is_offered_only_when_there_is_another_member_to_give_it_to(client, user, team):
    client.force_login(user)

    alone = client.get(reverse("credits:team")).content.decode()
    assert 'id="transfer-hint"' in alone and 'id="transfer-to"' not in alone

    nameless = UserFactory(display_name="", email="nameless@example.com")
    Membership.objects.create(team=team, user=nameless, role="editor")
    with_member = client.get(reverse("credits:team")).content.decode()
    assert 'id="transfer-to"' in with_member and 'id="transfer-hint"' not in with_member
    assert ">nameless@example.com</option>" in with_member  # a member without a name is named by their email
