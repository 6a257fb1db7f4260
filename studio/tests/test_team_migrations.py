"""The teams migrations on a database with data: existing creators' accounts and projects come
through untouched, in their personal workspace."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.requires_postgres, pytest.mark.django_db(transaction=True)]

BEFORE = [("accounts", "0002_user_storage_preference"), ("credits", "0007_payment_gateways"),
          ("studio", "0012_seed_plush_preset")]
AFTER = [("accounts", "0003_teams"), ("credits", "0008_teams"), ("studio", "0013_teams")]


def test_existing_accounts_and_projects_are_untouched_and_personal():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("accounts", "User").objects.create(email="before@example.com", password="x")
    plan = old.get_model("credits", "Plan").objects.get_or_create(code="free", defaults={"name": "Free"})[0]
    account = old.get_model("credits", "CreditAccount").objects.create(user=user, plan=plan, balance=42)
    project = old.get_model("studio", "Project").objects.create(owner=user, title="Old bible", slug="old-bible")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    account = new.get_model("credits", "CreditAccount").objects.get(pk=account.pk)
    project = new.get_model("studio", "Project").objects.get(pk=project.pk)
    user = new.get_model("accounts", "User").objects.get(pk=user.pk)
    assert (account.user_id, account.team_id, account.balance, account.plan_id) == (user.pk, None, 42, plan.pk)
    assert (project.owner_id, project.team_id, project.title) == (user.pk, None, "Old bible")
    assert user.current_team_id is None
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
